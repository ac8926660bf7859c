"""Candidate extraction, variant clustering, drafts and the auto glossary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mt.glossary import Entry, Glossary, load_glossary
from mt.glossary.draft import Candidate, auto_glossary, extract_candidates, write_draft

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_docs() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


@pytest.fixture(scope="module")
def candidates() -> list[Candidate]:
    return extract_candidates(seed_docs())


def row_with(candidates, spelling: str) -> Candidate:
    rows = [c for c in candidates if spelling in c.spellings]
    assert len(rows) == 1, (spelling, [c.spellings for c in candidates])
    return rows[0]


def all_spellings(candidates) -> set[str]:
    return {s for c in candidates for s in c.spellings}


def test_goremykin_spellings_share_one_row(candidates):
    row = row_with(candidates, "Віктор Горемикін")
    assert set(row.spellings) == {"Віктор Горемикін", "Віктор Горемікін"}
    assert "Горемикін" in row.source and "Горемікін" in row.source
    assert row.target == "Viktor Goremykin" and row.origin == "russian" and row.status == "check"
    assert row.count == 2 and row.documents == ["000_99a7aa9b4e6634b7", "001_b4df3ac546630d11"]


@pytest.mark.parametrize("spellings,target", [
    ({"Юн Сок Йоль", "Юн Сок Йол"}, "Yoon Suk Yeol"),
    ({"Кім Гум Чхоль", "Кім Гем Чоль"}, "Kim Kum Chol"),
    ({"Кім Чен Ин"}, "Kim Jong Un"),
    ({"Но Гван Чоль"}, "No Kwang Chol"),
    ({"Пак Єн Іль"}, "Pak Yong Il"),
])
def test_korean_rows_are_marked_check(candidates, spellings, target):
    row = row_with(candidates, next(iter(spellings)))
    assert set(row.spellings) == spellings
    assert row.target == target and row.origin == "korean" and row.status == "check" and row.type == "person"


@pytest.mark.parametrize("spelling,target", [
    ("Сергій Шойгу", "Sergei Shoigu"), ("Олександр Мацегора", "Alexander Matsegora"),
    ("В'ячеслав Володін", "Vyacheslav Volodin"), ("Володимир Путін", "Vladimir Putin"),
])
def test_russian_rows_use_media_forms_and_are_marked_check(candidates, spelling, target):
    row = row_with(candidates, spelling)
    assert row.target == target and row.origin == "russian" and row.status == "check"


def test_surname_rows_take_origin_from_full_names(candidates):
    for surname in ("Путін", "Горемикін", "Білоусов", "Володін"):
        row = row_with(candidates, surname)
        assert row.origin == "russian" and row.status == "check", surname


def test_ukrainian_names_use_kmu2010(candidates):
    row = row_with(candidates, "Олександр Сирський")
    assert row.target == "Oleksandr Syrskyi" and row.status == "ok"


def test_forms_are_reduced_to_dictionary_form(candidates):
    spellings = all_spellings(candidates)
    for nominative in ("Курська область", "Рустем Умєров", "Пхеньян", "Сеул", "Північна Корея",
                       "Корейська народна армія", "Збройні сили Росії", "Рада безпеки Росії",
                       "Військовий університет імені Кім Ір Сена", "Центральне телеграфне агентство Кореї",
                       "Єнс Столтенберг", "Дональд Трамп", "Держдума", "Аляска", "Північ", "Кремль"):
        assert nominative in spellings, nominative
    for inflected in ("Кім Чен Ина", "Курській області", "Пхеньяні", "Умєрова", "Віктором Горемікіним",
                      "Алясці", "Москвою"):
        assert inflected not in spellings, inflected


def test_sentence_initial_common_words_are_not_names(candidates):
    spellings = all_spellings(candidates)
    for word in ("Також", "Нагадаємо", "Про", "Російський", "Вона", "Вон", "Average", "Rating", "Але",
                 "Зазначимо", "Новини", "Інші", "Путін Кім", "КНДР Кім Чен Ин"):
        assert word not in spellings, word
    for sentence_initial_name in ("Сеул", "Путін", "Білоусов", "Горемикін"):
        assert sentence_initial_name in spellings


def test_known_places_and_latin_names_are_ok(candidates):
    assert row_with(candidates, "Пхеньян").target == "Pyongyang"
    assert row_with(candidates, "КНДР").status == "ok"
    reuters = row_with(candidates, "Reuters")
    assert reuters.target == "Reuters" and reuters.status == "ok" and reuters.type == "org"
    assert row_with(candidates, "Курська область").type == "place"


def test_counts_and_examples(candidates):
    row = row_with(candidates, "Кім Чен Ин")
    assert row.count >= 8 and len(row.documents) == 5
    assert "Кім Чен" in row.example
    assert candidates == sorted(candidates, key=lambda c: (-c.count, c.source))
    assert all(c.count >= 2 for c in extract_candidates(seed_docs(), min_count=2))


def test_draft_loads_as_a_glossary(tmp_path, candidates):
    path = write_draft(candidates, tmp_path / "sub" / "draft.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "source\ttarget\ttype\tnote\tcount\tstatus\texample"
    gl = load_glossary([path])
    assert len(gl) == len(candidates)
    found = {m.text: m.target for m in gl.find("Віктором Горемікіним і Віктор Горемикін у Пхеньяні")}
    assert found == {"Віктором Горемікіним": "Viktor Goremykin", "Віктор Горемикін": "Viktor Goremykin",
                     "Пхеньяні": "Pyongyang"}


def test_auto_glossary_clusters(candidates):
    gl, clusters = auto_glossary(seed_docs())
    assert {frozenset(c.spellings) for c in clusters} == {
        frozenset({"Віктор Горемикін", "Віктор Горемікін"}), frozenset({"Юн Сок Йоль", "Юн Сок Йол"}),
        frozenset({"Кім Гум Чхоль", "Кім Гем Чоль"})}
    json.dumps([c.as_dict() for c in clusters], ensure_ascii=False)
    targets = {m.text: m.target for m in gl.find("Віктором Горемікіним; Юн Сок Йолем; Кім Гем Чолем")}
    assert targets == {"Віктором Горемікіним": "Viktor Goremykin", "Юн Сок Йолем": "Yoon Suk Yeol",
                       "Кім Гем Чолем": "Kim Kum Chol"}


def test_russian_dictionary_is_a_fallback_signal():
    pytest.importorskip("pymorphy3_dicts_ru")
    (row,) = [c for c in extract_candidates([("d", "Учора Горемикін нічого не сказав.")]) if c.source == "Горемикін"]
    assert row.origin == "russian" and row.target == "Goremykin" and row.status == "check"


# ------------------------------------------------------------------ issue 15: drafts from real text

ISSUE15_DOCS = [
    ("d1", "Рішення Житомирської обласної ради оскаржило ТОВ «Світанок-Агро». Про це пише місцева газета. "
           "Ще вчора ТОВ подало позов, а ТОВ Барвінок виграло тендер. У XIX столітті тут було село. "
           "ЗМІ писали про ПДВ. У Волинській області пройшли дощі. Засідання вів Т. Г. Шевченко. "
           "Разом з Марією Поповою прийшов Олег Попов. Олександр Петренко заявив, що Петро Іваненко згоден. "
           "Гіві Васадзе відмовився. Вже відомо, що Н. Петрук підписав акт."),
    ("d2", "Фірма Седна-С і фірма Седна С зареєстровані окремо. Валентина Вітра звільнили, а Валентин Вітер "
           "мовчить. Іван Марченко та Іван Мірченко прийшли. Консультант О'Брайен і консультант О’Брайен. "
           "Директор ПрАТ «Завод «Промінь» Оленою Кузнєцовою не опікується. Офіс на вул. Лісовій у Києві."),
]


@pytest.fixture(scope="module")
def issue15():
    return extract_candidates(ISSUE15_DOCS)


def test_org_names_keep_legal_form_quotes_and_lower_case_inner_words(issue15):
    assert row_with(issue15, "ТОВ «Світанок-Агро»").type == "org"
    assert row_with(issue15, "ПрАТ «Завод «Промінь»").type == "org"
    assert row_with(issue15, "Житомирська обласна рада").type == "org"
    gl = Glossary.from_entries([Entry(tuple(c.spellings), c.target, c.type) for c in issue15])
    assert [m.text for m in gl.find("позов ТОВ «Світанок-Агро».") if m.type == "org"] == ["ТОВ «Світанок-Агро»"]


def test_initials_join_their_surname(issue15):
    assert row_with(issue15, "Т. Г. Шевченко").type == "person"
    assert row_with(issue15, "Н. Петрук").type == "person"
    assert not {"Т", "Г", "Н", "Т.", "Н."} & all_spellings(issue15)


def test_region_adjectives_are_places(issue15):
    assert row_with(issue15, "Волинська область").type == "place"
    assert row_with(issue15, "вул. Лісова").type == "place"


def test_function_words_legal_forms_numerals_and_common_acronyms_are_never_rows(issue15):
    spellings = {s.lower() for s in all_spellings(issue15)}
    for word in ("про", "ще", "вже", "тов", "прат", "xix", "змі", "пдв"):
        assert word not in spellings, word


def test_types_come_from_evidence(issue15):
    assert row_with(issue15, "Барвінок").type == "org"  # after a legal form
    assert row_with(issue15, "Олег Попов").type == "person"
    assert row_with(issue15, "Київ").type == "place"


def test_nominatives_keep_gender_and_leave_indeclinable_names(issue15):
    spellings = all_spellings(issue15)
    for nominative in ("Марія Попова", "Олег Попов", "Олександр Петренко", "Петро Іваненко", "Гіві Васадзе",
                       "Олена Кузнєцова", "Київ"):
        assert nominative in spellings, nominative
    for wrong in ("Марія Попов", "Олександра Петренко", "Петра Іваненко", "Гіві Васадз", "Кий"):
        assert wrong not in spellings, wrong


def test_targets_come_from_the_nominative_and_inflected_forms_share_a_row(issue15):
    row = row_with(issue15, "Валентин Вітер")
    assert row.spellings == ["Валентин Вітер"] and row.target == "Valentyn Viter" and row.count == 2


def test_clustering_joins_hyphen_space_and_apostrophe_variants_not_two_people(issue15):
    assert set(row_with(issue15, "Седна-С").spellings) == {"Седна-С", "Седна С"}
    assert set(row_with(issue15, "О'Брайен").spellings) == {"О'Брайен", "О’Брайен"}
    assert row_with(issue15, "Іван Марченко") is not row_with(issue15, "Іван Мірченко")


def test_org_phrases_keep_their_parts_and_titles_are_no_rows():
    docs = [("t", "Депутати Верховної Ради України проголосували. Голова Черкаської ОДА підписав наказ. "
                  "Про це повідомляється у «Віснику державних закупівель». Рішення Господарського суду м. Києва "
                  "оскаржили. Фірма Зевс ЛТД мовчить.")]
    rows = extract_candidates(docs)
    spellings = all_spellings(rows)
    for org in ("Верховна Рада України", "Черкаська ОДА", "Господарський суд м. Києва", "Зевс ЛТД"):
        assert row_with(rows, org).type == "org", org
    assert not {"Вісник", "Рада", "Рада України", "ЛТД"} & spellings


def test_place_acronyms_are_not_common_acronyms(candidates):
    assert row_with(candidates, "РФ").target == "Russia"


def test_person_nominatives_with_initials_and_mixed_readings():
    from mt.glossary.names import person_nominative

    assert person_nominative(["Р", "Семона"]) == ["Р", "Семон"]  # a surname after an initial
    assert person_nominative(["Л", "В", "Орлової"]) == ["Л", "В", "Орлова"]
    assert person_nominative(["Василеві", "Столяру"]) == ["Василь", "Столяр"]
    assert person_nominative(["Робертом", "Прахазкою"]) == ["Роберт", "Прахазка"]
    assert person_nominative(["Сергія", "Шойгу"]) == ["Сергій", "Шойгу"]  # indeclinable
    assert person_nominative(["Мирослава", "Дочинця"]) == ["Мирослав", "Дочинець"]
    assert person_nominative(["Валентина", "Вітер"]) == ["Валентина", "Вітер"]
    rows = extract_candidates([("r", "Старий Раїс прийшов. Потім Раїс пішов.")])
    assert "Раїс" in all_spellings(rows) and "Раїса" not in all_spellings(rows)


def test_initials_before_adjective_shaped_or_unknown_surnames():
    rows = extract_candidates([("i", "Праця вийшла за редакції В . І . Критської . Це показав Г . Зассе . "
                                     "Васильєвою Т. І. Сутність справи ясна.")])
    spellings = all_spellings(rows)
    assert {"В. І. Критська", "Г. Зассе", "Васильєва Т. І."} <= spellings
    assert not {"Критська", "Засс", "Сутність"} & spellings


def test_quoted_names_are_orgs_and_a_given_name_makes_a_person():
    rows = extract_candidates([("q", "Договір уклала фірма «Калинівка». Газета « Полісся » писала про це. "
                                     "Тендер виграла «Калинівка», а підписав його Орест Гнатюкевич.")])
    assert row_with(rows, "Калинівка").type == "org"  # written alone in quotes
    assert row_with(rows, "Полісся").type == "org"
    assert row_with(rows, "Орест Гнатюкевич").type == "person"  # a given name before an unknown surname


def test_the_word_before_a_name_settles_its_case():
    rows = extract_candidates([("c", "Учні говорили про Раїса. Вчителька похвалила Раїса. "
                                     "Музей покійного Булґакова відкрили. Фонд імені прадіда Абдулазиза працює. "
                                     "Я бачив Галю. Ми пішли до Галі.")])
    spellings = all_spellings(rows)
    assert {"Раїс", "Булґаков", "Абдулазиз", "Галя"} <= spellings  # про, покійного, прадіда: not nominatives
    assert not {"Раїса", "Булґакова", "Абдулазиза", "Галь"} & spellings  # one reading per document
    from mt.glossary.names import person_nominative

    assert person_nominative(["Олександра", "Петренка"], oblique=True) == ["Олександр", "Петренко"]


def test_conjunctions_are_no_legal_forms_and_capitalised_common_nouns_are_no_rows():
    rows = extract_candidates([("b", "Вдома добре, бо Ярина любить тишу. Ярина читала. "
                                     "Цей Закон ухвалили вчора, а закон про мову ще ні. Ми їдемо в Європу. "
                                     "Скарги розглядає Генпрокуратура. Відповідь дала Генпрокуратура, "
                                     "а не генпрокуратура Польщі.")])
    assert row_with(rows, "Ярина").type == "person"  # "бо" is a conjunction here, not a charity's БО
    assert "Закон" not in all_spellings(rows)  # a common noun the text also writes in lower case
    assert row_with(rows, "Генпрокуратура").type == "org"  # an organisation-shaped word stays
    assert row_with(rows, "Європа").target == "Europe"


def test_runs_split_at_a_place_another_script_or_the_next_sentence_and_keep_patronymics():
    rows = extract_candidates([("s", "Засновник фірми Богдан Сольчаник мовчить. Роботу в Полтаві Тарас Кривенко "
                                     "закінчив. Власник Alfatrade Андрій Веремієнко. Скаргу подав громадянин "
                                     "Прасол А. Є. Зокрема він писав про це. Директором є Лариса Володимирівна "
                                     "Ушенко.")])
    spellings = all_spellings(rows)
    assert {"Богдан Сольчаник", "Тарас Кривенко", "Андрій Веремієнко", "Прасол А. Є.",
            "Лариса Володимирівна Ушенко"} <= spellings
    assert row_with(rows, "Богдан Сольчаник").type == "person"
    assert not any("Зокрема" in s or "Alfatrade Андрій" in s or "Полтаві Тарас" in s for s in spellings)


def test_a_name_written_as_a_place_is_a_place_and_sentence_initial_compounds_are_no_rows():
    rows = extract_candidates([("l", "Ярмарок відбувся в Старокостянтинові. Старокостянтинів славиться сиром. "
                                     "Ми живемо у Старокостянтинові давно. Жінки-репортери приїхали. "
                                     "Ох-ох-ох, зітхнула Галина.")])
    assert row_with(rows, "Старокостянтинів").type == "place"
    spellings = all_spellings(rows)
    assert not {"Жінки-репортери", "Жінка-репортер", "Ох-ох-ох"} & spellings
    assert "Галина" in spellings


def test_an_oblast_written_short_keeps_its_abbreviation():
    rows = extract_candidates([("o", "Фірма з Мирнограда (Донецька обл.) виграла. Він родом з Донецької обл. "
                                     "Вона живе у Вінницькій обл. давно.")])
    assert row_with(rows, "Донецька обл").type == "place"
    assert row_with(rows, "Вінницька обл").type == "place"
    assert "Донецьк" not in all_spellings(rows)
    gl = Glossary.from_entries([Entry(tuple(c.spellings), c.target, c.type) for c in rows])
    assert [m.text for m in gl.find("Він родом з Донецької обл. давно.")] == ["Донецької обл"]


def test_two_adjectives_sharing_a_plural_head_are_one_place():
    rows = extract_candidates([("p", "Дощі пройшли в Сумській та Полтавській областях. Села Бучанського і "
                                     "Ірпінського районів. Шторм на акваторії Чорного та Азовського морів.")])
    for name in ("Сумська та Полтавська області", "Бучанський і Ірпінський райони", "Чорне та Азовське моря"):
        assert row_with(rows, name).type == "place", name
    gl = Glossary.from_entries([Entry(tuple(c.spellings), c.target, c.type) for c in rows])
    assert [m.text for m in gl.find("У Сумської та Полтавської областей є план.")] == [
        "Сумської та Полтавської областей"]


def test_org_heads_keep_their_genitive_and_a_republic_keeps_its_name():
    rows = extract_candidates([("r", "План громад Автономної Республіки Крим затверджує Рада міністрів "
                                     "Автономної Республіки Крим. Рішення Хмельницького обласного тервідділення "
                                     "АМКУ скасовано.")])
    assert row_with(rows, "Автономна Республіка Крим").type == "place"
    assert row_with(rows, "Рада міністрів Автономної Республіки Крим").type == "org"
    assert row_with(rows, "Хмельницьке обласне тервідділення АМКУ").type == "org"
    assert not {"Автономна Республіка", "Рада", "Рад міністрів Автономної Республіки Крим"} & all_spellings(rows)


def test_a_name_that_acts_is_a_person_when_nothing_else_tells():
    rows = extract_candidates([("a", "Вранці Дактиль пішов до лісу. Увечері Дактиль повернувся додому. "
                                     "Ми бачили Дактиля біля річки. Вони поїхали в Кварц.")])
    assert row_with(rows, "Дактиль").type == "person"  # the subject of пішов, повернувся
    assert row_with(rows, "Кварц").type == "place"  # a dictionary noun that does not act


def test_a_place_word_before_a_name_is_place_evidence():
    rows = extract_candidates([("w", "Ми приїхали в місто Галич. Галич стоїть на Дністрі. Офіс фірми в м. Галич. "
                                     "Кременчуцький НПЗ працює. Роботи на Кременчуцькому НПЗ тривають.")])
    assert row_with(rows, "Галич").type == "place"  # місто Галич, м. Галич; the dictionary also has a surname
    assert row_with(rows, "Кременчуцький НПЗ").type == "org"  # an acronym head, whatever the preposition


def test_place_phrases_with_unknown_adjectives_and_a_region_after_a_district():
    rows = extract_candidates([("g", "Він пішов до Гусинівського цвинтаря. Ми йшли Волинським шляхом. "
                                     "Село Надвірнянського району Івано-Франківської області. "
                                     "Рішення Господарського суду Київської області.")])
    for place in ("Гусинівський цвинтар", "Волинський шлях", "Надвірнянський район", "Івано-Франківська область"):
        assert row_with(rows, place).type == "place", place
    assert row_with(rows, "Господарський суд Київської області").type == "org"  # an org keeps its place


def test_an_org_name_keeps_its_chain_of_genitives_up_to_the_country():
    rows = extract_candidates([("m", "Наказ видало Міністерство палива та енергетики України. Лист до Міністерства "
                                     "охорони здоров'я України надіслано. Рада вирішила питання.")])
    for org in ("Міністерство палива та енергетики України", "Міністерство охорони здоров'я України"):
        assert row_with(rows, org).type == "org", org
    assert "Україна" not in all_spellings(rows)
    gl = Glossary.from_entries([Entry(tuple(c.spellings), c.target, c.type) for c in rows])
    assert [m.text for m in gl.find("Звіт Міністерства палива та енергетики України готовий.")] == [
        "Міністерства палива та енергетики України"]


def test_two_given_names_sharing_a_surname_are_one_mention():
    rows = extract_candidates([("c", "Серед власників є Сергій та Олександр Буряки. Участь взяли фірми Давида та "
                                     "Алли Кізіменко. Прийшли Іван та Марія.")])
    assert row_with(rows, "Сергій та Олександр Буряки").type == "person"
    assert row_with(rows, "Давид та Алла Кізіменко").type == "person"
    assert {"Іван", "Марія"} <= all_spellings(rows)  # no surname: two mentions
    gl = Glossary.from_entries([Entry(tuple(c.spellings), c.target, c.type) for c in rows])
    assert [m.text for m in gl.find("фірми Давида та Алли Кізіменко.")] == ["Давида та Алли Кізіменко"]


def test_a_possessive_made_from_a_given_name_names_the_person():
    rows = extract_candidates([("p", "Дора спала. Він торкнувся Дориної щоки. Під Данковою курткою ховалося "
                                     "кошеня. Він поїхав до Київської області.")])
    assert row_with(rows, "Дорин").type == "person"  # Дориної: Дора's
    assert row_with(rows, "Данків").type == "person"  # Данковою: Данко's
    assert "Київська" not in all_spellings(rows)  # no possessive of a name


def test_capitalised_west_and_east_are_places():
    rows = extract_candidates([("w", "Санкції на Заході посилили. Допомога Заходу надходить. На Сході тихо.")])
    assert (row_with(rows, "Захід").type, row_with(rows, "Захід").target) == ("place", "the West")
    assert row_with(rows, "Схід").target == "the East"


def test_more_place_nouns_and_a_square_keeps_its_name():
    rows = extract_candidates([("m", "Будівля на території Києво-Печерської лаври. Пам’ятник на Майдані "
                                     "Незалежності стоїть. Видобуток Вовчанського родовища зріс.")])
    for place in ("Києво-Печерська лавра", "Майдан Незалежності", "Вовчанське родовище"):
        assert row_with(rows, place).type == "place", place


def test_names_in_a_list_of_streets_are_places():
    rows = extract_candidates([("s", "Заплановано ремонт вулиць: Сурікова, Крилова та Головатого. Колодязь на "
                                     "перехресті вулиць Милославська та Лисківська. Художник Суріков писав.")])
    for street in ("Сурікова", "Крилова", "Милославська", "Лисківська"):
        assert row_with(rows, street).type == "place", street
    assert row_with(rows, "Суріков").type == "person"


def test_indeclinable_words_and_capital_cities_keep_their_reading():
    rows = extract_candidates([("i", "Лист надійшов з Міноборони. Потім Нью-Делі звинувачував Ісламабад, "
                                     "а Нью-Делі мовчав.")])
    assert "Міноборони" in all_spellings(rows) and "Міноборон" not in all_spellings(rows)
    assert row_with(rows, "Нью-Делі").type != "person"  # a capital that acts is its government
