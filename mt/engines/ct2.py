"""The CTranslate2 engine: int8 inference on a converted copy of the model.

Same contract as `mt.engines.hf.HFEngine` (``count_tokens``, ``generate``,
``describe``, ``max_input_tokens``, ``model_limit``). On first use the
transformers checkpoint is converted once into ``models_dir()/ct2/<key>/``
(see `mt.engines.convert`); later runs load the cached copy.

Speed choices (measured with scripts/bench.py on a 2-core AMD EPYC):

- int8 weights on CPU (int8_float16 on CUDA); AVX-512 kernels where the CPU
  has them (`prefer_avx512`);
- one worker per core (``inter_threads`` = cores up to 4, ``intra_threads`` =
  1; more cores become intra threads): two 1-thread workers decoded int8
  faster than one 2-thread worker;
- ``prefers_large_batches``: `mt.translator.Translator` hands the engine all
  unique pieces of a window in one call; the engine sorts them by length,
  cuts batches and queues them all at once (``asynchronous=True``), longest
  first, so every worker stays busy. Each batch gets its own length limit
  (``length_ratio`` × its longest source + 10), exactly as the transformers
  engine computes it per batch;
- memory: on CPU each worker's batches are sized from the memory budget
  (``--max-memory SIZE``/``MT_MAX_MEMORY``, default ``auto``; see
  `mt.engines.memory`): sentences per batch and padded source tokens per
  batch follow from the measured memory per sentence in flight at the
  current beam size, capped where more memory bought no speed.
  ``--batch-size``/``--batch-tokens`` (all workers together) only lower
  those bounds; ``MT_CT2_MAX_SENTENCES`` sets the sentences outright.
- translation memory: `cache_context` names everything besides the source
  piece that decides the output (the converted model, compute type, device,
  decoding options), for `mt.engines.tm`; the engine ignores the soft
  glossary bias (``ignores_prefer``), so its cache keys do not cover it.

Tokenization: for Marian (opus-mt layout: source.spm, target.spm, vocab.json)
a light SentencePiece tokenizer that reproduces MarianTokenizer without
importing torch or transformers (the translating process stays ~150 MB);
every other family (NLLB, M2M100, BART, ...) uses the model's own
transformers tokenizer. NLLB/M2M100 get their target-language token as
``target_prefix``; BART gets its forced BOS token.

Glossary bias (``GenerateSettings.prefer``) is not applied: CTranslate2 4.x's
``translate_batch`` has no logits-processor hook. Glossary targets are still
guaranteed by normalization and repair in `mt.glossary.enforce`.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import ctranslate2

from mt.engines import memory
from mt.engines.base import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BATCH_TOKENS,
    EngineOptions,
    GenerateSettings,
    Hypothesis,
    input_budget,
    length_batches,
    target_lang_id,
    thread_count,
)
from mt.engines.convert import converted_model, source_folder
from mt.models.presets import ModelSpec
from mt.models.resolution import local_files

MAX_WORKERS = 4  # more cores go to intra-op threads of each worker
CACHE_SENTENCES = 8192  # encoded sentences kept by MarianSpm (memory must not grow with the corpus)


def cpu_threads(cores: int) -> tuple[int, int]:
    """(inter_threads, intra_threads) for `cores` CPU cores.

    One core per worker: on a 2-core machine two workers with one thread each
    ran int8 decoding faster than one worker with two threads. Environment
    overrides: MT_CT2_INTER_THREADS, MT_CT2_INTRA_THREADS.
    """
    inter = int(os.environ.get("MT_CT2_INTER_THREADS") or min(max(1, cores), MAX_WORKERS))
    intra = int(os.environ.get("MT_CT2_INTRA_THREADS") or max(1, cores // inter))
    return inter, intra


def _read_json(path: Path | None) -> dict:
    if path is None or not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class MarianSpm:
    """MarianTokenizer's encoding and decoding with sentencepiece alone."""

    kind = "sentencepiece"

    @staticmethod
    def usable(folder: Path | None) -> bool:
        if folder is None or not all((folder / f).exists() for f in ("source.spm", "target.spm", "vocab.json")):
            return False
        config = _read_json(folder / "tokenizer_config.json")
        return _read_json(folder / "config.json").get("model_type") == "marian" and not config.get("separate_vocabs")

    def __init__(self, folder: Path):
        import sentencepiece as spm

        config = _read_json(folder / "tokenizer_config.json")
        self.source = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        self.eos = str(config.get("eos_token") or "</s>")
        self.unk = str(config.get("unk_token") or "<unk>")
        self.pad = str(config.get("pad_token") or "<pad>")
        self.special = {self.eos, self.unk, self.pad}
        self._split = re.compile("(" + "|".join(re.escape(s) for s in sorted(self.special, key=len, reverse=True))
                                 + ")")
        self.model_max_length = int(config.get("model_max_length") or 10**6)
        self._cache: dict[str, list[str]] = {}

    def encode(self, text: str) -> list[str]:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        tokens: list[str] = []
        for part in self._split.split(text):
            if part in self.special:
                tokens.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:  # language code, e.g. >>ukr<<
                tokens.append(part[: end + 2])
                part = part[end + 2:]
            if part.strip():
                tokens.extend(self.source.encode(part, out_type=str))
        tokens.append(self.eos)
        # counting and translating a window encode the same texts; `forget` empties the cache after
        # each window, and CACHE_SENTENCES bounds an unusually large one
        if len(self._cache) >= CACHE_SENTENCES:
            self._cache.clear()
        self._cache[text] = tokens
        return tokens

    def forget(self) -> None:
        """Drop the encoded sentences (`CT2Engine.submit` calls it once a window is encoded and
        queued, so the cache holds at most one window)."""
        self._cache.clear()

    def decode(self, tokens: list[str]) -> str:
        kept = [t for t in tokens if t not in self.special]
        return self.target.decode_pieces(kept).replace("\u2581", " ").strip()

    def prefix(self, spec: ModelSpec, generation: dict) -> list[str] | None:
        return None


