"""Atomic, contained output writing.

Every file is written to a temporary name in the same folder, flushed,
fsynced and renamed over the target, so a killed run never leaves a
truncated output. Paths derived from input are checked to stay inside OUT.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable

from mt.errors import MtError
from mt.inputs.document import content_hash


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give; mkstemp alone gives 0600


class OutputError(MtError):
    """OUT cannot be written (read-only, full, or a path would escape it)."""


def output_path(out: Path, rel: str, suffix: str) -> Path:
    """OUT/<rel><suffix>, refusing anything that would land outside OUT."""
    root = Path(out).resolve()
    path = (root / f"{rel}{suffix}").resolve()
    if root != path and root not in path.parents:
        raise OutputError(f"refusing to write outside the output folder: {rel}{suffix}")
    return path


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_lines(path, [text])


def atomic_write_lines(path: Path, chunks: Iterable[str]) -> None:
    """Stream chunks into a temporary file, then rename it over `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, FILE_MODE)
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path.parent)) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise OutputError(describe_os_error(exc, path)) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise
    landed(path)


def landed(path: Path) -> None:
    """A file of OUT is complete: when OUT is a bucket's mirror, upload it (mt.outputs.remote)."""
    from mt.outputs.remote import published

    published(path)


def atomic_write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def describe_os_error(exc: OSError, path: Path) -> str:
    import errno

    reasons = {
        errno.EACCES: "permission denied (is the output folder read-only?)",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.ENAMETOOLONG: "file name too long",
    }
    return f"cannot write {path}: {reasons.get(exc.errno, exc.strerror or str(exc))}"


def sweep_temporaries(out: Path) -> int:
    """Remove temporary files left by a run that was killed mid-write."""
    removed = 0
    for tmp in Path(out).rglob(".*.tmp"):
        _unlink_quietly(str(tmp))
        removed += 1
    return removed


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*\\]")


def safe_component(name: str, fallback: str = "_") -> str:
    """One path component that cannot escape OUT or break a filesystem."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).replace("/", "_")
    name = re.sub(r"\.{2,}", "_", name).strip().strip(".")
    if name in {"", ".", ".."}:
        name = fallback
    encoded = name.encode("utf-8")
    if len(encoded) > 150:  # leave room for suffixes within the usual 255-byte limit
        name = encoded[:140].decode("utf-8", "ignore") + "-" + content_hash(encoded)[:8]
    return name


def safe_rel(parts: list[str]) -> str:
    return "/".join(safe_component(p) for p in parts if p not in {"", "."})
