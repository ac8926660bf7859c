import pytest

from mt.models import ModelMissing, PickleRefused, Registry, check_weights, load_pretrained, resolve


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

    assert mt.models.REGISTRY_PATH.parent == mt.models.PACKAGE_ROOT and mt.models.REGISTRY_PATH.exists()
    pyproject = tomllib.loads((mt.models.PACKAGE_ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "registry.toml" in pyproject["tool"]["setuptools"]["package-data"]["mt"]  # so wheels carry it


def test_models_dir_of_an_installed_package(tmp_path, monkeypatch):
    import mt.models

    monkeypatch.delenv("MT_MODELS_DIR", raising=False)
    site = tmp_path / "site-packages"
    (site / "models").mkdir(parents=True)  # some other project's folder: not ours without a pyproject beside it
    monkeypatch.setattr(mt.models, "PACKAGE_ROOT", site / "mt")
    monkeypatch.setattr(mt.models, "CHECKOUT_MODELS", site / "models")
    assert mt.models.models_dir() == mt.models.Path.home() / ".cache" / "mt" / "models"
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "store"))
    assert mt.models.models_dir() == tmp_path / "store"


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
