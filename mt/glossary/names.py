"""Name tables and target proposals for glossary drafts (used by `mt.glossary.draft`).

The tables are small and deliberately conservative: they propose a target
for a draft row, which a person reviews (rows from them are marked `check`,
except settled exonyms such as Київ → Kyiv).
"""
from __future__ import annotations

import re
from functools import lru_cache

from mt.glossary import forms as morph
from mt.glossary.romanize import romanize

# Korean syllables as Ukrainian news writes them → the agency (KCNA/Yonhap) form.
KOREAN = {
    "кім": "Kim", "ким": "Kim", "пак": "Pak", "лі": "Ri", "рі": "Ri", "чен": "Jong", "чон": "Jong",
    "чжон": "Jong", "ин": "Un", "ун": "Un", "ір": "Il", "ил": "Il", "іль": "Il", "іл": "Il",
    "сен": "Sung", "сон": "Song", "гван": "Kwang", "кван": "Kwang", "чоль": "Chol", "чхоль": "Chol",
    "чол": "Chol", "чхол": "Chol", "гю": "Gyu", "кю": "Gyu", "єн": "Yong", "йон": "Yong", "ен": "Yong",
    "юн": "Yoon", "сок": "Suk", "йоль": "Yeol", "йол": "Yeol", "хван": "Hwang", "чжун": "Joon",
    "чун": "Jun", "кук": "Kook", "гук": "Guk", "гум": "Kum", "гем": "Kum", "кум": "Kum", "но": "No",
    "мун": "Moon", "хан": "Han", "чой": "Choi", "чхве": "Choe", "ю": "Yoo", "хо": "Ho", "ок": "Ok",
    "мін": "Min", "сун": "Sun", "хі": "Hui", "ду": "Du", "тхе": "Tae", "те": "Tae", "хьон": "Hyon",
    "хен": "Hyon", "сік": "Sik", "нам": "Nam", "гіль": "Gil", "дон": "Dong", "пьон": "Pyong",
    "чхан": "Chang", "чан": "Jang", "сан": "Sang", "хун": "Hun", "хон": "Hong", "йо": "Yo",
}
# Ukrainian forms of Russian given names → the form English media use.
RU_GIVEN = {
    "олександр": "Alexander", "сергій": "Sergei", "володимир": "Vladimir", "андрій": "Andrei",
    "в'ячеслав": "Vyacheslav", "дмитро": "Dmitry", "олексій": "Alexei", "микола": "Nikolai",
    "юрій": "Yuri", "михайло": "Mikhail", "петро": "Pyotr", "павло": "Pavel", "євген": "Yevgeny",
    "григорій": "Grigory", "валерій": "Valery", "геннадій": "Gennady", "анатолій": "Anatoly",
    "василь": "Vasily", "костянтин": "Konstantin", "леонід": "Leonid", "ярослав": "Yaroslav",
    "олена": "Yelena", "тетяна": "Tatiana", "наталія": "Natalia", "катерина": "Yekaterina",
    "богдан": "Bogdan", "марія": "Maria", "ірина": "Irina", "ольга": "Olga", "світлана": "Svetlana", "юлія": "Yulia",
}
# Frequent places/bodies in Ukrainian news with settled English names.
EXONYMS = {
    "україна": ("Ukraine", "place"), "росія": ("Russia", "place"), "рф": ("Russia", "place"),
    "київ": ("Kyiv", "place"), "москва": ("Moscow", "place"), "пхеньян": ("Pyongyang", "place"),
    "сеул": ("Seoul", "place"), "вашингтон": ("Washington", "place"), "сша": ("United States", "place"),
    "кндр": ("North Korea", "place"), "північна корея": ("North Korea", "place"),
    "південна корея": ("South Korea", "place"), "корея": ("Korea", "place"), "китай": ("China", "place"),
    "пекін": ("Beijing", "place"), "японія": ("Japan", "place"), "польща": ("Poland", "place"),
    "варшава": ("Warsaw", "place"), "німеччина": ("Germany", "place"), "берлін": ("Berlin", "place"),
    "франція": ("France", "place"), "париж": ("Paris", "place"), "лондон": ("London", "place"),
    "британія": ("Britain", "place"), "іспанія": ("Spain", "place"), "мадрид": ("Madrid", "place"),
    "індія": ("India", "place"), "пакистан": ("Pakistan", "place"), "швейцарія": ("Switzerland", "place"),
    "білорусь": ("Belarus", "place"), "мінськ": ("Minsk", "place"), "крим": ("Crimea", "place"),
    "харків": ("Kharkiv", "place"), "одеса": ("Odesa", "place"), "аляска": ("Alaska", "place"),
    "іран": ("Iran", "place"), "ізраїль": ("Israel", "place"), "туреччина": ("Turkey", "place"),
    "срср": ("Soviet Union", "place"), "європа": ("Europe", "place"), "америка": ("America", "place"),
    "захід": ("the West", "place"), "схід": ("the East", "place"),
    "нато": ("NATO", "org"), "оон": ("UN", "org"),
    "єс": ("EU", "org"), "кремль": ("Kremlin", "org"), "зсу": ("Armed Forces of Ukraine", "org"),
    "курська область": ("Kursk Oblast", "place"), "держдума": ("State Duma", "org"),
    # Ukraine's oblast centres (KMU 2010 / their settled English forms)
    "львів": ("Lviv", "place"), "дніпро": ("Dnipro", "place"), "запоріжжя": ("Zaporizhzhia", "place"),
    "луцьк": ("Lutsk", "place"), "черкаси": ("Cherkasy", "place"), "вінниця": ("Vinnytsia", "place"),
    "полтава": ("Poltava", "place"), "суми": ("Sumy", "place"), "чернігів": ("Chernihiv", "place"),
    "житомир": ("Zhytomyr", "place"), "рівне": ("Rivne", "place"), "тернопіль": ("Ternopil", "place"),
    "ужгород": ("Uzhhorod", "place"), "івано-франківськ": ("Ivano-Frankivsk", "place"),
    "хмельницький": ("Khmelnytskyi", "place"), "херсон": ("Kherson", "place"), "миколаїв": ("Mykolaiv", "place"),
    "кропивницький": ("Kropyvnytskyi", "place"), "чернівці": ("Chernivtsi", "place"),
    "донецьк": ("Donetsk", "place"), "луганськ": ("Luhansk", "place"), "маріуполь": ("Mariupol", "place"),
    "севастополь": ("Sevastopol", "place"), "сімферополь": ("Simferopol", "place"),
    "біла церква": ("Bila Tserkva", "place"),
    # states written as acronyms are places (в УРСР, з ОАЕ), as СРСР and США are
    "урср": ("Ukrainian SSR", "place"), "усрр": ("Ukrainian SSR", "place"), "рсфрр": ("Russian SFSR", "place"),
    "рсфср": ("Russian SFSR", "place"), "днр": ("DPR", "place"), "лнр": ("LPR", "place"), "оае": ("UAE", "place"),
}
CUES = {  # token-key prefixes that tell whose name follows
    "russian": ("росі", "рф", "російськ", "кремл", "держдум", "москв"),
    "ukrainian": ("україн", "зсу", "київ", "верховн"),
    "korean": ("кндр", "коре", "північнокорейськ", "південнокорейськ", "пхеньян", "сеул", "цтак"),
    "foreign": ("сша", "американськ", "нато", "альянс", "білого", "британ", "німеч", "франц",
                "іспан", "польськ", "генсек", "уряду"),
}
# Legal forms of Ukrainian organisations (ТОВ «Альфа», ПрАТ «Бета»): alone they are never a name.
LEGAL_FORMS = frozenset("""
тов тзов пп пат прат пуат ват зат ат дп кп кнп кз дзп ду нвп нвф нвк вкф вкп тд тдв ак нак дак дк мп пк
сп спд фг сг стов сфг вп во го бо бф мбф гс осбб жбк ок кооп лтд ltd llc inc gmbh
""".split())
# Acronyms that are common nouns, not names (ЗМІ "mass media", ПДВ "VAT"): never a draft row.
COMMON_ACRONYMS = frozenset("""
змі пдв пдфо єсв фоп піб втч дтп вну зно атб пмр ндр ндфо жкг жкп внз днз ппр рнокпп єдрпоу кекв
ттн пзф сзр ккд ккп ввп ос пз тб тв фм фо юо ктв мтб тмц пмм пкм км кв мвт квт кг тис млн
млрд грн дол коп шт тис п с ст р рр ч чч обл вул буд кв м
""".split())
ROMAN = re.compile(r"^[IVXLCDMІХ]+$")
# Street words before a name (вул. Хрещатик, проспекту Перемоги): the phrase is a place.
STREET_WORDS = {"вул": "вул.", "пл": "пл.", "просп": "просп.", "пров": "пров.", "бульв": "бульв.",
                "вулиця": None, "площа": None, "проспект": None, "провулок": None, "бульвар": None,
                "майдан": None, "шосе": None, "узвіз": None, "набережна": None}
