"""Random-weight models with real architectures, and the corpus, for scripts/bench.py.

- `build_marian`: opus-mt-uk-en's Marian shape (d_model 512, 6+6 layers, 8
  heads, FFN 2048, swish, 61k vocabulary) in the opus-mt file layout; a
  SentencePiece model trained on the seeds tokenizes and the rest of the
  vocabulary is filler the tokenizer never produces;
- `build_bart`: distilbart-cnn-12-6's shape (d_model 1024, 12+6 layers, 16
  heads, FFN 4096, vocabulary 50,264) with a byte-level BPE on English text;
- `build_corpus`: the seed articles repeated, every sentence made unique to
  its copy; `corpus_sentences`: exactly the pieces mt translates for it.
"""
from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
MARIAN_VOCAB = 61_000  # opus-mt-uk-en has ~61k entries
BART_VOCAB = 50_264


def _builder():
    spec = importlib.util.spec_from_file_location("make_tiny_models", ROOT / "scripts" / "make_tiny_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_marian(folder: Path) -> Path:
    """Random-weight Marian with opus-mt-uk-en's shape, in the opus-mt file layout."""
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    if (folder / "model.safetensors").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    tiny = _builder()
    lines = [x for x in (tiny.seed_text() + "\n" + tiny.english_text()).splitlines() if x.strip()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=proto, vocab_size=4000,
                                   model_type="unigram", character_coverage=1.0, unk_id=1, bos_id=-1, eos_id=0,
                                   pad_id=-1, hard_vocab_limit=False, minloglevel=2, num_threads=1)
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(proto.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    vocab = {"</s>": 0, "<unk>": 1}
    for index in range(sp.get_piece_size()):
        vocab.setdefault(sp.id_to_piece(index), len(vocab))
    while len(vocab) < MARIAN_VOCAB - 1:  # filler up to the real size; never produced by the tokenizer
        vocab[f"\u2581f{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json"),
                    model_max_length=512).save_pretrained(folder)
    pad = vocab["<pad>"]
    config = MarianConfig(vocab_size=len(vocab), d_model=512, encoder_layers=6, decoder_layers=6,
                          encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048,
                          decoder_ffn_dim=2048, max_position_embeddings=512, activation_function="swish",
                          pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
                          scale_embedding=True, share_encoder_decoder_embeddings=True)
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(num_beams=4, max_length=512, pad_token_id=pad, eos_token_id=0,
                                               decoder_start_token_id=pad, bad_words_ids=[[pad]])
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def build_bart(folder: Path) -> Path:
    """Random-weight BART with distilbart-cnn-12-6's shape."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, GenerationConfig

    if (folder / "model.safetensors").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(english_text().splitlines(), vocab_size=2000, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], show_progress=False)
    bpe.save_model(str(folder))
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    while len(vocab) < BART_VOCAB:
        vocab[f"\u0120f{len(vocab)}"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tok = BartTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=1024)
    tok.save_pretrained(folder)
    config = BartConfig(vocab_size=BART_VOCAB, d_model=1024, encoder_layers=12, decoder_layers=6,
                        encoder_attention_heads=16, decoder_attention_heads=16, encoder_ffn_dim=4096,
                        decoder_ffn_dim=4096, max_position_embeddings=1024, pad_token_id=tok.pad_token_id,
                        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                        decoder_start_token_id=tok.eos_token_id, forced_bos_token_id=tok.bos_token_id,
                        forced_eos_token_id=tok.eos_token_id)
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    model.generation_config = GenerationConfig(num_beams=4, max_length=142, min_length=56, no_repeat_ngram_size=3,
                                               length_penalty=2.0, early_stopping=True,
                                               pad_token_id=config.pad_token_id, bos_token_id=config.bos_token_id,
                                               eos_token_id=config.eos_token_id,
                                               decoder_start_token_id=config.decoder_start_token_id,
                                               forced_bos_token_id=config.bos_token_id,
                                               forced_eos_token_id=config.eos_token_id)
    model.save_pretrained(folder, safe_serialization=True)
    return folder


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

    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for k in range(1, copies + 1):
        for path in seeds:
            lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            out = [_mark(lines[0], k)]
            out += [" ".join(_mark(s, k) for s in split_sentences(p)) for p in lines[1:]]
            (folder / f"{k:03d}_{path.stem}.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def corpus_sentences(corpus: Path, model: Path) -> list[str]:
    """Exactly the pieces mt translates for `corpus` (its reader, cleaner and segmenter)."""
    from mt.corpus import Document, load_corpus
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
