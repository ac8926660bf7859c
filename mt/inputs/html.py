"""Read a saved news page: the article body, its title, date, author, site, URL and declared language.

`read_html` asks trafilatura (a maintained main-content extractor, used here as a library
call: it never fetches anything) for the article body and the page metadata. When
trafilatura finds no body, mt's older reader, `fallback_paragraphs`, reads the page
instead; `Page.reader` says which one did.

The date is taken only from the page's markup (``<meta>`` tags, JSON-LD, ``<time>``
elements, a date in the canonical URL): htmldate's extensive search, which also scans
the page's free text and would take a teaser card's date for the article's, is off.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

READER_TRAFILATURA = "trafilatura"
READER_FALLBACK = "fallback"

# Date search in the page's markup only; see the module docstring.
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass
class Page:
    """What was read from one HTML page."""

    title: str | None
    paragraphs: list[str]
    reader: str = READER_FALLBACK  # "trafilatura" or "fallback"
    date: str | None = None  # YYYY-MM-DD from the page's metadata, never guessed
    author: str | None = None
    site: str | None = None
    url: str | None = None  # canonical URL the page declares
    language: str | None = None  # the language the page declares (<html lang>, og:locale), lower case

    def metadata(self) -> dict[str, str]:
        """The metadata fields that were found, for the manifest."""
        found = {"author": self.author, "site": self.site, "url": self.url, "page_language": self.language}
        return {k: v for k, v in found.items() if v}


def read_html(html: str) -> Page:
    """The article in `html`: trafilatura's reading, else the fallback reader's."""
    try:
        page = _read_trafilatura(html)
    except Exception as exc:  # noqa: BLE001 - a page trafilatura cannot parse goes to the fallback reader
        logging.getLogger(__name__).debug("trafilatura failed: %s", exc)
        page = None
    if page is not None and page.paragraphs:
        return page
    title, paragraphs = fallback_paragraphs(html)
    fallback = Page(title=title, paragraphs=paragraphs, reader=READER_FALLBACK)
    if page is not None:  # no body, but the metadata still holds
        fallback.date, fallback.author, fallback.site = page.date, page.author, page.site
        fallback.url, fallback.language = page.url, page.language
        fallback.title = fallback.title or page.title
    return fallback


def _quiet() -> None:
    # trafilatura logs "discarding data" at WARNING for every page it finds no body in;
    # mt reports that through Page.reader instead.
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _read_trafilatura(html: str) -> Page | None:
    from trafilatura.utils import load_html

    _quiet()
    tree = load_html(html)
    if tree is None:
        return None
    declared = _declared_language(tree)
    # trafilatura's own settings except its rescue of short extractions (MIN_EXTRACTED_SIZE 1). For an
    # extraction of 250+ characters this is nearly always its default reading (the same text on 32 of
    # 34 test pages; two CJK pages differ by 3-5%). A shorter one is read again with the defaults, and
    # the rescue's reading is taken only when it adds real text: 1.5 times longer (title aside) and
    # none of the page's menus in it (its `baseline` reads the whole page as one block).
    meta = _metadata(tree)  # before extraction, which prunes the page
    doc = _extract(tree, config=_main_only_config())
    if doc is None or len(doc.text or "") < _MIN_EXTRACTED:
        rescued = _extract(tree)
        if rescued is not None and (doc is None or not doc.text or _adds_text(tree, rescued, doc, meta.title)):
            doc = rescued
    if doc is None:  # no body: the fallback reader reads it, with the page's metadata
        return Page(title=_clean(meta.title) or None, paragraphs=[], reader=READER_TRAFILATURA,
                    **_fields(meta, declared))
    title = _clean(meta.title) or None
    blocks = list(doc.body) if doc.body is not None else []
    if blocks and blocks[0].tag == "head" and blocks[0].get("rend") == "h1" and _text(blocks[0]):
        title = _text(blocks[0])  # the article's own headline, as the fallback reader takes it
        doc.body.remove(blocks[0])
    paragraphs = [p for p in _body_paragraphs(doc.body) if p != title] if doc.body is not None else []
    return Page(title=title, paragraphs=paragraphs, reader=READER_TRAFILATURA, **_fields(meta, declared))


def _fields(meta, declared: str | None) -> dict:
    """Page's metadata fields from trafilatura's metadata document: cleaned, a date only in YYYY-MM-DD."""
    return {"date": meta.date if meta.date and _DATE.match(meta.date) else None,
            "author": _clean(meta.author) or None, "site": _clean(meta.sitename) or None,
            "url": _url(meta.url), "language": declared}


_MIN_EXTRACTED = 250  # trafilatura's MIN_EXTRACTED_SIZE: under it, it tries its rescue readers
_config = None


def _extract(tree, config=None):
    import trafilatura
    from trafilatura.settings import DEFAULT_CONFIG

    # fast=True skips trafilatura's second-opinion readers (readability, jusText): on the newspaper4k pages
    # it scored F1 0.946 against 0.938 for the default and read 1.7x faster (scripts/eval_html.py --bench).
    # The metadata mt keeps is read once per page by _metadata, not here.
    return trafilatura.bare_extraction(tree, with_metadata=False, include_comments=False, include_tables=True,
                                       include_images=False, include_links=False, output_format="python",
                                       config=config or DEFAULT_CONFIG, fast=True)


def _metadata(tree):
    """The fields of trafilatura's `extract_metadata` that mt keeps (title, author, URL, date, site name),
    in its order and with its rules, without the categories, tags and licence it also searches the whole
    page for (a tenth of a page's reading time)."""
    from htmldate import find_date
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:  # noqa: BLE001 - trafilatura's own guard: bugs in its JSON-LD reader
        pass
    meta.title = meta.title or extract_title(tree)
    meta.author = meta.author or extract_author(tree)
    meta.url = meta.url or extract_url(tree)
    meta.date = find_date(tree, **{**_DATE_PARAMS, "url": meta.url})
    meta.sitename = meta.sitename or extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url:
        match = META_URL.match(meta.url)
        meta.sitename = match[1] if match else None
    meta.clean_and_trim()  # as extract_metadata ends: entities unescaped, whitespace and length limited
    return meta


def _main_only_config():
    """trafilatura's settings with its short-extraction rescue off (MIN_EXTRACTED_SIZE 1)."""
    global _config
    if _config is None:
        from trafilatura.settings import use_config

        config = use_config()
        config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
        _config = config
    return _config


_BOILERPLATE = "//nav | //footer | //aside | //menu | //header[not(ancestor::article)]"


def _has_boilerplate(tree, text: str) -> bool:
    """Whether `text` holds a line of the page's navigation, header, footer or sidebars."""
    if not text:
        return False
    for node in tree.xpath(_BOILERPLATE):
        for piece in node.itertext():
            piece = " ".join(piece.split())
            if len(piece) >= 8 and piece in text:
                return True
    return False


def _adds_text(tree, rescued, main, title: str | None) -> bool:
    text = (rescued.text or "").replace(title, "") if title else rescued.text or ""
    return len(text.strip()) > 1.5 * len(main.text) and not _has_boilerplate(tree, rescued.text or "")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")


def _url(url: str | None) -> str | None:
    """An absolute http(s) URL with nothing in it that could break out of Markdown or HTML."""
    url = (url or "").strip()
    return url if len(url) <= 2000 and _URL.match(url) else None


def _declared_language(tree) -> str | None:
    """<html lang>, else <meta http-equiv=content-language>, else og:locale: 'uk', 'ru', ... or None."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in {"content-language", "og:locale", "language"}:
            candidates.append(meta.get("content"))
    for value in candidates:
        value = (value or "").strip().split(",")[0].strip()
        if value and _LANG.match(value):
            return re.split(r"[-_]", value)[0].lower()
    return None


def _text(node) -> str:
    return " ".join("".join(node.itertext()).split())


def _split_breaks(node) -> list[str]:
    """A block's text, one paragraph per <lb/> run (trafilatura turns <br> into <lb/>)."""
    pieces, current = [], [node.text or ""]
    for child in node:
        if child.tag == "lb":
            pieces.append("".join(current))
            current = [child.tail or ""]
        else:
            current.append("".join(child.itertext()))
            current.append(child.tail or "")
    pieces.append("".join(current))
    return [" ".join(p.split()) for p in pieces if p.split()]


def _body_paragraphs(body) -> list[str]:
    """Paragraphs in reading order from trafilatura's body tree: p/head/quote blocks split at
    line breaks, one per list item, one per table row (cells joined by ' | ')."""
    out: list[str] = []
    for node in body:
        tag = node.tag
        if tag == "list":
            out.extend(_list_items(node))
        elif tag == "table":
            for row in node.iter("row"):
                cells = [_text(cell) for cell in row.iter("cell")]
                line = " | ".join(c for c in cells if c)
                if line:
                    out.append(line)
        elif tag in {"p", "head", "quote", "code", "div"}:
            nested = [child for child in node if child.tag in {"list", "table", "p", "quote"}]
            if nested:
                out.extend(_body_paragraphs(node))
            else:
                out.extend(_split_breaks(node))
        else:
            text = _text(node)
            if text:
                out.append(text)
    return out


def _list_items(node) -> list[str]:
    items = []
    for item in node.iterfind("item"):
        sublists = [child for child in item if child.tag == "list"]
        for sub in sublists:
            item.remove(sub)
        items.extend(_split_breaks(item))
        for sub in sublists:
            items.extend(_list_items(sub))
    return items


# ---------------------------------------------------------------- the fallback reader

_HTML_DROP = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "figure", "template"]


def fallback_paragraphs(html: str) -> tuple[str | None, list[str]]:
    """mt's reader before trafilatura: the first <article> (else <main>, else <body>), its
    p/h2-h4/blockquote/li text; never script, style or navigation. Used when trafilatura
    finds no body."""
    from bs4 import BeautifulSoup  # imported on the first such page: ~8 MB a text-only corpus never needs

    from mt.inputs.text import text_paragraphs

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
