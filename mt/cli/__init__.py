"""The `mt` command line: a thin click layer over the Python API."""
from __future__ import annotations

import click

from mt import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