# Word parts that mark a company name the dictionary does not know (Укргазбуд, Київенергосервіс).
ORG_MORPHEMES = ("укр", "буд", "сервіс", "газ", "енерго", "пром", "інвест", "трейд", "агро", "тех", "торг",
                 "постач", "збут", "ком", "банк", "трест", "строй", "холдинг", "груп", "маш", "хім",
                 "нафт", "авто", "транс", "мед", "фарм", "буд", "тепло", "вод", "ліс", "зв'яз", "інфо",
                 "софт", "лізинг", "експорт", "імпорт", "монтаж", "ремонт", "проект", "дор", "мост",
                 "плюс", "центр", "capital", "group", "trade")
HEAD_NOUNS = {"область": "place", "обл": "place", "район": "place", "край": "place", "республіка": "place",
              "округ": "place", "море": "place", "острів": "place", "півострів": "place",
              "університет": "org", "агентство": "org", "армія": "org", "служба": "org", "рада": "org",
              "міністерство": "org", "партія": "org", "сила": "org", "управління": "org",
              "бригада": "org", "дивізія": "org", "комітет": "org", "фонд": "org", "банк": "org", "відділ": "org",
              "відділення": "org", "тервідділення": "org", "філія": "org", "представництво": "org",
              "гарнізон": "org", "штаб": "org", "посольство": "org", "консульство": "org", "ансамбль": "org",
              # organisations: courts, councils, administrations, schools, companies
              "суд": "org", "райсуд": "org", "адмінсуд": "org", "міськрайсуд": "org", "трибунал": "org",
              "держадміністрація": "org", "облдержадміністрація": "org", "райдержадміністрація": "org",
              "міськдержадміністрація": "org", "адміністрація": "org", "рда": "org", "ода": "org",
              "сільрада": "org", "селищрада": "org", "міськрада": "org", "облрада": "org", "райрада": "org",
              "прокуратура": "org", "поліція": "org", "інспекція": "org", "департамент": "org",
              "палата": "org", "комісія": "org", "колегія": "org", "асоціація": "org", "спілка": "org",
              "об'єднання": "org", "товариство": "org", "компанія": "org", "корпорація": "org",
              "концерн": "org", "холдинг": "org", "завод": "org", "фабрика": "org", "комбінат": "org",
              "підприємство": "org", "лісгосп": "org", "держлісгосп": "org", "тепломережа": "org",
              "залізниця": "org", "водоканал": "org", "лікарня": "org", "поліклініка": "org",
              "школа": "org", "гімназія": "org", "ліцей": "org", "коледж": "org", "інститут": "org",
              "академія": "org", "театр": "org", "музей": "org", "бібліотека": "org", "церква": "org",
              "собор": "org", "конгрес": "org", "уряд": "org", "кабмін": "org",
              "казначейство": "org", "організація": "org", "установа": "org", "центр": "org",
              "митниця": "org", "біржа": "org", "конкурс": "org",
              "парламент": "org", "сенат": "org", "хор": "org",
              "газета": "org", "журнал": "org", "телеканал": "org", "видавництво": "org", "студія": "org",
              "клуб": "org", "команда": "org", "редакція": "org", "кафедра": "org", "факультет": "org",
              "синод": "org", "кабінет": "org", "орден": "org", "полк": "org", "батальйон": "org", "корпус": "org",
              # places
              "вулиця": "place", "площа": "place", "проспект": "place", "провулок": "place", "бульвар": "place",
              "майдан": "place", "шосе": "place", "узвіз": "place", "озеро": "place", "річка": "place",
              "ріка": "place", "гора": "place", "гори": "place", "долина": "place", "лиман": "place",
              "затока": "place", "замок": "place", "парк": "place", "сквер": "place", "цвинтар": "place",
              "кладовище": "place", "двір": "place", "вокзал": "place", "аеропорт": "place",
              "місто": "place", "село": "place", "селище": "place", "регіон": "place", "громада": "place",
              "повіт": "place", "губернія": "place", "воєводство": "place", "штат": "place",
              "провінція": "place", "країна": "place", "королівство": "place", "князівство": "place",
              "імперія": "place", "земля": "place", "океан": "place", "пустеля": "place", "канал": "place",
              "сміттєзвалище": "place", "ставок": "place", "водосховище": "place", "урочище": "place",
              "шлях": "place", "ліс": "place", "хутір": "place", "млин": "place", "слобода": "place", "яр": "place",
              "заповідник": "place", "пляж": "place", "міст": "place", "пагорб": "place", "гай": "place",
              "лавра": "place", "мікрорайон": "place", "родовище": "place", "масив": "place", "степ": "place"}

