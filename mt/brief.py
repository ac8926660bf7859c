"""The summarize → brief → digest (→ scores) part of `mt brief`, run under the caller's RunLock.

Split from `mt.stages` to keep modules small; `mt.stages.brief_corpus` is the entry point.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from mt.corpus import Failed, content_hash
from mt.manifest import Manifest
from mt.progress import Progress
from mt.stages import (BRIEF, SUMMARIZE, SUMMARY_SUFFIX, BriefRun, SummarizeStage, brief_key, brief_one,
                       english_from_detail, read_detail)
from mt.summarize import SummarizeOptions, Summarizer
from mt.brief import write_digest
from mt.write import OutputError, atomic_write_json, atomic_write_lines, output_path


def run_brief_stages(run: BriefRun, out: Path, ids: list[str], sum_options: SummarizeOptions, *, force: bool,
                     progress: Progress, summarizer: Summarizer | None, references, notify) -> None:
    manifest = Manifest(out)
    started = time.perf_counter()
    stage = SummarizeStage(out, sum_options, manifest, run.summarize, _progress(progress, SUMMARIZE),
                           summarizer, notify)
    docs: list[tuple[str, str, Path]] = []
    for doc_id in ids:
        record = manifest.get(doc_id, "translate") or {}
        try:
            rel, detail_path = read_detail(out, record)
            detail = json.loads(detail_path.read_text(encoding="utf-8"))
            doc = english_from_detail(doc_id, rel, detail_path.relative_to(out.resolve()).as_posix(), detail)
        except (OSError, ValueError, KeyError, AttributeError, OutputError) as exc:
            stage.handle(Failed(id=doc_id, source=record.get("source", ""),
                                error=f"cannot read the translation record: {exc}"))
            continue
        stage.handle(doc, force)
        docs.append((doc_id, rel, detail_path))
    run.summarize.terms = stage.term_figures()
    run.summarize.seconds = time.perf_counter() - started

    key = brief_key(stage.key)
    bar = _progress(progress, BRIEF)
    stage_started = time.perf_counter()
    jsons: list[Path] = []
    for doc_id, rel, detail_path in bar.documents(docs):
        summary_record = manifest.get(doc_id, SUMMARIZE) or {}
        if summary_record.get("status") not in {"ok", "skipped"}:
            continue  # its summarize failure is already reported
        started = time.perf_counter()
        md = output_path(out, rel, ".brief.md")
        js = output_path(out, rel, ".brief.json")
        record = {"id": doc_id, "stage": BRIEF, "source": summary_record.get("source"),
                  "output": md.relative_to(out.resolve()).as_posix(), "status": "ok", "error": None,
                  "model": summary_record.get("model"), "engine": summary_record.get("engine"),
                  "demo": False, "seconds": 0.0, "hash": "", "key": key}
        try:
            summary_path = output_path(out, rel, SUMMARY_SUFFIX)
            detail_bytes, summary_bytes = detail_path.read_bytes(), summary_path.read_bytes()  # read once
            record["hash"] = content_hash(detail_bytes + b"\0" + summary_bytes)
            if not force and manifest.done(doc_id, BRIEF, record["hash"], key, md) and js.exists():
                run.brief.skipped += 1
                manifest.append({**manifest.get(doc_id, BRIEF), "status": "skipped"})
                bar.done(doc_id, "skipped")
                jsons.append(js)
                continue
            js, brief = brief_one(out, doc_id, rel, detail_bytes, summary_path, summary_bytes, summary_record)
        except (OSError, ValueError, KeyError, AttributeError, OutputError) as exc:
            record.update(status="error", error=f"brief failed: {exc}", output=None)
        else:
            record.update(models=brief["models"], demo=brief["demo"], date=brief["date"],
                          entities={k: len(v) for k, v in brief["entities"].items()},
                          json=js.relative_to(out.resolve()).as_posix())
        record["seconds"] = round(time.perf_counter() - started, 3)
        manifest.append(record)
        if record["error"]:
            run.brief.failed.append({"id": doc_id, "source": record["source"], "stage": BRIEF,
                                     "error": record["error"]})
            bar.done(doc_id, "error", record["error"])
            continue
        run.brief.ok += 1
        run.brief.demo = run.brief.demo or brief["demo"]
        jsons.append(js)
        bar.done(doc_id, "ok")
    run.brief.model = run.summarize.model
    run.brief.seconds = time.perf_counter() - stage_started

    extra = ""
    if references is not None:
        from mt.evaluate import EvaluateError

        try:
            extra, run.scores = score_summaries(out, Path(references), jsons)
            from mt.report import SCORES_FILE  # the review page picks the scores up from here

            atomic_write_json(output_path(out, SCORES_FILE, ""), run.scores)
        except EvaluateError as exc:
            run.scores_error = str(exc)
    run.digest = str(write_digest(out, jsons, extra))


def _progress(progress: Progress, desc: str) -> Progress:
    return Progress(quiet=progress.quiet, stream=progress.stream, desc=desc)


def score_summaries(out: Path, references: Path, brief_jsons: list[Path]) -> tuple[str, dict]:
    """Score this run's brief summaries against `references` (paired by stem): (Markdown section, JSON report).

    The summaries go to ``OUT/.mt/summaries.jsonl`` first, so a document without a summary is
    reported missing instead of being scored with its full translation.
    """
    from mt.evaluate import EvaluateOptions, append_scores_markdown, evaluate

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
