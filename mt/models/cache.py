"""What is on this machine already: the Hugging Face cache, pulled folders, conversions.

Nothing here opens a connection. A Hub model counts as available when a
snapshot in the Hugging Face cache holds its config and safetensors weights,
on the branch asked for (default main) or on the Hub conversion bot's pull
request (``refs/pr/N``, which mt downloads whole: config, tokenizer and
``model.safetensors``), or when a CTranslate2 conversion of it is cached
(`mt.engines.convert`).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mt.models.presets import ModelSpec

REGEX_COMMIT = re.compile(r"^[0-9a-f]{40}$")
WEIGHT_PATTERNS = ("*.safetensors", "*.safetensors.index.json")
PICKLE_PATTERNS = ("*.bin", "*.pt", "*.pth", "*.ckpt")


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, read from the environment at call time (HF_HUB_CACHE, HF_HOME)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(home).expanduser() / "hub"


def repo_folder(hub: str) -> Path:
    return hub_cache_dir() / ("models--" + hub.replace("/", "--"))


def has_safetensors(folder: Path) -> bool:
    return any(any(folder.glob(p)) for p in WEIGHT_PATTERNS)


def has_pickle(folder: Path) -> bool:
    return any(any(folder.glob(p)) for p in PICKLE_PATTERNS)


def has_weights(folder: Path) -> bool:
    return has_safetensors(folder) or has_pickle(folder)


def weight_files(folder: Path) -> list[Path]:
    return sorted(p for pattern in WEIGHT_PATTERNS + PICKLE_PATTERNS for p in folder.glob(pattern))


def folder_size(path: Path) -> int:
    """Bytes under `path`, each file once (the HF cache's snapshots link to blobs)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                stat = os.stat(os.path.join(root, name))  # follows links: the blob's size
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_size
    return total


def human(size: int | None) -> str:
    if size is None:
        return "? B"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


@dataclass(frozen=True)
class Located:
    """A model's files on this machine, and which upstream commit they are."""

    folder: Path  # config, tokenizer and weights
    hub: str | None = None
    ref: str | None = None  # "main", "refs/pr/1", a tag; None for a local folder
    commit: str | None = None  # commit of the files in `folder` (the pull request's own commit for refs/pr/N)
    config_commit: str | None = None  # the branch commit the config comes from (the PR's parent for refs/pr/N)
    source: str = "hf-cache"  # hf-cache | pulled | local

    @property
    def weights(self) -> list[Path]:
        return weight_files(self.folder)

    @property
    def version(self) -> str:
        """What was loaded: the config's and the weights' commits, or a fingerprint of a local folder."""
        if self.commit:
            return f"{self.config_commit or self.commit}+{self.commit}"
        return "local-" + fingerprint(self.folder)

    def describe(self) -> str:
        if self.source == "local" or not self.commit:
            return str(self.folder)
        if self.ref and self.ref.startswith("refs/pr/"):
            return (f"{self.hub}@{self.commit[:7]} (weights from the conversion bot's pull request {self.ref}, "
                    f"on main's {str(self.config_commit)[:7]})")
        return f"{self.hub}@{self.commit[:7]} ({self.ref or 'commit'})"


def fingerprint(folder: Path) -> str:
    """Names, sizes and mtimes of a local folder's model files: changes when the model does."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in {".json", ".safetensors", ".bin", ".spm", ".model", ".txt"}:
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}\n".encode())
    return digest.hexdigest()[:12]


def read_ref(hub: str, ref: str) -> str | None:
    path = repo_folder(hub) / "refs" / ref
    try:
        sha = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return sha if REGEX_COMMIT.match(sha) else None


def write_ref(hub: str, ref: str, commit: str) -> None:
    """Record `ref` -> `commit` as huggingface_hub does (refs/main, refs/refs/pr/1)."""
    path = repo_folder(hub) / "refs" / ref
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8").strip() != commit:
        path.write_text(commit, encoding="utf-8")


def pr_refs(hub: str) -> list[str]:
    """The cached ``refs/pr/N`` of a repo, newest number first."""
    folder = repo_folder(hub) / "refs" / "refs" / "pr"
    if not folder.is_dir():
        return []
    nums = sorted((int(p.name) for p in folder.iterdir() if p.name.isdigit()), reverse=True)
    return [f"refs/pr/{n}" for n in nums]


def _pr_parent(hub: str, ref: str) -> str | None:
    meta = repo_folder(hub) / "refs" / (ref + ".mt.json")  # written by mt next to the ref: the PR's parent
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("parent")
    except (OSError, ValueError):
        return None


def write_pr_parent(hub: str, ref: str, parent: str) -> None:
    meta = repo_folder(hub) / "refs" / (ref + ".mt.json")
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"parent": parent}), encoding="utf-8")


def cached_snapshot(spec: ModelSpec, allow_pickle: bool = False) -> Located | None:
    """The Hugging Face cache's copy of a Hub model with config and weights, or None (no network).

    Looked for, in order: the revision asked for (default main); then, for
    main, the bot's pull requests whose snapshot holds the safetensors (mt
    downloads such a pull request whole, config and tokenizer included).
    """
    if not spec.hub:
        return None
    revision = spec.revision or "main"
    usable = has_weights if allow_pickle else has_safetensors
    commit = revision if REGEX_COMMIT.match(revision) else read_ref(spec.hub, revision)
    snapshots = repo_folder(spec.hub) / "snapshots"
    if commit:
        folder = snapshots / commit
        if (folder / "config.json").exists() and usable(folder):
            return Located(folder, spec.hub, revision, commit, commit)
    if revision != "main" and not revision.startswith("refs/pr/"):
        return None
    for ref in pr_refs(spec.hub):
        pr_commit = read_ref(spec.hub, ref)
        folder = snapshots / str(pr_commit)
        if pr_commit and (folder / "config.json").exists() and has_safetensors(folder):
            parent = _pr_parent(spec.hub, ref)
            if commit and parent and parent != commit:
                continue  # converted from another commit than the cached main: stale
            return Located(folder, spec.hub, ref, pr_commit, parent or commit)
    return None


def pulled_folder(spec: ModelSpec) -> Path | None:
    """`mt models pull`'s folder for a preset or Hub id, when it holds config and weights."""
    from mt.models.presets import models_dir

    if not spec.hub:
        return None
    for name in filter(None, (spec.preset, spec.hub.replace("/", "--"))):
        folder = models_dir() / name
        if (folder / "config.json").exists() and has_weights(folder):
            return folder
    return None


