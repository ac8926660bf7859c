"""One base for every error mt expects, and the exit codes they carry.

Each class says what went wrong and what to do, in one line; the CLI prints
``Error: <message>`` and exits with the class's ``exit_code``. Anything that
is not an `MtError` is a bug: the CLI prints one line and asks for ``--debug``.

Exit codes: 0 all good; 1 some documents failed (the others are done);
2 usage, input, model, glossary or output error (nothing was translated);
3 OUT is locked by another run; 130 interrupted (Ctrl-C; rerun to resume).
"""
from __future__ import annotations

EXIT_OK, EXIT_FAILED_DOCS, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class MtError(Exception):
    """An expected failure with a message a person can act on."""

    exit_code = EXIT_USAGE


class UsageError(MtError):
    """Arguments that cannot work together, or inputs that do not exist."""


class EngineError(MtError):
    """The engine cannot run as asked (e.g. ``--device cuda`` without a CUDA device)."""
