"""mt.review.marks: placing glossary mentions in both languages and drawing them as <mark> elements."""
from __future__ import annotations

from mt.glossary.match import Glossary
from mt.review.marks import Mark, align_terms, english_marks, highlight


def test_marks_helpers():
    texts = ["Кім приїхав до Кімнати.", "Кім Чен Ин і Кім."]
    terms = [{"text": "Кім", "target": "Kim", "status": "enforced"},
             {"text": "Кім Чен Ин", "target": "Kim Jong Un", "status": "enforced"},
             {"text": "Кім", "target": "Kim", "status": "repaired"}]
    placed, unplaced = align_terms(texts, terms)
    assert not unplaced and [[(m.start, m.end) for m in p] for p in placed] == [[(0, 3)], [(0, 10), (13, 16)]]
    english = "Kim Jong Un and Kim met."
    marks = english_marks(english, [m.term for m in placed[1]])
    assert [(english[m.start:m.end], m.term["status"]) for m in marks] == [("Kim Jong Un", "enforced"),
                                                                           ("Kim", "repaired")]
    assert highlight("a <b> Kim", [type(marks[0])(6, 9, {"target": "K<m", "status": "enforced"})]) == (
        'a &lt;b&gt; <mark class="term enforced" data-status="enforced" title="K&lt;m">Kim</mark>')
    both = english_marks("Kim Jong Un", [{"target": "Kim Jong Un", "status": "enforced"},
                                         {"target": "Kim", "status": "repaired"}])
    assert [(m.start, m.end, m.badge) for m in both] == [(0, 11, False), (11, 11, True)]  # "Kim" only inside


def test_glossary_matches_are_preferred_and_missing_surfaces_are_reported():
    gl = Glossary.from_entries([("Кім Чен Ин", "Kim Jong Un", "person"), ("Кім", "Kim", "person")])
    texts = ["Кім Чен Ин і Кім."]
    terms = [{"text": "Кім", "target": "Kim", "status": "enforced"},
             {"text": "Сеул", "target": "Seoul", "status": "missed"}]
    placed, unplaced = align_terms(texts, terms, gl)
    assert [(m.start, m.end) for m in placed[0]] == [(13, 16)]  # the glossary's own "Кім", not the one in a name
    assert unplaced == [terms[1]]
    placed, _ = align_terms(texts, terms)  # without a glossary: the first whole-word "Кім"
    assert [(m.start, m.end) for m in placed[0]] == [(0, 3)]


def test_missed_terms_get_no_english_mark_and_badges_render_empty():
    english = "Kim met Seoul."
    terms = [{"target": "Kim", "status": "enforced"}, {"target": "Kim", "status": "repaired"},
             {"target": "Seoul", "status": "missed"}]
    marks = english_marks(english, terms)
    assert [(m.start, m.end, m.badge) for m in marks] == [(0, 3, False), (3, 3, True)]  # "Seoul" stays unmarked
    assert highlight(english, marks) == (
        '<mark class="term enforced" data-status="enforced" title="Kim">Kim</mark>'
        '<mark class="term repaired more" data-status="repaired" title="Kim: one more mention of this name, '
        'sharing the English shown just before"></mark> met Seoul.')


def test_overlapping_spans_keep_the_text_intact():
    term = {"target": "x", "status": "enforced"}
    html = highlight("abcdef", [Mark(0, 4, term), Mark(2, 6, term)])
    assert html.count("<mark") == 1 and html.endswith("</mark>ef")
