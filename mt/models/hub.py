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
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from mt.models.cache import (
    Located,
    hub_cache_dir,
    human,
    locate,
    repo_folder,
    write_pr_parent,
    write_ref,
)
from mt.models.presets import ModelError, ModelMissing, ModelSpec, PickleRefused
from mt.models.resolution import check_weights, endpoint, is_offline, missing_message, resolve, store_folder

# transformers must never ask the remote conversion service (a host outside HF_ENDPOINT) to convert a repo,
# neither while loading nor in its background thread; mt finds the bot's pull request itself (`safetensors_pr`)
os.environ["DISABLE_SAFETENSORS_CONVERSION"] = "1"

Notify = Callable[[str], None]

# files a model needs: config, generation config, tokenizer (json, SentencePiece, BPE merges) and weights
NEEDED_PATTERNS = ("*.json", "*.spm", "*.model", "*.txt", "*.tiktoken")
SAFE_WEIGHTS = ("*.safetensors",)
PICKLE_WEIGHTS = ("pytorch_model*.bin",)
SKIPPED = {"metadata.json"}


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


# ------------------------------------------------------------ plans and downloads

@dataclass
class Plan:
    """What to download for one model, and how big it is."""

    spec: ModelSpec
    ref: str  # the branch / tag asked for, or the bot's refs/pr/N
    commit: str  # commit of `ref`
    config_commit: str  # the branch's commit (the pull request's parent for refs/pr/N)
    files: dict[str, int | None] = field(default_factory=dict)  # name -> size
    cached: set[str] = field(default_factory=set)  # already in the HF cache snapshot

    @property
    def to_fetch(self) -> dict[str, int | None]:
        return {name: size for name, size in self.files.items() if name not in self.cached}

    @property
    def size(self) -> int:
        return sum(size or 0 for size in self.to_fetch.values())

    def describe(self) -> str:
        where = (f"weights from the conversion bot's pull request {self.ref}" if self.ref.startswith("refs/pr/")
                 else self.ref)
        fetch = self.to_fetch
        return (f"{target_name(self.spec)}: {len(fetch)} file{'s' * (len(fetch) != 1)}, {human(self.size)} from "
                f"{self.spec.hub}@{self.commit[:7]} ({where})")


def _wanted(names: list[str], weights: tuple[str, ...]) -> list[str]:
    """The top-level files a model needs: config, tokenizer, and one set of weights.

    Of the weights, the standard checkpoint (``model.safetensors``, or its
    shards with the index) when there is one, so variants such as
    ``model.fp16.safetensors`` are not downloaded as well.
    """
    from fnmatch import fnmatch

    top = [n for n in names if "/" not in n and n not in SKIPPED]
    weight_files = [n for n in top if any(fnmatch(n, p) for p in weights)]
    stem = "model" if weights == SAFE_WEIGHTS else "pytorch_model"
    ext = ".safetensors" if weights == SAFE_WEIGHTS else ".bin"
    if f"{stem}{ext}.index.json" in top:
        weight_files = [n for n in weight_files if fnmatch(n, f"{stem}-*-of-*{ext}")]
    elif f"{stem}{ext}" in top:
        weight_files = [f"{stem}{ext}"]
    return [n for n in top if n in weight_files or (any(fnmatch(n, p) for p in NEEDED_PATTERNS)
                                                    and not n.endswith(ext))]


def plan(spec: ModelSpec, allow_pickle: bool = False) -> Plan:
    """Ask the Hub what `spec` needs (config, tokenizer, safetensors) and how big it is.

    Raises PickleRefused when the revision has only pickle weights and the bot
    has no conversion of it (unless `allow_pickle`), HubError for an error
    answer or an unknown repo, HubUnreachable when no connection could be made.
    """
    from fnmatch import fnmatch

    if spec.hub is None:
        raise ModelError(f"{spec.name} is a local folder; there is nothing to download")
    revision = spec.revision or "main"
    try:
        api = _api()
        info = api.model_info(spec.hub, revision=revision, files_metadata=True)
        sizes = {s.rfilename: s.size for s in info.siblings or []}
        ref, commit, config_commit = revision, str(info.sha), str(info.sha)
        if not any(fnmatch(n, p) for n in sizes for p in SAFE_WEIGHTS):
            pickles = sorted(n for n in sizes if any(fnmatch(n, p) for p in PICKLE_WEIGHTS))
            pr = safetensors_pr(spec.hub, revision, head=commit)
            if pr is not None:
                pr_info = api.model_info(spec.hub, revision=pr, files_metadata=True)
                sizes = {s.rfilename: s.size for s in pr_info.siblings or []}
                ref, commit = pr, str(pr_info.sha)
            elif not allow_pickle:
                raise PickleRefused(pickle_message(spec, revision, config_commit, pickles))
            elif not pickles:
                raise HubError(f"{spec.hub} has no model weights (*.safetensors or pytorch_model.bin) at {revision}.")
    except Exception as exc:  # noqa: BLE001 - classified into honest messages
        raise _classify(spec, exc) from exc
    weights = SAFE_WEIGHTS if any(fnmatch(n, p) for n in sizes for p in SAFE_WEIGHTS) else PICKLE_WEIGHTS
    files = {name: sizes[name] for name in _wanted(sorted(sizes), weights)}
    snapshot = repo_folder(spec.hub) / "snapshots" / commit
    cached = {name for name in files if (snapshot / name).exists()}
    return Plan(spec, ref, commit, config_commit, files, cached)


