"""mt.brief: summarize -> brief -> digest on a translated OUT, and scoring the summaries (no model)."""
from __future__ import annotations

import json

from mt.brief import BriefRun, run_brief_stages, score_summaries
from mt.outputs.manifest import Manifest, read_manifest
from mt.outputs.progress import Progress
from mt.summarize import StageSummary
from mt.summarizer import SummarizeOptions, Summarizer
from mt.translate import RunSummary
from tests.summarize_helpers import FakeEngine

SUMMARY = "A Russian military delegation led by Viktor Goremykin arrived in Pyongyang, KCNA said."


def brief(out, rel: str, summary: str):
    path = out / f"{rel}.brief.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"summary": summary}), encoding="utf-8")
    return path


def test_summaries_are_paired_by_stem_and_missing_ones_listed(tmp_path):
    out, refs = tmp_path / "out", tmp_path / "refs"
    (refs / "sub").mkdir(parents=True)
    (refs / "a.summary.en.txt").write_text(SUMMARY, encoding="utf-8")
    (refs / "sub" / "b.summary.en.txt").write_text("Kim Jong Un approved the dispatch of troops.", encoding="utf-8")
    (refs / "c.summary.en.txt").write_text("A document this run did not brief.", encoding="utf-8")
    jsons = [brief(out, "a", SUMMARY), brief(out, "sub/b", "")]
    section, report = score_summaries(out, refs, jsons)
    rows = [json.loads(line) for line in (out / ".mt" / "summaries.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == [{"id": "a", "hyp": SUMMARY}, {"id": "sub/b", "hyp": ""}]
    assert report["pairs"] == {"matched": 2, "missing": ["c"], "extra": []}
    bleu = {d["id"]: d["bleu"] for d in report["documents"]}
    assert bleu["a"] == 100.0 and bleu["sub/b"] == 0.0  # an empty summary scores 0, never its translation
    assert section.startswith("## Scores\n") and "| BLEU |" in section


def translated_out(out):
    """An OUT as `mt translate` leaves it: document a with its detail record, b whose detail is gone."""
    out.mkdir()
    detail = {"id": "a", "source": "in/a.txt", "date": "2025-11-07", "model": "opus-mt-uk-en", "engine": "ct2",
              "demo": False, "title": {"uk": "Візит", "en": "Delegation visits Pyongyang", "derived": False},
              "paragraphs": [{"uk": "Текст.", "en": SUMMARY}], "dropped": [],
              "terms": [{"text": "Пхеньяна", "target": "Pyongyang", "type": "place", "status": "enforced"}]}
    (out / "a.en.json").write_text(json.dumps(detail), encoding="utf-8")
    manifest = Manifest(out)
    for doc_id in ("a", "b"):
        manifest.append({"id": doc_id, "stage": "translate", "status": "ok", "output": f"{doc_id}.en.txt",
                         "source": f"in/{doc_id}.txt"})
    return out


def test_brief_stages_write_briefs_and_digest_and_isolate_an_unreadable_record(tmp_path):
    out = translated_out(tmp_path / "out")
    options = SummarizeOptions(max_words=40, min_words=5)

    def stages(run):
        run_brief_stages(run, out, ["a", "b"], options, force=False, progress=Progress(quiet=True),
                         summarizer=Summarizer(options, engine=FakeEngine()), references=None, notify=None)
        return run

    run = stages(BriefRun(out=str(out), translate=RunSummary(out=str(out)),
                          summarize=StageSummary(out=str(out), stage="summarize"),
                          brief=StageSummary(out=str(out), stage="brief")))
    assert (run.summarize.ok, run.brief.ok) == (1, 1)
    assert [(f["id"], f["stage"]) for f in run.failed] == [("b", "summarize")]
    assert "cannot read the translation record" in run.failed[0]["error"]
    brief = json.loads((out / "a.brief.json").read_text(encoding="utf-8"))
    assert brief["headline"] == "Delegation visits Pyongyang" and brief["date"] == "2025-11-07"
    assert run.digest == str((out / "briefs.md").resolve()) and "Delegation visits Pyongyang" in \
        (out / "briefs.md").read_text(encoding="utf-8")
    again = stages(BriefRun(out=str(out), translate=RunSummary(out=str(out)),
                            summarize=StageSummary(out=str(out), stage="summarize"),
                            brief=StageSummary(out=str(out), stage="brief")))
    assert (again.summarize.skipped, again.brief.skipped, again.brief.ok) == (1, 1, 0)
    stage_records = [r["stage"] for r in read_manifest(out / "manifest.jsonl") if r["id"] == "a"]
    assert stage_records == ["translate", "summarize", "brief", "summarize", "brief"]
