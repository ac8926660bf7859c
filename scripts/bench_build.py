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
  bench's scratch folder), so memory is measured on a growing vocabulary;
- `build_repeated_news_corpus`: the same real sentences with a news feed's
  repetition (republished wire copy, quotes carried by other stories), for
  the translation memory's hit rate; `corpus_pieces` counts what repeats;
- `edit_glossary`: a copy of the seed glossary with one row's target changed.
"""
from __future__ import annotations

import functools
import importlib.util
import random
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


WIRE_SHARE = 0.25  # documents that republish an earlier story's body under their own headline
QUOTE_SHARE = 0.3  # of the other documents: those carrying one paragraph of an earlier story (a quote)


def build_repeated_news_corpus(folder: Path, documents: int, lines: list[str], per_document: int = 12,
                               seed: int = 18) -> dict:
    """`documents` stories of real news sentences (a headline, then paragraphs of two sentences)
    with the repetition of a news feed, in feed order (a story repeats only earlier ones):

    - WIRE_SHARE of the stories are wire copy republished by another outlet: an earlier story's
      body under a headline of its own, half of them without the last paragraph;
    - QUOTE_SHARE of the others carry one paragraph of an earlier story at a random place
      (a statement or quote that several stories repeat).

    The shares are this benchmark's choice (no multi-outlet Ukrainian feed is among the shared
    data to measure them on); what they produce is measured by `corpus_pieces`. Returns how
    many stories of each kind were written.
    """
    rng = random.Random(seed)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stories: list[list[str]] = []
    kinds = {"original": 0, "wire_copy": 0, "with_quote": 0}
    cursor = 0

    def take(n: int) -> list[str]:
        nonlocal cursor
        out = [lines[(cursor + i) % len(lines)] for i in range(n)]
        cursor += n
        return out

    for _ in range(documents):
        if len(stories) >= 4 and rng.random() < WIRE_SHARE:
            body = stories[rng.randrange(len(stories))][1:]
            if len(body) > 2 and rng.random() < 0.5:
                body = body[:-1]
            story = [take(1)[0], *body]
            kinds["wire_copy"] += 1
        else:
            sentences = take(per_document)
            story = [sentences[0]] + [" ".join(sentences[i:i + 2]) for i in range(1, len(sentences), 2)]
            if len(stories) >= 4 and rng.random() < QUOTE_SHARE:
                other = stories[rng.randrange(len(stories))]
                story.insert(1 + rng.randrange(len(story)), other[1 + rng.randrange(len(other) - 1)])
                kinds["with_quote"] += 1
            else:
                kinds["original"] += 1
        stories.append(story)
    for d, story in enumerate(stories):
        (folder / f"story{d:04d}.txt").write_text("\n\n".join(story) + "\n", encoding="utf-8")
    return kinds


def edit_glossary(source: Path, dest: Path) -> str:
    """`source` with one row's target changed (Sergei Shoigu -> Sergey Shoygu, else the first row's
    target gets a suffix); returns the row's new target."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#") and "\t" in line][1:]
    pick = next((i for i in rows if lines[i].split("\t")[1] == "Sergei Shoigu"), rows[0])
    cells = lines[pick].split("\t")
    cells[1] = "Sergey Shoygu" if cells[1] == "Sergei Shoigu" else cells[1] + " Jr"
    lines[pick] = "\t".join(cells)
    dest.write_text("".join(lines), encoding="utf-8")
    return cells[1]


def corpus_pieces(corpus: Path, model: Path) -> list[str]:
    """Every piece mt translates for `corpus`, repeats included, in reading order."""
    from mt.engines.ct2 import MarianSpm
    from mt.inputs.corpus import load_corpus
    from mt.inputs.document import Document
    from mt.segment import segment

    tok = MarianSpm(model)
    count = lambda text: len(tok.encode(text))  # noqa: E731 - identical to MarianTokenizer's count
    pieces = []
    for doc in load_corpus([corpus]):
        if isinstance(doc, Document):
            pieces += [p.text for p in segment(doc.title, doc.paragraphs, count, 256)]
    return pieces


def corpus_sentences(corpus: Path, model: Path) -> list[str]:
    """Exactly the pieces mt translates for `corpus` (its reader, cleaner and segmenter), once each."""
    return list(dict.fromkeys(corpus_pieces(corpus, model)))


def english_text() -> str:
    """English from make_tiny_models (its sample text and the seed reference summaries)."""
    return _builder().english_text()
