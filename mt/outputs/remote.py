"""OUT on an object store (``-o s3://bucket/out``): a local mirror, published object by object.

An object store has no rename, no append and no lock, and mt's guarantees rest on all three. So a
run writes OUT in a local mirror folder exactly as it writes any OUT (atomic renames, the manifest
appended line by line, the run lock), and every file is uploaded as it is finished:

* When a run takes OUT's lock, the mirror is made equal to the store (what is new or changed
  there is downloaded, what is gone is removed; `.mt/mirror.json` remembers each object's size
  and time as this mirror last saw it), so a rerun on any machine resumes from what the store holds.
* Each output file is uploaded as soon as its atomic write lands (`published`); a PUT replaces an
  object whole, so the store never holds half a file. A failed upload is that document's error.
* The manifest is uploaded at most every `MANIFEST_EVERY` seconds while the run goes on, and when
  it ends (or stops on an error or Ctrl-C). A driver killed outright leaves the store's manifest up
  to that many seconds behind: those documents are translated again on the rerun and their
  outputs replaced by the same bytes; nothing is recorded twice.
* One run at a time: besides the mirror's own lock, the store holds ``.mt/lock.json`` (host, pid,
  start) while a run writes. A run on another machine refuses to start while it is there. The check
  and the write are two requests, so two runs started within the same fraction of a second could
  both pass; a lock left by a run that died on this machine is taken over, one left by another
  machine must be removed by hand (the message says which object).
* On a Ray cluster each worker writes into a mirror of its own (a temporary folder on its node),
  uploads from there and deletes its copy; the driver downloads what they wrote before
  assembling tables and digests.

The mirror is ``$MT_MIRROR_DIR`` (default ``~/.cache/mt/mirrors``)/<bucket-and-path>-<hash>.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path, PurePosixPath

from mt.inputs.document import CorpusError, content_hash
from mt.inputs.remote import check_url, filesystem, first_line, is_url
from mt.outputs.files import OutputError, safe_component

MANIFEST_EVERY = 5.0  # seconds between manifest uploads during a run
LOCK = ".mt/lock.json"
INDEX = ".mt/mirror.json"  # what the mirror knows of each object on the store
_LOCAL_ONLY = {LOCK, INDEX, ".mt/lock"}  # the locks and the index: never copied either way

_MIRRORS: dict[Path, "RemoteOut"] = {}  # mirror folder (resolved) -> its store


class RemoteOut:
    """One OUT URL and the local folder that mirrors it."""

    def __init__(self, url: str, mirror: Path, keep: bool = True):
        self.url = url.rstrip("/")
        self.mirror = Path(mirror).resolve()
        try:
            self.fs, self.root = filesystem(self.url)
        except CorpusError as exc:
            raise OutputError(str(exc).replace("cannot read", "cannot write to")) from None
        self.root = self.root.rstrip("/")
        self.manifest_sent = 0.0
        self.locked = False
        self.index: dict[str, list[int]] = self._load_index()  # rel -> [size, mtime_ns] of the store's copy
        self.keep = keep  # False for a Ray actor's mirror: a file is deleted here once it is on the store

    # ------------------------------------------------------------ store <-> mirror

    def _remote(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def _listing(self) -> dict[str, tuple[int, int]]:
        """{relative path: (size, modification time in ns)} of every object under the URL, the run
        locks aside, and nothing whose name would land outside the mirror."""
        import pyarrow.fs as pafs

        try:
            found = self.fs.get_file_info(pafs.FileSelector(self.root, recursive=True, allow_not_found=True))
        except OSError as exc:
            raise OutputError(f"cannot list {self.url}: {first_line(exc)}") from None
        base = PurePosixPath(self.root)
        listing = {}
        for entry in found:
            if entry.type.name == "File":
                rel = PurePosixPath(entry.path).relative_to(base).as_posix()
                local = (self.mirror / rel).resolve()
                if rel in _LOCAL_ONLY or self.mirror not in local.parents:
                    continue  # a key such as ../x is never written outside the mirror
                listing[rel] = (entry.size or 0, entry.mtime_ns or 0)
        return listing

    def pull(self, during_run: bool = False) -> int:
        """Make the mirror hold what the store holds; how many files were downloaded. `during_run`:
        only what Ray workers uploaded since (the mirror's manifest is the run's; nothing is removed)."""
        listing = self._listing()
        fetched = 0
        for rel, signature in listing.items():
            local = self.mirror / rel
            # the object as it was when this mirror last wrote or read it: the same bytes (a size alone
            # would miss a changed object of the same length, a new Kyiv for an old Kiev)
            if local.is_file() and self.index.get(rel) == list(signature) or during_run and rel == "manifest.jsonl":
                continue
            try:
                with self.fs.open_input_stream(self._remote(rel)) as stream:
                    data = stream.read()
            except OSError as exc:
                raise OutputError(f"cannot read {self.url}/{rel}: {first_line(exc)}") from None
            _write_local(local, data)
            self.index[rel] = list(signature)
            fetched += 1
        self._save_index()
        if during_run:
            return fetched
        for local in [p for p in self.mirror.rglob("*") if p.is_file()]:
            rel = local.relative_to(self.mirror).as_posix()
            if rel not in listing and rel not in _LOCAL_ONLY and not local.name.endswith(".tmp"):
                local.unlink()  # gone from the store: gone from the mirror (else it would count as done)
                self.index.pop(rel, None)
        self._save_index()
        return fetched

    def push(self, path: Path) -> None:
        """Upload one finished file of the mirror (a whole-object PUT)."""
        rel = Path(path).resolve().relative_to(self.mirror).as_posix()
        try:
            data = Path(path).read_bytes()
            with self.fs.open_output_stream(self._remote(rel)) as stream:
                stream.write(data)
            if self.keep:  # what the store now holds is what this mirror holds
                info = self.fs.get_file_info(self._remote(rel))
                self.index[rel] = [info.size or 0, info.mtime_ns or 0]
        except OSError as exc:
            raise OutputError(f"cannot write {self.url}/{rel}: {first_line(exc)}") from None
        if not self.keep:
            Path(path).unlink(missing_ok=True)

    def remove(self, path: Path) -> None:
        rel = Path(path).resolve().relative_to(self.mirror).as_posix()
        try:
            self.fs.delete_file(self._remote(rel))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot remove {self.url}/{rel}: {first_line(exc)}") from None

    def _load_index(self) -> dict:
        try:
            return json.loads((self.mirror / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_index(self) -> None:
        try:
            _write_local(self.mirror / INDEX, json.dumps(self.index).encode())
        except OSError:
            pass  # without it the next pull downloads again: slower, never wrong

    def push_manifest(self, force: bool = False) -> None:
        manifest = self.mirror / "manifest.jsonl"
        if manifest.is_file() and (force or time.monotonic() - self.manifest_sent >= MANIFEST_EVERY):
            self.push(manifest)
            self.manifest_sent = time.monotonic()

    # ------------------------------------------------------------ one run at a time

    def begin(self) -> None:
        """A run takes OUT (`RunLock`, after the mirror's own lock): lock the store, then mirror it."""
        try:
            self.lock()
            self.pull()
        except BaseException:
            self.unlock()
            raise

    def end(self, failing: bool) -> None:
        """The run ends: the store's manifest whole, the store unlocked. When the run is `failing`
        already, a manifest that cannot be uploaded is a warning, never the error the user sees."""
        try:
            self.push_manifest(force=True)
        except OutputError:
            if not failing:
                raise  # said, not hidden: the store's manifest is behind (a rerun redoes that work)
            logging.getLogger(__name__).warning("the manifest could not be uploaded", exc_info=True)
        finally:
            self.unlock()

    def lock(self) -> None:
        from mt.outputs.manifest import LockedError

        held = self._read_lock()
        if held is not None and not self._stale(held):
            raise LockedError(f"another mt run (host {held.get('host', '?')}, pid {held.get('pid', '?')}, since "
                              f"{held.get('since', '?')}) is writing to {self.url}; wait for it to finish, or, if "
                              f"that run is dead, remove {self.url}/{LOCK}")
        record = {"host": socket.gethostname(), "pid": os.getpid(),
                  "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        try:
            with self.fs.open_output_stream(self._remote(LOCK)) as stream:
                stream.write(json.dumps(record).encode())
        except OSError as exc:
            raise OutputError(f"cannot write {self.url}/{LOCK}: {first_line(exc)}") from None
        self.locked = True

    def unlock(self) -> None:
        if self.locked:
            self.locked = False
            try:
                self.fs.delete_file(self._remote(LOCK))
            except OSError:
                pass  # a lock that cannot be removed is reported by the next run

    def _read_lock(self) -> dict | None:
        """The store's lock record; None when there is none. One that cannot be read or parsed is
        taken as held: refusing is safe, writing over a live run's lock is not."""
        try:
            with self.fs.open_input_stream(self._remote(LOCK)) as stream:
                record = json.loads(stream.read() or b"null")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise OutputError(f"cannot read {self.url}/{LOCK}: {first_line(exc)}") from None
        except ValueError:
            record = None
        return record if isinstance(record, dict) and record else {"host": "?", "pid": "?", "since": "?"}

    @staticmethod
    def _stale(held: dict) -> bool:
        """A lock left by a run on this machine whose process is gone."""
        if held.get("host") != socket.gethostname() or not isinstance(held.get("pid"), int):
            return False
        try:
            os.kill(held["pid"], 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return held["pid"] == os.getpid()


def mirror_dir(url: str) -> Path:
    base = Path(os.environ.get("MT_MIRROR_DIR") or Path.home() / ".cache" / "mt" / "mirrors")
    name = safe_component(url.split("://", 1)[-1].replace("/", "-"))[:80]
    return base / f"{name}-{content_hash(url)[:10]}"


def attach(out, *, mirror: Path | None = None, keep: bool = True) -> Path:
    """OUT as a folder: itself, or for a URL its mirror, registered so that writes under it are
    uploaded. The mirror is made equal to the store when a run takes OUT's lock (`RunLock`), not
    here: a second run on this machine must never touch the mirror a first one is writing."""
    if not is_url(out):
        return Path(out)
    try:
        check_url(str(out))
    except CorpusError as exc:
        raise OutputError(str(exc)) from None
    folder = Path(mirror or mirror_dir(str(out))).resolve()
    if folder not in _MIRRORS:  # a job inside a job (brief -> translate) finds the one it attached
        _MIRRORS[folder] = RemoteOut(str(out), folder, keep=keep)
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def shown(out) -> str:
    """OUT as the user named it: the bucket's URL for a mirror, else the folder."""
    remote = remote_of(out)
    return remote.url if remote is not None else str(out)


def remote_of(path) -> RemoteOut | None:
    """The store a path of a mirror belongs to, or None (the common case: no mirror at all)."""
    if not _MIRRORS:
        return None
    path = Path(path).resolve()
    for root in (path, *path.parents):
        if root in _MIRRORS:
            return _MIRRORS[root]
    return None


def published(path) -> None:
    """Called after an atomic write lands: upload it when it is in a mirror."""
    remote = remote_of(path)
    if remote is not None:
        if Path(path).name == "manifest.jsonl":
            remote.push_manifest(force=True)
        else:
            remote.push(Path(path))


def removed(path) -> None:
    remote = remote_of(path)
    if remote is not None:
        remote.remove(Path(path))


def temporary_mirror(url: str) -> Path:
    """A worker's own mirror of `url` (nothing downloaded): a temporary folder on its node, each
    file deleted from it once it is on the store."""
    mirror = Path(tempfile.mkdtemp(prefix="mt-out-"))
    atexit.register(shutil.rmtree, mirror, True)  # the folders left once every file is uploaded
    return attach(url, mirror=mirror, keep=False)


def _write_local(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)

