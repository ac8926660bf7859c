from pathlib import Path

import pytest

from mt.models.presets import ModelMissing, PickleRefused, Registry
from mt.models.resolution import check_weights, resolve
from mt.models.hub import load_pretrained


def test_registry_has_the_design_presets():
    presets = Registry.load().presets
    assert presets["opus-mt-uk-en"]["hub"] == "Helsinki-NLP/opus-mt-uk-en"
    assert presets["nllb-600m"]["src_lang"] == "ukr_Cyrl" and presets["nllb-600m"]["tgt_lang"] == "eng_Latn"
    assert presets["m2m100-418m"]["src_lang"] == "uk"
    assert Registry.load().default("translate") == "opus-mt-uk-en"
    assert Registry.load().default("summarize") == "distilbart-cnn"


def test_registry_ships_with_the_package():
    import tomllib

    import mt.models

    assert mt.models.presets.REGISTRY_PATH.parent == mt.models.presets.PACKAGE_ROOT / "models" and mt.models.presets.REGISTRY_PATH.exists()
    pyproject = tomllib.loads((mt.models.presets.PACKAGE_ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "registry.toml" in pyproject["tool"]["setuptools"]["package-data"]["mt.models"]  # so wheels carry it


def test_models_dir_of_an_installed_package(tmp_path, monkeypatch):
    import mt.models

    monkeypatch.delenv("MT_MODELS_DIR", raising=False)
    site = tmp_path / "site-packages"
    (site / "models").mkdir(parents=True)  # some other project's folder: not ours without a pyproject beside it
    monkeypatch.setattr(mt.models.presets, "PACKAGE_ROOT", site / "mt")
    monkeypatch.setattr(mt.models.presets, "CHECKOUT_MODELS", site / "models")
    assert mt.models.presets.models_dir() == mt.models.presets.Path.home() / ".cache" / "mt" / "models"
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "store"))
    assert mt.models.presets.models_dir() == tmp_path / "store"


def test_resolve_preset_hub_id_and_folder(tiny_marian):
    assert resolve(None).hub == "Helsinki-NLP/opus-mt-uk-en"
    assert resolve("Helsinki-NLP/opus-mt-uk-en").preset == "opus-mt-uk-en"
    assert resolve("someone/other-model").hub == "someone/other-model"
    local = resolve(str(tiny_marian))
    assert local.path == tiny_marian and local.family == "marian" and local.is_demo


def test_missing_model_offline_names_it_and_says_how(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "models"))
    with pytest.raises(ModelMissing) as info:
        load_pretrained(resolve("opus-mt-uk-en"))
    message = str(info.value)
    assert "opus-mt-uk-en" in message and "mt models pull" in message and "--model" in message
    assert "HF_HUB_OFFLINE" in message


def test_pickle_only_checkpoint_is_refused(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x02}q\x00.")
    with pytest.raises(PickleRefused, match="--allow-pickle"):
        check_weights(tmp_path, allow_pickle=False)
    check_weights(tmp_path, allow_pickle=True)


def test_tiny_model_loads_through_from_pretrained(tiny_marian):
    tokenizer, model = load_pretrained(resolve(str(tiny_marian)))
    assert model.config.model_type == "marian" and tokenizer("Привіт")["input_ids"]


class Discussion:
    def __init__(self, num, title, author, parent="head"):
        self.num, self.title, self.author, self.parent = num, title, author, parent
        self.git_reference = f"refs/pr/{num}"


@pytest.fixture
def fake_hub(monkeypatch, tmp_path):
    """A Hub repo with only pickle weights on main, and pull requests to look through."""
    import huggingface_hub

    hub = {"prs": [], "calls": []}

    def snapshot_download(repo_id, revision=None, local_dir=None, allow_patterns=None, local_files_only=False):
        hub["calls"].append((revision, tuple(allow_patterns or ())))
        if local_files_only:
            folder = tmp_path / "hf-cache" / "snapshot"  # what a from_pretrained of main left behind
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "config.json").write_text("{}")
            return str(folder)
        dest = Path(local_dir)
        dest.mkdir(parents=True, exist_ok=True)
        if revision in (None, "main"):
            (dest / "config.json").write_text('{"model_type": "marian"}')  # pytorch_model.bin is not in the patterns
        elif revision == "refs/pr/7":
            (dest / "model.safetensors").write_bytes(b"weights")
        return str(dest)

    class Commit:
        def __init__(self, commit_id):
            self.commit_id = commit_id

    class HfApi:  # main is at commit "head"; a pull request's history is [its own commit, its parent]
        def list_repo_commits(self, repo_id, revision=None):
            parents = {pr.git_reference: pr.parent for pr in hub["prs"]}
            if revision in parents:
                return [Commit("pr-" + revision), Commit(parents[revision])]
            return [Commit("head"), Commit("older")]

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    monkeypatch.setattr(huggingface_hub, "get_repo_discussions", lambda repo_id, **kw: iter(hub["prs"]))
    monkeypatch.setattr(huggingface_hub, "HfApi", HfApi)
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "models"))
    return hub


