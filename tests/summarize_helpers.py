"""Test helpers for summaries: a fake engine (no model) and small seed copies."""
from __future__ import annotations

import shutil
from pathlib import Path

from mt.engines import EngineOptions, Hypothesis
from mt.models.presets import ModelSpec

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GLOSSARY = SEEDS / "glossary.tsv"


def first_words(text: str, settings) -> str:
    """A 'summary': the first max_new_tokens/2 words of the text."""
    return " ".join(text.split()[: max(3, (settings.max_new_tokens or 20) // 2)])


class FakeEngine:
    """The engine contract without a model: one token per word (+2 specials)."""

    name = "fake"

    def __init__(self, reply=first_words, limit: int = 64, label: str = "fake-summarizer"):
        self.spec = ModelSpec(name=label, task="summarize")
        self.options = EngineOptions(task="summarize")
        self.model_limit = limit
        self.max_input_tokens = limit - 2
        self.device = "cpu"
        self.reply = reply
        self.calls: list[tuple[list[str], object]] = []

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) + 2 for t in texts]

    def generate(self, texts, settings=None):
        self.calls.append((list(texts), settings))
        out = []
        for text in texts:
            reply = self.reply(text, settings)
            out.append(Hypothesis(text=reply, tokens=len(reply.split())))
        return out

    def describe(self) -> dict:
        return {"engine": "fake"}


def small_seeds(dest: Path, lines: int = 3) -> Path:
    """The five seeds cut to their first `lines` non-empty lines (seed 001 keeps its date line)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:lines]
        (dest / path.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return dest


def copy_references(dest: Path) -> Path:
    shutil.copytree(SEEDS / "references", dest)
    return dest
