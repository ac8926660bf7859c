"""mt.outputs.files: atomic writes that leave no temporary file, paths kept inside OUT, plain error messages."""
from __future__ import annotations

import errno
import json
import os

import pytest

import mt.outputs.files
from mt.outputs.files import (
    FILE_MODE,
    OutputError,
    atomic_write_json,
    atomic_write_lines,
    atomic_write_text,
    output_path,
    sweep_temporaries,
)


def test_output_path_stays_inside_out(tmp_path):
    assert output_path(tmp_path, "sub/a", ".en.txt") == (tmp_path / "sub" / "a.en.txt").resolve()
    for rel in ("../escape", "sub/../../escape", "/etc/passwd"):
        with pytest.raises(OutputError, match="refusing to write outside the output folder"):
            output_path(tmp_path, rel, ".en.txt")


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "new" / "a.en.txt"
    atomic_write_text(path, "old\n")
    atomic_write_lines(path, ["Заголовок\n", "\n", "Текст.\n"])
    assert path.read_text(encoding="utf-8") == "Заголовок\n\nТекст.\n"
    assert os.listdir(path.parent) == ["a.en.txt"]
    assert os.stat(path).st_mode & 0o777 == FILE_MODE  # as open() would create it, not mkstemp's 0600


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "a.en.txt"
    atomic_write_text(path, "complete\n")

    def chunks():
        yield "half of a new "
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write_lines(path, chunks())
    assert path.read_text(encoding="utf-8") == "complete\n" and os.listdir(tmp_path) == ["a.en.txt"]


def test_a_full_disk_is_a_plain_output_error(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(mt.outputs.files.os, "fsync", full)
    with pytest.raises(OutputError, match=r"cannot write .*a\.json: no space left on the device"):
        atomic_write_json(tmp_path / "a.json", {"x": 1})
    assert os.listdir(tmp_path) == []


def test_json_is_readable_utf8_with_a_final_newline(tmp_path):
    atomic_write_json(tmp_path / "a.json", {"name": "Горемикін"})
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert "Горемикін" in text and text.endswith("}\n") and json.loads(text) == {"name": "Горемикін"}


def test_sweep_removes_only_temporaries(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".a.en.txt.x1.tmp").write_text("partial")
    (tmp_path / "sub" / ".b.en.json.x2.tmp").write_text("partial")
    (tmp_path / "a.en.txt").write_text("done")
    (tmp_path / "notes.tmp").write_text("not ours: not hidden")
    assert sweep_temporaries(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.en.txt", "notes.tmp"]
