"""`mt cache info|clear`: the translation memory (mt.engines.tm)."""
from __future__ import annotations

import json
import sys

import click


def _memory(path):
    from mt.engines.tm import TranslationMemory

    return TranslationMemory(path, create=False)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@click.group("cache")
def cache() -> None:
    """The translation memory: engine output per sentence, reused across documents and runs."""


_path_option = click.option("--path", type=click.Path(dir_okay=False), default=None,
                            help="Memory file (default: <model store>/cache/translations.sqlite3).")


@cache.command("info")
@_path_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def info(path, as_json) -> None:
    """Where the memory is, how many sentences it holds, and for which models and settings."""
    data = _memory(path).info()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if data.get("error"):
        click.echo(f"Error: translation memory {data['path']} unusable ({data['error']}); `mt cache clear` "
                   "starts a new one", err=True)
        sys.exit(2)
    if not data["exists"]:
        click.echo(f"{data['path']}: empty (no translation memory yet)")
        return
    click.echo(f"{data['path']}: {data['entries']} sentences, {_size(data['used_bytes'])} in use, "
               f"{_size(data['file_bytes'])} on disk (bound {_size(data['max_bytes'])}, --cache-size)")
    for c in data["contexts"]:
        what = ", ".join(f"{k} {c[k]}" for k in ("model", "engine", "compute_type", "beams") if c.get(k) is not None)
        click.echo(f"  {c['entries']:>8} {what or c['context']}")


@cache.command("clear")
@_path_option
def clear(path) -> None:
    """Delete every stored translation (the next run translates everything again)."""
    from mt.engines.tm import CacheError

    memory = _memory(path)
    try:
        count = memory.clear()
    except CacheError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"{memory.path}: cleared {count} sentences")


COMMANDS = [cache]
