"""Both engines (transformers and CTranslate2) honour the same contract.

The behavioural tests run once per engine on the tiny untrained Marian; the
CTranslate2 conversions go to a temporary MT_MODELS_DIR.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from mt.engines import EngineOptions, create_engine
from mt.engines.base import GenerateSettings, length_batches, token_counter
from mt.inputs.parse import parse_text
from mt.segment import segment
from mt.translator import TranslateOptions, Translator

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
HAS_CT2 = importlib.util.find_spec("ctranslate2") is not None
HAS_GLOSSARY = all(importlib.util.find_spec(m) is not None for m in ("mt.glossary", "mt.glossary.enforce"))
ENGINES = ["hf", pytest.param("ct2", marks=pytest.mark.skipif(not HAS_CT2, reason="ctranslate2 not installed"))]
LONG = "Дуже довге речення, " * 40 + "і кінець."
ARTICLE = ("Заголовок статті\n"
           "Віктор Горемикін прибув до Пхеньяну. Зустріч відбулася 6 листопада.\n"
           "Друге речення абзацу.\n" + LONG + "\n")


@pytest.fixture(scope="module")
def ct2_store(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ct2-store")


@contextmanager
def store(path: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MT_MODELS_DIR", str(path))
        yield


@pytest.fixture(scope="module", params=ENGINES)
def translator_for(request, tiny_marian, ct2_store):
    with store(ct2_store):
        return Translator(TranslateOptions(engine=EngineOptions(model=str(tiny_marian), engine=request.param)))


def test_engine_name_and_limits(translator_for):
    engine = translator_for.engine
    assert engine.name in {"hf", "ct2"}
    assert engine.model_limit == 64  # the tiny model's max_position_embeddings
    assert engine.max_input_tokens == 62
    assert engine.count_tokens(["Привіт.", ""])[1] == 1  # just </s>


def test_paragraphs_stay_aligned(translator_for):
    doc = parse_text(ARTICLE, id="a")
    result = translator_for.translate_document(doc)
    assert len(result.paragraphs) == len(doc.paragraphs) == 3
    assert result.title and all(p for p in result.paragraphs)
    assert result.sentences == 4 and result.split_sentences == 1 and result.pieces > 5


def test_long_sentence_is_split_never_truncated(translator_for, spy_engine):
    engine = translator_for.engine
    seen: list[str] = []
    original = engine.generate
    spy_engine(engine, lambda texts, settings=None: seen.extend(texts))
    result = translator_for.translate_document(parse_text("Заголовок\n" + LONG, id="long"))
    count = lambda text: engine.count_tokens([text])[0]  # noqa: E731
    pieces = [p.text for p in segment("", [LONG], count, engine.max_input_tokens)]
    assert len(pieces) > 1 and result.split_sentences == 1 and result.paragraphs[0]
    assert all(count(p) <= engine.max_input_tokens for p in pieces)
    assert " ".join(pieces).split() == LONG.split()  # every word goes to the engine, in order
    assert set(pieces) <= set(seen)
    with pytest.raises(ValueError, match="exceeds the model's limit"):
        original([LONG])


def test_repetition_guard_retries_and_records(translator_for):
    result = translator_for.translate_document(parse_text(ARTICLE, id="a"))
    assert result.retries > 0  # the untrained model loops; looping pieces are retried


def test_generate_honours_lengths(translator_for):
    engine = translator_for.engine
    hyps = engine.generate(["Привіт.", "Зустріч відбулася 6 листопада."],
                           GenerateSettings(max_new_tokens=5, min_new_tokens=5))
    assert [h.tokens for h in hyps] == [5, 5] and all(h.hit_limit for h in hyps)
    again = engine.generate(["Привіт."], GenerateSettings(max_new_tokens=6, anti_repeat=True))
    assert len(again) == 1 and again[0].tokens <= 6


def test_fixed_output_tokens_for_benchmarks(tiny_marian, ct2_store, translator_for, spy_engine):
    options = EngineOptions(model=str(tiny_marian), engine=translator_for.engine.name, fixed_output_tokens=7)
    with store(ct2_store):
        fixed = Translator(TranslateOptions(engine=options))
    tokens: list[int] = []
    spy_engine(fixed.engine, after=lambda hyps: tokens.extend(h.tokens for h in hyps))
    result = fixed.translate_document(parse_text(ARTICLE, id="a"))
    assert set(tokens) == {7} and result.retries == 0


@pytest.mark.skipif(not HAS_GLOSSARY, reason="mt.glossary not available")
def test_glossary_targets_always_in_the_english(translator_for):
    from mt.glossary import load_glossary

    glossary = load_glossary([SEEDS / "glossary.tsv"])
    with_glossary = Translator(translator_for.options, engine=translator_for.engine, glossary=glossary)
    path = sorted(SEEDS.glob("*.txt"))[0]
    result = with_glossary.translate_document(parse_text(path.read_text(encoding="utf-8"), id=path.stem))
    english = "\n".join([result.title, *result.paragraphs])
    assert result.terms, "the seed article mentions glossary names"
    assert all(t.status != "missed" for t in result.terms)
    for target in {t.mention.target for t in result.terms}:
        assert target in english, target


def test_describe_fields(translator_for):
    info = translator_for.engine.describe()
    assert {"engine", "model", "device", "beams"} <= set(info)
    if translator_for.engine.name == "ct2":
        assert info["engine"] == "ctranslate2" and info["compute_type"] == "int8"
        assert info["inter_threads"] >= 1 and info["intra_threads"] >= 1 and info["tokenizer"] == "sentencepiece"
    else:
        assert info["engine"] == "transformers" and info["dtype"] == "float32"


def test_window_goes_to_ct2_in_one_call_and_to_hf_in_batches(tiny_marian, ct2_store, translator_for,
                                                             spy_engine):
    name = translator_for.engine.name
    with store(ct2_store):
        small = Translator(TranslateOptions(engine=EngineOptions(model=str(tiny_marian), engine=name,
                                                                 max_batch_size=2)))
    calls: list[int] = []

    def before(texts, settings=None):
        if not settings or not settings.anti_repeat:
            calls.append(len(texts))

    spy_engine(small.engine, before)
    docs = [parse_text(f"Заголовок {i}\nТекст номер {i}. Ще одне речення.", id=str(i)) for i in range(3)]
    results = small.translate_documents(docs)
    assert [r.doc.id for r in results] == ["0", "1", "2"]
    assert sum(calls) == 7  # 3 titles, 3 numbered sentences, one shared sentence
    assert (calls == [7]) if name == "ct2" else (max(calls) <= 2 and len(calls) == 4)


# ------------------------------------------------------------------ CTranslate2 specifics

needs_ct2 = pytest.mark.skipif(not HAS_CT2, reason="ctranslate2 not installed")


@needs_ct2
def test_ct2_cache_is_reused(tiny_marian, ct2_store):
    from mt.engines import convert as ct2_convert
    from mt.engines.ct2 import CT2Engine
    from mt.models.resolution import resolve

    with store(ct2_store):
        first = CT2Engine(resolve(str(tiny_marian)), EngineOptions(model=str(tiny_marian), engine="ct2"))
        stamp = (first.model_dir / "model.bin").stat().st_mtime_ns
        before = ct2_convert.CONVERSIONS["count"]
        second = CT2Engine(resolve(str(tiny_marian)), EngineOptions(model=str(tiny_marian), engine="ct2"))
    assert second.model_dir == first.model_dir and first.model_dir.parent == ct2_store / "ct2"
    assert ct2_convert.CONVERSIONS["count"] == before
    assert (second.model_dir / "model.bin").stat().st_mtime_ns == stamp
    assert first.model_dir.name.endswith("-int8") and not list(first.model_dir.parent.glob(".*"))


@needs_ct2
def test_ct2_cache_key_follows_the_model_files(tiny_marian, tmp_path):
    from mt.engines.convert import cache_key
    from mt.models.resolution import resolve

    copy = shutil.copytree(tiny_marian, tmp_path / "tiny-marian-uk-en")
    key = cache_key(resolve(str(copy)), copy, "int8")
    assert key == cache_key(resolve(str(copy)), copy, "int8")
    assert key != cache_key(resolve(str(copy)), copy, "int8_float16")
    (copy / "model.safetensors").write_bytes((copy / "model.safetensors").read_bytes() + b"\0")
    assert key != cache_key(resolve(str(copy)), copy, "int8")


@needs_ct2
def test_light_marian_tokenizer_matches_transformers(tiny_marian):
    from transformers import AutoTokenizer

    from mt.engines.ct2 import MarianSpm

    light, hf = MarianSpm(tiny_marian), AutoTokenizer.from_pretrained(tiny_marian)
    vocab = json.loads((tiny_marian / "vocab.json").read_text(encoding="utf-8"))
    lines = [x for p in sorted(SEEDS.glob("*.txt")) for x in p.read_text(encoding="utf-8").splitlines()[:6]]
    lines += ["", "ʼ ’ ' «»", "Пхеньян </s> ok", ">>eng<< Привіт"]
    for line in lines:
        tokens = light.encode(line)
        # pieces outside the vocabulary stay as strings: CTranslate2 maps them to <unk>, as MarianTokenizer does
        assert [vocab.get(t, vocab["<unk>"]) for t in tokens] == hf(line)["input_ids"], line
        output = [t if t in vocab else "<unk>" for t in tokens]  # what CTranslate2 can produce
        assert light.decode(output) == hf.decode(hf.convert_tokens_to_ids(output), skip_special_tokens=True)


@needs_ct2
def test_ct2_tokenizer_cache_holds_one_window(translator_for):
    engine = translator_for.engine
    if engine.name != "ct2":
        pytest.skip("CTranslate2 only")
    docs = [parse_text(f"Заголовок {i}\nТекст номер {i}. Ще одне речення.", id=str(i)) for i in range(3)]
    job = translator_for.start_documents(docs)
    assert engine.tokenizer._cache == {}  # the window is encoded and queued: its cache entries are dropped
    assert [r.doc.id for r in translator_for.finish_documents(job)] == ["0", "1", "2"]


@needs_ct2
def test_ct2_maps_pieces_outside_the_vocabulary_to_unk(translator_for):
    engine = translator_for.engine
    if engine.name != "ct2":
        pytest.skip("CTranslate2 only")
    vocab = set(json.loads((Path(engine.model_dir) / "shared_vocabulary.json").read_text(encoding="utf-8")))
    source = engine.tokenizer.encode("ʼ ’ ' «» Пхеньян")
    unknown = [t if t in vocab else engine.tokenizer.unk for t in source]
    assert unknown != source  # the text has pieces outside the vocabulary
    common = {"beam_size": 1, "max_decoding_length": 6, "min_decoding_length": 6}
    assert engine.translator.translate_batch([source], **common)[0].hypotheses == \
        engine.translator.translate_batch([unknown], **common)[0].hypotheses


@needs_ct2
def test_auto_falls_back_to_transformers_with_a_note(tiny_marian, monkeypatch):
    from mt.engines import ct2
    from mt.engines.convert import ConversionError

    def broken(*args, **kwargs):
        raise ConversionError("CTranslate2 conversion of tiny failed: boom")

    monkeypatch.setattr(ct2, "converted_model", broken)
    notes: list[str] = []
    engine = create_engine(EngineOptions(model=str(tiny_marian), engine="auto"), notify=notes.append)
    assert engine.name == "hf"
    assert len(notes) == 1 and notes[0].startswith("engine: transformers") and "conversion failed" in notes[0]
    with pytest.raises(ConversionError):
        create_engine(EngineOptions(model=str(tiny_marian), engine="ct2"))


@needs_ct2
def test_auto_says_ct2_when_it_works(tiny_marian, ct2_store):
    notes: list[str] = []
    with store(ct2_store):
        engine = create_engine(EngineOptions(model=str(tiny_marian), engine="auto"), notify=notes.append)
    assert engine.name == "ct2" and notes == [f"engine: ctranslate2 (int8) for {engine.spec.label}"]


@needs_ct2
def test_ct2_refuses_pickle_only_checkpoints(tiny_marian, tmp_path):
    from mt.models.presets import PickleRefused

    folder = tmp_path / "pickled"
    folder.mkdir()
    for path in tiny_marian.iterdir():
        if path.suffix != ".safetensors":
            shutil.copy(path, folder / path.name)
    (folder / "pytorch_model.bin").write_bytes(b"not really a pickle")
    with store(tmp_path / "store"), pytest.raises(PickleRefused):
        create_engine(EngineOptions(model=str(folder), engine="auto"))  # a ModelError: no silent fallback


@needs_ct2
def test_ct2_unsupported_model_type_falls_back(tiny_marian, tmp_path):
    folder = shutil.copytree(tiny_marian, tmp_path / "odd")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "not-a-model"}), encoding="utf-8")
    from mt.engines.convert import ConversionError, check_supported

    with pytest.raises(ConversionError, match="does not convert"):
        check_supported(folder)


@needs_ct2
def test_bart_summarizes_through_ct2(tiny_models, ct2_store):
    with store(ct2_store):
        engine = create_engine(EngineOptions(model=str(tiny_models["bart"]), task="summarize", engine="ct2"))
    assert engine.name == "ct2" and engine.target_prefix == ["<s>"]  # BART's forced BOS
    assert engine.describe()["tokenizer"] == "transformers"
    texts = ["Russia and North Korea signed a strategic partnership treaty in Pyongyang in June 2024.",
             "The minister of defence received the delegation on 6 November."]
    hyps = engine.generate(texts, GenerateSettings(max_new_tokens=12))
    assert len(hyps) == 2 and all(isinstance(h.text, str) and h.tokens <= 12 for h in hyps)
    fixed = engine.generate(texts[:1], GenerateSettings(max_new_tokens=10, min_new_tokens=10))
    assert fixed[0].tokens == 9 and fixed[0].hit_limit  # 10 decoded tokens, the first is the forced <s>


def test_bench_corpus_sentences_are_unique(tiny_marian, tmp_path):
    spec = importlib.util.spec_from_file_location("bench_build", SEEDS.parent / "scripts" / "bench_build.py")
    bench_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_build)
    one = bench_build.corpus_sentences(bench_build.build_corpus(tmp_path / "one", 1), tiny_marian)
    two = bench_build.corpus_sentences(bench_build.build_corpus(tmp_path / "two", 2), tiny_marian)
    # whole sentences never repeat across copies; only a leading piece of a sentence split to the
    # tiny model's 62-token budget can (the copy number sits at the end of the sentence)
    assert len(one) > 50 and 1.95 * len(one) <= len(two) <= 2 * len(one)


def test_token_counter_memoizes_and_stays_bounded():
    calls = []

    class Counting:
        def count_tokens(self, texts):
            calls.extend(texts)
            return [len(t.split()) for t in texts]

    count = token_counter(Counting(), limit=2)
    assert [count("a b"), count("a b"), count("c")] == [2, 2, 1]
    assert calls == ["a b", "c"]  # the repeat came from the memo
    count("d e f")  # the memo was full: emptied, so "a b" is counted again
    assert count("a b") == 2 and calls == ["a b", "c", "d e f", "a b"]


def test_length_batches_bound_padded_size_and_count():
    words = ["a" * n for n in (5, 1, 3, 3, 9, 2)]
    batches = length_batches(words, len, limit=8, max_size=3)
    assert [[len(w) for w in b] for b in batches] == [[1, 2], [3, 3], [5], [9]]  # 3 x 3 = 9 > 8 splits
    assert all(len(b) * max(map(len, b)) <= 8 for b in batches[:-1])  # only the oversized item exceeds
    assert [len(b) for b in length_batches(["x"] * 7, len, limit=100, max_size=3)] == [3, 3, 1]
