"""Stage runners after translation: `mt summarize` and `mt brief`.

Both mirror `mt.translate.translate_corpus`: a `RunLock` on OUT, one manifest
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

import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from mt import __version__
from mt.glossary import glossary_or_files
from mt.inputs.document import Failed
from mt.inputs.english import EnglishDoc, count_english, iter_english
from mt.models.fetch import model_version, preflight
from mt.models.resolution import resolve
from mt.outputs.files import OutputError, atomic_write_text, output_path, sweep_temporaries
from mt.outputs.layout import SUMMARY_DEMO_LABEL, SUMMARY_SUFFIX
from mt.outputs.manifest import Manifest, Record, RunLock, options_key
from mt.outputs.progress import Progress
from mt.outputs.remote import attach, remote_of, shown
from mt.summarizer import ALGORITHM, SummarizeOptions, Summarizer
from mt.translate import RunSummary

SUMMARIZE = "summarize"
VERSION = __version__.split(".")[0]


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


# ---------------------------------------------------------------- the summarize stage

def summarize_key(options: SummarizeOptions, spec, glossary) -> str:
    engine = options.engine
    return options_key(stage=SUMMARIZE, model=spec.label, revision=model_version(spec), engine=engine.engine,
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

    def target(self, doc: EnglishDoc | Failed, force: bool = False) -> Path | None:
        """The summary file `doc` still needs; None when it needs none (unreadable, unwritable, or done
        before). Records nothing: `handle` does."""
        if isinstance(doc, Failed):
            return None
        try:
            target = output_path(self.out, doc.rel, SUMMARY_SUFFIX)
        except OutputError:
            return None
        return None if not force and self.manifest.done(doc.id, SUMMARIZE, doc.hash, self.key, target) else target

    def handle_all(self, docs: Iterable[EnglishDoc | Failed], force: bool = False, ray=None) -> None:
        """`handle` each document in order; with `ray` (a `mt.distributed.RayOptions`) Ray actors make the
        summaries, and they are recorded here in the same order."""
        if ray is None:
            for doc in docs:
                self.handle(doc, force)
            return
        from mt.distributed import summarize_outcomes

        docs = list(docs)
        outcomes = summarize_outcomes(self, docs, force, ray)
        for doc in docs:
            self.handle(doc, force, next(outcomes) if self.target(doc, force) is not None else None)
        store = remote_of(self.out)
        if store is not None:  # the summaries the actors uploaded, for the briefs made here
            store.pull(during_run=True)

    def handle(self, doc: EnglishDoc | Failed, force: bool = False, outcome=None) -> None:
        """Summarize one document and record it; `outcome`: its (result, error, engine) made elsewhere."""
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
        if outcome is None:
            result, error = summarize_one(self.summarizer, self.spec.is_demo, doc, target)
        else:
            result, error, self.run.engine = outcome
        extra = {"input": doc.input}
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
        record = Record(id=doc_id, stage=SUMMARIZE, source=source, output=str(output) if output else None,
                        status="error" if error else "ok", error=error, model=self.spec.label,
                        engine=self.run.engine or self.options.engine.engine, demo=self.spec.is_demo,
                        hash=content_hash_, key=self.key,
                        extra={"max_words": self.options.max_words, "min_words": self.options.min_words, **extra})
        if "seconds" in extra:
            record.seconds = record.extra.pop("seconds")
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


def summarize_one(summarizer: Summarizer, demo: bool, doc: EnglishDoc, target: Path):
    """Summarize one document and write its summary file: (result, None) or (None, error)."""
    try:
        result = summarizer.summarize(doc.paragraphs)
        if not result.text.strip() and "".join(doc.paragraphs).strip():  # never recorded as `ok`
            raise OutputError("empty summary: the model produced no text for a document with English text")
        label = f"{SUMMARY_DEMO_LABEL}\n" if demo else ""
        atomic_write_text(target, f"{label}{result.text}\n")
    except OutputError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad document never stops the run
        return None, f"summarization failed: {type(exc).__name__}: {exc}"
    return result, None


def summarize_corpus(paths: Iterable[str | Path], out: str | Path, options: SummarizeOptions | None = None, *,
                     force: bool = False, wait: float = 0.0, progress: Progress | None = None,
                     summarizer: Summarizer | None = None,
                     notify: Callable[[str], None] | None = None, ray=None) -> StageSummary:
    """Summarize every English document under `paths` into `out` (``<rel>.summary.en.txt``).

    `ray` (a `mt.distributed.RayOptions`): the summaries are made by Ray actors; same OUT and manifest.
    """
    options = options or SummarizeOptions()
    out = attach(out)  # a bucket URL: its local mirror (mt.outputs.remote)
    progress = progress or Progress(quiet=True, desc=SUMMARIZE)
    started = time.perf_counter()
    run = StageSummary(out=shown(out), stage=SUMMARIZE)
    if summarizer is None:  # the model is here (or downloaded now) before any work, so its commit is known
        preflight([(options.engine, "summarize")], notify=notify)
    with RunLock(out, wait=wait), closing(progress):
        sweep_temporaries(out)
        stage = SummarizeStage(out, options, Manifest(out), run, progress, summarizer, notify)
        progress.start(count_english(paths))
        stage.handle_all(progress.documents(iter_english(paths)), force, ray)
    run.terms = stage.term_figures()
    run.seconds = time.perf_counter() - started
    return run


# ---------------------------------------------------------------- mt brief


