"""Term figures: the one definition of term accuracy and consistency."""
from __future__ import annotations

from dataclasses import dataclass, field
from mt.glossary.match import Mention
from mt.glossary.enforce import find_variants
from mt.glossary.enforce import EnforceResult
from mt.glossary.enforce import STATUSES


@dataclass
class TermStats:
    """Counts of mention outcomes over a document or a run."""

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

    def as_dict(self) -> dict:
        return {"matched": self.matched, "enforced": self.enforced, "repaired": self.repaired,
                "missed": self.missed, "term_accuracy": term_accuracy(self),
                "missed_terms": [{"text": m.text, "target": m.target} for m in self.missed_mentions]}


def term_accuracy(stats: TermStats, final: bool = False) -> float | None:
    """Share of mentions whose target the model produced itself (enforced/matched).

    With `final=True`: share present after enforcement ((enforced+repaired)/matched).
    None when nothing matched.
    """
    if not stats.matched:
        return None
    good = stats.enforced + (stats.repaired if final else 0)
    return round(good / stats.matched, 4)


def term_stats(result) -> dict:
    """Per-document glossary figures for the manifest."""
    stats = TermStats().add(result)
    return {"matched": stats.matched, "enforced": stats.enforced, "repaired": stats.repaired,
            "missed": [{"text": m.text, "target": m.target} for m in stats.missed_mentions]}


class TermTotals:
    """Run-level term accuracy and per-name consistency (see README, Glossaries)."""

    def __init__(self, glossary):
        self.glossary = glossary
        self.counts = TermStats()
        self.documents: dict[str, int] = {}  # target -> documents mentioning it
        self.consistent: dict[str, int] = {}  # target -> of those, documents using only the canonical form

    def add(self, result) -> None:
        """Count one translated document (a `DocResult`)."""
        self.counts.add(result)
        targets = {t.mention.target for t in result.terms}
        if not targets:
            return
        english = "\n".join([result.title, *result.paragraphs])
        # only the names this document mentions: scanning all entries cost ~8% of a run
        off = {v.target for v in find_variants(english, self.glossary, targets)}
        for target in targets:
            self.documents[target] = self.documents.get(target, 0) + 1
            if target in english and target not in off:
                self.consistent[target] = self.consistent.get(target, 0) + 1

    def as_dict(self) -> dict:
        if self.glossary is None:
            return {}
        per_name = {t: round(self.consistent.get(t, 0) / n, 4) for t, n in sorted(self.documents.items())}
        c = self.counts
        return {
            "matched": c.matched, "enforced": c.enforced, "repaired": c.repaired, "missed": c.missed,
            "term_accuracy": term_accuracy(c),
            "consistency": round(sum(per_name.values()) / len(per_name), 4) if per_name else None,
            "consistency_by_name": per_name,
        }
