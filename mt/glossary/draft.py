"""Glossary drafts: name candidates from Ukrainian texts, clustered by spelling variant.

`extract_candidates` finds capitalised word sequences (plus org/place phrases
such as "Курська область", "Корейська народна армія"), drops sentence-initial
common words (pymorphy3 plus corpus evidence), reduces each to its
dictionary form, clusters spelling variants (Горемикін/Горемікін, Йол/Йоль,
Гум/Гем, Чоль/Чхоль) and proposes an English target. `auto_glossary` turns the
multi-spelling clusters into a glossary so one run spells each name one way.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from mt.glossary import forms as morph
from mt.glossary.format import Entry
from mt.glossary.match import Glossary
from mt.glossary.names import (
    COMMON_ACRONYMS,
    EXONYMS,
    HEAD_NOUNS,
    KOREAN,
    LEGAL_FORMS,
    cluster_key,
    looks_russian,
    propose_target,
    same_name,
    skeleton,
)
from mt.glossary.nominative import _acts, _lemma, _locative_context, _oblique_context, _street_list, _type_of
from mt.glossary.phrases import _fixed_phrases
from mt.glossary.romanize import romanize
from mt.glossary.spans import (
    FOREIGN_LEGAL,
    _after_legal_form,
    _evidenced,
    _lone_adjective,
    _never_row,
    _origin,
    _runs,
    _sentences,
    _title_word,
)
from mt.glossary.wordclass import (
    CAPITALISED_COMMON,
    _abbreviation,
    _dictionary_common_noun,
    _dotted_initial,
    _given,
    _is_headline,
    _lemma_in,
    _name_possessive,
    _personal,
)


@dataclass
class Candidate:
    """A draft glossary row: spelling variants of one name and a proposed target."""

    spellings: list[str]
    target: str
    type: str
    count: int
    documents: list[str]
    example: str
    origin: str  # ukrainian / russian / korean / foreign / latin / known / phrase / unknown
    status: str  # "ok" or "check"
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return "|".join(self.spellings)

    def as_dict(self) -> dict:
        return {"spellings": self.spellings, "target": self.target, "type": self.type,
                "count": self.count, "documents": self.documents, "origin": self.origin,
                "status": self.status, "counts": self.counts, "example": self.example}


Cluster = Candidate  # auto_glossary's clusters are multi-spelling candidates


@dataclass
class _Occurrence:
    lemma: str
    doc: str
    sentence: str
    origin: str | None
    kind: str | None = None  # type evidence: org (legal form, quotes), person (initials), place (street)
    quoted: bool = False  # the name stands alone in quotes: «Альтком», «Житомирщина» (org evidence)
    surface: str = ""  # the words as written
    oblique: bool = False  # the context shows the name is not in the nominative (про Раїса)
    located: bool = False  # written as a place is: в Галичі, у Старокостянтинові
    acting: bool = False  # the subject of a past-tense verb: Габр сказав


# ---------------------------------------------------------------- runs


# ---------------------------------------------------------------- lemmas


# ---------------------------------------------------------------- origin, target, type


# ---------------------------------------------------------------- API


@dataclass
class CorpusCounts:
    """What name extraction needs to know of the whole corpus before it reads any one sentence.

    Additive: counts of parts of a corpus `merge` into the counts of the whole (mt.distributed
    counts on Ray workers and merges on the driver)."""

    surface: set = field(default_factory=set)  # capitalised token keys
    evidence: set = field(default_factory=set)  # keys seen capitalised mid-sentence, with their lemmas
    lower: Counter = field(default_factory=Counter)  # lower-case tokens
    capmid: Counter = field(default_factory=Counter)  # capitalised mid-sentence tokens

    def merge(self, other: "CorpusCounts") -> "CorpusCounts":
        self.surface |= other.surface
        self.evidence |= other.evidence
        self.lower.update(other.lower)
        self.capmid.update(other.capmid)
        return self


def text_sentences(docs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(doc_id, sentence) of (doc_id, text) pairs, as name extraction reads them."""
    return [(doc_id, s) for doc_id, text in docs for s in _sentences(text)]


def corpus_counts(sentences: list[tuple[str, str]]) -> CorpusCounts:
    """The `CorpusCounts` of `text_sentences`."""
    counts = CorpusCounts()
    surface, evidence, lower, capmid = counts.surface, counts.evidence, counts.lower, counts.capmid
    for _, s in sentences:
        toks = morph.tokenize(s)  # again below: holding every sentence's tokens would cost memory
        headline = _is_headline(toks)
        for t in toks:
            if morph.is_capitalized(t.text):
                surface.add(t.key)
                if not headline and not morph.sentence_initial(s, t.start):
                    capmid[t.key] += 1
                    if t.key not in evidence:
                        evidence.add(t.key)
                        evidence.update(k for k, _ in morph.lemma_candidates(t.key)[:2])
            else:
                lower[t.key] += 1
    return counts


