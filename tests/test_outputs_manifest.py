"""mt.outputs.manifest: reading a torn manifest, the latest record per (id, stage), resume keys, the run lock."""
from __future__ import annotations

import json

import pytest

from mt.outputs.manifest import LockedError, Manifest, RunLock, options_key, read_manifest


def record(doc_id="a", stage="translate", status="ok", **kw):
    return {"id": doc_id, "stage": stage, "status": status, "hash": "h1", "key": "k1", **kw}


def test_torn_and_foreign_lines_are_skipped(tmp_path):
    path = tmp_path / "manifest.jsonl"
    assert read_manifest(path) == []  # no manifest yet: nothing done
    path.write_bytes(b'{"id": "a", "status": "ok"}\n[1, 2]\n{"no_id": 1}\n\xff\xfe\n{"id": "b", "sta')
    assert read_manifest(path) == [{"id": "a", "status": "ok"}]


def test_torn_last_line_is_repaired_before_the_next_append(tmp_path):
    path = tmp_path / "manifest.jsonl"
    path.write_text(json.dumps(record("a")) + "\n" + '{"id": "b", "stage": "transl', encoding="utf-8")
    manifest = Manifest(tmp_path)
    assert set(manifest.latest) == {("a", "translate")}
    manifest.append(record("c"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[-1])["id"] == "c"  # not glued onto the torn line
    assert [r["id"] for r in read_manifest(path)] == ["a", "c"]
    assert "time" in read_manifest(path)[-1]


def test_latest_record_wins_per_id_and_stage(tmp_path):
    out_file = tmp_path / "a.en.txt"
    out_file.write_text("x", encoding="utf-8")
    first = Manifest(tmp_path)
    first.append(record("a"))
    first.append(record("a", stage="summarize"))
    first.append(record("a", status="error"))
    manifest = Manifest(tmp_path)  # a rerun reads the file back
    assert manifest.get("a", "translate")["status"] == "error"
    assert not manifest.done("a", "translate", "h1", "k1")
    assert manifest.done("a", "summarize", "h1", "k1", out_file)
    manifest.append(record("a", status="skipped"))
    assert manifest.done("a", "translate", "h1", "k1", out_file)


def test_done_needs_the_same_hash_key_and_an_existing_output(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.append(record("a"))
    assert manifest.done("a", "translate", "h1", "k1")
    assert not manifest.done("a", "translate", "h2", "k1")  # the input changed
    assert not manifest.done("a", "translate", "h1", "k2")  # the options changed
    assert not manifest.done("a", "translate", "h1", "k1", tmp_path / "deleted.en.txt")
    assert not manifest.done("b", "translate", "h1", "k1")


def test_options_key_is_stable_and_sensitive():
    key = options_key(model="opus-mt-uk-en", beams=4, glossary=["g.tsv"])
    assert key == options_key(glossary=["g.tsv"], beams=4, model="opus-mt-uk-en")  # order does not matter
    assert key != options_key(model="opus-mt-uk-en", beams=5, glossary=["g.tsv"])
    assert len(key) == 16 and int(key, 16) >= 0


def test_run_lock_is_reentrant_within_a_process(tmp_path):
    with RunLock(tmp_path / "out"):
        with RunLock(tmp_path / "out"):
            pass
        assert (tmp_path / "out" / ".mt" / "lock").exists()


def test_run_lock_held_by_another_process_is_refused_naming_it(tmp_path, lock_held_elsewhere):
    out = tmp_path / "out"
    pid = lock_held_elsewhere(out)
    with pytest.raises(LockedError, match=rf"another mt run \(pid {pid}\).*--wait SECONDS"):
        with RunLock(out, wait=0.2):
            pass
