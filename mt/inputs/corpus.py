"""Read files, folders, JSONL and tables into `Document`s.

`load_corpus(paths)` is a generator: documents stream through one at a time,
so a folder of a thousand articles is never held in memory. Anything that
cannot be read becomes a `Failed` item with a reason; the batch goes on.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from mt.clean import clean_paragraphs
from mt.encoding import EncodingError, decode

TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
TABLE_SUFFIXES = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
# Files mt itself writes; skipped when walking a folder so outputs are never re-read.
OUTPUT_SUFFIXES = (".en.txt", ".en.jsonl", ".en.csv", ".en.parquet", ".brief.md", ".brief.json")
DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[\s:,-]*", re.IGNORECASE)
MAX_FILE_BYTES = 50 * 1024 * 1024


class CorpusError(Exception):
    """A document could not be read; the message is the reason."""


@dataclass(frozen=True)
class CorpusOptions:
    clean: bool = True
    text_column: str = "text"
    id_column: str = "id"
    title_column: str = "title"
    date_column: str = "date"
    exclude: tuple[Path, ...] = ()


@dataclass
class Document:
    """One article: cleaned paragraphs plus where it came from."""

    id: str  # stable id used in the manifest, e.g. "sub/000_abc" or "feed#3"
    rel: str  # sanitized relative output stem (posix), safe to join under OUT
    source: str  # input path, for messages
    title: str
    paragraphs: list[str]
    date: str | None = None
    format: str = "txt"
    hash: str = ""  # sha256 of the raw content: resume key
    encoding: str = "utf-8"
    title_derived: bool = False  # no headline line: title is the first sentence
    dropped: list[tuple[str, str]] = field(default_factory=list)
    container: str | None = None  # for table rows: rel stem of the table file
    row: int | None = None
    extra: dict = field(default_factory=dict)  # other columns of a table row

    @property
    def dropped_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for kind, _ in self.dropped:
            counts[kind] = counts.get(kind, 0) + 1
        return counts


@dataclass
class Failed:
    """A document (or file) that could not be read."""

    id: str
    source: str
    error: str
    rel: str = ""
    container: str | None = None
    row: int | None = None
    hash: str = ""


# ---------------------------------------------------------------- decoding

def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a file's bytes (see `mt.encoding`); CorpusError when they are not text."""
    try:
        return decode(data)
    except EncodingError as exc:
        raise CorpusError(str(exc)) from None


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------- paths

_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*\\]")


