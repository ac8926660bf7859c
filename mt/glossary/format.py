"""The glossary file format: entries read from TSV/CSV, validated, with clear errors."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from mt.errors import MtError
from mt.glossary import forms as morph

TYPES = ("person", "org", "place", "term")


REQUIRED_COLUMNS = ("source", "target")


OPTIONAL_COLUMNS = ("type", "note", "aliases", "count", "status", "example")


class GlossaryError(MtError, ValueError):
    """A glossary file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One glossary row: spellings (dictionary form) → the one English target."""

    sources: tuple[str, ...]
    target: str
    type: str = "term"
    note: str = ""
    aliases: tuple[str, ...] = ()


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


def _spelling_key(spelling: str) -> str:
    return " ".join(morph.norm_key(w) for w in morph.words(spelling))


def _as_sources(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split("|")
    return tuple(s.strip() for s in value if s.strip())
