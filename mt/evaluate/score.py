"""Score translations or briefs against references: ``evaluate(EvaluateOptions) -> Report``.

Inputs are loaded and paired by :mod:`mt.evaluate.inputs` (text files, folders
by stem, JSONL/CSV/Parquet/saved datasets); metrics come from :mod:`mt.evaluate.metrics`.
Position-paired inputs of different lengths raise :class:`EvaluateError`;
id-paired inputs score the matched pairs and list the rest as ``missing``/``extra``
(``Report.exit_code`` is then 1 unless ``allow_missing``). Several hypotheses
are compared with the first by paired bootstrap resampling.
"""
from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from mt.evaluate import metrics as M
from mt.evaluate.inputs import EvaluateError, Pairs, extract_summary, load_input, pair, sources

__all__ = ["EvaluateError", "EvaluateOptions", "Pairs", "Report", "SystemReport", "evaluate", "extract_summary"]

DEFAULT_METRICS = ("bleu", "chrf", "ter", "rouge", "terms", "comet")
LABELS = {"bleu": "BLEU", "chrf": "chrF2", "ter": "TER", "rouge1": "ROUGE-1", "rouge2": "ROUGE-2",
          "rougeL": "ROUGE-L", "rougeLsum": "ROUGE-Lsum", "term_accuracy": "Term accuracy",
          "term_consistency": "Term consistency", "comet": "COMET"}
SIGNATURE_OF = {"rouge1": "rouge", "rouge2": "rouge", "rougeL": "rouge", "rougeLsum": "rouge",
                "term_accuracy": "terms", "term_consistency": "terms"}


@dataclass(frozen=True)
class EvaluateOptions:
    """What to score and how; the CLI maps its flags one to one onto these fields."""

    hyps: tuple[Path, ...]
    ref: Path
    src: Path | None = None
    metrics: tuple[str, ...] | None = None  # None: every metric that applies
    glossaries: tuple[Path, ...] = ()
    lang: str = "auto"  # ROUGE tokenisation: en | uk | auto (Cyrillic share of the references)
    allow_missing: bool = False
    hyp_column: str | None = None
    ref_column: str | None = None
    src_column: str | None = None
    id_column: str | None = None
    comet_model: str = M.DEFAULT_COMET_MODEL
    bootstrap_samples: int = M.DEFAULT_BOOTSTRAP_SAMPLES
    seed: int = M.DEFAULT_SEED


@dataclass
class SystemReport:
    """Scores of one hypothesis input."""

    name: str
    path: str
    corpus: dict[str, float | None]
    documents: list[dict[str, object]]
    pairs: Pairs
    terms: dict[str, object] | None = None
    texts: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)  # id -> (hyp, ref)
    stats: dict[str, dict[str, list]] = field(default_factory=dict, repr=False)  # metric -> id -> sacrebleu stats


@dataclass
class Report:
    """Everything `evaluate` found; ``to_dict()`` is the ``--json`` output."""

    systems: list[SystemReport]
    ref: str
    src: str | None
    lang: str
    unit: str  # line | document | row
    signatures: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    comparison: dict[str, object] | None = None
    allow_missing: bool = False

    @property
    def corpus(self) -> dict[str, float | None]:
        """Corpus scores of the first (baseline) system."""
        return self.systems[0].corpus

    @property
    def documents(self) -> list[dict[str, object]]:
        """Per-document scores of the first system."""
        return self.systems[0].documents

    @property
    def pairs(self) -> Pairs:
        """Pairing of the first system."""
        return self.systems[0].pairs

    @property
    def exit_code(self) -> int:
        """1 when some pairs are missing or extra and ``allow_missing`` is off, else 0."""
        unpaired = any(s.pairs.missing or s.pairs.extra for s in self.systems)
        return 1 if unpaired and not self.allow_missing else 0

    def to_dict(self) -> dict[str, object]:
        """The JSON report; scores rounded to 4 decimals."""
        first = self.systems[0]
        out: dict[str, object] = {
            "corpus": _rounded(first.corpus), "signatures": dict(self.signatures),
            "documents": [_rounded(d) for d in first.documents], "pairs": first.pairs.to_dict(),
            "skipped": dict(self.skipped), "warnings": list(self.warnings), "lang": self.lang,
            "unit": self.unit, "hyp": first.path, "ref": self.ref, "src": self.src}
        if first.terms is not None:
            out["terms"] = first.terms
        if len(self.systems) > 1:
            out["systems"] = [{"name": s.name, "hyp": s.path, "corpus": _rounded(s.corpus),
                               "documents": [_rounded(d) for d in s.documents], "pairs": s.pairs.to_dict(),
                               **({"terms": s.terms} if s.terms is not None else {})} for s in self.systems]
            out["comparison"] = self.comparison
        return out


