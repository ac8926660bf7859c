"""The batch runner: streaming, resume, per-document error isolation, manifest.

`translate_corpus(paths, out, options)` is the whole `mt translate` job. It
reads documents one at a time, gathers a window of them so sentences from
many documents share length-sorted batches, writes each document's outputs
atomically as soon as its window is done, and appends one manifest line per
document. A document that fails is recorded and the run goes on. While the
engine's workers translate one window, this process writes the window before
it and reads the next (`_overlap`).
"""
from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from mt import __version__
from mt.glossary.stats import TermTotals, term_stats, translation_terms
from mt.inputs.corpus import count_documents, load_corpus
from mt.inputs.document import CorpusOptions, Document, Failed
from mt.inputs.language import skip_reason
from mt.inputs.remote import source_path
from mt.models.fetch import model_version, preflight
from mt.models.resolution import resolve
from mt.outputs import translations as outputs
from mt.outputs.files import OutputError, sweep_temporaries
from mt.outputs.manifest import Manifest, Record, RunLock, options_key
from mt.outputs.progress import Progress
from mt.outputs.remote import attach, shown
from mt.translator import DocResult, TranslateOptions, Translator

STAGE = "translate"


@dataclass
class RunSummary:
    """What a run did; `as_dict()` is the `--json` output."""

    out: str
    stage: str = STAGE
    ok: int = 0
    skipped: int = 0
    failed: list[dict] = field(default_factory=list)
    sentences: int = 0
    seconds: float = 0.0
    model: str = ""
    engine: str = ""
    demo: bool = False
    terms: dict = field(default_factory=dict)
    auto_glossary: list = field(default_factory=list)
    cache_hits: int = 0  # pieces whose engine output came from the translation memory
    not_translated: list[dict] = field(default_factory=list)  # documents in a language not asked for (--languages)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_dict(self) -> dict:
        return {"out": self.out, "stage": self.stage,
                "documents": self.ok + self.skipped + len(self.failed) + len(self.not_translated),
                "ok": self.ok, "skipped": self.skipped, "failed": self.failed,
                "not_translated": self.not_translated, "sentences": self.sentences,
                "seconds": round(self.seconds, 2), "model": self.model, "engine": self.engine, "demo": self.demo,
                "glossary": self.terms, "cache_hits": self.cache_hits,
                "manifest": str(Path(self.out) / "manifest.jsonl")}


def translate_corpus(paths: Iterable[str | Path], out: str | Path, options: TranslateOptions | None = None, *,
                     corpus: CorpusOptions | None = None, force: bool = False, wait: float = 0.0,
                     progress: Progress | None = None, translator: Translator | None = None,  # reuse its engine
                     notify: Callable[[str], None] | None = None, ray=None) -> RunSummary:
    """Translate every document under `paths` into `out`; see the module docstring.

    `ray` (a `mt.distributed.RayOptions`): the same job on a Ray cluster, same OUT and manifest.
    """
    if ray is not None:
        from mt import distributed

        return distributed.translate_corpus(paths, out, options, ray, corpus=corpus, force=force, wait=wait,
                                            progress=progress, notify=notify)
    options, out, paths, corpus, progress = run_arguments(paths, out, options, corpus, progress)
    started = time.perf_counter()
    spec = translator.engine.spec if translator else resolve(options.engine.model, revision=options.engine.revision)
    if translator is None:  # the model is here (or downloaded now) before any work, so its commit is known
        preflight([(options.engine, "translate")], notify=notify)
    glossary, clusters = _glossary(options, paths, corpus, translator)
    key = translate_key(options, spec, corpus, glossary)
    summary = RunSummary(out=shown(out), model=spec.label, demo=spec.is_demo,
                         auto_glossary=[c.as_dict() for c in clusters])
    terms = TermTotals(glossary)
    with RunLock(out, wait=wait), closing(progress):  # the bar spans the last windows too
        sweep_temporaries(out)
        manifest = Manifest(out)
        # a given translator lends its loaded engine; this run's options and glossary apply
        run = _Run(out=out, key=key, options=options, glossary=glossary, clusters=clusters, manifest=manifest,
                   summary=summary, terms=terms, progress=progress, notify=notify,
                   translator=Translator(options, engine=translator.engine, glossary=glossary) if translator else None)

        containers: dict[str, set[str]] = {}  # table -> its documents in this run (rows gone since are dropped)
        window: list[Document] = []
        chars = 0
        in_flight = None  # the window the engine is translating while the next one is read

        progress.start(count_documents(paths, corpus))
        for item in progress.documents(load_corpus(paths, corpus)):
            if item.container:
                containers.setdefault(item.container, set()).add(item.id)
            if isinstance(item, Failed):
                _record_failure(run, item, spec.label)
                continue
            reason = skip_reason(item.language, options.languages)
            if reason:
                _record_language_skip(run, item, reason)
                continue
            target = outputs.primary_output(out, item)
            if not force and manifest.done(item.id, STAGE, item.hash, key, target):
                summary.skipped += 1  # a table row may have moved: its record follows
                manifest.append({**manifest.get(item.id, STAGE), "status": "skipped", "row": item.row})
                progress.done(item.id, "skipped")
                continue
            window.append(item)
            chars += sum(len(p) for p in item.paragraphs)
            if chars >= options.window_chars or len(window) >= options.window_docs:
                in_flight = _overlap(run, in_flight, window)
                window, chars = [], 0
        in_flight = _overlap(run, in_flight, window)
        _overlap(run, in_flight, [])
        for container in sorted(containers):
            try:
                outputs.assemble_table(out, container, manifest, ids=containers[container])
            except OutputError as exc:
                summary.failed.append({"id": container, "source": container, "error": str(exc)})
    if run.translator is not None:
        summary.engine = run.translator.engine.name
    summary.terms = terms.as_dict()
    summary.seconds = time.perf_counter() - started
    return summary