def read_pull_record(folder: Path) -> dict:
    try:
        return json.loads((folder / "mt-pull.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def locate(spec: ModelSpec, allow_pickle: bool = False) -> Located | None:
    """Where a model's files are on this machine, without any network access; None when they are not."""
    if spec.path is not None:
        record = read_pull_record(spec.path)
        source = "pulled" if record else "local"
        return Located(spec.path, record.get("hub") or spec.hub, record.get("weights_revision"),
                       record.get("weights_commit"), record.get("commit"), source)
    return cached_snapshot(spec, allow_pickle)


@dataclass
class CacheUsage:
    hf: dict[str, int] = field(default_factory=dict)  # hub id -> bytes in the HF cache
    pulled: dict[str, int] = field(default_factory=dict)  # folder name -> bytes
    conversions: dict[str, int] = field(default_factory=dict)  # folder name -> bytes

    def total(self) -> int:
        return sum(self.hf.values()) + sum(self.pulled.values()) + sum(self.conversions.values())


def usage() -> CacheUsage:
    """Bytes on disk: models in the Hugging Face cache, pulled folders and CTranslate2 conversions."""
    from mt.models.presets import models_dir

    found = CacheUsage()
    hf = hub_cache_dir()
    if hf.is_dir():
        for folder in sorted(hf.glob("models--*")):
            found.hf[folder.name[len("models--"):].replace("--", "/", 1)] = folder_size(folder)
    store = models_dir()
    if store.is_dir():
        for folder in sorted(store.iterdir()):
            if folder.is_dir() and (folder / "config.json").exists():
                found.pulled[folder.name] = folder_size(folder)
        ct2 = store / "ct2"
        if ct2.is_dir():
            for folder in sorted(ct2.iterdir()):
                if folder.is_dir() and (folder / "model.bin").exists():
                    found.conversions[folder.name] = folder_size(folder)
    return found
