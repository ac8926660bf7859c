"""What a Ukrainian word can be, for drafts: parts of speech, given names, common words, org parts.

Split from `mt.glossary.draft`, which builds drafts from them.
"""
from __future__ import annotations

import re

from mt.glossary import forms as morph
from mt.glossary.names import (
    EXONYMS,
    HEAD_NOUNS,
    KOREAN,
    RU_GIVEN,
)


def _best_pos(key: str) -> str | None:
    ps = morph.parses(key)
    return ps[0].tag.POS if ps else None


def _is_adj(key: str) -> bool:
    """An adjective (Курській, Північної), not an adjective-shaped surname (Сирського)."""
    ps = morph.parses(key)
    if any(p.tag.POS == "ADJF" and p.is_known for p in ps):
        return True
    return bool(ps) and ps[0].tag.POS == "ADJF" and not any(morph.is_name_parse(p) for p in ps)


def _oblique_common(key: str) -> bool:
    """A dictionary common noun that cannot be nominative here (України, Штатів)."""
    ps = [p for p in morph.parses(key) if p.tag.POS == "NOUN"]
    return (bool(ps) and all(p.is_known and not morph.is_name_parse(p) for p in ps)
            and not any(p.tag.case == "nomn" and "plur" not in p.tag.grammemes or "Fixd" in p.tag.grammemes
                        for p in ps) and key not in KOREAN)


def _inflected_gent(key: str) -> bool:
    return any(p.tag.case == "gent" and "Fixd" not in p.tag.grammemes
               and morph.norm_key(p.normal_form) != key for p in morph.parses(key))


def _personal(key: str) -> bool:
    """Part of a person's name: a Korean syllable, a given name, a surname or a patronymic."""
    return key in KOREAN or _FEMALE_PATRONYMIC.search(key) is not None or any(
        "Name" in p.tag.grammemes or "Surn" in p.tag.grammemes or "Patr" in p.tag.grammemes
        or morph.norm_key(p.normal_form) in RU_GIVEN for p in morph.parses(key))


# Володимирівна, Олексіївни: the dictionary knows some women's patronymics only as common nouns
_FEMALE_PATRONYMIC = re.compile(r"\w{3}(?:івн|ївн|овн)(?:а|и|і|у|ою)$")


def _patronymic(key: str) -> bool:
    return _FEMALE_PATRONYMIC.search(key) is not None or any("Patr" in p.tag.grammemes for p in morph.parses(key))


def _org_head(key: str) -> bool:
    nf = _lemma_in(key, HEAD_NOUNS)
    return (HEAD_NOUNS.get(key) or HEAD_NOUNS.get(nf or "")) == "org" or key in ("міністрів",)


def _gent_noun(key: str) -> bool:
    ps = morph.parses(key)
    return not any(morph.is_name_parse(p) for p in ps) and any(
        p.tag.POS == "NOUN" and p.tag.case == "gent" and p.is_known for p in ps)


def _place_genitive(key: str) -> bool:
    """Україна's, Київ's... genitive: a settled place name in an oblique case (України, Києва)."""
    return any(p.tag.case == "gent" and morph.norm_key(p.normal_form) in EXONYMS for p in morph.parses(key))


def _known_given(key: str) -> bool:
    """The dictionary itself (not its guesser) knows `key` as a given name (or it is one of the
    given names the dictionary lists only as something else: Богдан, Володимир)."""
    return any(("Name" in p.tag.grammemes or morph.norm_key(p.normal_form) in _UNTAGGED_GIVEN) and p.is_known
               for p in morph.parses(key))


def _given(key: str) -> bool:
    return any("Name" in p.tag.grammemes or morph.norm_key(p.normal_form) in _UNTAGGED_GIVEN
               for p in morph.parses(key))


_UNTAGGED_GIVEN = frozenset({"богдан", "володимир"})  # the dictionary has them, but not tagged Name


