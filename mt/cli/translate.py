"""`mt translate`: a folder of Ukrainian articles into English."""
from __future__ import annotations

import click

from mt.cli.common import (corpus_options, engine_options, friendly_errors, make_engine_options, paths_and_out,
                           report_run, run_options)


@click.command("translate")
@paths_and_out("Output folder (mirrors the input tree).")
@click.option("-m", "--model", default=None, help="Preset, Hub id or local folder (default: opus-mt-uk-en).")
@engine_options
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Glossary TSV/CSV; repeatable, later files win.")
@click.option("--strict-glossary", is_flag=True, help="A missed glossary term fails its document.")
@click.option("--auto-glossary", is_flag=True, help="Spell variant names found within the run one way.")
@corpus_options
@run_options
@friendly_errors
def translate(paths, out, model, engine_args, glossaries, strict_glossary, auto_glossary, no_clean, text_column,
              force, wait, quiet, as_json):
    """Translate Ukrainian articles (files or folders, recursively) into English in OUT."""
    from mt.inputs.document import CorpusOptions
    from mt.translate import translate_corpus
    from mt.outputs.progress import Progress
    from mt.translator import TranslateOptions

    options = TranslateOptions(
        engine=make_engine_options(model, "translate", engine_args),
        glossaries=tuple(glossaries), strict_glossary=strict_glossary, auto_glossary=auto_glossary,
    )
    progress = Progress(quiet=quiet or as_json)
    summary = translate_corpus(paths, out, options, corpus=CorpusOptions(clean=not no_clean, text_column=text_column),
                               force=force, wait=wait, progress=progress,
                               notify=None if quiet or as_json else progress.note)
    report_run(summary, as_json, quiet, "translated")


COMMANDS = [translate]
