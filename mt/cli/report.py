"""`mt report`: the review page of an output folder, one self-contained HTML file."""
from __future__ import annotations

from pathlib import Path

import click

from mt.cli.common import EXIT_USAGE, fail, friendly_errors


@click.command("report")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The HTML file to write (default: OUT/report.html).")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="The glossary the run used (repeatable, later files win): mentions are located with it; "
                   "without it, by the surface forms the translate stage recorded.")
@click.option("--scores", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An `mt evaluate --json` report to show per document (default: OUT/scores.json if present).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the path written.")
@friendly_errors
def report(out, output, glossaries, scores, quiet):
    """Write a review page of OUT: the index, briefs, Ukrainian beside English, glossary highlights, scores.

    The page is one HTML file with inline styles and no scripts; it works offline.
    """
    from mt.review.page import ReportError, write_report

    try:
        path = write_report(out, output, tuple(glossaries), scores)
    except ReportError as exc:
        fail(str(exc), EXIT_USAGE)
    if not quiet:
        click.echo(f"review page: {path}", err=True)


COMMANDS = [report]
