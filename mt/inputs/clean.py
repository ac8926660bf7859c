"""Boilerplate removal for Ukrainian news text.

Works on a list of paragraphs (one per line of the article) and returns the
paragraphs to translate plus what was dropped, by kind, so the manifest can
count it and the review page can show it.

Kinds: ``ad`` (Реклама markers), ``read_also`` ("Читайте також:" lines and the
linked headline after a bare one), ``related`` (an "Інші новини"-style marker with
the list of headlines after it), ``url`` (bare URLs), ``photo_credit``
("Фото: NPR", "фото з відкритих джерел").

The related rule never cuts an article's prose. When what follows the marker is, to
the end, a list of headlines (optionally each with a one-paragraph teaser, links and
rating lines), the marker and all of it go. When prose resumes after it (a related
box in the middle of an article), only the marker and the headlines right after it
go, and the article goes on.
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
    skip_until = 0
    for index, raw in enumerate(paragraphs):
        text = raw.strip()
        if not text or index < skip_until:
            continue
        if RELATED.match(text) and index > 0:
            tail = [p.strip() for p in paragraphs[index + 1:] if p.strip()]
            if _headline_list(tail):
                dropped.extend(("related", p) for p in [text, *tail])
                break
            box = _leading_headlines(tail)
            dropped.extend(("related", p) for p in [text, *tail[:box]])
            skip_until = index + 1 + _raw_offset(paragraphs[index + 1:], box)
            continue
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


RATING = re.compile(r"^\s*(?:average\s+rating|рейтинг|оцінка|\d+([.,]\d+)?\s*/\s*\d+|\d+\s+(?:голос\w*|votes?))\b.*$",
                    re.IGNORECASE)


def _link_or_noise(text: str) -> bool:
    """A bare URL, a rating line or a date stamp: what headline lists carry besides headlines."""
    if RATING.match(text):
        return True
    rest = URL.sub("", text).strip(" \t|·•-–—")
    return not rest or not _has_letters(rest)


def _headline_list(tail: list[str]) -> bool:
    """`tail` is, to the end, a list of headlines: at least a third of its items are
    headline-like, and no two prose paragraphs follow each other (a headline may carry
    one teaser paragraph). An empty tail (the marker is last) counts."""
    kinds = ["noise" if _link_or_noise(p) else "headline" if _looks_like_headline(p) else "prose" for p in tail]
    if not kinds:
        return True
    if any(a == b == "prose" for a, b in zip(kinds, kinds[1:])):
        return False
    return kinds.count("headline") * 3 >= len(kinds)


def _leading_headlines(tail: list[str]) -> int:
    """How many items at the start of `tail` are headline-like or links (a related box)."""
    count = 0
    for text in tail:
        if not (_looks_like_headline(text) or _link_or_noise(text)):
            break
        count += 1
    return count


def _raw_offset(raw: list[str], kept: int) -> int:
    """Index in `raw` just after its first `kept` non-blank items."""
    seen = 0
    for offset, text in enumerate(raw):
        if seen == kept:
            return offset
        if text.strip():
            seen += 1
    return len(raw)


def _looks_like_headline(text: str) -> bool:
    return len(text) <= 160 and not text.rstrip().endswith((".", "!", "?", "…", ":"))


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
