"""The document types every input reader yields: `Document`, `Failed`, `CorpusOptions`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from mt.errors import MtError
from mt.inputs.encoding import EncodingError, decode

MAX_FILE_BYTES = 50 * 1024 * 1024


class CorpusError(MtError):
    """A document could not be read; the message is the reason."""


@dataclass(frozen=True)
class CorpusOptions:
    clean: bool = True
    text_column: str = "text"
    id_column: str = "id"
    title_column: str = "title"
    date_column: str = "date"
    exclude: tuple[Path | str, ...] = ()  # folders (and bucket URLs) never read as input: OUT
    # processes that read text files (pages above all) for load_corpus: 0 = one per core (up to 4)
    # when there are 8 or more; 1 = read in this process (mt.inputs.parallel)
    read_workers: int = 0


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
    date_source: str = "none"  # where `date` came from: "text line", "page metadata", "column" or "none"
    language: str = "und"  # identified language of the text (mt.inputs.language), "und" when unsure
    page: dict = field(default_factory=dict)  # HTML only: reader, and url/site/author/page_language when found

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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a file's bytes (see `mt.inputs.encoding`); CorpusError when they are not text."""
    try:
        return decode(data)
    except EncodingError as exc:
        raise CorpusError(str(exc)) from None


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]
