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

import functools
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE_ROOT = Path(__file__).resolve().parent
REGISTRY_PATH = PACKAGE_ROOT / "registry.toml"  # package data: installed with the wheel too
# a source checkout keeps its models in <checkout>/models; an installed package in ~/.cache/mt/models
CHECKOUT_MODELS = PACKAGE_ROOT.parent / "models"


class ModelError(Exception):
    """A model could not be resolved or loaded; the message says what to do."""

    exit_code = 2


class ModelMissing(ModelError):
    """The model is neither local nor cached, and the Hub cannot be reached."""


class PickleRefused(ModelError):
    """The checkpoint exists only as a pickle file."""


@dataclass(frozen=True)
class ModelSpec:
    """What we know about a model before loading it."""

    name: str  # what the user typed (or the default preset)
    hub: str | None = None  # Hub id when known
    path: Path | None = None  # local folder when available
    task: str = "translate"
    family: str | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None
    preset: str | None = None
    revision: str | None = None
    note: str = ""
    license: str = ""

    @property
    def source(self) -> str:
        """The argument for from_pretrained: a local folder or a Hub id."""
        return str(self.path) if self.path else str(self.hub)

    @property
    def label(self) -> str:
        """Short, stable name recorded in manifests and briefs."""
        if self.preset:
            return self.preset
        return self.hub or (self.path.name if self.path else self.name)

    @property
    def is_demo(self) -> bool:
        """True for the untrained tiny models built by scripts/make_tiny_models.py."""
        return bool(self.path and (self.path / "MT_DEMO_MODEL").exists())


@dataclass
class Registry:
    presets: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> "Registry":
        path = Path(path or os.environ.get("MT_REGISTRY", REGISTRY_PATH))
        if not path.exists():
            return cls({})
        with open(path, "rb") as fh:
            return cls(tomllib.load(fh))

    def default(self, task: str) -> str:
        for name, info in self.presets.items():
            if info.get("task") == task and info.get("default"):
                return name
        raise ModelError(f"no default {task} model in the registry")

    def by_hub(self, hub: str) -> str | None:
        for name, info in self.presets.items():
            if info.get("hub") == hub:
                return name
        return None


def models_dir() -> Path:
    """Where `mt models pull` stores models (MT_MODELS_DIR overrides)."""
    env = os.environ.get("MT_MODELS_DIR")
    if env:
        return Path(env)
    if CHECKOUT_MODELS.is_dir() and (PACKAGE_ROOT.parent / "pyproject.toml").exists():
        return CHECKOUT_MODELS
    return Path.home() / ".cache" / "mt" / "models"


def is_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}


HUB_TIMEOUT = 3.0  # seconds the reachability probe waits (MT_HUB_TIMEOUT overrides)
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy")


