"""Glossary drafts: name candidates from Ukrainian texts, clustered by spelling variant.

`extract_candidates` finds capitalised word sequences (plus org/place phrases
such as "Курська область", "Корейська народна армія"), drops sentence-initial
common words (pymorphy3 plus corpus evidence), reduces each to its
dictionary form, clusters spelling variants (Горемикін/Горемікін, Йол/Йоль,
Гум/Гем, Чоль/Чхоль) and proposes an English target. `auto_glossary` turns the
multi-spelling clusters into a glossary so one run spells each name one way.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from mt.glossary import forms as morph
from mt.glossary.format import Entry
from mt.glossary.match import Glossary
from mt.glossary.names import (
    COMMON_ACRONYMS,
    CUES,
    EXONYMS,
    HEAD_NOUNS,
    KOREAN,
    LEGAL_FORMS,
    ORG_MORPHEMES,
    ROMAN,
    RU_GIVEN,
    STREET_WORDS,
    cluster_key,
    indeclinable,
    looks_russian,
    person_nominative,
    propose_target,
    same_name,
    skeleton,
)
from mt.glossary.romanize import romanize

_SENT = re.compile(r"(?<=[.!?…])\s+(?=[«\"„“A-ZА-ЯЄІЇҐ])")


@dataclass
class Candidate:
    """A draft glossary row: spelling variants of one name and a proposed target."""

    spellings: list[str]
    target: str
    type: str
    count: int
    documents: list[str]
    example: str
    origin: str  # ukrainian / russian / korean / foreign / latin / known / phrase / unknown
    status: str  # "ok" or "check"
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return "|".join(self.spellings)

    def as_dict(self) -> dict:
        return {"spellings": self.spellings, "target": self.target, "type": self.type,
                "count": self.count, "documents": self.documents, "origin": self.origin,
                "status": self.status, "counts": self.counts, "example": self.example}


Cluster = Candidate  # auto_glossary's clusters are multi-spelling candidates


@dataclass
class _Occurrence:
    lemma: str
    doc: str
    sentence: str
    origin: str | None
    kind: str | None = None  # type evidence: org (legal form, quotes), person (initials), place (street)


# ---------------------------------------------------------------- runs

_NO_END = re.compile(r"(?<![^\s.])(?:[A-ZА-ЯЄІЇҐ]|вул|просп|пров|бульв|пл|ім|м|с|смт|обл|р-н|буд|кв|д|ст|"
                     r"проф|акад|доц|св|о|т\.\s?зв)\s?\.$")


def _sentences(text: str) -> list[str]:
    """Sentences of `text`, never cut after an initial or an abbreviation (Т. Шевченко, вул. Лісова)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        pos = 0
        for m in _SENT.finditer(line):
            if _NO_END.search(line, max(0, m.start() - 8), m.start()):
                continue
            if m.start() > pos:
                out.append(line[pos:m.start()])
            pos = m.end()
        if line[pos:]:
            out.append(line[pos:])
    return out


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
    """Part of a person's name: a Korean syllable, a given name or a surname."""
    return key in KOREAN or any("Name" in p.tag.grammemes or "Surn" in p.tag.grammemes or "Patr" in p.tag.grammemes
                                or morph.norm_key(p.normal_form) in RU_GIVEN for p in morph.parses(key))


def _patronymic(key: str) -> bool:
    return any("Patr" in p.tag.grammemes for p in morph.parses(key))


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
    """The dictionary itself (not its guesser) knows `key` as a given name."""
    return any("Name" in p.tag.grammemes and p.is_known for p in morph.parses(key))


def _given(key: str) -> bool:
    return any("Name" in p.tag.grammemes for p in morph.parses(key))


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


def _runs(sentence: str, toks: list[morph.Token], blocked: set[int] = frozenset()
          ) -> Iterator[tuple[list[morph.Token], bool, bool]]:
    """(run, sentence_initial, headline) for capitalised runs of the tokenized `sentence`, split at
    name boundaries; the last piece of a run is extended over a following phrase. Initials join the
    name they stand by (Т. Г. Шевченко, Шевченко Т.Г.); tokens in `blocked` are taken already."""
    headline = _is_headline(toks)
    gap_ok = [False]
    for k, (a, b) in enumerate(zip(toks, toks[1:]), 1):
        gap = sentence[a.end:b.start]
        gap_ok.append(k not in blocked and k - 1 not in blocked and (
            not gap.strip() or (gap.strip() == "." and "\n" not in gap
                                and (_is_initial(a) or a.key in _PLACE_ABBR))))
    i = 0
    while i < len(toks):
        if i in blocked or not morph.is_capitalized(toks[i].text):
            i += 1
            continue
        j = i + 1
        while j < len(toks) and gap_ok[j] and morph.is_capitalized(toks[j].text):
            j += 1
        pieces = _split(toks[i:j])
        end = _extend(toks, gap_ok, j)
        pieces[-1] = pieces[-1] + toks[j:end]
        for piece in pieces:
            yield piece, headline or morph.sentence_initial(sentence, piece[0].start), headline
        i = end


FOREIGN_LEGAL = frozenset({"лтд", "ltd", "llc", "inc", "gmbh", "лімітед", "інк", "корп", "limited", "ag", "sa",
                           "груп", "group", "холдингс", "holdings"})
_PLACE_ABBR = frozenset({"м", "с", "смт"})


