"""Models: presets (`presets`), resolution of a name to a spec (`resolution`), what is on this machine
(`cache`), and the Hub: plans, downloads, honest errors, pulls (`hub`)."""
from mt.models.cache import Located, locate
from mt.models.hub import HubError, HubUnreachable
from mt.models.fetch import cached_status, ensure, load_pretrained, model_version, preflight, pull
from mt.models.presets import ModelError, ModelMissing, ModelSpec, PickleRefused, Registry, models_dir
from mt.models.resolution import local_files, resolve

__all__ = ["HubError", "HubUnreachable", "Located", "ModelError", "ModelMissing", "ModelSpec", "PickleRefused",
           "Registry", "cached_status", "ensure", "load_pretrained", "local_files", "locate", "model_version",
           "models_dir", "preflight", "pull", "resolve"]
