"""The SQLite translation memory: keys, crash safety, two processes, the size bound, info/clear."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mt.engines.tm import (
    Cached,
    CacheError,
    TranslationMemory,
    context_key,
    open_memory,
    parse_cache_size,
    piece_key,
    resolved_revision,
)

ROOT = Path(__file__).resolve().parents[1]


def _ctx(**over) -> str:
    parts = {"revision": "folder:abc", "engine": "ct2", "compute_type": "int8", "beams": 4, "guard": True,
             "max_new_tokens": None}
    parts.update(over)
    return context_key(**parts)


# ------------------------------------------------------------ the key
def test_key_covers_every_part():
    base = piece_key(_ctx(), "Київ.")
    assert piece_key(_ctx(), "Київ.") == base  # stable
    assert context_key(a=1, b=2) == context_key(b=2, a=1)  # order of the parts does not matter
    different = [
        piece_key(_ctx(revision="folder:abd"), "Київ."),  # the model's resolved revision
        piece_key(_ctx(engine="hf"), "Київ."),  # the engine
        piece_key(_ctx(compute_type="float32"), "Київ."),
        piece_key(_ctx(beams=1), "Київ."),  # decoding settings
        piece_key(_ctx(guard=False), "Київ."),
        piece_key(_ctx(max_new_tokens=48), "Київ."),
        piece_key(_ctx(), "Київ"),  # the exact source piece
        piece_key(_ctx(), "Київ. "),
        piece_key(_ctx(), "Київ.", bias=["Kyiv"]),  # the bias's entries (transformers engine)
    ]
    assert base not in different and len(set(different)) == len(different)
    assert piece_key(_ctx(), "Київ.", bias=["Kyiv"]) != piece_key(_ctx(), "Київ.", bias=["Kiev"])
    assert piece_key(_ctx(), "Київ.", bias=[]) == base  # no bias entries: the same as no bias


def test_resolved_revision_follows_the_weights(tmp_path):
    class Spec:
        path = tmp_path
        revision = None

    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"x" * 10)
    first = resolved_revision(Spec, tmp_path)
    assert first == resolved_revision(Spec, tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"y" * 11)  # new weights under the same folder name
    assert resolved_revision(Spec, tmp_path) != first

    class HubSpec:
        path = None
        revision = None

    snapshot = tmp_path / "abcdef123"
    snapshot.mkdir()
    assert resolved_revision(HubSpec, snapshot) == "snapshot:abcdef123"
    assert resolved_revision(HubSpec, None) == "revision:main"


# ------------------------------------------------------------ store and look up
def test_roundtrip_and_flags(tmp_path):
    ctx = _ctx()
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        keys = [piece_key(ctx, s) for s in ("один", "два", "три")]
        assert tm.lookup(keys) == {}
        tm.store(ctx, [(keys[0], Cached("one")), (keys[1], Cached("two", retried=True, degenerate=True))])
        found = tm.lookup(keys)
        assert found == {keys[0]: Cached("one"), keys[1]: Cached("two", True, True)}
        assert (tm.hits, tm.misses, tm.stored) == (2, 4, 2)
    with TranslationMemory(tmp_path / "tm.sqlite3") as again:  # persistent
        assert again.lookup([keys[0]])[keys[0]].text == "one"
        db = sqlite3.connect(tmp_path / "tm.sqlite3")
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_info_and_clear(tmp_path):
    path = tmp_path / "tm.sqlite3"
    ctx = _ctx()
    tm = TranslationMemory(path)
    assert tm.info()["exists"] is False
    tm.describe_context(ctx, {"model": "tiny", "engine": "ct2", "beams": 4})
    tm.store(ctx, [(piece_key(ctx, str(i)), Cached(f"t{i}")) for i in range(50)])
    info = tm.info()
    assert info["entries"] == 50 and info["file_bytes"] > 0
    assert info["contexts"][0]["entries"] == 50 and info["contexts"][0]["model"] == "tiny"
    assert tm.clear() == 50
    assert tm.info()["entries"] == 0
    assert tm.lookup([piece_key(ctx, "1")]) == {}


def test_unusable_file_is_noted_and_skipped(tmp_path):
    path = tmp_path / "tm.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    notes: list[str] = []
    tm = TranslationMemory(path, notify=notes.append)
    ctx = _ctx()
    assert tm.lookup([piece_key(ctx, "x")]) == {}
    tm.store(ctx, [(piece_key(ctx, "x"), Cached("x"))])  # no exception
    assert len(notes) == 1 and "unusable" in notes[0] and "mt cache clear" in notes[0]
    assert tm.clear() == 0 and not path.exists()  # clear starts over
    fresh = TranslationMemory(path)
    fresh.store(ctx, [(piece_key(ctx, "x"), Cached("x"))])
    assert fresh.lookup([piece_key(ctx, "x")])


def test_off_switches(tmp_path, monkeypatch):
    assert open_memory(enabled=False) is None
    monkeypatch.setenv("MT_CACHE", "off")
    assert open_memory(path=tmp_path / "x.sqlite3") is None
    monkeypatch.delenv("MT_CACHE")
    assert open_memory(path=tmp_path / "x.sqlite3") is not None


def test_cache_size_option():
    assert parse_cache_size(None) == 1 << 30
    assert parse_cache_size("500M") == 500 << 20
    with pytest.raises(CacheError, match="--cache-size"):
        parse_cache_size("lots")
    with pytest.raises(CacheError, match="at least 1M"):
        parse_cache_size("10K")


# ------------------------------------------------------------ the size bound
def test_size_bound_evicts_least_recently_used(tmp_path):
    ctx = _ctx()
    bound = 256 * 1024
    tm = TranslationMemory(tmp_path / "tm.sqlite3", max_bytes=bound)
    first = [(piece_key(ctx, f"old {i}"), Cached("x" * 200)) for i in range(100)]
    tm.store(ctx, first)
    kept = first[:10]
    for batch in range(30):  # much more than the bound, touching the first 10 between writes
        time.sleep(0.002)
        assert len(tm.lookup([k for k, _ in kept])) == 10
        tm.store(ctx, [(piece_key(ctx, f"new {batch} {i}"), Cached("y" * 200)) for i in range(100)])
        assert tm.used_bytes() <= bound
    found = tm.lookup([k for k, _ in first])
    assert set(found) == {k for k, _ in kept}  # recently used survive, the rest of the oldest went
    latest = [piece_key(ctx, f"new 29 {i}") for i in range(100)]
    assert len(tm.lookup(latest)) == 100
    assert (tmp_path / "tm.sqlite3").stat().st_size <= 2 * bound  # freed pages go back to the file system


# ------------------------------------------------------------ processes
WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from mt.engines.tm import TranslationMemory, Cached, piece_key
    path, name, ctx, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    tm = TranslationMemory(path)
    if mode == "crash":
        for i in range(20):  # 20 committed writes
            tm.store(ctx, [(piece_key(ctx, f"{{name}} {{i}}"), Cached(f"done {{i}}"))])
        db = tm._connect()
        db.execute("BEGIN IMMEDIATE")
        for i in range(5000):  # a big write, never committed
            db.execute("INSERT INTO entries VALUES (?, ?, ?, 0, 0)", (piece_key(ctx, f"torn {{i}}"), ctx, "torn"))
        print("writing", flush=True)
        time.sleep(60)
    else:
        for i in range(40):
            tm.store(ctx, [(piece_key(ctx, f"{{name}} {{i}} {{j}}"), Cached(f"{{name}} {{i}} {{j}}"))
                           for j in range(10)])
            tm.lookup([piece_key(ctx, f"{{name}} {{i}} 0")])
        assert tm.disabled is None, tm.disabled
        print("ok", flush=True)
""").format(root=str(ROOT))