_SKELETON_LETTERS = str.maketrans("іїйєґ", "иииег")


@lru_cache(maxsize=morph.NORM_CACHE)
def skeleton(word: str) -> str:
    """A spelling key that ignores і/и/ї/й, є/е, ь, apostrophes and Korean aspiration (чх/ч)."""
    w = morph.norm_key(word)
    for a, b in (("чх", "ч"), ("кх", "к"), ("тх", "т"), ("пх", "п"), ("ь", ""), ("'", "")):
        w = w.replace(a, b)
    w = w.translate(_SKELETON_LETTERS)
    return re.sub(r"(.)\1+", r"\1", w)


def same_name(a: str, b: str) -> bool:
    """Are two dictionary-form names spelling variants of each other?

    Word by word, skeletons must be equal (Горемикін/Горемікін, Йол/Йоль, Чоль/Чхоль), or, for
    Korean syllables in a multi-word name, differ by one vowel (Гум/Гем).
    """
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or a == b:
        return a == b
    for x, y in zip(wa, wb):
        sx, sy = skeleton(x), skeleton(y)
        if sx == sy:
            continue
        diff = [(c, d) for c, d in zip(sx, sy) if c != d]
        if not (len(wa) > 1 and len(sx) == len(sy) >= 3 and len(diff) == 1
                and diff[0][0] in morph.VOWELS and diff[0][1] in morph.VOWELS
                and morph.norm_key(x) in KOREAN and morph.norm_key(y) in KOREAN):
            return False  # Іван Марченко / Іван Мірченко are two people; Кім Гум / Кім Гем one
    return True



