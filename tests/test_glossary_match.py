"""Glossary loading, validation and inflection-aware matching."""
from __future__ import annotations

from pathlib import Path

import pytest

from mt.glossary import glossary_or_files, load_glossary
from mt.glossary.format import Entry, GlossaryError
from mt.glossary.match import Glossary, Mention

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def seed_glossary() -> Glossary:
    return load_glossary([SEEDS / "glossary.tsv"])


def g(*rows) -> Glossary:
    return Glossary.from_entries(rows)


def texts(glossary: Glossary, text: str) -> list[str]:
    return [m.text for m in glossary.find(text)]


# ------------------------------------------------------------------ inflection

INFLECTED = [
    ("Володимир Путін", "person", "зустріч Володимира Путіна з лідером", "Володимира Путіна"),
    ("Володимир Путін", "person", "підписаний Володимиром Путіним та", "Володимиром Путіним"),
    ("Сергій Шойгу", "person", "заява Сергія Шойгу про", "Сергія Шойгу"),
    ("Кім Чен Ин", "person", "лист Кім Чен Ину передав", "Кім Чен Ину"),
    ("Кім Чен Ин", "person", "договір з Кім Чен Ином у", "Кім Чен Ином"),
    ("Кім Чен Ин", "person", "від диктатора Кім Чен Ина.", "Кім Чен Ина"),
    ("Мацегора", "person", "слова Мацегори про", "Мацегори"),
    ("Мацегора", "person", "разом з Мацегорою", "Мацегорою"),
    ("Юн Сок Йоль", "person", "подякував Юн Сок Йолю за", "Юн Сок Йолю"),
    ("Юн Сок Йоль", "person", "зустрівся з Юн Сок Йолем", "Юн Сок Йолем"),
    ("Горемикін", "person", "з Горемикіним зустрілися", "Горемикіним"),
    ("Горемикін", "person", "делегація Горемикіна прибула", "Горемикіна"),
    ("Горемикін", "person", "передали Горемикіну лист", "Горемикіну"),
    ("Віктор Горемікін", "person", "на чолі з Віктором Горемікіним.", "Віктором Горемікіним"),
    ("Курська область", "place", "бої у Курській області тривають", "Курській області"),
    ("Курська область", "place", "переправили у Курську область.", "Курську область"),
    ("Курська область", "place", "губернатор Курської області", "Курської області"),
    ("Пхеньян", "place", "зустріч у Пхеньяні", "Пхеньяні"),
    ("Пхеньян", "place", "прибули до Пхеньяну", "Пхеньяну"),
    ("Пхеньян", "place", "ракети від Пхеньяна", "Пхеньяна"),
    ("Пхеньян", "place", "між Москвою та Пхеньяном", "Пхеньяном"),
    ("Корейська народна армія", "org", "управління Корейської народної армії Пак", "Корейської народної армії"),
    ("Центральне телеграфне агентство Кореї", "org", "за даними Центрального телеграфного агентства Кореї",
     "Центрального телеграфного агентства Кореї"),
    ("Військовий університет імені Кім Ір Сена", "org", "президент Військового університету імені Кім Ір Сена Кім",
     "Військового університету імені Кім Ір Сена"),
    ("Но Гван Чхоль", "person", "генералом армії Но Гван Чхолем.", "Но Гван Чхолем"),
    ("Кім", "person", "розмову з Кімом, під час", "Кімом"),
    ("Кім", "person", "за словами Кіма, є", "Кіма"),
    ("Сирський", "person", "наказ Сирського виконано", "Сирського"),
    ("Олександр Сирський", "person", "з Олександром Сирським", "Олександром Сирським"),
    ("Аляска", "place", "переговори на Алясці.", "Алясці"),
    ("Єнс Столтенберг", "person", "зустрінеться з Єнсом Столтенбергом і", "Єнсом Столтенбергом"),
    ("Рустем Умєров", "person", "візит Рустема Умєрова до Сеулу", "Рустема Умєрова"),
    ("Держдума", "org", "голова Держдуми РФ", "Держдуми"),
    ("Збройні сили Росії", "org", "управління Збройних сил Росії на чолі", "Збройних сил Росії"),
    ("Північ", "place", "розгортання Північчю військ", "Північчю"),
]


