"""Resolve model names (presets, Hub ids, local folders), detect offline, pull.

Resolution order for ``--model NAME``:

1. ``NAME`` is an existing folder            -> load it from there;
2. ``NAME`` is a preset in mt/registry.toml and ``<models_dir()>/<preset>/``
   exists (written by ``mt models pull``)    -> load that folder;
3. otherwise the Hub id (the preset's ``hub`` or ``NAME`` itself) goes to
   ``from_pretrained``, which uses the Hugging Face cache and downloads when
   the Hub is reachable.

Safety rules applied to every load: weights come from ``*.safetensors``
(pickle checkpoints are refused unless ``allow_pickle``), and
``trust_remote_code`` is never passed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from mt.models.presets import ModelError
from mt.models.presets import ModelSpec
from mt.models.presets import PickleRefused
from mt.models.presets import Registry
from mt.models.presets import models_dir


def resolve(name: str | None, task: str = "translate", revision: str | None = None) -> ModelSpec:
    """Turn a preset, Hub id or folder into a ModelSpec (nothing is loaded)."""
    registry = Registry.load()
    name = name or registry.default(task)
    as_path = Path(name).expanduser()
    if as_path.is_dir():
        preset = None
        info: dict = {}
        family = _family_from_config(as_path)
        return ModelSpec(name=name, path=as_path.resolve(), task=task, family=family,
                         src_lang=_lang_from_folder(as_path, "src_lang"),
                         tgt_lang=_lang_from_folder(as_path, "tgt_lang"), revision=revision)
    if any(sep in name for sep in ("./", "../")) or name.startswith(("/", "~")):
        raise ModelError(f"model folder not found: {name}")
    preset = name if name in registry.presets else registry.by_hub(name)
    info = registry.presets.get(preset, {}) if preset else {}
    hub = info.get("hub", name)
    local = models_dir() / preset if preset else None
    path = local if local and (local / "config.json").exists() else None
    return ModelSpec(
        name=name, hub=hub, path=path, task=info.get("task", task), family=info.get("family"),
        src_lang=info.get("src_lang"), tgt_lang=info.get("tgt_lang"), preset=preset,
        revision=revision, note=info.get("note", ""), license=info.get("license", ""),
    )


def _family_from_config(folder: Path) -> str | None:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    model_type = config.get("model_type")
    if model_type == "m2m_100":
        tok = folder / "tokenizer_config.json"
        if tok.exists() and "Nllb" in tok.read_text(encoding="utf-8"):
            return "nllb"
        return "m2m100"
    return model_type


def _lang_from_folder(folder: Path, key: str) -> str | None:
    meta = folder / "mt.json"
    if meta.exists():
        return json.loads(meta.read_text(encoding="utf-8")).get(key)
    return None


def missing_message(spec: ModelSpec, reason: str = "") -> str:
    target = spec.preset or spec.hub or spec.name
    lines = [
        f"Model '{target}' is not available on this machine"
        + (" and the Hugging Face Hub cannot be reached" if is_offline() or reason else "") + ".",
    ]
    if reason:
        lines.append(f"  ({reason})")
    lines += [
        "Get it in one of these ways:",
        f"  - on a machine with internet: mt models pull {target}",
        f"    (downloads {spec.hub} into {models_dir() / (spec.preset or 'NAME')}; copy that folder here)",
        "  - point at a folder you already have: --model /path/to/model-folder",
        "  - if the model is in your Hugging Face cache, unset HF_HUB_OFFLINE only when you are online;",
        "    with HF_HUB_OFFLINE=1 mt never tries the network",
    ]
    return "\n".join(lines)


def check_weights(folder: Path, allow_pickle: bool) -> None:
    """Refuse pickle-only checkpoints unless explicitly allowed."""
    if any(folder.glob("*.safetensors")):
        return
    pickles = [p.name for p in folder.glob("*.bin")] + [p.name for p in folder.glob("*.pt")]
    if pickles and not allow_pickle:
        raise PickleRefused(
            f"{folder} holds only pickle weights ({', '.join(sorted(pickles))}). Loading a pickle can "
            "run arbitrary code, so mt refuses it. Convert it once with a trusted tool, or pass "
            "--allow-pickle if you trust where the file came from."
        )


def has_weights(folder: Path) -> bool:
    return any(any(folder.glob(p)) for p in ("*.safetensors", "*.safetensors.index.json", "*.bin", "*.pt"))


def local_files(spec: ModelSpec, need_weights: bool = False) -> Path | None:
    """The local folder for a spec: its own path, or a Hugging Face cache snapshot.

    With `need_weights`, a cache snapshot without weight files does not count:
    when a Hub repo has only pickle weights, transformers loads safetensors from
    the Hub's conversion pull request, so the snapshot of the main branch holds
    only the config and tokenizer.
    """
    if spec.path:
        return spec.path
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(spec.hub, revision=spec.revision, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means "not cached"
        return None
    return None if need_weights and not has_weights(folder) else folder


def is_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}