def _round(value: float | int | None) -> float | int | None:
    return round(value, 4) if isinstance(value, float) else value


def _rounded(values: dict) -> dict:
    return {k: _round(v) for k, v in values.items()}


# --------------------------------------------------------------------------- scoring


def evaluate(options: EvaluateOptions) -> Report:
    """Load the inputs, score every hypothesis, and compare systems when there are several."""
    if not options.hyps:
        raise EvaluateError("no hypothesis given")
    requested = options.metrics or DEFAULT_METRICS
    unknown = [m for m in requested if m not in M.ALL_METRICS]
    if unknown:
        raise EvaluateError(f"unknown metric(s) {', '.join(unknown)} (choose from {', '.join(M.ALL_METRICS)})")
    if options.lang not in ("auto", "en", "uk"):
        raise EvaluateError(f"unknown language {options.lang!r} (en, uk or auto)")
    ref = load_input(options.ref, "ref", options.ref_column, options.id_column)
    summaries = ref.kind == "folder" and any(ref.path.rglob("*.summary.en.txt"))
    src = load_input(options.src, "src", options.src_column, options.id_column) if options.src else None
    lang = M.detect_lang(ref.texts) if options.lang == "auto" else options.lang
    report = Report([], str(options.ref), str(options.src) if options.src else None, lang,
                    {"lines": "line", "folder": "document"}.get(ref.kind, "row"),
                    warnings=ref.warnings + (src.warnings if src else []), allow_missing=options.allow_missing)
    context = _Context(options, requested, report)
    for name, path in zip(_system_names(options.hyps), options.hyps):
        hyp = load_input(path, "hyp", options.hyp_column, options.id_column, summaries)
        report.warnings.extend(hyp.warnings)
        ids, hyps, refs, pairs = pair(hyp, ref)
        if not ids:
            raise EvaluateError(f"no pairs to score: none of the ids of {hyp.path} are in {ref.path}")
        for label, items in (("missing from the hypothesis", pairs.missing), ("not in the reference", pairs.extra)):
            if items:
                report.warnings.append(f"{name}: {len(items)} id(s) {label}: {', '.join(items[:10])}"
                                       + (" ..." if len(items) > 10 else ""))
        srcs = sources(src, ref, ids, report.warnings)
        report.systems.append(context.score(name, str(path), ids, hyps, refs, srcs, pairs))
    if len(report.systems) > 1:
        report.comparison = compare_systems(report, options)
    return report


def _system_names(paths: Sequence[Path]) -> list[str]:
    names = [Path(p).name or str(p) for p in paths]
    return [f"{i}:{n}" for i, n in enumerate(names, 1)] if len(set(names)) < len(names) else names