def _occurrences(docs: list[tuple[str, str]]) -> tuple[list[_Occurrence], Counter, Counter]:
    """Name occurrences, and the corpus counts of lower-case and mid-sentence capitalised tokens."""
    sentences = text_sentences(docs)
    counts = corpus_counts(sentences)
    return occurrences(sentences, counts), counts.lower, counts.capmid


def occurrences(sentences: list[tuple[str, str]], counts: CorpusCounts) -> list[_Occurrence]:
    """The name occurrences in `sentences`, given the counts of the whole corpus."""
    surface, evidence, lower, capmid = counts.surface, counts.evidence, counts.lower, counts.capmid
    out = []
    for doc_id, s in sentences:
        toks = morph.tokenize(s)
        blocked: set[int] = set()
        for a, b, spelling, kind in _fixed_phrases(s, toks):
            blocked.update(range(a, b))
            out.append(_Occurrence(spelling, doc_id, s, None, kind))
        for run, initial, headline in _runs(s, toks, blocked):
            korean_tail = len(run) > 1 and all(t.key in KOREAN or any(
                k in KOREAN for k, _ in morph.lemma_candidates(t.key)) for t in run)
            kind = None
            while run and not korean_tail and not _dotted_initial(s, run[0]) and (
                    morph.is_common_word(run[0].key) or run[0].key in LEGAL_FORMS
                                               or (initial and not _evidenced(
                                                   run[0], evidence, run[1] if len(run) > 1 else None, run))):
                if run[0].key in LEGAL_FORMS and morph.is_capitalized(run[0].text):
                    kind = "org"  # ТОВ Альфа: the name is an organisation's
                run, initial = run[1:], headline
            while run and not _dotted_initial(s, run[-1]) and not (
                    len(run) > 1 and _dotted_initial(s, run[-2])) and (  # Г. Зассе: a surname after initials
                    (morph.is_common_word(run[-1].key) and not _head_noun_end(run)) or run[-1].key in LEGAL_FORMS):
                if run[-1].key in FOREIGN_LEGAL and len(run) > 1:
                    kind = "org"  # Зевс ЛТД, Беніш Груп Лімітед: the legal form is part of the name
                    break
                run = run[:-1]
            if not run or (len(run) == 1 and _lone_adjective(run[0], initial, lower)) or _never_row(
                    run, lower, capmid) or _title_word(s, toks, run):
                continue
            if len(run) > 1 and (run[-1].key in FOREIGN_LEGAL or (
                    morph.is_acronym(run[0].text) and run[-1].key in ("україни", "рф"))):
                kind = "org"  # Беніш Груп Лімітед, МВС України
            if any(_dotted_initial(s, t) for t in run) or (len(run) == 1 and _name_possessive(run[0].key)):
                kind = "person"  # Т. Шевченко; Дориної (Дора's)
            elif kind is None and (_after_legal_form(s, toks, run[0]) or _abbreviation(run[-1].text)):
                kind = "org"  # ТОВ Барвінок; ЗакДУ, УДАРу
            out.append(_Occurrence(_lemma(run, surface, s), doc_id, s, _origin(toks, run[0].start), kind,
                                   _in_quotes(s, run), " ".join(t.text for t in run),
                                   _oblique_context(s, run[0].start),
                                   _locative_context(s, run[0]) or _street_list(s, run[0]),
                                   _acts(s, run)))
    return out


