"""The Hugging Face Hub: what a model needs, honest errors, downloads with progress, pulls.

mt never lets transformers talk to the Hub. It finds the files itself
(`plan`: the branch's safetensors, or the conversion bot's pull request when
the branch has only pickle weights), says what it will download and how big
it is, downloads the files into the Hugging Face cache with huggingface_hub
(its progress bars on a terminal, one line per file otherwise), and then
loads the model from that local folder. transformers' automatic safetensors
conversion, which asks a remote service outside ``HF_ENDPOINT`` to convert a
repo, is switched off (``DISABLE_SAFETENSORS_CONVERSION``).

Errors say what happened: "cannot be reached" only when a connection failed
or timed out; a repo with only pickle weights says so; an error answer from
the Hub (5xx) says to try later; a repo that does not exist says so.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Callable
from urllib.parse import urlsplit

from mt.models.presets import ModelError, ModelMissing, ModelSpec
from mt.models.resolution import endpoint, is_offline, missing_message

# transformers must never ask the remote conversion service (a host outside HF_ENDPOINT) to convert a repo,
# neither while loading nor in its background thread; mt finds the bot's pull request itself (`safetensors_pr`)
os.environ["DISABLE_SAFETENSORS_CONVERSION"] = "1"

Notify = Callable[[str], None]


class HubError(ModelError):
    """The Hub answered with an error (5xx), or a repo / revision does not exist."""


class HubUnreachable(ModelMissing):
    """A connection to the Hub failed or timed out."""


def _echo(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _silent(message: str) -> None:
    pass


_NOTIFY: list[Notify] = [_echo]  # where download and conversion messages go (set_notify)


def set_notify(notify: Notify | None) -> None:
    """Send mt's download / conversion messages to `notify` (None: nowhere, for --quiet / --json)."""
    _NOTIFY[0] = notify or _silent


def notifier(notify: Notify | None = None) -> Notify:
    return notify if notify is not None else _NOTIFY[0]


# ------------------------------------------------------------ reachability

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
    parts = urlsplit(endpoint())
    port = parts.port or (80 if parts.scheme == "http" else 443)
    timeout = float(os.environ.get("MT_HUB_TIMEOUT") or HUB_TIMEOUT)
    return _probe(parts.hostname or "huggingface.co", port, timeout)


# ------------------------------------------------------------ messages

def target_name(spec: ModelSpec) -> str:
    """How messages name a model: its preset, Hub id, or folder name."""
    return spec.preset or spec.hub or spec.label


def unreachable_message(spec: ModelSpec) -> str | None:
    """How to get `spec` when the Hub cannot be reached now, else None."""
    why = hub_unreachable()
    return None if why is None else missing_message(spec, reason="" if is_offline() else why)


def require_hub(spec: ModelSpec) -> None:
    """Raise ModelMissing (with how to get `spec`) when the Hub cannot be reached."""
    message = unreachable_message(spec)
    if message is not None:
        raise HubUnreachable(message)


def pickle_message(spec: ModelSpec, revision: str, commit: str | None, pickles: list[str]) -> str:
    target = target_name(spec)
    folder_flag = ("--model FOLDER; for mt brief's summarizer --sum-model FOLDER" if spec.task == "summarize"
                   else "--model FOLDER")
    at = f"{revision}" + (f" (commit {commit[:7]})" if commit else "")
    return (f"{spec.hub} has only pickle weights ({', '.join(pickles) or 'pytorch_model.bin'}) at {at}, and the Hub's "
            f"safetensors conversion bot has no open pull request for that commit. mt loads only safetensors, "
            f"because loading a pickle can run code. Fix: if you trust {spec.hub.split('/')[0]}, pass "
            f"--allow-pickle (make run ARGS=--allow-pickle); or convert it with a tool you trust and point at the "
            f"folder ({folder_flag}). Model: {target}.")


def _classify(spec: ModelSpec, exc: BaseException) -> ModelError:
    """A huggingface_hub / httpx error as an honest, actionable ModelError."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    target = target_name(spec)
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, GatedRepoError):
        return HubError(f"{spec.hub} is a gated repository: accept its terms on the Hub and log in "
                        "(huggingface-cli login or HF_TOKEN), then run again.")
    if isinstance(exc, RepositoryNotFoundError):
        return HubError(f"'{spec.hub}' was not found on the Hugging Face Hub ({endpoint()}); check the name "
                        "(mt models list shows the presets), or log in if it is private.")
    if isinstance(exc, RevisionNotFoundError):
        return HubError(f"{spec.hub} has no revision '{spec.revision}' on the Hub; check --revision.")
    if isinstance(exc, OfflineModeIsEnabled):
        return ModelMissing(missing_message(spec))
    if isinstance(exc, HfHubHTTPError) and getattr(exc, "response", None) is not None:
        status = exc.response.status_code
        if status >= 500 or status == 429:
            return HubError(f"The Hugging Face Hub ({endpoint()}) answered with an error ({status} "
                            f"{exc.response.reason_phrase or ''}".rstrip() + f") for {spec.hub}. That is on the "
                            "Hub's side: try again later. Nothing was downloaded.")
        return HubError(f"The Hugging Face Hub answered {status} for {spec.hub}: {str(exc).splitlines()[0]}")
    first = str(exc).splitlines()[0] if str(exc) else ""
    if _is_connection_error(exc):
        return HubUnreachable(missing_message(spec, reason=f"{type(exc).__name__}: {first}"))
    return HubError(f"Downloading {target} failed: {type(exc).__name__}: {first}")


def _is_connection_error(exc: BaseException) -> bool:
    try:
        import httpx2 as httpx
    except ImportError:  # pragma: no cover
        import httpx  # type: ignore[no-redef]
    seen = exc
    while seen is not None:
        if isinstance(seen, (httpx.ConnectError, httpx.TimeoutException, ConnectionError, TimeoutError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# ------------------------------------------------------------ the bot's pull request

# the Hub's safetensors conversion bot opens this pull request on pickle-only repos; like transformers,
# mt trusts only the bot's open pull request
SAFETENSORS_PR_TITLE = "Adding `safetensors` variant of this model"
SAFETENSORS_BOT = "SFconvertbot"


def _api():
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint())


def safetensors_pr(hub: str, revision: str | None = None, head: str | None = None) -> str | None:
    """``refs/pr/N`` of the Hub's safetensors conversion of `revision` (default main), or None.

    Only the bot's open pull request whose parent is exactly that commit counts:
    a stale conversion of older weights never pairs with newer config files.
    """
    api = _api()
    head = head or api.list_repo_commits(hub, revision=revision or "main")[0].commit_id
    for pr in api.get_repo_discussions(repo_id=hub, discussion_type="pull_request", discussion_status="open"):
        if pr.title == SAFETENSORS_PR_TITLE and pr.author == SAFETENSORS_BOT:
            commits = api.list_repo_commits(hub, revision=pr.git_reference)
            if len(commits) > 1 and commits[1].commit_id == head:
                return pr.git_reference
    return None