@dataclass
class _Context:
    """Scoring state shared by the systems of one report (loaded glossaries, COMET model)."""

    options: EvaluateOptions
    requested: Sequence[str]
    report: Report
    _glossaries: list[object] | None = None

    def score(self, name: str, path: str, ids: list[str], hyps: list[str], refs: list[str],
              srcs: list[str | None], pairs: Pairs) -> SystemReport:
        """Corpus and per-document scores of one system."""
        report, docs = self.report, [{"id": i} for i in ids]
        system = SystemReport(name, path, {}, docs, pairs, texts=dict(zip(ids, zip(hyps, refs))))
        for metric in M.SACREBLEU_METRICS:
            if metric in self.requested:
                scores = M.sacrebleu_scores(metric, hyps, refs)
                system.corpus[metric], report.signatures[metric] = scores.corpus, scores.signature
                if metric == "bleu":
                    report.signatures["bleu_document"] = scores.segment_signature
                for doc, value in zip(docs, scores.segments):
                    doc[metric] = value
                system.stats[metric] = dict(zip(ids, scores.stats))
        if "rouge" in self.requested:
            rouge = M.RougeMetric(report.lang)
            report.signatures["rouge"] = rouge.signature
            for doc, hyp, ref in zip(docs, hyps, refs):
                doc.update(rouge.score(hyp, ref))
            for key in M.ROUGE_TYPES:
                system.corpus[key] = sum(d[key] for d in docs) / len(docs)
        if "terms" in self.requested:
            self._terms(system, srcs, hyps)
        if "comet" in self.requested:
            self._comet(system, srcs, hyps, refs)
        return system

    def _terms(self, system: SystemReport, srcs: list[str | None], hyps: list[str]) -> None:
        explicit = bool(self.options.metrics)
        if not self.options.glossaries or all(s is None for s in srcs):
            if explicit:
                self.report.skipped["terms"] = "term accuracy needs --glossary and --src"
            return
        if self._glossaries is None:
            from mt.glossary import load_glossary  # noqa: PLC0415 - only with --glossary
            from mt.glossary.format import GlossaryError

            try:  # several files merge, later ones overriding earlier spellings
                self._glossaries = [load_glossary([Path(g) for g in self.options.glossaries])]
            except GlossaryError as exc:
                raise EvaluateError(f"glossary: {exc}") from exc
            names = ",".join(Path(g).name for g in self.options.glossaries)
            self.report.signatures["terms"] = (f"glossary:{names}|match:case-whole-word|"
                                               "count:presence|acc:micro|consistency:mean-over-targets-no-variants")
        scores = M.term_scores(self._glossaries, srcs, hyps)
        system.corpus["term_accuracy"] = scores.accuracy
        system.corpus["term_consistency"] = scores.consistency
        for doc, (found, mentions) in zip(system.documents, scores.documents):
            doc.update(term_accuracy=100 * found / mentions if mentions else None,
                       terms_found=found, term_mentions=mentions)
        system.terms = {"mentions": scores.mentions, "found": scores.found,
                        "accuracy": _round(scores.accuracy), "consistency": _round(scores.consistency),
                        "by_target": {t: {k: _round(v) for k, v in row.items()}
                                      for t, row in scores.by_target.items()}}

    def _comet(self, system: SystemReport, srcs: list[str | None], hyps: list[str], refs: list[str]) -> None:
        if "comet" in self.report.skipped:
            return
        checkpoint, reason = M.find_comet_model(self.options.comet_model)
        if checkpoint is None:
            self.report.skipped["comet"] = reason or "unavailable"
            return
        if any(s is None for s in srcs):
            self.report.skipped["comet"] = "COMET needs the source of every document (--src)"
            return
        per_doc, system_score = M.comet_scores(checkpoint, [s or "" for s in srcs], hyps, refs)
        system.corpus["comet"] = system_score
        for doc, value in zip(system.documents, per_doc):
            doc["comet"] = value
        version = importlib.metadata.version("unbabel-comet")
        self.report.signatures["comet"] = f"model:{self.options.comet_model}|unbabel-comet:{version}|agg:mean"


def compare_systems(report: Report, options: EvaluateOptions) -> dict[str, object]:
    """Paired bootstrap of every system against the first, on the ids all of them share."""
    base = report.systems[0]
    result: dict[str, object] = {
        "method": "paired bootstrap resampling (sacrebleu.significance.PairedTest, test_type='bs')",
        "baseline": base.name, "n_samples": options.bootstrap_samples, "seed": options.seed,
        "delta": "system - baseline; ci95 is the 2.5-97.5% range of the resampled deltas",
        "signatures": {}, "systems": {}}
    for system in report.systems[1:]:
        ids = [i for i in base.texts if i in system.texts]
        if len(ids) < max(len(base.texts), len(system.texts)):
            report.warnings.append(f"comparison {system.name} vs {base.name} uses the {len(ids)} shared ids")
        bl_docs = {d["id"]: d for d in base.documents}
        sys_docs = {d["id"]: d for d in system.documents}
        refs = [base.texts[i][1] for i in ids]
        metrics: dict[str, object] = {}
        for key in base.corpus:
            if base.corpus[key] is None or system.corpus.get(key) is None or key == "term_consistency":
                continue
            if key in M.SACREBLEU_METRICS:
                cmp, signature = M.paired_bootstrap_sacrebleu(
                    key, [base.texts[i][0] for i in ids], [system.texts[i][0] for i in ids], refs,
                    options.bootstrap_samples, options.seed, [base.stats[key][i] for i in ids],
                    [system.stats[key][i] for i in ids])
                result["signatures"][key] = signature
            else:
                stat = _ratio_stats(key)
                cmp = M.paired_bootstrap_ratio([stat(bl_docs[i]) for i in ids], [stat(sys_docs[i]) for i in ids],
                                               options.bootstrap_samples, options.seed)
            entry = cmp.to_dict()
            better = cmp.delta < 0 if key in M.LOWER_IS_BETTER else cmp.delta > 0
            entry["winner"] = (system.name if better else base.name) if cmp.p_value < 0.05 and cmp.delta else None
            metrics[key] = entry
        result["systems"][system.name] = {"n_items": len(ids), "metrics": metrics}
    return result


def _ratio_stats(key: str):
    if key == "term_accuracy":
        return lambda d: (100.0 * d["terms_found"], float(d["term_mentions"]))
    return lambda d: (float(d[key]), 1.0)


# --------------------------------------------------------------------------- rendering


