"""Model presets (mt/models/registry.toml), model specs and the local model store."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mt.errors import MtError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the mt package


REGISTRY_PATH = Path(__file__).resolve().parent / "registry.toml"  # package data: installed with the wheel too


# a source checkout keeps its models in <checkout>/models; an installed package in ~/.cache/mt/models
CHECKOUT_MODELS = PACKAGE_ROOT.parent / "models"


class ModelError(MtError):
    """A model could not be resolved or loaded; the message says what to do."""


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
