"""A local stand-in for the Hugging Face Hub, on 127.0.0.1 only (issue 16).

It speaks the part of the Hub's HTTP API that huggingface_hub 2.4 uses to
look at and download a model repository:

- ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}``
  (``repo_info``; ``?blobs=true`` adds sizes and LFS metadata);
- ``GET /api/models/{repo}/tree/{rev}`` (``list_repo_tree``);
- ``GET /api/models/{repo}/commits/{rev}`` (``list_repo_commits``);
- ``GET /api/models/{repo}/discussions`` (``get_repo_discussions``: the
  safetensors conversion bot's pull request);
- ``HEAD`` / ``GET /{repo}/resolve/{rev}/{file}`` with ``ETag``,
  ``X-Repo-Commit``, ``Content-Length`` (and ``X-Linked-Etag`` /
  ``X-Linked-Size`` for LFS files), ``Range``, and the Hub's
  ``X-Error-Code`` headers (RepoNotFound, RevisionNotFound, EntryNotFound).

Revisions are branch names (``main``), commit hashes or ``refs/pr/N``.
Repositories carry the real repositories' file layouts (opus-mt-uk-en,
distilbart-cnn-12-6) with tiny weights built by scripts/make_tiny_models.py.

Variants (`FakeHub.variant`): ``safetensors`` (weights on main), ``pr``
(pickle on main plus the conversion bot's ``refs/pr/1`` with
``model.safetensors``), ``pickle`` (pickle only), ``outage`` (503 on every
request) and ``slow`` (throttled downloads). Every request is recorded in
`FakeHub.requests`, so a test can assert that a second run made none.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

BOT = "SFconvertbot"
PR_TITLE = "Adding `safetensors` variant of this model"
LFS_SUFFIXES = (".bin", ".safetensors", ".h5", ".msgpack", ".ot", ".spm", ".model")
OPUS = "Helsinki-NLP/opus-mt-uk-en"
DISTILBART = "sshleifer/distilbart-cnn-12-6"


def _sha1(data: bytes) -> str:  # git's blob id
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Commit:
    sha: str
    files: dict[str, bytes]
    parent: str | None
    title: str = "Update"
    author: str = "user"


@dataclass
class Repo:
    repo_id: str
    commits: dict[str, Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "main", "refs/pr/1" -> commit sha
    discussions: list[dict] = field(default_factory=list)

    def commit(self, files: dict[str, bytes], parent: str | None, ref: str, title: str = "Update",
               author: str = "user") -> str:
        seed = json.dumps([self.repo_id, parent, ref, title, sorted((k, _sha1(v)) for k, v in files.items())])
        sha = hashlib.sha1(seed.encode()).hexdigest()
        self.commits[sha] = Commit(sha, dict(files), parent, title, author)
        self.refs[ref] = sha
        return sha

    def resolve(self, revision: str) -> Commit | None:
        sha = self.refs.get(revision, revision)
        return self.commits.get(sha)

    def history(self, sha: str) -> list[Commit]:
        out = []
        while sha is not None:
            commit = self.commits[sha]
            out.append(commit)
            sha = commit.parent
        return out


@dataclass
class Request:
    method: str
    path: str  # unquoted path without the query
    query: dict


class FakeHub:
    """The server; `url` is its HF_ENDPOINT."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[Request] = []
        self.unhandled: list[str] = []
        self.outage = False  # 503 on every request
        self.rate: float | None = None  # bytes per second for file bodies (the slow variant)
        self.latency = 0.0  # seconds before every answer
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-hub", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ repositories

    def add_repo(self, repo_id: str, files: dict[str, bytes]) -> Repo:
        repo = Repo(repo_id)
        repo.commit({".gitattributes": b"*.bin filter=lfs diff=lfs merge=lfs -text\n"}, None, "main",
                    "initial commit")
        repo.commit(files, repo.refs["main"], "main", "Upload model")
        self.repos[repo_id] = repo
        return repo

    def update(self, repo_id: str, changes: dict[str, bytes | None]) -> str:
        """A new upstream commit on main (None deletes a file); returns its sha."""
        repo = self.repos[repo_id]
        files = dict(repo.resolve("main").files)
        for name, data in changes.items():
            if data is None:
                files.pop(name, None)
            else:
                files[name] = data
        return repo.commit(files, repo.refs["main"], "main", "Update model")

    def open_pr(self, repo_id: str, added: dict[str, bytes], author: str = BOT, title: str = PR_TITLE,
                status: str = "open") -> str:
        """A pull request on main's head adding `added` (the conversion bot's by default); returns refs/pr/N."""
        repo = self.repos[repo_id]
        num = len(repo.discussions) + 1
        head = repo.resolve("main")
        ref = f"refs/pr/{num}"
        repo.commit({**head.files, **added}, head.sha, ref, title, author)
        repo.discussions.append({
            "num": num, "title": title, "author": {"name": author, "type": "user"}, "status": status,
            "createdAt": "2024-01-01T00:00:00.000Z", "isPullRequest": True, "numComments": 1,
            "pinned": False, "repo": {"name": repo_id, "type": "model"},
        })
        return ref

    def variant(self, name: str, files: "HubFiles") -> "FakeHub":
        """Serve opus-mt-uk-en and distilbart-cnn-12-6 as one of the test variants."""
        self.outage = name == "outage"
        if name == "slow":
            self.rate, self.latency = 2_000_000.0, 0.05
        marian_weights = "safetensors" if name in ("safetensors", "slow", "outage") else "pickle"
        self.add_repo(OPUS, files.opus_mt(marian_weights))
        if name == "pr":
            self.open_pr(OPUS, {"model.safetensors": files.marian["model.safetensors"]})
        self.add_repo(DISTILBART, files.distilbart("pickle" if name == "pickle" else "safetensors"))
        return self

    # ------------------------------------------------------------ bookkeeping

    def count(self, path_prefix: str = "") -> int:
        return sum(1 for r in self.requests if r.path.startswith(path_prefix))

    def downloads(self) -> list[str]:
        """Files whose bodies were sent (GET /{repo}/resolve/...)."""
        return [r.path for r in self.requests if r.method == "GET" and "/resolve/" in r.path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.unhandled.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def env(self, home: Path) -> dict[str, str]:
        """Environment for a subprocess using this hub with an HF cache under `home`."""
        env = {k: v for k, v in os.environ.items()
               if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}
               and not k.lower().endswith("_proxy")}
        env.update(HF_ENDPOINT=self.url, HF_HOME=str(home), HF_HUB_DISABLE_TELEMETRY="1",
                   NO_PROXY="127.0.0.1,localhost", TOKENIZERS_PARALLELISM="false")
        return env


