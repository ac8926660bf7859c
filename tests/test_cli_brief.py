"""`mt brief` and `mt summarize` through click: outputs, JSON, scores, resume, exit codes."""
from __future__ import annotations

import json

from click.testing import CliRunner

from mt.cli import main
from tests.summarize_helpers import GLOSSARY, SEEDS, small_seeds


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def models(tiny_models):
    return ["-m", tiny_models["marian"], "--sum-model", tiny_models["bart"], "--engine", "hf",
            "--threads", "1"]


def test_brief_json_digest_scores_and_rerun(tmp_path, tiny_models):
    seeds = small_seeds(tmp_path / "in", lines=1)
    out = tmp_path / "out"
    args = ["brief", seeds, "-o", out, *models(tiny_models), "-g", GLOSSARY, "--max-words", 20, "--min-words", 5]
    result = run(*args, "--ref", SEEDS / "references", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["briefs"] == 5 and data["failed"] == [] and data["demo"] is True
    assert {s: data["stages"][s]["ok"] for s in ("translate", "summarize", "brief")} == {
        "translate": 5, "summarize": 5, "brief": 5}
    assert data["scores"]["pairs"]["matched"] == 5 and data["scores_error"] is None
    assert len(list(out.glob("*.brief.md"))) == 5 and len(list(out.glob("*.brief.json"))) == 5
    digest = (out / "briefs.md").read_text(encoding="utf-8")
    assert digest.startswith("# Briefs") and "## Contents" in digest and "## Index" in digest
    assert "## Scores" in digest and "| ROUGE-L |" in digest
    assert "- Date: 2025-11-07" in (out / "001_b4df3ac546630d11.brief.md").read_text(encoding="utf-8")

    again = run(*args)
    assert again.exit_code == 0, again.output
    for stage in ("translate", "summarize", "brief"):
        assert f"{stage}: 5 documents, 0 ok, 5 skipped" in again.stderr
    assert "digest: " in again.stderr and "NOTE: an untrained demo model" in again.stderr


def test_brief_failed_document_exits_1_after_the_rest(tmp_path, tiny_models, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative -o works too
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("Делегація прибула до Пхеньяну.\nМіністр оборони КНДР Но Гван Чоль прийняв "
                                  "делегацію.\n", encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\x00\xff" * 500)
    result = run("brief", "in", "-o", "out", *models(tiny_models), "-q")
    assert result.exit_code == 1
    assert "1 document(s) failed" in result.stderr and "[translate] bad: binary file" in result.stderr
    assert (tmp_path / "out" / "good.brief.md").exists() and (tmp_path / "out" / "briefs.md").exists()


def test_missing_summarizer_offline_exits_2_before_translating(tmp_path, tiny_models):
    seeds = small_seeds(tmp_path / "in", lines=1)
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "MT_MODELS_DIR": str(tmp_path / "models")}
    result = run("brief", seeds, "-o", tmp_path / "out", "-m", tiny_models["marian"], "--sum-model",
                 "bart-large-cnn", "--engine", "hf", env=env)
    assert result.exit_code == 2 and "mt models pull bart-large-cnn" in result.stderr
    assert not list((tmp_path / "out").glob("*.en.txt"))  # nothing translated in vain


def test_summarize_command(tmp_path, tiny_models):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("A headline\n\nThe delegation arrived in Pyongyang. Horemykin led it.\n",
                                  encoding="utf-8")
    out = tmp_path / "out"
    args = ["summarize", src, "-o", out, "--model", tiny_models["bart"], "--engine", "hf", "--threads", "1",
            "-g", GLOSSARY]
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stage"] == "summarize" and data["ok"] == 1 and data["chunks"] == 1 and data["demo"] is True
    assert (out / "a.summary.en.txt").exists()
    assert json.loads(run(*args, "--json").stdout)["skipped"] == 1
    bad = run(*args, "--max-words", 10, "--min-words", 20)
    assert bad.exit_code == 2 and "--min-words 20 is more than --max-words 10" in bad.output


def test_brief_names_every_missing_model_before_translating(tmp_path):
    seeds = small_seeds(tmp_path / "in", lines=1)
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "MT_MODELS_DIR": str(tmp_path / "models")}
    result = run("brief", seeds, "-o", tmp_path / "out", env=env)
    assert result.exit_code == 2
    assert "mt models pull opus-mt-uk-en" in result.stderr and "mt models pull distilbart-cnn" in result.stderr
    assert not (tmp_path / "out").exists()
