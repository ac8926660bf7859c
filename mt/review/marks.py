"""Glossary highlights for the review page: where each recorded mention lies, in both languages.

The detail record (``OUT/<rel>.en.json``) lists the glossary mentions that the
translate stage counted, in document order (title first unless the title was
derived from the first sentence, whose mentions are counted once, in the body),
with their surface text, target and status. `align_terms` places each one in
the Ukrainian text, walking forward so a mention is never used twice:
glossary matches (``Glossary.find``) are preferred when a glossary is given,
else the surface text is searched as whole words. So the Ukrainian column
holds exactly as many highlights as the manifest's ``glossary.matched``.

`english_marks` highlights, per paragraph, one English occurrence of the target
for each enforced or repaired mention. When a sentence mentions one name twice
the English may hold the target once (a repair inserts it once): the extra
mention becomes an empty badge mark right after that occurrence (drawn as "+1"
by CSS), so English marks still count mentions one to one.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from mt.glossary.enforce import _target_regex

_GAP = r"[\s\u00a0\u202f«»\"„“”]+"


@dataclass
class Mark:
    start: int
    end: int  # == start for a badge (an extra mention sharing an earlier occurrence)
    term: dict
    badge: bool = False


def _words_regex(text: str) -> re.Pattern:
    words = [re.escape(w) for w in text.split()]
    return re.compile(rf"(?<!\w){_GAP.join(words) if words else re.escape(text)}(?!\w)")


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def align_terms(texts: list[str], terms: list[dict], glossary=None) -> tuple[list[list[Mark]], list[dict]]:
    """Place each recorded mention in `texts` (in order): (marks per text, terms not found)."""
    placed: list[list[Mark]] = [[] for _ in texts]
    found: dict[int, list] = {}
    unplaced: list[dict] = []
    block, offset = 0, 0

    def candidates(i: int) -> list:
        if i not in found:
            found[i] = glossary.find(texts[i]) if glossary is not None else []
        return found[i]

    for term in terms:
        surface = str(term.get("text") or "")
        hit = None
        for i in range(block, len(texts)):
            start_at = offset if i == block else 0
            hit = next(((m.start, m.end) for m in candidates(i) if m.start >= start_at
                        and _same(m.text, surface) and m.target == term.get("target")), None)
            if hit is None and surface.strip():
                match = _words_regex(surface).search(texts[i], start_at)
                hit = match.span() if match else None
            if hit is not None:
                placed[i].append(Mark(hit[0], hit[1], term))
                block, offset = i, hit[1]
                break
        if hit is None:
            unplaced.append(term)
    return placed, unplaced


def english_marks(text: str, terms: list[dict]) -> list[Mark]:
    """One mark per enforced/repaired mention: a target occurrence, else a badge after one."""
    wanted = [t for t in terms if t.get("status") != "missed" and t.get("target")]
    targets = sorted({t["target"] for t in wanted}, key=len, reverse=True)
    free: dict[str, list[tuple[int, int]]] = {}
    inside: dict[str, list[tuple[int, int]]] = {}  # occurrences within a longer target ("Kim" in "Kim Jong Un")
    taken: list[tuple[int, int]] = []
    for target in targets:
        for m in _target_regex(target).finditer(text):  # whole words, ' and ’ alike
            span = m.span()
            outer = next((t for t in taken if t[0] <= span[0] and span[1] <= t[1]), None)
            if outer is not None:
                inside.setdefault(target, []).append(outer)
            elif not any(span[0] < e and span[1] > s for s, e in taken):
                free.setdefault(target, []).append(span)
                taken.append(span)
    marks: list[Mark] = []
    last: dict[str, int] = {}
    for term in wanted:
        target = term["target"]
        spans = free.get(target) or []
        if spans:
            start, end = spans.pop(0)
            marks.append(Mark(start, end, term))
            last[target] = end
        else:
            anchor = last.get(target) or next((e for _, e in inside.get(target, [])), len(text))
            marks.append(Mark(anchor, anchor, term, badge=True))
    return sorted(marks, key=lambda m: (m.start, m.badge, m.end))


def _mark_html(mark: Mark, text: str) -> str:
    term = mark.term
    status = term.get("status") or "enforced"
    target = str(term.get("target") or "")
    if mark.badge:
        title = f"{target}: one more mention of this name, sharing the English shown just before"
        return (f'<mark class="term {html.escape(status)} more" data-status="{html.escape(status)}" '
                f'title="{html.escape(title)}"></mark>')
    return (f'<mark class="term {html.escape(status)}" data-status="{html.escape(status)}" '
            f'title="{html.escape(target)}">{html.escape(text[mark.start:mark.end])}</mark>')


def highlight(text: str, marks: list[Mark]) -> str:
    """`text` HTML-escaped, with `marks` (non-overlapping spans and badges) as <mark> elements."""
    parts: list[str] = []
    pos = 0
    for mark in sorted(marks, key=lambda m: (m.start, m.badge)):
        if mark.start < pos and not mark.badge:
            continue  # overlapping span (never produced by the aligners): keep the text intact
        start = max(mark.start, pos)
        parts.append(html.escape(text[pos:start]))
        parts.append(_mark_html(mark, text))
        pos = mark.end if not mark.badge else start
    parts.append(html.escape(text[pos:]))
    return "".join(parts)
