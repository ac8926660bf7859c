"""Inputs of `mt evaluate`: load text files, folders and tables, then pair them.

* A line-aligned text file: one segment per line, paired by position.
* A folder: one document per file, paired by stem (``<stem>.en.txt``,
  ``<stem>.summary.en.txt``, ``<stem>.brief.md`` -- only its ``## Summary``
  section --, ``<stem>.uk.txt`` or ``<stem>.txt``).
* A table with named columns: JSONL, CSV, Parquet, or a ``datasets`` dataset
  saved with ``save_to_disk``. With an id column rows are paired by id,
  otherwise by position.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from mt.errors import MtError

FOLDER_SUFFIXES = (".summary.en.txt", ".brief.md", ".en.txt", ".uk.txt", ".txt")
COLUMNS = {
    "hyp": ("hyp", "hypothesis", "translation", "mt", "prediction", "output"),
    "ref": ("ref", "reference", "target", "summary"),
    "src": ("src", "source", "text"),
    "id": ("id", "doc_id", "docid"),
}
EMPTY_SUMMARY = "(empty summary)"  # what `mt brief` writes when the summary is empty
_SUMMARY = re.compile(r"^##\s+Summary\s*$", re.IGNORECASE | re.MULTILINE)
_NEXT_H2 = re.compile(r"^##\s", re.MULTILINE)


class EvaluateError(MtError, ValueError):
    """Inputs that cannot be scored (unreadable, mismatched, no pairs)."""


@dataclass
class Side:
    """One loaded input: texts with ids, paired by id (``keyed``) or by position."""

    path: Path
    kind: str  # lines | folder | jsonl | csv | parquet | dataset
    ids: list[str]
    texts: list[str]
    keyed: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """What one item is, for messages: ``line``, ``document`` or ``row``."""
        return {"lines": "line", "folder": "document"}.get(self.kind, "row")


@dataclass
class Pairs:
    """How hypotheses and references were paired."""

    matched: int
    missing: list[str] = field(default_factory=list)  # in the reference, not in the hypothesis
    extra: list[str] = field(default_factory=list)  # in the hypothesis, not in the reference

    def to_dict(self) -> dict[str, object]:
        """JSON form: ``{"matched": N, "missing": [...], "extra": [...]}``."""
        return {"matched": self.matched, "missing": self.missing, "extra": self.extra}


def extract_summary(markdown: str) -> str | None:
    """The text under a brief's ``## Summary`` heading, up to the next ``## `` heading."""
    match = _SUMMARY.search(markdown)
    if not match:
        return None
    rest = markdown[match.end():]
    end = _NEXT_H2.search(rest)
    summary = (rest[:end.start()] if end else rest).strip()
    return "" if summary == EMPTY_SUMMARY else summary


def folder_stem(name: str) -> tuple[str, str] | None:
    """Split a file name into ``(stem, suffix)`` for a known suffix, else ``None``."""
    for suffix in FOLDER_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return None


def _prefer(role: str, summaries: bool) -> tuple[str, ...]:
    """Which file wins when a folder holds several for one stem."""
    if role == "src":
        return (".uk.txt", ".txt", ".en.txt", ".summary.en.txt", ".brief.md")
    if role == "ref":
        return (".summary.en.txt", ".brief.md", ".en.txt", ".txt", ".uk.txt")
    if summaries:  # the brief is what a reader gets; its summary file is the same text plus a demo label
        return (".brief.md", ".summary.en.txt", ".en.txt", ".txt", ".uk.txt")
    return (".en.txt", ".txt", ".summary.en.txt", ".brief.md", ".uk.txt")


