"""Decoded text (txt/md/html) into a cleaned `Document`: title, date line, paragraphs."""
from __future__ import annotations

import re

from mt.inputs.clean import clean_paragraphs
from mt.inputs.document import CorpusError, CorpusOptions, Document, content_hash
from mt.inputs.html import read_html
from mt.inputs.language import identify_document
from mt.inputs.text import text_paragraphs
from mt.outputs.files import safe_rel

DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[\s:,-]*", re.IGNORECASE)


def parse_text(text: str, *, fmt: str = "txt", id: str = "doc", rel: str | None = None, source: str = "",
               title: str | None = None, date: str | None = None, headline: bool = True,
               options: CorpusOptions | None = None) -> Document:
    """Turn decoded text (txt/md/html) into a cleaned Document.

    With `headline`, a short first line is the title; table rows pass False
    (their title comes from the title column or the first sentence)."""
    options = options or CorpusOptions()
    date_source = "column" if date else "none"
    page = None
    if fmt == "html":
        page = read_html(text)
        found_title, paragraphs = page.title, list(page.paragraphs)
    else:
        found_title, paragraphs = None, text_paragraphs(text, markdown=fmt == "md")
    if paragraphs:
        match = DATE_LINE.match(paragraphs[0])
        if match:
            if not date:
                date, date_source = match.group(1), "text line"
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
    if not date and page is not None and page.date:
        date, date_source = page.date, "page metadata"
    return Document(id=id, rel=rel or safe_rel([id]), source=source, title=title or "", paragraphs=paragraphs,
                    date=date, format=fmt, hash=content_hash(text), title_derived=title_derived,
                    dropped=dropped, date_source=date_source,
                    language=identify_document(title or "", paragraphs).language,
                    page={"reader": page.reader, **page.metadata()} if page is not None else {})


def _is_headline(line: str) -> bool:
    """A first line is a headline unless it is long, lead-paragraph prose."""
    sentence_ends = len(re.findall(r"[.!?…](?:\s|$)", line.rstrip(".!?… ")))
    return len(line) <= 250 and sentence_ends <= 1
