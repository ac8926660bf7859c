"""Sentence splitting that knows Ukrainian, and token-budget splitting.

Sentences come from tokenize-uk (abbreviation-aware: "м.", "р.", "т. зв.",
"проф.", initials like "В. Путін"). A sentence longer than the model's token
budget is split at clause boundaries (; : , dashes, then spaces) and finally
by characters, never truncated; `Piece.part` records how a sentence was split
so the English is rejoined in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from tokenize_uk import tokenize_sents

# Initials / abbreviations tokenize-uk may still break on in rare contexts.
_NEVER_END = re.compile(r"(?:^|\s)(?:[А-ЯІЇЄҐA-Z]|т\.\s?зв|проф|м|р|рр|ім|вул|обл|див|с|смт|д|акад|ст)\.$")
# "і т. д.", "і т. п.", "тощо": a list's end, which may well end the sentence (tokenize-uk splits there).
_LIST_END = re.compile(r"(?:^|\s)т\.\s?(?:д|п|ін)\.$")


@dataclass(frozen=True)
class Piece:
    """One unit sent to the engine."""

    paragraph: int  # index in the document (-1 = title)
    sentence: int  # index of the sentence within the paragraph
    part: int  # index of the piece within an over-long sentence
    text: str


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    try:
        sentences = [s.strip() for s in tokenize_sents(paragraph) if s.strip()]
    except Exception:  # noqa: BLE001 - never let the splitter stop a document
        sentences = [paragraph]
    merged: list[str] = []
    for sentence in sentences:
        if (merged and _NEVER_END.search(merged[-1]) and not _LIST_END.search(merged[-1])
                and sentence[:1].isupper()):
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return merged or [paragraph]


_CLAUSE_BREAKS = [
    re.compile(r"(?<=[;])\s+"),
    re.compile(r"(?<=[:])\s+"),
    re.compile(r"\s+(?=[–—-]\s)"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+"),
]


def split_to_budget(text: str, count: Callable[[str], int], budget: int) -> list[str]:
    """Split `text` into pieces of at most `budget` tokens, at the weakest break that works."""
    if count(text) <= budget:
        return [text]
    for pattern in _CLAUSE_BREAKS:
        parts = [p for p in pattern.split(text) if p.strip()]
        if len(parts) > 1:
            return _pack(parts, count, budget, joiner=" ")
    return _split_chars(text, count, budget)


def _pack(parts: list[str], count: Callable[[str], int], budget: int, joiner: str) -> list[str]:
    """Greedily rejoin adjacent parts while they fit; recurse into parts that never fit.

    Token counts of joined parts are estimated by addition (subword tokenizers
    split at spaces anyway), so each part is counted once; every finished piece
    is then checked with a real count and split again if the estimate was low.
    """
    overhead = count("")  # special tokens (e.g. </s>) counted once per piece
    pieces: list[str] = []
    current, current_tokens = "", overhead
    for part in parts:
        tokens = count(part) - overhead
        if current and current_tokens + tokens <= budget:
            current, current_tokens = f"{current}{joiner}{part}", current_tokens + tokens
            continue
        if current:
            pieces.append(current)
        if tokens + overhead <= budget:
            current, current_tokens = part, tokens + overhead
        else:
            pieces.extend(split_to_budget(part, count, budget))
            current, current_tokens = "", overhead
    if current:
        pieces.append(current)
    checked: list[str] = []
    for piece in pieces:
        checked.extend([piece] if count(piece) <= budget else _halve(piece, count, budget))
    return checked


def _halve(text: str, count: Callable[[str], int], budget: int) -> list[str]:
    words = text.split(" ")
    if len(words) < 2:
        return _split_chars(text, count, budget)
    middle = len(words) // 2
    return [p for half in (" ".join(words[:middle]), " ".join(words[middle:]))
            for p in ([half] if count(half) <= budget else _halve(half, count, budget))]


def _split_chars(text: str, count: Callable[[str], int], budget: int) -> list[str]:
    """Last resort for a 'word' longer than the budget: halve until each half fits."""
    if count(text) <= budget or len(text) <= 1:
        return [text]
    middle = len(text) // 2
    return _split_chars(text[:middle], count, budget) + _split_chars(text[middle:], count, budget)


def segment(title: str, paragraphs: Iterable[str], count: Callable[[str], int], budget: int) -> list[Piece]:
    """All pieces of a document, title first (paragraph -1)."""
    pieces: list[Piece] = []
    blocks = ([(-1, title)] if title else []) + list(enumerate(paragraphs))
    for p_index, paragraph in blocks:
        sentences = [paragraph.strip()] if p_index == -1 else split_sentences(paragraph)
        for s_index, sentence in enumerate(sentences):
            for part, text in enumerate(split_to_budget(sentence, count, budget)):
                pieces.append(Piece(p_index, s_index, part, text))
    return pieces


def reassemble(pieces: list[Piece], outputs: list[str], n_paragraphs: int) -> tuple[str, list[str]]:
    """Put translated pieces back into (title, paragraphs), 1:1 with the source paragraphs."""
    title_parts: list[str] = []
    paragraphs: list[list[str]] = [[] for _ in range(n_paragraphs)]
    for piece, out in zip(pieces, outputs):
        target = title_parts if piece.paragraph == -1 else paragraphs[piece.paragraph]
        if out.strip():
            target.append(out.strip())
    return " ".join(title_parts), [" ".join(parts) for parts in paragraphs]
