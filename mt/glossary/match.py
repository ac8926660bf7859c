"""Glossaries: loading, validation and inflection-aware matching of Ukrainian names.

A glossary is a UTF-8 TSV (or CSV, by extension) with a header::

    source                              target            type    note
    Горемикін|Горемікін                 Goremykin         person  deputy defence minister
    Кім Чен Ин                          Kim Jong Un       person

`source` holds one or more `|`-separated spellings in dictionary form; every
word of a spelling may be inflected in the text (see `mt.glossary.forms.word_forms`).
Optional columns: type, note, aliases (English spellings to normalise to the
target), count, status, example (written by `mt glossary extract`).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterable

from mt.glossary import forms as morph
from mt.glossary.format import TYPES, Entry, GlossaryError, _as_sources, _spelling_key

MATCHER_VERSION = 2  # part of the fingerprint: bump when matching changes (2: initials, parts, plurals)
_QUOTE_GAP = set(" \t\r\n\u00a0\u202f«»\"„“”")


@dataclass(frozen=True)
class Mention:
    """A match of an entry in a text; `start:end` are character offsets."""

    start: int
    end: int
    text: str
    target: str
    type: str
    entry: Entry = field(repr=False, compare=False)
    source: str = ""


ANY = None  # a pattern word that is any initial (the patronymic's in "Т. Г. Шевченко" for "Тарас Шевченко")


@dataclass
class _Pattern:
    entry: Entry
    source: str
    forms: list  # per word: allowed match keys (a frozenset), or ANY initial
    caps: list[bool]  # per word: must the surface form be capitalised?
    exact: tuple[str, ...]  # the spelling's own keys (nominative)
    ambiguous: bool  # single word that is also a common word (Но, Але)
    initial: list[bool] = field(default_factory=list)  # per word: an initial (В. / В), dot optional
    gaps: list[str] = field(default_factory=list)  # per word after the first: "." when the spelling joins by a dot
    close: str = ""  # a closing quote the spelling ends with (ТОВ «Альфа»): the mention takes it in
    derived: bool = False  # an initial form of a full-name entry (Т. Шевченко for Тарас Шевченко)
    letter: bool = False  # a one-letter entry (А, Б, В in a list): never an initial or a function word


class Glossary:
    """An ordered set of entries with lazy, cached matching."""

    def __init__(self, entries: Iterable[Entry] = ()):
        self.entries: list[Entry] = list(entries)
        self._index: dict[str, list[_Pattern]] | None = None

    # ------------------------------------------------------------ building
    @classmethod
    def from_entries(cls, entries: Iterable[Entry | tuple | dict]) -> "Glossary":
        """Build from `Entry` objects, `(sources, target[, type[, note]])` tuples or dicts.

        `sources` may be a `|`-joined string or a sequence. A later entry
        takes over a spelling from an earlier one.
        """
        items = []
        for item in entries:
            if isinstance(item, dict):
                item = Entry(**{**item, "sources": _as_sources(item["sources"]),
                                "aliases": _as_sources(item.get("aliases", ()))})
            elif not isinstance(item, Entry):
                src, target, *rest = item
                item = Entry(_as_sources(src), target, *rest)
            if item.type not in TYPES:
                raise GlossaryError(f"entry {item.target!r}: bad type {item.type!r} "
                                    f"(expected one of {', '.join(TYPES)})")
            if not item.sources or not item.target.strip():
                raise GlossaryError(f"entry {item!r}: empty source or target")
            items.append(item)
        return cls(_override(items))

    def merge(self, other: "Glossary") -> "Glossary":
        """A new glossary: `self` overridden by `other` spelling by spelling."""
        return Glossary(_override(self.entries + other.entries))

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def fingerprint(self) -> str:
        """A stable hash of what affects output (spellings, targets, types, aliases)."""
        rows = sorted([sorted(_spelling_key(s) for s in e.sources), e.target, e.type, sorted(e.aliases)]
                      for e in self.entries)
        blob = json.dumps([MATCHER_VERSION, rows], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys(e.target for e in self.entries))

    @cached_property
    def target_keys(self) -> frozenset[str]:
        """The targets in lower case: what counts as some entry's canonical form (entries never change)."""
        return frozenset(t.lower() for t in self.targets)

    # ------------------------------------------------------------ matching
    def compile(self) -> None:
        """Build the first-word index (done lazily by `find`)."""
        index: dict[str, list[_Pattern]] = {}
        explicit: set[tuple] = set()
        derived: dict[tuple, list[_Pattern]] = {}
        for entry in self.entries:
            for source in entry.sources:
                pat = _compile_pattern(entry, source)
                if pat is None:
                    continue
                explicit.add(_signature(pat))
                for key in pat.forms[0]:
                    index.setdefault(key, []).append(pat)
                for d in _initial_forms(pat):
                    derived.setdefault(_signature(d), []).append(d)
        for sig, pats in derived.items():
            # Two entries that share a surname and an initial (Тарас / Трохим Шевченко): "Т. Шевченко" is
            # ambiguous and matches neither; an explicit entry with that spelling wins over both.
            if sig in explicit or len({p.entry.target for p in pats}) > 1:
                continue
            pat = pats[0]
            for key in pat.forms[0]:
                index.setdefault(key, []).append(pat)
        self._index = index

    def find(self, text: str) -> list[Mention]:
        """Every mention of an entry in `text`: whole words, longest match first, no overlaps.

        Words of an entry are joined across spaces, one line break and quotes; after an initial also
        across its dot (В. І. Гошкевича, В.І. Гошкевича, Гаврилюк А.О.). A hyphenated word that is
        no entry's matches its parts' entries (РБК-Україна: РБК, Україна).
        """
        if self._index is None:
            self.compile()
        index = self._index
        tokens = morph.tokenize(text)

        def joined(i: int, k: int, pat: _Pattern) -> bool:  # may word k of `pat` follow word k-1?
            gap = text[tokens[i + k - 1].end:tokens[i + k].start]
            if pat.initial[k - 1]:  # В. І. Гошкевич, В.І.Гошкевич, Гаврилюк А. О.
                return _INITIAL_GAP.fullmatch(gap) is not None and gap.count("\n") <= 1
            if pat.gaps[k - 1]:
                return gap.strip() == pat.gaps[k - 1] and "\n" not in gap
            return bool(gap) and _QUOTE_GAP.issuperset(gap) and gap.count("\n") <= 1

        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            best = None
            for pat in index.get(tokens[i].key, ()):
                n = len(pat.forms)
                if i + n > len(tokens) or (pat.initial[0] and not _is_initial(tokens[i].text)):
                    continue
                span = tokens[i:i + n]
                if not all((t.key in f if f is not ANY else _is_initial(t.text)) and joined(i, k, pat)
                           for k, t, f in zip(range(1, n), span[1:], pat.forms[1:])):
                    continue
                if not all(morph.is_capitalized(t.text) for t, c in zip(span, pat.caps) if c) and not (
                        pat.entry.type in ("org", "place") and _quoted(text, span[0].start, span[-1].end)):
                    continue  # a lower-case org or place name is one only in quotes (мережі «фейсбук»)
                if not all(_initial_ok(text, t) for t, f in zip(span, pat.initial) if f):
                    continue
                if pat.ambiguous and not pat.letter and _rejected_as_common(text, span[0]):
                    continue
                if pat.letter and _letter_rejected(text, tokens, i):
                    continue
                if n == 1 and span[0].key != pat.exact[0] and morph.is_common_word(span[0].key):
                    continue  # the matched form is a common word: Тоді for an entry Тодь, Серед for Середа
                rank = (n, not pat.derived, tuple(t.key for t in span) == pat.exact)
                if best is None or rank > best[0]:
                    best = (rank, pat, span)
            if best is None:
                parts = _hyphen_parts(tokens[i])
                if parts:  # no entry has the whole compound: try its parts
                    tokens[i:i + 1] = parts
                    continue
                i += 1
                continue
            _, pat, span = best
            start, end = span[0].start, span[-1].end
            if pat.close:  # ТОВ «Альфа», ТОВ «Лідер-1»: the mention takes the closing quote in
                m = _tail_re(pat.close).match(text, end)
                if m:
                    end = m.end()
            elif pat.initial[-1] and text[end:end + 2].lstrip(" ")[:1] == ".":
                end = text.index(".", end) + 1  # Кузнєцов А. С., Павлову Г . Л .: the last initial's dot
            out.append(Mention(start, end, text[start:end], pat.entry.target, pat.entry.type,
                               pat.entry, pat.source))
            i += len(span)
        return out


