"""What runs inside each measured process of scripts/bench.py (`bench.py --worker NAME`).

One function per engine: it loads its model, warms up, times its work and
returns a JSON-able dict; `run_worker` adds the process's peak and final
resident memory and CPU time and prints it for the orchestrating process.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEEDS = ROOT / "seeds"
GLOSSARY = SEEDS / "glossary.tsv"


def rss_mb(field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident memory of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ workers (one process each)

def _fixed_settings(args, beams: int = 1) -> dict:
    return {"min_new_tokens": args.out_tokens, "max_new_tokens": args.out_tokens, "num_beams": beams,
            "do_sample": False}


def worker_hf(args, quantize: bool, beams: int = 1) -> dict:
    import warnings

    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()
    after_imports = rss_mb()
    folder = Path(args.workdir) / "marian"
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=torch.float32).eval()
    model.generation_config.max_length = None
    if quantize:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated; still the simplest int8
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    sentences = _sentences(args)
    sentences = baseline_sample(sentences, args.baseline_sentences if beams == 1 else args.beam_sentences)
    tokens = 0
    with torch.inference_mode():
        model.generate(**tok(sentences[:4], return_tensors="pt", padding=True), **_fixed_settings(args, beams))
    started = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(sentences), 32):
            batch = sentences[i: i + 32]
            enc = tok(batch, return_tensors="pt", padding=True)
            out = model.generate(**enc, **_fixed_settings(args, beams))
            tok.batch_decode(out, skip_special_tokens=True)
            tokens += (out.shape[1] - 1) * len(batch)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "sentences": len(sentences), "tokens": tokens, "rss_after_imports_mb": after_imports,
            "threads": torch.get_num_threads()}


def baseline_sample(sentences: list[str], n: int) -> list[str]:
    """Every k-th sentence, in input order: the baselines' rate per token comes from a sample
    (they are slow), spread over the whole corpus so its source lengths match what the other
    engines see (the first articles' sentences are shorter than the corpus average)."""
    step = max(1, len(sentences) // max(1, n))
    return sentences[::step][:n]


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def worker_ct2_plain(args, beams: int = 1) -> dict:
    import ctranslate2

    from mt.engines.ct2 import MarianSpm

    after_imports = rss_mb()
    tok = MarianSpm(Path(args.workdir) / "marian")
    translator = ctranslate2.Translator(_ct2_folder(args), device="cpu", compute_type="int8")
    sentences = _sentences(args)
    wanted = args.plain_sentences if beams == 1 else args.beam_plain_sentences
    sentences = baseline_sample(sentences, wanted) if wanted else sentences
    tokens = 0
    translator.translate_batch([tok.encode(s) for s in sentences[:4]], beam_size=1, max_decoding_length=8)  # warm-up
    cpu = _cpu()
    started = time.perf_counter()
    for i in range(0, len(sentences), 32):
        batch = [tok.encode(s) for s in sentences[i: i + 32]]
        results = translator.translate_batch(batch, max_batch_size=32, beam_size=beams, max_input_length=0,
                                             min_decoding_length=args.out_tokens,
                                             max_decoding_length=args.out_tokens)
        for result in results:
            tok.decode(result.hypotheses[0])
            tokens += len(result.hypotheses[0])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu_seconds_timed": _cpu() - cpu, "sentences": len(sentences), "tokens": tokens,
            "rss_after_imports_mb": after_imports, "inter_threads": 1, "intra_threads": "default"}


def worker_ct2_ceiling(args) -> dict:
    """CTranslate2 alone at its best on this machine: what no pipeline around it can beat.

    The same converted model, workers and threads as mt's engine (one 1-thread worker per core),
    the whole corpus sorted by length and cut into batches of --ceiling-batch sentences (64:
    bigger batches ran no faster here) with no bound on memory, all queued at once, longest
    first. Nothing else runs: no reading, segmentation, glossary or writing.
    """
    import ctranslate2

    from mt.engines.base import thread_count
    from mt.engines.ct2 import MarianSpm, cpu_threads, prefer_avx512

    after_imports = rss_mb()
    tok = MarianSpm(Path(args.workdir) / "marian")
    inter, intra = cpu_threads(thread_count(None))
    prefer_avx512()
    translator = ctranslate2.Translator(_ct2_folder(args), device="cpu", compute_type="int8", inter_threads=inter,
                                        intra_threads=intra, max_queued_batches=-1)
    sentences = _sentences(args)
    translator.translate_batch([tok.encode(s) for s in sentences[:4]], beam_size=1, max_decoding_length=8)  # warm-up
    cpu = _cpu()
    started = time.perf_counter()
    sources = sorted((tok.encode(s) for s in sentences), key=len)
    size = args.ceiling_batch
    pending = []
    for start in reversed(range(0, len(sources), size)):
        pending += translator.translate_batch(sources[start: start + size], beam_size=1, max_input_length=0,
                                              min_decoding_length=args.out_tokens,
                                              max_decoding_length=args.out_tokens, asynchronous=True)
    tokens = 0
    for item in pending:
        hypothesis = item.result().hypotheses[0]
        tok.decode(hypothesis)
        tokens += len(hypothesis)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu_seconds_timed": _cpu() - cpu, "sentences": len(sources), "tokens": tokens,
            "rss_after_imports_mb": after_imports, "inter_threads": inter, "intra_threads": intra,
            "batch": size}