def run_arguments(paths, out, options: TranslateOptions | None, corpus: CorpusOptions | None,
                  progress: Progress | None):
    """A translate run's arguments with their defaults: OUT is never read back as input."""
    out = attach(out)  # a bucket URL: its local mirror (mt.outputs.remote)
    corpus = corpus or CorpusOptions()
    given = shown(out)  # a bucket OUT under an input bucket is not read back either
    skip = (out,) if given == str(out) else (out, given)
    corpus = CorpusOptions(**{**corpus.__dict__, "exclude": (*corpus.exclude, *skip)})
    return (options or TranslateOptions(), out, [source_path(p) for p in paths], corpus,
            progress or Progress(quiet=True))


def translate_text(text: str | Document, options: TranslateOptions | None = None, *,
                   translator: Translator | None = None) -> DocResult:
    """Translate one text in memory (no OUT, no manifest): what ``mt translate -`` prints.

    ``text`` is Ukrainian text (paragraphs one per line) or a parsed `Document`;
    the result's ``paragraphs`` are the English, with the glossary applied.
    """
    from mt.errors import MtError
    from mt.inputs.parse import parse_text

    doc = parse_text(text, id="text", headline=False) if isinstance(text, str) else text
    translator = translator or Translator(options or TranslateOptions())
    result = translator.translate_documents([doc])[0]
    if result.error:
        raise MtError(result.error)
    return result


def translate_key(options: TranslateOptions, spec, corpus: CorpusOptions, glossary) -> str:
    """The translate stage's options key: everything that changes its output (resume compares it)."""
    return options_key(stage=STAGE, model=spec.label, revision=model_version(spec), engine=options.engine.engine,
                       beams=options.engine.beams, budget=options.engine.max_input_tokens, clean=corpus.clean,
                       glossary=glossary.fingerprint() if glossary else None, strict=options.strict_glossary,
                       repair=options.repair, guard=options.repetition_guard, version=__version__.split(".")[0])


def _glossary(options: TranslateOptions, paths, corpus: CorpusOptions, translator: Translator | None):
    """The run's glossary: --glossary files, else the given translator's; plus --auto-glossary."""
    glossary = translator.glossary if translator else None
    if options.glossaries:
        from mt.glossary import load_glossary

        glossary = load_glossary(list(options.glossaries))
    clusters: list = []
    if options.auto_glossary:
        from mt.glossary.draft import auto_glossary

        texts = ((d.id, "\n".join([d.title, *d.paragraphs])) for d in load_corpus(paths, corpus)
                 if isinstance(d, Document))
        auto, clusters = auto_glossary(texts)
        glossary = auto.merge(glossary) if glossary else auto  # the user's glossary wins
    return glossary, clusters


@dataclass
class _Run:
    """The state one translate run shares between its steps."""

    out: Path
    key: str
    options: TranslateOptions
    glossary: object
    clusters: list
    manifest: Manifest
    summary: RunSummary
    terms: TermTotals
    progress: Progress
    notify: Callable[[str], None] | None = None
    translator: Translator | None = None

    def get_translator(self) -> Translator:
        """The run's translator, loaded on the first window that needs work."""
        if self.translator is None:
            self.translator = Translator(self.options, glossary=self.glossary, notify=self.notify)
            self.summary.engine = self.translator.engine.name
        return self.translator


def _overlap(run: _Run, in_flight, window):
    """Hand `window` to the engine, then collect and write the window handed over before it.

    An engine with worker threads (CTranslate2) translates the new window while this process
    enforces the glossary on the last one, writes it and reads the next, so the workers never
    wait. Returns what is now in flight.
    """
    started = None
    if window:
        translator = run.get_translator()
        try:
            started = (window, translator.start_documents(window))
        except Exception:  # noqa: BLE001 - _complete finds the document that breaks
            started = (window, None)
    if in_flight is not None:
        _complete(run, in_flight)
    return started


