"""Stage runners after translation: `mt summarize` and `mt brief`.

Both mirror `mt.pipeline.translate_corpus`: a `RunLock` on OUT, one manifest
line per document and stage, resume by content hash + options key (a rerun
skips each stage whose inputs and options are unchanged), per-document error
isolation and atomic writes.

``summarize_corpus(paths, out, options)`` reads English files (``.en.txt``
written by ``mt translate``, or any English ``.txt``/``.md``) and writes
``OUT/<rel>.summary.en.txt`` (stage ``summarize``).

``brief_corpus(paths, out, mt_options, sum_options)`` runs translate, then
summarize (from the ``OUT/<rel>.en.json`` records this run translated), then
brief (``OUT/<rel>.brief.md`` + ``.brief.json``), then the digest
``OUT/briefs.md``; with ``references`` it scores the summaries and appends
the scores to the digest.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mt import __version__
from mt.brief import FORMAT, SUMMARY_DEMO_LABEL, build_brief, strip_demo_label, write_brief
from mt.corpus import CorpusError, CorpusOptions, Failed, content_hash, decode_bytes, parse_text, safe_rel
from mt.engines import EngineOptions
from mt.glossary import glossary_or_files
from mt.manifest import Manifest, RunLock, options_key
from mt.models import resolve
from mt.outputs import DEMO_LABEL
from mt.pipeline import RunSummary, translate_corpus
from mt.progress import Progress
from mt.summarize import ALGORITHM, SummarizeOptions, Summarizer
from mt.translate import TranslateOptions, Translator
from mt.write import OutputError, atomic_write_text, output_path, sweep_temporaries

SUMMARIZE, BRIEF = "summarize", "brief"
SUMMARY_SUFFIX = ".summary.en.txt"
ENGLISH_SUFFIXES = (".txt", ".md", ".markdown")
NOT_INPUTS = (SUMMARY_SUFFIX, ".brief.md", ".brief.json", ".en.json")  # mt's own outputs, never summarized
NOT_INPUT_NAMES = {"briefs.md", "manifest.jsonl"}
VERSION = __version__.split(".")[0]


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


@dataclass
class StageSummary(RunSummary):
    """A summarize or brief stage run; `as_dict()` is its `--json` form."""

    chunks: int = 0
    rounds: int = 0
    retries: int = 0
    words: int = 0

    def as_dict(self) -> dict:
        data = super().as_dict()
        data.pop("sentences")
        if self.stage == SUMMARIZE:
            data.update(chunks=self.chunks, rounds=self.rounds, retries=self.retries, words=self.words)
        return data


# ---------------------------------------------------------------- reading English input

def english_stem(name: str) -> str:
    return name[: -len(".en.txt")] if name.endswith(".en.txt") else Path(name).stem


def iter_english(paths: Iterable[str | Path]) -> Iterator[EnglishDoc | Failed]:
    """English documents under `paths` (files, or folders recursively); mt's own outputs are skipped."""
    used: dict[str, int] = {}
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            yield Failed(id=str(root), source=str(root), error="no such file or folder")
            continue
        for path, parts in ([(root, [english_stem(root.name)])] if root.is_file() else _walk(root)):
            rel = safe_rel(parts)
            used[rel] = used.get(rel, 0) + 1
            if used[rel] > 1:
                rel = f"{rel}~{used[rel]}"
            yield read_english(path, rel)


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder).relative_to(root).parts
        for name in sorted(files):
            if (name.startswith(".") or name in NOT_INPUT_NAMES or name.endswith(NOT_INPUTS)
                    or not name.lower().endswith(ENGLISH_SUFFIXES)):
                continue
            yield Path(folder) / name, [*here, english_stem(name)]


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


# ---------------------------------------------------------------- the summarize stage

def summarize_key(options: SummarizeOptions, spec, glossary) -> str:
    engine = options.engine
    return options_key(stage=SUMMARIZE, model=spec.label, revision=spec.revision, engine=engine.engine,
                       beams=engine.beams, budget=engine.max_input_tokens, max_words=options.max_words,
                       min_words=options.min_words, tokens_per_word=options.tokens_per_word,
                       guard=options.repetition_guard, rounds=options.max_rounds,
                       glossary=glossary.fingerprint() if glossary else None, version=VERSION,
                       algorithm=ALGORITHM)


