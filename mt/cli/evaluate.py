"""`mt evaluate`: score hypotheses against references (thin layer over mt.evaluate)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mt.cli.common import MtCommand, friendly_errors, glossary_option, json_option, output_file_option, quiet_option

# Same values as mt.evaluate.metrics (a test checks); repeated so that `mt --help` does not import
# sacrebleu, rouge-score and numpy: the API is imported when the command runs.
ALL_METRICS = ("bleu", "chrf", "ter", "rouge", "terms", "comet")
DEFAULT_COMET_MODEL = "Unbabel/wmt22-comet-da"
DEFAULT_BOOTSTRAP_SAMPLES = 1000
DEFAULT_SEED = 12345

_PATH = click.Path(exists=True, path_type=Path)


def _metrics(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(m.strip().lower() for m in value.split(",") if m.strip())
    unknown = [m for m in names if m not in ALL_METRICS]
    if unknown or not names:
        raise click.BadParameter(f"unknown metric(s) {', '.join(unknown) or '(none)'}; "
                                 f"choose from {','.join(ALL_METRICS)}")
    return names


@click.command("evaluate", cls=MtCommand)
@click.option("--hyp", "hyps", multiple=True, required=True, type=_PATH,
              help="Hypotheses: text file (one segment a line), folder (files by stem), JSONL/CSV/Parquet "
                   "or saved dataset. Repeat to compare systems (paired bootstrap against the first).")
@click.option("--ref", required=True, type=_PATH, help="References, in any of the --hyp shapes.")
@click.option("--src", type=_PATH, help="Sources (Ukrainian), for term accuracy and COMET.")
@click.option("--metrics", callback=_metrics, metavar="LIST",
              help=f"Comma-separated subset of {','.join(ALL_METRICS)} [default: all that apply].")
@glossary_option("Glossary TSV/CSV for term accuracy; repeatable, later files win.")
@click.option("--lang", type=click.Choice(["auto", "en", "uk"]), default="auto", show_default=True,
              help="Language of the scored text, for ROUGE tokenisation (auto: Cyrillic share of the refs).")
@json_option
@quiet_option
@output_file_option("Also write the report as Markdown to this file.")
@click.option("--allow-missing", is_flag=True,
              help="Exit 0 even when folders/tables have unpaired ids (they are still reported).")
@click.option("--hyp-column", help="Hypothesis column of a table [default: hyp, hypothesis, translation, ...].")
@click.option("--ref-column", help="Reference column of a table [default: ref, reference, target, summary].")
@click.option("--src-column", help="Source column of a table [default: src, source, text].")
@click.option("--id-column", help="Id column of tables [default: id, doc_id, docid; none: pair by row].")
@click.option("--comet-model", default=DEFAULT_COMET_MODEL, show_default=True,
              help="COMET model: local checkpoint/folder or a Hugging Face id already in the cache.")
@click.option("--bootstrap-samples", type=click.IntRange(min=1), default=DEFAULT_BOOTSTRAP_SAMPLES,
              show_default=True, help="Resamples for the paired bootstrap comparison.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the bootstrap resampling.")
@friendly_errors
def evaluate(hyps: tuple[Path, ...], ref: Path, src: Path | None, metrics: tuple[str, ...] | None,
             glossaries: tuple[Path, ...], lang: str, as_json: bool, quiet: bool, output_file: Path | None,
             allow_missing: bool, hyp_column: str | None, ref_column: str | None, src_column: str | None,
             id_column: str | None, comet_model: str, bootstrap_samples: int, seed: int) -> None:
    """Score translations or briefs (BLEU, chrF, TER, ROUGE, terms, COMET) against references.

    Exit status: 0 scored; 1 some ids of a folder or table were unpaired (scored the
    rest; see --allow-missing); 2 inputs that cannot be scored, such as line files of
    different lengths.

    \b
    Examples:
      mt evaluate --hyp out/ --ref refs/ --src articles/ -g names.tsv
      mt evaluate --hyp a.en --hyp b.en --ref ref.en --metrics bleu,chrf --json
      mt evaluate --hyp out/ --ref seeds/references -O scores.md   (briefs vs reference summaries)
    """
    from mt.evaluate.render import render_markdown, render_text
    from mt.evaluate.score import EvaluateOptions
    from mt.evaluate.score import evaluate as run_evaluation

    options = EvaluateOptions(
        hyps=hyps, ref=ref, src=src, metrics=metrics, glossaries=glossaries, lang=lang,
        allow_missing=allow_missing, hyp_column=hyp_column, ref_column=ref_column, src_column=src_column,
        id_column=id_column, comet_model=comet_model, bootstrap_samples=bootstrap_samples, seed=seed)
    report = run_evaluation(options)
    if output_file is not None:
        from mt.outputs.files import atomic_write_text

        output_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(output_file, render_markdown(report))
        if not quiet:
            click.echo(f"wrote {output_file}", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        for key, reason in report.skipped.items():
            click.echo(f"{key} not computed: {reason}", err=True)
    elif not quiet:
        click.echo(render_text(report), nl=False)
    if report.exit_code:
        unpaired = [s for s in report.systems if s.pairs.missing or s.pairs.extra]
        for s in unpaired:
            click.echo(f"error: unpaired ids for {s.name}: {len(s.pairs.missing)} missing from the hypothesis, "
                       f"{len(s.pairs.extra)} not in the reference; the {s.pairs.matched} matched pairs were "
                       "scored (pass --allow-missing to accept this)", err=True)
        sys.exit(report.exit_code)


COMMANDS = [evaluate]
