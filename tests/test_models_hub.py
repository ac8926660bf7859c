"""mt.models.hub against the local fake Hub (tests/fake_hub.py): plans, downloads, honest errors, pulls."""
from __future__ import annotations

import json
import socket

import pytest
from fake_hub import DISTILBART, OPUS

from mt.models.presets import ModelError, ModelMissing, PickleRefused
from mt.models.resolution import resolve


def _notes():
    lines: list[str] = []
    return lines, lines.append


def test_safetensors_on_main_plan_names_files_and_sizes(fake_hub):
    from mt.models.fetch import plan

    fake_hub.variant("safetensors", fake_hub.files)
    p = plan(resolve("opus-mt-uk-en"))
    assert p.ref == "main" and p.commit == fake_hub.repos[OPUS].refs["main"]
    assert set(p.files) == {"config.json", "generation_config.json", "source.spm", "target.spm", "vocab.json",
                            "tokenizer_config.json", "model.safetensors"}  # no pickle, no TF weights, no README
    assert p.files["model.safetensors"] == len(fake_hub.files.marian["model.safetensors"])
    assert "opus-mt-uk-en: 7 files" in p.describe() and "kB" in p.describe()
    assert not fake_hub.downloads()  # a plan downloads nothing


def test_pickle_on_main_takes_the_bots_pull_request(fake_hub):
    from mt.models.fetch import ensure

    fake_hub.variant("pr", fake_hub.files)
    lines, note = _notes()
    found = ensure(resolve("opus-mt-uk-en"), notify=note)
    assert found.ref == "refs/pr/1" and (found.folder / "model.safetensors").exists()
    assert found.config_commit == fake_hub.repos[OPUS].refs["main"] and found.commit != found.config_commit
    assert not any(path.endswith(".bin") for path in fake_hub.downloads())  # no pickle was fetched
    assert any("pull request refs/pr/1" in line for line in lines)
    assert any(line.startswith("downloading 1 model once") for line in lines)


def test_a_second_ensure_makes_no_requests_and_works_offline(fake_hub, monkeypatch):
    import huggingface_hub.constants as constants

    from mt.models.fetch import cached_status, ensure, load_pretrained

    fake_hub.variant("pr", fake_hub.files)
    first = ensure(resolve("opus-mt-uk-en"), notify=lambda m: None)
    fake_hub.reset()
    assert ensure(resolve("opus-mt-uk-en"), notify=lambda m: None) == first
    assert fake_hub.requests == []
    assert cached_status(resolve("opus-mt-uk-en")) == "cached"
    fake_hub.stop()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    tokenizer, model = load_pretrained(resolve("opus-mt-uk-en"))  # --engine hf, weights from the PR, no Hub
    assert model.config.model_type == "marian"


def test_pickle_only_says_pickle_only_and_downloads_nothing(fake_hub):
    from mt.models.fetch import ensure

    fake_hub.variant("pickle", fake_hub.files)
    with pytest.raises(PickleRefused) as info:
        ensure(resolve("opus-mt-uk-en"))
    message = str(info.value)
    assert "only pickle weights (pytorch_model.bin)" in message and "--allow-pickle" in message
    assert "make run ARGS=--allow-pickle" in message
    assert "cannot be reached" not in message
    assert not fake_hub.downloads()


def test_pickle_only_with_allow_pickle_downloads_the_pickle(fake_hub):
    from mt.models.fetch import ensure

    fake_hub.variant("pickle", fake_hub.files)
    found = ensure(resolve("opus-mt-uk-en"), allow_pickle=True, notify=lambda m: None)
    assert (found.folder / "pytorch_model.bin").exists() and not (found.folder / "tf_model.h5").exists()


def test_a_stale_or_foreign_pull_request_is_not_trusted(fake_hub):
    from mt.models.fetch import ensure

    fake_hub.variant("pickle", fake_hub.files)
    weights = {"model.safetensors": fake_hub.files.marian["model.safetensors"]}
    fake_hub.open_pr(OPUS, weights, author="someone")  # not the bot
    fake_hub.open_pr(OPUS, weights)  # the bot's, but main moves on below
    fake_hub.update(OPUS, {"README.md": b"new upstream commit\n"})
    with pytest.raises(PickleRefused, match="no open pull request for that commit"):
        ensure(resolve("opus-mt-uk-en"))


