"""`mt report`: the review page of an output folder, one self-contained HTML file."""
from __future__ import annotations

import json
from pathlib import Path

import click

from mt.cli.common import MtCommand, friendly_errors, glossary_option, json_option, output_file_option, quiet_option


@click.command("report", cls=MtCommand)
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@output_file_option("The HTML file to write (default: OUT/report.html).")
@glossary_option("The glossary the run used (repeatable, later files win): mentions are located with it; "
                   "without it, by the surface forms the translate stage recorded.")
@click.option("--scores", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An `mt evaluate --json` report to show per document (default: OUT/scores.json if present).")
@json_option
@quiet_option
@friendly_errors
def report(out, output_file, glossaries, scores, as_json, quiet):
    """Write a review page of OUT: the index, briefs, Ukrainian beside English, glossary highlights, scores.

    The page is one HTML file with inline styles and no scripts; it works offline.

    \b
    Examples:
      mt report out/ -g names.tsv
      mt report out/ -O review.html --scores scores.json
    """
    from mt.review.page import write_report

    path = write_report(out, output_file, tuple(glossaries), scores)
    if as_json:
        click.echo(json.dumps({"report": str(path)}))
    elif not quiet:
        click.echo(f"review page: {path}", err=True)


COMMANDS = [report]