@pytest.mark.parametrize("source,etype,text,expected", INFLECTED)
def test_inflected_forms_match(source, etype, text, expected):
    gl = g((source, "X", etype))
    found = gl.find(text)
    assert [m.text for m in found] == [expected]
    m = found[0]
    assert text[m.start:m.end] == expected and m.target == "X" and m.source == source and m.type == etype


def test_indeclinable_names_stay_whole_words():
    gl = g(("Шойгу", "Shoigu", "person"), ("Кірбі", "Kirby", "person"))
    assert texts(gl, "Шойгу заявив; слова Шойгу; Кірбі сказав") == ["Шойгу", "Шойгу", "Кірбі"]
    assert texts(gl, "Шойгуа і Кірбіом") == []


# ------------------------------------------------------------------ traps

def test_traps_do_not_match():
    gl = g(("Горемикін", "Goremykin", "person"), ("Кім", "Kim", "person"),
           ("Но Гван Чхоль", "No Kwang Chol", "person"))
    assert texts(gl, "Горе тим, хто чекав. Це горе.") == []
    assert texts(gl, "У кімнаті нікого не було. Кімнаті бракувало світла.") == []
    assert texts(gl, "Но ніхто не коментував. Но Гван нічого не сказав.") == []
    assert texts(gl, "Міністр Но Гван Чхоль прибув. Но Гван Чхоль заявив.") == ["Но Гван Чхоль"] * 2


def test_single_word_entry_that_is_a_common_word():
    gl = g(("Но", "No", "person"))
    assert texts(gl, "Но ніхто не коментував.") == []
    assert texts(gl, "«Но ніхто не знав», — сказав він.") == []
    assert texts(gl, "Зустріч провів міністр Но, який заявив") == ["Но"]
    assert texts(gl, "заявив, але но.") == []  # lower case is never the name


def test_sentence_initial_names_still_match():
    gl = g(("Сеул", "Seoul", "place"), ("Путін", "Putin", "person"), ("Кім", "Kim", "person"))
    assert texts(gl, "Сеул стверджує. Путін підкреслив. Кім заявив.") == ["Сеул", "Путін", "Кім"]


def test_case_aware_for_names_and_all_caps_ok():
    gl = g(("Путін", "Putin", "person"))
    assert texts(gl, "путін і ПУТІН і Путіна") == ["ПУТІН", "Путіна"]


def test_terms_are_case_insensitive():
    gl = g(("дрон-камікадзе", "kamikaze drone", "term"))
    assert texts(gl, "Дрон-камікадзе і дрона-камікадзе") == ["Дрон-камікадзе", "дрона-камікадзе"]


def test_multiword_needs_whitespace_between_words():
    gl = g(("Кім Чен Ин", "Kim Jong Un", "person"))
    assert texts(gl, "Кім. Чен Ин") == []
    assert texts(gl, "Кім\nЧен Ин") == ["Кім\nЧен Ин"]
    assert texts(gl, "Кім\n\nЧен Ин") == []  # never across paragraphs
    assert texts(gl, "«Кім» Чен Ин") == ["Кім» Чен Ин"]


def test_longest_match_wins_and_no_overlap():
    gl = g(("Горемикін|Горемікін", "Goremykin", "person"),
           ("Віктор Горемикін|Віктор Горемікін", "Viktor Goremykin", "person"))
    found = gl.find("Віктор Горемікін прибув. Потім Горемікін поїхав.")
    assert [(m.text, m.target) for m in found] == [("Віктор Горемікін", "Viktor Goremykin"),
                                                  ("Горемікін", "Goremykin")]
    assert found[0].source == "Віктор Горемікін"