_INITIAL_GAP = re.compile(r"[ \u00a0]*\.?[ \t\u00a0\u202f\r\n]*")
_CLOSE = re.compile(r"[ \u00a0]?([»\"“”])")
_OPEN_QUOTES, _CLOSE_QUOTES = "«„\"“", "»\"“”"


@lru_cache(maxsize=4096)
def _tail_re(tail: str) -> re.Pattern:
    """The text after a spelling's last word up to its closing quote ("-1»"), spaces optional."""
    body = r"[ \u00a0]*".join("[»\"“”]" if ch in _CLOSE_QUOTES else re.escape(ch) for ch in tail)
    return re.compile(r"[ \u00a0]*" + body)


def _quoted(text: str, start: int, end: int) -> bool:
    return 0 < start and end < len(text) and text[start - 1] in _OPEN_QUOTES and text[end] in _CLOSE_QUOTES


def _is_initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _initial_ok(text: str, tok: morph.Token) -> bool:
    """An initial is one capital letter, followed by a dot or a space."""
    return _is_initial(tok.text) and (tok.end >= len(text) or text[tok.end] in ". \u00a0\u202f\t\n")


def _letter_rejected(text: str, tokens: list[morph.Token], i: int) -> bool:
    """A one-letter entry (А, Б, В as labels in a list) is not an initial before a name (В. Путін)
    nor a sentence-initial conjunction or preposition before a word (А він, В Києві)."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None:
        return False
    gap = text[tok.end:nxt.start]
    if gap.startswith(".") and not gap.strip(". \u00a0") and morph.is_capitalized(nxt.text):
        return True  # В. Путін, В.І. Гошкевич
    if not gap.strip(" \u00a0«\"„“") and "\n" not in gap:  # А «Інтерстеллар», Є багато
        return ((morph.is_function_word(tok.key) or morph.is_common_word(tok.key))
                and (morph.sentence_initial(text, tok.start) or not morph.is_capitalized(tok.text)))
    return False


def _hyphen_parts(tok: morph.Token) -> list[morph.Token]:
    if "-" not in tok.key:
        return []
    out, pos = [], tok.start
    for piece in re.split(f"[{morph.HYPHENS}]", tok.text):
        if len(piece) > 1:  # А-БА-БА-ГА-ЛА-МА-ГА is no list of letters
            out.append(morph.Token(pos, pos + len(piece), piece, morph.norm_key(piece)))
        pos += len(piece) + 1
    return out if len(out) > 1 else []


def _signature(pat: _Pattern) -> tuple:
    return tuple("*" if f is ANY else x for f, x in zip(pat.forms, pat.exact))


def _override(entries: list[Entry]) -> list[Entry]:
    """Drop each spelling from every entry but the last one that has it."""
    owner: dict[str, int] = {}
    for i, e in enumerate(entries):
        for s in e.sources:
            owner[_spelling_key(s)] = i
    out = []
    for i, e in enumerate(entries):
        sources = tuple(s for s in e.sources if owner[_spelling_key(s)] == i)
        if sources:
            out.append(e if sources == e.sources else Entry(sources, e.target, e.type, e.note, e.aliases))
    return out


def _compile_pattern(entry: Entry, source: str) -> _Pattern | None:
    ws = morph.words(source)
    if not ws:
        return None
    spans = [m.span() for m in morph.TOKEN_RE.finditer(source)]
    # A capitalised word must be capitalised in the text, except an org name the dictionary does
    # not know at all (Ексель: "в екселі").
    caps = [morph.is_capitalized(w) and entry.type != "term"
            and not (entry.type == "org" and not morph.is_acronym(w) and morph.is_unknown(morph.norm_key(w)))
            for w in ws]
    exact = tuple(morph.norm_key(w) for w in ws)
    initial = [len(ws) > 1 and _is_initial(w) for w in ws]
    forms = [frozenset({x}) if ini or len(w) == 1 else morph.word_forms(w, name=entry.type != "term")
             for w, x, ini in zip(ws, exact, initial)]
    if len(ws) == 1 and len(exact[0]) == 2:  # Ян: its forms, but never a function word (На for Н)
        forms = [frozenset(f for f in forms[0] if f == exact[0] or not morph.is_function_word(f))]
    gaps = []
    for (_, a), (b, _) in zip(spans, spans[1:]):
        sym = source[a:b].strip()
        gaps.append(sym if sym and not sym.strip(".&+/@") else "")  # читомо.com, Liga.net, суду м. Києва
    ambiguous = len(ws) == 1 and morph.is_common_word(exact[0])
    tail = "".join(source[spans[-1][1]:].split())
    close = tail if tail and tail[-1] in _CLOSE_QUOTES and len(tail) <= 12 else ""
    return _Pattern(entry, source, forms, caps, exact, ambiguous, initial, gaps, close,
                    letter=len(ws) == 1 and len(ws[0]) == 1)


def _initial_forms(pat: _Pattern) -> list[_Pattern]:
    """Initial forms of a full-name person entry, same target: Тарас Шевченко → Т. Шевченко,
    Т. Г. Шевченко, Шевченко Т., Шевченко Т. Г. (the second initial is any letter)."""
    if pat.entry.type != "person" or not 2 <= len(pat.exact) <= 3 or any(pat.initial) or any(pat.gaps):
        return []
    ws = morph.words(pat.source)
    if not all(morph.is_capitalized(w) and morph.is_cyrillic(w) and len(w) > 1 for w in ws):
        return []
    n = len(ws)
    surname_first = n == 3 and morph.is_patronymic(pat.exact[2]) or (
        n == 2 and morph.is_surname(pat.exact[0]) and morph.is_given_name(pat.exact[1])
        and not morph.is_given_name(pat.exact[0]))
    if surname_first:
        sur, given = 0, list(range(1, n))
    else:
        sur, given = n - 1, list(range(n - 1))
    letters = [frozenset({pat.exact[g][0]}) for g in given]
    if len(letters) == 1:
        letters_opts = [letters, letters + [ANY]]
    else:
        letters_opts = [letters[:1], letters]
    out = []
    surname = pat.forms[sur]
    for ls in letters_opts:
        k = len(ls)
        keys = tuple(next(iter(f)) if f is not ANY else "" for f in ls)
        for order in ("before", "after"):
            if order == "before":
                forms, exact, ini = ls + [surname], keys + (pat.exact[sur],), [True] * k + [False]
            else:
                forms, exact, ini = [surname] + ls, (pat.exact[sur],) + keys, [False] + [True] * k
            out.append(_Pattern(pat.entry, pat.source, forms, [True] * (k + 1), exact, False, ini,
                                [""] * k, "", derived=True))
    return out


def _rejected_as_common(text: str, token: morph.Token) -> bool:
    """A sentence-initial Но/Але is the common word, not the name."""
    return morph.sentence_initial(text, token.start) and morph.is_common_word(token.key)


# ---------------------------------------------------------------- loading


