"""Glossaries: loading, validation and inflection-aware matching of Ukrainian names.

A glossary is a UTF-8 TSV (or CSV, by extension) with a header::

    source                              target            type    note
    Горемикін|Горемікін                 Goremykin         person  deputy defence minister
    Кім Чен Ин                          Kim Jong Un       person

`source` holds one or more `|`-separated spellings in dictionary form; every
word of a spelling may be inflected in the text (see `mt.morph.word_forms`).
Optional columns: type, note, aliases (English spellings to normalise to the
target), count, status, example (written by `mt glossary extract`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

from mt import morph

TYPES = ("person", "org", "place", "term")
REQUIRED_COLUMNS = ("source", "target")
OPTIONAL_COLUMNS = ("type", "note", "aliases", "count", "status", "example")
MATCHER_VERSION = 1  # part of the fingerprint: bump when matching changes
_QUOTE_GAP = set(" \t\r\n\u00a0\u202f«»\"„“”")


class GlossaryError(ValueError):
    """A glossary file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One glossary row: spellings (dictionary form) → the one English target."""

    sources: tuple[str, ...]
    target: str
    type: str = "term"
    note: str = ""
    aliases: tuple[str, ...] = ()


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


def _spelling_key(spelling: str) -> str:
    return " ".join(morph.norm_key(w) for w in morph.words(spelling))


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


def _as_sources(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split("|")
    return tuple(s.strip() for s in value if s.strip())


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

def load_glossary(paths: Sequence[str | Path] | str | Path) -> Glossary:
    """Load and validate one or more glossary files; later files override earlier ones."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    glossary = Glossary()
    for path in paths:
        glossary = glossary.merge(Glossary(read_entries(path)))
    return glossary


def glossary_or_files(glossary: Glossary | None, paths: Sequence[str | Path]) -> Glossary | None:
    """`glossary` when one is given, else the files `paths` loaded (None when there are none)."""
    if glossary is not None or not paths:
        return glossary
    return load_glossary(list(paths))


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossaryError(f"{path}:{line}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def read_entries(path: str | Path) -> list[Entry]:
    """Parse one glossary file into entries, raising `GlossaryError` with file:line."""
    path = Path(path)
    if not path.is_file():
        raise GlossaryError(f"{path}: no such glossary file")
    text = _decode(path)
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    quoting = csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    header: list[str] | None = None
    entries: list[Entry] = []
    seen: dict[str, tuple[str, int]] = {}
    for row in reader:
        line = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if header is None:
            header = _check_header(path, line, cells)
            continue
        if len(cells) > len(header):
            raise GlossaryError(f"{path}:{line}: {len(cells)} fields, but the header has {len(header)}")
        fields = dict(zip(header, cells))
        for col in REQUIRED_COLUMNS:
            if col not in fields:
                raise GlossaryError(f"{path}:{line}: {len(cells)} fields; missing the {col!r} column")
            if not fields[col]:
                raise GlossaryError(f"{path}:{line}: empty {col!r} field")
        raw = fields["source"].split("|")
        if any(not s.strip() for s in raw):
            raise GlossaryError(f"{path}:{line}: empty spelling in source {fields['source']!r}")
        if not all(morph.words(s) for s in raw):
            raise GlossaryError(f"{path}:{line}: source {fields['source']!r} has a spelling with no letters")
        etype = fields.get("type") or "term"
        if etype not in TYPES:
            raise GlossaryError(f"{path}:{line}: bad type {etype!r} (expected one of {', '.join(TYPES)})")
        entry = Entry(_as_sources(raw), fields["target"], etype, fields.get("note", ""),
                      _as_sources(fields.get("aliases", "")))
        for s in entry.sources:
            key = _spelling_key(s)
            if key in seen and seen[key][0] != entry.target:
                target, first = seen[key]
                raise GlossaryError(f"{path}:{line}: spelling {s!r} maps to {entry.target!r}, "
                                    f"but line {first} maps it to {target!r}")
            seen.setdefault(key, (entry.target, line))
        entries.append(entry)
    if header is None:
        raise GlossaryError(f"{path}:1: missing header (expected 'source<TAB>target<TAB>type<TAB>note')")
    return entries


def _check_header(path: Path, line: int, cells: list[str]) -> list[str]:
    names = [c.lower() for c in cells]
    if "source" not in names or "target" not in names:
        raise GlossaryError(f"{path}:{line}: missing header: the first line must name the columns "
                            f"'source' and 'target' (got {cells[:4]!r})")
    for name in names:
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            raise GlossaryError(f"{path}:{line}: unknown column {name!r} (known: "
                                f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})")
    if len(set(names)) != len(names):
        raise GlossaryError(f"{path}:{line}: duplicate column in header")
    return names
