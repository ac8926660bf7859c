"""The `mt` command line: a thin click layer over the Python API."""
from __future__ import annotations

import os
import sys

import click

from mt import __version__

INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)
_RESUMES = "interrupted: finished documents are kept (OUT/manifest.jsonl); run the same command again to resume"
# what Ctrl-C leaves behind, per command; a subcommand may say its own in ctx.meta["mt.interrupted"]
INTERRUPTED_SAYS = {"translate": _RESUMES, "summarize": _RESUMES, "brief": _RESUMES}


class _Main(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            said = ctx.meta.get("mt.interrupted") or INTERRUPTED_SAYS.get(ctx.invoked_subcommand, "interrupted")
            click.echo("\n" + said, err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # leave now: CTranslate2 joins its workers only after they finish every queued batch (up to two
            # windows), and everything already written is complete (atomic files, fsynced manifest lines)
            os._exit(INTERRUPTED)


    def list_commands(self, ctx):
        """Commands in the order people use them, not alphabetically."""
        names = super().list_commands(ctx)
        return [n for n in WORKFLOW if n in names] + [n for n in names if n not in WORKFLOW]


WORKFLOW = ("translate", "summarize", "brief", "glossary", "evaluate", "report", "models", "cache")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mt")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error (or set MT_DEBUG=1).")
def main(debug: bool) -> None:
    """Ukrainian news into English: translations, briefs and scores, with names kept straight.

    \b
    Examples:
      mt brief articles/ -o out -g names.tsv       translate, summarize, brief
      mt translate articles/ -o out -g names.tsv   translations only
      mt glossary extract articles/ -O draft.tsv   a draft glossary to review
      mt evaluate --hyp out/ --ref refs/           scores against references
      mt report out/                               an HTML review page
      mt models list                               presets and what is cached

    Exit codes: 0 ok, 1 some documents failed (the rest are done), 2 usage,
    input, model or glossary error, 3 OUT is locked, 130 interrupted.
    """


def _register() -> None:
    # Each sub-command lives in its own module under mt/cli/.
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()