def _extend(toks, gap_ok, j: int) -> int:
    """Absorb "Курській області", "Ради безпеки Росії", "університету імені Кім Ір Сена"."""
    last = toks[j - 1].key
    head_cap = _lemma_in(last, HEAD_NOUNS) is not None
    if not (_is_adj(last) or head_cap):
        return j
    k = j
    while k < len(toks) and gap_ok[k] and not morph.is_capitalized(toks[k].text) and _is_adj(toks[k].key):
        k += 1
    if not (k < len(toks) and gap_ok[k] and not morph.is_capitalized(toks[k].text)
            and _best_pos(toks[k].key) == "NOUN" and (head_cap or _lemma_in(toks[k].key, HEAD_NOUNS))):
        return j
    k += 1
    if k + 1 < len(toks) and toks[k].key == "імені" and morph.is_capitalized(toks[k + 1].text):
        k += 1
        seen_gent = False
        while k < len(toks) and gap_ok[k] and morph.is_capitalized(toks[k].text):
            gent = _inflected_gent(toks[k].key)
            if seen_gent and not gent:
                break
            seen_gent, k = seen_gent or gent, k + 1
        return k
    while k < len(toks) and gap_ok[k] and (
            (morph.is_capitalized(toks[k].text) and (_is_adj(toks[k].key) or not _personal(toks[k].key)))
            or (toks[k].key in _PLACE_ABBR and k + 1 < len(toks) and gap_ok[k + 1]
                and morph.is_capitalized(toks[k + 1].text))):  # суду м. Києва
        k += 1
        if _is_adj(toks[k - 1].key) and k < len(toks) and gap_ok[k] and _best_pos(toks[k].key) == "NOUN":
            return k + 1
    return k


def _split(run: list[morph.Token]) -> list[list[morph.Token]]:
    """Split "КНДР Кім Чен Ин", "Росії Віктор Горемикін", "України Кремль"."""
    out, cur = [], []
    for n, t in enumerate(run):
        if cur:
            prev = cur[-1]
            cyr = morph.is_cyrillic(prev.text) and morph.is_cyrillic(t.text)
            nxt = run[n + 1] if n + 1 < len(run) else None
            if (_is_initial(prev) and cyr and len(t.text) > 1 and _known_common(t.key) and not _personal(t.key)
                    and not _is_adj(t.key) and any(p.tag.POS == "NOUN" and p.is_known
                                                   for p in morph.parses(t.key))):  # В. І. Критської is a surname
                out.append(cur)  # Васильєвою Т. І. | Сутність ...: the next sentence
                cur = []
            elif (_is_initial(t) and not _is_initial(prev) and not _personal(prev.key)
                  and (_known_common(prev.key) or morph.is_acronym(prev.text))):
                out.append(cur)  # НАН України | Н. Ф. Клименко
                cur = []
            elif _is_initial(prev) or _is_initial(t) or t.key in FOREIGN_LEGAL:
                pass  # Т. Шевченко, Шевченко Т., Зевс ЛТД
            elif morph.is_acronym(prev.text) and t.key in ("україни", "рф"):
                pass  # МВС України, ЗС України
            elif ROMAN.match(t.text) and _personal(prev.key):
                pass  # Катерина II
            elif (morph.is_acronym(t.text) and not morph.is_acronym(prev.text) and t.key not in LEGAL_FORMS
                  and _is_adj(prev.key) and morph.is_capitalized(prev.text)):
                pass  # Дніпропетровської ОДА, Кременчуцькому НПЗ
            elif cyr and _org_head(prev.key) and (_place_genitive(t.key) or _gent_noun(t.key)):
                pass  # Верховної Ради України, Кабінету Міністрів України
            elif (cyr and _known_given(t.key) and not _is_adj(prev.key)
                  and (not _given(prev.key) or _org_head(prev.key)) and not _patronymic(prev.key)
                  and not (nxt is not None and _patronymic(nxt.key)) and prev.key not in KOREAN
                  and t.key not in KOREAN):
                out.append(cur)  # дружина Кравця | Марина Пелих; Порошенко Петро Олексійович stays whole
                cur = []
            elif (morph.is_acronym(prev.text) != morph.is_acronym(t.text)
                    or (cyr and _personal(t.key) and not _personal(prev.key) and _known_common(prev.key)
                        and not (_org_head(t.key) and _is_adj(prev.key)))  # Верховної Ради
                    or (cyr and len(cur) >= 2 and _known_given(t.key) and not _patronymic(t.key)
                        and _given(cur[0].key) and not _known_common(t.key)
                        and t.key not in KOREAN and cur[0].key not in KOREAN)  # two people side by side
                    or (cyr and _oblique_common(prev.key) and not _is_adj(prev.key))
                    or (cyr and _is_adj(t.key) and not _is_adj(prev.key) and not _personal(prev.key))):
                out.append(cur)
                cur = []
        cur.append(t)
    return out + [cur]


# ---------------------------------------------------------------- lemmas

def _case_like(word: str, model: str) -> str:
    if morph.is_acronym(model):
        return word.upper()
    parts, mparts = word.split("-"), model.split("-")
    if len(parts) == len(mparts):
        return "-".join(p[:1].upper() + p[1:] if morph.is_capitalized(m) else p for p, m in zip(parts, mparts))
    return word[:1].upper() + word[1:] if morph.is_capitalized(model) else word