def _exonym_form(key: str) -> bool:
    """A form of a settled place name (Києві, Львові), whatever else the dictionary reads in it (Кий)."""
    return any(morph.norm_key(p.normal_form) in EXONYMS and "Name" not in p.tag.grammemes for p in morph.parses(key))


def _known_common(key: str) -> bool:
    """The dictionary knows the word, and not as a name (Росії, Кремль)."""
    ps = morph.parses(key)
    return any(p.is_known for p in ps) and not any(morph.is_name_parse(p) for p in ps)


def _lemma_in(key: str, options) -> str | None:
    for p in morph.parses(key):
        nf = morph.norm_key(p.normal_form)
        if nf in options:
            return nf
    return None


def _is_headline(toks: list[morph.Token]) -> bool:
    return len(toks) >= 2 and all(morph.is_capitalized(t.text) for t in toks)


def _is_initial(tok: morph.Token) -> bool:
    return len(tok.text) == 1 and tok.text.isupper()


_ORG_PREFIXES = ("укр", "держ", "нац", "генпрокур", "міно", "мінфін", "мінюст", "мінрег", "мінек", "мінагро",
                 "мінсоц", "мінкульт", "мінцифр", "мінінфра", "мінприроди", "міненерго", "мінздоров")


_ORG_PARTS = ("енерго", "атом", "газ", "нафт", "буд", "пром", "бетон", "сервіс", "інвест", "трейд", "торг",
              "трест", "холдинг", "прокуратур", "інспекці", "лізинг", "постач", "автодор", "залізниц")


def _org_word(key: str) -> bool:
    """A compound that names an organisation (Укрзалізниця, Київрада, Енергоатом), not a place."""
    if key.startswith("україн") or len(key) < 6:
        return False
    return key.startswith(_ORG_PREFIXES) or any(p in key[2:] for p in _ORG_PARTS) or (
        key.endswith(("рада", "ради")) and len(key) > 6)


def _dotted_initial(sentence: str, tok: morph.Token) -> bool:
    """І. Франко, Кисельов В. І.: a capital letter with its dot is an initial, not the conjunction."""
    return _is_initial(tok) and sentence[tok.end:tok.end + 2].lstrip(" ").startswith(".")


def _dictionary_common_noun(key: str) -> bool:
    """The dictionary knows `key` only as an inanimate common noun (Закон, Біблія, Різдво, Словник), not
    as a proper name: pymorphy3-dicts-uk writes the tags of common-noun entries `NOUN,inan <gender>` and
    those of proper names `NOUN,<gender>,inan` (Київ, Волинь, Говерла, Фейсбук)."""
    ps = [p for p in morph.parses(key) if p.is_known and p.tag.POS == "NOUN" and morph.norm_key(p.normal_form) == key]
    return bool(ps) and key not in EXONYMS and key not in HEAD_NOUNS and not _org_word(key) and not any(
        morph.is_name_parse(p) for p in ps) and all(str(p.tag).startswith("NOUN,inan") for p in ps)


# Words Ukrainian spelling capitalises that name no person, organisation or place: feasts, sacred
# books, sacraments, the Internet, events, the constitution and state symbols (на Різдво, у Біблії, в
# Інтернеті, до Нового року, до Євро-2012, Конституції, Державного Герба).
CAPITALISED_COMMON = frozenset("""
різдво святвечір великдень пасха трійця водохреще покрова стрітення
біблія євангеліє євангелія письмо коран тора псалтир причастя таїнство хрещення
інтернет голокост голодомор реформація
євро евро євробаскет мундіаль паралімпіада євробачення конституція
""".split()) | {"новий рік", "державний герб", "державний прапор", "державний гімн"}


def _place_head(key: str) -> bool:
    """A place noun that a capitalised name may follow as it is (Республіки Крим, Майдані Незалежності)."""
    return _lemma_in(key, _NAMED_PLACE_HEADS) is not None


_NAMED_PLACE_HEADS = frozenset({"республіка", "острів", "півострів", "край", "майдан", "площа"})


