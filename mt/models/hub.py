"""The Hugging Face Hub: reachability, safe loading, pulls, cache status."""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from urllib.parse import urlsplit
from mt.models.presets import ModelError
from mt.models.resolution import is_offline
from mt.models.presets import ModelMissing
from mt.models.presets import ModelSpec
from mt.models.presets import PickleRefused
from mt.models.resolution import check_weights
from mt.models.resolution import local_files
from mt.models.resolution import missing_message
from mt.models.presets import models_dir
from mt.models.resolution import resolve


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
