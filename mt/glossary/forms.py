"""Ukrainian word-level helpers shared by glossary matching and extraction.

* tokenization with character offsets (apostrophes ʼ ' ’ ` and hyphens stay
  inside words);
* match keys: lowercase, one apostrophe, ґ→г, stress marks dropped,
  Latin look-alike letters inside Cyrillic words repaired;
* inflected forms of a dictionary (nominative) word: pymorphy3's lexeme for
  words its dictionary knows, plus a small suffix model for names no
  dictionary knows (Горемикін, Чхоль, Йоль, Мацегора, Сирський);
* lemma candidates for an inflected token (the reverse direction).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

APOSTROPHES = "'ʼ’`‘"
HYPHENS = "-‐‑"
_STRESS = "\u0300\u0301"
_LETTER = rf"[^\W\d_][{_STRESS}]?"
TOKEN_RE = re.compile(rf"(?:{_LETTER})+(?:[{HYPHENS}{APOSTROPHES}](?:{_LETTER})+)*")

_KEY_TABLE = str.maketrans({**{a: "'" for a in APOSTROPHES}, **{h: "-" for h in HYPHENS},
                            "ґ": "г", "Ґ": "г", "\u0300": None, "\u0301": None})
_HOMOGLYPHS = str.maketrans("AaBCcEeHIiKkMOoPpTXxy", "АаВСсЕеНІіКкМОоРрТХху")
_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[A-Za-z]")

# Grammemes that mark a proper name in the pymorphy3 Ukrainian dictionary
# (it has no Geox/Orgn: place names are plain nouns there).
NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Abbr"})
# Parts of speech that make a capitalised sentence-initial word a common word
# (Но, Але, Також, Нагадаємо...), never a name.
COMMON_POS = frozenset({"CONJ", "PRCL", "PREP", "INTJ", "ADVB", "NPRO", "PRED", "COMP",
                        "VERB", "INFN", "GRND", "PRTF", "PRTS", "NUMR"})
VOWELS = set("аеєиіїоуюя")
# Ukrainian function words and adverbs the dictionary leaves unanalysed or knows only as something
# else (ще, вже; про as the abbreviation ПРО): a written list, not a corpus count.
FUNCTION_WORDS = frozenset("""
а і й та та й але або й чи ні ані не ну на над під у в з із зі зо о об обо до від для по при про
без через між серед понад перед за коло біля поза крізь ще вже вже ж же б би хоч хай нехай лише
тільки навіть ось от оце аж як так теж також тобто бо що щоб коли де куди звідки тут там тоді
потім далі досі доти поки вже ледве майже дуже саме цей ця це ці той та те ті він вона воно вони
я ти ми ви мене мені тебе тобі нас вас їх їм нам вам його її йому їй да ой ах ех ага угу ого
немає нема є тому адже отже однак проте зате тож також нібито мовляв ніби зокрема ох агов гм ет ей
""".split())
FUNCTION_POS = frozenset({"CONJ", "PRCL", "PREP", "INTJ", "NPRO"})


class Token(NamedTuple):
    """A word in a text: its span, surface form and match key."""

    start: int
    end: int
    text: str
    key: str


# Cache sizes bound memory on a corpus of any size (about 170 B per norm_key entry, about 1 KB
# per parses entry); word frequencies are Zipfian, so a few thousand entries hold most hits.
NORM_CACHE = 32_768
PARSE_CACHE = 8_192


@lru_cache(maxsize=NORM_CACHE)
def norm_key(word: str) -> str:
    """The match key of a word: case, apostrophes, ґ/г and stress folded."""
    if _CYR.search(word) and _LAT.search(word):
        word = word.translate(_HOMOGLYPHS)
    return word.translate(_KEY_TABLE).lower()


def tokenize(text: str) -> list[Token]:
    """Word tokens of `text` with character offsets."""
    out = []
    for m in TOKEN_RE.finditer(text):
        word = m.group()
        out.append(Token(m.start(), m.end(), word, norm_key(word)))
    return out


def words(text: str) -> list[str]:
    """The surface words of a short phrase (a glossary spelling)."""
    return TOKEN_RE.findall(text)


def is_capitalized(word: str) -> bool:
    """True when the first letter is upper case (Путін, ЦТАК, NATO)."""
    return bool(word) and word[0].isupper()


def is_acronym(word: str) -> bool:
    """True for all-caps words of two or more letters (ЦТАК, КНДР, NATO)."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def sentence_initial(text: str, start: int) -> bool:
    """Does the word at `start` open a sentence, line, quote or list item?"""
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "«\"„“'(—–-[*•"):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?…:\n"


def is_cyrillic(word: str) -> bool:
    return bool(_CYR.search(word))


@lru_cache(maxsize=None)
def analyzer(lang: str = "uk"):
    """A cached pymorphy3 analyzer (None when the language's dictionary is missing)."""
    try:
        import pymorphy3
        return pymorphy3.MorphAnalyzer(lang=lang)
    except Exception:  # pragma: no cover - dictionaries are optional for "ru"
        return None