class SummarizeStage:
    """Summarize documents one at a time into OUT, recording each in the manifest."""

    def __init__(self, out: Path, options: SummarizeOptions, manifest: Manifest, run: StageSummary,
                 progress: Progress, summarizer: Summarizer | None = None, notify=None):
        self.out, self.options, self.manifest, self.run = out, options, manifest, run
        self.progress, self.notify = progress, notify
        self._summarizer = summarizer
        self.spec = summarizer.engine.spec if summarizer else resolve(
            options.engine.model, task="summarize", revision=options.engine.revision)
        self.glossary = summarizer.glossary if summarizer else glossary_or_files(None, options.glossaries)
        self.key = summarize_key(options, self.spec, self.glossary)
        self.totals = {"replacements": 0, "present": 0, "mentioned": 0, "kept": 0}
        run.model, run.demo = self.spec.label, self.spec.is_demo

    @property
    def summarizer(self) -> Summarizer:  # loaded on the first document that needs work
        if self._summarizer is None:
            self._summarizer = Summarizer(self.options, glossary=self.glossary, notify=self.notify)
        self.run.engine = self._summarizer.engine.name
        return self._summarizer

    def handle(self, doc: EnglishDoc | Failed, force: bool = False) -> None:
        if isinstance(doc, Failed):
            self._record(doc.id, doc.source, None, doc.hash, {}, doc.error)
            return
        try:
            target = output_path(self.out, doc.rel, SUMMARY_SUFFIX)
        except OutputError as exc:
            self._record(doc.id, doc.source, None, doc.hash, {}, str(exc))
            return
        if not force and self.manifest.done(doc.id, SUMMARIZE, doc.hash, self.key, target):
            self.run.skipped += 1
            self.manifest.append({**self.manifest.get(doc.id, SUMMARIZE), "status": "skipped"})
            self.progress.done(doc.id, "skipped")
            return
        summarizer = self.summarizer
        error, extra = None, {"input": doc.input}
        try:
            result = summarizer.summarize(doc.paragraphs)
            label = f"{SUMMARY_DEMO_LABEL}\n" if self.spec.is_demo else ""
            atomic_write_text(target, f"{label}{result.text}\n")
        except OutputError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad document never stops the run
            error = f"summarization failed: {type(exc).__name__}: {exc}"
        if error is None:
            extra.update(chunks=result.chunks, rounds=result.rounds, retries=result.retries,
                         degenerate=result.degenerate, input_tokens=result.input_tokens, words=result.words,
                         seconds=round(result.seconds, 3), glossary=self._terms(result, doc.terms))
            self.run.chunks += result.chunks
            self.run.rounds += result.rounds
            self.run.retries += result.retries
            self.run.words += result.words
        self._record(doc.id, doc.source, target.relative_to(self.out.resolve()) if not error else None,
                     doc.hash, extra, error)

    def _terms(self, result, source_terms: list[dict]) -> dict:
        figures = {"replacements": len(result.replacements), "changes": [list(c) for c in result.replacements],
                   "targets": result.targets, "present": len(result.targets)}
        if self.glossary is not None and source_terms:
            mentioned = sorted({t["target"] for t in source_terms if t.get("target")})
            kept = [t for t in mentioned if t in result.targets]
            figures.update(mentioned=len(mentioned), kept=len(kept),
                           lost=[t for t in mentioned if t not in result.targets])
        for name in self.totals:
            self.totals[name] += figures.get(name, 0)
        return figures

    def _record(self, doc_id, source, output, content_hash_, extra: dict, error: str | None) -> None:
        record = {"id": doc_id, "stage": SUMMARIZE, "source": source, "output": str(output) if output else None,
                  "status": "error" if error else "ok", "error": error, "model": self.spec.label,
                  "engine": self.run.engine or self.options.engine.engine, "demo": self.spec.is_demo,
                  "seconds": 0.0, "hash": content_hash_, "key": self.key, "max_words": self.options.max_words,
                  "min_words": self.options.min_words, **extra}
        self.manifest.append(record)
        if error:
            self.run.failed.append({"id": doc_id, "source": source, "stage": SUMMARIZE, "error": error})
            self.progress.done(doc_id, "error", error)
        else:
            self.run.ok += 1
            self.progress.done(doc_id, "ok")

    def term_figures(self) -> dict:
        if self.glossary is None:
            return {}
        figures = dict(self.totals)
        figures["coverage"] = round(figures["kept"] / figures["mentioned"], 4) if figures["mentioned"] else None
        return figures


