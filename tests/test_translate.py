import json

import pytest

from mt.engines import EngineOptions
from mt.inputs.document import CorpusOptions
from mt.outputs import translations as outputs
from mt.outputs.manifest import LockedError, read_manifest
from mt.translate import translate_corpus
from mt.translator import TranslateOptions

MANIFEST_FIELDS = {"id", "stage", "source", "output", "status", "error", "model", "engine", "sentences", "seconds",
                   "glossary", "hash", "key", "dropped", "retries", "demo"}


def options(model, **kw):
    return TranslateOptions(engine=EngineOptions(model=str(model), engine="ct2"), **kw)


def test_translates_seeds_with_manifest_fields(seeds_copy, tmp_path, tiny_marian, translator):
    out = tmp_path / "out"
    summary = translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)
    assert summary.ok == 5 and not summary.failed and summary.exit_code == 0
    records = read_manifest(out / "manifest.jsonl")
    assert len(records) == 5 and all(MANIFEST_FIELDS <= set(r) for r in records)
    assert {r["status"] for r in records} == {"ok"}
    by_id = {r["id"]: r for r in records}
    assert by_id["003_ac40b6e118bc9d2a"]["dropped"] == {"related": 14}
    assert set(by_id["000_99a7aa9b4e6634b7"]["glossary"]) == {"matched", "enforced", "repaired", "missed"}
    for record in records:
        english = (out / record["output"]).read_text(encoding="utf-8").split("\n")
        assert english[1] == ""  # title, blank line, then paragraphs 1:1
        assert len(english) - 3 == record["paragraphs"]
        assert english[0].startswith(outputs.DEMO_LABEL)
        detail = json.loads((out / record["output"].replace(".en.txt", ".en.json")).read_text(encoding="utf-8"))
        assert len(detail["paragraphs"]) == record["paragraphs"] and detail["demo"] is True


def test_rerun_skips_done_work_and_force_redoes_it(seeds_copy, tmp_path, tiny_marian, translator):
    out = tmp_path / "out"
    translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)
    again = translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)
    assert again.skipped == 5 and again.ok == 0
    (seeds_copy / "000_99a7aa9b4e6634b7.txt").write_text("Новий заголовок\nНовий текст.", encoding="utf-8")
    changed = translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)
    assert changed.ok == 1 and changed.skipped == 4
    forced = translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator, force=True)
    assert forced.ok == 5
    other = translate_corpus([seeds_copy], out, options(tiny_marian), corpus=CorpusOptions(clean=False),
                             translator=translator)
    assert other.ok == 5  # different options: a different resume key


def test_interrupted_run_leaves_no_partial_file_and_resumes(seeds_copy, tmp_path, tiny_marian, translator,
                                                            monkeypatch):
    out = tmp_path / "out"
    real = outputs.write_translation
    calls = {"n": 0}

    def dies_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(outputs, "write_translation", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        translate_corpus([seeds_copy], out, options(tiny_marian, window_docs=1), translator=translator)
    monkeypatch.setattr(outputs, "write_translation", real)
    assert len(list(out.glob("*.en.txt"))) == 2 and not list(out.rglob("*.tmp"))
    resumed = translate_corpus([seeds_copy], out, options(tiny_marian, window_docs=1), translator=translator)
    assert resumed.skipped == 2 and resumed.ok == 3
    ok = [r for r in read_manifest(out / "manifest.jsonl") if r["status"] == "ok"]
    assert sorted(r["id"] for r in ok) == sorted(p.stem for p in seeds_copy.glob("*.txt"))


def test_torn_manifest_line_is_tolerated(seeds_copy, tmp_path, tiny_marian, translator):
    out = tmp_path / "out"
    translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)
    with open(out / "manifest.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "000_99a7aa9b4e6634b7", "stage": "transl')
    again = translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)
    assert again.skipped == 5
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines[-5:])


def test_bad_documents_fail_alone(tmp_path, tiny_marian, translator):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("Заголовок\nДобрий текст.", encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 100)
    summary = translate_corpus([src], tmp_path / "out", options(tiny_marian), translator=translator)
    assert summary.ok == 1 and [f["id"] for f in summary.failed] == ["bad"] and summary.exit_code == 1
    assert "binary" in summary.failed[0]["error"]


