"""Enforcement of glossary targets on English output, and its metrics."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mt.glossary import load_glossary
from mt.glossary.enforce import (
    EnforceOptions,
    EnforceResult,
    enforce_sentence,
    find_variants,
    glossary_targets_for,
    has_target,
    normalize_english,
)
from mt.glossary.format import Entry
from mt.glossary.match import Glossary
from mt.glossary.stats import TermStats, accuracy

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def gl() -> Glossary:
    return load_glossary([SEEDS / "glossary.tsv"])


SOURCE = "Також Горемикін та Віктор Горемікін зустрілися з Кім Чен Ином у Пхеньяні, повідомляє ЦТАК."


def run(gl, english, source=SOURCE, **opts):
    mentions = gl.find(source)
    result = enforce_sentence(english, mentions, gl, EnforceOptions(**opts) if opts else None)
    return mentions, result


def assert_all_targets(result: EnforceResult, mentions) -> None:
    for target in glossary_targets_for(mentions):
        assert has_target(result.text, target), (target, result.text)


GARBAGE = ["the the and the", "", "   ", "...", "and and and.", "Мова мова мова", "123 456",
           "The The The The The The The The The The The The The The The The The The The The!",
           "He said: «the the»", "?!"]


@pytest.mark.parametrize("english", GARBAGE)
def test_garbage_english_ends_up_with_every_target(gl, english):
    mentions, result = run(gl, english)
    assert glossary_targets_for(mentions) == ["Goremykin", "Viktor Goremykin", "Kim Jong Un", "Pyongyang", "KCNA"]
    assert_all_targets(result, mentions)
    assert {t.status for t in result.terms} == {"repaired"}


def test_random_model_output_never_misses(gl):
    rng = random.Random(7)
    vocab = ["the", "of", "Goremy", "Kim", "Jong", "Pyong", "▁", "and", "Viktor", ",", ".", "KC", "NA", "Un"]
    paths = sorted(SEEDS.glob("*.txt"))
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            mentions = gl.find(line)
            if not mentions:
                continue
            english = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 30)))
            result = enforce_sentence(english, mentions, gl)
            assert_all_targets(result, mentions)
            assert "missed" not in {t.status for t in result.terms}


def test_already_correct_output_is_untouched(gl):
    english = "Goremykin and Viktor Goremykin met Kim Jong Un in Pyongyang, KCNA reported."
    mentions, result = run(gl, english)
    assert result.text == english and result.changes == []
    assert [t.status for t in result.terms] == ["enforced"] * len(mentions)


@pytest.mark.parametrize("english,expected", [
    ("Horemykin's team met Kim Chen In in Phenian.", "Goremykin's team met Kim Jong Un in Pyongyang."),
    ("Horemikin's team met Kim Jong-un in Pkhenian.", "Goremykin's team met Kim Jong Un in Pyongyang."),
    ("Goremykina met KIM JONG UN in Pyongyang.", "Goremykin met Kim Jong Un in Pyongyang."),
    ("Горемикін met Kim Chen Yn in Пхеньяні.", "Goremykin met Kim Jong Un in Pyongyang."),
])
def test_normalization_of_variant_spellings(gl, english, expected):
    source = "Горемикін зустрівся з Кім Чен Ином у Пхеньяні."
    mentions, result = run(gl, english, source)
    assert result.text == expected
    statuses = {t.mention.target: t.status for t in result.terms}
    assert statuses["Goremykin"] == statuses["Kim Jong Un"] == "repaired"
    assert statuses["Pyongyang"] == ("enforced" if "Pyongyang" in english else "repaired")


def test_partial_and_fuzzy_repair(gl):
    source = "заступник міністра Віктор Горемикін прибув до Пхеньяна"
    _, result = run(gl, "Deputy minister Horemykin arrived in Pyongyang.", source)
    assert result.text == "Deputy minister Viktor Goremykin arrived in Pyongyang."
    _, result = run(gl, "Deputy minister Gorjemykyn arrived.", "Горемикін прибув")
    assert result.text == "Deputy minister Goremykin arrived."
    assert ("Gorjemykyn", "Goremykin") in result.changes
    _, result = run(gl, "Gorjemykyn's aides arrived.", "Горемикін прибув")
    assert result.text == "Goremykin's aides arrived."
    _, result = run(gl, "Sources told Reuter.", "повідомляє Reuters")
    assert result.text == "Sources told Reuters."


def test_insertion_before_final_punctuation(gl):
    _, result = run(gl, "He arrived yesterday.", "Горемикін прибув")
    assert result.text == "He arrived yesterday (Goremykin)."
    _, result = run(gl, 'He said "enough!"', "Горемикін прибув")
    assert result.text == 'He said "enough (Goremykin)!"'
    _, result = run(gl, "He arrived", "Горемикін прибув")
    assert result.text == "He arrived (Goremykin)"


def test_repair_off_reports_missed(gl):
    mentions, result = run(gl, "the the and the", normalize=False, repair=False)
    assert result.text == "the the and the"
    assert {t.status for t in result.terms} == {"missed"}
    _, result = run(gl, "Horemykin came", "Горемикін прибув", repair=False)
    assert result.text == "Goremykin came" and result.terms[0].status == "repaired"


def test_other_names_and_common_words_are_left_alone(gl):
    source = "США і Кім Чен Ин."
    _, result = run(gl, "Kim Il Sung told us that the US and Kim Chen In agree.", source)
    assert result.text == "Kim Il Sung told us that the United States and Kim Jong Un agree."
    _, result = run(gl, "Kim Jong Un spoke. Kim smiled.", "Кім Чен Ин і Кім")
    assert result.text == "Kim Jong Un spoke. Kim smiled." and result.changes == []


def test_repair_never_overwrites_other_glossary_names(gl):
    _, result = run(gl, "Kim Kum Chul met Kim Il Sung students.", "Кім Гум Чхоль прибув")
    assert result.text == "Kim Kum Chol met Kim Il Sung students."
    _, result = run(gl, "Kim Il Sung students met him.", "Кім Гум Чхоль прибув")
    assert result.text == "Kim Il Sung students met him (Kim Kum Chol)."


def test_normalize_english_for_summaries(gl):
    text, changes = normalize_english("Volodymyr Putin met Kim Chen In in Moskva; Horemykin's aide.", gl)
    assert text == "Vladimir Putin met Kim Jong Un in Moscow; Goremykin's aide."
    assert ("Moskva", "Moscow") in changes and len(changes) == 4
    assert normalize_english("Vladimir Putin, in Moscow.", gl) == ("Vladimir Putin, in Moscow.", [])


def test_find_variants(gl):
    hits = find_variants("Kim Jong-un met Yoon Suk-yeol and Kim Jong Un in Phenian.", gl)
    assert [(h.text, h.target) for h in hits] == [("Kim Jong-un", "Kim Jong Un"),
                                                 ("Yoon Suk-yeol", "Yoon Suk Yeol"), ("Phenian", "Pyongyang")]
    only = find_variants("Kim Jong-un met Yoon Suk-yeol in Phenian.", gl, targets=["Pyongyang"])
    assert [(h.text, h.target) for h in only] == [("Phenian", "Pyongyang")]


def test_find_variants_for_some_targets_keeps_longer_names_whole():
    cities = Glossary([Entry(sources=("Харків",), target="Kharkiv", type="place", aliases=("Kharkov",)),
                       Entry(sources=("Харківська область",), target="Kharkiv Oblast", type="place",
                             aliases=("Kharkov Oblast",))])
    text = "Kharkiv is calm. Kharkov Oblast was shelled."
    assert [(h.text, h.target) for h in find_variants(text, cities)] == [("Kharkov Oblast", "Kharkiv Oblast")]
    assert find_variants(text, cities, targets={"Kharkiv"}) == []  # "Kharkov" here is part of the oblast


def test_term_stats(gl):
    stats = TermStats()
    mentions, ok = run(gl, "Goremykin and Viktor Goremykin met Kim Jong Un in Pyongyang, KCNA said.")
    stats.add(ok)
    _, fixed = run(gl, "the the")
    stats.add(fixed)
    _, missed = run(gl, "the", repair=False, normalize=False)
    stats.add(missed)
    n = len(mentions)
    assert (stats.matched, stats.enforced, stats.repaired, stats.missed) == (3 * n, n, n, n)
    d = stats.as_dict()
    assert d["model_term_accuracy"] == 33.3333 and len(d["missed_terms"]) == n  # enforced / matched
    assert accuracy(stats.enforced + stats.repaired, stats.matched) == 66.6667
    assert TermStats().model_term_accuracy is None and accuracy(0, 0) is None
    json.dumps(d)
    total = TermStats()
    total += stats
    assert total.matched == stats.matched