@lru_cache(maxsize=PARSE_CACHE)
def parses(key: str) -> tuple:
    """pymorphy3 parses of a match key (empty for non-Cyrillic words)."""
    if not is_cyrillic(key):
        return ()
    return tuple(analyzer("uk").parse(key))


def _pos(p) -> str | None:
    return p.tag.POS


def is_name_parse(p) -> bool:
    return bool(NAME_TAGS & p.tag.grammemes)


@lru_cache(maxsize=NORM_CACHE)
def is_common_word(key: str) -> bool:
    """True when the dictionary knows `key` as a function word, verb or adverb
    and never as a name (Но, Але, Також are common; Кім, Пак are not).

    Used to reject a capitalised sentence-initial token (Но, Але, Також) as a
    match for a single-word name entry, and as a name candidate.
    """
    if key in FUNCTION_WORDS:
        return True
    ps = parses(key)
    return (any(p.is_known and _pos(p) in COMMON_POS for p in ps)
            and not any(is_name_parse(p) for p in ps))


@lru_cache(maxsize=NORM_CACHE)
def is_function_word(key: str) -> bool:
    """A conjunction, preposition, particle, interjection or pronoun (На, Не, Та, Ну, Про), whatever
    else the dictionary also knows it as: what a one- or two-letter entry must never match."""
    return key in FUNCTION_WORDS or any(p.is_known and _pos(p) in FUNCTION_POS for p in parses(key))


def is_unknown(key: str) -> bool:
    """The dictionary knows no word `key` (its parses are all guesses)."""
    return is_cyrillic(key) and not any(p.is_known for p in parses(key))


def _has_tag(key: str, tag: str, nominative: bool = True) -> bool:
    return any(tag in p.tag.grammemes and (not nominative or p.tag.case == "nomn" or "Fixd" in p.tag.grammemes)
               for p in parses(key))


def is_given_name(key: str) -> bool:
    """The dictionary knows `key` as a given name (Тарас, Марія)."""
    return _has_tag(key, "Name")


def is_surname(key: str) -> bool:
    """The dictionary knows `key` as a surname (Шевченко, Антонович)."""
    return _has_tag(key, "Surn")


def is_patronymic(key: str) -> bool:
    """The dictionary knows `key` as a patronymic (Григорович, Петрівна)."""
    return _has_tag(key, "Patr")


# ---------------------------------------------------------------- suffix model

def _a_stem_forms(stem: str) -> set[str]:
    forms = {stem + e for e in ("и", "і", "у", "ою", "о", "ею")}
    for hard, soft in (("г", "з"), ("к", "ц"), ("х", "с")):  # Аляска → Алясці
        if stem.endswith(hard):
            forms.add(stem[:-1] + soft + "і")
    if stem.endswith(("ськ", "цьк", "зьк", "ов", "ев", "єв", "ін", "ин", "їн")):
        forms |= {stem + e for e in ("ої", "ій", "ою", "у")}  # Курська, Путіна
    return forms


def suffix_forms(key: str) -> set[str]:
    """Inflected forms of a name by ending alone (a fallback for unknown names).

    Paradigms: consonant-final masculine (Горемикін → Горемикіна/-ну/-ним,
    Кім → Кімом, Гван → Гвана), -ь soft stems (Йоль → Йолю/Йолем, Чхоль →
    Чхолем), -ий/-ій adjectival surnames (Сирський → Сирського), -й stems,
    -а/-я nouns (Мацегора → Мацегори/Мацегорою, Корея → Кореї), -о nouns.
    Vowel-final foreign names (Шойгу, Кірбі) are indeclinable.
    """
    forms = {key}
    if not key or not is_cyrillic(key) or "-" in key:
        return forms
    last = key[-1]
    if last == "ь":
        stem = key[:-1]
        forms |= {stem + e for e in ("я", "ю", "ем", "еві", "і", "е")}
    elif key.endswith(("ий", "ій")) and len(key) > 4:
        stem = key[:-2]
        soft = key.endswith("ій") and not stem.endswith(("ськ", "цьк", "зьк"))
        forms |= {stem + e for e in (("ього", "ьому", "ім") if soft else ("ого", "ому", "им", "ім"))}
        if key.endswith("ій"):  # Сергій, Андрій
            forms |= {stem + e for e in ("ія", "ію", "ієм", "ієві", "ії")}
    elif last == "й":
        stem = key[:-1]
        forms |= {stem + e for e in ("я", "ю", "єм", "єві", "ї")}
    elif last == "а":
        forms |= _a_stem_forms(key[:-1])
    elif last == "я":
        stem = key[:-1]
        forms |= {stem + e for e in ("ї", "ю", "єю", "є", "і", "ею", "е")}
    elif last == "о" and len(key) > 2:
        stem = key[:-1]
        forms |= {stem + e for e in ("а", "у", "ові", "ом", "і")}
    elif last not in VOWELS and last.isalpha():
        forms |= {key + e for e in ("а", "у", "ові", "ом", "і", "е")}
        if key.endswith(("ін", "ин", "їн", "ов", "ев", "єв", "ів")):
            forms |= {key + "им", key + "ім"}
            forms |= {key + e for e in ("и", "их", "ими")}  # plural: Іванови, Іванових
        else:  # plural of a surname: Антоновичі, Антоновичів, Антоновичам
            forms |= {key + e for e in ("и", "ів", "ам", "ами", "ах")}
    if key.endswith(("ський", "цький", "зький")):
        forms |= {key[:-2] + e for e in ("і", "их", "им", "ими")}  # Грушевські, Грушевських
    elif last == "о" and len(key) > 3 and key.endswith(("ко", "ло")):
        forms |= {key[:-1] + e for e in ("и", "ів", "ам", "ами", "ах")}  # Шевченки, Шевченків
    return forms


