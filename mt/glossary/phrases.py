"""Phrases whose extent a marker gives: a legal form with its quoted name (ТОВ «Альфа»), a street word
with its name (вул. Лісова), two adjectives sharing one plural head noun (Донецькій та Луганській областях),
two given names sharing one surname (Сергій та Олександр Буряки).

Split from `mt.glossary.spans`, which finds the other names of a sentence.
"""
from __future__ import annotations

import re
from typing import Iterator

from mt.glossary import forms as morph
from mt.glossary.names import EXONYMS, HEAD_NOUNS, LEGAL_FORMS, STREET_WORDS
from mt.glossary.nominative import _case_like, _inflect, _name_lemma, _street_name
from mt.glossary.wordclass import _given, _is_adj, _is_initial, _known_given, _lemma_in

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
        elif i + 3 < n and toks[i + 1].key in _AND and _shared_head(sentence, toks, i):
            head = toks[i + 3]
            adjs = [_inflect(x.key, "ADJF", {"nomn", _gender_of(head.key)}) for x in (t, toks[i + 2])]
            nom = _inflect(head.key, "NOUN", {"nomn", "plur"})
            spelling = f"{_case_like(adjs[0], t.text)} {toks[i + 1].text} {_case_like(adjs[1], toks[i + 2].text)} {nom}"
            yield i, i + 4, spelling, HEAD_NOUNS[_lemma_in(head.key, HEAD_NOUNS)]
            i += 4
            continue
        elif i + 3 < n and toks[i + 1].key in _AND and _couple(sentence, toks, i):
            givens = [_name_lemma(x, set()) for x in (t, toks[i + 2])]
            yield i, i + 4, f"{givens[0]} {toks[i + 1].text} {givens[1]} {toks[i + 3].text}", "person"
            i += 4
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


_AND = frozenset({"та", "і", "й", "и"})


def _shared_head(sentence: str, toks: list[morph.Token], i: int) -> bool:
    """Донецькій та Луганській областях, Чорного та Азовського морів: two capitalised adjectives
    that share one plural head noun of the written list make one name."""
    a, b, head = toks[i], toks[i + 2], toks[i + 3]
    return (morph.is_capitalized(a.text) and morph.is_capitalized(b.text) and not morph.is_capitalized(head.text)
            and _is_adj(a.key) and _is_adj(b.key) and _lemma_in(head.key, HEAD_NOUNS) is not None
            and any(p.tag.POS == "NOUN" and "plur" in p.tag.grammemes for p in morph.parses(head.key))
            and not any(sentence[x.end:y.start].strip() for x, y in zip(toks[i:i + 3], toks[i + 1:i + 4])))


def _gender_of(key: str) -> str:
    """The gender of a plural noun's singular (морів: neuter, областей: feminine)."""
    for p in morph.parses(key):
        if p.tag.POS == "NOUN":
            lemma = morph.parses(morph.norm_key(p.normal_form))
            if lemma and lemma[0].tag.gender:
                return lemma[0].tag.gender
    return "femn"


def _couple(sentence: str, toks: list[morph.Token], i: int) -> bool:
    """Сергій та Олександр Буряки, Давида та Алли Кізіменко: two given names sharing one surname
    are one mention."""
    a, b, sur = toks[i], toks[i + 2], toks[i + 3]
    nxt = toks[i + 4] if i + 4 < len(toks) else None
    return (all(morph.is_capitalized(x.text) and morph.is_cyrillic(x.text) and len(x.text) > 1 for x in (a, b, sur))
            and _known_given(a.key) and _known_given(b.key) and not _given(sur.key)
            and not morph.is_common_word(sur.key)
            and not (nxt is not None and morph.is_capitalized(nxt.text)
                     and not sentence[sur.end:nxt.start].strip())
            and not any(sentence[x.end:y.start].strip() for x, y in zip(toks[i:i + 3], toks[i + 1:i + 4])))
