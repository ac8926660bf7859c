"""mt.summarize and mt.brief: summarize_corpus and brief_corpus.

Resume per stage, isolation, manifest, digest, scores.
"""
from __future__ import annotations

import json
import shutil

import pytest

from mt.brief import brief_corpus
from mt.engines import EngineOptions
from mt.glossary import load_glossary
from mt.outputs.layout import SUMMARY_DEMO_LABEL
from mt.outputs.manifest import LockedError, read_manifest
from mt.summarize import summarize_corpus
from mt.summarizer import SummarizeOptions, Summarizer
from mt.translate import translate_corpus
from mt.translator import TranslateOptions, Translator
from tests.summarize_helpers import GLOSSARY, SEEDS, FakeEngine, small_seeds

FIELDS = {"id", "stage", "source", "output", "status", "error", "model", "engine", "seconds", "hash", "key", "demo"}
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def mt_options(tiny_models):
    return TranslateOptions(engine=EngineOptions(model=str(tiny_models["marian"]), engine="hf", threads=1),
                            glossaries=(str(GLOSSARY),))


@pytest.fixture(scope="module")
def tiny_translator(mt_options):
    return Translator(mt_options)


@pytest.fixture(scope="module")
def translated(tmp_path_factory, mt_options, tiny_translator):
    """Small seeds and an OUT where they are already translated (copied per test: translate then resumes)."""
    root = tmp_path_factory.mktemp("stages")
    seeds = small_seeds(root / "seeds", lines=2)
    template = root / "template"
    assert translate_corpus([seeds], template, mt_options, translator=tiny_translator).ok == 5
    return seeds, template


@pytest.fixture()
def out(translated, tmp_path):
    return shutil.copytree(translated[1], tmp_path / "out")


def fake_summarizer(options=None, reply=None, engine=None):
    options = options or SummarizeOptions(max_words=40, min_words=5, glossaries=(str(GLOSSARY),))
    engine = engine or (FakeEngine(reply=reply) if reply else FakeEngine())
    return Summarizer(options, engine=engine, glossary=load_glossary(GLOSSARY))


def by_stage(out, stage):
    return {r["id"]: r for r in read_manifest(out / "manifest.jsonl") if r["stage"] == stage}


def test_brief_corpus_writes_briefs_digest_and_stage_records(translated, out, mt_options, tiny_translator):
    seeds, _ = translated
    summarizer = fake_summarizer()
    run = brief_corpus([seeds], out, mt_options, summarizer.options, translator=tiny_translator,
                       summarizer=summarizer)
    assert run.exit_code == 0 and run.translate.skipped == 5 and run.summarize.ok == 5 and run.brief.ok == 5
    for doc_id in SEED_IDS:
        for suffix in (".summary.en.txt", ".brief.md", ".brief.json"):
            assert (out / f"{doc_id}{suffix}").exists()
    assert (out / "briefs.md").exists() and run.digest == str((out / "briefs.md").resolve())
    for stage in ("translate", "summarize", "brief"):
        records = by_stage(out, stage)
        assert sorted(records) == SEED_IDS and all(FIELDS <= set(r) for r in records.values())
    summary = by_stage(out, "summarize")["001_b4df3ac546630d11"]
    assert summary["chunks"] >= 1 and summary["rounds"] >= 1 and summary["model"] == "fake-summarizer"
    assert {"replacements", "targets", "present", "mentioned", "kept"} <= set(summary["glossary"])
    assert run.summarize.terms["mentioned"] > 0 and run.as_dict()["glossary"]["summary"] == run.summarize.terms

    dated = json.loads((out / "001_b4df3ac546630d11.brief.json").read_text(encoding="utf-8"))
    assert dated["date"] == "2025-11-07" and "- Date: 2025-11-07" in (out / "001_b4df3ac546630d11.brief.md").read_text()
    for doc_id in SEED_IDS[:1] + SEED_IDS[2:]:
        brief = json.loads((out / f"{doc_id}.brief.json").read_text(encoding="utf-8"))
        assert brief["date"] is None and "- Date: not stated\n" in (out / f"{doc_id}.brief.md").read_text()
    # the translation model is a demo model: labelled; the (fake) summarizer is not
    md = (out / "002_017250b7c650f034.brief.md").read_text(encoding="utf-8")
    assert md.startswith("# [DEMO] ") and "summary `fake-summarizer`," not in md
    assert "translation `tiny-marian-uk-en` (DEMO: untrained), summary `fake-summarizer`\n" in md
    assert {"name": "Viktor Goremykin", "count": 1} in dated["entities"]["people"]
    people = json.loads((out / "002_017250b7c650f034.brief.json").read_text())["entities"]["people"]
    assert people[0] == {"name": "Kim Jong Un", "count": 2}
    digest = (out / "briefs.md").read_text(encoding="utf-8")
    assert digest.index('<a id="brief-001-b4df3ac546630d11">') < digest.index('<a id="brief-000-99a7aa9b4e6634b7">')
    assert "## Index" in digest and "- **Kim Jong Un**: " in digest


