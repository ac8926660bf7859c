"""The `mt brief` job: ``brief_corpus(paths, out, mt_options, sum_options)``.

Translate (``mt.translate.translate_corpus``), then summarize the English of
this run's translation records (``mt.summarize``), then write one brief per
document (``OUT/<rel>.brief.md`` + ``.brief.json``) and the digest
``OUT/briefs.md``; with ``references`` the summaries are scored and the scores
appended to the digest. One RunLock is held across all stages.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

from mt.inputs.document import CorpusOptions, Failed, content_hash
from mt.inputs.english import english_from_detail
from mt.inputs.remote import source_path
from mt.outputs.briefs import FORMAT, build_brief, strip_demo_label, write_brief, write_digest
from mt.outputs.files import OutputError, atomic_write_json, atomic_write_lines, output_path, safe_rel
from mt.outputs.layout import SUMMARY_SUFFIX
from mt.outputs.manifest import Manifest, Record, RunLock, options_key
from mt.outputs.progress import Progress
from mt.outputs.remote import attach, shown
from mt.summarize import SUMMARIZE, VERSION, StageSummary, SummarizeStage
from mt.summarizer import SummarizeOptions, Summarizer
from mt.translate import RunSummary, translate_corpus
from mt.translator import TranslateOptions, Translator

BRIEF = "brief"


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

    def start(self, total: int | None = None) -> None:
        self.inner.start(total)

    def close(self) -> None:
        self.inner.close()

    def done(self, doc_id: str, status: str, error: str | None = None, sentences: int = 0) -> None:
        self.finished.append((doc_id, status))
        self.inner.done(doc_id, status, error, sentences=sentences)

    def note(self, message: str) -> None:
        self.inner.note(message)


def _preflight(mt_options: TranslateOptions | None, sum_options: SummarizeOptions | None, notify=None) -> None:
    """Before translating: every model `mt brief` needs is here or downloaded now, or every problem is
    reported at once with its fix (None: that model is already loaded). See `mt.models.hub.preflight`."""
    from mt.models.fetch import preflight

    wanted = [(o.engine, task) for o, task in ((mt_options, "translate"), (sum_options, "summarize")) if o]
    preflight(wanted, notify=notify)


def brief_corpus(paths: Iterable[str | Path], out: str | Path, mt_options: TranslateOptions | None = None,
                 sum_options: SummarizeOptions | None = None, *, corpus: CorpusOptions | None = None,
                 force: bool = False, wait: float = 0.0, progress: Progress | None = None,
                 translator: Translator | None = None, summarizer: Summarizer | None = None,
                 references: str | Path | None = None,
                 notify: Callable[[str], None] | None = None, ray=None) -> BriefRun:
    """Translate, summarize and brief every document under `paths`, then write the digest.

    `ray` (a `mt.distributed.RayOptions`): translations and summaries are made by Ray actors.
    """
    from mt.brief import run_brief_stages

    mt_options = mt_options or TranslateOptions()
    sum_options = sum_options or SummarizeOptions()
    if not sum_options.glossaries and mt_options.glossaries:
        sum_options = replace(sum_options, glossaries=mt_options.glossaries)
    paths = [source_path(p) for p in paths]
    out = attach(out)  # a bucket URL: its local mirror (mt.outputs.remote)
    progress = progress or Progress(quiet=True)
    started = time.perf_counter()
    _preflight(None if translator else mt_options, None if summarizer else sum_options, notify)
    tracker = _Tracker(progress)
    with RunLock(out, wait=wait):  # held across all stages; translate_corpus re-enters it
        translated = translate_corpus(paths, out, mt_options, corpus=corpus, force=force, wait=wait,
                                      progress=tracker, translator=translator, notify=notify,  # type: ignore[arg-type]
                                      ray=ray)
        ids = [doc_id for doc_id, status in tracker.finished if status in {"ok", "skipped"}]
        run = BriefRun(out=shown(out), translate=translated, summarize=StageSummary(out=shown(out), stage=SUMMARIZE),
                       brief=StageSummary(out=shown(out), stage=BRIEF))
        run_brief_stages(run, out, ids, sum_options, force=force, progress=progress, summarizer=summarizer,
                         references=references, notify=notify, ray=ray)
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


def run_brief_stages(run: BriefRun, out: Path, ids: list[str], sum_options: SummarizeOptions, *, force: bool,
                     progress: Progress, summarizer: Summarizer | None, references, notify, ray=None) -> None:
    manifest = Manifest(out)
    started = time.perf_counter()
    summarizing = _progress(progress, SUMMARIZE, len(ids))
    stage = SummarizeStage(out, sum_options, manifest, run.summarize, summarizing, summarizer, notify)
    docs: list[tuple[str, str, Path]] = []
    english = []  # what the summarize stage handles, in order
    for doc_id in ids:
        record = manifest.get(doc_id, "translate") or {}
        try:
            rel, detail_path = read_detail(out, record)
            detail = json.loads(detail_path.read_text(encoding="utf-8"))
            doc = english_from_detail(doc_id, rel, detail_path.relative_to(out.resolve()).as_posix(), detail)
        except (OSError, ValueError, KeyError, AttributeError, OutputError) as exc:
            english.append(Failed(id=doc_id, source=record.get("source", ""),
                                  error=f"cannot read the translation record: {exc}"))
            continue
        english.append(doc)
        docs.append((doc_id, rel, detail_path))
    stage.handle_all(english, force, ray)
    summarizing.close()
    run.summarize.terms = stage.term_figures()
    run.summarize.seconds = time.perf_counter() - started

    key = brief_key(stage.key)
    bar = _progress(progress, BRIEF, len(docs))
    stage_started = time.perf_counter()
    jsons: list[Path] = []
    for doc_id, rel, detail_path in bar.documents(docs):
        summary_record = manifest.get(doc_id, SUMMARIZE) or {}
        if summary_record.get("status") not in {"ok", "skipped"}:
            bar.done(doc_id, "skipped", "no summary")  # its summarize failure is already reported
            continue
        started = time.perf_counter()
        md = output_path(out, rel, ".brief.md")
        js = output_path(out, rel, ".brief.json")
        record = Record(id=doc_id, stage=BRIEF, source=summary_record.get("source"),
                        output=md.relative_to(out.resolve()).as_posix(), status="ok",
                        model=summary_record.get("model"), engine=summary_record.get("engine"), key=key)
        try:
            summary_path = output_path(out, rel, SUMMARY_SUFFIX)
            detail_bytes, summary_bytes = detail_path.read_bytes(), summary_path.read_bytes()  # read once
            record.hash = content_hash(detail_bytes + b"\0" + summary_bytes)
            if not force and manifest.done(doc_id, BRIEF, record.hash, key, md) and js.exists():
                run.brief.skipped += 1
                manifest.append({**manifest.get(doc_id, BRIEF), "status": "skipped"})
                bar.done(doc_id, "skipped")
                jsons.append(js)
                continue
            js, brief = brief_one(out, doc_id, rel, detail_bytes, summary_path, summary_bytes, summary_record)
        except (OSError, ValueError, KeyError, AttributeError, OutputError) as exc:
            record.status, record.error, record.output = "error", f"brief failed: {exc}", None
        else:
            record.demo = brief["demo"]
            record.extra.update(models=brief["models"], date=brief["date"],
                                entities={k: len(v) for k, v in brief["entities"].items()},
                                json=js.relative_to(out.resolve()).as_posix())
        record.seconds = round(time.perf_counter() - started, 3)
        manifest.append(record)
        if record.error:
            run.brief.failed.append({"id": doc_id, "source": record.source, "stage": BRIEF, "error": record.error})
            bar.done(doc_id, "error", record.error)
            continue
        run.brief.ok += 1
        run.brief.demo = run.brief.demo or brief["demo"]
        jsons.append(js)
        bar.done(doc_id, "ok")
    bar.close()
    run.brief.model = run.summarize.model
    run.brief.seconds = time.perf_counter() - stage_started

    extra = ""
    if references is not None:
        from mt.evaluate.inputs import EvaluateError

        try:
            extra, run.scores = score_summaries(out, Path(references), jsons)
            from mt.review.page import SCORES_FILE  # the review page picks the scores up from here

            atomic_write_json(output_path(out, SCORES_FILE, ""), run.scores)
        except EvaluateError as exc:
            run.scores_error = str(exc)
    run.digest = str(write_digest(out, jsons, extra))


def _progress(progress: Progress, desc: str, total: int) -> Progress:
    stage = progress.stage(desc, total)
    stage.start()
    return stage


def score_summaries(out: Path, references: Path, brief_jsons: list[Path]) -> tuple[str, dict]:
    """Score this run's brief summaries against `references` (paired by stem): (Markdown section, JSON report).

    The summaries go to ``OUT/.mt/summaries.jsonl`` first, so a document without a summary is
    reported missing instead of being scored with its full translation.
    """
    from mt.evaluate.render import append_scores_markdown
    from mt.evaluate.score import EvaluateOptions, evaluate

    root = out.resolve()

    def rows():
        for path in brief_jsons:
            brief = json.loads(path.read_text(encoding="utf-8"))
            stem = path.relative_to(root).as_posix()[: -len(".brief.json")]
            yield json.dumps({"id": stem, "hyp": brief.get("summary", "")}, ensure_ascii=False) + "\n"

    table = output_path(out, ".mt/summaries", ".jsonl")
    atomic_write_lines(table, rows())
    report = evaluate(EvaluateOptions(hyps=(table,), ref=references, allow_missing=True))
    return append_scores_markdown(report, heading="## Scores"), report.to_dict()
