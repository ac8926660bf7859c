"""Term figures: the one definition of term accuracy and consistency.

Every command that prints a term figure computes it here, from the source
text a document was translated from and the English a reader gets:

* **term accuracy** = found / mentions x 100, micro-averaged over documents.
  ``mentions`` are the glossary matches in the (cleaned) source document;
  a mention is ``found`` when its entry's exact target occurs in the English
  of that document (whole words, case-sensitive, ' and ’ alike). Presence
  per document, not a count per mention: a translation may say "he" the
  second time, and a brief names each person once.
* **consistency** = the mean over glossary targets of the share (x 100) of the
  documents mentioning a target whose English uses the target and none of
  its known variant spellings (romanization variants and ``aliases``).

``mt translate`` (run summary and manifest), ``mt evaluate --metrics terms``
and the review page all call `document_terms` and `TermFigures`, so one run
gives one figure everywhere. ``mt translate`` also counts, per sentence, what
enforcement did (`TermStats`: enforced = the model wrote the target itself,
repaired = mt inserted it, missed); ``model_term_accuracy`` = enforced /
matched x 100 is how often the model alone got the name right.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mt.glossary.enforce import STATUSES, EnforceResult, find_variants, has_target
from mt.glossary.match import Mention


def accuracy(found: int, mentions: int) -> float | None:
    """found / mentions as a percentage (4 decimals, as `mt evaluate` rounds); None when nothing was mentioned."""
    return round(100 * found / mentions, 4) if mentions else None


@dataclass
class DocTerms:
    """One document's term figures."""

    mentions: int = 0
    found: int = 0
    consistent: dict[str, bool] = field(default_factory=dict)  # target -> canonical form only
    variants: set[str] = field(default_factory=set)  # targets written with a known variant spelling

    def as_dict(self) -> dict:
        return {"mentions": self.mentions, "found": self.found, "term_accuracy": accuracy(self.found, self.mentions)}


def document_terms(glossary, source: str, english: str) -> DocTerms:
    """Term figures of one document: glossary mentions in `source`, targets present in `english`."""
    if glossary is None or not source:
        return DocTerms()
    mentions = glossary.find(source)
    doc = DocTerms(mentions=len(mentions))
    present: dict[str, bool] = {}
    for m in mentions:
        if m.target not in present:
            present[m.target] = has_target(english, m.target)
        doc.found += present[m.target]
    if present:
        # only the names this document mentions: scanning all entries cost ~8% of a run
        doc.variants = {v.target for v in find_variants(english, glossary, present)}
        doc.consistent = {t: ok and t not in doc.variants for t, ok in present.items()}
    return doc


class TermFigures:
    """Term accuracy and consistency over many documents (see the module docstring)."""

    def __init__(self) -> None:
        self.mentions = self.found = 0
        self.per_document: list[tuple[int, int]] = []  # (found, mentions), for the bootstrap
        self.documents: dict[str, int] = {}  # target -> documents mentioning it
        self.consistent: dict[str, int] = {}  # target -> of those, documents using only the canonical form
        self.variant_documents: dict[str, int] = {}  # target -> documents using a variant spelling

    def add(self, doc: DocTerms) -> DocTerms:
        self.mentions += doc.mentions
        self.found += doc.found
        self.per_document.append((doc.found, doc.mentions))
        for target, ok in doc.consistent.items():
            self.documents[target] = self.documents.get(target, 0) + 1
            self.consistent[target] = self.consistent.get(target, 0) + ok
            self.variant_documents[target] = self.variant_documents.get(target, 0) + (target in doc.variants)
        return doc

    @property
    def accuracy(self) -> float | None:
        return accuracy(self.found, self.mentions)

    def by_target(self) -> dict[str, dict]:
        return {t: {"documents": n, "consistent": self.consistent[t], "share": round(100 * self.consistent[t] / n, 4),
                    "variant_documents": self.variant_documents[t]} for t, n in sorted(self.documents.items())}

    @property
    def consistency(self) -> float | None:
        shares = [row["share"] for row in self.by_target().values()]
        return round(sum(shares) / len(shares), 4) if shares else None

    def as_dict(self) -> dict:
        return {"mentions": self.mentions, "found": self.found, "term_accuracy": self.accuracy,
                "consistency": self.consistency,
                "consistency_by_name": {t: row["share"] for t, row in self.by_target().items()}}


def source_text(doc) -> str:
    """The text term figures match glossary mentions in: a document's title and paragraphs."""
    return "\n".join([doc.title, *doc.paragraphs])


def english_text(result) -> str:
    """The English term figures look for targets in: a translation's title and paragraphs."""
    return "\n".join([result.title, *result.paragraphs])


@dataclass
class TermStats:
    """What enforcement did to each matched mention, per sentence, over a document or a run."""

    matched: int = 0
    enforced: int = 0
    repaired: int = 0
    missed: int = 0
    missed_mentions: list[Mention] = field(default_factory=list)

    def add(self, result: EnforceResult) -> "TermStats":
        for term in result.terms:
            self.matched += 1
            setattr(self, term.status, getattr(self, term.status) + 1)
            if term.status == "missed":
                self.missed_mentions.append(term.mention)
        return self

    def __iadd__(self, other: "TermStats") -> "TermStats":
        for name in STATUSES + ("matched",):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missed_mentions.extend(other.missed_mentions)
        return self

    @property
    def model_term_accuracy(self) -> float | None:
        """enforced / matched x 100: how often the model wrote the glossary form itself."""
        return accuracy(self.enforced, self.matched)

    def as_dict(self) -> dict:
        return {"matched": self.matched, "enforced": self.enforced, "repaired": self.repaired,
                "missed": self.missed, "model_term_accuracy": self.model_term_accuracy,
                "missed_terms": [{"text": m.text, "target": m.target} for m in self.missed_mentions]}


def translation_terms(glossary, result) -> DocTerms:
    """`document_terms` of a translated document (a `DocResult`)."""
    return document_terms(glossary, source_text(result.doc), english_text(result))


def term_stats(result, doc: DocTerms | None = None) -> dict:
    """Per-document glossary figures for the manifest: enforcement counts, plus `doc`'s mentions/found."""
    stats = TermStats().add(result)
    record = {"matched": stats.matched, "enforced": stats.enforced, "repaired": stats.repaired,
              "missed": [{"text": m.text, "target": m.target} for m in stats.missed_mentions]}
    if doc is not None:
        record.update(doc.as_dict())
    return record


class TermTotals:
    """A translate run's term figures: `TermFigures` of the output, and what enforcement did."""

    def __init__(self, glossary):
        self.glossary = glossary
        self.counts = TermStats()
        self.figures = TermFigures()

    def add(self, result, doc: DocTerms | None = None) -> None:
        """Count one translated document (a `DocResult`); `doc`: its figures when already computed."""
        self.counts.add(result)
        if self.glossary is not None:
            self.figures.add(doc or translation_terms(self.glossary, result))

    def as_dict(self) -> dict:
        if self.glossary is None:
            return {}
        c = self.counts
        return {"matched": c.matched, "enforced": c.enforced, "repaired": c.repaired, "missed": c.missed,
                "model_term_accuracy": c.model_term_accuracy, **self.figures.as_dict()}