def test_rerun_skips_every_stage_and_new_summary_options_redo_only_summarize_and_brief(
        translated, out, mt_options, tiny_translator):
    seeds, _ = translated
    first = fake_summarizer()
    brief_corpus([seeds], out, mt_options, first.options, translator=tiny_translator, summarizer=first)
    again = brief_corpus([seeds], out, mt_options, first.options, translator=tiny_translator, summarizer=first)
    assert (again.translate.skipped, again.summarize.skipped, again.brief.skipped) == (5, 5, 5)
    assert again.summarize.ok == again.brief.ok == 0 and (out / "briefs.md").exists()

    shorter = fake_summarizer(SummarizeOptions(max_words=20, min_words=5, glossaries=(str(GLOSSARY),)),
                              engine=first.engine)
    changed = brief_corpus([seeds], out, mt_options, shorter.options, translator=tiny_translator,
                           summarizer=shorter)
    assert changed.translate.skipped == 5 and changed.translate.ok == 0
    assert changed.summarize.ok == 5 and changed.brief.ok == 5
    assert by_stage(out, "summarize")["000_99a7aa9b4e6634b7"]["max_words"] == 20

    forced = brief_corpus([seeds], out, mt_options, shorter.options, translator=tiny_translator,
                          summarizer=shorter, force=True)
    assert (forced.translate.ok, forced.summarize.ok, forced.brief.ok) == (5, 5, 5)


