"""Glossary enforcement on English output: normalize, verify, repair; bias; metrics.

Per sentence, `enforce_sentence` takes the model's English and the glossary
mentions found in the Ukrainian source and guarantees every target is in the
result, whatever the model produced:

1. normalize — every variant spelling of a mentioned entry (romanizations of
   each source spelling in KMU 2010 / scholarly / ISO 9 / BGN/PCGN, their
   ASCII foldings, media habits, Cyrillic left untranslated, the entry's
   aliases, the target in other case or hyphenation) is replaced by the target;
2. verify — is the exact target now in the text (whole words, case-sensitive)?
3. repair — if not, the most similar capitalised span (difflib ratio against
   the variants ≥ threshold) is replaced, else the target is inserted as
   " (Target)" before the final punctuation.

`GlossaryBias` (a transformers LogitsProcessor in `mt.glossary.bias`, also reachable as
`mt.glossary.enforce.GlossaryBias` without importing torch here) nudges decoding
towards the targets.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from mt.glossary import forms as morph
from mt.glossary.format import Entry
from mt.glossary.match import Glossary, Mention
from mt.glossary.romanize import ascii_fold, variants

STATUSES = ("enforced", "repaired", "missed")
_ENDING = r"(?:a|u|om|ym|im|oiu|oju|ovi|evi|y|i|e|iu|yu|ia|ya|em|ei)?"
_SEP = r"(?:\s+|\s*[-‐‑]\s*)"
_STOP = {"the", "a", "an", "in", "on", "at", "he", "she", "it", "they", "we", "i", "this", "that",
         "but", "and", "or", "as", "if", "so", "no", "not", "of", "to", "mr", "ms", "mrs", "dr",
         "un", "us", "is", "be", "by", "for", "with", "from", "after", "also"}
_CAP_WORD = r"[A-Z\u00C0-\u00DE\u0400-\u042F\u0490\u0404\u0406\u0407][\w'’\-]*"
_CAP_RUN = re.compile(rf"{_CAP_WORD}(?:\s{_CAP_WORD})*")
_POSSESSIVE = re.compile(r"['’]s$")
_FINAL = re.compile(r"[.!?…]+[\"'»”’)\]]*\s*$")


@dataclass(frozen=True)
class EnforceOptions:
    """normalize: replace variant spellings; repair: fix or insert missing targets."""

    normalize: bool = True
    repair: bool = True
    threshold: float = 0.75  # difflib ratio for replacing a similar span


@dataclass(frozen=True)
class TermResult:
    mention: Mention
    status: str  # "enforced" (present as produced), "repaired" (present after our edit), "missed"


@dataclass
class EnforceResult:
    text: str
    terms: list[TermResult]
    changes: list[tuple[str, str]] = field(default_factory=list)  # (old, new) edits


@dataclass(frozen=True)
class VariantHit:
    """A non-canonical spelling of a glossary target in English text."""

    start: int
    end: int
    text: str
    target: str


# ---------------------------------------------------------------- variant patterns

def _alt(strings: Iterable[str], ending: bool) -> str:
    opts = sorted({s for s in strings if s}, key=lambda s: (-len(s), s))
    body = "|".join(re.escape(s) for s in opts)
    return f"(?:{body}){_ENDING if ending else ''}"


def _escape(text: str) -> str:
    """re.escape, with every apostrophe matching ' ’ ʼ alike."""
    return "".join("['’ʼ]" if c in "'’ʼ" else re.escape(c) for c in text)


def _literal(phrase: str) -> str:
    """A phrase with flexible spaces/hyphens/apostrophes, case-sensitive when short or all-caps."""
    parts = [_escape(w) for w in re.split(r"[\s\-‐‑]+", phrase) if w]
    body = _SEP.join(parts)
    letters = [c for c in phrase if c.isalpha()]
    strict = len(letters) <= 4 or all(c.isupper() for c in letters)
    return f"(?-i:{body})" if strict else body


def _word_options(word: str) -> tuple[list[str], list[str]]:
    """(case-insensitive options, case-sensitive options) for one source word."""
    loose, strict = [], []
    forms = set(morph.word_forms(word)) if morph.is_cyrillic(word) else set()
    forms |= {f[:1].upper() + f[1:] for f in forms}  # untranslated "Ина", "Кіма"
    for v in variants(word) | {word} | forms:
        letters = [c for c in v if c.isalpha()]
        if not letters:
            continue
        if morph.is_acronym(word) or len(letters) <= 3:
            strict.append(v if not morph.is_acronym(word) else v.upper())
        else:
            loose.append(v.lower())
    return loose, strict


