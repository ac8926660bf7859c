"""Output layouts for translations (the write stage).

For a text document ``OUT/<rel>.en.txt`` holds the English title, a blank
line, then one English paragraph per line, 1:1 with the cleaned source
paragraphs; ``OUT/<rel>.en.json`` holds the aligned source/English pairs,
dropped boilerplate and glossary results (for scripts and the review page).
Rows of a table are written as parts under ``OUT/.mt/parts/`` and assembled
into ``OUT/<rel>.en.jsonl`` (or ``.en.csv`` / ``.en.parquet``) in row order.
"""
from __future__ import annotations

import json
from pathlib import Path

from mt.inputs.corpus import TABLE_SUFFIXES
from mt.inputs.document import Document, content_hash
from mt.outputs.files import atomic_write_json, atomic_write_lines, atomic_write_text, landed, output_path
from mt.outputs.layout import DEMO_LABEL
from mt.outputs.remote import removed


def part_path(out: Path, container: str, doc_id: str) -> Path:
    """A table row's translation, named by its document id (row numbers move when rows are removed)."""
    return output_path(out, f".mt/parts/{container}/{content_hash(doc_id)}", ".json")


def primary_output(out: Path, doc: Document) -> Path:
    if doc.container is not None:
        return part_path(out, doc.container, doc.id)
    return output_path(out, doc.rel, ".en.txt")


def detail(result, translator, clusters=()) -> dict:
    doc = result.doc
    spec = translator.engine.spec
    return {
        "id": doc.id, "source": doc.source, "date": doc.date, "model": spec.label, "engine": translator.engine.name,
        "demo": spec.is_demo, "title": {"uk": doc.title, "en": result.title, "derived": doc.title_derived},
        "paragraphs": [{"uk": uk, "en": en} for uk, en in zip(doc.paragraphs, result.paragraphs)],
        "dropped": [{"kind": kind, "text": text} for kind, text in doc.dropped],
        "terms": [term_record(t) for t in result.terms],
        # where the date came from, the identified language, and an HTML page's url/site/author/reader
        "date_source": doc.date_source, "language": doc.language, **doc_page(doc),
    }


def doc_page(doc: Document) -> dict:
    """An HTML page's metadata as detail/manifest fields: url, site, author, page_language, reader."""
    return {key: doc.page[key] for key in ("url", "site", "author", "page_language", "reader") if doc.page.get(key)}


def term_record(term) -> dict:
    mention = term.mention
    return {"text": mention.text, "target": mention.target, "type": mention.type, "status": term.status}


def write_translation(out: Path, result, translator, clusters=()) -> Path:
    doc = result.doc
    record = detail(result, translator, clusters)
    title = result.title
    if translator.engine.spec.is_demo:
        title = f"{DEMO_LABEL} {title}".strip()
    if doc.container is not None:
        path = primary_output(out, doc)
        record.update(row=doc.row, extra=doc.extra, translation="\n".join(result.paragraphs), title_en=title)
        atomic_write_json(path, record)
        return path
    path = primary_output(out, doc)
    atomic_write_json(output_path(out, doc.rel, ".en.json"), record)
    atomic_write_text(path, "\n".join([title, "", *result.paragraphs]) + "\n")
    return path


def clusters_used(clusters, result) -> list:
    """The auto-glossary clusters whose name this document mentions."""
    targets = {t.mention.target for t in result.terms}
    return [c.as_dict() for c in clusters if c.target in targets]


def assemble_table(out: Path, container: str, manifest, ids: set[str] | None = None) -> Path | None:
    """Write OUT/<container>.en.<fmt> from its row parts, in row order, atomically.

    `ids` limits the table to the documents the input has now, so rows removed
    from the input leave nothing behind (an input with no rows left removes the
    output table); None takes every row ever recorded.
    """
    rows = sorted((r for r in manifest.latest.values() if r.get("container") == container and r.get("row")
                   and (ids is None or r["id"] in ids)), key=lambda r: r["row"])
    if not rows:
        if ids is not None:
            for fmt in TABLE_SUFFIXES.values():
                gone = output_path(out, container, f".en.{fmt}")
                if gone.exists():
                    gone.unlink()
                    removed(gone)
        return None
    source = rows[0].get("source", "")
    suffix = Path(source.rsplit(":", 1)[0]).suffix.lower()
    fmt = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}.get(suffix, "parquet")

    def records():
        for record in rows:
            part = part_path(out, container, record["id"])
            if record.get("status") in {"ok", "skipped"} and part.exists():
                data = json.loads(part.read_text(encoding="utf-8"))
                yield {**data.get("extra", {}), "id": record["id"], "title_en": data.get("title_en"),
                       "translation": data.get("translation"), "error": None}
            else:
                yield {"id": record["id"], "translation": None, "error": record.get("error")}

    path = output_path(out, container, f".en.{fmt}")
    if fmt == "jsonl":
        atomic_write_lines(path, (json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records()))
    else:
        _write_with_datasets(path, list(records()), fmt)
    return path


def _write_with_datasets(path: Path, rows: list[dict], fmt: str) -> None:
    import os
    import tempfile

    import datasets

    datasets.disable_progress_bars()
    table = datasets.Dataset.from_list([{k: (None if v is None else str(v) if not isinstance(v, (int, float, bool))
                                             else v) for k, v in r.items()} for r in rows])
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        (table.to_csv if fmt == "csv" else table.to_parquet)(tmp)
        os.replace(tmp, path)
        landed(path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
