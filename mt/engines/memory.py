"""The memory budget: how many sentences the CTranslate2 engine keeps in flight.

``--max-memory SIZE`` (or ``MT_MAX_MEMORY``) bounds the translating process's
resident memory. ``SIZE`` is a number of bytes with an optional K/M/G/T
suffix (binary: ``400M`` = 400 MiB, the unit the bench reports as MB) or
``auto`` (the default): a quarter of the memory the system has available
when the run starts (``MemAvailable`` in /proc/meminfo), and never less than
400 MB (the bound mt kept before the budget existed).

From the budget, `plan` derives the size of each CTranslate2 worker's
batches: sentences per batch, and padded source tokens per batch. Memory in
flight grows with both (decoder and cross-attention caches, vocabulary-sized
buffers per hypothesis; encoder activations per source token), so

    sentences per worker = (budget x SAFETY - base) / (workers x cost per sentence at this beam)
    source tokens per worker = sentences x REFERENCE_SOURCE_TOKENS

and the sentences are capped at BEST_HYPOTHESES / beams (64 at beam 1, 16 at
beam 4), past which CTranslate2 ran no faster. ``base`` is what the process holds before any batch: its resident
memory when the engine cuts its first batch (the model, and what the pipeline
loaded for the first window: language identification, the sentence splitter,
the glossary; 244 MB in the bench's mt process, of which the int8 model and
CTranslate2 are about 100 MB), plus PIPELINE_MB for what loads later.

The cost per sentence is measured, not guessed (see COST_MB). The figures
were taken on the bench's model (scripts/bench_build.py: opus-mt-uk-en's
Marian shape, random weights, CTranslate2 int8, 2 workers of 1 thread):
``mt translate``'s whole path over the bench corpus (554 sentences, source
lengths 6-94 SentencePiece tokens, mean 39) with every output forced to 48
tokens, the token bound off and B sentences per worker; peak RSS (VmHWM)
fitted linearly in B. Beam 1 (B = 8, 16, 24, 32, 48, 64): 229, 306, 397, 457,
618, 700 MB, i.e. 9.5 MB per B = 4.75 MB per sentence, 153 MB at B = 0.
Beam 4 (B = 2, 4, 8): 203, 247, 344 MB, 23.5 MB per B = 11.75 MB per sentence,
156 MB at B = 0. Per sentence that is 2.42 MB + 2.33 MB per beam. The heaviest
batch is always the one with the longest sentences (94 tokens), so the cost
holds for any batch of at most B sentences and B x 94 padded tokens.

Other models scale the cost by their decoder's size and vocabulary
(`shape_scale`, from config.json); that scaling is arithmetic, not measured.
Real translations are not forced to 48 tokens: the decoder caches' share of
the cost (STEP_MB_PER_BEAM, arithmetic from the shape) is scaled to the
expected number of steps, the reference source length plus 10
(`expected_steps`).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
         "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}
MB = 1 << 20

AUTO_SHARE = 0.25  # auto: this share of MemAvailable at start...
AUTO_FLOOR = 400 * MB  # ...and never less than this
SAFETY = 0.92  # plan for this share of the budget: fragmentation and measurement spread
PIPELINE_MB = 20.0  # what the process gains after its first batch (measured: 12 MB over the bench corpus)
# hypotheses (sentences x beams) per worker batch past which CTranslate2 ran no faster: at beam 1, 64
# sentences (bench ceiling: 128 ran slower); at beam 4, 16 sentences per worker took 133 s on the bench
# corpus where 8 took 149 s and 32 took 177 s (one run each, on a loaded machine)
BEST_HYPOTHESES = 64
BEST_SENTENCES = BEST_HYPOTHESES  # at beam 1
MIN_SENTENCES = 1
REFERENCE_SOURCE_TOKENS = 96  # the measured batches' longest source (94), rounded up
MEASURED_OUTPUT_TOKENS = 48  # output length the costs were measured at
# cost per sentence in flight in MB at beam b = COST_MB[0] + COST_MB[1] * b (see the module docstring)
COST_MB = (2.42, 2.33)
# the part of it that grows with the decoding steps: self-attention key/value caches, 2 x 6 layers x 512 x
# 4 bytes per step and hypothesis = 1.125 MB per beam at the measured 48 steps (arithmetic from the shape)
STEP_MB_PER_BEAM = 1.125
# the measured model's shape (opus-mt-uk-en): decoder layers, d_model, vocabulary
REFERENCE_SHAPE = (6, 512, 61_000)


class MemoryError_(ValueError):
    """A --max-memory value mt cannot read; one line, with what it accepts."""

    exit_code = 2


def parse_size(text: str | int | None, allow_auto: bool = True) -> int | None:
    """Bytes for "400M", "2G", "1.5G", "512MiB", "1000000"; None for "auto" (and for None/"")."""
    if text is None:
        return None
    if isinstance(text, int):
        if text <= 0:
            raise MemoryError_(f"--max-memory {text}: give a positive size such as 400M or 2G, or auto")
        return text
    value = str(text).strip()
    if value.lower() in {"", "auto"} and allow_auto:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([A-Za-z]*)", value)
    unit = match.group(2).upper() if match else None
    if not match or unit not in UNITS:
        accepted = "a size such as 400M, 2G or 1.5G" + (", or auto" if allow_auto else "")
        raise MemoryError_(f"--max-memory {text!r}: not a size; give {accepted}")
    size = int(float(match.group(1)) * UNITS[unit])
    if size <= 0:
        raise MemoryError_(f"--max-memory {text}: give a positive size such as 400M or 2G")
    return size


def available_memory(meminfo: str | Path = "/proc/meminfo") -> int | None:
    """MemAvailable in bytes, or None where /proc/meminfo is missing (not Linux)."""
    try:
        text = Path(meminfo).read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            parts = line.split()
            return int(parts[1]) * 1024 if len(parts) > 1 and parts[1].isdigit() else None
    return None


@dataclass(frozen=True)
class Budget:
    bytes: int
    source: str  # how it was chosen, for describe()

    @property
    def mb(self) -> float:
        return self.bytes / MB


def budget(size: str | int | None = None, meminfo: str | Path = "/proc/meminfo") -> Budget:
    """The run's budget: `size` (--max-memory), else MT_MAX_MEMORY, else auto."""
    if size is None or (isinstance(size, str) and not size.strip()):
        size = os.environ.get("MT_MAX_MEMORY") or "auto"
    given = parse_size(size)
    if given is not None:
        return Budget(given, f"--max-memory {size}")
    free = available_memory(meminfo)
    if free is None:
        return Budget(AUTO_FLOOR, "auto: MemAvailable unknown, the 400M floor")
    chosen = max(AUTO_FLOOR, int(free * AUTO_SHARE))
    return Budget(chosen, f"auto: {AUTO_SHARE:.0%} of {free / MB:.0f} MB available, at least {AUTO_FLOOR // MB} MB")