def _inflect(key: str, pos: str, grammemes: set[str]) -> str:
    head, sep, tail = key.rpartition("-")
    for p in morph.parses(tail):
        if p.tag.POS == pos:
            q = p.inflect(grammemes)
            if q is not None:
                return head + sep + morph.norm_key(q.word)
    return key


def _phrase_lemma(run: list[morph.Token]) -> str | None:
    """Nominative of an adjective+noun phrase: Курській області → Курська область."""
    head = next((i for i, t in enumerate(run) if not _is_adj(t.key.rpartition("-")[2])), None)
    if head is None or morph.is_acronym(run[head].text):
        return None
    nouns = [p for p in morph.parses(run[head].key) if p.tag.POS == "NOUN"]
    hp = next((p for p in nouns if "plur" not in p.tag.grammemes), nouns[0] if nouns else None)
    if hp is None:
        return None
    plural = "plur" in hp.tag.grammemes
    noun = hp.inflect({"nomn", "plur"} if plural else {"nomn"}) or hp
    gender = noun.tag.gender or "masc"
    agree = {"nomn", "plur"} if plural else {"nomn", gender}
    words = [_inflect(t.key, "ADJF", agree) for t in run[:head]] + [morph.norm_key(noun.word)]
    words += [t.key for t in run[head + 1:]]
    return " ".join(_case_like(w, t.text) for w, t in zip(words, run))


def _adj_nominative(tok: morph.Token) -> str:
    for p in morph.parses(tok.key):
        if p.tag.POS == "ADJF":
            q = p.inflect({"nomn", p.tag.gender} if p.tag.gender else {"nomn", "plur"})
            if q is not None:
                return _case_like(morph.norm_key(q.word), tok.text)
    return tok.text


def _nominative_sing(key: str) -> bool:
    """The word is already a nominative singular (Олександр, Петро), not an oblique form."""
    return any(p.tag.case == "nomn" and "plur" not in p.tag.grammemes and morph.norm_key(p.normal_form) == key
               for p in morph.parses(key))


def _name_lemma(tok: morph.Token, surface: set[str], inflected: bool = False) -> str:
    if not morph.is_cyrillic(tok.text) or morph.is_acronym(tok.text) or len(tok.text) == 1:
        return tok.text
    if "-" in tok.key:  # Карпенка-Карого → Карпенко-Карий; Івано-Франківська keeps its head
        head, _, tail = tok.text.rpartition("-")
        tail_lemma = _name_lemma(morph.tokenize(tail)[0], surface, inflected)
        head_toks = morph.tokenize(head)
        if (len(head_toks) == 1 and morph.is_capitalized(head) and tail_lemma != tail
                and _personal(head_toks[0].key) and not _nominative_sing(head_toks[0].key)):
            head = _name_lemma(head_toks[0], surface, inflected)
        return head + "-" + tail_lemma
    if indeclinable(tok.key) and tok.key not in KOREAN:
        return tok.text  # Васадзе, Чачуа, Шойгу
    cands = morph.lemma_candidates(tok.key)
    korean = [kv for kv in cands if kv[0] in KOREAN]  # Ина → Ин, Чхолем → Чхоль, Йолю → Йоль
    if inflected and not korean:  # Рустема Умєрова: the surname agrees with the given name
        cands = [kv for kv in cands if kv[0] != tok.key] or cands
    # A word that is itself a nominative (Олександр, Петро, Ян) stays: another reading seen in the
    # corpus (Олександра) must not win over it.
    own = 3.5 if not inflected and _nominative_sing(tok.key) and not _oblique_of_seen(tok.key, surface) else 0.0
    if not own and not inflected and _nominative_shape(tok.key) and not any(p.is_known for p in morph.parses(tok.key)):
        own = 1.2  # Седна, Ксьонз: a name no dictionary knows stays as written unless the corpus has another form
    known = [kv for kv in cands if kv[0] in EXONYMS]  # Києві → Київ, not the name Кий
    longer = -3.5 if not inflected else 0.0  # Ксьонз is no plural genitive of "Ксьонза"
    best = max(korean or known or cands,
               key=lambda kv: kv[1] + (own if kv[0] == tok.key else 3.0 if kv[0] in surface else 0.0)
               + (longer if len(kv[0]) > len(tok.key) else 0.0))
    return _keep_g(_case_like(best[0], tok.text), tok.text)


def _nominative_shape(key: str) -> bool:
    """Ends the way a nominative may: a consonant, -а, -я, -о, -ий, -ій (not -и, -у, -ом, -ові...)."""
    last = key[-1:]
    consonant = last.isalpha() and last not in morph.VOWELS and last not in "й"
    return consonant or key.endswith(("а", "я", "о", "ий", "ій"))


def _keep_g(lemma: str, word: str) -> str:
    """Булґакова → Булґаков: match keys fold ґ into г; the spelling keeps it."""
    if "ґ" not in word.lower():
        return lemma
    return "".join(("Ґ" if c == "Г" else "ґ") if c in "гГ" and i < len(word) and word[i] in "ґҐ" else c
                   for i, c in enumerate(lemma))


def _oblique_of_seen(key: str, surface: set[str]) -> bool:
    """Богдана is the genitive of Богдан when the corpus also writes Богдан."""
    return any("Name" in p.tag.grammemes and p.tag.case not in ("nomn", None) and "plur" not in p.tag.grammemes
               and morph.norm_key(p.normal_form) != key and morph.norm_key(p.normal_form) in surface
               for p in morph.parses(key))