def _handler(hub: FakeHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        # -------------------------------------------------- plumbing

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None, ctype="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for key, value in (headers or {}).items():
                self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD" or not body:
                return
            if hub.rate is None:
                self.wfile.write(body)
                return
            step = max(1024, int(hub.rate / 20))
            for start in range(0, len(body), step):
                self.wfile.write(body[start:start + step])
                self.wfile.flush()
                time.sleep(step / hub.rate)

        def _json(self, data, status=200, headers=None):
            self._send(status, json.dumps(data).encode(), headers)

        def _error(self, status: int, code: str | None, message: str, headers: dict | None = None):
            extra = dict(headers or {})
            if code:
                extra["X-Error-Code"] = code
            extra["X-Error-Message"] = message
            self._json({"error": message}, status, extra)

        def _drain(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)

        def do_HEAD(self):
            self._dispatch()

        def do_GET(self):
            self._dispatch()

        def do_POST(self):
            self._drain()
            self._dispatch()

        def _dispatch(self):
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            with hub._lock:
                hub.requests.append(Request(self.command, path, query))
            if hub.latency:
                time.sleep(hub.latency)
            if hub.outage:
                return self._error(503, None, "Service Unavailable")
            try:
                if path.startswith("/api/models/"):
                    return self._api(path[len("/api/models/"):], query)
                if "/resolve/" in path:
                    return self._resolve(parts.path)
            except BrokenPipeError:
                return None
            hub.unhandled.append(f"{self.command} {self.path}")
            return self._error(404, None, "Not Found")

        # -------------------------------------------------- the API

        def _repo(self, rest: str) -> tuple[Repo | None, str]:
            for repo_id, repo in hub.repos.items():
                if rest == repo_id or rest.startswith(repo_id + "/"):
                    return repo, rest[len(repo_id):].lstrip("/")
            return None, rest

        def _commit_or_error(self, repo: Repo, revision: str) -> Commit | None:
            commit = repo.resolve(revision)
            if commit is None:
                self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return commit

        def _api(self, rest: str, query: dict):
            repo, tail = self._repo(rest)
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository not found")
            if tail == "" or tail.startswith("revision/"):
                commit = self._commit_or_error(repo, tail[len("revision/"):] if tail else "main")
                if commit is None:
                    return None
                blobs = query.get("blobs", "").lower() == "true"
                return self._json({
                    "id": repo.repo_id, "modelId": repo.repo_id, "sha": commit.sha, "private": False,
                    "gated": False, "disabled": False, "lastModified": "2024-01-01T00:00:00.000Z",
                    "tags": ["transformers"], "library_name": "transformers",
                    "siblings": [_sibling(name, data, blobs) for name, data in sorted(commit.files.items())],
                })
            if tail.startswith("tree/"):
                rev_and_path = tail[len("tree/"):]
                revision = next((r for r in sorted(repo.refs, key=len, reverse=True)
                                 if rev_and_path == r or rev_and_path.startswith(r + "/")), rev_and_path.split("/")[0])
                commit = self._commit_or_error(repo, revision)
                if commit is None:
                    return None
                sub = rev_and_path[len(revision):].strip("/")
                entries = [_tree_entry(name, data) for name, data in sorted(commit.files.items())
                           if not sub or name.startswith(sub + "/")]
                return self._json(entries)
            if tail.startswith("commits/"):
                commit = self._commit_or_error(repo, tail[len("commits/"):])
                if commit is None:
                    return None
                return self._json([{
                    "id": c.sha, "title": c.title, "message": "", "date": "2024-01-01T00:00:00.000Z",
                    "authors": [{"user": c.author}]} for c in repo.history(commit.sha)])
            if tail == "discussions":
                found = [d for d in repo.discussions
                         if (query.get("type") in (None, "all")
                             or (query["type"] == "pull_request") == d["isPullRequest"])
                         and (query.get("status") in (None, "all") or query["status"] == d["status"])]
                return self._json({"discussions": found, "count": len(found), "start": 0,
                                   "numClosedDiscussions": 0})
            hub.unhandled.append(f"{self.command} {self.path}")
            return self._error(404, None, "Not Found")

        # -------------------------------------------------- files

        def _resolve(self, raw_path: str):
            head, _, rest = raw_path.partition("/resolve/")
            repo, _ = self._repo(unquote(head.lstrip("/")))
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository not found")
            revision, _, filename = rest.partition("/")
            revision, filename = unquote(revision), unquote(filename)
            if revision not in repo.refs and revision not in repo.commits:
                # huggingface_hub quotes refs/pr/1 as one segment; a client that does not would send refs/pr/1/...
                for ref in repo.refs:
                    if unquote(rest).startswith(ref + "/"):
                        revision, filename = ref, unquote(rest)[len(ref) + 1:]
                        break
            commit = self._commit_or_error(repo, revision)
            if commit is None:
                return None
            data = commit.files.get(filename)
            if data is None:
                return self._error(404, "EntryNotFound", f"{filename} does not exist",
                                   {"X-Repo-Commit": commit.sha})
            etag = _sha256(data) if filename.endswith(LFS_SUFFIXES) else _sha1(data)
            headers = {"X-Repo-Commit": commit.sha, "ETag": f'"{etag}"', "Accept-Ranges": "bytes"}
            if filename.endswith(LFS_SUFFIXES):
                headers.update({"X-Linked-Etag": f'"{etag}"', "X-Linked-Size": len(data)})
            status, body = 200, data
            wanted = self.headers.get("Range")
            if wanted and wanted.startswith("bytes=") and self.command == "GET":
                start_text, _, end_text = wanted[len("bytes="):].partition("-")
                start = int(start_text or 0)
                end = int(end_text) if end_text else len(data) - 1
                body = data[start:end + 1]
                status = 206
                headers["Content-Range"] = f"bytes {start}-{start + len(body) - 1}/{len(data)}"
            return self._send(status, body, headers, ctype="application/octet-stream")

    return Handler


def _sibling(name: str, data: bytes, blobs: bool) -> dict:
    entry: dict = {"rfilename": name}
    if blobs:
        entry.update(size=len(data), blobId=_sha1(data))
        if name.endswith(LFS_SUFFIXES):
            entry["lfs"] = {"size": len(data), "sha256": _sha256(data), "pointerSize": 134}
    return entry


def _tree_entry(name: str, data: bytes) -> dict:
    entry: dict = {"type": "file", "oid": _sha1(data), "size": len(data), "path": name}
    if name.endswith(LFS_SUFFIXES):
        entry["lfs"] = {"oid": _sha256(data), "size": len(data), "pointerSize": 134}
    return entry


# ------------------------------------------------------------ the repositories' files

@dataclass
class HubFiles:
    """Bytes of the tiny models, in the real repositories' layouts."""

    marian: dict[str, bytes]
    bart: dict[str, bytes]
    marian_pickle: bytes
    bart_pickle: bytes

    def opus_mt(self, weights: str = "safetensors") -> dict[str, bytes]:
        """Helsinki-NLP/opus-mt-uk-en: Marian config, SentencePiece models, vocab.json, and a TF copy."""
        files = {name: data for name, data in self.marian.items()
                 if name in {"config.json", "generation_config.json", "source.spm", "target.spm", "vocab.json",
                             "tokenizer_config.json"}}
        files.update({"README.md": b"# opus-mt-uk-en (tiny test copy)\n", "metadata.json": b"{}\n",
                      "tf_model.h5": b"\x89HDF tiny tensorflow weights mt never downloads"})
        if weights == "safetensors":
            files["model.safetensors"] = self.marian["model.safetensors"]
        files["pytorch_model.bin"] = self.marian_pickle
        return files

    def distilbart(self, weights: str = "safetensors") -> dict[str, bytes]:
        """sshleifer/distilbart-cnn-12-6: BART config, byte-level BPE (vocab.json, merges.txt), and other formats."""
        files = {name: data for name, data in self.bart.items()
                 if name in {"config.json", "generation_config.json", "vocab.json", "merges.txt",
                             "tokenizer_config.json"}}
        files.update({"README.md": b"# distilbart-cnn-12-6 (tiny test copy)\n",
                      "flax_model.msgpack": b"tiny flax weights mt never downloads",
                      "rust_model.ot": b"tiny rust weights mt never downloads",
                      "pytorch_model.bin": self.bart_pickle})
        if weights == "safetensors":
            files["model.safetensors"] = self.bart["model.safetensors"]
        return files


def _pickle_of(folder: Path) -> bytes:
    """pytorch_model.bin for a tiny model: its state dict, torch.save'd (a pickle, as old Hub repos hold)."""
    import torch
    from safetensors.torch import load_file

    buffer = io.BytesIO()
    torch.save(load_file(str(folder / "model.safetensors")), buffer)
    return buffer.getvalue()


def hub_files_from(models: dict[str, Path]) -> HubFiles:
    def read(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != "MT_DEMO_MODEL"}

    return HubFiles(read(models["marian"]), read(models["bart"]), _pickle_of(models["marian"]),
                    _pickle_of(models["bart"]))


# ------------------------------------------------------------ fixtures

@pytest.fixture(scope="session")
def hub_files(tiny_models) -> HubFiles:
    return hub_files_from(tiny_models)


@pytest.fixture()
def fake_hub(monkeypatch, tmp_path, hub_files):
    """An empty fake Hub plus this process set up as a user's online machine with an empty cache.

    `fake_hub.variant(name, fake_hub.files)` fills it; HF_ENDPOINT points at it, HF_HOME is empty,
    MT_MODELS_DIR is a fresh folder and HF_HUB_OFFLINE is unset (huggingface_hub's import-time
    constants are patched too, for code that runs in this process).
    """
    import huggingface_hub.constants as constants

    hub = FakeHub()
    hub.files = hub_files
    home = tmp_path / "hf-home"
    home.mkdir()
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "mt-models"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(constants, "HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(home / "hub"))
    hub.home = home
    try:
        yield hub
    finally:
        hub.stop()
