"""`GlossaryBias`: a transformers LogitsProcessor that nudges decoding towards glossary targets.

For each batch item the engine passes the token sequences of the targets its
source sentence mentions. At every step, for every hypothesis row:

* a phrase already complete in the row is left alone (no repetition);
* if the row ends with the first k tokens of a phrase, its token k gets `bonus`;
* otherwise the phrase's first token gets `bonus * first_factor` (a mild nudge).

Rows are laid out as transformers does for beam search: row r belongs to batch
item r // num_beams. Nothing here downloads or runs remote code.
"""
from __future__ import annotations

import torch
from transformers import LogitsProcessor


def _contains(seq: list[int], phrase: list[int]) -> bool:
    n = len(phrase)
    return any(seq[i:i + n] == phrase for i in range(len(seq) - n + 1))


class GlossaryBias(LogitsProcessor):
    """Boost the continuation of target phrases; see the module docstring."""

    def __init__(self, row_phrases: list[list[list[int]]], num_beams: int = 1,
                 bonus: float = 2.0, first_factor: float = 0.25):
        self.row_phrases = [[list(p) for p in phrases if p] for phrases in row_phrases]
        self.num_beams = max(1, int(num_beams))
        self.bonus = float(bonus)
        self.first_factor = float(first_factor)

    def boosts(self, seq: list[int], phrases: list[list[int]]) -> dict[int, float]:
        """token id → bonus for one row whose tokens so far are `seq`."""
        out: dict[int, float] = {}
        for phrase in phrases:
            if _contains(seq, phrase):
                continue
            tok, gain = phrase[0], self.bonus * self.first_factor
            for k in range(min(len(phrase) - 1, len(seq)), 0, -1):
                if seq[-k:] == phrase[:k]:
                    tok, gain = phrase[k], self.bonus
                    break
            out[tok] = max(out.get(tok, 0.0), gain)
        return out

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        vocab = scores.shape[-1]
        ids = input_ids.tolist()  # one copy to Python per step, not one per row
        for row in range(scores.shape[0]):
            b = row // self.num_beams
            if b >= len(self.row_phrases) or not self.row_phrases[b]:
                continue
            for tok, gain in self.boosts(ids[row], self.row_phrases[b]).items():
                if 0 <= tok < vocab:
                    scores[row, tok] = scores[row, tok] + gain
        return scores
