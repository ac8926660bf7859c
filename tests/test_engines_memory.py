"""The memory budget: SIZE parsing, auto from MemAvailable, and sentences in flight per worker."""
from __future__ import annotations

import pytest

from mt.engines import memory
from mt.engines.memory import (
    MB,
    MemoryError_,
    budget,
    parse_size,
    plan,
    sentence_cost_mb,
    shape_scale,
)

MARIAN = {"decoder_layers": 6, "d_model": 512, "vocab_size": 61_000}


@pytest.mark.parametrize("text, expected", [
    ("400M", 400 * MB), ("400m", 400 * MB), ("2G", 2 << 30), ("1.5G", int(1.5 * (1 << 30))), ("512MiB", 512 * MB),
    ("64MB", 64 * MB), ("1000000", 1_000_000), (" 3 G ", 3 << 30), ("auto", None), ("AUTO", None), (None, None),
    (1234, 1234),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "400X", "-1G", "0", "M", "1.2.3G"])
def test_parse_size_refuses_with_one_line(text):
    with pytest.raises(MemoryError_) as err:
        parse_size(text)
    assert "\n" not in str(err.value) and "400M" in str(err.value)


def test_auto_is_a_share_of_available_memory_with_a_floor(tmp_path, monkeypatch):
    monkeypatch.delenv("MT_MAX_MEMORY", raising=False)
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24684084 kB\nMemFree:  100 kB\nMemAvailable:    8388608 kB\n")
    chosen = budget(None, meminfo)
    assert chosen.bytes == (8 << 30) // 4 and "25%" in chosen.source
    meminfo.write_text("MemTotal: 2000000 kB\nMemAvailable: 409600 kB\n")  # 400 MB free: a quarter is below the floor
    assert budget("auto", meminfo).bytes == memory.AUTO_FLOOR
    assert budget("auto", tmp_path / "missing").bytes == memory.AUTO_FLOOR  # not Linux


def test_explicit_and_environment(monkeypatch):
    monkeypatch.setenv("MT_MAX_MEMORY", "1G")
    assert budget(None).bytes == 1 << 30
    assert budget("400M").bytes == 400 * MB  # the option wins over the environment
    monkeypatch.setenv("MT_MAX_MEMORY", "nonsense")
    with pytest.raises(MemoryError_):
        budget(None)


def test_cost_grows_with_beams_and_is_the_measured_one_at_the_measured_shape():
    assert sentence_cost_mb(1, MARIAN, 48) == pytest.approx(4.75)
    assert sentence_cost_mb(4, MARIAN, 48) == pytest.approx(11.74)
    assert sentence_cost_mb(4, MARIAN, None) > sentence_cost_mb(4, MARIAN, 48)  # longer real outputs
    assert shape_scale(MARIAN) == pytest.approx(1.0)
    nllb = {"decoder_layers": 12, "d_model": 1024, "vocab_size": 256_206}
    assert shape_scale(nllb) > 3


def test_plan_at_400m_matches_the_measured_bound():
    # measured: 24 sentences per worker peaked at 397 MB, 16 at 306 MB (beam 1, 48 output tokens)
    capped = plan(budget("400M"), workers=2, beams=1, base_mb=122, config=MARIAN, output_tokens=48)
    assert 16 <= capped.sentences <= 23
    predicted = capped.base_mb + 2 * capped.sentences * capped.cost_mb
    assert predicted <= 400 * memory.SAFETY + 1
    beam4 = plan(budget("400M"), workers=2, beams=4, base_mb=122, config=MARIAN, output_tokens=48)
    assert 1 <= beam4.sentences < capped.sentences  # measured: 8 per worker at beam 4 peaked at 344 MB
    assert beam4.tokens == beam4.sentences * memory.REFERENCE_SOURCE_TOKENS


def test_plan_is_monotone_and_bounded():
    last = 0
    for size in ("300M", "400M", "600M", "1G", "4G", "64G"):
        p = plan(budget(size), workers=2, beams=1, base_mb=150, config=MARIAN)
        assert p.sentences >= last
        last = p.sentences
    assert last == memory.BEST_SENTENCES  # plenty of memory: the engine's best batch, no more
    tiny = plan(budget("100M"), workers=2, beams=4, base_mb=150, config=MARIAN)
    assert tiny.sentences == memory.MIN_SENTENCES  # a budget below the base still translates
    assert set(tiny.describe()) >= {"max_memory_mb", "sentences_per_worker", "tokens_per_worker", "mb_per_sentence"}
