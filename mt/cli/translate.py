"""`mt translate`: a folder of Ukrainian articles into English (or one text from stdin)."""
from __future__ import annotations

import sys

import click

from mt.cli.common import (
    MtCommand,
    cache_options,
    check_inputs,
    corpus_options,
    engine_options,
    friendly_errors,
    glossary_option,
    languages_option,
    make_engine_options,
    make_ray_options,
    model_option,
    paths_and_out,
    ray_options,
    report_run,
    run_options,
)


@click.command("translate", cls=MtCommand)
@paths_and_out("Output folder (mirrors the input tree). Not used with PATH '-'.", out_required=False)
@model_option("translate")
@engine_options
@glossary_option()
@click.option("--strict-glossary", is_flag=True, help="A missed glossary term fails its document.")
@click.option("--auto-glossary", is_flag=True, help="Spell variant names found within the run one way.")
@corpus_options
@languages_option
@cache_options
@ray_options
@run_options
@friendly_errors
def translate(paths, out, model, engine_args, glossaries, strict_glossary, auto_glossary, no_clean, text_column,
              languages, no_cache, cache_size, ray, ray_workers, ray_gpus_per_worker, force, wait, quiet, as_json):
    """Translate Ukrainian articles (files or folders, recursively) into English in OUT.

    Writes OUT/<rel>.en.txt (and .en.json) per article and OUT/manifest.jsonl;
    a rerun skips what is done. With PATH '-' one text is read from stdin and
    its English printed on stdout (nothing is written).

    \b
    Examples:
      mt translate articles/ -o out -g names.tsv
      mt translate feed.jsonl -o out --json
      echo "Горемикін прибув до Києва." | mt translate - -g names.tsv
      mt translate archive/ -o /shared/out --ray auto --ray-workers 8
    """
    from mt.translator import TranslateOptions

    options = TranslateOptions(
        engine=make_engine_options(model, "translate", engine_args),
        glossaries=tuple(str(g) for g in glossaries), strict_glossary=strict_glossary, auto_glossary=auto_glossary,
        languages=languages, cache=not no_cache, cache_size=cache_size,
    )
    if [str(p) for p in paths] == ["-"]:
        return _translate_stdin(options, not no_clean, as_json)
    if out is None:
        raise click.UsageError("-o/--out is required (or give '-' to translate stdin)")
    check_inputs(paths, out)
    on_ray = make_ray_options(ray, ray_workers, ray_gpus_per_worker)
    from mt.inputs.document import CorpusOptions
    from mt.outputs.progress import Progress
    from mt.translate import translate_corpus

    progress = Progress(quiet=quiet or as_json)
    summary = translate_corpus(paths, out, options, corpus=CorpusOptions(clean=not no_clean, text_column=text_column),
                               force=force, wait=wait, progress=progress,
                               notify=None if quiet or as_json else progress.note, ray=on_ray)
    report_run(summary, as_json, quiet, "translated")


def _translate_stdin(options, clean: bool, as_json: bool) -> None:
    """Ukrainian text on stdin -> English on stdout, one line per input paragraph."""
    import json

    from mt.inputs.document import CorpusOptions
    from mt.inputs.parse import parse_text
    from mt.translate import translate_text

    text = sys.stdin.read()
    if not text.strip():
        raise click.UsageError("stdin is empty: pipe Ukrainian text in, e.g. echo \"...\" | mt translate -")
    doc = parse_text(text, id="stdin", source="<stdin>", headline=False, options=CorpusOptions(clean=clean))
    result = translate_text(doc, options)
    if as_json:
        click.echo(json.dumps({"english": result.paragraphs, "source": doc.paragraphs,
                               "terms": [{"text": t.mention.text, "target": t.mention.target, "status": t.status}
                                         for t in result.terms]}, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(result.paragraphs))


COMMANDS = [translate]
