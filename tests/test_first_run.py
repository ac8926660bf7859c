"""The first run with real models (issue 16), against the local fake Hub.

`make run` runs ``mt brief seeds -o out --glossary seeds/glossary.tsv``. Here
that command runs in a subprocess with HF_ENDPOINT at tests/fake_hub.py (on
127.0.0.1, the real repositories' layouts with tiny weights), an empty
HF_HOME and an empty model store, exactly as on a fresh clone.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_hub import OPUS

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _mt(env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mt", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


# loaded by every mt subprocess of these tests: a connection to any host but 127.0.0.1 fails and is logged
GUARD = """
import os, socket
_connect = socket.socket.connect
def connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        with open(os.environ["MT_TEST_NET_LOG"], "a") as log:
            log.write(f"{host}\\n")
        raise OSError(f"test guard: no connections to {host}")
    return _connect(self, address)
socket.socket.connect = connect
"""


@pytest.fixture()
def user(fake_hub, tmp_path):
    """(env, run_brief) for a fresh machine pointed at the fake Hub; other hosts are refused and logged."""
    env = fake_hub.env(tmp_path / "hf-home")
    env["MT_MODELS_DIR"] = str(tmp_path / "store")
    env.pop("MT_CACHE", None)
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), env.get("PYTHONPATH")]))
    env["MT_TEST_NET_LOG"] = str(tmp_path / "other-hosts.log")

    from summarize_helpers import small_seeds

    seeds = small_seeds(tmp_path / "seeds", lines=4)  # the five seeds, cut short: the tiny summarizer is slow

    def brief(*extra: str) -> subprocess.CompletedProcess:
        return _mt(env, "brief", str(seeds), "-o", str(tmp_path / "out"), "--glossary",
                   str(ROOT / "seeds" / "glossary.tsv"), *extra)

    yield env, brief
    log = tmp_path / "other-hosts.log"
    assert not log.exists(), f"connections to other hosts: {log.read_text()}"


def test_make_run_on_a_fresh_machine_then_again_then_without_the_hub(fake_hub, user, tmp_path):
    env, brief = user
    fake_hub.variant("pr", fake_hub.files)  # opus-mt: pickle on main + the bot's refs/pr/1; distilbart: safetensors
    first = brief()
    assert first.returncode == 0, first.stderr[-3000:]
    out = tmp_path / "out"
    assert (out / "briefs.md").exists() and list(out.glob("*.brief.md"))
    err = first.stderr
    # what and how big, before downloading; one line per file (stderr is not a terminal here)
    assert "downloading 2 models once" in err and "weights from the conversion bot's pull request refs/pr/1" in err
    assert "  downloading model.safetensors (" in err and "downloaded opus-mt-uk-en: " in err
    assert err.index("downloading 2 models once") < err.index("  downloading model.safetensors")
    assert "converting opus-mt-uk-en to CTranslate2 int8 (once, about " in err and "converted opus-mt-uk-en in" in err
    assert "converting distilbart-cnn to CTranslate2 int8 (once, about " in err
    assert not any(path.endswith((".bin", ".h5", ".msgpack", ".ot")) for path in fake_hub.downloads())  # no pickle
    assert not fake_hub.unhandled

    fake_hub.reset()
    second = brief()
    assert second.returncode == 0, second.stderr[-3000:]
    assert fake_hub.requests == []  # a second run makes no requests
    assert "converting" not in second.stderr and "downloading" not in second.stderr  # same commit: no second conversion

    status = {row["preset"]: row["status"] for row in json.loads(_mt(env, "models", "list", "--json").stdout)}
    assert status["opus-mt-uk-en"] == "cached" and status["distilbart-cnn"] == "cached"
    assert status["nllb-600m"] == "missing"
    disk = json.loads(_mt(env, "models", "disk", "--json").stdout)
    assert len(disk["conversions"]["items"]) == 2 and disk["hf_cache"]["bytes"] > 0
    assert fake_hub.requests == []  # list and info never ask the Hub

    fake_hub.stop()
    offline = brief("--force")  # the Hub is gone; everything comes from the cache
    assert offline.returncode == 0, offline.stderr[-3000:]
    info = json.loads(_mt(env, "models", "info", "opus-mt-uk-en", "--json").stdout)
    assert info["revision"] == "refs/pr/1" and info["files"]["model.safetensors"] > 0
    assert [c["used"] for c in info["conversions"]] == [True]


def test_each_error_says_what_happened(fake_hub, user, tmp_path):
    env, brief = user
    fake_hub.variant("pickle", fake_hub.files)
    pickle = brief()
    assert pickle.returncode == 2
    assert "2 models cannot be used" in pickle.stderr and pickle.stderr.count("has only pickle weights") == 2
    assert "make run ARGS=--allow-pickle" in pickle.stderr and "cannot be reached" not in pickle.stderr
    assert "Traceback" not in pickle.stderr and not fake_hub.downloads()
    assert not (tmp_path / "out" / "briefs.md").exists()

    fake_hub.outage = True
    outage = brief()
    assert outage.returncode == 2 and "answered with an error (503" in outage.stderr
    assert "try again later" in outage.stderr and "conversion failed" not in outage.stderr
    assert "cannot be reached" not in outage.stderr

    fake_hub.stop()
    gone = brief()
    assert gone.returncode == 2 and "cannot be reached" in gone.stderr and "conversion failed" not in gone.stderr
    assert "mt models pull opus-mt-uk-en" in gone.stderr and "mt models pull distilbart-cnn" in gone.stderr


def test_pull_and_remove_on_a_slow_hub(fake_hub, user, tmp_path):
    env, _ = user
    fake_hub.variant("slow", fake_hub.files)
    pulled = _mt(env, "models", "pull", "opus-mt-uk-en")
    assert pulled.returncode == 0, pulled.stderr[-3000:]
    err = pulled.stderr
    assert err.index("pulling opus-mt-uk-en: 7 files") < err.index("  downloading model.safetensors")
    store = tmp_path / "store" / "opus-mt-uk-en"
    assert (store / "model.safetensors").exists() and json.loads((store / "mt-pull.json").read_text())["hub"] == OPUS
    listing = json.loads(_mt(env, "models", "list", "--json").stdout)
    assert {r["preset"]: r["status"] for r in listing}["opus-mt-uk-en"] == "pulled"
    removed = _mt(env, "models", "remove", "opus-mt-uk-en")
    assert removed.returncode == 0 and "removed pulled folder" in removed.stdout and not store.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal (Linux)")
def test_a_terminal_gets_huggingface_hubs_progress_bars(fake_hub, user):
    import fcntl
    import os
    import pty
    import struct
    import termios

    env, _ = user
    fake_hub.variant("slow", fake_hub.files)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # a terminal 120 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "mt", "models", "pull", "opus-mt-uk-en"], env=env, cwd=ROOT,
                            stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0
    text = seen.decode("utf-8", "replace")
    assert "model.safetensors: 100%|" in text and "B/s]" in text  # a bar with bytes and rate per file
    assert "  downloading model.safetensors (" not in text  # the one-line-per-file form is for logs only


# ------------------------------------------------------------ empty outputs are errors, never `ok`

def test_an_empty_translation_of_text_is_an_error(tmp_path, translator, spy_engine):
    from mt.outputs.manifest import read_manifest
    from mt.translate import translate_corpus

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Заголовок\nПривіт, світе. Як справи?", encoding="utf-8")

    def blank(hyps):
        for hyp in hyps:
            hyp.text = ""

    spy_engine(translator.engine, after=blank)
    summary = translate_corpus([src], tmp_path / "out", translator.options, translator=translator)
    assert summary.ok == 0 and len(summary.failed) == 1
    assert "empty translation" in summary.failed[0]["error"]
    records = [r for r in read_manifest(tmp_path / "out" / "manifest.jsonl") if r.get("stage") == "translate"]
    assert records[-1]["status"] == "error"


def test_an_empty_summary_of_text_is_an_error(tmp_path):
    from summarize_helpers import FakeEngine

    from mt.summarize import summarize_corpus
    from mt.summarizer import SummarizeOptions, Summarizer

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("Officials met in Kyiv on Monday. They signed a treaty.", encoding="utf-8")
    options = SummarizeOptions(max_words=40, min_words=5)
    run = summarize_corpus([src], tmp_path / "out", options,
                           summarizer=Summarizer(options, engine=FakeEngine(reply=lambda text, settings: "")))
    assert run.ok == 0 and len(run.failed) == 1 and "empty summary" in run.failed[0]["error"]
