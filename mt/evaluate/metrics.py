"""Metrics for `mt evaluate`: sacrebleu, ROUGE, term accuracy, COMET, paired bootstrap.

Every metric is a thin wrapper around its reference implementation, so that our
numbers equal a direct call of the library:

* BLEU, chrF and TER are ``sacrebleu.metrics`` classes with default settings;
  each score travels with ``metric.get_signature()``.
* ROUGE is ``rouge_score.rouge_scorer.RougeScorer``. English uses rouge-score's
  own tokenizer with the Porter stemmer; Ukrainian uses :class:`UnicodeWordTokenizer`
  (the default tokenizer keeps only ``[a-z0-9]`` and scores Cyrillic text as 0).
* Paired bootstrap resampling is ``sacrebleu.significance.PairedTest`` (what
  ``sacrebleu --paired-bs`` runs); the confidence interval of the *difference*
  is computed on exactly the same resamples.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
from rouge_score import rouge_scorer, tokenizers
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric
from sacrebleu.significance import PairedTest, _compute_p_value

SACREBLEU_METRICS = ("bleu", "chrf", "ter")
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
ALL_METRICS = ("bleu", "chrf", "ter", "rouge", "terms", "comet")
#: Scores where lower is better (the bootstrap comparison says so).
LOWER_IS_BETTER = frozenset({"ter"})
DEFAULT_COMET_MODEL = "Unbabel/wmt22-comet-da"
DEFAULT_SEED = 12345
DEFAULT_BOOTSTRAP_SAMPLES = 1000

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")
# A word with optional inner apostrophes (Ukrainian п'ять, English don't).
_WORD = re.compile(r"\w+(?:['’ʼ]\w+)*")
_SENTENCE_END = re.compile(r"[.!?…][\"»”’)]*(?=\s+[\"«“„(\[]?[A-ZА-ЯІЇЄҐ0-9])")


def make_sacrebleu_metric(name: str, *, sentence_level: bool = False) -> Metric:
    """Return a fresh sacrebleu metric object with default settings.

    ``sentence_level`` selects ``BLEU(effective_order=True)``, the setting
    sacrebleu recommends for scoring single segments (per-document BLEU).
    """
    if name == "bleu":
        return BLEU(effective_order=True) if sentence_level else BLEU()
    if name == "chrf":
        return CHRF()
    if name == "ter":
        return TER()
    raise ValueError(f"not a sacrebleu metric: {name!r}")


def one_line(text: str) -> str:
    """Collapse a multi-line document into one segment for sacrebleu.

    Single-line texts are returned unchanged, so line-aligned files are scored
    byte for byte as ``sacrebleu`` itself would score them.
    """
    if "\n" in text or "\r" in text:
        return " ".join(text.split())
    return text


@dataclass
class SacrebleuScores:
    """Corpus and per-segment scores of one sacrebleu metric, with signatures."""

    corpus: float
    segments: list[float]
    signature: str  # of the corpus score
    segment_signature: str  # of the per-segment scores (BLEU: eff:yes)
    stats: list[list[float]] = field(default_factory=list, repr=False)  # per-segment sufficient statistics


def sacrebleu_scores(name: str, hyps: Sequence[str], refs: Sequence[str]) -> SacrebleuScores:
    """Corpus score plus per-segment scores from one pass over the corpus.

    Equal to ``metric.corpus_score(hyps, [refs])`` and, per segment, to
    ``metric.sentence_score(hyp, [ref])`` (``BLEU(effective_order=True)`` for BLEU):
    sacrebleu computes both from the same per-segment sufficient statistics,
    which are extracted here once (TER extraction is the slow part).
    """
    corpus_metric = make_sacrebleu_metric(name)
    hyps1, refs1 = [one_line(h) for h in hyps], [one_line(r) for r in refs]
    corpus_metric._check_corpus_score_args(hyps1, [refs1])
    stats = corpus_metric._extract_corpus_statistics(hyps1, [refs1])  # also records nrefs
    corpus = corpus_metric._aggregate_and_compute(stats)
    segment_metric = make_sacrebleu_metric(name, sentence_level=True)
    segment_metric.sentence_score(hyps1[0] if hyps1 else "", [refs1[0] if refs1 else ""])  # sets nrefs
    segments = [segment_metric._aggregate_and_compute([row]).score for row in stats]
    return SacrebleuScores(corpus.score, segments, str(corpus_metric.get_signature()),
                           str(segment_metric.get_signature()), stats)


# --------------------------------------------------------------------------- ROUGE


class UnicodeWordTokenizer(tokenizers.Tokenizer):
    """rouge-score tokenizer that keeps every script: lowercase, then ``\\w+`` words.

    Words may contain inner apostrophes (``п'ять`` is one token). No stemming.
    """

    def tokenize(self, text: str) -> list[str]:
        """Return the lowercased Unicode words of ``text``."""
        return _WORD.findall(text.lower())


def cyrillic_share(texts: Sequence[str], limit: int = 200_000) -> float:
    """Share of letters that are Cyrillic in (the first ``limit`` chars of) ``texts``."""
    sample = "".join(texts)[:limit]
    letters = len(_LETTER.findall(sample))
    return len(_CYRILLIC.findall(sample)) / letters if letters else 0.0


def detect_lang(texts: Sequence[str]) -> str:
    """``"uk"`` when most letters are Cyrillic, else ``"en"``."""
    return "uk" if cyrillic_share(texts) > 0.5 else "en"


def split_sentences(text: str) -> str:
    """One sentence per line, as rouge-score's ROUGE-Lsum expects.

    Existing line breaks are kept; each line is further split after ``.!?…``
    when the next word starts with a capital letter or a digit.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for end in _SENTENCE_END.finditer(line):
            sentences.append(line[start:end.end()].strip())
            start = end.end()
        sentences.append(line[start:].strip())
    return "\n".join(s for s in sentences if s)


@dataclass
class RougeMetric:
    """ROUGE-1/2/L/Lsum F-measures (x100) with rouge-score, per document."""

    lang: str = "en"
    scorer: rouge_scorer.RougeScorer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.lang not in ("en", "uk"):
            raise ValueError(f"unsupported ROUGE language {self.lang!r} (en or uk)")
        if self.lang == "en":
            self.scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
        else:
            self.scorer = rouge_scorer.RougeScorer(
                list(ROUGE_TYPES), use_stemmer=False, tokenizer=UnicodeWordTokenizer())

    @property
    def signature(self) -> str:
        """sacrebleu-style description of the settings, e.g. for the report."""
        version = importlib.metadata.version("rouge-score")
        stem, tok = ("yes", "default") if self.lang == "en" else ("no", "unicode-words")
        return f"rouge-score {version}|stem:{stem}|tok:{tok}|lsum:sent-per-line|agg:mean"

    def score(self, hyp: str, ref: str) -> dict[str, float]:
        """F-measure x100 of each ROUGE type for one document."""
        result = self.scorer.score(split_sentences(ref), split_sentences(hyp))
        return {key: result[key].fmeasure * 100 for key in ROUGE_TYPES}


# --------------------------------------------------------------------------- terms


def contains_term(text: str, target: str) -> bool:
    """Whether ``target`` occurs in ``text`` as whole words (case-sensitive; ' and ’ alike)."""
    from mt.glossary.enforce import has_target

    return bool(target) and has_target(text, target)


@dataclass
class TermScores:
    """Glossary adherence over a corpus (see :func:`term_scores`)."""

    documents: list[tuple[int, int]]  # per document: (found, mentions)
    mentions: int
    found: int
    by_target: dict[str, dict[str, float | int]]
    accuracy: float | None  # micro-averaged term accuracy (x100) over all source mentions
    consistency: float | None  # mean over targets of the share (x100) of their documents that use them


def term_scores(glossaries: Sequence[object], srcs: Sequence[str | None],
                hyps: Sequence[str]) -> TermScores:
    """Term accuracy and per-name consistency of ``hyps``, as defined once in `mt.glossary.stats`.

    ``glossaries`` are merged (later ones win); a document without a source has no mentions.
    """
    from mt.glossary.stats import TermFigures, document_terms

    glossary = glossaries[0] if len(glossaries) == 1 else _merged(glossaries)
    figures = TermFigures()
    for src, hyp in zip(srcs, hyps):
        figures.add(document_terms(glossary, src or "", hyp))
    return TermScores(figures.per_document, figures.mentions, figures.found, figures.by_target(),
                      figures.accuracy, figures.consistency)


def _merged(glossaries: Sequence[object]):
    merged = glossaries[0]
    for g in glossaries[1:]:
        merged = merged.merge(g)
    return merged


# --------------------------------------------------------------------------- COMET


def find_comet_model(model: str) -> tuple[Path | None, str | None]:
    """Locate a COMET checkpoint without downloading: ``(checkpoint, None)`` or ``(None, reason)``."""
    if importlib.util.find_spec("comet") is None:
        return None, "unbabel-comet is not installed (pip install unbabel-comet)"
    path = Path(model).expanduser()
    if path.is_file():
        return path, None
    if path.is_dir():
        ckpt = path / "checkpoints" / "model.ckpt"
        return (ckpt, None) if ckpt.is_file() else (None, f"no checkpoints/model.ckpt in {path}")
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(model, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means "not available locally"
        return None, f"COMET model {model!r} is not in the local Hugging Face cache (never downloaded)"
    ckpt = folder / "checkpoints" / "model.ckpt"
    return (ckpt, None) if ckpt.is_file() else (None, f"no checkpoints/model.ckpt in cached {model!r}")


def comet_scores(checkpoint: Path, srcs: Sequence[str], hyps: Sequence[str],
                 refs: Sequence[str], batch_size: int = 8) -> tuple[list[float], float]:
    """Per-document and system COMET (x100) with a local checkpoint."""
    from comet import load_from_checkpoint  # type: ignore[import-not-found]

    model = load_from_checkpoint(str(checkpoint))
    data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(srcs, hyps, refs)]
    gpus = 1 if _cuda_available() else 0
    out = model.predict(data, batch_size=batch_size, gpus=gpus, progress_bar=False)
    return [100 * s for s in out.scores], 100 * out.system_score


def _cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001
        return False


# --------------------------------------------------------------------------- bootstrap


@dataclass
class MetricComparison:
    """One metric of a paired bootstrap comparison of ``system`` against ``baseline``."""

    baseline: float
    system: float
    delta: float  # system - baseline, on the full test set
    ci95: tuple[float, float]  # 95% interval of the resampled deltas
    p_value: float
    baseline_mean: float
    baseline_ci: float  # half-width, as sacrebleu prints "mean (± ci)"
    system_mean: float
    system_ci: float

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form, rounded to four decimals."""
        r = lambda x: round(float(x), 4)  # noqa: E731
        return {"baseline": r(self.baseline), "system": r(self.system), "delta": r(self.delta),
                "ci95": [r(self.ci95[0]), r(self.ci95[1])], "p_value": r(self.p_value),
                "baseline_mean": r(self.baseline_mean), "baseline_ci": r(self.baseline_ci),
                "system_mean": r(self.system_mean), "system_ci": r(self.system_ci)}


@contextmanager
def _sacrebleu_seed(seed: int | None) -> Iterator[None]:
    """Temporarily set ``SACREBLEU_SEED`` (sacrebleu reads its seed from there)."""
    old = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = "None" if seed is None else str(seed)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = old


def bootstrap_indices(n_items: int, n_samples: int, seed: int | None) -> np.ndarray:
    """The resample indices sacrebleu's paired bootstrap draws (same RNG, same call)."""
    rng = np.random.default_rng(seed if seed else None)  # sacrebleu's PairedTest: 0 and None draw fresh entropy
    return rng.choice(n_items, size=(n_samples, n_items), replace=True)


def _interval(values: np.ndarray) -> tuple[float, float]:
    """95% interval with sacrebleu's index convention (``n // 40`` from each end)."""
    values = np.sort(values)
    low = len(values) // 40
    return float(values[low]), float(values[len(values) - low - 1])


def _half_width(values: np.ndarray) -> tuple[float, float]:
    low, high = _interval(values)
    return float(values.mean()), 0.5 * (high - low)


def _compare_stats(bl_stats: np.ndarray, sys_stats: np.ndarray, idxs: np.ndarray,
                   score: Callable[[np.ndarray], float]) -> MetricComparison:
    """Paired bootstrap on per-item statistics, mirroring ``sacrebleu.significance``."""
    bl_full, sys_full = score(bl_stats.sum(0)), score(sys_stats.sum(0))
    scores_bl = np.array([score(s.sum(0)) for s in bl_stats[idxs]])
    scores_sys = np.array([score(s.sum(0)) for s in sys_stats[idxs]])
    sample_diffs = np.abs(scores_sys - scores_bl)
    p = _compute_p_value(sample_diffs - sample_diffs.mean(), abs(sys_full - bl_full))
    bl_mean, bl_ci = _half_width(scores_bl)
    sys_mean, sys_ci = _half_width(scores_sys)
    return MetricComparison(bl_full, sys_full, sys_full - bl_full, _interval(scores_sys - scores_bl),
                            p, bl_mean, bl_ci, sys_mean, sys_ci)


def paired_bootstrap_sacrebleu(name: str, baseline: Sequence[str], system: Sequence[str],
                               refs: Sequence[str], n_samples: int = DEFAULT_BOOTSTRAP_SAMPLES,
                               seed: int | None = DEFAULT_SEED, baseline_stats: Sequence | None = None,
                               system_stats: Sequence | None = None) -> tuple[MetricComparison, str]:
    """Compare two systems on one sacrebleu metric; returns the result and its signature.

    Scores, p-value and per-system ``mean ± ci`` come from ``sacrebleu.significance.
    PairedTest(test_type="bs")``; the 95% interval of the difference is computed on
    the same resamples (same seed, same index draw) from sacrebleu's own statistics
    (pass ``baseline_stats``/``system_stats`` from :func:`sacrebleu_scores` to
    avoid extracting them again; TER extraction is slow).
    """
    bl, sy, rf = ([one_line(t) for t in texts] for texts in (baseline, system, refs))
    with _sacrebleu_seed(seed):
        test = PairedTest([("baseline", bl), ("system", sy)], {name: make_sacrebleu_metric(name)},
                          references=[rf], test_type="bs", n_samples=n_samples)
        signatures, results = test()
    key = next(k for k in results if k != "System")
    bl_res, sys_res = results[key]
    metric = make_sacrebleu_metric(name)
    if baseline_stats is None:
        baseline_stats = metric._extract_corpus_statistics(bl, [rf])
    if system_stats is None:
        system_stats = metric._extract_corpus_statistics(sy, [rf])
    bl_stats = np.array(baseline_stats, dtype="float32")
    sys_stats = np.array(system_stats, dtype="float32")
    mine = _compare_stats(bl_stats, sys_stats, bootstrap_indices(len(bl), n_samples, seed),
                          lambda s: metric._compute_score_from_stats(s).score)
    comparison = MetricComparison(
        bl_res.score, sys_res.score, sys_res.score - bl_res.score, mine.ci95, sys_res.p_value,
        bl_res.mean, bl_res.ci, sys_res.mean, sys_res.ci)
    return comparison, str(signatures[key])


def paired_bootstrap_ratio(baseline: Sequence[tuple[float, float]], system: Sequence[tuple[float, float]],
                           n_samples: int = DEFAULT_BOOTSTRAP_SAMPLES,
                           seed: int | None = DEFAULT_SEED) -> MetricComparison:
    """Paired bootstrap for scores that are a ratio of per-document sums.

    Each document contributes ``(numerator, denominator)``: ``(score, 1)`` for a
    document average (ROUGE, COMET), ``(100 * found, mentions)`` for micro term
    accuracy. Same resamples and p-value formula as sacrebleu's paired bootstrap.
    """
    bl = np.array(baseline, dtype="float64").reshape(-1, 2)
    sy = np.array(system, dtype="float64").reshape(-1, 2)
    idxs = bootstrap_indices(len(bl), n_samples, seed)
    return _compare_stats(bl, sy, idxs, lambda s: float(s[0] / s[1]) if s[1] else 0.0)
