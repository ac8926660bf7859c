"""mt.glossary.stats: the one definition of term accuracy and consistency, equal across commands."""
import json
import re

from click.testing import CliRunner

from mt.cli import main
from mt.glossary.match import Glossary
from mt.glossary.stats import TermFigures, accuracy, document_terms
from tests.conftest import SEEDS

GL = Glossary.from_entries([{"sources": "Горемикін|Горемікін", "target": "Goremykin", "type": "person",
                             "aliases": "Goremikin"},
                            {"sources": "Пхеньян", "target": "Pyongyang", "type": "place"}])


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_presence_per_document_and_consistency_without_variants():
    one = document_terms(GL, "Горемикін прибув до Пхеньяна. Горемікіна зустріли.", "Goremykin came; he was met.")
    assert (one.mentions, one.found) == (3, 2) and one.consistent == {"Goremykin": True, "Pyongyang": False}
    two = document_terms(GL, "Горемикін поїхав.", "Goremikin left, Goremykin said.")  # a known variant too
    assert (two.mentions, two.found) == (1, 1) and two.consistent == {"Goremykin": False}
    figures = TermFigures()
    figures.add(one)
    figures.add(two)
    assert figures.accuracy == accuracy(3, 4) == 75.0
    assert figures.by_target()["Goremykin"] == {"documents": 2, "consistent": 1, "share": 50.0,
                                                "variant_documents": 1}
    assert figures.consistency == 25.0  # mean of Goremykin 50 and Pyongyang 0
    assert document_terms(None, "Горемикін", "x").mentions == 0 and accuracy(0, 0) is None


def test_translate_evaluate_and_review_page_print_the_same_term_accuracy(seeds_copy, tmp_path, tiny_marian):
    out, glossary = tmp_path / "out", SEEDS / "glossary.tsv"
    translated = run("translate", seeds_copy, "-o", out, "-m", tiny_marian, "-g", glossary, "--json")
    assert translated.exit_code == 0, translated.output
    terms = json.loads(translated.stdout)["glossary"]
    assert terms["mentions"] > 20 and terms["term_accuracy"] is not None

    scored = run("evaluate", "--hyp", out, "--ref", out, "--src", seeds_copy, "-g", glossary,
                 "--metrics", "terms", "--json")
    assert scored.exit_code == 0, scored.output
    report = json.loads(scored.stdout)
    assert report["terms"]["mentions"] == terms["mentions"] and report["terms"]["found"] == terms["found"]
    assert report["corpus"]["term_accuracy"] == terms["term_accuracy"]
    assert report["terms"]["consistency"] == terms["consistency"]

    page = tmp_path / "review.html"
    assert run("report", out, "--output-file", page, "-g", glossary, "-q").exit_code == 0
    shown = re.search(r"term accuracy ([\d.]+)% \((\d+)/(\d+) mentions\)", page.read_text(encoding="utf-8"))
    assert shown and float(shown.group(1)) == round(terms["term_accuracy"], 1)
    assert (int(shown.group(2)), int(shown.group(3))) == (terms["found"], terms["mentions"])