def _complete(run: _Run, started) -> None:
    """Collect a window's translations; on failure, retry documents one by one to isolate the bad one."""
    window, job = started
    translator = run.get_translator()
    try:
        if job is None:
            raise RuntimeError("the window could not be started")
        results = translator.finish_documents(job)
    except Exception:  # noqa: BLE001 - isolate: find the document that breaks
        results = []
        for doc in window:
            try:
                results.extend(translator.translate_documents([doc]))
            except Exception as exc:  # noqa: BLE001
                results.append(DocResult(doc=doc, error=f"translation failed: {type(exc).__name__}: {exc}"))
    for result in results:
        _finish(run, result, translator)


def _finish(run: _Run, result: DocResult, translator: Translator) -> None:
    manifest, summary, progress = run.manifest, run.summary, run.progress
    doc = result.doc
    record, figures = doc_record(run, result, translator)
    error = record["error"]
    manifest.append(record)
    if error:
        summary.failed.append({"id": doc.id, "source": doc.source, "error": error})
        progress.done(doc.id, "error", error)
        return
    summary.ok += 1
    summary.sentences += result.sentences
    summary.cache_hits += result.cache_hits
    run.terms.add(result, figures)
    progress.done(doc.id, "ok", sentences=result.sentences)


def doc_record(run: _Run, result: DocResult, translator: Translator) -> tuple[dict, object]:
    """Write one translated document's outputs (unless it failed): (its manifest record, its term figures).

    Uses the run's out, key, options, glossary and clusters only; `mt.distributed`'s Ray actors
    call it too, so a cluster run writes and records exactly what this job does.
    """
    out, options, clusters = run.out, run.options, run.clusters
    doc = result.doc
    figures = translation_terms(run.glossary, result) if run.glossary is not None and not result.error else None
    stats = term_stats(result, figures)
    error = result.error
    if not error and options.strict_glossary and stats["missed"]:
        missed = ", ".join(f"{m['text']}→{m['target']}" for m in stats["missed"])
        error = f"glossary terms missed (--strict-glossary): {missed}"
    if not error and not "".join(result.paragraphs).strip() and "".join(doc.paragraphs).strip():
        error = "empty translation: the model produced no English for a document with text"  # never `ok`
    output = None
    if not error:
        try:
            output = outputs.write_translation(out, result, translator, clusters)
        except OutputError as exc:
            error = str(exc)
    record = Record(
        id=doc.id, stage=STAGE, source=doc.source, output=_relative(output, out), status="error" if error else "ok",
        error=error, model=translator.engine.spec.label, engine=translator.engine.name,
        demo=translator.engine.spec.is_demo, seconds=round(result.seconds, 3), hash=doc.hash, key=run.key,
        container=doc.container, row=doc.row, extra={
            "sentences": result.sentences, "pieces": result.pieces, "split_sentences": result.split_sentences,
            "retries": result.retries, "degenerate": result.degenerate, "cache_hits": result.cache_hits,
            "glossary": stats, "dropped": doc.dropped_counts, "paragraphs": len(doc.paragraphs), "date": doc.date,
            "date_source": doc.date_source, "language": doc.language, "page": outputs.doc_page(doc),
            "title_derived": doc.title_derived, "encoding": doc.encoding})
    if clusters:
        record.extra["auto_glossary"] = outputs.clusters_used(clusters, result)
    return record.as_dict(), figures


def _relative(path: Path | None, out: Path) -> str | None:
    return str(path.relative_to(out.resolve())) if path else None


def _record_language_skip(run: _Run, doc: Document, reason: str) -> None:
    """A document in a language the run does not translate: status 'skipped: language ru', no output."""
    status = f"skipped: {reason}"
    run.manifest.append(Record(id=doc.id, stage=STAGE, source=doc.source, status=status, hash=doc.hash,
                               container=doc.container, row=doc.row,
                               extra={"language": doc.language, "date": doc.date, "date_source": doc.date_source,
                                      "page": outputs.doc_page(doc)}))
    run.summary.not_translated.append({"id": doc.id, "source": doc.source, "status": status})
    run.progress.done(doc.id, status)


def _record_failure(run: _Run, item: Failed, model: str) -> None:
    manifest, summary, progress = run.manifest, run.summary, run.progress
    manifest.append(Record(id=item.id, stage=STAGE, source=item.source, status="error", error=item.error,
                           model=model, hash=item.hash, container=item.container, row=item.row))
    summary.failed.append({"id": item.id, "source": item.source, "error": item.error})
    progress.done(item.id, "error", item.error)
