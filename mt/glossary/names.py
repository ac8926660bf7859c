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
    "марія": "Maria", "ірина": "Irina", "ольга": "Olga", "світлана": "Svetlana", "юлія": "Yulia",
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
    "срср": ("Soviet Union", "place"), "нато": ("NATO", "org"), "оон": ("UN", "org"),
    "єс": ("EU", "org"), "кремль": ("Kremlin", "org"), "зсу": ("Armed Forces of Ukraine", "org"),
    "курська область": ("Kursk Oblast", "place"), "держдума": ("State Duma", "org"),
}
CUES = {  # token-key prefixes that tell whose name follows
    "russian": ("росі", "рф", "російськ", "кремл", "держдум", "москв"),
    "ukrainian": ("україн", "зсу", "київ", "верховн"),
    "korean": ("кндр", "коре", "північнокорейськ", "південнокорейськ", "пхеньян", "сеул", "цтак"),
    "foreign": ("сша", "американськ", "нато", "альянс", "білого", "британ", "німеч", "франц",
                "іспан", "польськ", "генсек", "уряду"),
}
HEAD_NOUNS = {"область": "place", "район": "place", "край": "place", "республіка": "place",
              "округ": "place", "море": "place", "острів": "place", "півострів": "place",
              "університет": "org", "агентство": "org", "армія": "org", "служба": "org", "рада": "org",
              "міністерство": "org", "партія": "org", "сила": "org", "управління": "org",
              "бригада": "org", "дивізія": "org", "комітет": "org", "фонд": "org", "банк": "org"}

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

    Word by word, skeletons must be equal, or (in multi-word names) differ by
    one vowel: Горемикін/Горемікін, Йол/Йоль, Чоль/Чхоль, Гум/Гем.
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
                and diff[0][0] in morph.VOWELS and diff[0][1] in morph.VOWELS):
            return False
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