@functools.cache
def _probe(host: str, port: int, timeout: float) -> str | None:
    """None when a TCP connection to host:port opens within `timeout` seconds, else why not."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{host}:{port} could not be reached: {exc.strerror or type(exc).__name__}"


def hub_unreachable() -> str | None:
    """Why the Hugging Face Hub cannot be reached now, or None when it may be.

    With HF_HUB_OFFLINE set mt never tries the network. Otherwise one TCP
    connection to the Hub's host (HF_ENDPOINT, default huggingface.co) is tried
    once per process, so an offline machine fails in seconds instead of after
    huggingface_hub's retries. Behind a proxy (HTTPS_PROXY, ALL_PROXY, ...) a
    direct connection proves nothing, so nothing is probed.
    """
    if is_offline():
        return "HF_HUB_OFFLINE is set"
    if any(os.environ.get(name) for name in _PROXY_VARS):
        return None
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    timeout = float(os.environ.get("MT_HUB_TIMEOUT") or HUB_TIMEOUT)
    return _probe(endpoint.hostname or "huggingface.co", port, timeout)


def unreachable_message(spec: "ModelSpec") -> str | None:
    """How to get `spec` when the Hub cannot be reached now, else None."""
    why = hub_unreachable()
    return None if why is None else missing_message(spec, reason="" if is_offline() else why)


def require_hub(spec: "ModelSpec") -> None:
    """Raise ModelMissing (with how to get `spec`) when the Hub cannot be reached."""
    message = unreachable_message(spec)
    if message is not None:
        raise ModelMissing(message)


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


# the Hub's safetensors conversion bot opens this pull request on pickle-only repos; transformers
# loads weights from it (transformers/safetensors_conversion.py) and, like transformers, mt trusts
# only the bot's open pull request
SAFETENSORS_PR_TITLE = "Adding `safetensors` variant of this model"
SAFETENSORS_BOT = "SFconvertbot"


def safetensors_pr(hub: str, revision: str | None = None) -> str | None:
    """``refs/pr/N`` of the Hub's safetensors conversion of `revision` (default main), or None.

    Only the bot's open pull request whose parent is exactly that commit counts:
    a stale conversion of older weights never pairs with newer config files.
    """
    from huggingface_hub import HfApi, get_repo_discussions

    api = HfApi()
    head = api.list_repo_commits(hub, revision=revision or "main")[0].commit_id
    for pr in get_repo_discussions(repo_id=hub, discussion_type="pull_request", discussion_status="open"):
        if pr.title == SAFETENSORS_PR_TITLE and pr.author == SAFETENSORS_BOT:
            commits = api.list_repo_commits(hub, revision=pr.git_reference)
            if len(commits) > 1 and commits[1].commit_id == head:
                return pr.git_reference
    return None


def load_pretrained(spec: ModelSpec, allow_pickle: bool = False, device: str = "cpu"):
    """Load (tokenizer, model) exactly as a user with internet would: from_pretrained.

    Raises ModelMissing with a how-to message when the model cannot be had.
    """
    import torch
    import transformers
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    folder = local_files(spec, need_weights=True)
    if folder is not None:
        check_weights(folder, allow_pickle)
    else:
        require_hub(spec)
    source = str(folder) if folder is not None else spec.hub
    common = {"revision": spec.revision, "trust_remote_code": False}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **common)
        model = AutoModelForSeq2SeqLM.from_pretrained(
            source, dtype=torch.float32, use_safetensors=None if allow_pickle else True, **common
        )
    except OSError as exc:
        text = str(exc)
        if "safetensors" in text.lower() and not allow_pickle:
            raise PickleRefused(
                f"{spec.hub} has no safetensors weights, and no safetensors conversion could be found on "
                "the Hub; mt refuses pickle checkpoints unless --allow-pickle is given (only for a "
                "source you trust)."
            ) from exc
        raise ModelMissing(missing_message(spec, reason=text.splitlines()[0] if text else "")) from exc
    model.eval()
    if device != "cpu":
        model.to(device)
    return tokenizer, model


def pull(name: str, dest: Path | None = None, revision: str | None = None) -> Path:
    """Download a model's files (safetensors, config, tokenizer) into models/<preset>.

    A repo whose branch has only pickle weights gets its safetensors from the
    Hub's conversion pull request (`safetensors_pr`); without one, nothing
    unsafe is downloaded and PickleRefused says so.
    """
    from huggingface_hub import snapshot_download

    spec = resolve(name)
    if spec.hub is None:
        raise ModelError(f"{name} is a local folder; nothing to pull")
    dest = Path(dest or models_dir() / (spec.preset or spec.hub.replace("/", "--")))
    if not is_offline():  # offline, snapshot_download itself says so
        require_hub(spec)
    try:
        snapshot_download(
            spec.hub, revision=revision, local_dir=dest,
            allow_patterns=["*.json", "*.safetensors", "*.spm", "*.model", "*.txt", "*.md"],
        )
        weights_from = revision
        if not any(dest.glob("*.safetensors")):
            weights_from = safetensors_pr(spec.hub, revision)
            if weights_from is None:
                raise PickleRefused(
                    f"{spec.hub} has only pickle weights at {revision or 'main'} and no safetensors conversion "
                    f"of that commit on the Hub. mt refuses pickle checkpoints; convert the model with a tool you trust and "
                    f"use --model FOLDER, or load it from the Hub with --allow-pickle if you trust its source.")
            snapshot_download(spec.hub, revision=weights_from, local_dir=dest, allow_patterns=["*.safetensors*"])
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ModelMissing(missing_message(spec, reason=str(exc).splitlines()[0])) from exc
    if weights_from != revision:
        (dest / "mt-pull.json").write_text(json.dumps({"hub": spec.hub, "revision": revision or "main",
                                                      "weights_revision": weights_from}, indent=2) + "\n",
                                           encoding="utf-8")
    return dest


def cached_status(spec: ModelSpec) -> str:
    """'local', 'cached' or 'missing' for `mt models list`."""
    if spec.path:
        return "local"
    return "cached" if local_files(spec, need_weights=True) else "missing"
