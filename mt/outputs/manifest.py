"""OUT/manifest.jsonl: one JSON object per document and stage, append-only.

A rerun reads the latest record of each (id, stage) to skip work already
done. A torn last line (a run killed mid-append) is tolerated and repaired
before the next append. `RunLock` keeps two runs from writing to one OUT.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mt.errors import EXIT_LOCKED, MtError
from mt.outputs.files import OutputError, describe_os_error
from mt.outputs.remote import remote_of

MANIFEST = "manifest.jsonl"


def options_key(**parts) -> str:
    """A short stable hash of everything that changes a stage's output."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def read_manifest(path: Path) -> list[dict]:
    """All intact records; a torn or corrupt line is skipped, never fatal."""
    records = []
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                try:
                    record = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue
                if isinstance(record, dict) and "id" in record:
                    records.append(record)
    except FileNotFoundError:
        pass
    return records


class Manifest:
    """Append-only manifest with a latest-record index for resume."""

    def __init__(self, out: Path):
        self.path = Path(out) / MANIFEST
        self.latest: dict[tuple[str, str], dict] = {}
        for record in read_manifest(self.path):
            self.latest[(record["id"], record.get("stage", "translate"))] = record
        self._repair_tail()

    def _repair_tail(self) -> None:
        try:
            with open(self.path, "rb+") as fh:
                fh.seek(0, os.SEEK_END)
                if fh.tell() == 0:
                    return
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise OutputError(describe_os_error(exc, self.path)) from exc

    def done(self, doc_id: str, stage: str, content_hash: str, key: str, output: Path | None = None) -> bool:
        """True when this exact work is already recorded as ok and its output exists."""
        record = self.latest.get((doc_id, stage))
        if not record or record.get("status") not in {"ok", "skipped"}:
            return False
        if record.get("hash") != content_hash or record.get("key") != key:
            return False
        return output is None or Path(output).exists()

    def get(self, doc_id: str, stage: str) -> dict | None:
        return self.latest.get((doc_id, stage))

    def append(self, record: "Record | dict") -> None:
        """Write one line (a `Record`, or a record read back and re-stamped, e.g. ``status: skipped``)."""
        record = record.as_dict() if isinstance(record, Record) else record
        record = {**record, "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(describe_os_error(exc, self.path)) from exc
        self.latest[(record["id"], record.get("stage", "translate"))] = record
        store = remote_of(self.path)
        if store is not None:  # OUT is a bucket's mirror: the store's copy, every few seconds
            try:
                store.push_manifest()
            except OutputError as exc:  # a blip: the next append, or the run's end, uploads it again
                logging.getLogger(__name__).warning("%s (retried with the next record)", exc)


@dataclass
class Record:
    """One manifest line: the fields every stage writes, then the stage's own (``extra``)."""

    id: str
    stage: str
    source: str | None
    status: str  # ok | error | skipped | "skipped: language ru"
    output: str | None = None  # relative to OUT
    error: str | None = None
    model: str | None = None
    engine: str | None = None
    demo: bool = False
    seconds: float = 0.0
    hash: str = ""  # content hash of the input: the resume key, with `key`
    key: str | None = None  # options key of the stage
    container: str | None = None  # table rows: the table's output stem
    row: int | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in _COMMON}
        return {**data, **self.extra}


_COMMON = ("id", "stage", "source", "output", "status", "error", "model", "engine", "demo", "seconds", "hash", "key",
           "container", "row")


class LockedError(MtError):
    """Another mt run holds the output folder."""

    exit_code = EXIT_LOCKED


_HELD: dict[str, int] = {}  # OUT folders this process holds, with nesting depth


class RunLock:
    """An exclusive lock on OUT for the length of a run (wait or refuse).

    Re-entrant within one process: a stage that runs inside another (brief ->
    translate) keeps the outer lock instead of dropping it in between.
    """

    def __init__(self, out: Path, wait: float = 0.0):
        from filelock import FileLock

        self.out = Path(out)
        self.key = str(self.out.resolve())
        self.wait = wait
        self.info = self.out / ".mt" / "lock.json"
        self._lock = FileLock(str(self.out / ".mt" / "lock"))

    def __enter__(self) -> "RunLock":
        from filelock import Timeout

        if _HELD.get(self.key):
            _HELD[self.key] += 1
            return self

        try:
            self.info.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(describe_os_error(exc, self.info.parent)) from exc
        try:
            self._lock.acquire(timeout=self.wait if self.wait > 0 else 0)
        except Timeout:
            holder = ""
            try:
                holder = json.loads(self.info.read_text(encoding="utf-8")).get("pid", "")
            except (OSError, ValueError):
                pass
            raise LockedError(
                f"another mt run (pid {holder or '?'}) is writing to {self.out}; "
                "wait for it to finish, use --wait SECONDS, or choose another -o folder"
            ) from None
        except OSError as exc:
            raise OutputError(describe_os_error(exc, self.info.parent)) from exc
        try:
            self.info.write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
        except OSError:
            pass
        store = remote_of(self.out)
        if store is not None:  # OUT is a bucket's mirror: the bucket is locked too, then mirrored
            try:
                store.begin()
            except BaseException:
                self._lock.release()
                raise
        _HELD[self.key] = 1
        return self

    def __exit__(self, *exc) -> None:
        _HELD[self.key] -= 1
        if not _HELD[self.key]:
            del _HELD[self.key]
            store = remote_of(self.out)
            try:
                if store is not None:
                    store.end(failing=bool(exc and exc[0] is not None))
            finally:
                self._lock.release()