def safe_component(name: str, fallback: str = "_") -> str:
    """One path component that cannot escape OUT or break a filesystem."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).replace("/", "_")
    name = re.sub(r"\.{2,}", "_", name).strip().strip(".")
    if name in {"", ".", ".."}:
        name = fallback
    encoded = name.encode("utf-8")
    if len(encoded) > 150:  # leave room for suffixes within the usual 255-byte limit
        name = encoded[:140].decode("utf-8", "ignore") + "-" + content_hash(encoded)[:8]
    return name


def safe_rel(parts: list[str]) -> str:
    return "/".join(safe_component(p) for p in parts if p not in {"", "."})


def iter_files(paths: list[str | Path], exclude: tuple[Path, ...] = ()) -> Iterator[tuple[Path, str]]:
    """Yield (file or dataset folder, relative output stem) for every input, recursively.

    Hidden files and folders are skipped; symlink loops are detected by inode;
    mt's own outputs and excluded folders (OUT) are never read back.
    """
    excluded = {p.resolve() for p in exclude}
    for raw in paths:
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
                if name.startswith(".") or name.endswith(OUTPUT_SUFFIXES) or name == "manifest.jsonl":
                    continue
                path = here / name
                if _format(path) is None:
                    continue
                yield path, safe_rel([*rel_dir, _stem(path)])


def _is_dataset_dir(path: Path) -> bool:
    return path.is_dir() and (path / "dataset_info.json").exists() and (path / "state.json").exists()


def _stem(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


def _format(path: Path) -> str | None:
    if _is_dataset_dir(path):
        return "dataset"
    suffix = path.suffix.lower()
    return TEXT_SUFFIXES.get(suffix) or TABLE_SUFFIXES.get(suffix)


# ---------------------------------------------------------------- loading

def load_corpus(paths: list[str | Path], options: CorpusOptions | None = None) -> Iterator[Document | Failed]:
    """Stream every document under `paths`: `Document`s, or `Failed` with a reason."""
    options = options or CorpusOptions()
    used: dict[str, int] = {}
    for path, rel in iter_files(paths, options.exclude):
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
        elif fmt in TEXT_SUFFIXES.values():
            yield _load_text_file(path, rel, fmt, options)
        else:
            from mt.tables import load_table

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


def parse_text(text: str, *, fmt: str = "txt", id: str = "doc", rel: str | None = None, source: str = "",
               title: str | None = None, date: str | None = None, headline: bool = True,
               options: CorpusOptions | None = None) -> Document:
    """Turn decoded text (txt/md/html) into a cleaned Document.

    With `headline`, a short first line is the title; table rows pass False
    (their title comes from the title column or the first sentence)."""
    options = options or CorpusOptions()
    if fmt == "html":
        found_title, paragraphs = html_paragraphs(text)
    else:
        found_title, paragraphs = None, text_paragraphs(text, markdown=fmt == "md")
    if paragraphs:
        match = DATE_LINE.match(paragraphs[0])
        if match:
            date = date or match.group(1)
            paragraphs[0] = paragraphs[0][match.end():].strip()
            if not paragraphs[0]:
                paragraphs.pop(0)
    title_derived = False
    if title is None and found_title:
        title = found_title
    elif title is None and headline and paragraphs and _is_headline(paragraphs[0]):
        title = paragraphs.pop(0)
    dropped: list[tuple[str, str]] = []
    if options.clean:
        cleaned = clean_paragraphs(paragraphs)
        paragraphs, dropped = cleaned.paragraphs, cleaned.dropped
        if title:
            head = clean_paragraphs([title])
            dropped = head.dropped + dropped
            title = head.paragraphs[0] if head.paragraphs else ""
    if not title and paragraphs:
        from mt.segment import split_sentences

        title, title_derived = split_sentences(paragraphs[0])[0], True
    if not paragraphs and not title:
        raise CorpusError("empty document (no text left)" + (" after cleaning" if dropped else ""))
    return Document(id=id, rel=rel or safe_rel([id]), source=source, title=title or "", paragraphs=paragraphs,
                    date=date, format=fmt, hash=content_hash(text), title_derived=title_derived,
                    dropped=dropped)


def _is_headline(line: str) -> bool:
    """A first line is a headline unless it is long, lead-paragraph prose."""
    sentence_ends = len(re.findall(r"[.!?…](?:\s|$)", line.rstrip(".!?… ")))
    return len(line) <= 250 and sentence_ends <= 1


TERMINAL = ('.', '!', '?', '…', ':', ';', '»', '"', '”', ')')


def text_paragraphs(text: str, markdown: bool = False) -> list[str]:
    """One paragraph per line, except in hard-wrapped text, where a line that
    continues in lower case is rejoined with the line before it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if markdown:
        lines = [_strip_markdown(line) for line in lines]
    lines = [line.strip().replace("\u00a0", " ") for line in lines]
    wrapped = _hard_wrapped(lines)
    paragraphs: list[str] = []
    previous_blank = True
    for line in lines:
        if not line:
            previous_blank = True
            continue
        if (wrapped and paragraphs and not previous_blank and not paragraphs[-1].endswith(TERMINAL)
                and line[:1].islower()):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        previous_blank = False
    return paragraphs


def _hard_wrapped(lines: list[str]) -> bool:
    """Most lines that are followed by another line stop mid-sentence: the text was wrapped."""
    inner = [a for a, b in zip(lines, lines[1:]) if a and b]
    open_ended = sum(1 for line in inner if not line.endswith(TERMINAL))
    return open_ended >= 3 and open_ended >= 0.6 * len(inner)


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _strip_markdown(line: str) -> str:
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = re.sub(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?=\S)|\d+[.)]\s+)", "", line)
    line = re.sub(r"(\*\*|__|\*|_|`)(\S.*?\S|\S)\1", r"\2", line)
    return "" if re.fullmatch(r"\s*(?:-{3,}|\*{3,}|_{3,})\s*", line) else line


_HTML_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "figure", "template"]


def html_paragraphs(html: str) -> tuple[str | None, list[str]]:
    """The article title and paragraphs of an HTML page; never script/style/navigation."""
    from bs4 import BeautifulSoup  # imported on the first HTML page: ~8 MB a text-only corpus never needs

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    heading = root.find("h1") or soup.find("h1")
    title = heading.get_text(" ", strip=True) if heading else None
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
    paragraphs = []
    for node in root.find_all(["p", "h2", "h3", "h4", "blockquote", "li"]):
        if node.find_parent(["p", "blockquote", "li"]) is not None:
            continue
        text = " ".join(node.get_text().split())
        if text and text != title:
            paragraphs.append(text)
    if not paragraphs:  # a bare page without <p>: fall back to its text lines
        paragraphs = [line for line in text_paragraphs(root.get_text("\n")) if line != title]
    return title, paragraphs


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