def load_folder(path: Path, role: str, summaries: bool = False) -> Side:
    """One document per file, keyed by its path below ``path`` minus the suffix.

    Sub-folders are read too (``sub/a.en.txt`` has id ``sub/a``), mirroring how
    ``mt translate`` writes ``OUT/<rel>.en.txt``. Files without a known suffix
    (``FOLDER_SUFFIXES``) and hidden files are ignored.

    ``summaries`` (set when the reference folder holds ``*.summary.en.txt``)
    makes a hypothesis folder prefer ``<stem>.brief.md`` (its ``## Summary``), then
    ``<stem>.summary.en.txt``, over ``<stem>.en.txt``. The label line of demo output is
    never scored. A source folder's Ukrainian articles are read as `mt translate` reads
    them (cleaned title and paragraphs), so term figures match the translate run's.
    """
    order = _prefer(role, summaries)
    chosen: dict[str, tuple[str, Path]] = {}
    for file in sorted(path.rglob("*")):
        rel = file.relative_to(path)
        split = folder_stem(rel.as_posix()) if file.is_file() else None
        if split is None or any(part.startswith(".") for part in rel.parts):
            continue
        stem, suffix = split
        if stem not in chosen or order.index(suffix) < order.index(chosen[stem][0]):
            chosen[stem] = (suffix, file)
    side = Side(path, "folder", [], [], keyed=True)
    for stem in sorted(chosen):
        suffix, file = chosen[stem]
        text = _strip_demo_label(_read(file))
        if role == "src" and suffix in {".txt", ".uk.txt"}:
            text = _article(text, file)
        if suffix == ".brief.md":
            summary = extract_summary(text)
            if summary is None:
                side.warnings.append(f"{file}: no '## Summary' section; scored as empty")
            text = summary or ""
        side.ids.append(stem)
        side.texts.append(text.strip())
    if not side.ids:
        raise EvaluateError(f"{path}: no files with a known suffix ({', '.join(FOLDER_SUFFIXES)})")
    return side


def _strip_demo_label(text: str) -> str:
    """Text without the label mt puts on the output of an untrained demo model."""
    from mt.outputs.layout import DEMO_LABEL, SUMMARY_DEMO_LABEL

    stripped = text.lstrip()
    for label in (SUMMARY_DEMO_LABEL, DEMO_LABEL):
        if stripped.startswith(label):
            return stripped[len(label):].lstrip(" \n")
    return text


def _article(text: str, file: Path) -> str:
    """A Ukrainian article as `mt translate` reads it: the cleaned title and paragraphs."""
    from mt.glossary.stats import source_text
    from mt.inputs.document import CorpusError
    from mt.inputs.parse import parse_text

    try:
        return source_text(parse_text(text, fmt="txt", id=file.stem, source=str(file)))
    except CorpusError:
        return ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluateError(f"cannot read {path}: {exc}") from exc


def load_lines(path: Path) -> Side:
    """A line-aligned text file, read exactly as the sacrebleu CLI reads one.

    UTF-8, split on ``\\n`` only, trailing whitespace stripped; a byte-order mark
    is kept, as sacrebleu keeps it (WMT22's PROMT output starts with one, and its
    official BLEU counts it).
    """
    try:
        with open(path, encoding="utf-8", newline="\n") as fh:
            texts = [line.rstrip() for line in fh]
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluateError(f"cannot read {path}: {exc}") from exc
    return Side(path, "lines", [str(i) for i in range(1, len(texts) + 1)], texts, keyed=False)


def _table_rows(path: Path) -> tuple[str, list[dict]]:
    suffix = path.suffix.lower()
    try:
        if path.is_dir():
            import datasets

            data = datasets.load_from_disk(str(path))
            if isinstance(data, datasets.DatasetDict):
                split = "test" if "test" in data else next(iter(data)) if len(data) == 1 else None
                if split is None:
                    raise EvaluateError(f"{path}: a DatasetDict with splits {list(data)}; no 'test' split")
                data = data[split]
            return "dataset", data.to_list()
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return "parquet", pq.read_table(path).to_pylist()
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                return "csv", list(csv.DictReader(fh))
        with open(path, encoding="utf-8-sig") as fh:
            return "jsonl", [json.loads(line) for line in fh if line.strip()]
    except EvaluateError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow, datasets, json all raise their own types
        raise EvaluateError(f"cannot read {path}: {exc}") from exc


def _column(columns: Sequence[str], explicit: str | None, role: str, path: Path) -> str | None:
    if explicit is not None:
        if explicit not in columns:
            raise EvaluateError(f"{path}: no column {explicit!r} (columns: {', '.join(columns)})")
        return explicit
    found = next((c for c in COLUMNS[role] if c in columns), None)
    if found is None and role != "id":
        raise EvaluateError(f"{path}: no {role} column; name it with --{role}-column "
                            f"(columns: {', '.join(columns)})")
    return found