def extract_candidates(texts: Iterable[tuple[str, str]], min_count: int = 1, found=None) -> list[Candidate]:
    """Name candidates over (doc_id, text) pairs, one per cluster of spelling variants.

    Spellings join one row when they differ only by case, an apostrophe, a hyphen or a space
    (`cluster_key`), or are variants by `same_name` (Горемикін/Горемікін; one vowel in a
    multi-word name); an org or place name also by one letter. Two one-word person names that differ
    by one letter (Петренко/Петрепко) stay apart.
    """
    # `found`: (occurrences, lower, capmid) already extracted, e.g. by Ray workers (mt.distributed)
    occ, lower, capmid = found or _occurrences(list(texts))
    _one_reading_per_document(occ)
    by_lemma: dict[str, list[_Occurrence]] = {}
    for o in occ:
        by_lemma.setdefault(o.lemma, []).append(o)
    lemmas = sorted(by_lemma, key=lambda k: (-len(by_lemma[k]), k))
    parent = {k: k for k in lemmas}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(a, b):
        ra, rb = root(a), root(b)
        if ra != rb:  # the more frequent spelling stays the root (lemmas are sorted by count)
            if lemmas_rank[ra] > lemmas_rank[rb]:
                ra, rb = rb, ra
            parent[rb] = ra
    lemmas_rank = {k: i for i, k in enumerate(lemmas)}
    blocks: dict[tuple, list[str]] = {}
    for k in lemmas:  # same_name needs equal word counts and equal skeletons up to one vowel
        ws = k.split()
        blocks.setdefault(("v", tuple(_VOWEL_RE.sub("*", skeleton(w)) for w in ws)), []).append(k)
        blocks.setdefault(("c", cluster_key(k)), []).append(k)
    for (kind, _), members in blocks.items():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if kind == "c" or same_name(a, b):
                    join(a, b)
    _join_one_letter(lemmas, by_lemma, join)
    groups: dict[str, list[str]] = {}
    for k in lemmas:
        groups.setdefault(root(k), []).append(k)
    votes_by_word = _surname_votes(by_lemma)
    korean_first = {morph.norm_key(k.split()[0]) for k in by_lemma
                    if len(k.split()) > 1 and all(morph.norm_key(w) in KOREAN for w in k.split())}
    surnames = {skeleton(ws[-1]) for ws in (k.split() for k in by_lemma)  # Карий after Іван Карий, І. Карий
                if len(ws) > 1 and (ws[0].endswith(".") or _given(morph.norm_key(ws[0])))}
    out = []
    for spellings in groups.values():
        occs = [o for s in spellings for o in by_lemma[s]]
        if (len(occs) < min_count or _common_noun_row(spellings[0], occs, lower, capmid)
                or morph.norm_key(spellings[0]) in COMMON_ACRONYMS | LEGAL_FORMS):  # ФОПу → Фоп
            continue
        out.append(_candidate(spellings, occs, by_lemma, votes_by_word, korean_first, surnames))
    out.sort(key=lambda c: (-c.count, c.source))
    return out


_VOWEL_RE = re.compile("[аеєиіїоуюя]")


def _head_noun_end(run: list) -> bool:
    """Волинським шляхом: the phrase ends in a lower-case head noun (шляхом is also a preposition)."""
    return len(run) > 1 and not morph.is_capitalized(run[-1].text) and _lemma_in(run[-1].key, HEAD_NOUNS) is not None


def _in_quotes(sentence: str, run: list) -> bool:
    """The run is the whole of a quoted name: фірма «Альтком», газета « Житомирщина »."""
    before = sentence[max(0, run[0].start - 2):run[0].start].strip()[-1:]
    after = sentence[run[-1].end:run[-1].end + 2].strip()[:1]
    return before in ("«", "„", '"', "“") and after in ("»", "”", '"', "“")


def _one_reading_per_document(occ: list[_Occurrence]) -> None:
    """A name written the same way in one document has one nominative: the one its context settles
    ("про Раїса" is a man's name, so "Він знав Раїса" is too)."""
    settled = {}
    for o in occ:
        if o.oblique and o.surface:
            settled.setdefault((o.doc, o.surface), o.lemma)
    if settled:
        for o in occ:
            o.lemma = settled.get((o.doc, o.surface), o.lemma)


def _join_one_letter(lemmas: list[str], by_lemma: dict, join) -> None:
    """Org and place spellings of six letters or more that differ by one letter (Укргазбуд /
    Укргазбут) join; person names do not (two people may differ by one letter)."""
    buckets: dict[tuple, list[str]] = {}
    for k in lemmas:
        kinds = {o.kind for o in by_lemma[k]}
        key = cluster_key(k)
        if len(key) < 6 or "person" in kinds or (kinds == {None} and _personal(morph.norm_key(k.split()[-1]))):
            continue
        for i in range(len(key)):
            buckets.setdefault((key[:i] + "?" + key[i + 1:], len(key)), []).append(k)
    for members in buckets.values():
        for b in members[1:]:
            join(members[0], b)


def _common_noun_row(main: str, occs: list[_Occurrence], lower: Counter, capmid: Counter) -> bool:
    """A one-word row that is a dictionary common noun the corpus writes in lower case (in any of
    its forms) at least as often as capitalised mid-sentence (Інтернет, Директор), or that the
    dictionary knows only as an inanimate common noun (Закон, Біблія; see `_dictionary_common_noun`)."""
    key = morph.norm_key(main)
    if key in CAPITALISED_COMMON:
        return True  # Різдво, Біблія, Інтернет: capitalised by convention, never a name
    if " " in main or any(o.kind for o in occs) or morph.is_acronym(main) or not morph.is_cyrillic(main):
        return False
    ps = morph.parses(key)
    if key in EXONYMS or not any(p.is_known and p.tag.POS == "NOUN" for p in ps) or any(
            morph.is_name_parse(p) for p in ps):
        return False
    forms = morph.word_forms(main)
    if _dictionary_common_noun(key) and not any(o.quoted for o in occs) and any(lower[f] for f in forms):
        return True  # Закон, Словник: a common noun (the corpus has it in lower case too) written with a capital
    return sum(lower[f] for f in forms) >= max(1, 2 * sum(capmid[f] for f in forms))


