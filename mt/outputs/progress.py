"""Progress reporting: one tqdm bar per stage on a terminal (with a total and an ETA), plain log lines otherwise.

A stage calls ``start(total)`` before its first document and ``close()`` after its
last: the bar spans every document and window, including the windows the engine
finishes after the input has been read.
"""
from __future__ import annotations

import sys
from typing import Iterable, Iterator, TextIO


class Progress:
    """Counts documents and sentences; `quiet=True` prints nothing."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None, total: int | None = None,
                 desc: str = "translate"):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.total = total
        self.desc = desc
        self.sentences = 0
        self.count = 0
        self.bar = None
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def stage(self, desc: str, total: int | None = None) -> "Progress":
        """A fresh Progress for the next stage of a run, on the same stream."""
        return Progress(quiet=self.quiet, stream=self.stream, total=total, desc=desc)

    def start(self, total: int | None = None) -> None:
        """Open the bar (on a terminal) for `total` documents; None: the total is not known."""
        if total is not None:
            self.total = total
        if self.bar is None and not self.quiet and self.tty:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=self.desc, unit="doc", file=self.stream, dynamic_ncols=True)

    def documents(self, items: Iterable) -> Iterator:
        """`items`, with the bar started; the stage closes it with `close()` when its last document is done."""
        self.start()
        yield from items

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def done(self, doc_id: str, status: str, error: str | None = None, sentences: int = 0) -> None:
        self.count += 1
        self.sentences += sentences
        if self.quiet:
            return
        if self.bar is not None:
            if self.total is not None and self.count > self.total:  # an estimate that was low (e.g. CSV rows)
                self.total = self.bar.total = self.count
            self.bar.update(1)
            self.bar.set_postfix(sentences=self.sentences, refresh=False)
            if status == "error":
                self.bar.write(f"error {doc_id}: {error}", file=self.stream)
            return
        line = f"[{self.desc} {self.count}{'/' + str(self.total) if self.total else ''}] {status} {doc_id}"
        if sentences:
            line += f" ({sentences} sentences)"
        if error:
            line += f": {error}"
        print(line, file=self.stream, flush=True)

    def note(self, message: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)
