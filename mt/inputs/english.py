"""English inputs of `mt summarize` and `mt brief`: text files, folders, translation records."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from mt.inputs.document import CorpusError, CorpusOptions, Failed, content_hash, decode_bytes
from mt.inputs.parse import parse_text
from mt.inputs.remote import RemoteFile, iter_remote, source_path
from mt.outputs.files import safe_rel
from mt.outputs.layout import DEMO_LABEL, SUMMARY_SUFFIX

ENGLISH_SUFFIXES = (".txt", ".md", ".markdown")


NOT_INPUTS = (SUMMARY_SUFFIX, ".brief.md", ".brief.json", ".en.json")  # mt's own outputs, never summarized


NOT_INPUT_NAMES = {"briefs.md", "manifest.jsonl"}


@dataclass
class EnglishDoc:
    """One English text to summarize."""

    id: str
    rel: str
    source: str
    paragraphs: list[str]
    hash: str
    input: str | None = None  # the file read (for the manifest)
    terms: list[dict] = field(default_factory=list)  # glossary matches of the source, when known


def english_stem(name: str) -> str:
    return name[: -len(".en.txt")] if name.endswith(".en.txt") else Path(name).stem


def iter_english(paths: Iterable[str | Path]) -> Iterator[EnglishDoc | Failed]:
    """English documents under `paths` (files, or folders recursively); mt's own outputs are skipped."""
    used: dict[str, int] = {}
    for raw in paths:
        root = source_path(raw)
        if not root.exists():
            yield Failed(id=str(root), source=str(root), error="no such file or folder")
            continue
        if isinstance(root, RemoteFile):  # s3://, gs://... (mt.inputs.remote)
            found = [(path, [*parts[:-1], english_stem(parts[-1])])
                     for path, parts in iter_remote(root.url, _is_english) if parts is not None]
        else:
            found = [(root, [english_stem(root.name)])] if root.is_file() else _walk(root)
        for path, parts in found:
            rel = safe_rel(parts)
            used[rel] = used.get(rel, 0) + 1
            if used[rel] > 1:
                rel = f"{rel}~{used[rel]}"
            yield read_english(path, rel)


def count_english(paths: Iterable[str | Path]) -> int:
    """How many documents `iter_english` will yield (for a progress total), without reading them."""
    total = 0
    for raw in paths:
        root = source_path(raw)
        if isinstance(root, RemoteFile):
            total += sum(1 for _ in iter_remote(root.url, _is_english))
            continue
        total += 1 if not root.is_dir() else sum(1 for _ in _walk(root))
    return total


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder).relative_to(root).parts
        for name in sorted(files):
            if not name.startswith(".") and _is_english(name):
                yield Path(folder) / name, [*here, english_stem(name)]


def _is_english(name: str) -> bool:
    """A file name summarize reads: English text, and not one of mt's own outputs."""
    return name not in NOT_INPUT_NAMES and not name.endswith(NOT_INPUTS) and name.lower().endswith(ENGLISH_SUFFIXES)


def read_english(path: Path, rel: str) -> EnglishDoc | Failed:
    try:
        data = path.read_bytes()
        text, _ = decode_bytes(data)
        if text.lstrip().startswith(DEMO_LABEL):  # a demo translation's labelled title line
            text = text.lstrip()[len(DEMO_LABEL):]
        fmt = "md" if path.suffix.lower() in {".md", ".markdown"} else "txt"
        doc = parse_text(text, fmt=fmt, id=rel, rel=rel, source=str(path), options=CorpusOptions(clean=False))
    except (OSError, CorpusError) as exc:
        return Failed(id=rel, rel=rel, source=str(path), error=str(exc) or type(exc).__name__)
    return EnglishDoc(id=rel, rel=rel, source=str(path), paragraphs=doc.paragraphs or [doc.title],
                      hash=content_hash(data), input=str(path))


def english_from_detail(doc_id: str, rel: str, input_name: str, detail: dict) -> EnglishDoc:
    """The text to summarize from a translation detail record: the English body paragraphs."""
    title = detail.get("title") or {}
    paragraphs = [p.get("en", "") for p in detail.get("paragraphs", []) if p.get("en", "").strip()]
    paragraphs = paragraphs or [title.get("en", "") if isinstance(title, dict) else str(title)]
    terms = detail.get("terms") or []
    blob = json.dumps([paragraphs, sorted(t.get("target", "") for t in terms)], ensure_ascii=False)
    return EnglishDoc(id=doc_id, rel=rel, source=detail.get("source") or input_name, paragraphs=paragraphs,
                      hash=content_hash(blob), input=input_name, terms=terms)
