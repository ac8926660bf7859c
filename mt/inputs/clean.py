"""Boilerplate removal for Ukrainian news text.

Works on a list of paragraphs (one per line of the article) and returns the
paragraphs to translate plus what was dropped, by kind, so the manifest can
count it and the review page can show it.

Kinds: ``ad`` (Реклама markers), ``read_also`` ("Читайте також:" lines and the
linked headline after a bare one), ``related`` (a trailing "Інші новини"-style
block and everything after it), ``url`` (bare URLs), ``photo_credit``
("Фото: NPR", "фото з відкритих джерел").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
AD = re.compile(r"^\s*(?:реклама|advertisement|\[?ad\]?|партнерський матеріал)\s*$", re.IGNORECASE)
READ_ALSO = re.compile(
    r"^\s*(?:читайте\s+також|читайте\s+більше|див\.\s+також|дивіться\s+також|також\s+читайте|"
    r"read\s+also|see\s+also)\b\s*[:.\-–—]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
RELATED = re.compile(
    r"^\s*(?:інші\s+новини|останні\s+новини|схожі\s+новини|новини\s+партнерів|більше\s+новин|"
    r"популярне|читайте\s+також\s+інші\s+новини|related\s+news|more\s+news|average\s+rating)\s*:?\s*$",
    re.IGNORECASE,
)
PHOTO_LINE = re.compile(
    r"^\s*(?:фото|фото\s*/\s*відео|photo|ілюстративне\s+фото|джерело\s+фото)\b"
    r"(?:\s*[:©]\s*.{0,80}|\s+(?:з|із)\s+відкритих\s+джерел.*|\s+ілюстративне.*)?\s*$",
    re.IGNORECASE,
)
PHOTO_TAIL = re.compile(
    r"(?<=[.!?…»\"”])\s*(?:фото|photo|джерело\s+фото)\s*[:©]\s*[^.!?]{1,80}$", re.IGNORECASE
)


@dataclass
class Cleaned:
    paragraphs: list[str]
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(kind for kind, _ in self.dropped))


def clean_paragraphs(paragraphs: list[str]) -> Cleaned:
    """Drop boilerplate paragraphs and inline credits; keep every real paragraph."""
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    after_bare_read_also = False
    for index, raw in enumerate(paragraphs):
        text = raw.strip()
        if not text:
            continue
        if RELATED.match(text) and index > 0:
            dropped.extend(("related", p.strip()) for p in paragraphs[index:] if p.strip())
            break
        if AD.match(text):
            dropped.append(("ad", text))
            continue
        read_also = READ_ALSO.match(text)
        if read_also:
            dropped.append(("read_also", text))
            after_bare_read_also = not read_also.group("rest").strip()
            continue
        if after_bare_read_also:
            after_bare_read_also = False
            if _looks_like_headline(text):
                dropped.append(("read_also", text))
                continue
        if PHOTO_LINE.match(text):
            dropped.append(("photo_credit", text))
            continue
        tail = PHOTO_TAIL.search(text)
        if tail:
            dropped.append(("photo_credit", tail.group(0).strip()))
            text = text[: tail.start()].rstrip()
        for url in URL.findall(text):
            dropped.append(("url", url))
        text = URL.sub("", text)
        text = re.sub(r"\s{2,}", " ", text).strip(" \t")
        if not _has_letters(text):
            continue
        kept.append(text)
    return Cleaned(kept, dropped)


def _looks_like_headline(text: str) -> bool:
    return len(text) <= 160 and not text.rstrip().endswith((".", "!", "?", "…", ":"))


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
