"""Random-weight models with real architectures, and the corpus, for scripts/bench.py.

- `build_marian`: opus-mt-uk-en's Marian shape (d_model 512, 6+6 layers, 8
  heads, FFN 2048, swish, 61k vocabulary) in the opus-mt file layout; a
  SentencePiece model trained on the seeds tokenizes and the rest of the
  vocabulary is filler the tokenizer never produces;
- `build_bart`: distilbart-cnn-12-6's shape (d_model 1024, 12+6 layers, 16
  heads, FFN 4096, vocabulary 50,264) with a byte-level BPE on English text;
- `build_corpus`: the seed articles repeated, every sentence made unique to
  its copy; `corpus_sentences`: exactly the pieces mt translates for it;
- `build_news_corpus`: documents of real, varied Ukrainian news sentences from
  the public test sets in ../shared/data (read there, written only to the
  bench's scratch folder), so memory is measured on a growing vocabulary.
"""
from __future__ import annotations

import functools
import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"
NEWS_SOURCES = ["ntrex128-ukr-eng/newstest2019-ref.ukr.txt", "flores200-devtest-ukr-eng/ukr_Cyrl.devtest",
                "wmt22-uk-en/generaltest2022.uk-en.src.uk", "wmt23-uk-en/generaltest2023.uk-en.src.uk"]
MARIAN_VOCAB = 61_000  # opus-mt-uk-en has ~61k entries
BART_VOCAB = 50_264


@functools.cache
def _builder():
    spec = importlib.util.spec_from_file_location("make_tiny_models", ROOT / "scripts" / "make_tiny_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_marian(folder: Path) -> Path:
    """Random-weight Marian with opus-mt-uk-en's shape, in the opus-mt file layout."""
    if (folder / "model.safetensors").exists():
        return folder
    return _builder().build_marian(folder, d_model=512, layers=6, max_positions=512, vocab_size=4000, heads=8,
                                   ffn=2048, fill_vocab=MARIAN_VOCAB, activation="swish", beams=4, demo=False)


def build_bart(folder: Path) -> Path:
    """Random-weight BART with distilbart-cnn-12-6's shape."""
    if (folder / "model.safetensors").exists():
        return folder
    return _builder().build_bart(folder, d_model=1024, layers=12, decoder_layers=6, max_positions=1024,
                                 vocab_size=2000, heads=16, ffn=4096, fill_vocab=BART_VOCAB, demo=False,
                                 generation={"num_beams": 4, "max_length": 142, "min_length": 56})


def _mark(sentence: str, k: int) -> str:
    """Make a sentence unique to copy k: the number goes before the final punctuation."""
    body = sentence.rstrip()
    end = len(body)
    while end and body[end - 1] in ".!?…\"'»”":
        end -= 1
    return f"{body[:end]} {k}{body[end:]}"


def build_corpus(folder: Path, copies: int) -> Path:
    """The seed articles `copies` times, every sentence made unique to its copy."""
    from mt.segment import split_sentences

    shutil.rmtree(folder, ignore_errors=True)  # a reused --workdir may hold more copies from an earlier run
    folder.mkdir(parents=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for k in range(1, copies + 1):
        for path in seeds:
            lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            out = [_mark(lines[0], k)]
            out += [" ".join(_mark(s, k) for s in split_sentences(p)) for p in lines[1:]]
            (folder / f"{k:03d}_{path.stem}.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def news_lines(data: Path = SHARED_DATA) -> list[str]:
    """Distinct Ukrainian source lines of the shared test sets (empty when they are not there)."""
    lines: list[str] = []
    for name in NEWS_SOURCES:
        path = data / name
        if path.is_file():
            lines += [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return list(dict.fromkeys(lines))


def build_news_corpus(folder: Path, documents: int, lines: list[str], per_document: int = 20) -> Path:
    """`documents` articles of `per_document` consecutive test-set lines each (wrapping around)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for d in range(documents):
        start = d * per_document % len(lines)
        chunk = (lines[start:] + lines[:start])[:per_document]
        (folder / f"news{d:04d}.txt").write_text("\n\n".join(chunk) + "\n", encoding="utf-8")
    return folder


def corpus_sentences(corpus: Path, model: Path) -> list[str]:
    """Exactly the pieces mt translates for `corpus` (its reader, cleaner and segmenter)."""
    from mt.inputs.document import Document
    from mt.inputs.corpus import load_corpus
    from mt.engines.ct2 import MarianSpm
    from mt.segment import segment

    tok = MarianSpm(model)
    count = lambda text: len(tok.encode(text))  # noqa: E731 - identical to MarianTokenizer's count
    pieces = []
    for doc in load_corpus([corpus]):
        if isinstance(doc, Document):
            pieces += [p.text for p in segment(doc.title, doc.paragraphs, count, 256)]
    return list(dict.fromkeys(pieces))


def english_text() -> str:
    """English from make_tiny_models (its sample text and the seed reference summaries)."""
    return _builder().english_text()
