"""Shared click options and error handling for the mt commands."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from mt.engines import EngineOptions

# exit codes: 0 all good, 1 some documents failed, 2 usage/model/glossary/output error, 3 OUT is locked
EXIT_FAILED_DOCS, EXIT_USAGE, EXIT_LOCKED = 1, 2, 3


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def friendly_errors(func):
    """Turn the library's expected errors into a message and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from mt.inputs.document import CorpusError
        from mt.outputs.manifest import LockedError
        from mt.models.presets import ModelError
        from mt.outputs.files import OutputError

        errors: list[type[Exception]] = [ModelError, OutputError, CorpusError]
        try:
            from mt.glossary.format import GlossaryError

            errors.append(GlossaryError)
        except ImportError:
            pass
        try:
            return func(*args, **kwargs)
        except LockedError as exc:
            fail(str(exc), EXIT_LOCKED)
        except tuple(errors) as exc:
            fail(str(exc), EXIT_USAGE)

    return wrapper


# the engine options' parameter names; `engine_options` gathers them into one `engine_args` dict
ENGINE_PARAMS = ("engine", "device", "beams", "batch_size", "batch_tokens", "threads", "max_input_tokens",
                 "revision", "allow_pickle")


def engine_options(func):
    """--engine/--device/--beams/... shared by translate, summarize and brief.

    The command receives them as one ``engine_args`` dict, for `make_engine_options`.
    """
    options = [
        click.option("--engine", type=click.Choice(["auto", "hf", "ct2"]), default="auto", show_default=True,
                     help="auto: CTranslate2 when installed and the model converts, else transformers."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True),
        click.option("--beams", type=click.IntRange(1, 16), default=None,
                     help="Beam size (default: the model's generation config)."),
        click.option("--batch-size", type=click.IntRange(1, 1024), default=32, show_default=True,
                     help="Most sentences per batch."),
        click.option("--batch-tokens", type=click.IntRange(16, 10**6), default=2048, show_default=True,
                     help="Most padded source tokens per batch."),
        click.option("--threads", type=click.IntRange(1, 256), default=None, help="CPU threads (default: all cores)."),
        click.option("--max-input-tokens", type=click.IntRange(8, 4096), default=None,
                     help="Token budget per sentence; longer ones are split at clause boundaries."),
        click.option("--revision", default=None, help="Hub revision (branch, tag or commit) to load."),
        click.option("--allow-pickle", is_flag=True, help="Allow pickle (.bin) checkpoints. Only for trusted files."),
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        kwargs["engine_args"] = {name: kwargs.pop(name) for name in ENGINE_PARAMS}
        return func(*args, **kwargs)

    return _stack(options)(wrapper)


def paths_and_out(out_help: str):
    """PATHS... and the required -o/--out folder: the head of every command that writes into OUT."""
    return _stack([
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("-o", "--out", required=True, type=click.Path(path_type=Path, file_okay=False), help=out_help),
    ])


def _stack(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


# --force / --wait / -q / --json: every command that writes into OUT
run_options = _stack([
    click.option("--force", is_flag=True, help="Redo documents already done."),
    click.option("--wait", type=float, default=0.0, help="Seconds to wait for another run on OUT (default: refuse)."),
    click.option("-q", "--quiet", is_flag=True, help="No progress output."),
    click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout."),
])

# --no-clean / --text-column: commands that read Ukrainian articles
corpus_options = _stack([
    click.option("--no-clean", is_flag=True, help="Keep boilerplate (ads, 'Читайте також', related news, URLs, credits)."),
    click.option("--text-column", default="text", show_default=True, help="Text column of JSONL/CSV/Parquet/dataset."),
])


def make_engine_options(model, task: str, engine_args: dict, **override) -> EngineOptions:
    """EngineOptions from --model and the `engine_options` of a command (`override` replaces some)."""
    a = {**engine_args, **override}
    return EngineOptions(model=model, task=task, engine=a["engine"], device=a["device"], beams=a["beams"],
                         max_batch_size=a["batch_size"], batch_tokens=a["batch_tokens"], threads=a["threads"],
                         max_input_tokens=a["max_input_tokens"], revision=a["revision"],
                         allow_pickle=a["allow_pickle"])


def echo_terms(terms: dict) -> None:
    """The translate stage's glossary figures, one line on stderr."""
    if terms.get("matched"):
        click.echo(f"glossary: {terms['matched']} mentions, {terms['enforced']} enforced, "
                   f"{terms['repaired']} repaired, {terms['missed']} missed; term accuracy "
                   f"{terms['term_accuracy']:.1%}, consistency {terms['consistency']:.1%}", err=True)


def report_run(summary, as_json: bool, quiet: bool, verb: str) -> None:
    """Print a run summary (JSON on stdout, or lines on stderr) and exit 1 if any document failed."""
    data = summary.as_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(f"{verb} {data['documents']} documents: {data['ok']} ok, {data['skipped']} skipped "
                   f"(already done), {len(data['failed'])} failed, {data['sentences']} sentences, "
                   f"{data['seconds']} s -> {data['out']}", err=True)
        echo_terms(data.get("glossary") or {})
        if data.get("demo"):
            click.echo("NOTE: the model is an untrained demo model; its output is noise, labelled as such.",
                       err=True)
    if summary.failed:
        click.echo(f"{len(summary.failed)} document(s) failed:", err=True)
        for item in summary.failed:
            click.echo(f"  {item['id']}: {item['error']}", err=True)
        sys.exit(EXIT_FAILED_DOCS)