class HFTokens:
    """Any model's transformers tokenizer, producing CTranslate2's token strings."""

    kind = "transformers"

    def __init__(self, spec: ModelSpec, folder: Path | None):
        import transformers
        from transformers import AutoTokenizer

        transformers.logging.set_verbosity_error()
        source = str(folder) if folder is not None else spec.hub
        self.tok = AutoTokenizer.from_pretrained(source, revision=spec.revision, trust_remote_code=False)
        if spec.src_lang and hasattr(self.tok, "src_lang"):
            self.tok.src_lang = spec.src_lang
        self.model_max_length = int(getattr(self.tok, "model_max_length", 10**6) or 10**6)

    def encode(self, text: str) -> list[str]:
        return self.tok.convert_ids_to_tokens(self.tok(text, add_special_tokens=True)["input_ids"])

    def forget(self) -> None:
        pass

    def decode(self, tokens: list[str]) -> str:
        return self.tok.decode(self.tok.convert_tokens_to_ids(tokens), skip_special_tokens=True).strip()

    def prefix(self, spec: ModelSpec, generation: dict) -> list[str] | None:
        token_id = target_lang_id(self.tok, spec.tgt_lang)
        if token_id is None:
            token_id = generation.get("forced_bos_token_id")
        return None if token_id is None else [self.tok.convert_ids_to_tokens(int(token_id))]


def prefer_avx512() -> None:
    """Let CTranslate2 use its AVX-512 kernels where the CPU has them.

    CTranslate2 picks AVX2 on AMD CPUs even when they support AVX-512; on the
    2-core AMD EPYC (Zen 4) bench machine, AVX-512 was 3-4% faster and used
    ~15 MB less. A CT2_FORCE_CPU_ISA set by the user is left alone.
    """
    if os.environ.get("CT2_FORCE_CPU_ISA"):
        return
    try:
        flags = next((line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("flags")), [])
    except OSError:
        return
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= set(flags):
        os.environ["CT2_FORCE_CPU_ISA"] = "AVX512"  # read when the first model is loaded


