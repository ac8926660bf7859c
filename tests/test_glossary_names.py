"""mt.glossary.names: spelling-variant keys, same-name rules, target proposals, the Russian-surname signal."""
from __future__ import annotations

import pytest

from mt.glossary.names import looks_russian, propose_target, same_name, skeleton


def test_spelling_variant_rules():
    assert skeleton("Горемікін") == skeleton("Горемикін")
    assert skeleton("Йоль") == skeleton("Йол") and skeleton("Чхоль") == skeleton("Чоль")
    assert same_name("Кім Гум Чхоль", "Кім Гем Чоль")
    assert not same_name("Кім Чен Ин", "Кім Чон Гю")
    assert not same_name("Путін", "Путен")  # one vowel apart is only trusted inside longer names
    assert not same_name("Горемикін", "Віктор Горемикін")


def test_propose_target():
    assert propose_target("Кім Чен Ин", "korean") == "Kim Jong Un"
    assert propose_target("Віктор Горемикін", "russian") == "Viktor Goremykin"
    assert propose_target("Сергій Шойгу", "russian") == "Sergei Shoigu"
    assert propose_target("Олександр Сирський", "ukrainian") == "Oleksandr Syrskyi"
    assert propose_target("Єнс Столтенберг", "foreign") == "Yens Stoltenberg"


def test_same_name_needs_the_same_number_of_words():
    assert same_name("Віктор Горемикін", "Віктор Горемікін")
    assert not same_name("Кім Чен Ин", "Кім Чен")
    assert same_name("Пхеньян", "Пхеньян")


def test_looks_russian_only_for_surnames_no_ukrainian_dictionary_knows():
    pytest.importorskip("pymorphy3_dicts_ru")
    assert looks_russian("Горемикін")  # Горемыкин in the Russian dictionary
    assert not looks_russian("Шевченко")  # known to the Ukrainian dictionary
    assert not looks_russian("Goremykin")  # not Cyrillic