def _writer(tmp_path, path, name, ctx, mode):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(path), name, ctx, mode], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_killed_writer_loses_no_earlier_entry(tmp_path):
    path = tmp_path / "tm.sqlite3"
    ctx = _ctx()
    proc = _writer(tmp_path, path, "a", ctx, "crash")
    try:
        assert proc.stdout.readline().strip() == "writing", proc.stderr.read()
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # mid-transaction
        proc.wait(timeout=30)
    tm = TranslationMemory(path)
    found = tm.lookup([piece_key(ctx, f"a {i}") for i in range(20)])
    assert sorted(v.text for v in found.values()) == sorted(f"done {i}" for i in range(20))
    assert tm.lookup([piece_key(ctx, "torn 0"), piece_key(ctx, "torn 4999")]) == {}
    db = tm._connect()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    tm.store(ctx, [(piece_key(ctx, "after"), Cached("after"))])  # and it is writable again
    assert tm.lookup([piece_key(ctx, "after")])


def test_two_processes_write_at_once(tmp_path):
    path = tmp_path / "tm.sqlite3"
    ctx = _ctx()
    procs = [_writer(tmp_path, path, name, ctx, "write") for name in ("a", "b")]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "ok", err
    tm = TranslationMemory(path)
    keys = [piece_key(ctx, f"{n} {i} {j}") for n in "ab" for i in range(40) for j in range(10)]
    found = tm.lookup(keys)
    assert len(found) == 800
    assert found[piece_key(ctx, "b 39 9")].text == "b 39 9"


