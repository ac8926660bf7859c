"""Where the names are in a Ukrainian sentence: capitalised runs, initials, what is never a row.

Split from `mt.glossary.draft`, which builds drafts from them; the phrases a marker delimits (ТОВ
«Альфа», вул. Лісова) are in `mt.glossary.phrases`.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterator

from mt.glossary import forms as morph
from mt.glossary.names import (
    COMMON_ACRONYMS,
    CUES,
    EXONYMS,
    HEAD_NOUNS,
    KOREAN,
    LEGAL_FORMS,
    ROMAN,
)
from mt.glossary.wordclass import (
    _best_pos,
    _exonym_form,
    _gent_noun,
    _given,
    _inflected_gent,
    _is_adj,
    _is_headline,
    _is_initial,
    _is_org_piece,
    _known_common,
    _known_given,
    _lemma_in,
    _name_possessive,
    _oblique_common,
    _org_head,
    _org_word,
    _patronymic,
    _personal,
    _place_genitive,
    _place_head,
    _regional_tail,
)

_SENT = re.compile(r"(?<=[.!?…])\s+(?=[«\"„“A-ZА-ЯЄІЇҐ])")


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
        if (j - i >= 2 and j < len(toks) and gap_ok[j] and _is_adj(toks[j - 1].key)
                and not _agree(toks[j - 2].key, toks[j - 1].key) and not _is_org_piece(toks[j - 2:j - 1])
                and (toks[j].key == "обл" or _lemma_in(toks[j].key, ("область", "район")))):
            pieces = _split(toks[i:j - 1]) + [[toks[j - 1]]]  # Іршанську | Житомирської області: town, region
        else:
            pieces = _split(toks[i:j])
        end = _extend(toks, gap_ok, j)
        if _is_org_piece(pieces[-1] + toks[j:end]):
            end = _regional_tail(toks, gap_ok, end)  # Держгеокадастру у Волинській області
        pieces[-1] = pieces[-1] + toks[j:end]
        if _region_phrase(pieces[-1]):  # прокуратури | Донецької області: the region's body
            if len(pieces) > 1 and len(pieces[-2]) == 1 and _org_head(pieces[-2][0].key):
                pieces[-2:] = [pieces[-2] + pieces[-1]]
            elif (len(pieces) == 1 and i > 0 and gap_ok[i] and toks[i - 1].text.islower()
                  and _org_head(toks[i - 1].key) and any(  # not школи/установами of a region: plural
                      "plur" not in p.tag.grammemes for p in morph.parses(toks[i - 1].key) if p.tag.POS == "NOUN")):
                h = i - 1
                while h > i - 3 and gap_ok[h] and toks[h - 1].text.islower() and _is_adj(toks[h - 1].key):
                    h -= 1  # господарського суду Черкаської області
                pieces[0] = toks[h:i] + pieces[0]
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
    if (not head_cap and _org_word(last) and j + 1 < len(toks) and gap_ok[j] and gap_ok[j + 1]
            and toks[j].text.islower() and _gent_noun(toks[j].key) and _place_genitive(toks[j + 1].key)):
        return j + 2  # Держагентства резерву України: an org compound, its genitive, its country
    if not (_is_adj(last) or head_cap or (_ADJ_END.search(last) and _place_noun(toks, gap_ok, j))):
        return j  # (an adjective the dictionary does not know before a place noun: Гусинівського цвинтаря)
    if _is_adj(last) and j < len(toks) and gap_ok[j] and toks[j].key == "обл":
        return j + 1  # Донецька обл., Вінницькій обл.: the abbreviated head noun
    k = j
    while (k < len(toks) and gap_ok[k] and not morph.is_capitalized(toks[k].text) and _is_adj(toks[k].key)
           and not (head_cap and _gent_noun(toks[k].key))):  # Рада міністрів: a noun, not the adjective
        k += 1
    if not (k < len(toks) and gap_ok[k] and not morph.is_capitalized(toks[k].text)
            and (_best_pos(toks[k].key) == "NOUN" or (head_cap and _gent_noun(toks[k].key)))  # Рада міністрів
            and (head_cap or _lemma_in(toks[k].key, HEAD_NOUNS))):
        return j
    k += 1
    place = HEAD_NOUNS.get(_lemma_in(toks[k - 1].key, HEAD_NOUNS) or "") == "place"
    if not place:
        k = _genitive_chain(toks, gap_ok, k)  # Міністерство палива та енергетики України
    if k + 1 < len(toks) and toks[k].key == "імені" and morph.is_capitalized(toks[k + 1].text):
        k += 1
        seen_gent = False
        while k < len(toks) and gap_ok[k] and morph.is_capitalized(toks[k].text):
            gent = _inflected_gent(toks[k].key)
            if seen_gent and not gent:
                break
            seen_gent, k = seen_gent or gent, k + 1
        return k
    while k < len(toks) and gap_ok[k] and not (place and _is_adj(toks[k].key)) and (  # району | Київської області
            (morph.is_capitalized(toks[k].text) and (_is_adj(toks[k].key) or not _personal(toks[k].key)))
            or (toks[k].key in _PLACE_ABBR and k + 1 < len(toks) and gap_ok[k + 1]
                and morph.is_capitalized(toks[k + 1].text))):  # суду м. Києва
        k += 1
        if _is_adj(toks[k - 1].key) and k < len(toks) and gap_ok[k] and _best_pos(toks[k].key) == "NOUN":
            if (_place_head(toks[k].key) and k + 1 < len(toks) and gap_ok[k + 1]
                    and morph.is_capitalized(toks[k + 1].text) and not _is_adj(toks[k + 1].key)):
                return k + 2  # ... Автономної Республіки Крим
            return k + 1
    return k


def _region_phrase(piece: list[morph.Token]) -> bool:
    """Донецької області, Арцизького району: capitalised adjectives and a lower-case region noun."""
    return len(piece) >= 2 and not morph.is_capitalized(piece[-1].text) and (
        piece[-1].key == "обл" or _lemma_in(piece[-1].key, ("область", "район")) is not None) and all(
        morph.is_capitalized(t.text) and _is_adj(t.key) for t in piece[:-1])


def _body_name(run: list[morph.Token]) -> bool:
    """Прокуратура Херсонської області (a body's head noun and its region), Генеральна прокуратура
    України (an adjective, a lower-case head noun and a capitalised name)."""
    if len(run) < 3:
        return False
    if _org_head(run[0].key) and _region_phrase(run[1:]):
        return True
    return (_is_adj(run[0].key) and run[1].text.islower() and _org_head(run[1].key)
            and morph.is_capitalized(run[2].text))


def _agree(a: str, b: str) -> bool:
    """Two adjectives that can agree in case, gender and number (Київської обласної), unlike a town
    named by an adjective before its region (Садове | Арцизького району, Іршанську | Житомирської)."""
    def tags(k):
        return {(p.tag.case, p.tag.gender, p.tag.number) for p in morph.parses(k) if p.tag.POS == "ADJF"}
    return bool(tags(a) & tags(b))


def _genitive_chain(toks, gap_ok, k: int) -> int:
    """After an org head and its first genitive, more lower-case genitives (and та/і between them),
    when a capitalised word follows them: палива та енергетики | України; else `k` as it was."""
    m = k
    while m < len(toks) and m - k < 4 and gap_ok[m] and not morph.is_capitalized(toks[m].text) and toks[
            m].key != "імені" and (
            _gent_noun(toks[m].key) or (_is_adj(toks[m].key) and _inflected_gent(toks[m].key))
            or (toks[m].key in ("та", "і", "й") and m + 1 < len(toks) and _gent_noun(toks[m + 1].key))):
        m += 1
    if m > k and m < len(toks) and gap_ok[m] and morph.is_capitalized(toks[m].text) and toks[m - 1].key not in (
            "та", "і", "й"):
        return m
    return k


_ADJ_END = re.compile(r"(?:[иі]й|ого|ому|[иі]м|ої|ою|[аяе]|их|ими)$")


def _place_noun(toks, gap_ok, j: int) -> bool:
    """The next token is a lower-case place noun of the written list (цвинтаря, хутора, шляхом)."""
    return (j < len(toks) and gap_ok[j] and not morph.is_capitalized(toks[j].text)
            and HEAD_NOUNS.get(_lemma_in(toks[j].key, HEAD_NOUNS) or "") == "place")


# after initials, a capitalised word of these parts of speech opens the next sentence (В. І. Критської,
# Г. Зассе are surnames; a verb may be a surname too)
_NEXT_SENTENCE_POS = frozenset({"NOUN", "ADVB", "CONJ", "PRCL", "PREP", "NPRO", "INTJ"})


def _split(run: list[morph.Token]) -> list[list[morph.Token]]:
    """Split "КНДР Кім Чен Ин", "Росії Віктор Горемикін", "України Кремль"."""
    out, cur = [], []
    for n, t in enumerate(run):
        if cur:
            prev = cur[-1]
            cyr = morph.is_cyrillic(prev.text) and morph.is_cyrillic(t.text)
            nxt = run[n + 1] if n + 1 < len(run) else None
            if (_is_initial(prev) and cyr and len(t.text) > 1 and _known_common(t.key) and not _personal(t.key)
                    and not _is_adj(t.key) and (t.key in morph.FUNCTION_WORDS or any(
                        p.is_known and p.tag.POS in _NEXT_SENTENCE_POS for p in morph.parses(t.key)))):
                out.append(cur)  # Васильєвою Т. І. | Сутність, Зокрема ...: the next sentence
                cur = []
            elif (_is_initial(t) and not _is_initial(prev) and not _personal(prev.key)
                  and (_known_common(prev.key) or morph.is_acronym(prev.text))):
                out.append(cur)  # НАН України | Н. Ф. Клименко
                cur = []
            elif _is_initial(prev) or _is_initial(t) or t.key in FOREIGN_LEGAL:
                pass  # Т. Шевченко, Шевченко Т., Зевс ЛТД
            elif morph.is_acronym(prev.text) and t.key in ("україни", "рф"):
                pass  # МВС України, ЗС України
            elif (cyr and _place_genitive(t.key) and not morph.is_acronym(t.text)  # Держдуми | РФ
                  and any(_org_head(c.key) or _org_word(c.key) for c in cur)):
                pass  # Нацгвардії України, Адміністрації Президента України: the country's body
            elif ROMAN.match(t.text) and _personal(prev.key):
                pass  # Катерина II
            elif (morph.is_acronym(t.text) and not morph.is_acronym(prev.text) and t.key not in LEGAL_FORMS
                  and _is_adj(prev.key) and morph.is_capitalized(prev.text)):
                pass  # Дніпропетровської ОДА, Кременчуцькому НПЗ
            elif cyr and _org_head(prev.key) and (_place_genitive(t.key) or _gent_noun(t.key)):
                pass  # Верховної Ради України, Кабінету Міністрів України
            elif cyr and _place_head(prev.key) and not _is_adj(t.key) and not _personal(t.key):
                pass  # Автономної Республіки Крим: the place head and its name
            elif morph.is_cyrillic(prev.text) != morph.is_cyrillic(t.text) and not (
                    _is_initial(prev) or _is_initial(t) or t.key in FOREIGN_LEGAL):
                out.append(cur)  # Kernel | Андрія Веревського: another script, another name
                cur = []
            elif (cyr and _known_given(t.key) and not _is_adj(prev.key)
                  and (not _given(prev.key) or _org_head(prev.key) or _exonym_form(prev.key))
                  and not _patronymic(prev.key)
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


def _origin(sentence_tokens: list[morph.Token], start: int) -> str | None:
    for t in reversed([t for t in sentence_tokens if t.end <= start][-12:]):
        for origin, prefixes in CUES.items():
            if t.key.startswith(prefixes):
                return origin
    return None


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


def _after_legal_form(sentence: str, toks: list[morph.Token], tok: morph.Token) -> bool:
    i = next((k for k, t in enumerate(toks) if t.start == tok.start), 0)
    prev = toks[i - 1] if i > 0 else None  # ТОВ Барвінок; not the conjunctions бо, го (бо Ірма любить)
    return (prev is not None and prev.key in LEGAL_FORMS and morph.is_capitalized(prev.text)
            and not sentence[prev.end:tok.start].strip())


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
    if _name_possessive(tok.key):
        return False  # Дориної щоки: Дора's
    ps = morph.parses(tok.key)
    return not any((p.tag.POS == "NOUN" and p.is_known) or morph.is_name_parse(p) for p in ps) and any(
        p.is_known for p in ps)


def _evidenced(tok: morph.Token, evidence: set[str], nxt: morph.Token | None = None, run=None) -> bool:
    """May a sentence-initial capitalised word be a name? (A given name before a capitalised word
    may: Марія Попова; so may a body's head noun before its region or name: Прокуратура Херсонської
    області, Генеральна прокуратура України.)"""
    if morph.is_acronym(tok.text) or tok.key in evidence or (run is not None and _body_name(run)):
        return True
    head, _, tail = tok.text.partition("-")
    head = morph.norm_key(head)
    if tail and tail[:1].islower() and (_known_common(head) or morph.is_common_word(head)):
        return False  # Жінки-репортери, Ох-ох-ох: a common compound opening the sentence
    ps = morph.parses(tok.key)
    if nxt is not None and morph.is_capitalized(nxt.text) and any("Name" in p.tag.grammemes for p in ps):
        return True
    if (not morph.is_cyrillic(tok.text) or (ps and ps[0].is_known and not morph.is_name_parse(ps[0]))
            or any(p.is_known and p.tag.POS in morph.COMMON_POS for p in ps)):
        return False  # Latin without evidence; Про, Вона, Також, Російський
    return any(morph.is_name_parse(p) and p.score > 0.3 for p in ps) or not any(p.is_known for p in ps)
