"""mt report: the review page's structure, counts that equal the manifest, escaping, briefs, scores, CLI."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mt.cli import main
from mt.outputs.briefs import build_brief, write_brief
from mt.review.page import CSP, render_report, write_report
from tests.review_helpers import (
    GLOSSARY,
    HOSTILE_ID,
    assert_counts_match_manifest,
    parse,
    records,
    report_out,  # noqa: F401 - report_out is a fixture
)

FORBIDDEN_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "input"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_counts_and_alignment_equal_the_manifest(report_out):
    page = parse(render_report(report_out, [GLOSSARY]))
    assert_counts_match_manifest(page, report_out)
    recs = records(report_out)
    assert sum(r["glossary"]["matched"] for r in recs.values()) > 20
    assert any(r["glossary"]["repaired"] for r in recs.values())
    assert recs["003_ac40b6e118bc9d2a"]["title_derived"] is True  # its title's names are not counted twice
    # without a glossary the recorded surface forms place the same highlights
    assert_counts_match_manifest(parse(render_report(report_out)), report_out)


def test_index_rows_and_self_contained_page(report_out):
    html = render_report(report_out, [GLOSSARY])
    page = parse(html)
    rows = [a for tag, a in page.tags if tag == "tr" and a.get("class") == "doc-row"]
    assert [r["data-id"] for r in rows] == list(records(report_out))
    assert html.index(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">') < html.index("<title>")
    assert "DEMO OUTPUT" in html  # the tiny model is labelled
    for tag, attrs in page.tags:
        assert tag not in FORBIDDEN_TAGS and attrs.get("id") != "injected", (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any(str(v).startswith(("http:", "https:", "//", "javascript:")) for n, v in attrs.items()
                       if n in ("src", "href", "action")), (tag, attrs)
    assert "@import" not in html and "url(" not in html


def test_hostile_source_renders_as_text(report_out):
    html = render_report(report_out, [GLOSSARY])
    assert "<script" not in html.lower() and "<img" not in html.lower() and 'id="injected"' not in html
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;PWNED&#x27;&quot;&gt;" in html
    page = parse(html)
    assert page.title == "mt review: out"
    doc = page.docs[HOSTILE_ID]
    assert doc["uk"] == 2 and sum(doc["marks"]["uk"].values()) == records(report_out)[HOSTILE_ID]["glossary"]["matched"]


def test_brief_and_scores_sections(report_out, tmp_path):
    out = tmp_path / "out"
    import shutil

    shutil.copytree(report_out, out)
    detail = json.loads((out / "002_017250b7c650f034.en.json").read_text(encoding="utf-8"))
    brief = build_brief(detail, "A summary <b>with markup</b>.", summary_model="tiny-bart", summary_demo=True,
                        doc_id="002_017250b7c650f034")
    write_brief(out, "002_017250b7c650f034", brief)
    scores = {"corpus": {"bleu": 12.5, "chrf": 30.0}, "signatures": {"bleu": "nrefs:1"},
              "documents": [{"id": "002_017250b7c650f034", "bleu": 10.0, "chrf": 28.0},
                            {"id": "003_ac40b6e118bc9d2a", "bleu": 15.0, "chrf": 32.0}]}
    (tmp_path / "eval.json").write_text(json.dumps(scores), encoding="utf-8")
    html = render_report(out, scores=tmp_path / "eval.json")
    assert html.count('<section class="brief">') == 1
    assert "A summary &lt;b&gt;with markup&lt;/b&gt;." in html and "not stated" in html
    assert html.index('<section class="brief">') < html.index('<table class="aligned">', html.index('id="doc-002'))
    assert html.count('<rect class="bar"') == 4  # two documents x (BLEU, chrF2)
    assert '<td class="num score">28.0</td>' in html and "<th>chrF2</th>" in html
    # OUT/scores.json is picked up when no --scores is given
    (out / "scores.json").write_text(json.dumps(scores), encoding="utf-8")
    assert render_report(out).count('<rect class="bar"') == 4
    assert '<rect class="bar"' not in render_report(report_out)


def test_cli_writes_the_page_and_refuses_an_out_without_manifest(report_out, tmp_path):
    target = tmp_path / "r" / "report.html"
    result = run("report", report_out, "-O", target, "--glossary", GLOSSARY)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("report", empty, "-O", tmp_path / "x.html")
    assert result.exit_code == 2 and "no manifest.jsonl" in result.output and not (tmp_path / "x.html").exists()
    (tmp_path / "bad.json").write_text("[1, 2", encoding="utf-8")
    result = run("report", report_out, "-O", tmp_path / "x.html", "--scores", tmp_path / "bad.json")
    assert result.exit_code == 2 and "not a JSON evaluation report" in result.output


def _synthetic_out(tmp_path: Path) -> Path:
    """A hand-written OUT: a missed term, a failed document, a title derived from the lead."""
    out = tmp_path / "syn"
    out.mkdir()
    terms = [{"text": "Горемикіна", "target": "Goremykin", "type": "person", "status": "repaired"},
             {"text": "Горемикін", "target": "Goremykin", "type": "person", "status": "repaired"},
             {"text": "Путін", "target": "Putin", "type": "person", "status": "missed"}]
    # paragraph 1: two mentions of Goremykin, the English has the name once (a "+1" badge)
    detail = {"id": "a", "source": "in/a.txt", "date": None, "model": "m", "engine": "hf", "demo": False,
              "title": {"uk": "Горемикін і Горемикін", "en": "G", "derived": True},
              "paragraphs": [{"uk": "Горемикіна зустрів Горемикін.", "en": "He met Goremykin."},
                             {"uk": "Путін мовчав.", "en": "He was silent."}],
              "dropped": [{"kind": "ad", "text": "Реклама <i>"}], "terms": terms}
    (out / "a.en.json").write_text(json.dumps(detail, ensure_ascii=False), encoding="utf-8")
    manifest = [{"id": "a", "stage": "translate", "output": "a.en.txt", "status": "ok", "paragraphs": 2,
                 "sentences": 2, "seconds": 0.5, "dropped": {"ad": 1}, "title_derived": True,
                 "glossary": {"matched": 3, "enforced": 0, "repaired": 2,
                              "missed": [{"text": "Путін", "target": "Putin"}]}},
                {"id": "b<i>", "stage": "translate", "output": None, "status": "error",
                 "error": "undecodable <bytes>"}]
    (out / "manifest.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in manifest) +
                                        '{"torn', encoding="utf-8")
    return out


def test_missed_terms_badges_and_failed_documents(tmp_path):
    out = _synthetic_out(tmp_path)
    path = write_report(out, tmp_path / "page.html")
    html = path.read_text(encoding="utf-8")
    page = parse(html)
    doc = page.docs["a"]
    assert doc["marks"]["uk"] == {"repaired": 2, "missed": 1}  # the derived title gets none
    assert doc["marks"]["en"] == {"repaired": 2}  # one occurrence + one "+1" badge
    assert html.count('class="term repaired more"') == 1 and doc["missed_box"] == 1
    assert doc["dropped"] == "Removed boilerplate (1)" and "Реклама &lt;i&gt;" in html
    assert "undecodable &lt;bytes&gt;" in html and 'data-id="b&lt;i&gt;"' in html