# ------------------------------------------------------------ in the Translator and the translate job
SEEDS = ROOT / "seeds"


def _options(model, engine="ct2", **kw):
    from mt.engines import EngineOptions
    from mt.translator import TranslateOptions

    return TranslateOptions(engine=EngineOptions(model=str(model), engine=engine), **kw)


def _english(out: Path) -> dict[str, str]:
    """Every translation file under OUT (not the manifest or mt's own state)."""
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*"))
            if p.is_file() and ".mt" not in p.parts and p.name != "manifest.jsonl"}


def _engine_texts(engine, spy_engine) -> list[str]:
    """What the engine is asked to translate (first passes; the repetition guard's retries not counted)."""
    seen: list[str] = []

    def before(texts, settings=None):
        if settings is None or not settings.anti_repeat:
            seen.extend(texts)

    spy_engine(engine, before)
    return seen


@pytest.mark.parametrize("engine", ["ct2", "hf"])
def test_output_identical_with_and_without_the_cache(tiny_marian, tmp_path, monkeypatch, spy_engine, engine):
    from mt.inputs.corpus import load_corpus
    from mt.translator import Translator

    monkeypatch.delenv("MT_CACHE", raising=False)
    docs = [d for d in load_corpus([SEEDS])][:3]
    glossary = (str(SEEDS / "glossary.tsv"),)
    plain = Translator(_options(tiny_marian, engine, glossaries=glossary, cache=False))
    assert plain.memory is None
    expected = plain.translate_documents(docs)
    path = tmp_path / "tm.sqlite3"
    first = Translator(_options(tiny_marian, engine, glossaries=glossary, cache_path=str(path)), engine=plain.engine)
    filled = first.translate_documents(docs)
    assert sum(r.cache_hits for r in filled) == 0 and first.memory.stored > 0
    second = Translator(_options(tiny_marian, engine, glossaries=glossary, cache_path=str(path)), engine=plain.engine)
    seen = _engine_texts(plain.engine, spy_engine)
    served = second.translate_documents(docs)
    assert seen == []  # every piece came from the memory
    for want, a, b in zip(expected, filled, served):
        for got in (a, b):
            assert (got.title, got.paragraphs) == (want.title, want.paragraphs)
            assert [t.__dict__ for t in got.terms] == [t.__dict__ for t in want.terms]
            assert (got.retries, got.degenerate) == (want.retries, want.degenerate)
    assert sum(r.cache_hits for r in served) == second.memory.hits > 0  # counted per document


def test_other_settings_miss(tiny_marian, tmp_path, monkeypatch, spy_engine):
    from mt.engines import EngineOptions
    from mt.translator import TranslateOptions, Translator

    monkeypatch.delenv("MT_CACHE", raising=False)
    path = str(tmp_path / "tm.sqlite3")
    greedy = Translator(TranslateOptions(engine=EngineOptions(model=str(tiny_marian), engine="ct2", beams=1),
                                         cache_path=path))
    greedy.translate(["Київ зранку.", "Харків увечері."])
    beams = Translator(TranslateOptions(engine=EngineOptions(model=str(tiny_marian), engine="ct2", beams=2),
                                        cache_path=path))
    seen = _engine_texts(beams.engine, spy_engine)
    beams.translate(["Київ зранку.", "Харків увечері."])
    assert sorted(seen) == ["Київ зранку.", "Харків увечері."]  # another beam size: another context
    again = Translator(TranslateOptions(engine=EngineOptions(model=str(tiny_marian), engine="ct2", beams=1),
                                        cache_path=path), engine=greedy.engine)
    seen = _engine_texts(greedy.engine, spy_engine)
    again.translate(["Київ зранку.", "Нове речення."])
    assert seen == ["Нове речення."]