def test_jsonl_input_gives_jsonl_output_in_row_order(tmp_path, tiny_marian, translator):
    src = tmp_path / "in"
    src.mkdir()
    rows = [{"id": "b", "text": "Перший текст."}, {"id": "a", "text": "Другий текст.", "lang": "uk"}, {"x": 1}]
    (src / "feed.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    summary = translate_corpus([src], out, options(tiny_marian), translator=translator)
    assert summary.ok == 2 and len(summary.failed) == 1
    result = [json.loads(line) for line in (out / "feed.en.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in result] == ["feed#b", "feed#a", "feed#3"]
    assert result[0]["translation"] and result[1]["lang"] == "uk"
    assert result[2]["translation"] is None and "no 'text' field" in result[2]["error"]


def test_edited_input_table_leaves_no_stale_rows(tmp_path, tiny_marian, translator):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    feed = src / "feed.jsonl"
    rows = {k: {"id": k, "text": f"Текст номер {n}."} for n, k in enumerate("abc", start=1)}

    def run(keys):
        feed.write_text("".join(json.dumps(rows[k], ensure_ascii=False) + "\n" for k in keys), encoding="utf-8")
        summary = translate_corpus([src], out, options(tiny_marian), translator=translator)
        table = out / "feed.en.jsonl"
        written = [json.loads(x) for x in table.read_text(encoding="utf-8").splitlines()] if table.exists() else None
        return summary, written

    _, first = run("abc")
    summary, result = run("ca")  # b removed from the middle, c moved up
    assert summary.skipped == 2 and summary.ok == 0  # nothing is translated again
    assert [r["id"] for r in result] == ["feed#c", "feed#a"]
    assert [r["translation"] for r in result] == [first[2]["translation"], first[0]["translation"]]
    summary, result = run("")  # the feed is emptied: said, and its output table goes
    assert result is None and summary.failed == [{"id": "feed", "source": str(feed), "error": "the table has no rows"}]


def test_second_run_on_a_locked_out_is_refused(seeds_copy, tmp_path, tiny_marian, translator, lock_held_elsewhere):
    out = tmp_path / "out"
    lock_held_elsewhere(out)
    with pytest.raises(LockedError, match="another mt run"):
        translate_corpus([seeds_copy], out, options(tiny_marian), translator=translator)


def test_glossary_targets_always_reach_the_english(seeds_copy, tmp_path, tiny_marian, translator):
    from tests.conftest import SEEDS

    out = tmp_path / "out"
    summary = translate_corpus([seeds_copy], out, options(tiny_marian, glossaries=(str(SEEDS / "glossary.tsv"),)),
                               translator=translator)
    terms = summary.as_dict()["glossary"]
    assert terms["matched"] > 100 and terms["missed"] == 0
    assert terms["matched"] == terms["enforced"] + terms["repaired"]
    for record in read_manifest(out / "manifest.jsonl"):
        detail = json.loads((out / record["output"].replace(".en.txt", ".en.json")).read_text(encoding="utf-8"))
        english = "\n".join(p["en"] for p in detail["paragraphs"])
        for term in detail["terms"]:
            assert term["target"] in english or term["target"] in detail["title"]["en"], term


def test_strict_glossary_fails_documents_with_misses(seeds_copy, tmp_path, tiny_marian, translator):
    from tests.conftest import SEEDS

    opts = options(tiny_marian, glossaries=(str(SEEDS / "glossary.tsv"),), strict_glossary=True, repair=False)
    summary = translate_corpus([seeds_copy], tmp_path / "out", opts, translator=translator)
    assert summary.ok == 0 and len(summary.failed) == 5
    assert all("glossary terms missed (--strict-glossary)" in f["error"] for f in summary.failed)


def test_auto_glossary_clusters_variant_spellings(seeds_copy, tmp_path, tiny_marian, translator):
    out = tmp_path / "out"
    summary = translate_corpus([seeds_copy], out, options(tiny_marian, auto_glossary=True), translator=translator)
    clusters = summary.auto_glossary
    spellings = [set(c["spellings"]) for c in clusters]
    assert any({"Віктор Горемикін", "Віктор Горемікін"} <= s for s in spellings), clusters
    by_id = {r["id"]: r for r in read_manifest(out / "manifest.jsonl")}
    used = by_id["001_b4df3ac546630d11"]["auto_glossary"]
    assert any("Віктор Горемікін" in c["spellings"] for c in used)
    target = next(c["target"] for c in used if "Віктор Горемікін" in c["spellings"])
    for doc_id in ("000_99a7aa9b4e6634b7", "001_b4df3ac546630d11"):
        assert target in (out / f"{doc_id}.en.txt").read_text(encoding="utf-8")


def test_next_window_goes_to_the_engine_before_the_last_is_written(seeds_copy, tmp_path, tiny_marian, translator,
                                                                   monkeypatch):
    from mt.translator import Translator

    events: list[str] = []
    start, finish, write = Translator.start_documents, Translator.finish_documents, outputs.write_translation

    def started(self, docs):
        events.append("start " + docs[0].id[:3])
        return start(self, docs)

    def finished(self, job):
        events.append("finish " + job.results[0].doc.id[:3])
        return finish(self, job)

    def written(out, result, *args, **kwargs):
        events.append("write " + result.doc.id[:3])
        return write(out, result, *args, **kwargs)

    monkeypatch.setattr(Translator, "start_documents", started)
    monkeypatch.setattr(Translator, "finish_documents", finished)
    monkeypatch.setattr(outputs, "write_translation", written)
    summary = translate_corpus([seeds_copy], tmp_path / "out", options(tiny_marian, window_docs=1),
                               translator=translator)
    assert summary.ok == 5
    ids = sorted(p.stem[:3] for p in seeds_copy.glob("*.txt"))
    expected = [f"start {ids[0]}"]
    for this, following in zip(ids, ids[1:] + [None]):
        expected += ([f"start {following}"] if following else []) + [f"finish {this}", f"write {this}"]
    assert events == expected


def test_a_window_that_cannot_start_fails_only_its_bad_document(seeds_copy, tmp_path, tiny_marian, translator,
                                                                monkeypatch):
    from mt.translator import Translator

    start = Translator.start_documents
    bad = sorted(p.stem for p in seeds_copy.glob("*.txt"))[2]

    def breaks_on_bad(self, docs):
        if any(d.id == bad for d in docs):
            raise RuntimeError("segmenter crashed")
        return start(self, docs)

    monkeypatch.setattr(Translator, "start_documents", breaks_on_bad)
    summary = translate_corpus([seeds_copy], tmp_path / "out", options(tiny_marian), translator=translator)
    assert summary.ok == 4 and [f["id"] for f in summary.failed] == [bad]
    assert "segmenter crashed" in summary.failed[0]["error"]
