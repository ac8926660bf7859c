"""Read files, folders, JSONL and tables into `Document`s.

`load_corpus(paths)` is a generator: documents stream through one at a time,
so a folder of a thousand articles is never held in memory. Anything that
cannot be read becomes a `Failed` item with a reason; the batch goes on.
A folder of 8 or more text files is read by one process per core, in the
same order (`mt.inputs.parallel`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from mt.inputs.document import MAX_FILE_BYTES, CorpusError, CorpusOptions, Document, Failed, content_hash, decode_bytes
from mt.inputs.parallel import read_ahead, reading_workers
from mt.inputs.parse import parse_text
from mt.inputs.remote import RemoteFile, is_url, iter_remote
from mt.outputs.files import safe_rel
from mt.outputs.layout import OUTPUT_SUFFIXES

TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
TABLE_SUFFIXES = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_TEXT_FORMATS = frozenset(TEXT_SUFFIXES.values())


# ---------------------------------------------------------------- decoding


# ---------------------------------------------------------------- paths


def iter_files(paths: list[str | Path], exclude: tuple[Path, ...] = ()) -> Iterator[tuple[Path, str]]:
    """Yield (file or dataset folder, relative output stem) for every input, recursively.

    Hidden files and folders are skipped; symlink loops are detected by inode;
    mt's own outputs and excluded folders (OUT) are never read back.
    """
    excluded = {Path(p).resolve() for p in exclude if not is_url(p)}
    excluded_urls = tuple(str(p).rstrip("/") + "/" for p in exclude if is_url(p))  # an OUT on the same store
    for raw in paths:
        if is_url(raw):  # s3://, gs://...: listed through its filesystem (mt.inputs.remote)
            for path, parts in iter_remote(str(raw), _is_input_name):
                if excluded_urls and (str(path) + "/").startswith(excluded_urls):
                    continue
                yield path, "!missing" if parts is None else safe_rel([*parts[:-1], Path(parts[-1]).stem])
            continue
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            yield root, "!missing"
            continue
        if root.is_file() or _is_dataset_dir(root):
            yield root, safe_rel([_stem(root)])
            continue
        seen: set[tuple[int, int]] = set()
        for folder, dirs, files in os.walk(root, followlinks=True, onerror=None):
            here = Path(folder)
            try:
                stat = here.stat()
            except OSError:
                dirs[:] = []
                continue
            if (stat.st_dev, stat.st_ino) in seen or here.resolve() in excluded:
                dirs[:] = []
                continue
            seen.add((stat.st_dev, stat.st_ino))
            rel_dir = here.relative_to(root).parts
            keep = []
            for d in sorted(dirs):
                if d.startswith("."):
                    continue
                if _is_dataset_dir(here / d):
                    yield here / d, safe_rel([*rel_dir, d])
                else:
                    keep.append(d)
            dirs[:] = keep
            for name in sorted(files):
                if name.startswith(".") or not _is_input_name(name):
                    continue
                path = here / name
                yield path, safe_rel([*rel_dir, _stem(path)])


def _is_input_name(name: str) -> bool:
    """A file name mt reads in a folder: a known format, and not one of mt's own outputs."""
    suffix = Path(name).suffix.lower()
    return (suffix in TEXT_SUFFIXES or suffix in TABLE_SUFFIXES) and not name.endswith(OUTPUT_SUFFIXES) \
        and name != "manifest.jsonl"