def test_an_outage_says_the_hub_answered_with_an_error(fake_hub):
    from mt.models.fetch import ensure

    fake_hub.variant("outage", fake_hub.files)
    with pytest.raises(ModelError) as info:
        ensure(resolve("opus-mt-uk-en"))
    message = str(info.value)
    assert "answered with an error (503" in message and "try again later" in message
    assert "cannot be reached" not in message and "conversion" not in message
    assert len(fake_hub.requests) <= 3  # no minute of retries


def test_an_unknown_repo_says_not_found(fake_hub):
    from mt.models.fetch import ensure

    fake_hub.variant("safetensors", fake_hub.files)
    with pytest.raises(ModelError, match="'someone/no-such-model' was not found on the Hugging Face Hub"):
        ensure(resolve("someone/no-such-model"))


def test_unreachable_only_when_the_connection_fails(fake_hub, monkeypatch):
    from mt.models import fetch

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(ModelMissing) as info:
        fetch.ensure(resolve("opus-mt-uk-en"))
    assert "cannot be reached" in str(info.value) and f"127.0.0.1:{port} could not be reached" in str(info.value)


def test_preflight_reports_every_problem_together(fake_hub):
    from mt.engines import EngineOptions
    from mt.models.fetch import preflight

    fake_hub.variant("pickle", fake_hub.files)
    with pytest.raises(ModelMissing) as info:
        preflight([(EngineOptions(task="translate"), "translate"), (EngineOptions(task="summarize"), "summarize")])
    message = str(info.value)
    assert message.startswith("2 models cannot be used")
    assert f"{OPUS} has only pickle weights" in message and f"{DISTILBART} has only pickle weights" in message
    assert not fake_hub.downloads()


def test_pull_is_atomic_and_any_hub_id_is_usable_by_name(fake_hub, tmp_path):
    from mt.models.fetch import pull

    fake_hub.variant("pickle", fake_hub.files)
    with pytest.raises(PickleRefused):
        pull("opus-mt-uk-en", notify=lambda m: None)
    store = tmp_path / "mt-models"
    assert not store.exists() or not [p for p in store.iterdir() if p.name != "ct2"]  # nothing left behind
    fake_hub.add_repo("someone/tiny-marian", fake_hub.files.opus_mt("safetensors"))
    dest = pull("someone/tiny-marian", notify=lambda m: None)
    assert dest == store / "someone--tiny-marian" and (dest / "model.safetensors").exists()
    record = json.loads((dest / "mt-pull.json").read_text())
    assert record["hub"] == "someone/tiny-marian" and len(record["weights_commit"]) == 40
    spec = resolve("someone/tiny-marian")
    assert spec.path == dest  # the same name finds the pulled folder
    assert not list(store.glob(".*pull-*"))


def test_a_weightless_store_folder_is_not_a_local_model(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path))
    (tmp_path / "opus-mt-uk-en").mkdir()
    (tmp_path / "opus-mt-uk-en" / "config.json").write_text("{}")
    assert resolve("opus-mt-uk-en").path is None


def test_model_version_follows_the_commit(fake_hub, monkeypatch, tmp_path):
    from mt.models.fetch import ensure, model_version

    fake_hub.variant("safetensors", fake_hub.files)
    spec = resolve("opus-mt-uk-en")
    assert model_version(spec) is None
    first = ensure(spec, notify=lambda m: None)
    assert model_version(spec) == first.version == f"{first.commit}+{first.commit}"
    new = fake_hub.update(OPUS, {"generation_config.json": b'{"num_beams": 3}'})
    monkeypatch.setenv("HF_HOME", str(tmp_path / "other-home"))  # another machine: sees the new commit
    assert ensure(spec, notify=lambda m: None).commit == new and model_version(spec) == f"{new}+{new}"
