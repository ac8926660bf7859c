"""scripts/eval_wmt.py reproduces the official WMT22 uk→en BLEU and chrF (skipped without the data)."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MT_SHARED_DATA") or ROOT.parent / "shared" / "data")
WMT22 = DATA / "wmt22-uk-en"


def _script():
    if "eval_wmt" not in sys.modules:  # registered first: its dataclasses look the module up
        spec = importlib.util.spec_from_file_location("eval_wmt", ROOT / "scripts" / "eval_wmt.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["eval_wmt"] = module
        spec.loader.exec_module(module)
    return sys.modules["eval_wmt"]


needs_data = pytest.mark.skipif(not (WMT22 / "generaltest2022.uk-en.ref.A.en").is_file(),
                                reason=f"WMT22 data not found under {DATA} (set MT_SHARED_DATA)")


@pytest.fixture(scope="module")
def reproduced():
    script = _script()
    return script, *script.reproduce(DATA)


@needs_data
def test_all_ten_systems_match_the_official_scores(reproduced):
    script, rows, signatures = reproduced
    assert len(rows) == 10
    assert all(r.match for r in rows), [r for r in rows if not r.match]
    # sacrebleu defaults reproduce WMT's numbers exactly, not just to two decimals
    assert max(abs(r.bleu - r.official_bleu) for r in rows) < 1e-9
    assert max(abs(r.chrf - r.official_chrf) for r in rows) < 1e-9
    assert signatures["bleu"] == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
    assert [r.system for r in rows][:2] == ["Lan-Bridge", "Online-B"]


@needs_data
def test_table_marks_each_system(reproduced):
    script, rows, signatures = reproduced
    table = script.render(rows, signatures)
    assert table.splitlines()[0].split() == ["system", "BLEU", "official", "BLEU", "chrF", "official", "chrF", "match"]
    assert table.count("✓") == 10 and "✗" not in table
    assert "10/10 systems match" in table


@needs_data
def test_mismatch_is_marked(reproduced):
    script, rows, signatures = reproduced
    wrong = script.Row("X", 40.0, 40.01, 60.0, 60.0)
    assert not wrong.match and "✗" in script.render([wrong], signatures)


def test_missing_data_exits_2(tmp_path, capsys):
    assert _script().main([str(tmp_path)]) == 2
    assert "no wmt22-uk-en" in capsys.readouterr().err
