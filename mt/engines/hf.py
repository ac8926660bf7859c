"""The transformers engine: AutoModelForSeq2SeqLM.generate under inference_mode."""
from __future__ import annotations

import torch
from transformers import LogitsProcessorList

from mt.engines.base import (
    EngineOptions,
    GenerateSettings,
    Hypothesis,
    input_budget,
    pick_device,
    target_lang_id,
    thread_count,
)
from mt.models.fetch import load_pretrained
from mt.models.presets import ModelSpec


class HFEngine:
    """Marian, NLLB, M2M100 and BART-style models through `generate`."""

    name = "hf"

    def __init__(self, spec: ModelSpec, options: EngineOptions):
        self.spec = spec
        self.options = options
        self.device = pick_device(options.device)
        torch.set_num_threads(thread_count(options.threads))
        self.tokenizer, self.model = load_pretrained(spec, allow_pickle=options.allow_pickle, device=self.device)
        config = self.model.config
        if spec.src_lang and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = spec.src_lang
        self.forced_bos = target_lang_id(self.tokenizer, spec.tgt_lang)
        limit = min(getattr(config, "max_position_embeddings", 512) or 512,
                    getattr(self.tokenizer, "model_max_length", 10**6) or 10**6)
        self.model_limit = int(limit)
        self.max_input_tokens = input_budget(self.model_limit, options.max_input_tokens)
        gen = self.model.generation_config
        self.default_beams = int(gen.num_beams or 1)
        gen.max_length = None  # we always pass max_new_tokens (transformers 5 warns otherwise)

    def describe(self) -> dict:
        return {"engine": "transformers", "model": self.spec.label, "device": self.device, "dtype": "float32",
                "beams": self.options.beams or self.default_beams, "threads": torch.get_num_threads()}

    def count_tokens(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        ids = self.tokenizer(texts, add_special_tokens=True)["input_ids"]
        return [len(x) for x in ids]

    def target_ids(self, phrase: str) -> list[int]:
        """Token ids of an English phrase as the decoder would produce it."""
        ids = self.tokenizer(text_target=phrase, add_special_tokens=False)["input_ids"]
        return [i for i in ids if i not in self.tokenizer.all_special_ids]

    @torch.inference_mode()
    def generate(self, texts: list[str], settings: GenerateSettings | None = None) -> list[Hypothesis]:
        settings = settings or GenerateSettings()
        if not texts:
            return []
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=False).to(self.device)
        src_len = int(enc["input_ids"].shape[1])
        if src_len > self.model_limit:
            raise ValueError(f"input of {src_len} tokens exceeds the model's limit of {self.model_limit}; "
                             "split it first (mt.segment.split_to_budget)")
        max_new = settings.max_new_tokens or int(settings.length_ratio * src_len + 10)
        max_new = min(max_new, self.model_limit)
        beams = self.options.beams or self.default_beams
        kwargs: dict = {"num_beams": beams, "max_new_tokens": max_new}
        if settings.min_new_tokens:
            kwargs["min_new_tokens"] = settings.min_new_tokens
        if self.forced_bos is not None:
            kwargs["forced_bos_token_id"] = self.forced_bos
        if settings.anti_repeat:
            kwargs.update(no_repeat_ngram_size=3, repetition_penalty=1.3)
        processors = LogitsProcessorList()
        if settings.prefer and any(settings.prefer):
            from mt.glossary.bias import GlossaryBias

            rows = [[self.target_ids(p) for p in phrases] for phrases in settings.prefer]
            processors.append(GlossaryBias(rows, num_beams=beams))
        out = self.model.generate(**enc, logits_processor=processors, **kwargs)
        special = set(self.tokenizer.all_special_ids)
        results = []
        for row in out.tolist():
            tokens = [t for t in row if t not in special]
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            results.append(Hypothesis(text=text.strip(), tokens=len(tokens), hit_limit=len(tokens) >= max_new))
        return results
