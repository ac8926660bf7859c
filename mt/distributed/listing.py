"""The driver lists the inputs and what is done; Ray tasks read them into windows of documents.

Rows travel between mt's own driver and workers pickled (as everything Ray moves is); nothing read from
an input file is ever unpickled.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Iterator

from mt.inputs.document import CorpusOptions, Failed
from mt.inputs.remote import RemoteFile, is_url, source_path
from mt.outputs import translations as outputs
from mt.outputs.files import OutputError
from mt.outputs.manifest import Manifest


def list_inputs(paths: list[Path], corpus: CorpusOptions, done: dict[str, dict[str, str]]) -> list[dict]:
    """One item per input file, as `load_corpus` would meet them, with the manifest's done work for it.

    `done` maps a text document's id, or a table's container stem, to {document id: content hash}.
    """
    from mt.inputs.corpus import list_inputs

    items = []
    for item in list_inputs(paths, corpus.exclude):
        if isinstance(item, Failed):
            items.append({"failed": item})
            continue
        path, rel, fmt = item
        items.append({"path": path if isinstance(path, RemoteFile) else str(path), "rel": rel, "fmt": fmt,
                      "done": done.get(rel, {})})
    return items


def done_index(manifest: Manifest, stage: str, key: str) -> dict[str, dict[str, str]]:
    """{text id or table stem: {document id: hash}} of the work the manifest records as done with `key`."""
    index: dict[str, dict[str, str]] = {}
    for (doc_id, record_stage), record in manifest.latest.items():
        if record_stage != stage or record.get("status") not in {"ok", "skipped"} or record.get("key") != key:
            continue
        index.setdefault(record.get("container") or doc_id, {})[doc_id] = record.get("hash")
    return index


def _documents(item: dict, corpus: CorpusOptions, out: Path, languages=None) -> Iterator[tuple[str, object]]:
    """(kind, payload) for each document of one listed input: "doc" (a Document to translate),
    "skip" (done before: same hash and options key, output present), "language" ((Document,
    reason): not in a language the run translates) or "failed" (a Failed)."""
    from mt.inputs.language import skip_reason

    if "failed" in item:
        yield "failed", item["failed"]
        return
    from mt.inputs.corpus import TEXT_SUFFIXES, _load_text_file
    from mt.inputs.tables import load_table

    path, rel, fmt, done = source_path(item["path"]), item["rel"], item["fmt"], item["done"]
    docs = [_load_text_file(path, rel, fmt, corpus)] if fmt in set(TEXT_SUFFIXES.values()) else \
        load_table(path, rel, fmt, corpus)
    for doc in docs:
        if isinstance(doc, Failed):
            yield "failed", doc
            continue
        reason = skip_reason(doc.language, languages)
        if reason:
            yield "language", (doc, reason)
            continue
        try:
            finished = done.get(doc.id) == doc.hash and _output_exists(out, doc)
        except OutputError:
            finished = False  # the worker records why it cannot be written
        yield ("skip", {"id": doc.id, "row": doc.row, "container": doc.container}) if finished else ("doc", doc)


def _output_exists(out, doc) -> bool:
    """Whether the document's primary output is in OUT: a folder, or a bucket's URL (one request)."""
    if not is_url(out):
        return outputs.primary_output(Path(out), doc).exists()
    rel = outputs.primary_output(Path("/"), doc).relative_to("/").as_posix()
    return RemoteFile.below(str(out).rstrip("/"), rel).exists()


def _measure(items: list[dict], corpus: CorpusOptions, out: str, languages=None) -> list[list[tuple]]:
    """A Ray task (first pass): each document's id, kind and size, for the driver to cut windows."""
    return [[(p.id if kind == "doc" else None, kind, sum(map(len, p.paragraphs)) if kind == "doc" else 0)
             for kind, p in _documents(item, corpus, out, languages)] for item in items]


def _sizes(ray, listing: list[dict], corpus: CorpusOptions, out: str, languages, tasks: int) -> list:
    """`_measure` over the listing in at most `tasks` Ray tasks (plain tasks: a Ray Data pipeline
    costs seconds to start, reading a chunk of files milliseconds)."""
    measure = ray.remote(num_cpus=0, max_retries=3)(_measure)
    step = max(1, -(-len(listing) // max(1, tasks)))
    chunks = [listing[i:i + step] for i in range(0, len(listing), step)]
    return [sizes for part in ray.get([measure.remote(c, corpus, out, languages) for c in chunks]) for sizes in part]


def _read_windows(row: dict, corpus: CorpusOptions, out: str, languages=None) -> list[dict]:
    """A Ray task (second pass): a group of listed inputs as rows in input order: "skip" and
    "failed" rows, and "window" rows holding the documents to translate together."""
    group = pickle.loads(row["payload"])
    rows, window = [], []
    for item in group["items"]:
        for kind, payload in _documents(item, corpus, out, languages):
            if kind != "doc":
                rows.append(_row(kind, payload))
                continue
            window.append(payload)
            if payload.id in group["cuts"]:
                rows.append(_row("window", window))
                window = []
    if window:  # the run's last window
        rows.append(_row("window", window))
    return rows


def cut_windows(sizes: list[list[tuple[str, str, int]]], window_docs: int, window_chars: int):
    """Group listed inputs so each group holds whole windows, cut as `mt.translate` cuts them.

    `sizes[i]` is (id, kind, characters) per document of input i. Returns [(input indexes,
    ids that end a window)], one per group: a group ends wherever no window is open.
    """
    groups, current, cuts = [], [], set()
    count = chars = 0
    for index, docs in enumerate(sizes):
        current.append(index)
        for doc_id, kind, n in docs:
            if kind != "doc":
                continue
            count, chars = count + 1, chars + n
            if chars >= window_chars or count >= window_docs:
                cuts.add(doc_id)
                count = chars = 0
        if count == 0:
            groups.append((current, cuts))
            current, cuts = [], set()
    if current:
        groups.append((current, cuts))
    return groups


def _row(kind: str, payload) -> dict:
    return {"kind": kind, "payload": pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)}