def shape_scale(config: dict | None) -> float:
    """The model's per-sentence memory relative to the measured one, from its decoder layers,
    width and vocabulary (caches grow with layers x width, output buffers with the vocabulary)."""
    if not config:
        return 1.0
    layers = int(config.get("decoder_layers") or config.get("num_decoder_layers") or config.get("num_layers")
                 or REFERENCE_SHAPE[0])
    width = int(config.get("d_model") or config.get("hidden_size") or REFERENCE_SHAPE[1])
    vocab = int(config.get("vocab_size") or REFERENCE_SHAPE[2])

    def weight(layers: int, width: int, vocab: int) -> float:
        # per hypothesis: key/value caches (2 x layers x width x (source + output steps)) + ~3 vocab buffers
        return 2 * layers * width * (REFERENCE_SOURCE_TOKENS + MEASURED_OUTPUT_TOKENS) + 3 * vocab

    return max(0.25, weight(layers, width, vocab) / weight(*REFERENCE_SHAPE))


def expected_steps(output_tokens: int | None) -> int:
    """Decoding steps to plan for: a forced length, else a translation as long as the reference
    source plus 10 (real models stop at end of sentence; the hard limit is 2 x source + 10)."""
    return int(output_tokens) if output_tokens else REFERENCE_SOURCE_TOKENS + 10


def sentence_cost_mb(beams: int, config: dict | None = None, output_tokens: int | None = None) -> float:
    """Measured MB per sentence in flight at `beams`, scaled to the model and the decoding steps."""
    beams = max(1, int(beams))
    steps = expected_steps(output_tokens)
    measured = COST_MB[0] + COST_MB[1] * beams
    extra_steps = STEP_MB_PER_BEAM * beams * (steps - MEASURED_OUTPUT_TOKENS) / MEASURED_OUTPUT_TOKENS
    return max(0.5, measured + extra_steps) * shape_scale(config)


@dataclass(frozen=True)
class Plan:
    """Batch limits per worker derived from a budget."""

    budget: Budget
    sentences: int  # per worker batch
    tokens: int  # padded source tokens per worker batch
    base_mb: float
    cost_mb: float  # per sentence
    workers: int

    def describe(self) -> dict:
        return {"max_memory_mb": round(self.budget.mb), "budget": self.budget.source,
                "sentences_per_worker": self.sentences, "tokens_per_worker": self.tokens,
                "base_mb": round(self.base_mb), "mb_per_sentence": round(self.cost_mb, 2)}


def best_sentences(beams: int) -> int:
    """Sentences per worker batch past which more memory buys no speed at `beams`."""
    return max(1, BEST_HYPOTHESES // max(1, int(beams)))


def plan(chosen: Budget, workers: int, beams: int, base_mb: float, config: dict | None = None,
         output_tokens: int | None = None) -> Plan:
    """Sentences and source tokens per worker batch that keep the process within `chosen`.

    `base_mb`: resident memory before any batch (when the first batch is cut); PIPELINE_MB is added.
    """
    cost = sentence_cost_mb(beams, config, output_tokens)
    room = chosen.mb * SAFETY - (base_mb + PIPELINE_MB)
    sentences = math.floor(room / (max(1, workers) * cost)) if room > 0 else 0
    sentences = max(MIN_SENTENCES, min(best_sentences(beams), sentences))
    return Plan(chosen, sentences, sentences * REFERENCE_SOURCE_TOKENS, base_mb + PIPELINE_MB, cost, workers)


def resident_mb() -> float:
    """This process's resident memory now (VmRSS), in MB; 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
