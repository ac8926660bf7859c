"""mt.summarizer: length mapping, chunking without loss, map-reduce, repetition guard, glossary."""
from __future__ import annotations

import pytest

from mt.engines import EngineOptions
from mt.glossary import load_glossary
from mt.summarizer import (
    SummarizeOptions,
    Summarizer,
    clean_text,
    fit_pieces,
    plan_chunks,
    targets_in,
    trim_to_sentence,
)
from tests.summarize_helpers import GLOSSARY, FakeEngine


def words(text: str) -> int:
    return len(text.split())


def test_words_map_to_tokens_and_options_are_checked():
    options = SummarizeOptions()
    assert (options.max_words, options.min_words) == (80, 30)
    assert (options.max_new_tokens, options.min_new_tokens) == (112, 42)  # x1.4, rounded up
    assert options.engine.task == "summarize" and options.engine.beams is None
    assert SummarizeOptions(engine=EngineOptions(model="x")).engine.task == "summarize"
    with pytest.raises(ValueError, match="min_words"):
        SummarizeOptions(max_words=20, min_words=30)
    with pytest.raises(ValueError, match="max_words"):
        SummarizeOptions(max_words=0, min_words=0)


def test_chunks_keep_every_paragraph_in_order():
    paragraphs = [f"Paragraph {i} " + "word " * (5 + i % 7) + "end." for i in range(30)]
    chunks = plan_chunks(paragraphs, words, budget=40)
    assert len(chunks) > 1 and all(words(c) <= 40 for c in chunks)
    assert all(any(p in c for c in chunks) for p in paragraphs)
    assert " ".join(chunks).split() == " ".join(paragraphs).split()  # nothing dropped, nothing reordered


def test_paragraph_over_budget_is_split_by_sentences_without_loss():
    long = " ".join(f"Sentence number {i} says something about the talks." for i in range(20))
    pieces = fit_pieces(["Short intro.", long], words, budget=25)
    assert pieces[0] == "Short intro." and len(pieces) > 3 and all(words(p) <= 25 for p in pieces)
    assert " ".join(pieces).split() == f"Short intro. {long}".split()
    for i in range(20):
        assert any(f"Sentence number {i} says" in p for p in pieces)


def test_long_input_is_map_reduced_with_a_fake_engine():
    engine = FakeEngine(limit=64)
    summarizer = Summarizer(SummarizeOptions(max_words=20, min_words=5), engine=engine)
    text = "\n".join(f"Paragraph {i} tells of the delegation and of the talks in the capital." for i in range(40))
    result = summarizer.summarize(text)
    assert result.chunks > 1 and result.rounds >= 2
    assert result.input_tokens > summarizer.budget
    first_round = engine.calls[0][0]
    assert all(f"Paragraph {i} tells" in " ".join(first_round) for i in range(40))
    final = engine.calls[-1][1]
    assert final.max_new_tokens == 28 and final.min_new_tokens == 7  # 20 and 5 words x 1.4
    assert words(result.text) <= 20


def test_long_input_map_reduce_with_the_tiny_bart(tiny_models):
    options = SummarizeOptions(engine=EngineOptions(model=str(tiny_models["bart"]), engine="hf", threads=1),
                               max_words=30, min_words=5)
    summarizer = Summarizer(options)
    assert summarizer.budget == 126  # 128 positions, 2 kept for special tokens
    paragraphs = [f"Paragraph {i}: the delegation of Russian military officers arrived in North Korea for talks."
                  for i in range(25)]
    chunks = summarizer.chunks(paragraphs)
    assert len(chunks) > 1 and all(summarizer.count(c) <= summarizer.budget for c in chunks)
    assert all(any(p in c for c in chunks) for p in paragraphs)
    result = summarizer.summarize(paragraphs)
    assert result.chunks == len(chunks) and result.rounds >= 2 and result.text
    short = summarizer.summarize("The delegation arrived in Pyongyang on 6 November.")
    assert (short.chunks, short.rounds) == (1, 1)


def test_repetition_guard_retries_then_collapses():
    def loops_unless_penalised(text, settings):
        return "The talks went well." if settings.anti_repeat else "the talks " * 12

    engine = FakeEngine(reply=loops_unless_penalised)
    result = Summarizer(SummarizeOptions(max_words=20, min_words=0), engine=engine).summarize("A short text here.")
    assert result.text == "The talks went well." and result.retries == 1 and result.degenerate == 0

    always = FakeEngine(reply=lambda text, settings: "the talks " * 12)
    result = Summarizer(SummarizeOptions(max_words=20, min_words=0), engine=always).summarize("A short text.")
    assert result.retries == 1 and result.degenerate == 1 and words(result.text) < 12


def test_min_tokens_never_exceed_the_source():
    engine = FakeEngine()
    Summarizer(SummarizeOptions(max_words=80, min_words=30), engine=engine).summarize("Four words only here.")
    settings = engine.calls[0][1]
    assert settings.max_new_tokens == 112 and settings.min_new_tokens == 6  # 4 words + 2 specials


def test_glossary_variants_from_the_summarizer_are_normalised():
    glossary = load_glossary(GLOSSARY)
    engine = FakeEngine(reply=lambda text, settings: "Horemykin met Kim Jong-un in Phenian.")
    result = Summarizer(SummarizeOptions(), engine=engine, glossary=glossary).summarize("Some English text.")
    assert result.text == "Goremykin met Kim Jong Un in Pyongyang."
    assert ("Horemykin", "Goremykin") in result.replacements and len(result.replacements) == 3
    assert result.targets == {"Goremykin": 1, "Kim Jong Un": 1, "Pyongyang": 1}


def test_targets_in_counts_longest_names_once():
    glossary = load_glossary(GLOSSARY)
    found = targets_in("Viktor Goremykin met Kim Jong Un in North Korea. Goremykin left.", glossary)
    assert found == {"Goremykin": 1, "Kim Jong Un": 1, "North Korea": 1, "Viktor Goremykin": 1}
    assert targets_in("anything", None) == {}


def test_trim_to_sentence():
    cut = "The delegation arrived in Pyongyang on Thursday. It then went to"
    assert trim_to_sentence(cut) == "The delegation arrived in Pyongyang on Thursday."
    assert trim_to_sentence("Complete.") == "Complete."
    kept = "Short. Then a very long tail that never reaches the end of its sentence"
    assert trim_to_sentence(kept) == kept  # cutting would lose most of it


def test_generated_control_characters_are_removed():
    assert clean_text("ianon\u001f/\u0016assad\ufffd  10 range\n") == "ianon / assad 10 range"