def _edit_glossary(src: Path, dest: Path) -> Path:
    text = src.read_text(encoding="utf-8")
    assert "\tSergei Shoigu\t" in text
    dest.write_text(text.replace("\tSergei Shoigu\t", "\tSergey Shoygu\t"), encoding="utf-8")
    return dest


def test_rerun_after_a_glossary_edit_reapplies_only_the_glossary(tiny_marian, tmp_path, monkeypatch, spy_engine,
                                                                 seeds_copy):
    from mt.outputs.manifest import read_manifest
    from mt.translate import translate_corpus
    from mt.translator import Translator

    monkeypatch.delenv("MT_CACHE", raising=False)
    path = str(tmp_path / "tm.sqlite3")
    before = tmp_path / "before.tsv"
    before.write_text((SEEDS / "glossary.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    first = translate_corpus([seeds_copy], out, _options(tiny_marian, glossaries=(str(before),), cache_path=path))
    assert first.ok == 5 and first.cache_hits == 0
    edited = _edit_glossary(before, tmp_path / "after.tsv")
    lender = Translator(_options(tiny_marian, cache=False))
    seen = _engine_texts(lender.engine, spy_engine)
    rerun = translate_corpus([seeds_copy], out, _options(tiny_marian, glossaries=(str(edited),), cache_path=path),
                             translator=lender)
    assert rerun.ok == 5 and rerun.skipped == 0  # the glossary changed: every document is redone...
    assert seen == []  # ...without the engine
    records = [r for r in read_manifest(out / "manifest.jsonl")][-5:]
    assert all(r["cache_hits"] > 0 for r in records) and rerun.cache_hits == sum(r["cache_hits"] for r in records)
    fresh = tmp_path / "fresh"
    translate_corpus([seeds_copy], fresh, _options(tiny_marian, glossaries=(str(edited),), cache=False))
    assert _english(out) == _english(fresh)  # identical to a fresh run under the new glossary
    assert "Sergey Shoygu" in "".join(_english(out).values())


def test_transformers_keys_cover_the_bias(tiny_marian, tmp_path, monkeypatch, spy_engine):
    """The transformers engine biases decoding towards glossary targets: an edited target misses."""
    from mt.translator import Translator

    monkeypatch.delenv("MT_CACHE", raising=False)
    path = str(tmp_path / "tm.sqlite3")
    before = tmp_path / "before.tsv"
    before.write_text((SEEDS / "glossary.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    sentences = ["Сергій Шойгу прибув до Пхеньяна.", "Погода була гарна."]
    first = Translator(_options(tiny_marian, "hf", glossaries=(str(before),), cache_path=path))
    first.translate(sentences)
    edited = _edit_glossary(before, tmp_path / "after.tsv")
    second = Translator(_options(tiny_marian, "hf", glossaries=(str(edited),), cache_path=path), engine=first.engine)
    seen = _engine_texts(first.engine, spy_engine)
    second.translate(sentences)
    assert seen == ["Сергій Шойгу прибув до Пхеньяна."]  # its bias changed; the other sentence's did not


def test_a_piece_repeated_from_the_window_in_flight_is_translated_once(tiny_marian, tmp_path, monkeypatch,
                                                                       spy_engine):
    """Windows overlap: the next starts before the last is stored; its repeats wait for the last one."""
    from mt.engines import EngineOptions
    from mt.outputs.manifest import read_manifest
    from mt.translate import translate_corpus
    from mt.translator import TranslateOptions, Translator

    monkeypatch.delenv("MT_CACHE", raising=False)
    src = tmp_path / "in"
    src.mkdir()
    wire = "Агенція повідомила про нові санкції проти банків."
    for i in range(4):
        (src / f"d{i}.txt").write_text(f"Заголовок номер {i}\n\nВласне речення номер {i}. {wire}\n", encoding="utf-8")
    # a fixed output length: the untrained model never ends a sentence, so its output would run to each
    # batch's length limit, which depends on the batch's longest source (see docs/engines.md)
    fixed = EngineOptions(model=str(tiny_marian), engine="ct2", fixed_output_tokens=6)
    options = TranslateOptions(engine=fixed, cache_path=str(tmp_path / "tm.sqlite3"), window_docs=1)
    lender = Translator(TranslateOptions(engine=fixed, cache=False))
    seen = _engine_texts(lender.engine, spy_engine)
    summary = translate_corpus([src], tmp_path / "out", options, translator=lender)
    assert summary.ok == 4 and seen.count(wire) == 1
    assert summary.cache_hits == 3
    plain = translate_corpus([src], tmp_path / "plain", TranslateOptions(engine=fixed, cache=False, window_docs=1))
    assert plain.ok == 4 and _english(tmp_path / "out") == _english(tmp_path / "plain")
    assert [r["cache_hits"] for r in read_manifest(tmp_path / "out" / "manifest.jsonl")] == [0, 1, 1, 1]


# ------------------------------------------------------------ the command line
def _mt(*args, env=None):
    from click.testing import CliRunner

    from mt.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def test_cli_translate_uses_the_memory_and_mt_cache_shows_and_clears_it(tiny_marian, tmp_path, monkeypatch):
    import json

    monkeypatch.delenv("MT_CACHE", raising=False)
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "store"))  # the memory lives under the model store
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Заголовок\n\nПерше речення. Друге речення.\n", encoding="utf-8")
    first = _mt("translate", src, "-o", tmp_path / "o1", "-m", tiny_marian, "--engine", "ct2", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["cache_hits"] == 0
    again = _mt("translate", src, "-o", tmp_path / "o2", "-m", tiny_marian, "--engine", "ct2", "--json")
    assert json.loads(again.stdout)["cache_hits"] == 3  # title and two sentences
    off = _mt("translate", src, "-o", tmp_path / "o3", "-m", tiny_marian, "--engine", "ct2", "--no-cache", "--json")
    assert json.loads(off.stdout)["cache_hits"] == 0
    info = _mt("cache", "info", "--json")
    data = json.loads(info.stdout)
    assert data["path"] == str(tmp_path / "store" / "cache" / "translations.sqlite3") and data["entries"] == 3
    assert data["contexts"][0]["engine"] == "ctranslate2"
    assert "3 sentences" in _mt("cache", "info").stdout
    assert "cleared 3 sentences" in _mt("cache", "clear").stdout
    assert json.loads(_mt("cache", "info", "--json").stdout)["entries"] == 0


def test_cli_rejects_bad_sizes_in_one_line(tiny_marian, tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Речення.\n", encoding="utf-8")
    bad = _mt("translate", src, "-o", tmp_path / "o", "-m", tiny_marian, "--max-memory", "lots")
    assert bad.exit_code == 2 and "400M" in bad.output and "Traceback" not in bad.output
    monkeypatch.setenv("MT_MAX_MEMORY", "0")
    env_bad = _mt("translate", src, "-o", tmp_path / "o", "-m", tiny_marian)
    assert env_bad.exit_code == 2 and "MT_MAX_MEMORY" in env_bad.output
    monkeypatch.delenv("MT_MAX_MEMORY")
    size = _mt("translate", src, "-o", tmp_path / "o", "-m", tiny_marian, "--cache-size", "10K")
    assert size.exit_code == 2 and "at least 1M" in size.output
    assert not (tmp_path / "o").exists()  # usage errors come before anything is created


def test_cli_max_memory_sizes_the_batches(tiny_marian, tmp_path, monkeypatch):
    from mt.engines import EngineOptions, create_engine

    small = create_engine(EngineOptions(model=str(tiny_marian), engine="ct2", max_memory="64M", beams=4))
    big = create_engine(EngineOptions(model=str(tiny_marian), engine="ct2", max_memory="8G", beams=1))
    tokens_small, sentences_small = small.batch_limits()
    tokens_big, sentences_big = big.batch_limits()
    assert sentences_small == 1 and sentences_big == 64 and tokens_big > tokens_small
    assert big.describe()["memory"]["max_memory_mb"] == 8192
    capped = create_engine(EngineOptions(model=str(tiny_marian), engine="ct2", max_memory="8G", max_batch_size=5))
    assert capped.batch_limits()[1] == 5  # --batch-size only lowers the budget's bound
