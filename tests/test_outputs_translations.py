"""mt.outputs.translations: the files of the write stage, table assembly in row order, glossary figures."""
from __future__ import annotations

import json
from types import SimpleNamespace

from mt.glossary import load_glossary
from mt.glossary.enforce import TermResult
from mt.glossary.stats import TermTotals, term_stats
from mt.inputs.document import Document
from mt.outputs.layout import DEMO_LABEL
from mt.outputs.manifest import Manifest
from mt.outputs.translations import assemble_table, part_path, write_translation
from mt.translator import DocResult
from tests.conftest import SEEDS

GLOSSARY = load_glossary([SEEDS / "glossary.tsv"])
UK = "Кім Чен Ин прибув до Пхеньяна."


def translator(demo: bool) -> SimpleNamespace:
    return SimpleNamespace(engine=SimpleNamespace(name="ct2", spec=SimpleNamespace(label="tiny", is_demo=demo)))


def result(doc: Document, english: list[str], statuses: dict[str, str] | None = None) -> DocResult:
    statuses = statuses or {}
    terms = [TermResult(m, statuses.get(m.target, "enforced")) for m in GLOSSARY.find("\n".join(doc.paragraphs))]
    return DocResult(doc, title="Visit", paragraphs=english, terms=terms)


def test_text_document_gets_title_blank_line_paragraphs_and_a_detail_record(tmp_path):
    doc = Document(id="sub/a", rel="sub/a", source="in/sub/a.txt", title="Візит", paragraphs=[UK, "Друге."],
                   dropped=[("ad", "Реклама")])
    res = result(doc, ["Kim Jong Un arrived in Pyongyang.", "Second."], {"Pyongyang": "repaired"})
    path = write_translation(tmp_path, res, translator(demo=False))
    assert path == (tmp_path / "sub" / "a.en.txt").resolve()
    assert path.read_text(encoding="utf-8") == "Visit\n\nKim Jong Un arrived in Pyongyang.\nSecond.\n"
    detail = json.loads((tmp_path / "sub" / "a.en.json").read_text(encoding="utf-8"))
    assert detail["paragraphs"] == [{"uk": UK, "en": "Kim Jong Un arrived in Pyongyang."},
                                    {"uk": "Друге.", "en": "Second."}]
    assert detail["terms"] == [{"text": "Кім Чен Ин", "target": "Kim Jong Un", "type": "person", "status": "enforced"},
                               {"text": "Пхеньяна", "target": "Pyongyang", "type": "place", "status": "repaired"}]
    assert detail["dropped"] == [{"kind": "ad", "text": "Реклама"}] and detail["demo"] is False
    write_translation(tmp_path, res, translator(demo=True))
    assert path.read_text(encoding="utf-8").startswith(f"{DEMO_LABEL} Visit\n\n")


def test_table_rows_are_assembled_in_row_order_with_failures_and_row_limits(tmp_path):
    manifest = Manifest(tmp_path)
    for row, text in ((2, "Друге."), (1, "Перше.")):
        doc = Document(id=f"feed#r{row}", rel="feed", source=f"in/feed.jsonl:{row}", title="", paragraphs=[text],
                       container="feed", row=row, extra={"id": f"r{row}", "lang": "uk"})
        part = write_translation(tmp_path, result(doc, [f"Row {row}."]), translator(demo=False))
        assert part == part_path(tmp_path, "feed", doc.id) and part.parent == (tmp_path / ".mt/parts/feed").resolve()
        manifest.append({"id": doc.id, "status": "ok", "container": "feed", "row": row, "source": doc.source})
    manifest.append({"id": "feed#3", "status": "error", "error": "not valid JSON", "container": "feed", "row": 3,
                     "source": "in/feed.jsonl:3"})
    path = assemble_table(tmp_path, "feed", manifest)
    assert path == (tmp_path / "feed.en.jsonl").resolve()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["translation"], r["error"]) for r in lines] == [
        ("feed#r1", "Row 1.", None), ("feed#r2", "Row 2.", None), ("feed#3", None, "not valid JSON")]
    assert lines[0]["lang"] == "uk"  # the row's other columns travel along
    assemble_table(tmp_path, "feed", manifest, ids={"feed#r2"})
    assert [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()] == ["feed#r2"]
    assert assemble_table(tmp_path, "feed", manifest, ids=set()) is None and not path.exists()  # emptied input
    assert assemble_table(tmp_path, "other", manifest) is None


def test_term_stats_and_run_totals():
    doc = Document(id="a", rel="a", source="a.txt", title="", paragraphs=[UK + " Кім Чен Ин поїхав."])
    first = result(doc, ["Kim Jong Un arrived in Pyongyang. He left."], {"Pyongyang": "repaired"})
    first.terms[2] = TermResult(first.terms[2].mention, "missed")  # the second mention of Kim Jong Un
    stats = term_stats(first)
    assert stats == {"matched": 3, "enforced": 1, "repaired": 1,
                     "missed": [{"text": "Кім Чен Ин", "target": "Kim Jong Un"}]}
    second = result(Document(id="b", rel="b", source="b.txt", title="", paragraphs=["Кім Чен Ин."]),
                    ["Kim Jong-un and Kim Jong Un."])
    totals = TermTotals(GLOSSARY)
    totals.add(first)
    totals.add(second)
    figures = totals.as_dict()
    assert (figures["matched"], figures["enforced"], figures["repaired"], figures["missed"]) == (4, 2, 1, 1)
    assert figures["model_term_accuracy"] == 50.0  # enforced / matched
    # every source mention's target is in its document's English (the repaired one too)
    assert (figures["mentions"], figures["found"], figures["term_accuracy"]) == (4, 4, 100.0)
    # b also writes the known wrong spelling "Kim Jong-un": not consistent
    assert figures["consistency_by_name"] == {"Kim Jong Un": 50.0, "Pyongyang": 100.0}
    assert figures["consistency"] == 75.0
    assert TermTotals(None).as_dict() == {}