def _person_like(run: list[morph.Token], initial=_is_initial) -> bool:
    names = [t for t in run if not initial(t)]
    if not names or len(names) > 3 or any(t.key in KOREAN for t in names):
        return False
    if len(names) < len(run):
        return True  # initials: Т. Шевченко
    return len(names) > 1 and _personal(names[0].key) and all(
        morph.is_capitalized(t.text) and morph.is_cyrillic(t.text) for t in names)


def _lemma(run: list[morph.Token], surface: set[str], sentence: str = "") -> str:
    lemma = _lemma_words(run, surface, sentence)
    return _ABBR_SPACE.sub(r"\1. ", lemma) if " м " in lemma or " с " in lemma or " смт " in lemma else lemma


_ABBR_SPACE = re.compile(r"(?<= )(м|с|смт) (?=[А-ЯІЇЄҐ])")


def _lemma_words(run: list[morph.Token], surface: set[str], sentence: str = "") -> str:
    if morph.is_acronym(run[0].text) and len(run) == 2 and run[1].key in ("україни", "рф"):
        return f"{run[0].text} {run[1].text}"  # МВС України stays
    if len(run) > 1 and morph.is_acronym(run[-1].text) and all(_is_adj(t.key) for t in run[:-1]):
        # Дніпропетровської ОДА → Дніпропетровська ОДА: the adjective keeps the gender it agrees in
        return " ".join([_adj_nominative(t) for t in run[:-1]] + [run[-1].text])
    def initial(t: morph.Token) -> bool:  # with its dot (Т. Шевченко); Седна С is no initial
        return _dotted_initial(sentence, t) if sentence else _is_initial(t)
    if any(initial(t) for t in run) and not all(initial(t) for t in run):
        names = person_nominative([t.text for t in run], surface) if _person_like(run, initial) else None
        if names is None:
            names = [t.text if initial(t) else _name_lemma(t, surface) for t in run]
        return " ".join(w + "." if initial(t) else w for w, t in zip(names, run))
    if _known_given(run[0].key) and _person_like(run, initial):
        names = person_nominative([t.text for t in run], surface)  # Василеві Столяру, not Василів
        if names:
            return " ".join(names)
    if len(run) > 1 and (_is_adj(run[0].key.rpartition("-")[2]) or _org_head(run[0].key)
                         or any(not morph.is_capitalized(t.text) for t in run)):
        phrase = _phrase_lemma(run)
        if phrase:
            return phrase
    if _person_like(run, initial):
        names = person_nominative([t.text for t in run], surface)
        if names:
            return " ".join(names)
    first = _name_lemma(run[0], surface)
    inflected = len(run) > 1 and morph.norm_key(first) != run[0].key and _personal(run[0].key)
    return " ".join([first] + [_name_lemma(t, surface, inflected) for t in run[1:]])


# ---------------------------------------------------------------- origin, target, type

def _origin(sentence_tokens: list[morph.Token], start: int) -> str | None:
    for t in reversed([t for t in sentence_tokens if t.end <= start][-12:]):
        for origin, prefixes in CUES.items():
            if t.key.startswith(prefixes):
                return origin
    return None


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


def _type_of(spelling: str, lowercase_inside: bool, kinds: Counter | None = None) -> str:
    """A row's type from evidence: a head noun (область, суд), a legal form or quotes (org), a street
    word (place), initials or person-name morphology (person), company-name word parts (org)."""
    ws = [w for w in morph.words(spelling) if not ROMAN.match(w)] or morph.words(spelling)  # Катерина II
    keys = [morph.norm_key(w) for w in ws]
    for k in keys:
        if k in HEAD_NOUNS or _lemma_in(k, HEAD_NOUNS):
            return HEAD_NOUNS.get(k) or HEAD_NOUNS[_lemma_in(k, HEAD_NOUNS)]
    if kinds:
        return kinds.most_common(1)[0][0]
    if all(morph.is_acronym(w) or not morph.is_cyrillic(w) for w in ws) or (
            len(ws) > 1 and morph.is_acronym(ws[-1]) and keys[-1] not in EXONYMS):
        return "org"  # Кременчуцький НПЗ
    last = keys[-1]
    if _org_word(last) and (len(keys) == 1 or not _personal(keys[0])):
        return "org"  # Укрзалізниця, Енергоатом, Київрада, Барлінек-Інвест
    if len(keys) == 1 and last.endswith(("ська", "цька", "зька", "ське", "цьке")) and _is_adj(last):
        return "place"  # Черкаська, Волинська: a region's adjective
    if all(k in KOREAN for k in keys) or any(_personal(k) for k in keys[-1:]):
        return "person"
    ps = morph.parses(last)
    if not any(p.is_known for p in ps) and any(m in last for m in ORG_MORPHEMES):
        return "org"  # Укргазбуд, Київенергосервіс
    ps = [p for p in ps if morph.norm_key(p.normal_form) == last] or ps
    if ps and "anim" in ps[0].tag.grammemes:
        return "person"
    return "place" if not lowercase_inside else "term"


# ---------------------------------------------------------------- API

_OPENERS, _CLOSERS = "«„", "»”"


