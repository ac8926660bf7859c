"""`mt glossary extract` and `mt glossary check`: a thin layer over mt.glossary.draft and mt.glossary."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mt.cli.common import MtCommand, friendly_errors, glossary_option, json_option, output_file_option, quiet_option


def _text_files(paths) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """(file, decoded text) for every text file under `paths`, and (path, reason) failures."""
    from mt.inputs.corpus import TEXT_SUFFIXES, iter_files
    from mt.inputs.document import CorpusError, decode_bytes

    found, failed = [], []
    for path, rel in iter_files([Path(p) for p in paths]):
        if rel == "!missing":
            failed.append((str(path), "no such file or folder"))
        elif path.suffix.lower() not in TEXT_SUFFIXES:
            failed.append((str(path), f"not a text file ({', '.join(sorted(TEXT_SUFFIXES))})"))
        else:
            try:
                found.append((path, decode_bytes(path.read_bytes())[0]))
            except (OSError, CorpusError) as exc:
                failed.append((str(path), str(exc)))
    return found, failed


def _report_failures(failed) -> None:
    for path, reason in failed:
        click.echo(f"failed: {path}: {reason}", err=True)
    if failed:
        sys.exit(1)


@click.group("glossary")
def glossary() -> None:
    """Draft glossaries from a corpus and check which names a glossary matches."""


@glossary.command("extract", cls=MtCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@output_file_option("Draft glossary TSV to write.", required=True)
@click.option("--min-count", type=click.IntRange(1), default=1, show_default=True,
              help="Keep names seen at least this many times.")
@json_option
@quiet_option
@friendly_errors
def extract(paths, output_file, min_count, as_json, quiet) -> None:
    """Write a draft glossary of the names in PATH... (files or folders).

    Spelling variants of one name share a row; rows whose proposed English
    form needs a person's eye (Russian, Korean, foreign names) say `check`.

    \b
    Examples:
      mt glossary extract articles/ -O draft.tsv --min-count 2
      mt glossary check articles/ -g draft.tsv
    """
    from mt.glossary.draft import extract_candidates, write_draft
    from mt.inputs.corpus import load_corpus
    from mt.inputs.document import Document

    docs, failed = [], []
    for doc in load_corpus([str(p) for p in paths]):
        if isinstance(doc, Document):
            docs.append((doc.id, "\n".join([doc.title, *doc.paragraphs])))
        else:
            failed.append((doc.source, doc.error))
    candidates = extract_candidates(docs, min_count=min_count)
    write_draft(candidates, output_file)
    to_check = sum(c.status == "check" for c in candidates)
    if as_json:
        click.echo(json.dumps({"output": str(output_file), "documents": len(docs), "candidates": len(candidates),
                               "to_check": to_check, "failed": [{"source": s, "error": e} for s, e in failed]},
                              ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(f"{len(candidates)} candidates ({to_check} to check) from {len(docs)} documents -> {output_file}")
        for c in candidates[:15]:
            click.echo(f"  {c.count:>4}  {c.source}  ->  {c.target}  [{c.type}, {c.status}]")
        if len(candidates) > 15:
            click.echo(f"  ... {len(candidates) - 15} more in {output_file}")
    _report_failures(failed)


@glossary.command("check", cls=MtCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@glossary_option()
@json_option
@quiet_option
@friendly_errors
def check(paths, glossaries, as_json, quiet) -> None:
    """List every glossary mention in the text files under PATH...

    Offsets are character offsets into the decoded file text.

    \b
    Examples:
      mt glossary check articles/ -g names.tsv
      mt glossary check article.txt -g names.tsv --json
    """
    if not glossaries:
        raise click.UsageError("give the glossary to check with -g/--glossary")
    from mt.glossary import load_glossary

    gloss = load_glossary([Path(g) for g in glossaries])
    files, failed = _text_files(paths)
    rows = []
    for path, text in files:
        for m in gloss.find(text):
            line = text.count("\n", 0, m.start) + 1
            col = m.start - (text.rfind("\n", 0, m.start) + 1) + 1
            rows.append({"file": str(path), "start": m.start, "end": m.end, "text": m.text,
                         "target": m.target, "type": m.type, "_pos": f"{path}:{line}:{col}"})
    if as_json:
        click.echo(json.dumps([{k: v for k, v in r.items() if k != "_pos"} for r in rows],
                              ensure_ascii=False, indent=1))
    elif not quiet:
        _print_table(rows, gloss, len(files))
    _report_failures(failed)


def _print_table(rows, gloss, n_files: int) -> None:
    widths = [max([len(r[k]) for r in rows] + [len(h)]) for k, h in
              (("_pos", "where"), ("text", "text"), ("target", "target"))]
    header = ("where", "text", "target", "type")
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths + [0])).rstrip())
    for r in rows:
        cells = (r["_pos"], r["text"], r["target"], r["type"])
        click.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths + [0])).rstrip())
    used = {r["target"] for r in rows}
    unused = [e.target for e in gloss.entries if e.target not in used]
    click.echo(f"\n{len(rows)} mentions of {len(used)} targets in {n_files} files; "
               f"{len(unused)} of {len(gloss)} glossary entries never matched.")


COMMANDS = [glossary]
