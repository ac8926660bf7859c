"""scripts/eval_names.py: a clear message without the data; the matching targets on it when present."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def _script():
    spec = importlib.util.spec_from_file_location("eval_names", ROOT / "scripts" / "eval_names.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_data_is_one_actionable_line(tmp_path, capsys):
    assert _script().main(["--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "not found; pass --data FOLDER" in err and len(err.splitlines()) == 1


def test_f1_and_boundaries():
    s = _script()
    assert s._f1(2, 4, 2) == {"p": 0.5, "r": 1.0, "f1": 0.6667, "tp": 2, "pred": 4, "gold": 2}
    assert s._boundaries("Раз. Два. Три.", ["Раз.", "Два.", "Три."]) == {5, 10}


@pytest.mark.skipif(not (DATA / "ud-uk-iu-dev" / "dev.jsonl").is_file(), reason="shared UD data not here")
def test_matching_targets_on_the_ud_data(tmp_path):
    s = _script()
    out = s.measure(DATA, {"matching", "segmentation"})
    m = out["matching"]
    assert m["overall"]["r"] >= 0.99 and m["overall"]["p"] >= 0.99, m["overall"]
    assert m["initials"]["r"] == 1.0
    seg = out["segmentation"]
    assert seg["mt"]["f1"] >= seg["tokenize_uk"]["f1"]