def _sentences(args) -> list[str]:
    """The corpus's pieces, as bench.py's prepare wrote them."""
    return json.loads((Path(args.workdir) / "sentences.json").read_text(encoding="utf-8"))


def _ct2_folder(args) -> str:
    return (Path(args.workdir) / "ct2-folder.txt").read_text().strip()


def _mt_options(args, beams: int | None = 1, max_memory: str | None = None, glossary: Path | None = None,
                cache_path: Path | None = None, cache: bool = True):
    """mt's default path (engine auto, TM on) at a forced output length; `beams=None`: the model's own (4)."""
    from mt.engines import EngineOptions
    from mt.translator import TranslateOptions

    glossary = glossary or GLOSSARY
    if cache_path is None:  # every measured run starts with an empty translation memory of its own
        cache_path = Path(tempfile.mkdtemp(prefix="mt-bench-tm-", dir=args.workdir)) / "tm.sqlite3"
    return TranslateOptions(engine=EngineOptions(model=str(Path(args.workdir) / "marian"), engine="auto",
                                                 beams=beams, fixed_output_tokens=args.out_tokens,
                                                 max_memory=max_memory),
                            glossaries=(str(glossary),) if glossary.exists() else (), cache=cache,
                            cache_path=str(cache_path))


def worker_mt(args, corpus: str = "corpus", beams: int | None = 1, max_memory: str | None = None,
              keep_out: Path | None = None, cache_path: Path | None = None, glossary: Path | None = None,
              force: bool = True) -> dict:
    """mt's default path: `translate_corpus` on a folder, timed after loading and a warm-up.

    `keep_out`: write there and keep it (the rerun measurement reruns into the same OUT);
    `force=False`: resume as a rerun does (documents already done with the same key are skipped).
    """
    from mt.translate import translate_corpus
    from mt.translator import Translator

    after_imports = rss_mb()
    notes: list[str] = []
    options = _mt_options(args, beams, max_memory, glossary, cache_path)
    began = time.perf_counter()
    translator = Translator(options, notify=notes.append)
    after_load = rss_mb()
    engine = translator.engine
    busy = EngineBusy(engine)
    # warm-up: one short document through the whole path, so one-time costs (the sentence splitter's
    # rules, glossary patterns) are paid before timing, as model loading is for every engine
    warm = Path(tempfile.mkdtemp(prefix="mt-bench-warm-", dir=args.workdir))
    (warm / "in").mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8").splitlines()
    (warm / "in" / "warm.txt").write_text("\n".join(first[:3]) + "\n", encoding="utf-8")
    translate_corpus([warm / "in"], warm / "out", options, translator=translator, force=True)
    shutil.rmtree(warm)
    busy.texts, busy.tokens, busy.live = 0, 0, []  # the warm-up's output is not the run's
    load_seconds = time.perf_counter() - began  # loading and the warm-up's one-time costs
    out = keep_out or Path(tempfile.mkdtemp(prefix="mt-bench-out-", dir=args.workdir))
    cpu, main_cpu = _cpu(), time.thread_time()
    with busy:
        started = time.perf_counter()
        summary = translate_corpus([Path(args.workdir) / corpus], out, options, translator=translator, force=force)
        seconds = time.perf_counter() - started
    cpu, main_cpu = _cpu() - cpu, time.thread_time() - main_cpu
    if keep_out is None:
        shutil.rmtree(out)
    if summary.failed:
        raise SystemExit(f"mt path failed: {summary.failed[:3]}")
    return {"seconds": seconds, "engine_seconds": seconds - busy.idle, "sentences": busy.texts,
            "tokens": busy.tokens, "cpu_seconds_timed": cpu, "documents": summary.ok,
            "pipeline_cpu_fraction": main_cpu / cpu if cpu else None,  # the main thread's share of the CPU
            "rss_after_imports_mb": after_imports, "rss_after_load_mb": after_load,
            "cache_hits": summary.cache_hits, "skipped": summary.skipped, "load_seconds": load_seconds,
            "engine": engine.describe(), "notes": notes}