def summarize_corpus(paths: Iterable[str | Path], out: str | Path, options: SummarizeOptions | None = None, *,
                     force: bool = False, wait: float = 0.0, progress: Progress | None = None,
                     summarizer: Summarizer | None = None,
                     notify: Callable[[str], None] | None = None) -> StageSummary:
    """Summarize every English document under `paths` into `out` (``<rel>.summary.en.txt``)."""
    options = options or SummarizeOptions()
    out = Path(out)
    progress = progress or Progress(quiet=True, desc=SUMMARIZE)
    started = time.perf_counter()
    run = StageSummary(out=str(out), stage=SUMMARIZE)
    with RunLock(out, wait=wait):
        sweep_temporaries(out)
        stage = SummarizeStage(out, options, Manifest(out), run, progress, summarizer, notify)
        for doc in progress.documents(iter_english(paths)):
            stage.handle(doc, force)
    run.terms = stage.term_figures()
    run.seconds = time.perf_counter() - started
    return run


# ---------------------------------------------------------------- mt brief

@dataclass
class BriefRun:
    """What `mt brief` did, stage by stage."""

    out: str
    translate: RunSummary
    summarize: StageSummary
    brief: StageSummary
    digest: str | None = None
    scores: dict | None = None
    scores_error: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict]:
        return ([{**f, "stage": "translate"} for f in self.translate.failed]
                + self.summarize.failed + self.brief.failed)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_dict(self) -> dict:
        stages = {"translate": self.translate.as_dict(), SUMMARIZE: self.summarize.as_dict(),
                  BRIEF: self.brief.as_dict()}
        return {"out": self.out, "briefs": self.brief.ok + self.brief.skipped, "digest": self.digest,
                "failed": self.failed, "demo": self.translate.demo or self.summarize.demo,
                "seconds": round(self.seconds, 2), "stages": stages,
                "glossary": {"translation": self.translate.terms, "summary": self.summarize.terms},
                "scores": self.scores, "scores_error": self.scores_error,
                "manifest": str(Path(self.out) / "manifest.jsonl")}


class _Tracker:
    """A Progress stand-in that remembers which documents translate_corpus finished."""

    def __init__(self, inner: Progress):
        self.inner = inner
        self.finished: list[tuple[str, str]] = []

    def documents(self, items):
        return self.inner.documents(items)

    def done(self, doc_id: str, status: str, error: str | None = None, sentences: int = 0) -> None:
        self.finished.append((doc_id, status))
        self.inner.done(doc_id, status, error, sentences=sentences)

    def note(self, message: str) -> None:
        self.inner.note(message)


def _unavailable(options: EngineOptions, task: str) -> str | None:
    """How to get the model of `options` when it cannot be loaded now, else None.

    Weights are needed, except where CTranslate2 may run (`--engine auto` or
    `ct2`) and an earlier conversion is cached: then the config and tokenizer
    files of a cache snapshot are enough. A reachable Hub provides the rest.
    """
    from mt.models import local_files, unreachable_message

    spec = resolve(options.model, task=task, revision=options.revision)
    message = unreachable_message(spec) if local_files(spec, need_weights=True) is None else None
    if message is None:
        return None
    if options.engine != "hf" and local_files(spec) is not None:
        from mt.engines.ct2_convert import cached_conversion

        if cached_conversion(spec, options.device) is not None:
            return None
    return message


def _preflight(mt_options: TranslateOptions | None, sum_options: SummarizeOptions | None) -> None:
    """Fail before translating when a model `mt brief` needs cannot be loaded: every missing
    model is named at once (None: that model is already loaded)."""
    from mt.models import ModelMissing

    wanted = [(o.engine, task) for o, task in ((mt_options, "translate"), (sum_options, "summarize")) if o]
    messages = [m for m in (_unavailable(engine, task) for engine, task in wanted) if m]
    if messages:
        raise ModelMissing("\n\n".join(messages))


