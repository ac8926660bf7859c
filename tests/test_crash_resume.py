"""A real run killed with SIGKILL resumes exactly; a second run on the same OUT is refused;
an unwritable OUT is a clear error."""
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mt.cli import main
from tests.conftest import ROOT

N_DOCS = 400  # several windows of 64, so the kill lands mid-run even with the fast engine


def make_corpus(folder: Path) -> None:
    folder.mkdir()
    for i in range(N_DOCS):
        (folder / f"doc{i:03d}.txt").write_text(
            f"Заголовок {i}\nДелегація номер {i} прибула до Пхеньяну. Зустріч {i} минула спокійно.\n"
            f"Другий абзац документа {i}.", encoding="utf-8")


def start(src: Path, out: Path, model: Path) -> subprocess.Popen:
    script = Path(sys.executable).parent / "mt"
    return subprocess.Popen([str(script), "translate", str(src), "-o", str(out), "--model", str(model),
                             "-q"], cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def manifest_lines(out: Path) -> list[str]:
    path = out / "manifest.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def wait_for_records(out: Path, proc: subprocess.Popen, at_least: int, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(manifest_lines(out)) >= at_least:
            return
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.stderr.read().decode()}")
        time.sleep(0.05)
    pytest.fail("no progress before the timeout")


@pytest.mark.slow
def test_sigkill_mid_run_then_resume(tmp_path, tiny_marian):
    src, out = tmp_path / "in", tmp_path / "out"
    make_corpus(src)
    proc = start(src, out, tiny_marian)
    wait_for_records(out, proc, at_least=1)  # the first window is written...
    proc.send_signal(signal.SIGKILL)  # ...kill it in the middle of the next
    proc.wait()
    first = [json.loads(line) for line in manifest_lines(out)]
    assert 0 < len(first) < N_DOCS
    rerun = start(src, out, tiny_marian)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read().decode()
    records = [json.loads(line) for line in manifest_lines(out)]  # every line is valid JSON
    ok = [r["id"] for r in records if r["status"] == "ok"]
    assert sorted(ok) == sorted(f"doc{i:03d}" for i in range(N_DOCS))  # each document translated exactly once
    assert len(ok) == len(set(ok))
    assert not list(out.rglob("*.tmp"))
    for i in range(N_DOCS):
        lines = (out / f"doc{i:03d}.en.txt").read_text(encoding="utf-8").split("\n")
        assert len(lines) == 5 and lines[1] == "" and lines[-1] == ""  # title, blank, 2 paragraphs, final newline


@pytest.mark.slow
def test_second_run_on_same_out_is_refused_while_first_runs(tmp_path, tiny_marian):
    src, out = tmp_path / "in", tmp_path / "out"
    make_corpus(src)
    proc = start(src, out, tiny_marian)
    try:
        deadline = time.time() + 120
        while not (out / ".mt" / "lock.json").exists() and time.time() < deadline:
            time.sleep(0.05)
        result = CliRunner().invoke(main, ["translate", str(src), "-o", str(out), "--model", str(tiny_marian)])
        assert result.exit_code == 3
        assert "another mt run" in result.stderr and str(proc.pid) in result.stderr
    finally:
        proc.kill()
        proc.wait()


def test_out_that_is_a_file_is_a_clear_error(tmp_path, seeds_copy, tiny_marian):
    (tmp_path / "out").write_text("not a folder")
    result = CliRunner().invoke(main, ["translate", str(seeds_copy), "-o", str(tmp_path / "out" / "x"),
                                       "--model", str(tiny_marian)])
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "no space left"), (errno.EROFS, "read-only")])
def test_full_or_read_only_output_is_a_clear_error(tmp_path, tiny_marian, monkeypatch, code, words):
    import mt.outputs.files

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Заголовок\nТекст статті.", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(mt.outputs.files.tempfile, "mkstemp", broken)
    result = CliRunner().invoke(main, ["translate", str(src), "-o", str(tmp_path / "out"),
                                       "--model", str(tiny_marian), "-q"])
    assert result.exit_code == 1  # the document reports the write error; the run completes
    assert words in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_ctrl_c_mid_run_exits_130_at_once_and_resumes(tmp_path, tiny_marian):
    src, out = tmp_path / "in", tmp_path / "out"
    make_corpus(src)
    proc = start(src, out, tiny_marian)
    wait_for_records(out, proc, at_least=1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130  # not click's "Aborted!" (exit 1), and no wait for the engine's queue
    assert "run the same command again to resume" in proc.stderr.read().decode()
    assert 0 < len(manifest_lines(out)) < N_DOCS
    rerun = start(src, out, tiny_marian)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read().decode()
    ok = [json.loads(line)["id"] for line in manifest_lines(out) if json.loads(line)["status"] == "ok"]
    assert sorted(ok) == sorted(f"doc{i:03d}" for i in range(N_DOCS)) and len(ok) == len(set(ok))


def _interrupted(tmp_path, patch: str, argv: list[str]) -> str:
    """stderr of `mt ARGV` in a subprocess where `patch` (module.function) raises KeyboardInterrupt."""
    module, function = patch.rsplit(".", 1)
    script = (f"import {module} as target\ndef stop(*a, **k):\n    raise KeyboardInterrupt\n"
              f"target.{function} = stop\nfrom mt.cli import main\nmain({argv!r})\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MT_MODELS_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 130, proc.stderr.decode()
    return proc.stderr.decode()


def test_ctrl_c_during_a_pull_says_what_a_pull_leaves(tmp_path):
    """Not the translate job's "finished documents are kept" line: a pull keeps nothing."""
    said = _interrupted(tmp_path, "mt.models.fetch.pull", ["models", "pull", "opus-mt-uk-en"])
    assert "nothing was pulled" in said and "finished documents" not in said


def test_ctrl_c_in_another_models_command_says_only_interrupted(tmp_path):
    said = _interrupted(tmp_path, "mt.models.cache.locate", ["models", "list"])
    assert said.strip().endswith("interrupted") and "pulled" not in said
