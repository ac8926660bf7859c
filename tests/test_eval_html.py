"""scripts/eval_html.py: the benchmark-style scorer and the readers on the pages it writes."""
from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script():
    if "eval_html" not in sys.modules:
        spec = importlib.util.spec_from_file_location("eval_html", ROOT / "scripts" / "eval_html.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["eval_html"] = module
        spec.loader.exec_module(module)
    return sys.modules["eval_html"]


def test_shingle_scoring_as_the_benchmark_does():
    s = _script()
    assert s.match("one two three four five", "one two three four five") == (1.0, 0.0, 0.0)
    tp, fp, fn = s.match("a b c d e f", "a b c d x y")  # 3 gold shingles, 3 predicted, 1 shared
    assert (tp, fp, fn) == pytest.approx((1 / 5, 2 / 5, 2 / 5))
    assert s.metrics([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]) == {"precision": 1.0, "recall": 0.5,
                                                             "f1": pytest.approx(2 / 3)}


def test_new_reader_beats_the_old_on_the_written_pages():
    s = _script()
    result = s.evaluate(s.synthetic_pages(), repeat=1)
    old, new = result["readers"]["old"], result["readers"]["new"]
    assert new["f1"] == pytest.approx(1.0) and old["f1"] < 0.8
    for page in ("several_articles", "form_wrapper", "empty_main_and_article", "div_br_text"):
        assert old["per_page_f1"][page] == 0.0 and new["per_page_f1"][page] == 1.0


def test_bench_folder_layout(tmp_path):
    s = _script()
    html, gold = s.synthetic_pages()["form_wrapper"]
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "a.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"a": {"articleBody": gold}}), encoding="utf-8")
    assert s.load_bench(tmp_path) == {"a": (html, gold)}
    assert s.main(["--bench", str(tmp_path / "missing")]) == 2


def test_folder_timing_reads_every_page_three_ways():
    s = _script()
    pages = dict(list(s.synthetic_pages().items())[:4])
    result = s.evaluate_folder(pages, repeat=1, copies=2)
    assert result["files"] == 8
    assert set(result["pages_per_s"]) == {"old_one_process", "new_one_process", "new_folder"}
    assert all(rate > 0 for rate in result["pages_per_s"].values())