def test_apostrophes_are_alike():
    gl = g(("В'ячеслав Володін", "Vyacheslav Volodin", "person"))
    for apo in ("'", "ʼ", "’", "`"):
        assert texts(gl, f"голова В{apo}ячеслав Володін") == [f"В{apo}ячеслав Володін"]
    gl2 = g(("В’ячеслав Володін", "Vyacheslav Volodin", "person"))
    assert texts(gl2, "В'ячеслава Володіна") == ["В'ячеслава Володіна"]


def test_hyphenated_names():
    gl = g(("РБК-Україна", "RBC-Ukraine", "org"), ("Нью-Делі", "New Delhi", "place"))
    assert texts(gl, "повідомляє РБК-Україна; за даними РБК-України; Нью-Делі звинувачував") == [
        "РБК-Україна", "РБК-України", "Нью-Делі"]


def test_offsets_and_latin_entries():
    gl = g(("NATO|НАТО", "NATO", "org"), ("Reuters", "Reuters", "org"))
    text = "Про це повідомляє Reuters: саміт НАТО і NATO."
    for m in gl.find(text):
        assert text[m.start:m.end] == m.text
    assert texts(gl, text) == ["Reuters", "НАТО", "NATO"]


# ------------------------------------------------------------------ the seeds

def test_seed_glossary_finds_the_hard_mentions(seed_glossary):
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for m in seed_glossary.find(text):
            assert text[m.start:m.end] == m.text
            found.setdefault(m.text, m.target)
    expected = {
        "Віктор Горемикін": "Viktor Goremykin", "Віктором Горемікіним": "Viktor Goremykin",
        "Горемикін": "Goremykin", "Но Гван Чоль": "No Kwang Chol", "Але Гван Чхолем": "No Kwang Chol",
        "Кім Чен Ина": "Kim Jong Un", "Кім Чен Ином": "Kim Jong Un", "Кім Чен Ину": "Kim Jong Un",
        "Юн Сок Йол": "Yoon Suk Yeol", "Юн Сок Йоль": "Yoon Suk Yeol", "Кім Гум Чхоль": "Kim Kum Chol",
        "Кім Гем Чоль": "Kim Kum Chol", "ЦТАК": "KCNA", "KCNA": "KCNA", "Курській області": "Kursk Oblast",
        "Курську область": "Kursk Oblast", "Пхеньяну": "Pyongyang", "Пхеньяні": "Pyongyang",
        "Військового університету імені Кім Ір Сена": "Kim Il Sung Military University",
        "Володимиром Путіним": "Vladimir Putin", "Мацегора": None, "Кімом": "Kim",
        "Пак Єн Іль": "Pak Yong Il", "Кім Чон Гю": "Kim Jong Gyu", "Хван Чжун Кук": "Hwang Joon-kook",
        "Рустема Умєрова": "Rustem Umerov", "Єнсом Столтенбергом": "Jens Stoltenberg",
        "Дональдом Трампом": "Donald Trump", "Сеулі": "Seoul", "Вашингтоні": "Washington",
    }
    for text, target in expected.items():
        if target is None:
            assert text not in found  # only ever part of "Олександр Мацегора"
        else:
            assert found.get(text) == target, text


def test_seed_glossary_has_full_and_short_forms(seed_glossary):
    sources = {s for e in seed_glossary.entries for s in e.sources}
    for name in ("Путін", "Володимир Путін", "Шойгу", "Сергій Шойгу", "Мацегора", "Олександр Мацегора",
                 "Білоусов", "Умєров", "Сирський", "Володін", "Трамп", "Столтенберг", "Кірбі",
                 "Горемикін", "Горемікін", "Віктор Горемикін", "Віктор Горемікін", "NATO", "NIS", "Reuters",
                 "Сеул", "Москва", "Вашингтон", "Кремль"):
        assert name in sources, name
    assert {e.type for e in seed_glossary.entries} <= {"person", "org", "place", "term"}


# ------------------------------------------------------------------ loading and validation