_UK_TO_RU = str.maketrans({"і": "и", "и": "ы", "є": "е", "ї": "йи", "ґ": "г", "'": "ъ"})


def looks_russian(word: str) -> bool:
    """A surname the Ukrainian dictionary does not know whose Russian spelling
    the Russian dictionary knows as a surname (Горемикін → Горемыкин).

    A weak signal, used only when the context gives none. Needs
    pymorphy3-dicts-ru; without it this is always False.
    """
    ru = morph.analyzer("ru")
    key = morph.norm_key(word)
    if ru is None or not morph.is_cyrillic(key) or any(p.is_known for p in morph.parses(key)):
        return False
    return any(p.is_known and "Surn" in p.tag.grammemes for p in ru.parse(key.translate(_UK_TO_RU)))


def propose_target(spelling: str, origin: str) -> str:
    """An English form for a name of the given origin (a draft; review it).

    korean: syllable table (Кім Чен Ин → Kim Jong Un); russian: English media
    forms of given names + BGN/PCGN (Горемикін → Goremykin, Шойгу → Shoigu);
    foreign: BGN/PCGN (г→g); anything else: KMU 2010.
    """
    ws = spelling.split()
    if origin == "korean":
        return " ".join(KOREAN.get(morph.norm_key(w)) or romanize(w, "kmu2010") for w in ws)
    if origin in ("russian", "foreign"):
        out = []
        for w in ws:
            given = RU_GIVEN.get(morph.norm_key(w)) if origin == "russian" else None
            rom = given or romanize(w, "bgn")
            rom = re.sub(r"(?<=[aeiou])y(?=[^aeiouy]|$)", "i", rom)  # Shoygu → Shoigu
            out.append(re.sub(r"skiy$", "sky", rom))
        return " ".join(out)
    return romanize(spelling, "kmu2010")


