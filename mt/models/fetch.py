"""Getting a model onto this machine and loading it safely.

A `Plan` says which files of a Hub repo mt needs (safetensors on main, else the conversion bot's pull
request; pickle only with allow_pickle) and how big they are; `fetch`/`ensure` download them with
progress, `preflight` checks every model a command needs before any work, `load_pretrained` loads
local folders only (trust_remote_code stays False), `pull` fills the model store atomically.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

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
from mt.models.hub import HubError, HubUnreachable, Notify, _api, _classify, hub_unreachable, notifier, pickle_message, require_hub, safetensors_pr, set_notify, target_name


# files a model needs: config, generation config, tokenizer (json, SentencePiece, BPE merges) and weights
NEEDED_PATTERNS = ("*.json", "*.spm", "*.model", "*.txt", "*.tiktoken")


SAFE_WEIGHTS = ("*.safetensors",)


PICKLE_WEIGHTS = ("pytorch_model*.bin",)


SKIPPED = {"metadata.json"}


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