def test_a_failing_summary_is_isolated(translated, out, mt_options, tiny_translator):
    seeds, _ = translated
    summarizer = fake_summarizer()
    real, calls = summarizer.summarize, {"n": 0}

    def breaks_on_third_document(paragraphs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("boom")
        return real(paragraphs)

    summarizer.summarize = breaks_on_third_document
    run = brief_corpus([seeds], out, mt_options, summarizer.options, translator=tiny_translator,
                       summarizer=summarizer)
    assert run.exit_code == 1 and run.summarize.ok == 4 and run.brief.ok == 4
    assert run.failed == [{"id": "002_017250b7c650f034", "source": str(seeds / "002_017250b7c650f034.txt"),
                           "stage": "summarize", "error": "summarization failed: RuntimeError: boom"}]
    assert not (out / "002_017250b7c650f034.brief.md").exists()
    assert (out / "briefs.md").read_text(encoding="utf-8").count('<a id="brief-') == 4
    retry = brief_corpus([seeds], out, mt_options, summarizer.options, translator=tiny_translator,
                         summarizer=summarizer)
    assert retry.exit_code == 0 and retry.summarize.ok == 1 and retry.summarize.skipped == 4


def test_brief_with_the_tiny_bart_records_chunks_and_scores(translated, out, mt_options, tiny_translator, tiny_models,
                                                            tmp_path):
    seeds, _ = translated
    options = SummarizeOptions(engine=EngineOptions(model=str(tiny_models["bart"]), engine="hf", threads=1),
                               max_words=30, min_words=5, glossaries=(str(GLOSSARY),))
    run = brief_corpus([seeds / "001_b4df3ac546630d11.txt"], out, mt_options, options, translator=tiny_translator,
                       references=SEEDS / "references")
    assert run.exit_code == 0 and run.translate.skipped == 1 and run.summarize.ok == 1 and run.summarize.demo
    record = by_stage(out, "summarize")["001_b4df3ac546630d11"]
    assert record["chunks"] > 1 and record["rounds"] > 1  # the demo English is long noise: map-reduce
    text = (out / "001_b4df3ac546630d11.summary.en.txt").read_text(encoding="utf-8")
    assert text.startswith(SUMMARY_DEMO_LABEL + "\n")
    brief = json.loads((out / "001_b4df3ac546630d11.brief.json").read_text(encoding="utf-8"))
    assert brief["demo"] and brief["models"]["summary_demo"] and SUMMARY_DEMO_LABEL not in brief["summary"]
    assert run.scores["pairs"]["matched"] == 1 and "chrf" in run.scores["corpus"]
    digest = (out / "briefs.md").read_text(encoding="utf-8")
    assert digest.index("## Index") < digest.index("## Scores") and "| chrF2 |" in digest


def test_summarize_corpus_reads_english_files_and_resumes(tmp_path, lock_held_elsewhere):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    long = "\n".join(f"Paragraph {i}: Horemykin met officials in Phenian to discuss the talks." for i in range(20))
    (src / "a.en.txt").write_text(f"A headline\n\n{long}\n", encoding="utf-8")
    (src / "sub" / "b.md").write_text("# Title\n\nShort English text about Seoul.\n", encoding="utf-8")
    (src / "a.summary.en.txt").write_text("an old summary, not an input", encoding="utf-8")
    (src / "bad.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 100)
    summarizer = fake_summarizer(SummarizeOptions(max_words=15, min_words=3, glossaries=(str(GLOSSARY),)))
    out = tmp_path / "out"
    run = summarize_corpus([src], out, summarizer.options, summarizer=summarizer)
    assert run.ok == 2 and [f["id"] for f in run.failed] == ["bad"] and run.exit_code == 1
    assert (out / "a.summary.en.txt").exists() and (out / "sub" / "b.summary.en.txt").exists()
    records = by_stage(out, "summarize")
    assert set(records) == {"a", "sub/b", "bad"} and all(FIELDS <= set(r) for r in records.values())
    assert records["a"]["chunks"] > 1 and records["a"]["rounds"] >= 2 and records["sub/b"]["chunks"] == 1
    summary = (out / "a.summary.en.txt").read_text(encoding="utf-8")
    assert "Goremykin" in summary and "Horemykin" not in summary and not summary.startswith("[DEMO")
    assert records["a"]["glossary"]["replacements"] >= 1 and "Goremykin" in records["a"]["glossary"]["targets"]
    assert run.terms["replacements"] >= 1
    again = summarize_corpus([src], out, summarizer.options, summarizer=summarizer)
    assert again.skipped == 2 and again.ok == 0
    lock_held_elsewhere(out)
    with pytest.raises(LockedError):
        summarize_corpus([src], out, summarizer.options, summarizer=summarizer)


def test_summarize_corpus_labels_demo_summaries(tmp_path, tiny_models):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("Headline\n\nThe delegation arrived in Pyongyang on 6 November.\n", encoding="utf-8")
    options = SummarizeOptions(engine=EngineOptions(model=str(tiny_models["bart"]), engine="hf", threads=1))
    run = summarize_corpus([src / "a.en.txt"], tmp_path / "out", options)
    assert run.ok == 1 and run.demo and run.model == "tiny-bart-en"
    text = (tmp_path / "out" / "a.summary.en.txt").read_text(encoding="utf-8")
    assert text.startswith(SUMMARY_DEMO_LABEL + "\n") and len(text) > len(SUMMARY_DEMO_LABEL) + 2


def test_table_rows_get_one_brief_each(tmp_path, mt_options, tiny_translator):
    src = tmp_path / "in"
    src.mkdir()
    rows = [{"id": "b", "text": "Делегація прибула до Пхеньяну.", "date": "2024-06-19"}, {"id": "a", "text": "Текст."}]
    (src / "feed.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    summarizer = fake_summarizer()
    out = tmp_path / "out"
    run = brief_corpus([src], out, mt_options, summarizer.options, translator=tiny_translator, summarizer=summarizer)
    assert run.exit_code == 0 and run.brief.ok == 2 and (out / "feed.en.jsonl").exists()
    brief = json.loads((out / "feed" / "b.brief.json").read_text(encoding="utf-8"))
    assert brief["id"] == "feed#b" and brief["date"] == "2024-06-19" and (out / "feed" / "a.brief.md").exists()
    assert {"name": "Pyongyang", "count": 1} in brief["entities"]["places"]


def test_brief_fails_before_translating_when_the_summary_model_has_no_weights_offline(tmp_path, monkeypatch):
    import json

    import ctranslate2

    from mt.engines.convert import cache_root
    from mt.models.presets import ModelMissing

    # what a tokenizer-only download leaves in the Hugging Face cache: a snapshot without weights
    hf = tmp_path / "hf" / "hub" / "models--sshleifer--distilbart-cnn-12-6"
    (hf / "refs").mkdir(parents=True)
    (hf / "refs" / "main").write_text("a" * 40)
    (hf / "snapshots" / ("a" * 40)).mkdir(parents=True)
    (hf / "snapshots" / ("a" * 40) / "config.json").write_text('{"model_type": "bart"}')
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MT_MODELS_DIR", str(tmp_path / "store"))
    out = tmp_path / "out"
    for engine in ("hf", "auto"):
        with pytest.raises(ModelMissing, match="mt models pull"):
            brief_corpus([SEEDS], out, sum_options=SummarizeOptions(engine=EngineOptions(engine=engine)))
        assert not out.exists()  # nothing was translated first
    # an earlier CTranslate2 conversion (it carries its config and tokenizer) is enough for the ct2 engine
    cached = cache_root() / "distilbart-cnn-0123456789-int8"
    (cached / "source").mkdir(parents=True)
    (cached / "model.bin").write_bytes(b"")
    (cached / "source" / "config.json").write_text('{"model_type": "bart"}')
    (cached / "mt-source.json").write_text(json.dumps({"model": "distilbart-cnn",
                                                       "hub": "sshleifer/distilbart-cnn-12-6",
                                                       "quantization": "int8", "version": "x+x",
                                                       "ctranslate2": ctranslate2.__version__}))
    from mt.brief import _preflight

    _preflight(None, SummarizeOptions(engine=EngineOptions(engine="auto", device="cpu")))
    with pytest.raises(ModelMissing):
        _preflight(None, SummarizeOptions(engine=EngineOptions(engine="hf", device="cpu")))
