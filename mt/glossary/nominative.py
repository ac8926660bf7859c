"""A draft name's dictionary form (gender kept, indeclinables left alone) and its type from evidence.

Split from `mt.glossary.draft`, which builds drafts from them.
"""
from __future__ import annotations

import re
from collections import Counter

from mt.glossary import forms as morph
from mt.glossary.names import (
    EXONYMS,
    HEAD_NOUNS,
    KOREAN,
    ORG_MORPHEMES,
    ROMAN,
    _known_nominative,
    indeclinable,
    person_nominative,
)
from mt.glossary.wordclass import (
    _abbreviation,
    _dotted_initial,
    _given,
    _is_adj,
    _is_initial,
    _known_given,
    _lemma_in,
    _org_head,
    _org_word,
    _personal,
    _place_genitive,
    _place_head,
    tail_start,
)


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
    head = next((i for i, t in enumerate(run) if _lemma_in(t.key, HEAD_NOUNS) and all(
        _is_adj(x.key) or _ADJ_END.search(x.key) for x in run[:i]) and any(
        p.tag.POS == "NOUN" for p in morph.parses(t.key))), None)
    if head is None:  # Рада міністрів ...: a head noun of the list, even one that is also an adjective
        head = next((i for i, t in enumerate(run) if not _is_adj(t.key.rpartition("-")[2])), None)
    if head is None or morph.is_acronym(run[head].text):
        return None
    nouns = [p for p in morph.parses(run[head].key) if p.tag.POS == "NOUN"]
    nouns.sort(key=lambda p: morph.norm_key(p.normal_form) not in HEAD_NOUNS)  # рада, not the unit рад
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


_ADJ_END = re.compile(r"(?:[иі]й|ого|ому|[иі]м|ої|ою|[аяе]|их|ими)$")


def _adj_nominative(tok: morph.Token) -> str:
    for p in morph.parses(tok.key):
        if p.tag.POS == "ADJF":
            q = p.inflect({"nomn", p.tag.gender} if p.tag.gender else {"nomn", "plur"})
            if q is not None:
                return _case_like(morph.norm_key(q.word), tok.text)
    return tok.text


def _region_adjective(tok: morph.Token) -> str:
    """Донецької → Донецька: the adjective of an oblast (область is feminine)."""
    return _case_like(_inflect(tok.key, "ADJF", {"nomn", "femn"}), tok.text)


def _nominative_sing(key: str) -> bool:
    """The word is already a nominative singular (Олександр, Петро), not an oblique form."""
    return any(p.tag.case == "nomn" and "plur" not in p.tag.grammemes and morph.norm_key(p.normal_form) == key
               for p in morph.parses(key))


def _name_lemma(tok: morph.Token, surface: set[str], inflected: bool = False, oblique: bool = False) -> str:
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
    if oblique and any(p.is_known and "Fixd" in p.tag.grammemes for p in morph.parses(tok.key)):
        oblique = False  # з Міноборони: a word that never inflects stays as it is
    if (inflected or oblique) and not korean:  # Рустема Умєрова: the surname agrees with the given name
        cands = [kv for kv in cands if kv[0] != tok.key] or cands  # про Раїса: not a nominative
    # A word that is itself a nominative (Олександр, Петро, Ян) stays: another reading seen in the
    # corpus (Олександра) must not win over it.
    own = 3.5 if not (inflected or oblique) and _nominative_sing(tok.key) and not _oblique_of_seen(
        tok.key, surface) else 0.0
    if not own and not (inflected or oblique) and _nominative_shape(tok.key) and not any(
            p.is_known for p in morph.parses(tok.key)):
        own = 1.2  # Седна, Ксьонз: a name no dictionary knows stays as written unless the corpus has another form
    known = [kv for kv in cands if kv[0] in EXONYMS]  # Києві → Київ, not the name Кий
    longer = -3.5 if not inflected else 0.0  # Ксьонз is no plural genitive of "Ксьонза"
    best = max(korean or known or cands,
               key=lambda kv: kv[1] + (own if kv[0] == tok.key else 3.0 if kv[0] in surface else 0.0)
               + (longer if len(kv[0]) > len(tok.key) else 0.0)
               + (0.1 if oblique and kv[1] <= 1.5 and kv[0][-1:] not in _SOFT_OR_VOWEL else 0.0)  # Абдулазиз
               + (0.05 if kv[1] >= 5.0 and _known_nominative(kv[0], "Name") else 0.0))  # Галі: Галя, not Галь
    if oblique and best[0] != tok.key and tok.key not in morph.word_forms(_case_like(best[0], tok.text)):
        return _name_lemma(tok, surface, inflected)  # no nominative inflects back to the word: as before
    return _keep_g(_case_like(best[0], tok.text), tok.text)