def _translation_files(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*"))
            if p.is_file() and ".mt" not in p.parts and p.name != "manifest.jsonl"}


def worker_rerun(args) -> dict:
    """The rerun after a glossary edit: the mt-beam4 run's corpus, OUT and translation memory under the
    edited glossary, resuming (no --force), timed like the first run (after loading and a warm-up)."""
    work = Path(args.workdir)
    result = worker_mt(args, corpus="corpus-beam", beams=None, keep_out=work / "rerun-out",
                       cache_path=work / "rerun-tm" / "tm.sqlite3", glossary=work / "glossary-edited.tsv",
                       force=False)
    if result["skipped"]:
        raise SystemExit(f"the rerun skipped {result['skipped']} documents: the glossary edit did not reach the key")
    return result


def worker_fresh(args) -> dict:
    """The beam-4 corpus under the edited glossary, into a new OUT, without the translation memory:
    whether its files equal the rerun's."""
    from mt.translate import translate_corpus

    work = Path(args.workdir)
    out = Path(tempfile.mkdtemp(prefix="mt-bench-fresh-", dir=work))
    options = _mt_options(args, None, glossary=work / "glossary-edited.tsv", cache=False)
    started = time.perf_counter()
    summary = translate_corpus([work / "corpus-beam"], out, options)
    seconds = time.perf_counter() - started
    rerun, mine = _translation_files(work / "rerun-out"), _translation_files(out)
    shutil.rmtree(out)
    differing = sorted(k for k in set(rerun) | set(mine) if rerun.get(k) != mine.get(k))
    return {"seconds": seconds, "documents": summary.ok, "identical": not differing and not summary.failed,
            "files": len(mine), "differing": differing[:5]}


def _done(pending) -> bool:
    """Whether a queued CTranslate2 batch is finished. Once the pipeline has taken its result,
    `done()` raises (the future has no state left): that batch is finished too."""
    try:
        return pending.done()
    except RuntimeError:
        return True