def cluster_key(lemma: str) -> str:
    """One key for spellings that differ only by case, an apostrophe, a hyphen or a space between
    parts, quotes or dots: Седна С / Седна-С, Каштан-плюс / Каштан плюс, О'Брайен / О’Брайен."""
    return "".join(skeleton("у" if w == "в" else w).replace("-", "") for w in morph.words(lemma))  # у/в alike


_PATRONYMIC = re.compile(r"(?:ович|евич|євич|йович|івн|ївн|овн)\w{0,3}$")


def _any_name_parse(key: str) -> bool:
    return any("Name" in p.tag.grammemes for p in morph.parses(key))


def _roles(words: list[str]) -> list[str] | None:
    """given_name / patronymic_name / family_name for each of 1-3 name words (initials excluded)."""
    keys = [morph.norm_key(w) for w in words]
    if len(words) == 1:
        return ["given_name" if _any_name_parse(keys[0]) else "family_name"]
    if len(words) == 2:
        if _PATRONYMIC.search(keys[1]) and _any_name_parse(keys[0]):
            return ["given_name", "patronymic_name"]
        if not _any_name_parse(keys[0]) and _any_name_parse(keys[1]):
            return ["family_name", "given_name"]
        return ["given_name", "family_name"]
    if len(words) == 3:
        if _PATRONYMIC.search(keys[2]):
            return ["family_name", "given_name", "patronymic_name"]
        if _PATRONYMIC.search(keys[1]):
            return ["given_name", "patronymic_name", "family_name"]
    return None


def indeclinable(key: str) -> bool:
    """Шойгу, Васадзе, Паулі: the dictionary knows the name as indeclinable, or does not know it and it
    ends in a vowel no Ukrainian paradigm ends a nominative with (Джентлі)."""
    ps = morph.parses(key)
    if any(p.is_known and "Fixd" in p.tag.grammemes and morph.is_name_parse(p) for p in ps):
        return True
    if any(p.is_known for p in ps):
        return False
    # Джентлі, Чачуа, Едіє: foreign vowel endings no Ukrainian case form has
    return (key.endswith(("е", "є", "уа", "іа", "еа", "оа", "ія")) and not key.endswith(("ове", "еве", "ине"))) or (
        key.endswith("і") and not key.endswith(("ові", "еві", "єві", "ці", "зі", "сі", "ні", "ті", "ій")))


