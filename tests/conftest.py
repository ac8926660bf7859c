"""Shared fixtures: tiny untrained models built once per session, offline."""
from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from fake_hub import fake_hub, hub_files  # noqa: F401  (the local stand-in Hub, issue 16)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# the translation memory (issue 18) would serve repeated sentences across tests and hide engine calls from
# spies; tests/test_engines_tm.py turns it on where it is under test
os.environ.setdefault("MT_CACHE", "off")
# converted CTranslate2 models and pulled models go to a scratch store, not the checkout's models/
if "MT_MODELS_DIR" not in os.environ:
    os.environ["MT_MODELS_DIR"] = _STORE = tempfile.mkdtemp(prefix="mt-test-models-")
    atexit.register(shutil.rmtree, _STORE, ignore_errors=True)  # the session's scratch store goes with it

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _builder():
    spec = importlib.util.spec_from_file_location("make_tiny_models", ROOT / "scripts" / "make_tiny_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """{'marian': folder, 'bart': folder} built with scripts/make_tiny_models.py."""
    builder = _builder()
    dest = tmp_path_factory.mktemp("tiny-models")
    return {"marian": builder.build_marian(dest / "tiny-marian-uk-en"),
            "bart": builder.build_bart(dest / "tiny-bart-en")}


@pytest.fixture(scope="session")
def tiny_marian(tiny_models) -> Path:
    return tiny_models["marian"]


@pytest.fixture(scope="session")
def translator(tiny_marian):
    from mt.engines import EngineOptions
    from mt.translator import TranslateOptions, Translator

    # the default engine path (CTranslate2); tests/test_engines.py runs the same behaviour on both engines
    return Translator(TranslateOptions(engine=EngineOptions(model=str(tiny_marian), engine="ct2")))


@pytest.fixture()
def seeds_copy(tmp_path) -> Path:
    dest = tmp_path / "seeds"
    dest.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, dest / path.name)
    return dest


@pytest.fixture()
def lock_held_elsewhere():
    """Hold OUT's run lock from another process (the lock is re-entrant within one process)."""
    import subprocess
    import sys

    procs = []

    def hold(out: Path) -> int:
        code = ("import sys, time; from mt.outputs.manifest import RunLock\n"
                "with RunLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(600)\n")
        proc = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "held"
        return proc.pid

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.fixture()
def spy_engine(monkeypatch):
    """spy(engine, before=None, after=None): see what an engine is asked to translate.

    Wraps `submit` where the engine has one (CTranslate2 queues work there; its `generate`
    goes through it), else `generate`. `before(texts, settings)` runs on each call and
    `after(hypotheses)` on its results.
    """
    def spy(engine, before=None, after=None):
        name = "submit" if hasattr(engine, "submit") else "generate"
        original = getattr(engine, name)

        def wrapped(texts, settings=None):
            if before:
                before(texts, settings)
            out = original(texts, settings)
            if after is None:
                return out
            if name == "generate":
                after(out)
                return out
            inner = out.result

            def result():
                hyps = inner()
                after(hyps)
                return hyps

            out.result = result
            return out

        monkeypatch.setattr(engine, name, wrapped)
        return original

    return spy
