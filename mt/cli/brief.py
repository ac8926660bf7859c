"""`mt brief`: Ukrainian articles into English briefs and a digest (translate → summarize → brief)."""
from __future__ import annotations

from pathlib import Path

import click

from mt.cli.common import (
    EXIT_USAGE,
    MtCommand,
    cache_options,
    check_inputs,
    corpus_options,
    engine_options,
    fail,
    friendly_errors,
    glossary_option,
    languages_option,
    make_engine_options,
    make_ray_options,
    model_option,
    paths_and_out,
    ray_options,
    run_options,
)
from mt.cli.summarize import length_options, report_stages, summarize_options


@click.command("brief", cls=MtCommand)
@paths_and_out("Output folder: translations, summaries, <rel>.brief.md/.json and briefs.md.")
@model_option("translate")
@model_option("summarize", "--sum-model")
@length_options
@engine_options
@glossary_option("Glossary TSV/CSV for translation and summaries; repeatable, later files win.")
@click.option("--ref", "references", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of reference summaries (<stem>.summary.en.txt): score the summaries and append "
                   "the scores to briefs.md.")
@corpus_options
@languages_option
@cache_options
@ray_options
@run_options
@friendly_errors
def brief(paths, out, model, sum_model, max_words, min_words, engine_args, glossaries, references, no_clean,
          text_column, languages, no_cache, cache_size, ray, ray_workers, ray_gpus_per_worker, force, wait, quiet,
          as_json):
    """Translate, summarize and brief Ukrainian articles; write OUT/briefs.md.

    Each stage resumes on its own: a rerun skips the work whose inputs and
    options are unchanged. Engine options apply to both models; --max-input-tokens
    only to translation (summaries use the summarizer's whole input window).

    \b
    Examples:
      mt brief articles/ -o out -g names.tsv
      mt brief articles/ -o out --ref references/ --json
      MT_MODEL=opus-mt-zle-en-big mt brief articles/ -o out
      mt brief archive/ -o /shared/out --ray auto
    """
    check_inputs(paths, out)
    on_ray = make_ray_options(ray, ray_workers, ray_gpus_per_worker)
    from mt.brief import brief_corpus
    from mt.inputs.document import CorpusOptions
    from mt.outputs.progress import Progress
    from mt.translator import TranslateOptions

    mt_options = TranslateOptions(
        engine=make_engine_options(model, "translate", engine_args),
        glossaries=tuple(str(g) for g in glossaries), languages=languages, cache=not no_cache,
        cache_size=cache_size)
    # --max-input-tokens is translation's: summaries use the summarizer's whole input window
    sum_options = summarize_options(sum_model, max_words, min_words, glossaries, engine_args, max_input_tokens=None)
    progress = Progress(quiet=quiet or as_json)
    run = brief_corpus(paths, out, mt_options, sum_options,
                       corpus=CorpusOptions(clean=not no_clean, text_column=text_column), force=force, wait=wait,
                       progress=progress, references=references, notify=None if quiet or as_json else progress.note,
                       ray=on_ray)
    data = run.as_dict()
    if not as_json and not quiet and run.digest:
        click.echo(f"digest: {run.digest}", err=True)
    if run.scores_error:
        if as_json:
            report_stages(data, [], [], True, quiet)
        fail(f"scoring against {references} failed: {run.scores_error}", EXIT_USAGE)
    report_stages(data, list(data["stages"].values()), run.failed, as_json, quiet)


COMMANDS = [brief]
