"""Place rows of glossary drafts: what is a place and what is not (issue 15, LOC type F1)."""
from __future__ import annotations

from mt.glossary.draft import extract_candidates


def _by_spelling(doc_id: str, text: str) -> dict:
    """The draft rows of one text, by each spelling they hold."""
    return {s: c for c in extract_candidates([(doc_id, text)]) for s in c.spellings}

def spellings(rows) -> set[str]:
    return {s for c in rows for s in c.spellings}


def test_feasts_sacred_books_and_the_internet_are_never_rows():
    rows = extract_candidates([("c", "На Різдво бабуся читала Біблію. Онук сидів в Інтернеті до Нового року. "
                                     "Після Різдва в Інтернеті писали про Євангеліє. Місто Галич стоїть.")])
    found = spellings(rows)
    for word in ("Різдво", "Біблія", "Інтернет", "Новий рік", "Євангеліє"):
        assert not any(s.startswith(word[:5]) for s in found), (word, found)
    assert "Галич" in found


def test_events_the_constitution_and_state_symbols_are_never_rows():
    rows = extract_candidates([("e", "Стадіон готували до Євро-2012. Депутати змінили Конституцію. Зображення "
                                     "Державного Герба висить у залі. Фінал Євро пройшов у Києві.")])
    found = spellings(rows)
    assert not any(s.startswith(("Євро", "Конституц", "Державн")) for s in found), found
    assert "Київ" in found


def test_a_state_body_keeps_the_region_it_serves():
    by = _by_spelling("r", "Наказ підписав начальник ГУ Держгеокадастру у Волинській області. "
                                     "Лист надіслало Управління СБУ в м. Києві. Працівники Служби "
                                     "автомобільних доріг у Чернігівській області прийшли. У Волинській "
                                     "області тепло.")
    for org in ("Держгеокадастр у Волинській області", "СБУ в м. Києві",
                "Служба автомобільних доріг у Чернігівській області"):
        assert by[org].type == "org", (org, sorted(by))
    assert by["Волинська область"].type == "place"  # the region alone is still a place


def test_the_region_tail_is_spelled_with_u_or_v_in_one_row():
    rows = extract_candidates([("v", "Перевірку провела Держекоінспекція у Херсонській області. Потім "
                                     "Держекоінспекція в Херсонській області оштрафувала фірму.")])
    row = next(c for c in rows if c.spellings[0].startswith("Держекоінспекція "))
    assert set(row.spellings) == {"Держекоінспекція у Херсонській області", "Держекоінспекція в Херсонській області"}


def test_the_region_tail_matches_as_one_mention(tmp_path):
    from mt.glossary import load_glossary
    from mt.glossary.draft import write_draft
    text = "Скаргу розглянуло ГУ СБУ у Волинській області. Мешканці Волинській області раді."
    gloss = load_glossary(write_draft(extract_candidates([("m", text)]), tmp_path / "d.tsv"))
    found = {m.text: m.type for m in gloss.find(text)}
    assert found.get("ГУ СБУ у Волинській області") == "org", found


def test_a_town_before_its_region_is_two_places():
    rows = extract_candidates([("t", "Завод стоїть в Іршанську Житомирської області. Він живе в селі Садове "
                                     "Арцизького району. Школа у Новій Каховці Херсонської області.")])
    found = spellings(rows)
    for place in ("Іршанськ", "Житомирська область", "Садове", "Арцизький район", "Нова Каховка",
                  "Херсонська область"):
        assert place in found, (place, found)


def test_a_syllable_and_an_acronym_in_one_word_name_an_organisation():
    by = _by_spelling("a", "Студенти ЗакДУ вчаться. Голова обласного УДАРу прийшов. На тендерах "
                                     "СхідГЗК виграв. Ректор ЗакДУ сказав.")
    assert by["ЗакДУ"].type == by["УДАР"].type == by["СхідГЗК"].type == "org", sorted(by)


def test_a_body_of_a_region_is_one_organisation():
    by = _by_spelling("b", "Прокуратура Херсонської області відкрила справу. Він звернувся до "
                                     "господарського суду Черкаської області. Генеральна прокуратура України "
                                     "підозрює посадовців. Мешканці Херсонської області раді.")
    for org in ("Прокуратура Херсонської області", "господарський суд Черкаської області",
                "Генеральна прокуратура України"):
        assert by[org].type == "org", (org, sorted(by))
    assert by["Херсонська область"].type == "place"


def test_a_countrys_body_keeps_the_country():
    by = _by_spelling("n", "Виступив представник Нацгвардії України. Він був заступником голови "
                                     "Держагентства резерву України. Лист надійшов з Адміністрації Президента "
                                     "України. Делегація прибула до України.")
    for org in ("Нацгвардія України", "Держагентство резерву України", "Адміністрація Президента України"):
        assert by[org].type == "org", (org, sorted(by))
    assert by["Україна"].type == "place"


def test_states_written_as_acronyms_and_big_cities_are_places():
    by = _by_spelling("s", "Він народився в УРСР. Партнери з ОАЕ приїхали. Школа в Білій Церкві "
                                     "відкрилася. Мешканці Білої Церкви раді.")
    for place, target in (("УРСР", "Ukrainian SSR"), ("ОАЕ", "UAE"), ("Біла Церква", "Bila Tserkva")):
        assert (by[place].type, by[place].target) == ("place", target), (place, sorted(by))