def _quote_end(text: str, q: int) -> int | None:
    """The index just past the quote that closes the one opening at `q` (one nested level: ТОВ
    «Шахта «Південна»»; the outer closer is often left out: ТОВ «Центр «Альфа»)."""
    depth, last = 0, None
    for i in range(q, min(len(text), q + 160)):
        ch = text[i]
        if ch == "\n":
            break
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth, last = depth - 1, i + 1
            if depth == 1 and text[i + 1:i + 3].lstrip(" ")[:1] not in _CLOSERS + "\"“":
                return last  # ТОВ «Центр «Альфа» та ...: the outer closer was left out
        elif ch in "\"“":  # opens after a space or another quote, else closes
            if i == q or text[i - 1] in " \u00a0(«„“\"":
                depth += 1
            else:
                depth, last = depth - 1, i + 1
                if depth == 1 and text[i + 1:i + 3].lstrip(" ")[:1] not in _CLOSERS + "\"“":
                    return last
        if depth <= 0 and last:
            return last
    return last if last and depth <= 1 else None


def _quote_follows(sentence: str, pos: int) -> bool:
    return sentence[pos:pos + 3].lstrip(" \u00a0")[:1] in ("«", "„", "\"", "“")


def _fixed_phrases(sentence: str, toks: list[morph.Token]) -> Iterator[tuple[int, int, str, str]]:
    """(first token, end token, spelling, type) of phrases whose extent a marker gives: a legal form
    with its quoted name (ТОВ «Укргеоекологія», ПрАТ «Південний завод» → org), a street word with
    its name (вул. Лісова → place)."""
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if (t.key in LEGAL_FORMS and morph.is_capitalized(t.text)) or (
                morph.is_acronym(t.text) and 2 <= len(t.text) <= 6 and t.key not in EXONYMS
                and _quote_follows(sentence, t.end)):
            j = i + 1
            while (j < n and (toks[j].key in LEGAL_FORMS or morph.is_acronym(toks[j].text))
                   and not sentence[toks[j - 1].end:toks[j].start].strip()):
                j += 1
            q = toks[j - 1].end
            while q < len(sentence) and sentence[q] in " \u00a0":
                q += 1
            end = _quote_end(sentence, q) if q < len(sentence) and sentence[q] in "«„\"“" else None
            if end:
                k = j
                while k < n and toks[k].end <= end:
                    k += 1
                inner = " ".join(sentence[q + 1:end - 1].split())
                inner = re.sub(r"[«„\"“]\s*", "«", re.sub(r"\s*[»”](?=\s|$)", "»", inner)).strip("«» ")
                if k > j and inner and (inner[0].isupper() or inner[0].isdigit()):  # not КНДР «героїчними»
                    legal = " ".join(x.text for x in toks[i:j])
                    yield i, k, f"{legal} «{inner}»", "org"
                    i = k
                    continue
        elif t.key in STREET_WORDS and i + 1 < n:
            gap = sentence[t.end:toks[i + 1].start]
            abbr = STREET_WORDS[t.key]
            if (abbr and gap.strip() == ".") or (not abbr and not gap.strip()):
                k = i + 1
                while (k < n and morph.is_capitalized(toks[k].text)
                       and (k == i + 1 or not sentence[toks[k - 1].end:toks[k].start].strip()
                            or (sentence[toks[k - 1].end:toks[k].start].strip() == "." and _is_initial(toks[k - 1])))):
                    k += 1
                if k > i + 1 and not _is_initial(toks[k - 1]):
                    name = " ".join(w + "." if _is_initial(x) else w for x, w in
                                    ((x, x.text) for x in toks[i + 1:k]))
                    head = abbr if abbr else t.text
                    yield i, k, f"{head} {_street_name(t.key, toks[i + 1:k], name)}", "place"
                    i = k
                    continue
        i += 1


_STREET_GENDER = {"вул": "femn", "вулиця": "femn", "пл": "femn", "площа": "femn", "набережна": "femn",
                  "шосе": "neut"}


def _street_name(word: str, run: list[morph.Token], name: str) -> str:
    """Лісовій → Лісова after вул.; a name in the genitive (вул. Шевченка) stays."""
    if len(run) == 1 and _is_adj(run[0].key):
        return _case_like(_inflect(run[0].key, "ADJF", {"nomn", _STREET_GENDER.get(word, "masc")}), run[0].text)
    return name


def _never_row(run: list[morph.Token], lower: Counter, capmid: Counter) -> bool:
    """Function words, initials, bare legal forms, Roman numerals, common acronyms and common nouns
    the corpus writes in lower case more often than capitalised mid-sentence are never rows."""
    if all(_is_initial(t) or not morph.is_capitalized(t.text) for t in run):
        return True
    if len(run) > 1:
        return False
    t = run[0]
    if (t.key in morph.FUNCTION_WORDS or t.key in LEGAL_FORMS or t.key in COMMON_ACRONYMS
            or ROMAN.match(t.text) or len(t.key) == 1):
        return True
    if morph.is_acronym(t.text) or not morph.is_cyrillic(t.text):
        return False
    ps = morph.parses(t.key)
    if any(morph.norm_key(p.normal_form) in EXONYMS for p in ps):
        return False  # Росія, Київ: settled names, however the corpus writes them
    return (lower[t.key] > 0 and lower[t.key] >= capmid[t.key] and any(p.is_known for p in ps)
            and not any(morph.is_name_parse(p) for p in ps))


