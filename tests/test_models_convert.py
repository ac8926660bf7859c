"""CTranslate2 conversions of Hub models: keyed by the loaded commits, kept working without the HF cache."""
from __future__ import annotations

import shutil

import pytest
from fake_hub import OPUS

from mt.models.resolution import resolve


@pytest.mark.slow
def test_a_conversion_is_keyed_by_commit_and_outlives_the_hf_cache(fake_hub, monkeypatch, tmp_path):
    import huggingface_hub.constants as constants

    from mt.engines import EngineOptions
    from mt.engines.convert import CONVERSIONS, cache_key, cache_root, converted_model
    from mt.engines.ct2 import CT2Engine
    from mt.models.cache import locate, repo_folder
    from mt.models.fetch import cached_status, ensure, model_version

    fake_hub.variant("pr", fake_hub.files)
    spec = resolve("opus-mt-uk-en")
    lines: list[str] = []
    found = ensure(spec, notify=lines.append)
    before = CONVERSIONS["count"]
    dest = converted_model(spec, "int8", notify=lines.append)
    assert dest == cache_root() / cache_key(spec, found, "int8")  # the key the first run computes is the final one
    assert any(line.startswith("converting opus-mt-uk-en to CTranslate2 int8 (once, about ") for line in lines)
    assert converted_model(spec, "int8", notify=lines.append) == dest and CONVERSIONS["count"] == before + 1
    assert (dest / "source" / "source.spm").exists() and not list((dest / "source").glob("*.safetensors"))

    # the Hugging Face cache is cleared: the conversion alone still runs, offline
    shutil.rmtree(repo_folder(OPUS))
    assert locate(spec) is None and cached_status(spec, dest) == "converted"
    assert model_version(spec) == found.version  # resume keys stay the same
    fake_hub.stop()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    engine = CT2Engine(spec, EngineOptions(engine="ct2", device="cpu"))
    assert engine.model_dir == dest and engine.tokenizer.kind == "sentencepiece"
    assert len(engine.generate(["Привіт, світе."])) == 1


def test_a_new_upstream_commit_gets_a_new_key(fake_hub, monkeypatch, tmp_path):
    from mt.engines.convert import cache_key
    from mt.models.fetch import ensure

    fake_hub.variant("safetensors", fake_hub.files)
    spec = resolve("opus-mt-uk-en")
    first = cache_key(spec, ensure(spec, notify=lambda m: None), "int8")
    assert cache_key(spec, ensure(spec, notify=lambda m: None), "int8") == first
    fake_hub.update(OPUS, {"config.json": fake_hub.files.marian["config.json"] + b"\n"})
    monkeypatch.setenv("HF_HOME", str(tmp_path / "fresh"))  # a machine that downloads after the update
    assert cache_key(spec, ensure(spec, notify=lambda m: None), "int8") != first
