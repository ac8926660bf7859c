"""Read a folder's pages in worker processes, in input order, a few files ahead of the reader.

Reading an HTML page (trafilatura, then mt's cleaning and language identification) takes about
40 ms of one core; a folder of a thousand pages is forty seconds on one. `read_ahead` spreads the
files over one process per core and yields the results in the listing's order, so what
`load_corpus` yields is the same, document for document, as reading them one by one.

* Only local text files (txt, md, html) go to the workers; tables, and files on a store
  (`mt.inputs.remote`), are read here, at their turn.
* At most `AHEAD_PER_WORKER` files per worker are in flight, so memory stays flat however far
  the consumer (the translate job) lags behind.
* Workers are forked (Linux): they start in milliseconds with mt's readers already imported.
  Where fork is not the platform's way (macOS, Windows), or on one core, files are read here.
* If a worker dies (killed, out of memory), each file that was in flight is read again in a
  process of its own, and a fresh pool takes the rest: nothing is lost, and a file that kills
  its reader again becomes `Failed` with the reason (it is never read in the parent, which holds
  the model). If the parent is killed outright, its workers die with it (Linux's parent-death signal).

Documents come back from mt's own worker processes pickled; nothing read from an input file is
ever unpickled.
"""
from __future__ import annotations

import os
import signal
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

from mt.inputs.document import CorpusOptions, Document, Failed

MIN_FILES = 8  # fewer text files than this are read here: a worker pool is not worth its start
MAX_WORKERS = 4
AHEAD_PER_WORKER = 4


def reading_workers(requested: int, text_files: int) -> int:
    """How many processes read: `requested` (0: one per usable core, up to MAX_WORKERS), or 1 when
    there are fewer than MIN_FILES text files or no fork on this platform."""
    if requested == 1 or text_files < MIN_FILES or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested or min(cores, MAX_WORKERS), text_files))


def read_ahead(listing: Iterable, options: CorpusOptions, workers: int, is_text: Callable[[object], bool],
               load_text: Callable[..., Document | Failed],
               load_here: Callable[[object], Iterator[Document | Failed]]) -> Iterator[Document | Failed]:
    """What `load_here(item)` yields for each listed item, in order; text files (`is_text`) read by
    `load_text(path, rel, fmt, options)` in `workers` forked processes."""
    pool = _Pool(workers)
    pending: deque = deque()
    try:
        for item in listing:
            pending.append((item, pool.submit(load_text, item, options) if is_text(item) else None))
            while len(pending) > workers * AHEAD_PER_WORKER:
                yield from _result(pending.popleft(), load_here, load_text, options)
        while pending:
            yield from _result(pending.popleft(), load_here, load_text, options)
    finally:
        pool.close()


class _Pool:
    """Forked reading processes; a pool a dead worker broke is replaced by a fresh one."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = _executor(workers)

    def submit(self, load_text, item, options):
        try:
            return self.pool.submit(load_text, *item, options)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = _executor(self.workers)
            return self.pool.submit(load_text, *item, options)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _executor(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_start, initargs=(os.getpid(),))


def _worker_start(parent: int) -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the pool), not a traceback per worker;
    and a parent killed outright (SIGKILL, the OOM killer) takes its workers with it. A forked worker
    holds both ends of its task pipe, so it would otherwise wait for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: this process dies with its parent
    except (OSError, AttributeError):  # not Linux, or no prctl: the pool is only used on Linux
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _result(entry, load_here, load_text, options) -> Iterator[Document | Failed]:
    item, future = entry
    if future is None:
        yield from load_here(item)
        return
    try:
        result = future.result()
    except BrokenProcessPool:  # a worker died while this file was in flight: read it again, alone
        result = _alone(load_text, item, options)
    yield result


def _alone(load_text, item, options) -> Document | Failed:
    """A file read again in a process of its own: one that kills its reader again is Failed, and never
    read in the parent (which holds the model: the OOM killer would take it instead)."""
    with _executor(1) as solo:
        try:
            return solo.submit(load_text, *item, options).result()
        except BrokenProcessPool:
            path, rel, _fmt = item
            return Failed(id=rel, rel=rel, source=str(path),
                          error="reading this file killed its process twice (out of memory, or a crash in the "
                                "HTML parser); the other files were read")
