"""Resolve model names (presets, Hub ids, local folders); what to say when a model is missing.

Resolution order for ``--model NAME``:

1. ``NAME`` is an existing folder            -> load it from there;
2. ``<models_dir()>/<preset>/`` (or ``<org>--<name>/`` for a Hub id that is
   not a preset) holds a config and weights (written by ``mt models pull``)
                                             -> load that folder;
3. otherwise the Hub id (the preset's ``hub`` or ``NAME`` itself): the
   Hugging Face cache's copy (`mt.models.cache.locate`), else downloaded
   first (`mt.models.hub.prepare`); transformers only ever loads local folders.

Safety rules applied to every load: weights come from ``*.safetensors``
(pickle checkpoints are refused unless ``allow_pickle``), and
``trust_remote_code`` is never passed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from mt.models.cache import has_safetensors, has_weights
from mt.models.presets import ModelError, ModelSpec, PickleRefused, Registry, models_dir


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
    if preset is None and "/" not in name:
        raise ModelError(unknown_preset_message(name, registry))
    info = registry.presets.get(preset, {}) if preset else {}
    hub = info.get("hub", name)
    path = pulled_folder(preset, hub)
    return ModelSpec(
        name=name, hub=hub, path=path, task=info.get("task", task), family=info.get("family"),
        src_lang=info.get("src_lang"), tgt_lang=info.get("tgt_lang"), preset=preset,
        revision=revision, note=info.get("note", ""), license=info.get("license", ""),
    )


def unknown_preset_message(name: str, registry: Registry) -> str:
    """A name that is no preset, folder or Hub id (those have an owner: org/name): say what was meant."""
    import difflib

    close = difflib.get_close_matches(name, list(registry.presets), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return (f"unknown model '{name}': {hint}Presets: {', '.join(registry.presets)}. "
            "Or give a Hub id (owner/name) or a local folder; `mt models list` shows them all.")


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


def endpoint() -> str:
    """The Hub's address (HF_ENDPOINT, read now: huggingface_hub reads it once, at import)."""
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def store_folder(preset: str | None, hub: str | None) -> Path:
    """Where `mt models pull` puts a model: <models>/<preset>, or <models>/<org>--<name> for other Hub ids."""
    return models_dir() / (preset or str(hub).replace("/", "--"))


def pulled_folder(preset: str | None, hub: str | None) -> Path | None:
    """`mt models pull`'s folder of a preset or Hub id, when it holds a config and weights.

    A folder without weights (left by an older mt's failed pull, or copied
    half) is not a model: the Hub or the cache is asked instead.
    """
    if not preset and not hub:
        return None
    for folder in dict.fromkeys([store_folder(preset, hub), store_folder(None, hub)]):
        if (folder / "config.json").exists() and has_weights(folder):
            return folder
    return None


def missing_message(spec: ModelSpec, reason: str = "") -> str:
    """The model is not on this machine and cannot be downloaded now: why, and every way to get it.

    `reason` says why it cannot be downloaded (a failed connection); with
    HF_HUB_OFFLINE set the message says that instead. Without either it says
    only that the model is not here.
    """
    target = spec.preset or spec.hub or spec.name
    if is_offline():
        head = f"Model '{target}' is not on this machine, and HF_HUB_OFFLINE is set, so mt does not download it."
    elif reason:
        head = f"Model '{target}' is not on this machine and the Hugging Face Hub ({endpoint()}) cannot be reached."
    else:
        head = f"Model '{target}' is not on this machine."
    lines = [head]
    if reason and not is_offline():
        lines.append(f"  ({reason})")
    again = ("  - online: unset HF_HUB_OFFLINE and run the same command again; it downloads the model once"
             if is_offline() else
             "  - once the Hub can be reached, run the same command again; it downloads the model once")
    lines += [
        "Get it in one of these ways:",
        again,
        f"  - on a machine with internet: mt models pull {target}",
        f"    (downloads {spec.hub} into {store_folder(spec.preset, spec.hub)}; copy that folder to the same "
        "place here)",
        "  - point at a folder you already have: --model /path/to/model-folder",
    ]
    return "\n".join(lines)


def check_weights(folder: Path, allow_pickle: bool) -> None:
    """Refuse pickle-only checkpoints unless explicitly allowed."""
    if has_safetensors(folder):
        return
    pickles = [p.name for p in folder.glob("*.bin")] + [p.name for p in folder.glob("*.pt")]
    if pickles and not allow_pickle:
        raise PickleRefused(
            f"{folder} holds only pickle weights ({', '.join(sorted(pickles))}). Loading a pickle can "
            "run arbitrary code, so mt refuses it. Convert it once with a trusted tool, or pass "
            "--allow-pickle if you trust where the file came from."
        )


def local_files(spec: ModelSpec, need_weights: bool = False) -> Path | None:
    """The local folder for a spec: its own path, or a Hugging Face cache snapshot (no network).

    With `need_weights`, only a snapshot with config and weights counts (on the
    revision asked for, or the conversion bot's pull request; see
    `mt.models.cache.locate`); without, the revision's snapshot with a config.
    """
    from mt.models.cache import locate, read_ref, repo_folder

    found = locate(spec, allow_pickle=True)
    if found is not None:
        return found.folder
    if need_weights or spec.hub is None:
        return None
    revision = spec.revision or "main"
    commit = revision if len(revision) == 40 else read_ref(spec.hub, revision)
    folder = repo_folder(spec.hub) / "snapshots" / str(commit)
    return folder if commit and (folder / "config.json").exists() else None


def is_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}