def _surname_votes(by_lemma: dict[str, list[_Occurrence]]) -> dict[str, Counter]:
    votes: dict[str, Counter] = {}
    for lemma, occs in by_lemma.items():
        if len(lemma.split()) > 1:
            c = votes.setdefault(skeleton(lemma.split()[-1]), Counter())
            c.update(o.origin for o in occs if o.origin and o.origin != "korean")
    return votes


def _candidate(spellings, occs, by_lemma, votes_by_word, korean_first, surnames=frozenset()) -> Candidate:
    main = spellings[0]
    words = main.split()
    keys = [morph.norm_key(w) for w in words]
    votes = Counter(o.origin for o in occs if o.origin)
    if len(keys) == 1 and votes_by_word.get(skeleton(main)):
        votes = votes_by_word[skeleton(main)]  # Путін: trust the full-name contexts
    korean = all(k in KOREAN for k in keys) and (len(keys) > 1 or keys[0] in korean_first)
    votes.pop("korean", None)  # Korean context alone does not make a name Korean
    if not votes and looks_russian(words[-1]):
        votes["russian"] = 1
    lowercase_inside = any(not morph.is_capitalized(w) for w in words)
    known = EXONYMS.get(" ".join(keys))
    if known:
        origin, target, etype = "known", known[0], known[1]
    elif all(not morph.is_cyrillic(w) for w in words):
        origin, target, etype = "latin", main, "org"
    elif all(morph.is_acronym(w) for w in words):
        origin, target, etype = "acronym", romanize(main, "kmu2010"), "org"
    else:
        origin = "korean" if korean else "phrase" if lowercase_inside else (
            votes.most_common(1)[0][0] if votes else "unknown")
        kinds = Counter(o.kind for o in occs if o.kind)
        if not kinds and 2 * sum(o.quoted for o in occs) >= len(occs):
            kinds["org"] = 1  # mostly written alone in quotes: a company, party or newspaper («Альтком»)
        if not kinds and 3 * sum(o.located for o in occs) >= len(occs) and not any(map(morph.is_acronym, words)):
            kinds["place"] = 1  # often written as a place is (в Галичі), whatever names it resembles
        if not kinds and len(keys) == 1 and skeleton(main) in surnames:
            kinds["person"] = 1  # the corpus writes it after a given name or initials too
        acting = 3 * sum(o.acting for o in occs) >= len(occs) and not any("-" in w for w in words)  # Нью-Делі
        target, etype = propose_target(main, origin), _type_of(main, lowercase_inside, kinds, acting)
    status = "ok" if origin in ("known", "latin", "ukrainian") else "check"
    counts = {s: len(by_lemma[s]) for s in spellings}
    example = " ".join(occs[0].sentence.split())
    return Candidate(list(spellings), target, etype, len(occs), sorted({o.doc for o in occs}),
                     example[:200], origin, status, counts)


def write_draft(candidates: Iterable[Candidate], path: str | Path) -> Path:
    """Write a glossary draft TSV that `load_glossary` accepts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def clean(value) -> str:
        return " ".join(str(value).replace("\t", " ").split())

    lines = ["# Draft glossary from `mt glossary extract`: review every row marked check.",
             "source\ttarget\ttype\tnote\tcount\tstatus\texample"]
    for c in candidates:
        note = f"{c.count}x in {len(c.documents)} doc(s); origin {c.origin}"
        lines.append("\t".join(clean(v) for v in (c.source, c.target, c.type, note, c.count,
                                                   c.status, c.example)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def auto_glossary(texts: Iterable[tuple[str, str]], min_spellings: int = 2,
                  found=None) -> tuple[Glossary, list[Cluster]]:
    """A glossary mapping every spelling variant of a name seen in `texts` to one English form.

    Only clusters with at least `min_spellings` spellings are kept (a single
    spelling is already translated one way by the model). `found`: see `extract_candidates`.
    """
    clusters = [c for c in extract_candidates(texts, found=found) if len(c.spellings) >= min_spellings]
    entries = [Entry(tuple(c.spellings), c.target, c.type, f"auto: {c.origin}") for c in clusters]
    return Glossary.from_entries(entries), clusters
