"""`mt models list | info | pull | remove`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from mt.cli.common import friendly_errors

STATUS_HELP = ("status: local = a folder given by path, pulled = <models>/<name> (mt models pull), cached = "
               "Hugging Face cache (main or the conversion bot's pull request), converted = only a CTranslate2 "
               "conversion is kept (enough for --engine auto/ct2), missing = downloaded on first use")


def _conversion(spec):
    from mt.engines.convert import cached_conversion

    try:
        return cached_conversion(spec)
    except Exception:  # noqa: BLE001 - a status line, never a failure
        return None


def _pieces(spec) -> list[tuple[str, Path]]:
    """Every place on disk holding `spec`: (what, path)."""
    from mt.engines.convert import conversions
    from mt.models.cache import repo_folder
    from mt.models.resolution import store_folder

    out: list[tuple[str, Path]] = []
    if spec.hub:
        if repo_folder(spec.hub).exists():
            out.append(("Hugging Face cache", repo_folder(spec.hub)))
        for folder in dict.fromkeys([store_folder(spec.preset, spec.hub), store_folder(None, spec.hub)]):
            if folder.exists():
                out.append(("pulled folder", folder))
    out += [("CTranslate2 conversion", folder) for folder in conversions(spec)]
    return out


@click.group("models")
def models() -> None:
    """List, inspect, download and remove models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_models(as_json: bool) -> None:
    """Presets from mt/models/registry.toml, whether each is on this machine, and the disk used."""
    from mt.models.cache import folder_size, human, locate, usage
    from mt.models.fetch import cached_status
    from mt.models.presets import Registry, models_dir
    from mt.models.resolution import resolve

    rows = []
    for name, info in Registry.load().presets.items():
        spec = resolve(name)
        conversion = _conversion(spec)
        found = locate(spec, allow_pickle=True)
        size = sum(folder_size(path) for _, path in _pieces(spec))
        rows.append({"preset": name, "hub": info.get("hub"), "task": info.get("task"),
                     "default": bool(info.get("default")), "status": cached_status(spec, conversion),
                     "path": str(found.folder) if found else None,
                     "conversion": str(conversion) if conversion else None, "disk_bytes": size,
                     "license": info.get("license", ""), "note": info.get("note", "")})
    disk = usage()
    summary = {"hf_cache": {"bytes": sum(disk.hf.values()), "models": len(disk.hf)},
               "pulled": {"bytes": sum(disk.pulled.values()), "folders": len(disk.pulled), "path": str(models_dir())},
               "conversions": {"bytes": sum(disk.conversions.values()), "folders": len(disk.conversions),
                               "path": str(models_dir() / "ct2")}}
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r["preset"]) for r in rows) if rows else 10
    for r in rows:
        star = "*" if r["default"] else " "
        size = human(r["disk_bytes"]) if r["disk_bytes"] else "-"
        click.echo(f"{star} {r['preset']:<{width}}  {r['task']:<9}  {r['status']:<9}  {size:>8}  {r['hub']}  "
                   f"{r['note']}")
    click.echo(f"(* default; {STATUS_HELP})")
    from mt.models.cache import hub_cache_dir

    click.echo(f"disk: {human(summary['hf_cache']['bytes'])} in the Hugging Face cache ({hub_cache_dir()}, "
               f"{len(disk.hf)} models), {human(summary['pulled']['bytes'])} pulled ({models_dir()}), "
               f"{human(summary['conversions']['bytes'])} of CTranslate2 conversions ({models_dir() / 'ct2'}); "
               "free space with: mt models remove NAME")


@models.command("disk")
@click.option("--json", "as_json", is_flag=True)
def disk(as_json: bool) -> None:
    """Disk used by models: the Hugging Face cache, pulled folders, CTranslate2 conversions (each item)."""
    from mt.models.cache import hub_cache_dir, human, usage
    from mt.models.presets import models_dir

    found = usage()
    places = {"hf_cache": (hub_cache_dir(), found.hf), "pulled": (models_dir(), found.pulled),
              "conversions": (models_dir() / "ct2", found.conversions)}
    if as_json:
        click.echo(json.dumps({k: {"path": str(p), "bytes": sum(items.values()), "items": items}
                               for k, (p, items) in places.items()} | {"total_bytes": found.total()}, indent=2))
        return
    for what, (path, items) in places.items():
        click.echo(f"{what}: {human(sum(items.values()))} in {path}")
        for name, size in sorted(items.items(), key=lambda kv: -kv[1]):
            click.echo(f"  {human(size):>9}  {name}")
    click.echo(f"total: {human(found.total())}; free space with: mt models remove NAME")