def _dotted_initial(sentence: str, tok: morph.Token) -> bool:
    """І. Франко, Кисельов В. І.: a capital letter with its dot is an initial, not the conjunction."""
    return _is_initial(tok) and sentence[tok.end:tok.end + 2].lstrip(" ").startswith(".")


def _after_legal_form(sentence: str, toks: list[morph.Token], tok: morph.Token) -> bool:
    i = next((k for k, t in enumerate(toks) if t.start == tok.start), 0)
    return i > 0 and toks[i - 1].key in LEGAL_FORMS and not sentence[toks[i - 1].end:tok.start].strip()


def _title_word(sentence: str, toks: list[morph.Token], run: list[morph.Token]) -> bool:
    """«Вісник державних закупівель», «Закон про ...»: a common noun that opens a quoted title
    followed by lower-case words names a publication or a document, not a person, org or place."""
    if len(run) != 1 or not _known_common(run[0].key) or not any(
            p.tag.POS == "NOUN" for p in morph.parses(run[0].key)):
        return False
    t = run[0]
    if sentence[max(0, t.start - 2):t.start].strip()[-1:] not in ("«", "„", "\"", "“"):
        return False
    i = next((k for k, x in enumerate(toks) if x.start == t.start), None)
    if i is None or i + 1 >= len(toks) or morph.is_capitalized(toks[i + 1].text) or sentence[
            t.end:toks[i + 1].start].strip() or any(morph.norm_key(p.normal_form) in EXONYMS
                                                     for p in morph.parses(t.key)):
        return False
    close = re.search(r"[»”\"“]", sentence[t.end:t.end + 80])
    inside = sentence[t.end:t.end + close.start()] if close else ""
    # a short quoted title, not a quoted sentence ("Росія ніколи не забуде ...", – заявив)
    return bool(close) and len(inside.split()) <= 6 and not re.search(r"[,.;:!?–—]", inside)


def _lone_adjective(tok: morph.Token, initial: bool, lower: Counter) -> bool:
    """An adjective on its own (Російський, Північної) is no name; a capitalised one mid-sentence
    that the corpus never writes in lower case (Загребельська, Луцька) may be a surname or a place."""
    if not _is_adj(tok.key):
        return False
    if initial or lower[tok.key]:
        return True
    ps = morph.parses(tok.key)
    return not any((p.tag.POS == "NOUN" and p.is_known) or morph.is_name_parse(p) for p in ps) and any(
        p.is_known for p in ps)


@dataclass
class CorpusCounts:
    """What name extraction needs to know of the whole corpus before it reads any one sentence.

    Additive: counts of parts of a corpus `merge` into the counts of the whole (mt.distributed
    counts on Ray workers and merges on the driver)."""

    surface: set = field(default_factory=set)  # capitalised token keys
    evidence: set = field(default_factory=set)  # keys seen capitalised mid-sentence, with their lemmas
    lower: Counter = field(default_factory=Counter)  # lower-case tokens
    capmid: Counter = field(default_factory=Counter)  # capitalised mid-sentence tokens

    def merge(self, other: "CorpusCounts") -> "CorpusCounts":
        self.surface |= other.surface
        self.evidence |= other.evidence
        self.lower.update(other.lower)
        self.capmid.update(other.capmid)
        return self


