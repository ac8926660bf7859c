#!/usr/bin/env python3
"""Build tiny, UNTRAINED models for demos and tests, offline.

    python scripts/make_tiny_models.py models/demo

writes two folders that load through the same `from_pretrained` code path as
the real models:

- ``tiny-marian-uk-en``: a Marian model (opus-mt layout: source.spm,
  target.spm, vocab.json) with a SentencePiece vocabulary trained on the
  seeds and a few-dimension config;
- ``tiny-bart-en``: a BART summarizer with a byte-level BPE vocabulary.

Weights are random (seeded), so the output is noise: every folder carries an
``MT_DEMO_MODEL`` marker and mt labels everything such a model writes.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = "MT_DEMO_MODEL"
MARKER_TEXT = "Untrained demo model built by scripts/make_tiny_models.py: its output is noise.\n"

ENGLISH = """\
Russia and North Korea signed a strategic partnership treaty in Pyongyang in June 2024.
A delegation of Russian military officers led by the deputy defence minister arrived in North Korea.
The talks were held in a friendly atmosphere, the state news agency KCNA said.
South Korean intelligence says thousands of North Korean soldiers were sent to fight against Ukraine.
The president met the leaders of several countries at the NATO summit in Washington.
Officials in Seoul and Washington are worried about the growing military ties between the two countries.
The minister of defence received the delegation on 6 November.
Ukrainian forces captured several soldiers in the Kursk region in April.
The agency did not report any other details about the purpose of the visit.
North Korea has supplied Russia with artillery shells, missiles and long-range systems.
The document provides for mutual assistance in the event of aggression against either country.
The ambassador and several senior officials also took part in the meeting.
"""


def seed_text() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    glossary = ROOT / "seeds" / "glossary.tsv"
    if glossary.exists():
        texts.append(glossary.read_text(encoding="utf-8"))
    return "\n".join(texts)


def english_text() -> str:
    refs = sorted((ROOT / "seeds" / "references").glob("*.txt"))
    return ENGLISH + "\n".join(p.read_text(encoding="utf-8") for p in refs)


def _mark(folder: Path) -> None:
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def build_marian(folder: Path, d_model: int = 32, layers: int = 2, max_positions: int = 64,
                 vocab_size: int = 1000, seed: int = 0, *, heads: int = 2, ffn: int | None = None,
                 fill_vocab: int = 0, activation: str | None = None, beams: int = 2, demo: bool = True) -> Path:
    """A random-weight Marian uk->en model in `folder` (opus-mt file layout), tiny by default.

    SentencePiece is trained on the seeds with `vocab_size` pieces; `fill_vocab`
    pads vocab.json with entries the tokenizer never produces, up to a real
    model's size. `demo` writes the MT_DEMO_MODEL marker.
    """
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    corpus = seed_text() + "\n" + english_text()
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for line in corpus.splitlines() if line.strip()]),
        model_writer=model, vocab_size=vocab_size, model_type="unigram", character_coverage=1.0,
        unk_id=1, bos_id=-1, eos_id=0, pad_id=-1, hard_vocab_limit=False, minloglevel=2,
        num_threads=1,
    )
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    vocab = {"</s>": 0, "<unk>": 1}
    for index in range(processor.get_piece_size()):
        vocab.setdefault(processor.id_to_piece(index), len(vocab))
    while len(vocab) < fill_vocab - 1:  # filler up to a real size; never produced by the tokenizer
        vocab[f"\u2581f{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json"),
                                model_max_length=max_positions)
    tokenizer.save_pretrained(folder)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn or 2 * d_model,
        decoder_ffn_dim=ffn or 2 * d_model, max_position_embeddings=max_positions, pad_token_id=pad,
        eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0, scale_embedding=True,
        share_encoder_decoder_embeddings=True, **({"activation_function": activation} if activation else {}),
    )
    torch.manual_seed(seed)
    net = MarianMTModel(config)
    net.generation_config = GenerationConfig(num_beams=beams, max_length=max_positions, pad_token_id=pad,
                                             eos_token_id=0, decoder_start_token_id=pad, bad_words_ids=[[pad]])
    net.save_pretrained(folder, safe_serialization=True)
    if demo:
        _mark(folder)
    return folder


def build_bart(folder: Path, d_model: int = 32, layers: int = 2, max_positions: int = 128,
               vocab_size: int = 600, seed: int = 0, *, decoder_layers: int | None = None, heads: int = 2,
               ffn: int | None = None, fill_vocab: int = 0, generation: dict | None = None,
               demo: bool = True) -> Path:
    """A random-weight BART summarizer with a byte-level BPE trained on English text, tiny by default.

    `fill_vocab` pads vocab.json up to a real model's size; `generation`
    overrides the generation config (beams, lengths).
    """
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, GenerationConfig

    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(english_text().splitlines(), vocab_size=vocab_size, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], show_progress=False)
    bpe.save_model(str(folder))
    if fill_vocab:
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        while len(vocab) < fill_vocab:
            vocab[f"\u0120f{len(vocab)}"] = len(vocab)
        (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = BartTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=max_positions)
    tokenizer.save_pretrained(folder)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=d_model, encoder_layers=layers, decoder_layers=decoder_layers or layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn or 2 * d_model,
        decoder_ffn_dim=ffn or 2 * d_model, max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id, forced_bos_token_id=tokenizer.bos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    net = BartForConditionalGeneration(config)
    settings = {"num_beams": 2, "max_length": 60, "min_length": 8, "no_repeat_ngram_size": 3, "length_penalty": 2.0,
                "early_stopping": True, **(generation or {})}
    net.generation_config = GenerationConfig(
        **settings, pad_token_id=config.pad_token_id, bos_token_id=config.bos_token_id,
        eos_token_id=config.eos_token_id, decoder_start_token_id=config.decoder_start_token_id,
        forced_bos_token_id=config.bos_token_id, forced_eos_token_id=config.eos_token_id,
    )
    net.save_pretrained(folder, safe_serialization=True)
    if demo:
        _mark(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", default=str(ROOT / "models" / "demo"))
    parser.add_argument("--force", action="store_true", help="rebuild even when the folders exist")
    args = parser.parse_args(argv)
    dest = Path(args.dest)
    for name, build in (("tiny-marian-uk-en", build_marian), ("tiny-bart-en", build_bart)):
        folder = dest / name
        if (folder / MARKER).exists() and not args.force:
            print(f"{folder}: exists (use --force to rebuild)")
            continue
        build(folder)
        print(f"{folder}: built (untrained demo model)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