@models.command("info")
@click.argument("model")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def info(model: str, as_json: bool) -> None:
    """What mt knows about MODEL (preset, Hub id or folder) on this machine: files, sizes, revision, where
    each piece lives. Opens no connection and loads no weights."""
    from mt.engines.convert import conversions, read_source
    from mt.models.cache import folder_size, human, locate
    from mt.models.fetch import cached_status
    from mt.models.resolution import resolve

    spec = resolve(model)
    found = locate(spec, allow_pickle=True)
    conversion = _conversion(spec)
    data = {"name": spec.name, "preset": spec.preset, "hub": spec.hub, "task": spec.task, "family": spec.family,
            "src_lang": spec.src_lang, "tgt_lang": spec.tgt_lang, "status": cached_status(spec, conversion),
            "demo": spec.is_demo, "license": spec.license, "note": spec.note,
            "path": str(found.folder) if found else None, "source": found.source if found else None,
            "revision": found.ref if found else spec.revision, "commit": found.commit if found else None,
            "config_commit": found.config_commit if found else None,
            "weights": [p.name for p in found.weights] if found else [],
            "files": {p.name: p.stat().st_size for p in sorted(found.folder.iterdir()) if p.is_file()}
            if found else {},
            "conversions": [{"path": str(c), "bytes": folder_size(c),
                             "quantization": read_source(c).get("quantization"),
                             "version": read_source(c).get("version"), "used": c == conversion}
                            for c in conversions(spec)],
            "pieces": [{"what": what, "path": str(path), "bytes": folder_size(path)} for what, path in _pieces(spec)]}
    if found and (found.folder / "config.json").exists():
        cfg = json.loads((found.folder / "config.json").read_text(encoding="utf-8"))
        data["architecture"] = {k: cfg.get(k) for k in ("model_type", "d_model", "encoder_layers", "decoder_layers",
                                                        "vocab_size", "max_position_embeddings")}
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key in ("name", "preset", "hub", "task", "family", "status", "license", "note", "path", "revision",
                "commit", "config_commit", "architecture"):
        if data.get(key) not in (None, "", {}):
            click.echo(f"{key:>13}: {data[key]}")
    if data["files"]:
        click.echo(f"{'files':>13}:")
        for name, size in data["files"].items():
            click.echo(f"{'':>15}{name:<28} {human(size):>9}")
    for c in data["conversions"]:
        click.echo(f"{'conversion':>13}: {c['path']} ({c['quantization']}, {human(c['bytes'])}"
                   f"{', used' if c['used'] else ''})")
    for piece in data["pieces"]:
        click.echo(f"{'on disk':>13}: {piece['what']}: {piece['path']} ({human(piece['bytes'])})")


@models.command("pull")
@click.argument("model")
@click.option("--revision", default=None)
@click.option("--allow-pickle", is_flag=True, help="Accept pickle weights (.bin) when there are no safetensors. "
                                                   "Only for a source you trust.")
@friendly_errors
def pull(model: str, revision: str | None, allow_pickle: bool) -> None:
    """Download MODEL (safetensors only) into the model store (<models>/<preset>/ or <models>/<org>--<name>/),
    e.g. to copy it to a machine without internet; `--model MODEL` then finds it by the same name.

    When the branch has only pickle weights, the safetensors come from the Hub
    conversion bot's pull request for that commit, or nothing is downloaded.
    The files go to a temporary folder first: a failed pull leaves nothing.
    """
    from mt.models.fetch import pull as pull_model

    click.get_current_context().meta["mt.interrupted"] = \
        "interrupted: nothing was pulled (the partial download is removed); run the same command again"
    dest = pull_model(model, revision=revision, allow_pickle=allow_pickle, notify=lambda m: click.echo(m, err=True))
    click.echo(f"{model} -> {dest}")


@models.command("remove")
@click.argument("model")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@friendly_errors
def remove(model: str, dry_run: bool) -> None:
    """Delete MODEL's copies on this machine: its Hugging Face cache folder, its pulled folder and its
    CTranslate2 conversions (a local folder given by path is never touched)."""
    from mt.models.cache import folder_size, human
    from mt.models.resolution import resolve

    spec = resolve(model)
    if spec.hub is None:
        raise click.UsageError(f"{model} is a folder of yours; mt removes only what it downloaded or converted")
    pieces = _pieces(spec)
    if not pieces:
        click.echo(f"{model}: nothing on this machine")
        return
    total = 0
    for what, path in pieces:
        size = folder_size(path)
        total += size
        click.echo(f"{'would remove' if dry_run else 'removed'} {what}: {path} ({human(size)})")
        if not dry_run:
            shutil.rmtree(path, ignore_errors=True)
    click.echo(f"{model}: {human(total)} {'would be freed' if dry_run else 'freed'}")


COMMANDS = [models]