def text_sentences(docs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(doc_id, sentence) of (doc_id, text) pairs, as name extraction reads them."""
    return [(doc_id, s) for doc_id, text in docs for s in _sentences(text)]


def corpus_counts(sentences: list[tuple[str, str]]) -> CorpusCounts:
    """The `CorpusCounts` of `text_sentences`."""
    counts = CorpusCounts()
    surface, evidence, lower, capmid = counts.surface, counts.evidence, counts.lower, counts.capmid
    for _, s in sentences:
        toks = morph.tokenize(s)  # again below: holding every sentence's tokens would cost memory
        headline = _is_headline(toks)
        for t in toks:
            if morph.is_capitalized(t.text):
                surface.add(t.key)
                if not headline and not morph.sentence_initial(s, t.start):
                    capmid[t.key] += 1
                    if t.key not in evidence:
                        evidence.add(t.key)
                        evidence.update(k for k, _ in morph.lemma_candidates(t.key)[:2])
            else:
                lower[t.key] += 1
    return counts


def _occurrences(docs: list[tuple[str, str]]) -> tuple[list[_Occurrence], Counter, Counter]:
    """Name occurrences, and the corpus counts of lower-case and mid-sentence capitalised tokens."""
    sentences = text_sentences(docs)
    counts = corpus_counts(sentences)
    return occurrences(sentences, counts), counts.lower, counts.capmid


def occurrences(sentences: list[tuple[str, str]], counts: CorpusCounts) -> list[_Occurrence]:
    """The name occurrences in `sentences`, given the counts of the whole corpus."""
    surface, evidence, lower, capmid = counts.surface, counts.evidence, counts.lower, counts.capmid
    out = []
    for doc_id, s in sentences:
        toks = morph.tokenize(s)
        blocked: set[int] = set()
        for a, b, spelling, kind in _fixed_phrases(s, toks):
            blocked.update(range(a, b))
            out.append(_Occurrence(spelling, doc_id, s, None, kind))
        for run, initial, headline in _runs(s, toks, blocked):
            korean_tail = len(run) > 1 and all(t.key in KOREAN or any(
                k in KOREAN for k, _ in morph.lemma_candidates(t.key)) for t in run)
            kind = None
            while run and not korean_tail and not _dotted_initial(s, run[0]) and (
                    morph.is_common_word(run[0].key) or run[0].key in LEGAL_FORMS
                                               or (initial and not _evidenced(
                                                   run[0], evidence, run[1] if len(run) > 1 else None))):
                if run[0].key in LEGAL_FORMS and morph.is_capitalized(run[0].text):
                    kind = "org"  # ТОВ Альфа: the name is an organisation's
                run, initial = run[1:], headline
            while run and not _dotted_initial(s, run[-1]) and not (
                    len(run) > 1 and _dotted_initial(s, run[-2])) and (  # Г. Зассе: a surname after initials
                    morph.is_common_word(run[-1].key) or run[-1].key in LEGAL_FORMS):
                if run[-1].key in FOREIGN_LEGAL and len(run) > 1:
                    kind = "org"  # Зевс ЛТД, Беніш Груп Лімітед: the legal form is part of the name
                    break
                run = run[:-1]
            if not run or (len(run) == 1 and _lone_adjective(run[0], initial, lower)) or _never_row(
                    run, lower, capmid) or _title_word(s, toks, run):
                continue
            if len(run) > 1 and (run[-1].key in FOREIGN_LEGAL or (
                    morph.is_acronym(run[0].text) and run[-1].key in ("україни", "рф"))):
                kind = "org"  # Беніш Груп Лімітед, МВС України
            if any(_dotted_initial(s, t) for t in run):
                kind = "person"
            elif kind is None and _after_legal_form(s, toks, run[0]):
                kind = "org"  # ТОВ Барвінок
            out.append(_Occurrence(_lemma(run, surface, s), doc_id, s, _origin(toks, run[0].start), kind))
    return out


def _evidenced(tok: morph.Token, evidence: set[str], nxt: morph.Token | None = None) -> bool:
    """May a sentence-initial capitalised word be a name? (A given name before a capitalised word
    may: Марія Попова.)"""
    if morph.is_acronym(tok.text) or tok.key in evidence:
        return True
    ps = morph.parses(tok.key)
    if nxt is not None and morph.is_capitalized(nxt.text) and any("Name" in p.tag.grammemes for p in ps):
        return True
    if (not morph.is_cyrillic(tok.text) or (ps and ps[0].is_known and not morph.is_name_parse(ps[0]))
            or any(p.is_known and p.tag.POS in morph.COMMON_POS for p in ps)):
        return False  # Latin without evidence; Про, Вона, Також, Російський
    return any(morph.is_name_parse(p) and p.score > 0.3 for p in ps) or not any(p.is_known for p in ps)


def extract_candidates(texts: Iterable[tuple[str, str]], min_count: int = 1, found=None) -> list[Candidate]:
    """Name candidates over (doc_id, text) pairs, one per cluster of spelling variants.

    Spellings join one row when they differ only by case, an apostrophe, a hyphen or a space
    (`cluster_key`), or are variants by `same_name` (Горемикін/Горемікін; one vowel in a
    multi-word name); an org or place name also by one letter. Two one-word person names that differ
    by one letter (Петренко/Петрепко) stay apart.
    """
    # `found`: (occurrences, lower, capmid) already extracted, e.g. by Ray workers (mt.distributed)
    occ, lower, capmid = found or _occurrences(list(texts))
    by_lemma: dict[str, list[_Occurrence]] = {}
    for o in occ:
        by_lemma.setdefault(o.lemma, []).append(o)
    lemmas = sorted(by_lemma, key=lambda k: (-len(by_lemma[k]), k))
    parent = {k: k for k in lemmas}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(a, b):
        ra, rb = root(a), root(b)
        if ra != rb:  # the more frequent spelling stays the root (lemmas are sorted by count)
            if lemmas_rank[ra] > lemmas_rank[rb]:
                ra, rb = rb, ra
            parent[rb] = ra
    lemmas_rank = {k: i for i, k in enumerate(lemmas)}
    blocks: dict[tuple, list[str]] = {}
    for k in lemmas:  # same_name needs equal word counts and equal skeletons up to one vowel
        ws = k.split()
        blocks.setdefault(("v", tuple(_VOWEL_RE.sub("*", skeleton(w)) for w in ws)), []).append(k)
        blocks.setdefault(("c", cluster_key(k)), []).append(k)
    for (kind, _), members in blocks.items():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if kind == "c" or same_name(a, b):
                    join(a, b)
    _join_one_letter(lemmas, by_lemma, join)
    groups: dict[str, list[str]] = {}
    for k in lemmas:
        groups.setdefault(root(k), []).append(k)
    votes_by_word = _surname_votes(by_lemma)
    korean_first = {morph.norm_key(k.split()[0]) for k in by_lemma
                    if len(k.split()) > 1 and all(morph.norm_key(w) in KOREAN for w in k.split())}
    surnames = {skeleton(ws[-1]) for ws in (k.split() for k in by_lemma)  # Карий after Іван Карий, І. Карий
                if len(ws) > 1 and (ws[0].endswith(".") or _given(morph.norm_key(ws[0])))}
    out = []
    for spellings in groups.values():
        occs = [o for s in spellings for o in by_lemma[s]]
        if (len(occs) < min_count or _common_noun_row(spellings[0], occs, lower, capmid)
                or morph.norm_key(spellings[0]) in COMMON_ACRONYMS | LEGAL_FORMS):  # ФОПу → Фоп
            continue
        out.append(_candidate(spellings, occs, by_lemma, votes_by_word, korean_first, surnames))
    out.sort(key=lambda c: (-c.count, c.source))
    return out


_VOWEL_RE = re.compile("[аеєиіїоуюя]")


def _join_one_letter(lemmas: list[str], by_lemma: dict, join) -> None:
    """Org and place spellings of six letters or more that differ by one letter (Укргазбуд /
    Укргазбут) join; person names do not (two people may differ by one letter)."""
    buckets: dict[tuple, list[str]] = {}
    for k in lemmas:
        kinds = {o.kind for o in by_lemma[k]}
        key = cluster_key(k)
        if len(key) < 6 or "person" in kinds or (kinds == {None} and _personal(morph.norm_key(k.split()[-1]))):
            continue
        for i in range(len(key)):
            buckets.setdefault((key[:i] + "?" + key[i + 1:], len(key)), []).append(k)
    for members in buckets.values():
        for b in members[1:]:
            join(members[0], b)


def _common_noun_row(main: str, occs: list[_Occurrence], lower: Counter, capmid: Counter) -> bool:
    """A one-word row that is a dictionary common noun the corpus writes in lower case (in any of
    its forms) at least as often as capitalised mid-sentence: Закон, Інтернет, Директор."""
    if " " in main or any(o.kind for o in occs) or morph.is_acronym(main) or not morph.is_cyrillic(main):
        return False
    key = morph.norm_key(main)
    ps = morph.parses(key)
    if key in EXONYMS or not any(p.is_known and p.tag.POS == "NOUN" for p in ps) or any(
            morph.is_name_parse(p) for p in ps):
        return False
    forms = morph.word_forms(main)
    return sum(lower[f] for f in forms) >= max(1, 2 * sum(capmid[f] for f in forms))


def _surname_votes(by_lemma: dict[str, list[_Occurrence]]) -> dict[str, Counter]:
    votes: dict[str, Counter] = {}
    for lemma, occs in by_lemma.items():
        if len(lemma.split()) > 1:
            c = votes.setdefault(skeleton(lemma.split()[-1]), Counter())
            c.update(o.origin for o in occs if o.origin and o.origin != "korean")
    return votes


def _candidate(spellings, occs, by_lemma, votes_by_word, korean_first, surnames=frozenset()) -> Candidate:
    main = spellings[0]
    words = main.split()
    keys = [morph.norm_key(w) for w in words]
    votes = Counter(o.origin for o in occs if o.origin)
    if len(keys) == 1 and votes_by_word.get(skeleton(main)):
        votes = votes_by_word[skeleton(main)]  # Путін: trust the full-name contexts
    korean = all(k in KOREAN for k in keys) and (len(keys) > 1 or keys[0] in korean_first)
    votes.pop("korean", None)  # Korean context alone does not make a name Korean
    if not votes and looks_russian(words[-1]):
        votes["russian"] = 1
    lowercase_inside = any(not morph.is_capitalized(w) for w in words)
    known = EXONYMS.get(" ".join(keys))
    if known:
        origin, target, etype = "known", known[0], known[1]
    elif all(not morph.is_cyrillic(w) for w in words):
        origin, target, etype = "latin", main, "org"
    elif all(morph.is_acronym(w) for w in words):
        origin, target, etype = "acronym", romanize(main, "kmu2010"), "org"
    else:
        origin = "korean" if korean else "phrase" if lowercase_inside else (
            votes.most_common(1)[0][0] if votes else "unknown")
        kinds = Counter(o.kind for o in occs if o.kind)
        if not kinds and len(keys) == 1 and skeleton(main) in surnames:
            kinds["person"] = 1  # the corpus writes it after a given name or initials too
        target, etype = propose_target(main, origin), _type_of(main, lowercase_inside, kinds)
    status = "ok" if origin in ("known", "latin", "ukrainian") else "check"
    counts = {s: len(by_lemma[s]) for s in spellings}
    example = " ".join(occs[0].sentence.split())
    return Candidate(list(spellings), target, etype, len(occs), sorted({o.doc for o in occs}),
                     example[:200], origin, status, counts)


def write_draft(candidates: Iterable[Candidate], path: str | Path) -> Path:
    """Write a glossary draft TSV that `load_glossary` accepts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def clean(value) -> str:
        return " ".join(str(value).replace("\t", " ").split())

    lines = ["# Draft glossary from `mt glossary extract`: review every row marked check.",
             "source\ttarget\ttype\tnote\tcount\tstatus\texample"]
    for c in candidates:
        note = f"{c.count}x in {len(c.documents)} doc(s); origin {c.origin}"
        lines.append("\t".join(clean(v) for v in (c.source, c.target, c.type, note, c.count,
                                                   c.status, c.example)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def auto_glossary(texts: Iterable[tuple[str, str]], min_spellings: int = 2,
                  found=None) -> tuple[Glossary, list[Cluster]]:
    """A glossary mapping every spelling variant of a name seen in `texts` to one English form.

    Only clusters with at least `min_spellings` spellings are kept (a single
    spelling is already translated one way by the model). `found`: see `extract_candidates`.
    """
    clusters = [c for c in extract_candidates(texts, found=found) if len(c.spellings) >= min_spellings]
    entries = [Entry(tuple(c.spellings), c.target, c.type, f"auto: {c.origin}") for c in clusters]
    return Glossary.from_entries(entries), clusters