_SOFT_OR_VOWEL = frozenset(morph.VOWELS) | {"ь"}


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


_PREV_WORD = re.compile(r"([^\W\d_][\w'’ʼ-]*)[ \u00a0]+$")
_OBLIQUE_CASES = frozenset({"gent", "datv", "ablt", "loct"})


def _oblique_context(sentence: str, start: int) -> bool:
    """The word before a name shows that the name is not in the nominative: a preposition (про Раїса,
    до Петра), or a lower-case adjective or noun that agrees with it and has no nominative reading
    (покійного Булґакова, прадіда Абдулазиза, генерала Ґроувза)."""
    m = _PREV_WORD.search(sentence[max(0, start - 40):start])
    if not m or not m.group(1).islower():
        return False
    ps = morph.parses(morph.norm_key(m.group(1)))
    if not ps or not ps[0].is_known:
        return False
    if any(p.tag.POS == "PREP" and p.is_known for p in ps):
        return True
    gent = any(p.tag.case == "gent" for p in ps)  # an accusative that is also a genitive is animate
    return all(p.tag.POS in ("ADJF", "NOUN") and (p.tag.case in _OBLIQUE_CASES or (
        p.tag.case == "accs" and ("anim" in p.tag.grammemes or gent))) for p in ps) and any(
        p.tag.POS == "ADJF" or "anim" in p.tag.grammemes for p in ps)


_AT = frozenset({"в", "у", "на"})


_PLACE_WORDS = frozenset({"місто", "село", "селище", "хутір", "містечко", "річка", "озеро", "гора", "острів",
                          "столиця", "райцентр", "обласний", "урочище", "станція", "смт"})
_PLACE_ABBR_DOT = re.compile(r"(?<![^\W\d_])(?:м|с|смт|р)\.[ \u00a0]*$")


def _locative_context(sentence: str, tok: morph.Token) -> bool:
    """в Галичі, у Старокостянтинові, на Терновій: в/у/на before a form that can only be a locative or
    a dative (not a genitive: "у Петренка" is "Petrenko has"), which is how places are written; or a
    place word before the name (місто Галич, села Тернова, м. Київ, с. Ясень)."""
    before = sentence[max(0, tok.start - 40):tok.start]
    if _PLACE_ABBR_DOT.search(before):
        return True
    m = _PREV_WORD.search(before)
    if m and m.group(1).islower() and _lemma_in(morph.norm_key(m.group(1)), _PLACE_WORDS):
        return True
    if not m or m.group(1) not in _AT:
        return False
    ps = morph.parses(tok.key)
    cases = {p.tag.case for p in ps}
    return "loct" in cases and not cases & {"nomn", "accs", None} and not any(
        p.tag.case == "gent" and morph.is_name_parse(p) for p in ps)  # у Марії: Maria has


_STREETS = frozenset({"вулиця", "проспект", "провулок", "площа", "бульвар", "перехрестя", "вул"})
_LIST_WORD = re.compile(r"[^\W\d_][\w'’ʼ-]*|[,.:;]")


def _street_list(sentence: str, tok: morph.Token) -> bool:
    """The name is an item of a list of streets: "ремонт вулиць: Шевченка, Лисенка та Сурікова",
    "на перехресті вулиць Милославська та Лисківська"."""
    words = _LIST_WORD.findall(sentence[max(0, tok.start - 160):tok.start])
    for w in reversed(words):
        if w in ",.:;" or w in ("та", "і", "й") or w[:1].isupper():
            continue
        return _lemma_in(morph.norm_key(w), _STREETS) is not None
    return False


def _acts(sentence: str, run: list[morph.Token]) -> bool:
    """The name is the subject of a verb in the past tense, singular (Габр сказав, Мойра пішла)."""
    m = re.match(r"[ \u00a0]+([^\W\d_]+)", sentence[run[-1].end:run[-1].end + 40])
    if not m or not m.group(1).islower():
        return False
    ps = morph.parses(morph.norm_key(m.group(1)))
    return bool(ps) and all(p.tag.POS == "VERB" and "past" in p.tag.grammemes and "plur" not in p.tag.grammemes
                            for p in ps)


