"""Place rows of glossary drafts: what is a place and what is not (issue 15, LOC type F1)."""
from __future__ import annotations

from mt.glossary.draft import extract_candidates


def spellings(rows) -> set[str]:
    return {s for c in rows for s in c.spellings}


def test_feasts_sacred_books_and_the_internet_are_never_rows():
    rows = extract_candidates([("c", "На Різдво бабуся читала Біблію. Онук сидів в Інтернеті до Нового року. "
                                     "Після Різдва в Інтернеті писали про Євангеліє. Місто Галич стоїть.")])
    found = spellings(rows)
    for word in ("Різдво", "Біблія", "Інтернет", "Новий рік", "Євангеліє"):
        assert not any(s.startswith(word[:5]) for s in found), (word, found)
    assert "Галич" in found
