
import pytest

from mt.models.fetch import load_pretrained
from mt.models.presets import ModelMissing, PickleRefused, Registry
from mt.models.resolution import check_weights, resolve


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

    presets = mt.models.presets
    assert presets.REGISTRY_PATH.parent == presets.PACKAGE_ROOT / "models" and presets.REGISTRY_PATH.exists()
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


# Pulls, the conversion bot's pull request, cache status and honest errors are tested against the
# local fake Hub in tests/test_models_hub.py and tests/test_first_run.py.


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


def test_an_unknown_preset_name_says_did_you_mean_and_lists_the_presets():
    from mt.models.presets import ModelError
    from mt.models.resolution import resolve

    with pytest.raises(ModelError) as info:
        resolve("opus-mt-uk-em")
    message = str(info.value)
    assert "did you mean opus-mt-uk-en" in message and "distilbart-cnn" in message and "owner/name" in message
    assert resolve("Helsinki-NLP/opus-mt-uk-en").preset == "opus-mt-uk-en"  # a Hub id is never "unknown"
