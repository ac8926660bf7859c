"""Romanization systems and English variant spellings."""
from __future__ import annotations

import pytest

from mt.glossary.romanize import SYSTEMS, ascii_fold, romanize, variants

# Examples from the KMU 2010 resolution's own table.
KMU_OFFICIAL = {
    "Алушта": "Alushta", "Борщагівка": "Borshchahivka", "Вінниця": "Vinnytsia", "Гадяч": "Hadiach",
    "Згорани": "Zghorany", "Ґалаґан": "Galagan", "Донецьк": "Donetsk", "Рівне": "Rivne",
    "Єнакієве": "Yenakiieve", "Житомир": "Zhytomyr", "Закарпаття": "Zakarpattia", "Медвин": "Medvyn",
    "Іршава": "Irshava", "Їжакевич": "Yizhakevych", "Кадиївка": "Kadyivka", "Йосипівка": "Yosypivka",
    "Стрий": "Stryi", "Олексій": "Oleksii", "Київ": "Kyiv", "Миколаїв": "Mykolaiv", "Ніжин": "Nizhyn",
    "Одеса": "Odesa", "Ужгород": "Uzhhorod", "Харків": "Kharkiv", "Біла Церква": "Bila Tserkva",
    "Чернівці": "Chernivtsi", "Гоща": "Hoshcha", "Юрій": "Yurii", "Корюківка": "Koriukivka",
    "Яготин": "Yahotyn", "Костянтин": "Kostiantyn", "Знам'янка": "Znamianka", "Феодосія": "Feodosiia",
}


@pytest.mark.parametrize("uk,en", sorted(KMU_OFFICIAL.items()))
def test_kmu2010_official_examples(uk, en):
    assert romanize(uk, "kmu2010") == en


def test_kmu2010_names_and_caps():
    assert romanize("Горемикін") == "Horemykin"
    assert romanize("Горемікін") == "Horemikin"
    assert romanize("Кім Чен Ин") == "Kim Chen Yn"
    assert romanize("Юн Сок Йоль") == "Yun Sok Yol"
    assert romanize("В’ячеслав") == romanize("Вʼячеслав") == "Viacheslav"
    assert romanize("ЦТАК") == "TSTAK" and romanize("Щука") == "Shchuka" and romanize("ЩУКА") == "SHCHUKA"
    assert romanize("Пхеньян, 2024!") == "Pkhenian, 2024!"
    assert romanize("NATO-2") == "NATO-2"


def test_scholarly_and_iso9():
    assert romanize("Чернівці", "scholarly") == "Černivci"
    assert romanize("Щур Їжак Юля", "scholarly") == "Ščur Jižak Julja"
    assert romanize("Горемикін", "scholarly") == "Horemykin"
    assert romanize("Київ", "iso9") == "Kiïv"
    assert romanize("Щастя", "iso9") == "Ŝastâ"
    assert ascii_fold(romanize("Щастя", "iso9")) == "Sasta"


@pytest.mark.parametrize("uk,en", [
    ("Горемикін", "Goremykin"), ("Сирський", "Syrskiy"), ("Шойгу", "Shoygu"), ("Умєров", "Umerov"),
    ("В'ячеслав", "Vyacheslav"), ("Хван", "Khvan"), ("Єнс", "Yens"), ("Мацегора", "Matsegora"),
    ("Володін", "Volodin"), ("Путін", "Putin"), ("Кім Чен Ин", "Kim Chen Yn"), ("Жуков", "Zhukov"),
])
def test_bgn_russian_style(uk, en):
    assert romanize(uk, "bgn") == en


def test_unknown_system():
    with pytest.raises(ValueError, match="unknown romanization system"):
        romanize("Київ", "pinyin")
    assert set(SYSTEMS) == {"kmu2010", "scholarly", "iso9", "bgn"}
    assert romanize("Горемикін", "BGN/PCGN") == "Goremykin" and romanize("Київ", "ISO") == "Kiïv"


@pytest.mark.parametrize("uk,expected", [
    ("Горемикін", {"Horemykin", "Goremykin", "Horemikin", "Goremikin"}),
    ("Горемікін", {"Horemikin", "Goremikin"}),
    ("Кім Чен Ин", {"Kim Chen Yn", "Kim Chen In", "Kim Čen Yn", "Kim Cen Yn"}),
    ("Шойгу", {"Shoigu", "Shoygu", "Shoihu"}),
    ("Сирський", {"Syrskyi", "Syrsky", "Syrskiy"}),
    ("Сергій", {"Serhii", "Sergei", "Sergiy"}),
    ("Пхеньян", {"Phenian", "Pkhenyan"}),
    ("Юн Сок Йоль", {"Yun Sok Yol", "Iun Sok Iol"}),
])
def test_variants_cover_common_renderings(uk, expected):
    got = variants(uk)
    assert expected <= got, expected - got
    assert all(v for v in got)


def test_variants_are_capped():
    assert len(variants("Військовий університет імені Кім Ір Сена", limit=10)) < 60