_FEM_ENDINGS = ("ої", "ської", "цької", "ській", "цькій")


def _plain_nominative(key: str) -> bool:
    """The dictionary knows `key` as a name in the nominative singular and in no oblique case."""
    ps = [p for p in morph.parses(key) if p.is_known and p.tag.POS == "NOUN"]
    return bool(ps) and all((p.tag.case == "nomn" and "plur" not in p.tag.grammemes) or "Fixd" in p.tag.grammemes
                            for p in ps) and any(morph.is_name_parse(p) for p in ps)


def _only_oblique(key: str) -> bool:
    """The dictionary knows `key` only in an oblique case (Робертом, Оленою)."""
    ps = [p for p in morph.parses(key) if p.is_known and p.tag.POS == "NOUN"]
    return bool(ps) and not any(p.tag.case == "nomn" or "Fixd" in p.tag.grammemes for p in ps)


_FEM_SURNAME = ("ова", "ева", "єва", "іна", "їна", "ина", "ська", "цька", "зька", "ая", "ко", "ук", "юк", "ич")


def _known_nominative(key: str, tag: str | None = None) -> bool:
    """The dictionary knows `key` as a name (a given name with `tag` "Name") in the nominative
    (Василь, not Василева)."""
    head = key.split("-")[0]
    return any(p.is_known and (tag in p.tag.grammemes if tag else morph.is_name_parse(p))
               and (p.tag.case == "nomn" or "Fixd" in p.tag.grammemes)
               and morph.norm_key(p.normal_form) == head for p in morph.parses(head))


def _best_reading(res: dict, role: str, word: str, surface) -> str:
    """shevchenko's reading of one field, or an alternative the corpus or the dictionary backs
    (Карпенка-Карого: Карпенко-Карий, not Карпенк-Карий)."""
    first = res.get(role, word)
    options = [first] + [a for a in res.get("alternatives", {}).get(role, []) if a != word]

    def backed(o: str) -> tuple:
        key = morph.norm_key(o)
        return (key in surface, _known_nominative(key), o == first)
    return max(options, key=backed)


@lru_cache(maxsize=morph.PARSE_CACHE)
def _shevchenko_nominative(fields: tuple, gender: str | None, case: str | None = None):
    try:
        import shevchenko
    except ImportError:  # pragma: no cover - optional: the suffix model stands in
        return None
    kwargs = {k: v for k, v in (("gender", gender), ("case", case)) if v}
    try:
        return shevchenko.to_nominative(dict(fields), **kwargs)
    except Exception:  # noqa: BLE001 - unresolvable gender or an unknown shape
        return None


_CASES = {"gent": "genitive", "datv": "dative", "accs": "accusative", "ablt": "ablative", "loct": "locative"}
_GENDERS = {"masc": "masculine", "femn": "feminine"}


def _readings(fields: tuple, oblique: bool = False) -> list[dict]:
    """shevchenko-py's nominatives for each gender and case the dictionary allows the given name
    (Олега: masculine genitive/accusative; Мирослава: masculine genitive or feminine nominative);
    telling it both makes it ten times faster than letting it search."""
    given = [w for role, w in fields if role == "given_name"]
    combos: set[tuple[str, str | None]] = set()
    if given:
        for p in morph.parses(morph.norm_key(given[0])):
            g = _GENDERS.get(p.tag.gender or "")
            if "Name" in p.tag.grammemes and g and "plur" not in p.tag.grammemes:
                case = "genitive" if p.tag.case == "accs" and g == "masculine" else _CASES.get(p.tag.case or "")
                combos.add((g, case if p.tag.case != "nomn" else "nominative"))
    if oblique and any(case != "nominative" for _, case in combos):
        combos = {c for c in combos if c[1] != "nominative"}  # про Олександра Петренка: not a woman's name
    if not combos:
        combos = {("masculine", None), ("feminine", None)}
    out = []
    for g, case in sorted(combos, key=str):
        if case == "nominative":
            out.append({**{role: w for role, w in fields}, "gender": g})
            continue
        r = _shevchenko_nominative(fields, g, case)
        if r:
            out.append(r)
    return out


