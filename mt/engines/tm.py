"""The translation memory: the engine's raw output per source piece, kept in SQLite.

News repeats itself (wire copy, quotes, reruns with a corrected glossary), so
`mt.translator.Translator` looks every unique piece up here before it goes to
the engine and stores what the engine produced after it. One row per piece:

- the **key** is a hash of the *context* (the model's resolved revision, the
  engine and its compute type, every decoding setting that changes the
  output, and whether the repetition guard ran) and of the exact source
  piece; on engines that apply the soft glossary bias during decoding (the
  transformers engine), it also covers the bias's entries for that piece, so
  a glossary edit misses exactly the pieces whose bias changed;
- the **value** is the engine's output after the repetition guard and before
  glossary normalization and repair (those run again on every use), plus
  whether the guard retried or collapsed it, so the manifest's figures are
  the same on a hit.

Storage: one SQLite file (stdlib `sqlite3`) in WAL mode, ``synchronous=NORMAL``
and a ``busy_timeout``: any number of processes read at once and writers
take turns, every write is one transaction (``BEGIN IMMEDIATE``), so a
process killed mid-write loses only that uncommitted write and never an
earlier entry (a power cut may lose the last commits, never corrupt the
file). A size bound (``max_bytes``) evicts the least recently used rows once
the pages in use pass it; hits refresh their row's last-use stamp.

The memory is an optimization, never a reason to fail: when the file cannot
be opened or written (read-only folder, disk full, a corrupt file, a lock
held past the timeout), `TranslationMemory` notes it once and behaves as an
empty, read-nothing cache for the rest of the run.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

SCHEMA_VERSION = 1
FILENAME = "translations.sqlite3"
DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB: about 3-4 million sentences of news
BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another process's write
EVICT_TO = 0.9  # eviction brings the pages in use down to this share of max_bytes


class CacheError(ValueError):
    """A bad --cache-size, or a cache file that cannot be used for `mt cache`."""

    exit_code = 2


@dataclass(frozen=True)
class Cached:
    """One piece's engine output as stored."""

    text: str
    retried: bool = False  # the repetition guard re-generated it
    degenerate: bool = False  # still looping after the retry (loops collapsed)

    @property
    def flags(self) -> int:
        return int(self.retried) | (int(self.degenerate) << 1)

    @classmethod
    def from_row(cls, text: str, flags: int) -> Cached:
        return cls(text, bool(flags & 1), bool(flags & 2))


def default_path() -> Path:
    """``<model store>/cache/translations.sqlite3`` (the model store: `mt.models.models_dir`)."""
    from mt.models import models_dir

    return models_dir() / "cache" / FILENAME


