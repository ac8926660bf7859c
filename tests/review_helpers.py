"""Test helpers for the review page: one translated OUT per session, and an HTML reader that counts."""
from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mt.outputs.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GLOSSARY = SEEDS / "glossary.tsv"
# 002: a plain title, four dropped lines of three kinds; 003: a title derived from the lead, 14 related lines
SEED_NAMES = ("002_017250b7c650f034.txt", "003_ac40b6e118bc9d2a.txt")
HOSTILE_ID = "hostile"
HOSTILE = ("Путін <script>document.title='PWNED'</script><script>alert(1)</script>\n\n"
           "Горемикін сказав <img src=x onerror=\"document.title='PWNED'\"> і пішов.\n"
           "Абзац </td></tr></table><h1 id=\"injected\">вставка</h1> & \"лапки\" Путін.\n")


@pytest.fixture(scope="session")
def report_out(tmp_path_factory, translator) -> Path:
    """OUT of the tiny model on two seeds and a hostile document, with seeds/glossary.tsv."""
    from mt.translate import translate_corpus
    from mt.translator import TranslateOptions, Translator

    src = tmp_path_factory.mktemp("report-src")
    for name in SEED_NAMES:
        shutil.copy(SEEDS / name, src / name)
    (src / f"{HOSTILE_ID}.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path_factory.mktemp("report") / "out"
    options = TranslateOptions(engine=translator.options.engine, glossaries=(str(GLOSSARY),))
    # the shared fixture has no glossary: a Translator on the same engine with the glossary loaded
    glossed = Translator(options, engine=translator.engine)
    summary = translate_corpus([src], out, options, translator=glossed)
    assert summary.ok == 3 and not summary.failed
    return out


def records(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in read_manifest(out / "manifest.jsonl") if r.get("stage") == "translate"}


class PageCounts(HTMLParser):
    """Per document section: aligned cells, term marks by column and status, dropped summary; all tags seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.docs: dict[str, dict] = {}
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._doc = None
        self._row: list[str] = []
        self._cell = None
        self._in = None  # "title" | "summary"
        self._summary = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        cls = (attrs.get("class") or "").split()
        if tag == "title":
            self._in = "title"
        if tag == "section" and "doc" in cls:
            self._doc = self.docs.setdefault(attrs.get("data-id"), {
                "rows": 0, "uk": 0, "en": 0, "marks": {"uk": {}, "en": {}}, "dropped": None, "missed_box": 0})
        if self._doc is None:
            return
        if tag == "tr":
            self._row = cls
            self._doc["rows"] += "para" in cls
        elif tag == "td" and cls and cls[0] in ("uk", "en"):
            self._cell = cls[0]
            if "para" in self._row:
                self._doc[self._cell] += 1
        elif tag == "mark" and "term" in cls and self._cell:
            status = next(c for c in cls if c in ("enforced", "repaired", "missed"))
            marks = self._doc["marks"][self._cell]
            marks[status] = marks.get(status, 0) + 1
        elif tag == "summary":
            self._in, self._summary = "summary", ""
        elif tag == "div" and "missed-box" in cls:
            self._doc["missed_box"] += 1

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        if tag == "title" or tag == "summary":
            if tag == "summary" and self._doc is not None:
                self._doc["dropped"] = self._summary
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "summary":
            self._summary += data


def parse(page: str) -> PageCounts:
    counts = PageCounts()
    counts.feed(page)
    counts.close()
    return counts


def assert_counts_match_manifest(page: PageCounts, out: Path) -> None:
    """Aligned paragraphs and highlights per document equal the manifest's figures."""
    recs = records(out)
    assert set(page.docs) == set(recs)
    for doc_id, record in recs.items():
        doc, figures = page.docs[doc_id], record["glossary"]
        assert doc["uk"] == doc["en"] == doc["rows"] == record["paragraphs"], doc_id
        assert sum(doc["marks"]["uk"].values()) == figures["matched"], doc_id
        assert doc["marks"]["en"].get("repaired", 0) == figures["repaired"], doc_id
        assert doc["marks"]["en"].get("enforced", 0) == figures["enforced"], doc_id
        assert doc["marks"]["uk"].get("missed", 0) == len(figures["missed"]), doc_id
        assert "missed" not in doc["marks"]["en"]
        dropped = sum(record["dropped"].values())
        assert doc["dropped"] == (f"Removed boilerplate ({dropped})" if dropped else None), doc_id
