"""scripts/bench_match.py: the matching benchmark runs and compares like with like (no timing asserted)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_finds_at_least_what_one_regular_expression_finds():
    spec = importlib.util.spec_from_file_location("bench_match", ROOT / "scripts" / "bench_match.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    result = script.measure(passes=1)
    assert result["entries"] >= 500 and result["words"] == 5000
    assert result["mentions"]["mt"] >= result["mentions"]["regex"] > 0
    assert set(result["words_per_s"]) == {"mt", "regex"} and result["mt_over_regex_time"] > 0
