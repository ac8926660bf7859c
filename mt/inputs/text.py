"""Plain text and Markdown into paragraphs (hard-wrapped text is rejoined)."""
from __future__ import annotations

import re

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