def count_documents(paths: list[str | Path], options: CorpusOptions | None = None) -> int | None:
    """How many documents `load_corpus` will yield, for a progress total; None when a table's size is unknown.

    Text files count one each; JSONL counts its non-blank lines, CSV its lines less the header (a field
    with a line break makes this an estimate), Parquet its row count from the file's metadata.
    """
    options = options or CorpusOptions()
    total = 0
    for path, rel in iter_files(paths, options.exclude):
        fmt = "missing" if rel == "!missing" else _format(path)
        if isinstance(path, RemoteFile) and fmt in TABLE_SUFFIXES.values():
            return None  # counting would read the whole table from the store once more
        try:
            if fmt in {"jsonl", "csv"}:
                with path.open("rb") as handle:
                    lines = sum(1 for line in handle if line.strip())
                total += lines - (fmt == "csv")
            elif fmt == "parquet":
                import pyarrow.parquet as pq

                with path.open("rb") as handle:
                    total += pq.ParquetFile(handle).metadata.num_rows
            elif fmt == "dataset":
                return None
            else:
                total += 1
        except (OSError, ValueError, CorpusError):
            total += 1  # its failure is one item
    return total


def _is_dataset_dir(path: Path) -> bool:
    if isinstance(path, RemoteFile):  # a saved dataset is read from a local folder only
        return False
    return path.is_dir() and (path / "dataset_info.json").exists() and (path / "state.json").exists()


def _stem(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


def _format(path: Path) -> str | None:
    if _is_dataset_dir(path):
        return "dataset"
    suffix = path.suffix.lower()
    return TEXT_SUFFIXES.get(suffix) or TABLE_SUFFIXES.get(suffix)


# ---------------------------------------------------------------- loading

def list_inputs(paths: list[str | Path], exclude: tuple[Path, ...] = ()) -> Iterator[tuple[Path, str, str] | Failed]:
    """(file, unique output stem, format) for every input, or `Failed` for a missing or unsupported one."""
    used: dict[str, int] = {}
    for path, rel in iter_files(paths, exclude):
        if rel == "!missing":
            yield Failed(id=str(path), source=str(path), error="no such file or folder")
            continue
        base = rel
        used[base] = used.get(base, 0) + 1
        if used[base] > 1:  # two inputs with the same relative name
            rel = f"{base}~{used[base]}"
        fmt = _format(path)
        if fmt is None:
            yield Failed(id=rel, rel=rel, source=str(path),
                         error=f"unsupported file type '{path.suffix}' (use .txt, .md, .html, .jsonl, .csv, .parquet)")
        else:
            yield path, rel, fmt


def load_corpus(paths: list[str | Path], options: CorpusOptions | None = None) -> Iterator[Document | Failed]:
    """Stream every document under `paths`: `Document`s, or `Failed` with a reason."""
    options = options or CorpusOptions()
    listing = list(list_inputs(paths, options.exclude))  # paths only: cheap, and it sizes the reading pool
    workers = reading_workers(options.read_workers, sum(map(_is_text, listing)))
    if workers > 1:
        yield from read_ahead(listing, options, workers, _is_text, _load_text_file,
                              lambda item: _load_item(item, options))
        return
    for item in listing:
        yield from _load_item(item, options)


def _is_text(item) -> bool:
    """A local text file, which a reading process may take (a store's client is never forked: its SDK's
    threads do not survive a fork; objects on a store are read here)."""
    return not isinstance(item, Failed) and item[2] in _TEXT_FORMATS and not isinstance(item[0], RemoteFile)


def _load_item(item, options: CorpusOptions) -> Iterator[Document | Failed]:
    """The documents of one listed input (a Failed one is yielded as it is)."""
    if isinstance(item, Failed):
        yield item
        return
    path, rel, fmt = item
    if fmt in _TEXT_FORMATS:
        yield _load_text_file(path, rel, fmt, options)
    else:
        from mt.inputs.tables import load_table

        yield from load_table(path, rel, fmt, options)


def _load_text_file(path: Path, rel: str, fmt: str, options: CorpusOptions) -> Document | Failed:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(f"file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
        data = path.read_bytes()
        text, encoding = decode_bytes(data)
        doc = parse_text(text, fmt=fmt, id=rel, rel=rel, source=str(path), options=options)
    except (OSError, CorpusError) as exc:
        return Failed(id=rel, rel=rel, source=str(path), error=_reason(exc))
    doc.hash = content_hash(data)
    doc.encoding = encoding
    return doc


def _reason(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied (file is not readable)"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