def _lemma(run: list[morph.Token], surface: set[str], sentence: str = "") -> str:
    cut = tail_start([t.text for t in run])
    if cut:  # Держгеокадастру у Волинській області → Держгеокадастр у Волинській області
        lemma = " ".join([_lemma_words(run[:cut], surface, sentence)] + [t.text for t in run[cut:]])
    else:
        lemma = _lemma_words(run, surface, sentence)
    return _ABBR_SPACE.sub(r"\1. ", lemma) if " м " in lemma or " с " in lemma or " смт " in lemma else lemma


_ABBR_SPACE = re.compile(r"(?<= )(м|с|смт) (?=[А-ЯІЇЄҐ])")


def _lemma_words(run: list[morph.Token], surface: set[str], sentence: str = "") -> str:
    if len(run) == 1 and _abbreviation(run[0].text):
        return _abbreviation(run[0].text)  # ЗакДУ stays, УДАРу → УДАР
    if len(run) > 1 and _org_word(run[0].key) and _place_genitive(run[-1].key):
        return " ".join([_name_lemma(run[0], surface)] + [t.text for t in run[1:]])  # Нафтогазу України
    if morph.is_acronym(run[0].text) and len(run) == 2 and run[1].key in ("україни", "рф"):
        return f"{run[0].text} {run[1].text}"  # МВС України stays
    if len(run) > 1 and run[-1].key == "обл" and all(_is_adj(t.key) for t in run[:-1]):
        return " ".join([_region_adjective(t) for t in run[:-1]] + [run[-1].text])  # Донецької обл.
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
    oblique = bool(sentence) and _oblique_context(sentence, run[0].start)
    if _known_given(run[0].key) and _person_like(run, initial):
        names = person_nominative([t.text for t in run], surface, oblique)  # Василеві Столяру, not Василів
        if names:
            return " ".join(names)
    if len(run) > 1 and (_is_adj(run[0].key.rpartition("-")[2]) or _org_head(run[0].key) or _place_head(run[0].key)
                         or any(not morph.is_capitalized(t.text) for t in run)):
        phrase = _phrase_lemma(run)
        if phrase:
            return phrase
    if _person_like(run, initial):
        names = person_nominative([t.text for t in run], surface, oblique)
        if names:
            return " ".join(names)
    first = _name_lemma(run[0], surface, oblique=oblique and len(run) == 1)
    inflected = len(run) > 1 and morph.norm_key(first) != run[0].key and _personal(run[0].key)
    return " ".join([first] + [_name_lemma(t, surface, inflected) for t in run[1:]])


def _type_of(spelling: str, lowercase_inside: bool, kinds: Counter | None = None, acting: bool = False) -> str:
    """A row's type from evidence: a head noun (область, суд), a legal form or quotes (org), a street
    word (place), initials or person-name morphology (person), company-name word parts (org); with
    none of these, a name that acts (`acting`: Габр сказав) is a person, else a place."""
    ws = [w for w in morph.words(spelling) if not ROMAN.match(w)] or morph.words(spelling)  # Катерина II
    keys = [morph.norm_key(w) for w in ws]
    if tail_start(ws) or (len(keys) > 1 and _org_word(keys[0]) and _place_genitive(keys[-1])):
        return "org"  # Держгеокадастр у Волинській області (spans._runs), Нацгвардія України
    for k in keys:
        if k in HEAD_NOUNS or _lemma_in(k, HEAD_NOUNS):
            return HEAD_NOUNS.get(k) or HEAD_NOUNS[_lemma_in(k, HEAD_NOUNS)]
    if kinds:
        return kinds.most_common(1)[0][0]
    if 1 < len(keys) <= 3 and _given(keys[0]) and not _is_adj(keys[0]) and all(
            morph.is_capitalized(w) and morph.is_cyrillic(w) for w in ws):
        return "person"  # Юрій Байрактар, Ольга Писана: a given name first
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
    if acting and not lowercase_inside:
        return "person"
    return "place" if not lowercase_inside else "term"


_STREET_GENDER = {"вул": "femn", "вулиця": "femn", "пл": "femn", "площа": "femn", "набережна": "femn",
                  "шосе": "neut"}


def _street_name(word: str, run: list[morph.Token], name: str) -> str:
    """Лісовій → Лісова after вул.; a name in the genitive (вул. Шевченка) stays."""
    if len(run) == 1 and _is_adj(run[0].key):
        return _case_like(_inflect(run[0].key, "ADJF", {"nomn", _STREET_GENDER.get(word, "masc")}), run[0].text)
    return name
