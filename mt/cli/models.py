"""`mt models list | info | pull`."""
from __future__ import annotations

import json

import click

from mt.cli.common import friendly_errors


@click.group("models")
def models() -> None:
    """List, inspect and download models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_models(as_json: bool) -> None:
    """Presets from mt/registry.toml and whether each is available offline."""
    from mt.models.presets import Registry, models_dir
    from mt.models.hub import cached_status
    from mt.models.resolution import resolve

    rows = []
    for name, info in Registry.load().presets.items():
        spec = resolve(name)
        rows.append({"preset": name, "hub": info.get("hub"), "task": info.get("task"),
                     "default": bool(info.get("default")), "status": cached_status(spec),
                     "license": info.get("license", ""), "note": info.get("note", "")})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["preset"]) for r in rows) if rows else 10
    for r in rows:
        star = "*" if r["default"] else " "
        click.echo(f"{star} {r['preset']:<{width}}  {r['task']:<9}  {r['status']:<7}  {r['hub']}  {r['note']}")
    click.echo(f"(* default; status: local = {models_dir()}/<preset>, cached = Hugging Face cache, missing = needs "
               "`mt models pull`)")


@models.command("info")
@click.argument("model")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def info(model: str, as_json: bool) -> None:
    """What mt knows about MODEL (preset, Hub id or folder), without loading weights."""
    from mt.models.hub import cached_status
    from mt.models.resolution import local_files, resolve

    spec = resolve(model)
    folder = local_files(spec)
    data = {"name": spec.name, "preset": spec.preset, "hub": spec.hub, "path": str(folder) if folder else None,
            "task": spec.task, "family": spec.family, "src_lang": spec.src_lang, "tgt_lang": spec.tgt_lang,
            "status": cached_status(spec), "demo": spec.is_demo, "license": spec.license, "note": spec.note}
    if folder:
        config = folder / "config.json"
        if config.exists():
            cfg = json.loads(config.read_text(encoding="utf-8"))
            data["architecture"] = {k: cfg.get(k) for k in ("model_type", "d_model", "encoder_layers",
                                                            "decoder_layers", "vocab_size",
                                                            "max_position_embeddings")}
        data["weights"] = sorted(p.name for p in folder.iterdir() if p.suffix in {".safetensors", ".bin"})
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for key, value in data.items():
            click.echo(f"{key:>12}: {value}")


@models.command("pull")
@click.argument("model")
@click.option("--revision", default=None)
@friendly_errors
def pull(model: str, revision: str | None) -> None:
    """Download MODEL (safetensors only) into the model store (<models>/<preset>/) for offline use.

    When the branch has only pickle weights, the safetensors come from the Hub
    conversion bot's pull request for that commit, or nothing is downloaded.
    """
    from mt.models.hub import pull as pull_model

    dest = pull_model(model, revision=revision)
    click.echo(f"{model} -> {dest}")


COMMANDS = [models]
