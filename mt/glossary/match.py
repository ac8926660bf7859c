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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from mt.glossary import forms as morph
from mt.glossary.format import Entry
from mt.glossary.format import GlossaryError
from mt.glossary.format import TYPES
from mt.glossary.format import _as_sources
from mt.glossary.format import _spelling_key

MATCHER_VERSION = 1  # part of the fingerprint: bump when matching changes
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


@dataclass
class _Pattern:
    entry: Entry
    source: str
    forms: list[frozenset]  # per word: allowed match keys
    caps: list[bool]  # per word: must the surface form be capitalised?
    exact: tuple[str, ...]  # the spelling's own keys (nominative)
    ambiguous: bool  # single word that is also a common word (Но, Але)


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
        for entry in self.entries:
            for source in entry.sources:
                pat = _compile_pattern(entry, source)
                if pat is None:
                    continue
                for key in pat.forms[0]:
                    index.setdefault(key, []).append(pat)
        self._index = index

    def find(self, text: str) -> list[Mention]:
        """Every mention of an entry in `text`: whole words, longest match first, no overlaps."""
        if self._index is None:
            self.compile()
        index = self._index
        tokens = morph.tokenize(text)

        def joined(k: int) -> bool:  # only spaces, one line break or quotes between tokens k-1 and k
            gap = text[tokens[k - 1].end:tokens[k].start]
            return _QUOTE_GAP.issuperset(gap) and gap.count("\n") <= 1

        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            best = None
            for pat in index.get(tokens[i].key, ()):
                n = len(pat.forms)
                if i + n > len(tokens) or not all(joined(i + k) for k in range(1, n)):
                    continue
                span = tokens[i:i + n]
                if not all(t.key in f for t, f in zip(span, pat.forms)):
                    continue
                if not all(morph.is_capitalized(t.text) for t, c in zip(span, pat.caps) if c):
                    continue
                if pat.ambiguous and _rejected_as_common(text, span[0]):
                    continue
                rank = (n, tuple(t.key for t in span) == pat.exact)
                if best is None or rank > best[0]:
                    best = (rank, pat, span)
            if best is None:
                i += 1
                continue
            _, pat, span = best
            start, end = span[0].start, span[-1].end
            out.append(Mention(start, end, text[start:end], pat.entry.target, pat.entry.type,
                               pat.entry, pat.source))
            i += len(span)
        return out


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
    caps = [morph.is_capitalized(w) and entry.type != "term" for w in ws]
    forms = [morph.word_forms(w) for w in ws]
    exact = tuple(morph.norm_key(w) for w in ws)
    ambiguous = len(ws) == 1 and morph.is_common_word(exact[0])
    return _Pattern(entry, source, forms, caps, exact, ambiguous)


def _rejected_as_common(text: str, token: morph.Token) -> bool:
    """A sentence-initial Но/Але is the common word, not the name."""
    return morph.sentence_initial(text, token.start) and morph.is_common_word(token.key)


# ---------------------------------------------------------------- loading


