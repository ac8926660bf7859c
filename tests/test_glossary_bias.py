"""mt.glossary.bias: GlossaryBias, the LogitsProcessor that nudges decoding towards glossary targets."""
from __future__ import annotations

import pytest

from mt.glossary.bias import GlossaryBias


def test_glossary_bias_boosts_phrase_continuations():
    torch = pytest.importorskip("torch")
    from transformers import LogitsProcessor, LogitsProcessorList

    from mt.glossary.bias import GlossaryBias
    from mt.glossary.bias import GlossaryBias as Reexported

    assert Reexported is GlossaryBias and issubclass(GlossaryBias, LogitsProcessor)
    bias = GlossaryBias([[[5, 6, 7]], [[8], []]], num_beams=2, bonus=4.0, first_factor=0.25)
    input_ids = torch.tensor([[0, 1, 5],   # batch 0 beam 0: prefix [5] -> boost 6
                              [0, 5, 6],   # batch 0 beam 1: prefix [5, 6] -> boost 7
                              [0, 2, 3],   # batch 1 beam 0: nothing yet -> mild boost of 8
                              [0, 8, 3]])  # batch 1 beam 1: phrase [8] done -> no boost
    scores = torch.zeros(4, 10)
    out = LogitsProcessorList([bias])(input_ids, scores.clone())
    expected = torch.zeros(4, 10)
    expected[0, 6] = 4.0
    expected[1, 7] = 4.0
    expected[2, 8] = 1.0
    assert torch.equal(out, expected)
    # a row with no prefix of the phrase gets only the mild first-token boost
    first = GlossaryBias([[[5, 6]]], num_beams=1, bonus=2.0)(torch.tensor([[0, 9]]), torch.zeros(1, 10))
    assert first[0, 5].item() == 0.5 and first.sum().item() == 0.5
    # rows beyond the phrases given, and out-of-vocabulary ids, are ignored
    safe = GlossaryBias([[[50]]], num_beams=1)(torch.tensor([[0], [0]]), torch.full((2, 10), -1.0))
    assert torch.equal(safe, torch.full((2, 10), -1.0))


def test_boosts_follow_the_longest_prefix_and_keep_the_larger_bonus():
    bias = GlossaryBias([], bonus=4.0, first_factor=0.25)
    # [5, 5, 6] after ...5, 5: the two-token prefix wins, so 6 is next (not a second 5)
    assert bias.boosts([0, 5, 5], [[5, 5, 6]]) == {6: 4.0}
    assert bias.boosts([0, 5], [[5, 5, 6]]) == {5: 4.0}
    # 7 continues [3, 7] (full bonus) and starts [7, 8] (mild): the larger one stays
    assert bias.boosts([0, 3], [[7, 8], [3, 7]]) == {7: 4.0}
    assert bias.boosts([0], [[7, 8], [7, 9]]) == {7: 1.0}


def test_empty_phrases_are_dropped_and_beams_map_rows_to_batch_items():
    torch = pytest.importorskip("torch")

    bias = GlossaryBias([[[], [4]], [[]]], num_beams=0)  # num_beams < 1 counts as 1
    assert bias.row_phrases == [[[4]], []] and bias.num_beams == 1
    out = bias(torch.tensor([[0], [0]]), torch.zeros(2, 6))
    assert out[0, 4].item() == 0.5 and out[1].sum().item() == 0  # row 1 is batch item 1: nothing to boost