def release_memory() -> None:
    """Give memory freed by the workers back to the system (glibc's malloc_trim).

    Each worker thread allocates from its own malloc arena; without trimming,
    the freed pages of one window stay resident and the next window's peak
    lands on top of them, so resident memory creeps up with the corpus.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def pick_ct2_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:  # noqa: BLE001 - a broken CUDA runtime means CPU
        return "cpu"


def pick_compute_type(device: str) -> str:
    supported = ctranslate2.get_supported_compute_types(device)
    for wanted in (("int8_float16", "int8", "float16", "float32") if device == "cuda" else ("int8", "float32")):
        if wanted in supported:
            return wanted
    return "default"


class CT2Engine:
    """Marian, NLLB, M2M100 and BART-style models through CTranslate2's translate_batch."""

    name = "ct2"
    prefers_large_batches = True  # Translator passes a whole window; the engine batches (see module doc)
    ignores_prefer = True  # no soft glossary bias: the output does not depend on the glossary

    def __init__(self, spec: ModelSpec, options: EngineOptions):
        self.spec = spec
        self.options = options
        self.device = pick_ct2_device(options.device)
        self.compute_type = pick_compute_type(self.device)
        self.model_dir = converted_model(spec, self.compute_type, allow_pickle=options.allow_pickle)
        # the conversion's own copy of the config and tokenizer (works with the HF cache cleared), else the model's
        folder = source_folder(self.model_dir) or local_files(spec)
        config = _read_json(folder / "config.json" if folder else None)
        self.generation = _read_json(folder / "generation_config.json" if folder else None)
        self.tokenizer = MarianSpm(folder) if MarianSpm.usable(folder) else HFTokens(spec, folder)
        self.target_prefix = self.tokenizer.prefix(spec, self.generation)
        self.inter_threads, self.intra_threads = cpu_threads(thread_count(options.threads)) if self.device == "cpu" \
            else (1, 0)
        if self.device == "cpu":
            prefer_avx512()
        self.translator = ctranslate2.Translator(str(self.model_dir), device=self.device,
                                                 compute_type=self.compute_type, inter_threads=self.inter_threads,
                                                 intra_threads=self.intra_threads,
                                                 max_queued_batches=-1)  # submit never blocks (see submit)
        limit = min(int(config.get("max_position_embeddings") or 512), self.tokenizer.model_max_length)
        self.model_limit = int(limit)
        self.max_input_tokens = input_budget(self.model_limit, options.max_input_tokens)
        self.default_beams = int(self.generation.get("num_beams") or 1)
        self.config = config
        self.budget = memory.budget(options.max_memory) if self.device == "cpu" else None
        self._plan: memory.Plan | None = None

    @property
    def memory_plan(self) -> memory.Plan | None:
        """Batch sizes from the memory budget (CPU only), planned when the first batch is cut: by then the
        process holds the model and what the pipeline loads for its first window (language identification,
        sentence splitter, glossary), and that resident memory is the plan's base."""
        if self._plan is None and self.budget is not None:
            self._plan = memory.plan(self.budget, self.inter_threads, self.beams, memory.resident_mb(), self.config,
                                     self.options.fixed_output_tokens)
        return self._plan

    @property
    def beams(self) -> int:
        return self.options.beams or self.default_beams

    def describe(self) -> dict:
        return {"engine": "ctranslate2", "model": self.spec.label, "device": self.device,
                "compute_type": self.compute_type, "beams": self.beams,
                "inter_threads": self.inter_threads, "intra_threads": self.intra_threads,
                "tokenizer": self.tokenizer.kind, "cache": str(self.model_dir),
                "cpu_isa": os.environ.get("CT2_FORCE_CPU_ISA", "auto") if self.device == "cpu" else None,
                # the plan is made when the first batch is cut (see memory_plan)
                "batch": dict(zip(("tokens_per_worker", "sentences_per_worker"), self.batch_limits()))
                if self._plan or self.budget is None else None,
                "memory": self._plan.describe() if self._plan else None,
                "version": ctranslate2.__version__}

    def cache_context(self) -> dict:
        """What, besides the source piece, decides this engine's output (for mt.engines.tm)."""
        return {"engine": "ctranslate2", "model": self.spec.label,
                "revision": self.model_dir.name,  # label, weights' revision or folder hash, ct2 version, quantization
                "compute_type": self.compute_type, "device": self.device, "ctranslate2": ctranslate2.__version__,
                "tokenizer": self.tokenizer.kind, "target_prefix": self.target_prefix,
                "min_length": int(self.generation.get("min_length") or 0),
                "decoding": self._decoding_options(GenerateSettings()), "beams": self.beams}

    def batch_limits(self) -> tuple[int, int]:
        """(padded source tokens, sentences) per worker batch."""
        options = self.options
        if self.memory_plan is not None:
            tokens, size = self.memory_plan.tokens, self.memory_plan.sentences
        else:
            tokens = (options.batch_tokens or DEFAULT_BATCH_TOKENS) // self.inter_threads
            size = options.max_batch_size or DEFAULT_BATCH_SIZE
        if options.batch_tokens:  # --batch-tokens counts all workers together
            tokens = min(tokens, options.batch_tokens // self.inter_threads)
        if options.max_batch_size:
            size = min(size, options.max_batch_size)
        if self.device == "cpu" and os.environ.get("MT_CT2_MAX_SENTENCES"):
            size = int(os.environ["MT_CT2_MAX_SENTENCES"])
        return max(64, tokens), max(1, size)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(self.tokenizer.encode(t)) for t in texts]

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices sorted by length, cut into batches bounded by padded tokens and by size."""
        limit, max_size = self.batch_limits()
        return length_batches(range(len(lengths)), lengths.__getitem__, limit, max_size)

    def _decoding_options(self, settings: GenerateSettings) -> dict:
        gen = self.generation
        kwargs = {"beam_size": self.beams, "max_input_length": 0,
                  "length_penalty": float(gen.get("length_penalty") or 1.0),
                  "no_repeat_ngram_size": int(gen.get("no_repeat_ngram_size") or 0),
                  "repetition_penalty": float(gen.get("repetition_penalty") or 1.0)}
        if settings.anti_repeat:
            kwargs["no_repeat_ngram_size"] = 3
            kwargs["repetition_penalty"] = max(1.3, kwargs["repetition_penalty"])
        return kwargs

    def generate(self, texts: list[str], settings: GenerateSettings | None = None) -> list[Hypothesis]:
        return self.submit(texts, settings).result()

    def submit(self, texts: list[str], settings: GenerateSettings | None = None) -> "Submitted":
        """Queue `texts` on the workers and return at once; `.result()` waits for the hypotheses.

        `mt.translator.Translator` submits the next window before it collects the last one, so the
        workers never wait for the pipeline's own work (segmenting, glossary checks, writing).
        """
        settings = settings or GenerateSettings()
        if not texts:
            return Submitted(self, [], 0)
        sources = [self.tokenizer.encode(t) for t in texts]
        self.tokenizer.forget()  # counting and encoding this window are done
        lengths = [len(s) for s in sources]
        if max(lengths) > self.model_limit:
            raise ValueError(f"input of {max(lengths)} tokens exceeds the model's limit of {self.model_limit}; "
                             "split it first (mt.segment.split_to_budget)")
        common = self._decoding_options(settings)
        min_new = settings.min_new_tokens or int(self.generation.get("min_length") or 0)
        jobs = []
        # all batches are queued at once so inter_threads workers run in parallel; longest first, so
        # the last batches to finish are short ones and no worker idles long at the end of a call
        for batch in reversed(self._batches(lengths)):
            longest = max(lengths[i] for i in batch)
            max_new = min(settings.max_new_tokens or int(settings.length_ratio * longest + 10), self.model_limit)
            prefix = [list(self.target_prefix) for _ in batch] if self.target_prefix else None
            pending = self.translator.translate_batch(
                [sources[i] for i in batch], target_prefix=prefix, asynchronous=True,
                max_decoding_length=max_new, min_decoding_length=max(1, min(min_new, max_new)), **common)
            jobs.append((batch, max_new, pending))
        return Submitted(self, jobs, len(texts))


class Submitted:
    """Batches queued on CTranslate2's workers for one `CT2Engine.submit` call."""

    def __init__(self, engine: CT2Engine, jobs: list, count: int):
        self.engine, self.jobs, self.count = engine, jobs, count
        self._results: list[Hypothesis] | None = None

    def result(self) -> list[Hypothesis]:
        """Wait for every batch; hypotheses in the order the texts were given."""
        if self._results is None:
            self._results = self._collect()
        return self._results

    def _collect(self) -> list[Hypothesis]:
        engine = self.engine
        skip = len(engine.target_prefix or ())
        results: list[Hypothesis | None] = [None] * self.count
        for batch, max_new, pending in self.jobs:
            for i, item in zip(batch, pending):
                tokens = item.result().hypotheses[0]  # includes the target prefix, like HF's forced BOS
                results[i] = Hypothesis(text=engine.tokenizer.decode(tokens), tokens=len(tokens) - skip,
                                        hit_limit=len(tokens) >= max_new)
        self.jobs = []  # CTranslate2's results are no longer needed
        if engine.device == "cpu" and self.count:
            release_memory()
        return results  # type: ignore[return-value]