def _word_pattern(word: str) -> str:
    loose, strict = _word_options(word)
    parts = []
    if loose:
        parts.append(_alt(loose, ending=True))
    if strict:
        parts.append(f"(?-i:{_alt(strict, ending=False)})")
    return "(?:" + "|".join(parts) + ")"


@dataclass
class _EntryPatterns:
    full: re.Pattern
    partial: re.Pattern | None  # surname-only variants of a multi-word person entry
    partial_target: str
    compare: tuple[str, ...]  # folded lowercase spellings for fuzzy repair


@lru_cache(maxsize=4096)
def _patterns(entry: Entry) -> _EntryPatterns:
    alts = [_literal(entry.target)] + [_literal(a) for a in entry.aliases]
    compare = {ascii_fold(entry.target).lower()}
    last_words: set[str] = set()
    for source in entry.sources:
        ws = morph.words(source)
        if not ws:
            continue
        alts.append(_SEP.join(_word_pattern(w) for w in ws))
        compare |= {ascii_fold(v).lower() for v in list(variants(source, limit=16))}
        if entry.type == "person" and len(ws) > 1 and len(ws[-1]) >= 5:
            last_words.add(ws[-1])
    full = re.compile(r"(?<![\w'’])(?:" + "|".join(alts) + r")(?![\w])", re.IGNORECASE)
    partial, partial_target = None, ""
    target_words = entry.target.split()
    if last_words and len(target_words) > 1:
        partial_target = target_words[-1]
        pat = "|".join([_literal(partial_target)] + [_word_pattern(w) for w in sorted(last_words)])
        partial = re.compile(r"(?<![\w'’])(?:" + pat + r")(?![\w])", re.IGNORECASE)
        compare |= {ascii_fold(partial_target).lower()}
        compare |= {ascii_fold(v).lower() for w in last_words for v in variants(w, limit=16)}
    return _EntryPatterns(full, partial, partial_target, tuple(sorted(compare)))


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    text: str
    replacement: str
    entry: Entry


def _collect(text: str, entries: Iterable[Entry], all_targets: set[str]) -> list[_Hit]:
    """Non-overlapping variant/target matches, longest first."""
    hits: list[_Hit] = []
    for entry in dict.fromkeys(entries):
        pats = _patterns(entry)
        for regex, repl in ((pats.full, entry.target), (pats.partial, pats.partial_target)):
            if regex is None:
                continue
            for m in regex.finditer(text):
                s = m.group()
                if s.lower() in all_targets and s.lower() != repl.lower():
                    continue  # another entry's canonical form
                if len(s) <= 3 and s.lower() in _STOP and not s.isupper():
                    continue
                hits.append(_Hit(m.start(), m.end(), s, repl, entry))
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    taken: list[_Hit] = []
    for h in hits:
        if all(h.end <= t.start or h.start >= t.end for t in taken):
            taken.append(h)
    return sorted(taken, key=lambda h: h.start)


def _is_canonical(hit: _Hit) -> bool:
    return hit.text == hit.replacement or hit.text.replace("’", "'") == hit.replacement.replace("’", "'")


def _apply(text: str, hits: list[_Hit]) -> tuple[str, list[tuple[str, str]]]:
    changes = []
    for h in sorted(hits, key=lambda h: -h.start):
        if not _is_canonical(h):
            text = text[:h.start] + h.replacement + text[h.end:]
            changes.append((h.text, h.replacement))
    return text, changes[::-1]


def _all_targets(glossary: Glossary | None) -> frozenset[str]:
    return glossary.target_keys if glossary is not None else frozenset()


def normalize_english(text: str, glossary: Glossary,
                      entries: Iterable[Entry] | None = None) -> tuple[str, list[tuple[str, str]]]:
    """Replace variant spellings of glossary targets by the targets.

    Returns the new text and the (old, new) replacements. `entries` limits
    the work to some entries (default: the whole glossary).
    """
    entries = list(glossary.entries if entries is None else entries)
    return _apply(text, _collect(text, entries, _all_targets(glossary)))


def find_variants(english: str, glossary: Glossary, targets: Iterable[str] | None = None) -> list[VariantHit]:
    """Occurrences of non-canonical spellings of glossary targets (all, or only `targets`).

    With `targets`, only entries that share a word with one of them are scanned
    (a longer name such as "Kharkiv Oblast" still claims its own span before
    "Kharkiv" can), which is what keeps the per-document check cheap.
    """
    entries = glossary.entries
    if targets is not None:
        wanted = set(targets)
        words = {w.casefold() for t in wanted for w in t.split()}
        entries = [e for e in entries if words & {w.casefold() for w in e.target.split()}]
    hits = _collect(english, entries, _all_targets(glossary))
    return [VariantHit(h.start, h.end, h.text, h.entry.target) for h in hits
            if not _is_canonical(h) and (targets is None or h.entry.target in wanted)]