def brief_corpus(paths: Iterable[str | Path], out: str | Path, mt_options: TranslateOptions | None = None,
                 sum_options: SummarizeOptions | None = None, *, corpus: CorpusOptions | None = None,
                 force: bool = False, wait: float = 0.0, progress: Progress | None = None,
                 translator: Translator | None = None, summarizer: Summarizer | None = None,
                 references: str | Path | None = None,
                 notify: Callable[[str], None] | None = None) -> BriefRun:
    """Translate, summarize and brief every document under `paths`, then write the digest."""
    from mt.stages_brief import run_brief_stages

    mt_options = mt_options or TranslateOptions()
    sum_options = sum_options or SummarizeOptions()
    if not sum_options.glossaries and mt_options.glossaries:
        sum_options = replace(sum_options, glossaries=mt_options.glossaries)
    paths = [Path(p) for p in paths]
    out = Path(out)
    progress = progress or Progress(quiet=True)
    started = time.perf_counter()
    _preflight(None if translator else mt_options, None if summarizer else sum_options)
    tracker = _Tracker(progress)
    with RunLock(out, wait=wait):  # held across all stages; translate_corpus re-enters it
        translated = translate_corpus(paths, out, mt_options, corpus=corpus, force=force, wait=wait,
                                      progress=tracker, translator=translator, notify=notify)  # type: ignore[arg-type]
        ids = [doc_id for doc_id, status in tracker.finished if status in {"ok", "skipped"}]
        run = BriefRun(out=str(out), translate=translated, summarize=StageSummary(out=str(out), stage=SUMMARIZE),
                       brief=StageSummary(out=str(out), stage=BRIEF))
        run_brief_stages(run, out, ids, sum_options, force=force, progress=progress, summarizer=summarizer,
                         references=references, notify=notify)
    run.seconds = time.perf_counter() - started
    return run


def brief_key(summary_key: str) -> str:
    return options_key(stage=BRIEF, format=FORMAT, summarize=summary_key, version=VERSION)


def read_detail(out: Path, record: dict) -> tuple[str, Path]:
    """(output stem, detail JSON path) of a translate manifest record."""
    output = record.get("output") or ""
    if output.endswith(".en.txt"):
        rel = output[: -len(".en.txt")]
        return rel, output_path(out, rel, ".en.json")
    return safe_rel(record["id"].replace("#", "/").split("/")), output_path(out, output, "")


def english_from_detail(doc_id: str, rel: str, input_name: str, detail: dict) -> EnglishDoc:
    """The text to summarize from a translation detail record: the English body paragraphs."""
    title = detail.get("title") or {}
    paragraphs = [p.get("en", "") for p in detail.get("paragraphs", []) if p.get("en", "").strip()]
    paragraphs = paragraphs or [title.get("en", "") if isinstance(title, dict) else str(title)]
    terms = detail.get("terms") or []
    blob = json.dumps([paragraphs, sorted(t.get("target", "") for t in terms)], ensure_ascii=False)
    return EnglishDoc(id=doc_id, rel=rel, source=detail.get("source") or input_name, paragraphs=paragraphs,
                      hash=content_hash(blob), input=input_name, terms=terms)


def brief_one(out: Path, doc_id: str, rel: str, detail_bytes: bytes, summary_path: Path, summary_bytes: bytes,
              summary_record: dict) -> tuple[Path, dict]:
    """Build and write one brief from its translation record and summary (as read for the resume hash);
    returns (brief JSON path, brief record)."""
    detail = json.loads(detail_bytes.decode("utf-8"))
    summary = summary_bytes.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads
    summary = strip_demo_label(summary)
    brief = build_brief(detail, summary, summary_model=summary_record.get("model", ""),
                        summary_demo=bool(summary_record.get("demo")), doc_id=doc_id,
                        summary_file=summary_path.relative_to(out.resolve()).as_posix())
    return write_brief(out, rel, brief)[1], brief
