import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mt.cli import main
from tests.conftest import ROOT


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def test_translate_folder_json_summary(seeds_copy, tmp_path, tiny_marian):
    out = tmp_path / "out"
    result = run("translate", seeds_copy, "-o", out, "--model", tiny_marian, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] == 5 and summary["failed"] == [] and summary["demo"] is True
    assert len(list(out.glob("*.en.txt"))) == 5
    again = run("translate", seeds_copy, "-o", out, "--model", tiny_marian, "--json")
    assert json.loads(again.stdout)["skipped"] == 5


def test_failed_document_gives_exit_1_after_finishing_the_rest(tmp_path, tiny_marian):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Заголовок\nТекст.", encoding="utf-8")
    (src / "b.txt").write_bytes(b"\x00\xff" * 500)
    result = run("translate", src, "-o", tmp_path / "out", "--model", tiny_marian, "-q")
    assert result.exit_code == 1
    assert "1 document(s) failed" in result.stderr and "b: binary file" in result.stderr
    assert (tmp_path / "out" / "a.en.txt").exists()


def test_missing_model_offline_exits_2_with_how_to(tmp_path, seeds_copy):
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "MT_MODELS_DIR": str(tmp_path / "models")}
    result = run("translate", seeds_copy, "-o", tmp_path / "out", env=env)
    assert result.exit_code == 2
    assert "opus-mt-uk-en" in result.stderr and "mt models pull" in result.stderr
    assert "Traceback" not in result.output


def test_locked_out_exits_3(seeds_copy, tmp_path, tiny_marian, lock_held_elsewhere):
    pid = lock_held_elsewhere(tmp_path / "out")
    result = run("translate", seeds_copy, "-o", tmp_path / "out", "--model", tiny_marian)
    assert result.exit_code == 3 and "another mt run" in result.stderr and str(pid) in result.stderr


def test_models_list_and_info(tiny_marian, tmp_path):
    env = {"HF_HOME": str(tmp_path / "hf"), "MT_MODELS_DIR": str(tmp_path / "m")}
    listed = run("models", "list", "--json", env=env)
    rows = json.loads(listed.stdout)
    assert {r["preset"] for r in rows} >= {"opus-mt-uk-en", "nllb-600m", "m2m100-418m", "distilbart-cnn"}
    assert all(r["status"] == "missing" for r in rows)
    info = json.loads(run("models", "info", tiny_marian, "--json").stdout)
    assert info["family"] == "marian" and info["demo"] is True and info["weights"] == ["model.safetensors"]


def test_console_script_in_a_real_subprocess(tmp_path, tiny_marian):
    src = tmp_path / "in"
    src.mkdir()
    (src / "новина з пробілом.txt").write_text("Заголовок\nВіктор Горемикін прибув.", encoding="utf-8")
    script = Path(sys.executable).parent / "mt"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([str(script), "translate", str(src), "-o", str(tmp_path / "out"), "--model",
                           str(tiny_marian), "--engine", "hf"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "translated 1 documents: 1 ok" in proc.stderr
    assert (tmp_path / "out" / "новина з пробілом.en.txt").exists()


def test_missing_model_with_an_unreachable_hub_exits_2_at_once(tmp_path, seeds_copy):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: connections are refused
    env = {"HF_HUB_OFFLINE": None, "HTTPS_PROXY": None, "https_proxy": None, "ALL_PROXY": None,
           "all_proxy": None, "HF_ENDPOINT": f"http://127.0.0.1:{port}", "HF_HOME": str(tmp_path / "hf"),
           "MT_MODELS_DIR": str(tmp_path / "models")}
    result = run("translate", seeds_copy, "-o", tmp_path / "out", env=env)
    assert result.exit_code == 2
    assert f"127.0.0.1:{port} could not be reached" in result.stderr and "mt models pull opus-mt-uk-en" in result.stderr
    # not a CTranslate2 "conversion failed" and a fall-back to transformers that fails again
    assert "conversion failed" not in result.output and "engine: transformers" not in result.output
