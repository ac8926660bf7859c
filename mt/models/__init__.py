"""Models: presets (`presets`), resolution of a name to a spec (`resolve`), and the Hub (`hub`)."""
from mt.models.hub import cached_status, load_pretrained, pull
from mt.models.presets import ModelError, ModelMissing, ModelSpec, PickleRefused, Registry, models_dir
from mt.models.resolution import local_files, resolve

__all__ = ["ModelError", "ModelMissing", "ModelSpec", "PickleRefused", "Registry", "cached_status", "load_pretrained",
           "local_files", "models_dir", "pull", "resolve"]
