"""mt.outputs.briefs: brief fields, dates never invented, demo labels, the digest's order, contents and index."""
from __future__ import annotations

import json
import re

from mt.evaluate.inputs import extract_summary
from mt.outputs.briefs import DEMO_NOTE, NOT_STATED, build_brief, entities, render_markdown, write_brief, write_digest
from mt.outputs.layout import SUMMARY_DEMO_LABEL


def detail(title="Russian delegation arrives in Pyongyang", date=None, demo=False, terms=None, source="in/a.txt"):
    return {"id": "a", "source": source, "date": date, "model": "opus-mt-uk-en", "engine": "hf", "demo": demo,
            "title": {"uk": "Заголовок", "en": title, "derived": False},
            "paragraphs": [{"uk": "Текст.", "en": "Text."}], "dropped": [],
            "terms": terms if terms is not None else [
                {"text": "Віктором Горемікіним", "target": "Viktor Goremykin", "type": "person", "status": "enforced"},
                {"text": "Горемикін", "target": "Goremykin", "type": "person", "status": "repaired"},
                {"text": "Горемикіна", "target": "Goremykin", "type": "person", "status": "enforced"},
                {"text": "ЦТАК", "target": "KCNA", "type": "org", "status": "enforced"},
                {"text": "Пхеньяні", "target": "Pyongyang", "type": "place", "status": "enforced"},
                {"text": "Шахед", "target": "Shahed", "type": "term", "status": "enforced"}]}


SUMMARY = "A Russian military delegation led by Viktor Goremykin arrived in Pyongyang, KCNA said."


def test_brief_fields_and_markdown_layout():
    brief = build_brief(detail(date="2025-11-07"), SUMMARY, summary_model="distilbart-cnn", summary_demo=False,
                        doc_id="a", summary_file="a.summary.en.txt")
    assert brief["headline"] == "Russian delegation arrives in Pyongyang"
    assert brief["date"] == "2025-11-07" and brief["source"] == "in/a.txt" and brief["demo"] is False
    assert brief["models"] == {"translation": "opus-mt-uk-en", "summary": "distilbart-cnn",
                               "translation_demo": False, "summary_demo": False}
    assert brief["entities"] == {"people": [{"name": "Viktor Goremykin", "count": 3}],
                                 "organizations": [{"name": "KCNA", "count": 1}],
                                 "places": [{"name": "Pyongyang", "count": 1}]}
    md = render_markdown(brief)
    assert md.startswith("# Russian delegation arrives in Pyongyang\n")
    assert "- Source file: in/a.txt\n- Date: 2025-11-07\n" in md
    assert "- Models: translation `opus-mt-uk-en`, summary `distilbart-cnn`" in md
    assert "## People\n\n- Viktor Goremykin (3)\n" in md
    assert "## Organizations\n\n- KCNA (1)" in md and "## Places\n\n- Pyongyang (1)" in md
    assert "Shahed" not in md  # type "term" is not a person, organization or place
    assert extract_summary(md) == SUMMARY  # what `mt evaluate` scores
    assert "DEMO" not in md


def test_date_is_never_invented():
    brief = build_brief(detail(date=None), SUMMARY, summary_model="s", summary_demo=False, doc_id="a")
    assert brief["date"] is None and brief["date_text"] == NOT_STATED == "not stated"
    assert "- Date: not stated\n" in render_markdown(brief)


def test_empty_entity_sections_say_none_and_headline_falls_back():
    brief = build_brief(detail(title="", terms=[]), SUMMARY, summary_model="s", summary_demo=False, doc_id="a")
    assert brief["headline"] == SUMMARY
    md = render_markdown(brief)
    assert "## People\n\nnone\n" in md and "## Places\n\nnone\n" in md


