"""The engine contract shared by the transformers and CTranslate2 back ends."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence, TypeVar

from mt.errors import EngineError, MtError
from mt.models.presets import ModelSpec
from mt.models.resolution import resolve


@dataclass(frozen=True)
class EngineOptions:
    """How to load and run a seq2seq model."""

    model: str | None = None  # preset, Hub id or folder; None = the task's default preset
    task: str = "translate"
    engine: str = "auto"  # auto (CTranslate2 when it converts, else transformers) | ct2 | hf; the CLI's default
    device: str = "auto"  # auto | cpu | cuda
    beams: int | None = None  # None = the model's generation config
    # padded source tokens per batch (ctranslate2 on CPU: all workers together) and sentences per batch;
    # None: CTranslate2 on CPU derives both from max_memory (mt.engines.memory), other engines use 2048 and 32
    batch_tokens: int | None = None
    max_batch_size: int | None = None
    max_memory: str | int | None = None  # --max-memory: "400M", "2G", "auto"; None: MT_MAX_MEMORY, else auto
    threads: int | None = None  # None = all cores
    max_input_tokens: int | None = None  # token budget per piece; None = min(model limit, 256)
    revision: str | None = None
    allow_pickle: bool = False
    # benchmarking only (scripts/bench.py): every piece gets exactly this many output tokens
    # (min = max new tokens) and the repetition guard does not retry; never set by the CLI
    fixed_output_tokens: int | None = None


@dataclass
class Hypothesis:
    text: str
    tokens: int  # generated tokens (without special tokens)
    hit_limit: bool = False  # stopped at max_new_tokens rather than at EOS


@dataclass(frozen=True)
class GenerateSettings:
    """Per-call decoding settings (the repetition guard's retry changes these)."""

    max_new_tokens: int | None = None  # None: derived from the source length
    min_new_tokens: int | None = None
    length_ratio: float = 2.0  # max_new_tokens = ratio * source tokens + 10 when not fixed
    anti_repeat: bool = False  # no_repeat_ngram_size=3 + repetition penalty
    prefer: list[list[str]] | None = None  # per text: English phrases to bias towards


class Engine(Protocol):
    name: str
    spec: ModelSpec
    max_input_tokens: int
    device: str

    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def generate(self, texts: list[str], settings: GenerateSettings | None = None) -> list[Hypothesis]: ...

    def describe(self) -> dict: ...


class Deferred:
    """`engine.generate` run when the result is asked for: `submit` for engines without a queue."""

    def __init__(self, engine: Engine, texts: list[str], settings: GenerateSettings | None):
        self.engine, self.texts, self.settings = engine, texts, settings
        self._results: list[Hypothesis] | None = None
        self.began: float | None = None  # when the work started (for per-document timing)

    def result(self) -> list[Hypothesis]:
        if self._results is None:
            self.began = time.perf_counter()
            self._results = self.engine.generate(self.texts, self.settings)
        return self._results


def submit(engine: Engine, texts: list[str], settings: GenerateSettings | None = None):
    """Start generating `texts`; `.result()` returns the hypotheses. Engines with worker threads
    (CTranslate2) start at once, so the caller's own work overlaps theirs; others run in `.result()`."""
    if hasattr(engine, "submit"):
        return engine.submit(texts, settings)
    return Deferred(engine, texts, settings)


T = TypeVar("T")
DEFAULT_BUDGET = 256  # source tokens per piece when --max-input-tokens is not given


def input_budget(model_limit: int, wanted: int | None) -> int:
    """Tokens per piece: --max-input-tokens (else DEFAULT_BUDGET), within the model's limit."""
    return max(8, min(wanted or DEFAULT_BUDGET, model_limit - 2))


def target_lang_id(tokenizer, lang: str | None) -> int | None:
    """The forced first token of a multilingual model's target language (M2M100, NLLB), or None."""
    if not lang:
        return None
    if hasattr(tokenizer, "get_lang_id"):  # M2M100
        return tokenizer.get_lang_id(lang)
    token_id = tokenizer.convert_tokens_to_ids(lang)  # NLLB
    return None if token_id == tokenizer.unk_token_id else token_id


DEFAULT_BATCH_TOKENS = 2048  # --batch-tokens when neither it nor a memory budget decides
DEFAULT_BATCH_SIZE = 32


def engine_batches(engine, fallback: EngineOptions, texts: list[str], tokens: dict[str, int]) -> list[list[str]]:
    """`length_batches` under the engine's own batch limits (`fallback` for engines without options)."""
    options = getattr(engine, "options", fallback)
    return length_batches(texts, tokens.__getitem__, options.batch_tokens or DEFAULT_BATCH_TOKENS,
                          options.max_batch_size or DEFAULT_BATCH_SIZE)


def length_batches(items: Sequence[T], length: Callable[[T], int], limit: int, max_size: int) -> list[list[T]]:
    """`items` sorted by length (stable) and cut into batches of at most `max_size` items whose
    padded size (items x the longest) stays within `limit`; an item longer than `limit` goes alone."""
    batches: list[list[T]] = []
    batch: list[T] = []
    for item in sorted(items, key=length):
        if batch and ((len(batch) + 1) * length(item) > limit or len(batch) >= max_size):
            batches.append(batch)
            batch = []
        batch.append(item)
    if batch:
        batches.append(batch)
    return batches


def token_counter(engine: Engine, limit: int = 20_000) -> Callable[[str], int]:
    """`engine.count_tokens` for one text, memoized; the memo is emptied at `limit` texts.

    Segmentation, batching and chunk planning count the same texts many times.
    """
    cache: dict[str, int] = {}

    def count(text: str) -> int:
        n = cache.get(text)
        if n is None:
            if len(cache) >= limit:
                cache.clear()
            n = cache[text] = engine.count_tokens([text])[0]
        return n

    return count


def cuda_devices() -> int:
    """CUDA devices visible to CTranslate2 or torch (0 without a GPU or a CUDA build)."""
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            return ctranslate2.get_cuda_device_count()
    except Exception:  # noqa: BLE001 - no CTranslate2, or a broken CUDA runtime
        pass
    try:
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    except ImportError:
        return 0


def require_cuda() -> None:
    """`--device cuda` on a machine without a usable GPU: one line, before any model is loaded."""
    if cuda_devices() == 0:
        raise EngineError("--device cuda: no CUDA device is visible to CTranslate2 or torch (no GPU, no driver, or "
                          "a CPU-only build); use --device cpu, or --device auto to take a GPU when there is one")


def pick_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def thread_count(threads: int | None) -> int:
    """Threads to use: the given number, else the cores this process may run on."""
    if threads:
        return threads
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def create_engine(options: EngineOptions, notify=None) -> Engine:
    """Load the model behind `options` with the requested back end.

    ``engine="auto"`` uses CTranslate2 when it is installed and the model
    converts, the transformers engine otherwise; `notify` receives a one-line
    note saying which was used.
    """
    spec = resolve(options.model, task=options.task, revision=options.revision)
    from mt.engines.memory import budget

    budget(options.max_memory)  # a bad --max-memory / MT_MAX_MEMORY fails here, never as a fallback reason
    if options.device == "cuda":
        require_cuda()
    choice = options.engine
    if choice in {"ct2", "auto"}:
        try:
            from mt.engines.ct2 import CT2Engine

            engine = CT2Engine(spec, options)
            if choice == "auto" and notify:
                notify(f"engine: ctranslate2 ({engine.describe()['compute_type']}) for {spec.label}")
            return engine
        except ImportError as exc:
            if choice == "ct2":
                raise
            reason = f"ctranslate2 unavailable ({exc})"
        except Exception as exc:  # noqa: BLE001 - conversion failures fall back in auto mode
            from mt.engines.convert import ConversionError
            from mt.models.presets import ModelError

            # a missing model (ModelError) never falls back; a failed conversion does, in auto mode
            if choice == "ct2" or (isinstance(exc, (ModelError, MtError)) and not isinstance(exc, ConversionError)):
                raise
            reason = f"conversion failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        if notify:
            notify(f"engine: transformers for {spec.label} ({reason})")
    from mt.engines.hf import HFEngine

    return HFEngine(spec, options)

