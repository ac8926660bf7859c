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


def test_stdin_in_english_out(tiny_marian):
    text = "Горемикін прибув до Києва.\nГоремікіну сказали про це."
    glossary = str(ROOT / "seeds" / "glossary.tsv")
    result = CliRunner().invoke(main, ["translate", "-", "-m", str(tiny_marian), "-g", glossary], input=text,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().split("\n")
    assert len(lines) == 2 and all("Goremykin" in line for line in lines)  # one line per paragraph, name kept


def test_usage_errors_exit_2_before_anything_is_created(tmp_path, tiny_marian):
    out = tmp_path / "out"
    result = run("translate", tmp_path / "missing", "-o", out, "-m", tiny_marian)
    assert result.exit_code == 2 and "no such file or folder" in result.stderr and not out.exists()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = run("translate", ROOT / "seeds", "-o", a_file, "-m", tiny_marian)
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert run("translate", ROOT / "seeds", "-m", tiny_marian).exit_code == 2  # no -o


def test_help_groups_options_lists_commands_in_workflow_order_and_has_examples():
    top = run("--help").stdout
    order = [top.index(f"  {name} ") for name in ("translate", "summarize", "brief", "glossary", "evaluate", "report")]
    assert order == sorted(order) and "Examples:" in top
    help_text = run("translate", "--help").stdout
    for section in ("Input:", "Model and engine:", "Glossary:", "Output and run:", "Examples:"):
        assert section in help_text
    assert "MT_MODEL" in help_text


def test_an_unexpected_error_is_one_line_with_a_debug_hint(monkeypatch, tmp_path, tiny_marian):
    import mt.translate

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(mt.translate, "translate_corpus", broken)
    result = CliRunner().invoke(main, ["translate", str(ROOT / "seeds"), "-o", str(tmp_path / "o"), "-m",
                                       str(tiny_marian)])
    assert result.exit_code == 1 and "unexpected ZeroDivisionError: boom" in result.stderr
    assert "--debug" in result.stderr and "Traceback" not in result.stderr
    result = CliRunner().invoke(main, ["--debug", "translate", str(ROOT / "seeds"), "-o", str(tmp_path / "o"),
                                       "-m", str(tiny_marian)])
    assert isinstance(result.exception, ZeroDivisionError)


def test_device_cuda_without_a_gpu_is_one_line(tiny_marian, monkeypatch):
    import mt.engines.base

    monkeypatch.setattr(mt.engines.base, "cuda_devices", lambda: 0)
    result = CliRunner().invoke(main, ["translate", "-", "-m", str(tiny_marian), "--device", "cuda"], input="Тест.")
    assert result.exit_code == 2 and "--device cuda: no CUDA device" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_library_defaults_equal_the_cli_defaults():
    from mt.engines import EngineOptions
    from mt.summarizer import SummarizeOptions
    from mt.translator import TranslateOptions

    params = {p.name: p for p in main.commands["translate"].params}
    assert EngineOptions().engine == params["engine"].default == "auto"
    engine = EngineOptions()
    for cli, field in (("device", "device"), ("beams", "beams"), ("batch_size", "max_batch_size"),
                       ("batch_tokens", "batch_tokens"), ("threads", "threads"), ("revision", "revision"),
                       ("max_input_tokens", "max_input_tokens")):
        assert params[cli].default == getattr(engine, field), cli
    translate = TranslateOptions()
    import click

    ctx = click.Context(main.commands["translate"])
    assert (bool(params["strict_glossary"].get_default(ctx)), bool(params["auto_glossary"].get_default(ctx))) == (
        translate.strict_glossary, translate.auto_glossary)
    summarize = {p.name: p for p in main.commands["summarize"].params}
    assert (summarize["max_words"].default, summarize["min_words"].default) == (
        SummarizeOptions().max_words, SummarizeOptions().min_words)