def test_pull_takes_safetensors_from_the_conversion_bots_pull_request(fake_hub, tmp_path):
    import json

    from mt.models.hub import SAFETENSORS_PR_TITLE, pull

    fake_hub["prs"] += [Discussion(3, SAFETENSORS_PR_TITLE, "someone"),  # not the bot: never trusted
                        Discussion(5, SAFETENSORS_PR_TITLE, "SFconvertbot", parent="older"),  # stale conversion
                        Discussion(7, SAFETENSORS_PR_TITLE, "SFconvertbot")]
    dest = pull("opus-mt-uk-en")
    assert dest == tmp_path / "models" / "opus-mt-uk-en"
    assert (dest / "model.safetensors").read_bytes() == b"weights" and not list(dest.glob("*.bin"))
    assert [c[0] for c in fake_hub["calls"]] == [None, "refs/pr/7"]
    assert json.loads((dest / "mt-pull.json").read_text())["weights_revision"] == "refs/pr/7"


def test_pull_without_a_conversion_refuses_and_downloads_no_pickle(fake_hub):
    from mt.models.hub import pull

    fake_hub["prs"].append(Discussion(5, "Adding `safetensors` variant of this model", "SFconvertbot",
                                      parent="older"))  # converted from another commit: not these weights
    with pytest.raises(PickleRefused, match="only pickle weights at main"):
        pull("opus-mt-uk-en")
    assert all("*.bin" not in patterns for _, patterns in fake_hub["calls"])


def test_a_cache_snapshot_without_weights_is_not_a_local_model(fake_hub, monkeypatch):
    from mt.models.resolution import local_files

    spec = resolve("opus-mt-uk-en")
    assert local_files(spec) is not None  # config and tokenizer are there (the ct2 engine reads them)
    assert local_files(spec, need_weights=True) is None  # but the weights are not
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelMissing, match="mt models pull"):  # not a misleading "pickle" refusal
        load_pretrained(spec)


def test_a_converted_model_is_reused_offline_when_the_snapshot_has_no_weights(fake_hub, monkeypatch):
    from mt.engines.convert import cache_key, cache_root, converted_model
    from mt.models.hub import cached_status

    spec = resolve("opus-mt-uk-en")
    assert cached_status(spec) == "missing"  # config and tokenizer alone are not a model
    dest = cache_root() / cache_key(spec, None, "int8")  # converted online from the Hub id
    dest.mkdir(parents=True)
    (dest / "model.bin").write_bytes(b"ct2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert converted_model(spec, "int8") == dest


# ------------------------------------------------------------ an unreachable Hub

def _closed_port() -> int:
    import socket

    with socket.socket() as sock:  # a port nothing listens on: connections are refused at once
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def online_mode(monkeypatch):
    """HF_HUB_OFFLINE unset and no proxy, as on a user's machine; returns a setter for HF_ENDPOINT."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    return lambda url: monkeypatch.setenv("HF_ENDPOINT", url)


def test_an_unreachable_hub_fails_at_once_with_how_to(online_mode, monkeypatch, tmp_path):
    import transformers

    from mt.models.hub import hub_unreachable

    port = _closed_port()
    online_mode(f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "models"))
    assert f"127.0.0.1:{port} could not be reached" in hub_unreachable()

    def never(*args, **kwargs):
        raise AssertionError("from_pretrained must not be tried: huggingface_hub would retry for a minute")

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", never)
    with pytest.raises(ModelMissing) as info:
        load_pretrained(resolve("opus-mt-uk-en"))
    message = str(info.value)
    assert "cannot be reached" in message and "could not be reached" in message
    assert "mt models pull opus-mt-uk-en" in message


def test_a_reachable_hub_and_a_proxy_are_not_refused(online_mode, monkeypatch):
    import socket

    from mt.models import hub as models

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        online_mode(f"http://127.0.0.1:{server.getsockname()[1]}")
        assert models.hub_unreachable() is None
    online_mode(f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")  # a direct probe would prove nothing
    monkeypatch.setattr(models, "_probe", lambda *a: pytest.fail("probed behind a proxy"))
    assert models.hub_unreachable() is None
