"""`mt summarize`: English texts (e.g. OUT/*.en.txt of `mt translate`) into abstractive summaries."""
from __future__ import annotations

import json
import sys

import click

from mt.cli.common import (
    EXIT_FAILED_DOCS,
    MtCommand,
    check_inputs,
    echo_terms,
    engine_options,
    friendly_errors,
    glossary_option,
    make_engine_options,
    make_ray_options,
    model_option,
    paths_and_out,
    ray_options,
    run_options,
)


def length_options(func):
    """--max-words/--min-words, shared by summarize and brief."""
    func = click.option("--min-words", type=click.IntRange(0, 2000), default=30, show_default=True,
                        help="Shortest summary, in words (min_new_tokens = 1.4 x words).")(func)
    return click.option("--max-words", type=click.IntRange(1, 2000), default=80, show_default=True,
                        help="Longest summary, in words (max_new_tokens = 1.4 x words).")(func)


def check_lengths(max_words: int, min_words: int) -> None:
    if min_words > max_words:
        raise click.BadParameter(f"--min-words {min_words} is more than --max-words {max_words}",
                                 param_hint="--min-words")


def summarize_options(model, max_words, min_words, glossaries, engine_args: dict, **override):
    from mt.summarizer import SummarizeOptions

    check_lengths(max_words, min_words)
    return SummarizeOptions(
        engine=make_engine_options(model, "summarize", engine_args, **override),
        max_words=max_words, min_words=min_words, glossaries=tuple(str(g) for g in glossaries))


def report_stages(data: dict, stages: list[dict], failed: list[dict], as_json: bool, quiet: bool) -> None:
    """Print a run (JSON on stdout, or one line per stage on stderr); exit 1 if any document failed."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif not quiet:
        for stage in stages:
            line = (f"{stage['stage']}: {stage['documents']} documents, {stage['ok']} ok, {stage['skipped']} "
                    f"skipped (already done), {len(stage['failed'])} failed, {stage['seconds']} s")
            if "chunks" in stage:
                line += f"; {stage['chunks']} chunks in {stage['rounds']} rounds, {stage['words']} words"
            if stage.get("not_translated"):
                line += f"; {len(stage['not_translated'])} not translated (--languages)"
            click.echo(line, err=True)
            terms = stage.get("glossary") or {}
            if stage["stage"] == "translate":
                echo_terms(terms)
            if stage["stage"] == "summarize" and terms:
                kept = f", {terms['kept']}/{terms['mentioned']} source names kept" if terms.get("mentioned") else ""
                click.echo(f"summary glossary: {terms['replacements']} variant spellings normalised, "
                           f"{terms['present']} glossary names in the summaries{kept}", err=True)
        click.echo(f"-> {data['out']}", err=True)
        if data.get("demo"):
            click.echo("NOTE: an untrained demo model was used; its output is noise, labelled as such.", err=True)
    if failed:
        click.echo(f"{len(failed)} document(s) failed:", err=True)
        for item in failed:
            stage = f"[{item['stage']}] " if item.get("stage") else ""
            click.echo(f"  {stage}{item['id']}: {item['error']}", err=True)
        sys.exit(EXIT_FAILED_DOCS)


@click.command("summarize", cls=MtCommand)
@paths_and_out("Output folder: <rel>.summary.en.txt per input.")
@model_option("summarize")
@length_options
@engine_options
@glossary_option("Glossary: variant spellings in summaries are normalised to its targets (repeatable).")
@ray_options
@run_options
@friendly_errors
def summarize(paths, out, model, max_words, min_words, engine_args, glossaries, ray, ray_workers, ray_gpus_per_worker,
              force, wait, quiet, as_json):
    """Summarize English texts (.en.txt from `mt translate`, or any English .txt/.md) into OUT.

    Input longer than the model's limit is summarized in chunks, then the chunk
    summaries are summarized again (map-reduce); nothing is truncated.

    \b
    Examples:
      mt summarize out/ -o out          (the .en.txt of `mt translate`)
      mt summarize notes.txt -o sums --max-words 60 --json
      mt summarize out/ -o out --ray local --ray-workers 2
    """
    check_inputs(paths, out)
    on_ray = make_ray_options(ray, ray_workers, ray_gpus_per_worker)
    from mt.outputs.progress import Progress
    from mt.summarize import summarize_corpus

    options = summarize_options(model, max_words, min_words, glossaries, engine_args)
    progress = Progress(quiet=quiet or as_json, desc="summarize")
    run = summarize_corpus(paths, out, options, force=force, wait=wait, progress=progress,
                           notify=None if quiet or as_json else progress.note, ray=on_ray)
    data = run.as_dict()
    report_stages(data, [data], run.failed, as_json, quiet)


COMMANDS = [summarize]
