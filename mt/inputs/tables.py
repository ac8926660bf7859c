"""Tabular inputs: JSONL, CSV, Parquet and saved `datasets` datasets.

Each row is a document. JSONL is read line by line, so one broken line is one
failed row, never a failed file; the other formats go through `datasets` in
streaming mode (no copy into a cache).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from mt.inputs.document import CorpusError, CorpusOptions, Document, Failed, content_hash
from mt.inputs.parse import parse_text
from mt.outputs.files import safe_component


def load_table(path: Path, rel: str, fmt: str, options: CorpusOptions) -> Iterator[Document | Failed]:
    try:
        rows = _jsonl_rows(path) if fmt == "jsonl" else _dataset_rows(path, fmt)
        seen: set[str] = set()
        empty = True
        for row, record in rows:
            empty = False
            if isinstance(record, Exception):
                yield Failed(id=f"{rel}#{row}", rel=rel, source=f"{path}:{row}", container=rel, row=row,
                             error=str(record))
                continue
            key = _row_key(record, options.id_column, row, seen)
            doc_id = f"{rel}#{key}"
            try:
                yield document_from_record(record, id=doc_id, rel=rel, source=f"{path}:{row}", options=options,
                                           container=rel, row=row)
            except CorpusError as exc:
                yield Failed(id=doc_id, rel=rel, source=f"{path}:{row}", container=rel, row=row, error=str(exc),
                             hash=content_hash(json.dumps(record, ensure_ascii=False, default=str)))
        if empty:  # said, and OUT's table for it is emptied too (outputs.assemble_table)
            yield Failed(id=rel, rel=rel, source=str(path), container=rel, error="the table has no rows")
    except (OSError, CorpusError, ValueError) as exc:
        yield Failed(id=rel, rel=rel, source=str(path), error=f"cannot read {fmt} file: {exc}")


def _row_key(record: dict, id_column: str, row: int, seen: set[str]) -> str:
    """A row's id from its id column (sanitized: it never becomes a path), else its row number."""
    value = record.get(id_column)
    key = safe_component(str(value), fallback=str(row)) if value not in (None, "") else str(row)
    if key in seen:  # a repeated id gets ~<row>; should that be taken too, ~<row>~<n>
        base = key = f"{key}~{row}"
        n = 1
        while key in seen:
            n += 1
            key = f"{base}~{n}"
    seen.add(key)
    return key


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict | Exception]]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                yield number, CorpusError(f"line {number} is not UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield number, CorpusError(f"line {number} is not valid JSON ({exc.msg})")
                continue
            if not isinstance(record, dict):
                yield number, CorpusError(f"line {number} is a JSON {type(record).__name__}, not an object")
                continue
            yield number, record


def _dataset_rows(path: Path, fmt: str) -> Iterator[tuple[int, dict | Exception]]:
    from mt.inputs.remote import RemoteFile

    if isinstance(path, RemoteFile):  # CSV/Parquet on a store: read from a local copy, deleted after
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mt-table-") as folder:
            local = Path(folder) / f"table{path.suffix}"
            path.copy_to(local)
            yield from _dataset_rows(local, fmt)
        return
    import datasets

    datasets.disable_progress_bars()
    try:
        if fmt == "dataset":
            data = datasets.load_from_disk(str(path))
            if isinstance(data, datasets.DatasetDict):
                data = data[next(iter(data))]
        else:
            builder = "csv" if fmt == "csv" else "parquet"
            data = datasets.load_dataset(builder, data_files=str(path), split="train", streaming=True)
    except Exception as exc:  # noqa: BLE001 - datasets raises many types
        raise CorpusError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    for number, record in enumerate(data, start=1):
        yield number, record


def document_from_record(record: dict, *, id: str, rel: str, source: str, options: CorpusOptions,
                         container: str, row: int) -> Document:
    """A table row / JSONL object with a text column -> Document."""
    text = record.get(options.text_column)
    if text is None:
        raise CorpusError(f"row has no '{options.text_column}' field")
    if not isinstance(text, str):
        raise CorpusError(f"'{options.text_column}' is {type(text).__name__}, not text")
    title = record.get(options.title_column)
    date = record.get(options.date_column)
    doc = parse_text(text, fmt="txt", id=id, rel=rel, source=source,
                     title=str(title) if title else None, date=str(date) if date else None, headline=False,
                     options=options)
    doc.hash = content_hash(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str))
    doc.container, doc.row = container, row
    doc.extra = {k: v for k, v in record.items() if k != options.text_column}
    return doc