def test_demo_models_are_labelled_in_markdown_and_json(tmp_path):
    brief = build_brief(detail(demo=True), f"{SUMMARY_DEMO_LABEL}\n{SUMMARY}", summary_model="tiny-bart-en",
                        summary_demo=True, doc_id="a")
    assert brief["summary"] == SUMMARY  # the label line of the summary file is not summary text
    md_path, json_path = write_brief(tmp_path, "sub/a", brief)
    md = md_path.read_text(encoding="utf-8")
    assert md.startswith("# [DEMO] ") and DEMO_NOTE in md
    assert "translation `opus-mt-uk-en` (DEMO: untrained), summary `tiny-bart-en` (DEMO: untrained)" in md
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["demo"] is True and data["demo_note"] == DEMO_NOTE and data["models"]["summary_demo"] is True
    assert md_path == (tmp_path / "sub" / "a.brief.md").resolve()


def test_entities_count_canonical_names():
    found = entities([{"target": "Kim Jong Un", "type": "person"}, {"target": "Kim Jong Un", "type": "person"},
                      {"target": "NATO", "type": "org"}, {"target": "Seoul", "type": "place"},
                      {"target": "Shahed", "type": "term"}])
    assert found == {"people": [{"name": "Kim Jong Un", "count": 2}], "organizations": [{"name": "NATO", "count": 1}],
                     "places": [{"name": "Seoul", "count": 1}]}


def _write(out, rel, headline, date, names):
    terms = [{"target": n, "type": t, "text": n, "status": "enforced"} for n, t in names]
    brief = build_brief(detail(title=headline, date=date, terms=terms), f"Summary of {headline}.",
                        summary_model="s", summary_demo=False, doc_id=rel)
    return write_brief(out, rel, brief)[1]


def test_digest_order_contents_and_index(tmp_path):
    paths = [
        _write(tmp_path, "b", "Undated B", None, [("Kim Jong Un", "person")]),
        _write(tmp_path, "a", "Undated A", None, []),
        _write(tmp_path, "new", "Newer story", "2025-11-07", [("Kim Jong Un", "person"), ("Pyongyang", "place")]),
        _write(tmp_path, "old", "Older story", "2024-06-19", [("NATO", "org")]),
        _write(tmp_path, "sub/same", "Another 2025 story", "2025-11-07", []),
    ]
    digest = write_digest(tmp_path, paths).read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", digest, re.MULTILINE)
    assert sections == ["Contents", "Older story", "Another 2025 story", "Newer story", "Undated A", "Undated B",
                        "Index"]
    contents = digest.split("## Contents")[1].split("<a id=")[0]
    assert "1. [Older story](#brief-old) (2024-06-19)" in contents
    assert "5. [Undated B](#brief-b) (not stated)" in contents
    for anchor in ("brief-old", "brief-sub-same", "brief-new", "brief-a", "brief-b"):
        assert f'<a id="{anchor}"></a>' in digest
    index = digest.split("## Index")[1]
    assert "- **Kim Jong Un**: [Newer story](#brief-new), [Undated B](#brief-b)\n" in index
    assert "- **NATO**: [Older story](#brief-old)\n" in index
    assert "- **Pyongyang**: [Newer story](#brief-new)\n" in index
    assert "### Summary\n\nSummary of Newer story." in digest
    assert "- Brief: [sub/same.brief.md](sub/same.brief.md)" in digest


def test_digest_with_extra_section_and_no_briefs(tmp_path):
    digest = write_digest(tmp_path, [], extra="## Scores\n\nnone\n").read_text(encoding="utf-8")
    assert "0 brief(s)" in digest and "## Index\n\nnone\n" in digest and digest.endswith("## Scores\n\nnone\n")


def test_surname_mentions_count_for_the_full_name_in_the_same_article():
    from mt.outputs.briefs import entities

    terms = [{"target": "Viktor Goremykin", "type": "person"}, {"target": "Goremykin", "type": "person"},
             {"target": "Goremykin", "type": "person"}, {"target": "Kim", "type": "person"},
             {"target": "Kim Jong Un", "type": "person"}, {"target": "Kim Il Sung", "type": "person"}]
    people = {p["name"]: p["count"] for p in entities(terms)["people"]}
    assert people == {"Viktor Goremykin": 3, "Kim": 1, "Kim Jong Un": 1, "Kim Il Sung": 1}