def _name_possessive(key: str) -> bool:
    """A possessive adjective made from a given name (Дориної, Ірмина, Данковою, Майчин: Дора's, Ірма's,
    Данко's, Майка's), which names the person."""
    ps = morph.parses(key)
    if not ps or not all(p.tag.POS == "ADJF" for p in ps):
        return False
    for p in ps:
        nf = morph.norm_key(p.normal_form)
        stems = []
        if nf.endswith(("ин", "ін", "їн")):
            stems = [nf[:-2] + "а", nf[:-2] + "я"] + ([nf[:-3] + "ка"] if nf[-3:-2] == "ч" else [])
        elif nf.endswith(("ів", "їв")):
            stems = [nf[:-2] + "о", nf[:-2] + "а"]
        if any(_known_given(x) for x in stems):
            return True
    return False


# The regional tail of a state body's name: Держгеокадастру | у Волинській області, ГУ СБУ | в м. Києві,
# ДПІ | у Деснянському районі. Ukrainian officialese names a branch by "у/в" + the region it serves.
_REGION_NOUNS = frozenset({"області", "обл", "районі", "р-ні", "місті"})


def _is_org_piece(piece: list[morph.Token]) -> bool:
    """A run that names an organisation by itself: an org head noun (Служби, Управління), an org-shaped
    compound (Держгеокадастру, Нацполіції) or an acronym that is no country (СБУ, ДСНС; not США)."""
    return any(_org_head(t.key) or _org_word(t.key) or (
        morph.is_acronym(t.text) and len(t.key) > 1 and EXONYMS.get(t.key, ("", "org"))[1] == "org")
        for t in piece)


def _regional_tail(toks: list[morph.Token], gap_ok: list[bool], k: int) -> int:
    """The end of "у/в [м.|місті] <Region> області|районі" or "у/в м.|місті <City>" starting at `k`
    (the preposition), or `k` when no such tail follows."""
    def ok(i: int) -> bool:
        return i < len(toks) and gap_ok[i]
    if not (ok(k) and toks[k].key in ("у", "в") and toks[k].text.islower()):
        return k
    m, city = k + 1, False
    if ok(m) and toks[m].key in ("м", "місті"):
        m, city = m + 1, True
    start = m
    while ok(m) and morph.is_capitalized(toks[m].text) and _is_adj(toks[m].key):
        m += 1
        if ok(m + 1) and toks[m].key in ("та", "і", "й") and morph.is_capitalized(toks[m + 1].text):
            m += 1  # у Донецькій та Луганській областях
    if m > start and ok(m) and not morph.is_capitalized(toks[m].text) and (
            toks[m].key in _REGION_NOUNS or toks[m].key in ("областях", "районах")):
        return m + 1
    if city and m == start and ok(m) and morph.is_capitalized(toks[m].text) and not morph.is_acronym(toks[m].text):
        return m + 1  # в м. Києві
    return k


def tail_start(words: list[str]) -> int | None:
    """Where the regional tail of an org name begins (the index of its lower-case у/в), if it has one."""
    for i, w in enumerate(words[1:], 1):
        if w in ("у", "в"):
            return i
    return None


# ЗакДУ, СхідГЗК, ГоловКРУ, МінАПП: a syllable and an acronym written as one word; УДАРу, СЕТАМу: an
# acronym with a case ending. Both are how Ukrainian writes the short names of organisations.
_MIXED_ABBREVIATION = re.compile(r"^(?:[А-ЯІЇЄҐ][а-яіїєґ']{1,6}[А-ЯІЇЄҐ]{2,}|([А-ЯІЇЄҐ]{3,})[а-яіїєґ]{1,2})$")


def _abbreviation(text: str) -> str | None:
    """The name as written (ЗакДУ) or without its case ending (УДАРу → УДАР), for a mixed abbreviation."""
    m = _MIXED_ABBREVIATION.match(text)
    return (m.group(1) or m.group(0)) if m else None