def person_nominative(words: list[str], surface: frozenset | set = frozenset(),
                      oblique: bool = False) -> list[str] | None:
    """The nominative of a person's name as written (Оленою Кузнєцовою → Олена Кузнєцова,
    Олега Попова → Олег Попов, Марія Попова stays), keeping the gender of the form and leaving
    indeclinable names (Васадзе, Сарно) alone; initials are kept. None when the words do not look
    like a Ukrainian person's name or shevchenko-py is not installed.

    Where the form alone cannot tell the gender (Мирослава Дочинця: a man's name in the genitive or
    a woman's in the nominative), the reading whose nominative the corpus also has (`surface`: the
    match keys of capitalised words seen) wins, then one that leaves no word in a form that cannot be
    a nominative, then the one in which all words change or none do. `oblique`: the context shows
    the name is not in the nominative (a preposition before it).
    """
    names = [w for w in words if len(w) > 1]
    if not names or len(names) > 3 or not all(morph.is_cyrillic(w) and not morph.is_acronym(w) for w in names):
        return None
    roles = ["family_name"] if len(names) == 1 < len(words) else _roles(names)  # Р. Семона: a surname
    if roles is None:
        return None
    fields = tuple(zip(roles, names))
    if not oblique and all(_plain_nominative(morph.norm_key(w)) for w in names):
        return [_APOSTROPHE.sub("'", w) for w in words]  # Марія Попова, Тарас Шевченко: nothing to do
    readings = _readings(fields, oblique)
    if not readings:
        return None

    def score(r) -> tuple:
        out = [r.get(role, w) for role, w in fields]
        changed = [o != w for o, w in zip(out, names)]
        seen = sum(morph.norm_key(o) in surface for o, c in zip(out, changed) if c)
        fem_form = r.get("gender") == "feminine" and any(
            morph.norm_key(w).endswith(_FEM_ENDINGS) for role, w in fields if role == "family_name")
        # a word left as it is must be able to be a nominative (Робертом, Дочинця cannot)
        stuck = sum(not c and _only_oblique(morph.norm_key(w)) for w, c in zip(names, changed))
        known = sum(_known_nominative(morph.norm_key(o), "Name" if role == "given_name" else None)
                    for o, (role, _) in zip(out, fields))
        if r.get("gender") == "feminine" and "given_name" not in roles and not any(
                morph.norm_key(w).endswith(_FEM_SURNAME) or indeclinable(morph.norm_key(w)) for w in names):
            known -= 1  # Р. Семона: without a given name, a feminine surname needs a feminine shape
        return (seen + fem_form - 2 * stuck, known, all(changed) or not any(changed), r.get("gender") == "masculine")
    res = max(readings, key=score)
    values = []
    for role, w in fields:
        v = w if indeclinable(morph.norm_key(w)) else _best_reading(res, role, w, surface)
        tag = "Name" if role == "given_name" else None
        if not _known_nominative(morph.norm_key(v), tag) or (v == w and _only_oblique(morph.norm_key(w))):
            # another reading may have this word right (Василеві Столяру: Василь from the dative
            # reading, Столяр from the locative one)
            others = [r.get(role, w) for r in readings if r is not res]
            better = [o for o in others if _known_nominative(morph.norm_key(o), tag)
                      or (v == w and o != w and not _only_oblique(morph.norm_key(o)))]
            if better:
                v = better[0]
        values.append(v)
    out, it = [], iter(values)
    for w in words:
        out.append(_APOSTROPHE.sub("'", next(it)) if len(w) > 1 else w)
    return out


_APOSTROPHE = re.compile(f"[{morph.APOSTROPHES}]")
