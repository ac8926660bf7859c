"""Glossaries: one English form for every name.

The file format lives in `mt.glossary.format`, Ukrainian word forms in
`forms`, matching in `match`, enforcement on English output in `enforce`,
the decoding bias in `bias`, term figures in `stats`, and drafts
(`mt glossary extract`, `--auto-glossary`) in `draft`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from mt.glossary.format import Entry, GlossaryError, read_entries
from mt.glossary.match import Glossary, Mention

__all__ = ["Entry", "Glossary", "GlossaryError", "Mention", "glossary_or_files", "load_glossary", "read_entries"]


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