def context_key(**parts) -> str:
    """A stable hash of what, besides the source piece, decides the engine's output."""
    blob = json.dumps({"schema": SCHEMA_VERSION, **parts}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def piece_key(context: str, source: str, bias: Iterable[str] | None = None) -> bytes:
    """The row key of `source` under `context`; `bias`: the glossary targets the engine was
    biased towards for this piece (only for engines that apply the bias while decoding)."""
    digest = hashlib.sha256()
    digest.update(context.encode("ascii"))
    digest.update(b"\x00")
    digest.update(source.encode("utf-8", "surrogatepass"))
    if bias:
        digest.update(b"\x00bias\x00")
        digest.update(json.dumps(list(bias), ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return digest.digest()[:20]


def folder_fingerprint(folder: Path) -> str:
    """Names, sizes and modification times of a model folder's config, vocabulary and weights."""
    digest = hashlib.sha256()
    try:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in {".json", ".safetensors", ".bin", ".spm", ".model", ".txt"}:
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}\n".encode())
    except OSError:
        return "unreadable"
    return digest.hexdigest()[:16]


def resolved_revision(spec, folder: Path | None) -> str:
    """What names the exact weights: a local folder's fingerprint (it can change under the same
    name), a Hub snapshot's commit hash (the cache folder's name), else the requested revision."""
    if folder is not None and getattr(spec, "path", None) is not None:
        return "folder:" + folder_fingerprint(folder)
    if folder is not None:
        return "snapshot:" + folder.name
    return "revision:" + (getattr(spec, "revision", None) or "main")


def engine_context(engine) -> dict:
    """What, besides the source piece, decides `engine`'s output: its own `cache_context()`
    (CTranslate2), else the model's resolved revision, the engine, device and generation config."""
    if hasattr(engine, "cache_context"):
        return engine.cache_context()
    spec = engine.spec
    try:
        from mt.models.resolution import local_files

        folder = local_files(spec)
    except Exception:  # noqa: BLE001 - no local files: the requested revision names the weights
        folder = None
    generation = getattr(getattr(engine, "model", None), "generation_config", None)
    options = getattr(engine, "options", None)
    return {"engine": getattr(engine, "name", type(engine).__name__), "model": spec.label,
            "revision": resolved_revision(spec, folder), "device": getattr(engine, "device", None),
            "beams": (getattr(options, "beams", None) or getattr(engine, "default_beams", None)),
            "generation": generation.to_dict() if hasattr(generation, "to_dict") else None,
            "forced_bos": getattr(engine, "forced_bos", None)}


def parse_cache_size(text: str | int | None) -> int:
    """--cache-size SIZE ("500M", "2G", plain bytes) in bytes; None: the default (1G)."""
    if text is None or text == "":
        return DEFAULT_MAX_BYTES
    from mt.engines.memory import MemoryError_, parse_size

    try:
        size = parse_size(text, allow_auto=False)
    except MemoryError_ as exc:
        raise CacheError(str(exc).replace("--max-memory", "--cache-size")) from None
    if size < 1 << 20:
        raise CacheError(f"--cache-size {text}: give at least 1M (or use --no-cache)")
    return size


class TranslationMemory:
    """A sentence-level translation memory in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 notify: Callable[[str], None] | None = None, create: bool = True):
        self.path = Path(path) if path is not None else default_path()
        self.max_bytes = int(max_bytes)
        self.notify = notify
        self.hits = 0
        self.misses = 0
        self.stored = 0
        self.disabled: str | None = None  # why the memory is off for this run
        self._db: sqlite3.Connection | None = None
        self._create = create
        self._pid = os.getpid()

    # ------------------------------------------------------------ connection
    def _connect(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        if self._db is not None and self._pid == os.getpid():
            return self._db
        self._pid = os.getpid()  # a forked child opens its own connection
        try:
            if not self._create and not self.path.exists():
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"WAL mode unavailable (journal mode {mode})")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, context TEXT NOT NULL, "
                           "text TEXT NOT NULL, flags INTEGER NOT NULL, used INTEGER NOT NULL) WITHOUT ROWID")
                db.execute("CREATE INDEX IF NOT EXISTS entries_used ON entries (used)")
                db.execute("CREATE TABLE IF NOT EXISTS contexts (context TEXT PRIMARY KEY, "
                           "description TEXT NOT NULL, created INTEGER NOT NULL)")
                row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
                if row is None:
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                elif row[0] != str(SCHEMA_VERSION):
                    raise sqlite3.DatabaseError(f"schema {row[0]}, this mt reads {SCHEMA_VERSION}")
                if self._create:  # the bound of the last run that wrote, for `mt cache info`
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('max_bytes', ?)", (str(self.max_bytes),))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)
            return None
        self._db = db
        return db

    def _disable(self, exc: Exception) -> None:
        self.disabled = f"{type(exc).__name__}: {exc}"
        self.close()
        if self.notify:
            self.notify(f"translation memory {self.path} unusable ({self.disabled}); this run translates without "
                        "it (`mt cache clear` starts a new one, --no-cache turns it off)")

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ use
    def describe_context(self, context: str, description: dict) -> None:
        """Record what a context key stands for (shown by `mt cache info`)."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("INSERT OR IGNORE INTO contexts VALUES (?, ?, ?)",
                       (context, json.dumps(description, sort_keys=True, default=str), int(time.time())))
        except sqlite3.Error as exc:
            self._disable(exc)

    def lookup(self, keys: list[bytes]) -> dict[bytes, Cached]:
        """The stored outputs among `keys`; refreshes their last-use stamps."""
        db = self._connect()
        if db is None or not keys:
            self.misses += len(keys)
            return {}
        found: dict[bytes, Cached] = {}
        try:
            for start in range(0, len(keys), 500):  # SQLite's default limit on bound parameters
                chunk = keys[start: start + 500]
                marks = ",".join("?" * len(chunk))
                for key, text, flags in db.execute(f"SELECT key, text, flags FROM entries WHERE key IN ({marks})",
                                                   chunk):
                    found[bytes(key)] = Cached.from_row(text, flags)
            if found:
                now = time.time_ns()
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("UPDATE entries SET used = ? WHERE key = ?", ((now, k) for k in found))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            self._disable(exc)
            self.misses += len(keys)
            return {}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def store(self, context: str, items: list[tuple[bytes, Cached]]) -> None:
        """Keep `items` (one transaction), then evict past the size bound."""
        db = self._connect()
        if db is None or not items:
            return
        now = time.time_ns()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                               ((key, context, value.text, value.flags, now) for key, value in items))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self.stored += len(items)
            if self.used_bytes() > self.max_bytes:
                self.evict()
        except sqlite3.Error as exc:
            self._disable(exc)

    # ------------------------------------------------------------ size
    def used_bytes(self) -> int:
        """Bytes of the file's pages that hold data (free pages left by deletions not counted)."""
        db = self._connect()
        if db is None:
            return 0
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        return (pages - free) * size

    def evict(self) -> int:
        """Delete least recently used rows until the pages in use are within EVICT_TO x max_bytes."""
        db = self._connect()
        if db is None:
            return 0
        removed = 0
        target = int(self.max_bytes * EVICT_TO)
        while True:
            used = self.used_bytes()
            if used <= target:
                break
            rows = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
            if not rows:
                break
            # rows to drop, from the average row's share of the pages (at least 1, at most all)
            excess = max(1, min(rows, int(rows * (used - target) / used) + 1))
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute("DELETE FROM entries WHERE key IN "
                                    "(SELECT key FROM entries ORDER BY used LIMIT ?)", (excess,))
                removed += cursor.rowcount
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        if removed:
            db.execute("PRAGMA incremental_vacuum")  # give the freed pages back to the file system
        return removed

    def info(self) -> dict:
        """What `mt cache info` prints."""
        exists = self.path.exists()
        data = {"path": str(self.path), "exists": exists, "max_bytes": self.max_bytes}
        if not exists:
            return {**data, "entries": 0, "file_bytes": 0, "used_bytes": 0, "contexts": []}
        db = self._connect()
        if db is None:
            return {**data, "error": self.disabled}
        entries = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        bound = db.execute("SELECT value FROM meta WHERE name = 'max_bytes'").fetchone()
        if bound:
            data["max_bytes"] = int(bound[0])
        per_context = dict(db.execute("SELECT context, COUNT(*) FROM entries GROUP BY context").fetchall())
        described = {c: json.loads(d) for c, d in db.execute("SELECT context, description FROM contexts")}
        contexts = [{"context": c, "entries": n, **described.get(c, {})} for c, n in
                    sorted(per_context.items(), key=lambda kv: -kv[1])]
        files = sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                    if p.exists())
        return {**data, "entries": entries, "file_bytes": files, "used_bytes": self.used_bytes(),
                "contexts": contexts}

    def clear(self) -> int:
        """Delete every entry; returns how many there were. A file SQLite cannot read is removed."""
        if not self.path.exists():
            return 0
        db = self._connect()
        if db is None:  # not a database (or another schema): start over
            self.close()
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(str(self.path) + suffix)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise CacheError(f"cannot remove {self.path}{suffix}: {exc.strerror}") from None
            self.disabled = None
            return 0
        db.execute("BEGIN IMMEDIATE")
        try:
            count = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
            db.execute("DELETE FROM entries")
            db.execute("DELETE FROM contexts")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("PRAGMA incremental_vacuum")
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        return count


def open_memory(enabled: bool = True, path: str | Path | None = None, max_bytes: int | None = None,
                notify: Callable[[str], None] | None = None) -> TranslationMemory | None:
    """The run's translation memory, or None with --no-cache (MT_CACHE=off turns it off too)."""
    if not enabled or os.environ.get("MT_CACHE", "").strip().lower() in {"0", "off", "no", "false"}:
        return None
    return TranslationMemory(path, max_bytes or DEFAULT_MAX_BYTES, notify=notify)