def write(tmp_path: Path, name: str, body: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return path


HEADER = "source\ttarget\ttype\tnote\n"


@pytest.mark.parametrize("body,line,words", [
    (HEADER + "Путін\tPutin\tperson\n# c\nПутін|Путен\tPoutine\tperson\n", 4, ["Poutine", "line 2"]),
    (HEADER + "\tPutin\tperson\n", 2, ["empty 'source'"]),
    (HEADER + "Путін\t\tperson\n", 2, ["empty 'target'"]),
    (HEADER + "Путін||Путен\tPutin\tperson\n", 2, ["empty spelling"]),
    ("# comment\nsource\ttarget\tcolour\n", 2, ["unknown column 'colour'"]),
    (HEADER + "Путін\tPutin\tperson\tnote\textra\n", 2, ["5 fields"]),
    (HEADER + "Путін\n", 2, ["missing the 'target' column"]),
    ("Путін\tPutin\tperson\n", 1, ["missing header"]),
    ("# only comments\n\n", 1, ["missing header"]),
    (HEADER + "Путін\tPutin\tpolitician\n", 2, ["bad type 'politician'"]),
    (HEADER + "Путін\tPutin\nКремль\tKremlin\torg\n" + "Пхеньян\tPyongyang\n", 0, []),
])
def test_validation_errors_name_file_and_line(tmp_path, body, line, words):
    path = write(tmp_path, "g.tsv", body)
    if not line:
        assert len(load_glossary([path])) == 3
        return
    with pytest.raises(GlossaryError) as info:
        load_glossary([path])
    message = str(info.value)
    assert f"{path}:{line}:" in message
    for word in words:
        assert word in message
    assert isinstance(info.value, ValueError)


def test_undecodable_file_names_the_line(tmp_path):
    path = write(tmp_path, "bad.tsv", HEADER.encode() + "Путін\tPutin\n".encode() + b"\xff\xfe\tX\n")
    with pytest.raises(GlossaryError, match=r"bad\.tsv:3: not valid UTF-8"):
        load_glossary([path])


def test_missing_file(tmp_path):
    with pytest.raises(GlossaryError, match="no such glossary file"):
        load_glossary([tmp_path / "nope.tsv"])


def test_same_spelling_same_target_is_fine_and_bom_comments_blank_lines(tmp_path):
    path = write(tmp_path, "g.tsv", "\ufeff# header comes after comments\n\n" + HEADER +
                 "Путін\tPutin\tperson\n\nПутін\tPutin\tperson\tagain\n")
    gl = load_glossary(path)
    assert [e.target for e in gl.entries] == ["Putin"]


def test_optional_columns_from_drafts_are_accepted(tmp_path):
    path = write(tmp_path, "d.tsv", "source\ttarget\ttype\tnote\tcount\tstatus\texample\taliases\n"
                 "Горемикін|Горемікін\tGoremykin\tperson\t2x\t2\tcheck\tТакож Горемикін\tHoremykin\n")
    (entry,) = load_glossary(path).entries
    assert entry == Entry(("Горемикін", "Горемікін"), "Goremykin", "person", "2x", ("Horemykin",))


def test_later_file_overrides_earlier(tmp_path):
    a = write(tmp_path, "a.tsv", HEADER + "Путін|Путен\tPutin\tperson\nКремль\tKremlin\torg\n")
    b = write(tmp_path, "b.tsv", HEADER + "Путін\tPoutine\tperson\n")
    gl = load_glossary([a, b])
    assert [m.target for m in gl.find("Путін і Путен у Кремлі")] == ["Poutine", "Putin", "Kremlin"]
    assert load_glossary([b, a]).find("Путін")[0].target == "Putin"
    merged = load_glossary([a]).merge(load_glossary([b]))
    assert merged.find("Путіна")[0].target == "Poutine" and len(merged) == 3


def test_csv_glossary(tmp_path):
    path = write(tmp_path, "g.csv", 'source,target,type,note\n"Кім Чен Ин",Kim Jong Un,person,"leader, DPRK"\n'
                 "Пхеньян,Pyongyang,place,\n")
    gl = load_glossary([path])
    assert gl.entries[0].note == "leader, DPRK"
    assert [m.target for m in gl.find("Кім Чен Ина у Пхеньяні")] == ["Kim Jong Un", "Pyongyang"]
    bad = write(tmp_path, "bad.csv", "source,target\nПутін,\n")
    with pytest.raises(GlossaryError, match=r"bad\.csv:2: empty 'target'"):
        load_glossary([bad])


def test_from_entries_and_fingerprint():
    a = Glossary.from_entries([("Путін", "Putin", "person", "note"),
                               {"sources": "Кремль", "target": "Kremlin", "type": "org"},
                               Entry(("Сеул",), "Seoul", "place")])
    b = Glossary.from_entries([("Путін", "Putin", "person", "another note"),
                               {"sources": ["Кремль"], "target": "Kremlin", "type": "org"},
                               Entry(("Сеул",), "Seoul", "place")])
    c = Glossary.from_entries([("Путін", "Poutine", "person")])
    assert len(a) == 3 and a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert len(a.fingerprint()) == 16
    with pytest.raises(GlossaryError):
        Glossary.from_entries([("Путін", "Putin", "politician")])


def test_mention_fields():
    (m,) = g(("Путін", "Putin", "person")).find("Путіна")
    assert isinstance(m, Mention) and (m.start, m.end, m.text, m.target, m.type, m.source) == (
        0, 6, "Путіна", "Putin", "person", "Путін")
    assert m.entry.sources == ("Путін",)


def test_glossary_or_files(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("source\ttarget\nГоремикін\tGoremykin\n", encoding="utf-8")
    given = Glossary([Entry(sources=("Київ",), target="Kyiv")])
    assert glossary_or_files(given, [str(path)]) is given  # a given glossary wins over files
    assert glossary_or_files(None, []) is None
    assert glossary_or_files(None, [str(path)]).targets == ["Goremykin"]


# ------------------------------------------------------------------ issue 15: names in real text

def test_entries_with_initials_match_their_text_forms_and_spacing_variants():
    gl = g(("В. І. Гошкевич", "V. I. Hoshkevych", "person"), ("Гаврилюк А.О.", "A. O. Havryliuk", "person"))
    text = ("Лист В. І. Гошкевича, відповідь В.І. Гошкевичу, підпис В.І.Гошкевича, "
            "а звіт склав Гаврилюк А. О. разом з Гаврилюком А.О.")
    assert texts(gl, text) == ["В. І. Гошкевича", "В.І. Гошкевичу", "В.І.Гошкевича", "Гаврилюк А. О.",
                               "Гаврилюком А.О."]
    # bruk-style tokenized text: spaces around the dots
    assert texts(gl, "Пише В . І . Гошкевич .") == ["В . І . Гошкевич"]


def test_full_name_entries_match_initial_forms_with_the_same_target():
    gl = g(("Іван Франко", "Ivan Franko", "person"))
    found = gl.find("Вірші І. Франка, листи Франко І. Я., портрет І.Я. Франка і спогади про І. Я. Франка.")
    assert [(m.text, m.target) for m in found] == [
        ("І. Франка", "Ivan Franko"), ("Франко І. Я.", "Ivan Franko"), ("І.Я. Франка", "Ivan Franko"),
        ("І. Я. Франка", "Ivan Franko")]
    # the full name still matches whole
    assert texts(gl, "Іваном Франком") == ["Іваном Франком"]


def test_a_shared_surname_and_initial_is_ambiguous_and_matches_neither():
    gl = g(("Тарас Шевченко", "Taras Shevchenko", "person"), ("Трохим Шевченко", "Trokhym Shevchenko", "person"))
    assert texts(gl, "Т. Шевченко виступив.") == []
    assert texts(gl, "Тарас Шевченко і Трохим Шевченко") == ["Тарас Шевченко", "Трохим Шевченко"]
    # an explicit entry with the initial form decides
    gl = g(("Тарас Шевченко", "Taras Shevchenko", "person"), ("Трохим Шевченко", "Trokhym Shevchenko", "person"),
           ("Т. Шевченко", "T. Shevchenko", "person"))
    assert [m.target for m in gl.find("Т. Шевченко виступив.")] == ["T. Shevchenko"]


def test_one_and_two_letter_entries_never_match_function_words():
    gl = g(("Н", "N", "org"), ("А", "A", "org"), ("В", "V", "org"), ("Ян", "Jan", "person"))
    text = "На столі. Не треба. Ні. А він пішов. В Одесі тепло. Варіанти А, Б та В: варіант А кращий."
    assert [(m.text, m.start) for m in gl.find(text)] == [
        ("А", text.index("А, Б")), ("В", text.index("В:")), ("А", text.index("А кращий"))]
    assert texts(gl, "В. Стус писав. Пане Яне, ми бачили Яна. На жаль.") == ["Яне", "Яна"]
    assert texts(gl, "Н") == ["Н"]


def test_the_common_word_guard_looks_at_the_matched_form():
    gl = g(("Середа", "Sereda", "person"), ("Тодь", "Tod", "person"))
    assert texts(gl, "Серед гостей був Середа. Тоді прийшов Тодь із Середою.") == ["Середа", "Тодь", "Середою"]


def test_hyphenated_compounds_match_their_parts_entries():
    gl = g(("Київ", "Kyiv", "place"), ("Варшава", "Warsaw", "place"), ("РБК", "RBC", "org"))
    found = gl.find("Потяг Київ-Варшава і агентство РБК-Україна.")
    assert [(m.text, m.target) for m in found] == [("Київ", "Kyiv"), ("Варшава", "Warsaw"), ("РБК", "RBC")]
    # a compound that is an entry itself wins over its parts
    gl = g(("Київ", "Kyiv", "place"), ("Київ-Пасажирський", "Kyiv-Pasazhyrskyi", "place"))
    assert [m.target for m in gl.find("на станції Київ-Пасажирський")] == ["Kyiv-Pasazhyrskyi"]


def test_plural_forms_of_surnames_match():
    gl = g(("Антонович", "Antonovych", "person"), ("Коваленко", "Kovalenko", "person"),
           ("Грушевський", "Hrushevskyi", "person"))
    assert texts(gl, "рід Антоновичів, брати Антоновичі, у Коваленків, родина Грушевських") == [
        "Антоновичів", "Антоновичі", "Коваленків", "Грушевських"]


def test_names_joined_by_a_dot_and_quoted_org_names():
    gl = g(("Liga.net", "Liga.net", "org"), ("ТОВ «Лідер-1»", "Lider-1 LLC", "org"))
    text = "За даними Liga.net, ТОВ «Лідер-1» і ТОВ « Лідер-1 » виграли."
    assert texts(gl, text) == ["Liga.net", "ТОВ «Лідер-1»", "ТОВ « Лідер-1 »"]
    assert texts(gl, "сайт Liga net") == []


def test_lower_case_org_names_match_only_when_unknown_or_quoted():
    gl = g(("Ексель", "Excel", "org"), ("Фейсбук", "Facebook", "org"), ("Віра", "Vira", "person"))
    assert texts(gl, "таблиця в екселі, мережа «фейсбук», сторінка у фейсбуці, віра в людей") == [
        "екселі", "фейсбук"]


def test_matcher_version_is_in_the_fingerprint():
    from mt.glossary import match

    gl = g(("Київ", "Kyiv", "place"))
    before = gl.fingerprint()
    old = match.MATCHER_VERSION
    try:
        match.MATCHER_VERSION = old + 1
        assert Glossary(gl.entries).fingerprint() != before
    finally:
        match.MATCHER_VERSION = old
    assert old >= 2