def load_table(path: Path, role: str, column: str | None, id_column: str | None) -> Side:
    """Rows of a JSONL, CSV, Parquet file or saved dataset; keyed when there is an id column."""
    kind, rows = _table_rows(path)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    text_col = _column(columns, column, role, path)
    id_col = _column(columns, id_column, "id", path)
    texts = ["" if row.get(text_col) is None else str(row.get(text_col)) for row in rows]
    if id_col is None:
        return Side(path, kind, [str(i) for i in range(1, len(rows) + 1)], texts, keyed=False)
    ids = [str(row.get(id_col)) for row in rows]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise EvaluateError(f"{path}: duplicate ids in column {id_col!r}: {', '.join(duplicates[:10])}")
    return Side(path, kind, ids, texts, keyed=True)


def load_input(path: Path, role: str, column: str | None = None, id_column: str | None = None,
               summaries: bool = False) -> Side:
    """Load one ``--hyp``/``--ref``/``--src`` input of any supported shape."""
    path = Path(path)
    if not path.exists():
        raise EvaluateError(f"{role} input not found: {path}")
    if path.is_dir():
        is_dataset = any((path / n).exists() for n in ("dataset_info.json", "state.json", "dataset_dict.json"))
        return load_table(path, role, column, id_column) if is_dataset else load_folder(path, role, summaries)
    if path.suffix.lower() in (".jsonl", ".csv", ".parquet"):
        return load_table(path, role, column, id_column)
    return load_lines(path)


def _comparable(a: Side, b: Side) -> tuple[Side, Side]:
    """Make two sides pair the same way: a table meeting a line file is paired by row order."""
    if a.keyed == b.keyed:
        return a, b
    if "folder" in (a.kind, b.kind):
        raise EvaluateError(f"cannot pair {a.path} ({a.kind}, by {'id' if a.keyed else 'position'}) "
                            f"with {b.path} ({b.kind}, by {'id' if b.keyed else 'position'})")
    return (Side(a.path, a.kind, a.ids, a.texts, False, a.warnings),
            Side(b.path, b.kind, b.ids, b.texts, False, b.warnings))


def pair(hyp: Side, ref: Side) -> tuple[list[str], list[str], list[str], Pairs]:
    """Pair hypotheses with references: ``(ids, hyps, refs, pairs)`` in reference order.

    Folders and tables with ids pair by id; line files and tables without ids by
    position. A table with ids against a line file pairs by row order. A folder
    against a line file is an error.
    """
    hyp, ref = _comparable(hyp, ref)
    if not hyp.keyed:
        if len(hyp.texts) != len(ref.texts):
            raise EvaluateError(f"mismatched pairs: hypothesis {hyp.path} has {len(hyp.texts)} {hyp.unit}s, "
                                f"reference {ref.path} has {len(ref.texts)}")
        return list(ref.ids), list(hyp.texts), list(ref.texts), Pairs(len(ref.ids))
    by_id = dict(zip(hyp.ids, hyp.texts))
    ids = [i for i in ref.ids if i in by_id]
    ref_by_id = dict(zip(ref.ids, ref.texts))
    pairs = Pairs(len(ids), [i for i in ref.ids if i not in by_id], [i for i in hyp.ids if i not in ref_by_id])
    return ids, [by_id[i] for i in ids], [ref_by_id[i] for i in ids], pairs


def sources(src: Side | None, ref: Side, ids: list[str], warnings: list[str]) -> list[str | None]:
    """The source text of each paired id (``None`` where the source lacks it)."""
    if src is None:
        return [None] * len(ids)
    src, ref = _comparable(src, ref)
    if not src.keyed:
        if len(src.texts) != len(ref.texts):
            raise EvaluateError(f"mismatched pairs: source {src.path} has {len(src.texts)} {src.unit}s, "
                                f"reference {ref.path} has {len(ref.texts)}")
        position = {i: n for n, i in enumerate(ref.ids)}
        return [src.texts[position[i]] for i in ids]
    by_id = dict(zip(src.ids, src.texts))
    lacking = [i for i in ids if i not in by_id]
    if lacking:
        warnings.append(f"no source for {len(lacking)} document(s): {', '.join(lacking[:10])}")
    return [by_id.get(i) for i in ids]
