"""Inputs on object stores and other filesystems: ``s3://``, ``gs://``, ``hdfs://`` and any fsspec URL.

A URL input is listed and read through pyarrow's filesystems (S3, Google Cloud Storage and HDFS
are built into the pyarrow wheel mt already installs; credentials and endpoints come from the
usual environment: ``AWS_*``, ``AWS_ENDPOINT_URL``, ``GOOGLE_APPLICATION_CREDENTIALS``…). Any
other scheme goes through fsspec when its package is installed (``az://`` with adlfs, ``http://``
with aiohttp…). On a Ray cluster the driver lists the URL and each worker reads its own files
from the store: nothing passes through the driver.

`RemoteFile` stands in for a `pathlib.Path` wherever the readers take one (``suffix``, ``stem``,
``name``, ``stat().st_size``, ``read_bytes()``, ``open("rb")``), so one file is read the same way
wherever it lives. Listing follows `mt.inputs.corpus.iter_files`: sorted, hidden names skipped,
mt's own outputs skipped, and each file's output name built from its path below the URL.
"""
from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from mt.inputs.document import CorpusError

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(path) -> bool:
    """Whether `path` is a URL input (a scheme other than file://)."""
    if isinstance(path, RemoteFile):
        return True
    match = _URL.match(str(path))
    return bool(match) and match.group(1).lower() != "file"


def source_path(path) -> Path | RemoteFile:
    """An input as the readers take it: a `RemoteFile` for a URL, else a `Path`."""
    if isinstance(path, (Path, RemoteFile)):
        return path
    text = str(path)
    if text.lower().startswith("file://"):
        return Path(text[len("file://"):])
    if not is_url(text):
        return Path(text)
    check_url(text)
    return RemoteFile(text)


_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@")


def check_url(url: str) -> str:
    """`url`, or CorpusError when it carries credentials (they would be written into every manifest
    line and output record that names the source)."""
    if _USERINFO.match(url):
        raise CorpusError(f"{url.split('://')[0]}:// URL with credentials in it: give them in the environment "
                          "(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS...) "
                          "and not in the URL, which mt records")
    return url


@functools.lru_cache(maxsize=64)
def filesystem(url: str):
    """(pyarrow filesystem, path inside it) for `url`, or CorpusError saying why not. Cached: a listed
    folder's files share their folder's filesystem (`RemoteFile.root`), one client per process."""
    import pyarrow as pa
    import pyarrow.fs as pafs

    try:
        return pafs.FileSystem.from_uri(url)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as arrow_error:
        try:
            import fsspec
            from pyarrow.fs import FSSpecHandler, PyFileSystem

            fs, path = fsspec.core.url_to_fs(url)
        except ImportError as exc:  # fsspec knows the scheme, its package is not installed
            raise CorpusError(f"cannot read {url}: {exc}") from None
        except (ValueError, KeyError):
            raise CorpusError(f"cannot read {url}: {arrow_error} (and fsspec knows no such filesystem)") from None
        return PyFileSystem(FSSpecHandler(fs)), path
    except OSError as exc:
        raise CorpusError(f"cannot reach {url}: {first_line(exc)}") from None


@dataclass(frozen=True)
class RemoteFile:
    """One file behind a URL, with the `Path` methods the readers use."""

    url: str
    root: str = ""  # the URL whose filesystem this file is read through (the listed folder)
    inner: str = ""  # the file's path inside that filesystem
    size: int | None = None  # from the listing, so that reading it costs one request, not two

    @classmethod
    def below(cls, root: str, rel: str, size: int | None = None) -> "RemoteFile":
        """The object `rel` below the folder URL `root`, read through `root`'s filesystem."""
        return cls(f"{root}/{rel}", root=root, inner=f"{filesystem(root)[1].rstrip('/')}/{rel}", size=size)

    def _fs(self):
        if not self.root:
            return filesystem(self.url)
        return filesystem(self.root)[0], self.inner

    def __str__(self) -> str:
        return self.url

    def __fspath__(self) -> str:  # so that nothing takes it for a local file by accident
        raise TypeError(f"{self.url} is not a local path")

    @property
    def name(self) -> str:
        return PurePosixPath(self.url.split("://", 1)[1]).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    def _info(self):
        fs, path = self._fs()
        try:
            return fs, path, fs.get_file_info(path)
        except OSError as exc:
            raise CorpusError(f"cannot reach {self.url}: {first_line(exc)}") from None

    def exists(self) -> bool:
        return self._info()[2].type.name != "NotFound"

    def is_file(self) -> bool:
        return self._info()[2].type.name == "File"

    def is_dir(self) -> bool:
        return self._info()[2].type.name == "Directory"

    def is_symlink(self) -> bool:
        return False

    def stat(self):
        if self.size is not None:
            return _Stat(st_size=self.size)
        _, _, info = self._info()
        if info.type.name == "NotFound":
            raise FileNotFoundError(2, "no such file", self.url)
        return _Stat(st_size=info.size or 0)

    def read_bytes(self) -> bytes:
        with self.open("rb") as stream:
            return stream.read()

    def open(self, mode: str = "rb"):
        """A buffered stream of the object (read as it is consumed, never whole into memory)."""
        if mode != "rb":
            raise ValueError("remote inputs are read only")
        fs, path = self._fs()
        try:
            return io.BufferedReader(_Raw(fs.open_input_stream(path)), buffer_size=1 << 20)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise OSError(f"cannot read {self.url}: {first_line(exc)}") from None

    def copy_to(self, local: Path) -> None:
        """Stream the object into a local file, a megabyte at a time."""
        with self.open("rb") as source, open(local, "wb") as target:
            while chunk := source.read(1 << 20):
                target.write(chunk)


class _Raw(io.RawIOBase):
    """A pyarrow input stream as a raw Python stream (for io.BufferedReader)."""

    def __init__(self, stream):
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


@dataclass(frozen=True)
class _Stat:
    st_size: int


def iter_remote(url: str, is_input) -> Iterator[tuple[RemoteFile, list[str] | None]]:
    """(file, its path parts below the URL) for the URL's file, or for every input file below it,
    sorted; (url, None) when nothing is there. `is_input(name)` says whether a file name is one mt reads."""
    import pyarrow.fs as pafs

    root = RemoteFile(url.rstrip("/"))
    fs, path, info = root._info()
    if info.type.name == "File":
        yield root, [root.name]
        return
    if info.type.name != "Directory":
        yield root, None
        return
    try:
        found = fs.get_file_info(pafs.FileSelector(path, recursive=True))
    except OSError as exc:
        raise CorpusError(f"cannot list {url}: {first_line(exc)}") from None
    base = PurePosixPath(path)
    for entry in sorted((e for e in found if e.type.name == "File"), key=lambda e: e.path):
        parts = PurePosixPath(entry.path).relative_to(base).parts
        if any(part.startswith(".") for part in parts) or not is_input(parts[-1]):
            continue
        yield RemoteFile.below(root.url, "/".join(parts), entry.size), list(parts)


def first_line(exc: Exception) -> str:
    """The first line of an error's message (pyarrow's carry the SDK's whole report)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