def _lexeme_keys(p) -> set[str]:
    return {norm_key(f.word) for f in p.lexeme}


@lru_cache(maxsize=PARSE_CACHE)
def word_forms(word: str, name: bool = False) -> frozenset[str]:
    """Match keys of every inflected form of one dictionary-form word.

    pymorphy3 decides for words its dictionary (or its predictor) analyses
    as nominative: their whole lexeme is taken. Words given in an oblique
    case (Кореї in "агентство Кореї", імені) stay fixed. The suffix model
    adds forms for capitalised words (names) and for words pymorphy3 cannot
    analyse. Acronyms and Latin-script words never inflect.
    """
    key = norm_key(word)
    if not is_cyrillic(key) or is_acronym(word):
        return frozenset({key})
    if "-" in key:  # Римський-Корсаков, РБК-Україна: every part inflects
        head, _, tail = word.rpartition("-")
        heads = word_forms(head) if not is_acronym(head) else {norm_key(head)}
        tails = word_forms(tail)
        if len(heads) * len(tails) > 400:
            heads = {norm_key(head)}
        return frozenset(f"{h}-{t}" for h in heads for t in tails)
    forms = {key}
    found = False
    for p in parses(key):
        if _pos(p) not in ("NOUN", "ADJF", None) or p.word != key:
            continue
        if p.tag.case == "nomn" or "Fixd" in p.tag.grammemes:
            forms |= _lexeme_keys(p)
            found = True
    if is_capitalized(word) or name or not found:
        forms |= suffix_forms(key)
    return frozenset(forms)


# ---------------------------------------------------------------- lemmas

_OBLIQUE = ("ові", "еві", "єві", "ого", "ому", "ього", "ьому", "ою", "ею", "єю", "ом", "ем",
            "єм", "им", "ім", "ої", "ій", "ія", "ію", "ії", "у", "ю", "а", "я", "і", "ї", "е", "и")
_NOMINATIVE = ("", "ь", "й", "а", "я", "ий", "ій", "о", "ія")


@lru_cache(maxsize=PARSE_CACHE)
def suffix_lemmas(key: str) -> tuple[str, ...]:
    """Nominative keys whose suffix-model paradigm contains `key`."""
    out = []
    for ending in _OBLIQUE:
        if key.endswith(ending) and len(key) - len(ending) >= 2:
            stem = key[: len(key) - len(ending)]
            for nom in _NOMINATIVE:
                cand = stem + nom
                if cand != key and key in suffix_forms(cand):
                    out.append(cand)
        # Аляска/Алясці: undo the consonant alternation before -і
    for hard, soft in (("г", "з"), ("к", "ц"), ("х", "с")):
        if key.endswith(soft + "і"):
            out.append(key[:-2] + hard + "а")
    return tuple(dict.fromkeys(out))


def lemma_candidates(key: str) -> list[tuple[str, float]]:
    """(nominative key, score) guesses for an inflected name token.

    Scores: name-tagged pymorphy3 parses > other dictionary parses > suffix
    model > the token itself. Callers add corpus evidence on top.
    """
    scores: dict[str, float] = {key: 0.5}
    for p in parses(key):
        if _pos(p) not in ("NOUN", "ADJF", None):
            continue
        if "Name" in p.tag.grammemes and "plur" in p.tag.grammemes:
            continue  # Раїс is a man's name, not the plural genitive of Раїса
        nf = norm_key(p.normal_form)
        s = 1.0 + p.score + (2.0 if is_name_parse(p) else 0.0) + (1.0 if p.is_known else 0.0)
        scores[nf] = max(scores.get(nf, 0.0), s)
    for cand in suffix_lemmas(key):
        scores[cand] = max(scores.get(cand, 0.0), 1.5)
    return sorted(scores.items(), key=lambda kv: -kv[1])