def _is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def fetch(p: Plan, notify: Notify | None = None, local_dir: Path | None = None) -> Path:
    """Download a plan's files: into the HF cache (default) or `local_dir`. Returns the folder.

    On a terminal huggingface_hub shows its progress bar (bytes, rate) for each
    file; otherwise one line per file says what is fetched and how big it is.
    """
    from huggingface_hub import hf_hub_download

    notify = notifier(notify)
    tty = _is_tty()
    started = time.monotonic()
    names = list(p.files) if local_dir is not None else list(p.to_fetch)
    try:
        for name in names:
            if not tty:
                notify(f"  downloading {name} ({human(p.files[name])})")
            kwargs = {"local_dir": str(local_dir)} if local_dir is not None else {"cache_dir": str(hub_cache_dir())}
            hf_hub_download(p.spec.hub, name, revision=p.commit, endpoint=endpoint(), **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise _classify(p.spec, exc) from exc
    if local_dir is not None:
        return local_dir
    write_ref(p.spec.hub, p.ref, p.commit)
    if p.ref.startswith("refs/pr/"):
        write_pr_parent(p.spec.hub, p.ref, p.config_commit)
    seconds = time.monotonic() - started
    if names:
        rate = f", {human(int(p.size / seconds))}/s" if seconds > 0.5 else ""
        notify(f"downloaded {target_name(p.spec)}: {len(names)} files, {human(p.size)} in {seconds:.0f} s{rate}")
    return repo_folder(p.spec.hub) / "snapshots" / p.commit


def ensure(spec: ModelSpec, allow_pickle: bool = False, notify: Notify | None = None) -> Located:
    """The model's files on this machine, downloading them first when needed (and possible)."""
    found = locate(spec, allow_pickle)
    if found is not None:
        if spec.path is not None:
            check_weights(found.folder, allow_pickle)
        return found
    return prepare([spec], allow_pickle, notify)[0]


@dataclass
class Need:
    """A model a command needs; `conversion` finds a cached CTranslate2 conversion that will do instead."""

    spec: ModelSpec
    allow_pickle: bool = False
    conversion: Callable[[], Path | None] | None = None  # returns a usable cached conversion, if any


def prepare(specs: list[ModelSpec | Need], allow_pickle: bool = False, notify: Notify | None = None) -> list[Located]:
    """Preflight and download every model a command needs, before any work starts.

    Models already here cost nothing (no request). For the others, the Hub is
    asked what each needs; every problem (unreachable, pickle-only, not found,
    an error answer) is reported together in one ModelError with the fix for
    each. Then the run says what it will download and how big it is, and
    downloads it. Returns each model's Located, in order (None for a model
    that is satisfied by a cached conversion).
    """
    notify = notifier(notify)
    needs = [s if isinstance(s, Need) else Need(s, allow_pickle) for s in specs]
    found: list[Located | None] = []
    todo: list[int] = []
    for i, need in enumerate(needs):
        spec = need.spec
        if spec.path is not None:
            check_weights(spec.path, need.allow_pickle)
        here = locate(spec, need.allow_pickle)
        if here is None and need.conversion is not None and need.conversion() is not None:
            found.append(None)
            continue
        found.append(here)
        if here is None:
            todo.append(i)
    if not todo:
        return found  # type: ignore[return-value]
    plans: dict[int, Plan] = {}
    errors: list[ModelError] = []
    for i in todo:
        spec = needs[i].spec
        why = hub_unreachable()
        if why is not None:
            errors.append(HubUnreachable(missing_message(spec, reason="" if is_offline() else why)))
            continue
        try:
            plans[i] = plan(spec, needs[i].allow_pickle)
        except ModelError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ModelsUnavailable(f"{len(errors)} models cannot be used:\n\n" + "\n\n".join(str(e) for e in errors))
    total = sum(p.size for p in plans.values())
    notify(f"downloading {len(plans)} model{'s' * (len(plans) != 1)} once, {human(total)} in all, into the "
           f"Hugging Face cache ({hub_cache_dir()}):")
    for p in plans.values():
        notify(f"  {p.describe()}")
    for i, p in plans.items():
        fetch(p, notify)
        found[i] = locate(needs[i].spec, needs[i].allow_pickle)
        if found[i] is None:
            raise HubError(f"{target_name(p.spec)}: the download finished but the files are not complete in "
                           f"{repo_folder(p.spec.hub)}; run again.")
    return found  # type: ignore[return-value]


class ModelsUnavailable(ModelMissing):
    """One or more models a command needs cannot be had; the message lists each with its fix."""


# ------------------------------------------------------------ loading and pulling

def load_pretrained(spec: ModelSpec, allow_pickle: bool = False, device: str = "cpu", notify: Notify | None = None):
    """(tokenizer, model) from the model's local files, downloading them first when needed.

    transformers only ever sees a local folder: it never contacts the Hub.
    Raises ModelError (ModelMissing, PickleRefused, HubError) with a how-to message.
    """
    import torch
    import transformers
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    transformers.logging.set_verbosity_error()
    found = ensure(spec, allow_pickle, notify)
    check_weights(found.folder, allow_pickle)
    common = {"trust_remote_code": False, "local_files_only": True}
    tokenizer = AutoTokenizer.from_pretrained(str(found.folder), **common)
    model = AutoModelForSeq2SeqLM.from_pretrained(
        str(found.folder), dtype=torch.float32, use_safetensors=None if allow_pickle else True, **common)
    model.eval()
    if device != "cpu":
        model.to(device)
    return tokenizer, model


def pull(name: str, dest: Path | None = None, revision: str | None = None, allow_pickle: bool = False,
         notify: Notify | None = None) -> Path:
    """Download a model's files (safetensors, config, tokenizer) into models/<preset> (or models/org--name).

    A repo whose branch has only pickle weights gets its safetensors from the
    Hub's conversion pull request; without one, nothing unsafe is downloaded
    and PickleRefused says so. The files go to a temporary folder beside the
    destination, renamed into place only when every file is there, so a
    failed pull leaves nothing behind.
    """
    notify = notifier(notify)
    spec = resolve(name, revision=revision)
    if spec.hub is None or (spec.path is not None and spec.preset is None and spec.hub is None):
        raise ModelError(f"{name} is a local folder; nothing to pull")
    hub_spec = ModelSpec(name=spec.name, hub=spec.hub, task=spec.task, family=spec.family, src_lang=spec.src_lang,
                         tgt_lang=spec.tgt_lang, preset=spec.preset, revision=revision, note=spec.note,
                         license=spec.license)
    dest = Path(dest or store_folder(spec.preset, spec.hub))
    if is_offline():
        raise ModelMissing(missing_message(hub_spec))
    require_hub(hub_spec)
    p = plan(hub_spec, allow_pickle)
    p.cached = set()
    notify(f"pulling {p.describe()} -> {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.pull-", dir=dest.parent))
    try:
        fetch(p, notify, local_dir=tmp)
        shutil.rmtree(tmp / ".cache", ignore_errors=True)  # huggingface_hub's local_dir bookkeeping
        (tmp / "mt-pull.json").write_text(json.dumps({
            "hub": spec.hub, "revision": revision or "main", "commit": p.config_commit,
            "weights_revision": p.ref, "weights_commit": p.commit,
            "files": {k: v for k, v in p.files.items()}}, indent=2) + "\n", encoding="utf-8")
        old = None
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            os.rename(dest, old)
        os.rename(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def cached_status(spec: ModelSpec, conversion: Path | None = None) -> str:
    """'local', 'pulled', 'cached', 'converted' or 'missing' for `mt models list` (no network)."""
    found = locate(spec)
    if found is not None:
        return {"local": "local", "pulled": "pulled"}.get(found.source, "cached")
    if conversion is not None:
        return "converted"
    return "missing"


def preflight(wanted, notify: Notify | None = None) -> list[Located | None]:
    """Every model a command needs, checked (and downloaded) before any work starts.

    `wanted` holds (EngineOptions, task) pairs. Where CTranslate2 may run
    (``--engine auto`` or ``ct2``), a cached conversion of the model is enough.
    All problems are reported together (`prepare`). Messages (what is
    downloaded, conversions) go to `notify` for the rest of the run; None
    silences them (--quiet, --json).
    """
    set_notify(notify)
    needs = []
    for options, task in wanted:
        spec = resolve(options.model, task=task, revision=options.revision)
        conversion = None
        if options.engine != "hf":
            def conversion(spec=spec, device=options.device):
                from mt.engines.convert import cached_conversion

                return cached_conversion(spec, device)
        needs.append(Need(spec, options.allow_pickle, conversion))
    return prepare(needs, notify=notify)


def model_version(spec: ModelSpec) -> str | None:
    """The commits of the config and weights a Hub model loads from on this machine (no network), for
    resume keys; None for a local folder or a model that is not here."""
    found = locate(spec, allow_pickle=True)
    if found is not None:
        return found.version if found.commit else spec.revision
    if spec.hub is None:
        return spec.revision
    from mt.engines.convert import conversions, read_source

    for folder in conversions(spec):
        version = read_source(folder).get("version")
        if version:
            return version
    return spec.revision
