"""The `mt` command line: a thin click layer over the Python API."""
from __future__ import annotations

import os
import sys

import click

from mt import __version__

INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)


class _Main(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: finished documents are kept (OUT/manifest.jsonl); run the same command "
                       "again to resume", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # leave now: CTranslate2 joins its workers only after they finish every queued batch (up to two
            # windows), and everything already written is complete (atomic files, fsynced manifest lines)
            os._exit(INTERRUPTED)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mt")
def main() -> None:
    """Ukrainian news into English: translations, briefs and scores."""


def _register() -> None:
    # Each sub-command lives in its own module under mt/cli/.
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()