# ---------------------------------------------------------------- verify and repair

@lru_cache(maxsize=4096)
def _target_regex(target: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){_escape(target)}(?![\w])")


def has_target(text: str, target: str) -> bool:
    """Is `target` in `text` as whole words (case-sensitive; ' and ’ alike)?"""
    return _target_regex(target).search(text) is not None


def glossary_targets_for(mentions: Iterable[Mention]) -> list[str]:
    """The distinct targets of some mentions, in order of first mention."""
    return list(dict.fromkeys(m.target for m in mentions))


@lru_cache(maxsize=64)
def _any_target_regex(targets: tuple[str, ...]) -> re.Pattern:
    """Canonical occurrences of any of `targets` (spans a repair must not overwrite)."""
    body = "|".join(_escape(t) for t in sorted(targets, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


def _best_span(text: str, entry: Entry, protected: list[tuple[int, int]],
               threshold: float) -> tuple[int, int] | None:
    """The capitalised span most similar to the entry's spellings."""
    compare = _patterns(entry).compare
    n_max = len(entry.target.split()) + 1
    best, best_score = None, threshold
    for run in _CAP_RUN.finditer(text):
        words = list(re.finditer(r"\S+", run.group()))
        for i in range(len(words)):
            for j in range(i, min(len(words), i + n_max)):
                start, end = run.start() + words[i].start(), run.start() + words[j].end()
                if any(start < pe and end > ps for ps, pe in protected):
                    continue
                cand = _POSSESSIVE.sub("", ascii_fold(text[start:end]).lower())
                if j == i and cand in _STOP:
                    continue
                for c in compare:
                    sm = difflib.SequenceMatcher(None, cand, c)
                    if sm.real_quick_ratio() > best_score and sm.quick_ratio() > best_score:
                        score = sm.ratio()
                        if score > best_score:
                            best, best_score = (start, end), score
    return best


def _insert(text: str, targets: list[str]) -> str:
    note = f"({'; '.join(targets)})"
    stripped = text.rstrip()
    if not stripped:
        return note
    m = _FINAL.search(stripped)
    if m:
        return stripped[:m.start()] + " " + note + stripped[m.start():]
    return stripped + " " + note


def enforce_sentence(english: str, mentions: list[Mention], glossary: Glossary | None = None,
                     options: EnforceOptions | None = None) -> EnforceResult:
    """Make the English of one sentence contain the target of every mention.

    Status per mention, decided per distinct target: "enforced" when the model's
    output already had the exact target, "repaired" when it is there after
    normalization/repair, "missed" only when it is still absent (possible only
    with `repair=False`).
    """
    opts = options or EnforceOptions()
    targets = glossary_targets_for(mentions)
    entries = {}
    for m in mentions:
        entries.setdefault(m.target, m.entry)
    raw_present = {t: has_target(english, t) for t in targets}
    text, changes = english, []
    if opts.normalize and mentions:
        known = _all_targets(glossary) | {t.lower() for t in targets}
        text, changes = _apply(text, _collect(text, [m.entry for m in mentions], known))
    if opts.repair:
        appended = []
        missing = sorted((t for t in targets if not has_target(text, t)), key=len, reverse=True)
        if missing:  # canonical spans a repair must not overwrite: every target of the glossary
            others = tuple(sorted(set(glossary.targets if glossary is not None else ()) | set(targets)))
        for t in missing:
            protected = [m.span() for m in _any_target_regex(others).finditer(text)
                         if not has_target(t, m.group())]  # "Kim" may grow into "Kim Kum Chol"
            span = _best_span(text, entries[t], protected, opts.threshold)
            if span is None:
                appended.append(t)
                continue
            old = text[span[0]:span[1]]
            suffix = old[-2:] if _POSSESSIVE.search(old) else ""
            text = text[:span[0]] + t + suffix + text[span[1]:]
            changes.append((old, t + suffix))
        if appended:
            appended.sort(key=targets.index)
            text = _insert(text, appended)
            changes.append(("", f"({'; '.join(appended)})"))
    status = {t: "enforced" if raw_present[t] else ("repaired" if has_target(text, t) else "missed")
              for t in targets}
    return EnforceResult(text, [TermResult(m, status[m.target]) for m in mentions], changes)


# ---------------------------------------------------------------- metrics


def __getattr__(name: str):
    # GlossaryBias lives in mt.glossary.bias so that importing this module never imports torch.
    if name == "GlossaryBias":
        from mt.glossary.bias import GlossaryBias
        return GlossaryBias
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