class EngineBusy:
    """Counts the engine's output and measures the time it has nothing to do.

    mt hands a window to CTranslate2's workers and returns at once (`submit`), so the engine's
    time is not the time spent inside a call. A sampler thread checks every millisecond
    whether any queued batch is unfinished; `idle` is the time none was. (An engine without
    `submit` is timed inside `generate`.)
    """

    def __init__(self, engine):
        self.engine, self.idle, self.texts, self.tokens = engine, 0.0, 0, 0
        self.live: list = []
        self._stop = threading.Event()
        name = "submit" if hasattr(engine, "submit") else "generate"
        original = getattr(engine, name)

        def counted(texts, settings=None):
            handle = original(texts, settings)
            if name == "generate":
                self.tokens += sum(h.tokens for h in handle)
            else:
                self.live.append(handle)
            self.texts += len(texts)
            return handle

        setattr(engine, name, counted)

    def _busy(self) -> bool:
        return any(not _done(pending[0]) for handle in self.live for _, _, pending in handle.jobs)

    def _sample(self) -> None:  # must not die: overhead_fraction would silently stop counting
        last = time.perf_counter()
        while not self._stop.wait(0.001):
            now = time.perf_counter()
            if not self._busy():
                self.idle += now - last
            last = now

    def __enter__(self):
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self.tokens += sum(h.tokens for handle in self.live for h in handle.result())


def worker_summarize(args, engine_name: str) -> dict:
    from mt.engines import EngineOptions, create_engine
    from mt.engines.base import GenerateSettings

    texts = json.loads((Path(args.workdir) / "english.json").read_text(encoding="utf-8"))
    options = EngineOptions(model=str(Path(args.workdir) / "bart"), task="summarize", engine=engine_name, beams=1,
                            max_input_tokens=1000)
    after_imports = rss_mb()
    engine = create_engine(options)
    settings = GenerateSettings(max_new_tokens=args.out_tokens, min_new_tokens=args.out_tokens)
    engine.generate(texts[:1], GenerateSettings(max_new_tokens=4))  # warm-up
    started = time.perf_counter()
    hyps = [h for i in range(0, len(texts), 4) for h in engine.generate(texts[i: i + 4], settings)]
    seconds = time.perf_counter() - started
    # every output is forced to out_tokens decoder steps (specials such as BART's forced <s> included)
    return {"seconds": seconds, "sentences": len(hyps), "tokens": args.out_tokens * len(hyps),
            "rss_after_imports_mb": after_imports, "engine": engine.describe()}


def run_worker(args) -> None:
    name = args.worker
    if name == "hf-fp32":
        result = worker_hf(args, quantize=False)
    elif name == "hf-int8-dynamic":
        result = worker_hf(args, quantize=True)
    elif name == "hf-fp32-beam4":
        result = worker_hf(args, quantize=False, beams=4)
    elif name == "ct2-plain":
        result = worker_ct2_plain(args)
    elif name == "ct2-plain-beam4":
        result = worker_ct2_plain(args, beams=4)
    elif name == "ct2-ceiling":
        result = worker_ct2_ceiling(args)
    elif name == "mt-default":
        result = worker_mt(args)
    elif name == "mt-capped":
        result = worker_mt(args, max_memory="400M")
    elif name == "mt-beam4":  # the first run of the rerun measurement, too
        work = Path(args.workdir)
        result = worker_mt(args, corpus="corpus-beam", beams=None, keep_out=work / "rerun-out",
                           cache_path=work / "rerun-tm" / "tm.sqlite3", glossary=work / "glossary-first.tsv")
    elif name == "mt-rerun":
        result = worker_rerun(args)
    elif name == "mt-fresh":
        result = worker_fresh(args)
    elif name == "mt-repeated":
        result = worker_mt(args, corpus="repeated")
    elif name.startswith("mt-grow-"):
        result = worker_mt(args, corpus=name.removeprefix("mt-"))
    elif name == "sum-hf-fp32":
        result = worker_summarize(args, "hf")
    elif name == "sum-mt-ct2":
        result = worker_summarize(args, "ct2")
    else:
        raise SystemExit(f"unknown worker {name}")
    result["peak_rss_mb"] = rss_mb()
    result["end_rss_mb"] = rss_mb("VmRSS")  # what stays resident after the run
    result["cpu_seconds"] = _cpu()  # whole process, loading included
    print(json.dumps(result, default=str))
