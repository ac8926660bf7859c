#!/usr/bin/env python3
"""Translation speed and memory: mt's default path against transformers and plain CTranslate2.

    python scripts/bench.py [--copies 6] [--rounds 4] [--json bench.json] [--no-grow] [--no-summarize]

Models get random weights and the real architectures, built offline by
scripts/bench_build.py: opus-mt-uk-en's Marian shape for translation and
distilbart-cnn-12-6's BART shape for a summarization figure.

Every engine decodes greedily and is forced to exactly --out-tokens (48)
output tokens per sentence, so all of them do the same work:

- ``hf-fp32``          transformers fp32 `generate`, batches of 32 in input order (the baseline)
- ``hf-int8-dynamic``  the same after torch dynamic int8 quantization of the Linear layers
- ``ct2-plain``        CTranslate2 int8 `translate_batch`, batches of 32 in input order, default
                       threads and CPU dispatch, SentencePiece tokenization included
- ``mt-default``       `mt.pipeline.translate_corpus` on a folder of articles with mt's default
                       engine (auto -> CTranslate2): reading, cleaning, segmentation, glossary
                       (seeds/glossary.tsv), translation and atomic writes, all timed; the
                       forced length comes from the benchmark-only
                       ``EngineOptions.fixed_output_tokens`` (which also turns off the
                       repetition guard's retries)

The corpus is the seed articles repeated --copies times; each copy's sentences
carry the copy number so no two sentences are identical (mt translates
repeated sentences once, which would flatter it). ct2-plain and mt-default
translate the whole corpus; the transformers baselines time
--baseline-sentences sentences, every k-th in input order (their rate per
token; they are slow). Each
engine runs in its own process after loading and a small warm-up; rounds
interleave the engines and the table shows medians. Peak RSS is the
process's VmHWM (loading included). `overhead_fraction` is the share of the
mt path's time spent outside `engine.generate`. `--grow` runs the mt path on
N and 10N documents (8 output tokens) and compares peak memory.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from bench_build import build_bart, build_corpus, build_marian, corpus_sentences, english_text  # noqa: E402
SEEDS = ROOT / "seeds"
GLOSSARY = SEEDS / "glossary.tsv"
ENGINES = ["hf-fp32", "hf-int8-dynamic", "ct2-plain", "mt-default"]
SUMMARY_ENGINES = ["sum-hf-fp32", "sum-mt-ct2"]


def rss_mb(field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident memory of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ workers (one process each)

def _fixed_settings(args) -> dict:
    return {"min_new_tokens": args.out_tokens, "max_new_tokens": args.out_tokens, "num_beams": 1,
            "do_sample": False}


def worker_hf(args, quantize: bool) -> dict:
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
    sentences = json.loads((Path(args.workdir) / "sentences.json").read_text(encoding="utf-8"))
    sentences = baseline_sample(sentences, args.baseline_sentences)
    tokens = 0
    with torch.inference_mode():
        model.generate(**tok(sentences[:4], return_tensors="pt", padding=True), **_fixed_settings(args))  # warm-up
    started = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(sentences), 32):
            batch = sentences[i: i + 32]
            enc = tok(batch, return_tensors="pt", padding=True)
            out = model.generate(**enc, **_fixed_settings(args))
            tok.batch_decode(out, skip_special_tokens=True)
            tokens += (out.shape[1] - 1) * len(batch)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "sentences": len(sentences), "tokens": tokens, "rss_after_imports_mb": after_imports,
            "threads": torch.get_num_threads()}


def baseline_sample(sentences: list[str], n: int) -> list[str]:
    """Every k-th sentence, in input order: transformers is slow, so its rate per token comes from
    a sample, spread over the whole corpus so its source lengths match what the other engines see
    (the first articles' sentences are shorter than the corpus average)."""
    step = max(1, len(sentences) // max(1, n))
    return sentences[::step][:n]


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def worker_ct2_plain(args) -> dict:
    import ctranslate2

    from mt.engines.ct2 import MarianSpm

    after_imports = rss_mb()
    tok = MarianSpm(Path(args.workdir) / "marian")
    translator = ctranslate2.Translator(_ct2_folder(args), device="cpu", compute_type="int8")
    sentences = json.loads((Path(args.workdir) / "sentences.json").read_text(encoding="utf-8"))
    tokens = 0
    translator.translate_batch([tok.encode(s) for s in sentences[:4]], beam_size=1, max_decoding_length=8)  # warm-up
    cpu = _cpu()
    started = time.perf_counter()
    for i in range(0, len(sentences), 32):
        batch = [tok.encode(s) for s in sentences[i: i + 32]]
        results = translator.translate_batch(batch, max_batch_size=32, beam_size=1, max_input_length=0,
                                             min_decoding_length=args.out_tokens,
                                             max_decoding_length=args.out_tokens)
        for result in results:
            tok.decode(result.hypotheses[0])
            tokens += len(result.hypotheses[0])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu_seconds_timed": _cpu() - cpu, "sentences": len(sentences), "tokens": tokens,
            "rss_after_imports_mb": after_imports, "inter_threads": 1, "intra_threads": "default"}


def _ct2_folder(args) -> str:
    return (Path(args.workdir) / "ct2-folder.txt").read_text().strip()


def worker_mt(args, corpus: str = "corpus") -> dict:
    from mt.engines import EngineOptions
    from mt.pipeline import translate_corpus
    from mt.translate import TranslateOptions, Translator

    after_imports = rss_mb()
    notes: list[str] = []
    options = TranslateOptions(engine=EngineOptions(model=str(Path(args.workdir) / "marian"), engine="auto",
                                                    beams=1, fixed_output_tokens=args.out_tokens),
                               glossaries=(str(GLOSSARY),) if GLOSSARY.exists() else ())
    translator = Translator(options, notify=notes.append)
    after_load = rss_mb()
    engine = translator.engine
    stats = {"seconds": 0.0, "texts": 0, "tokens": 0}
    generate = engine.generate

    def timed(texts, settings=None):
        started = time.perf_counter()
        hyps = generate(texts, settings)
        stats["seconds"] += time.perf_counter() - started
        stats["texts"] += len(texts)
        stats["tokens"] += sum(h.tokens for h in hyps)
        return hyps

    # warm-up: one short document through the whole path, so one-time costs (the sentence splitter's
    # rules, glossary patterns) are paid before timing, as model loading is for every engine
    warm = Path(tempfile.mkdtemp(prefix="mt-bench-warm-", dir=args.workdir))
    (warm / "in").mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8").splitlines()
    (warm / "in" / "warm.txt").write_text("\n".join(first[:3]) + "\n", encoding="utf-8")
    translate_corpus([warm / "in"], warm / "out", options, translator=translator, force=True)
    engine.generate = timed
    out = Path(tempfile.mkdtemp(prefix="mt-bench-out-", dir=args.workdir))
    cpu = _cpu()
    started = time.perf_counter()
    summary = translate_corpus([Path(args.workdir) / corpus], out, options, translator=translator, force=True)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    if summary.failed:
        raise SystemExit(f"mt path failed: {summary.failed[:3]}")
    return {"seconds": seconds, "engine_seconds": stats["seconds"], "sentences": stats["texts"],
            "tokens": stats["tokens"], "cpu_seconds_timed": cpu, "documents": summary.ok, "rss_after_imports_mb": after_imports, "rss_after_load_mb": after_load,
            "engine": engine.describe(), "notes": notes}


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
    elif name == "ct2-plain":
        result = worker_ct2_plain(args)
    elif name == "mt-default":
        result = worker_mt(args)
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


# ------------------------------------------------------------------ orchestration

def spawn(name: str, args, out_tokens: int | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--workdir", str(args.workdir),
           "--out-tokens", str(out_tokens or args.out_tokens), "--baseline-sentences", str(args.baseline_sentences)]
    env = {**os.environ, "MT_MODELS_DIR": str(Path(args.workdir) / "models"), "HF_HUB_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))
    if done.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    flags = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in flags.splitlines() if line.startswith("model name")),
                 platform.processor())
    import ctranslate2
    import torch
    import transformers

    return {"cpu": model, "cores": len(os.sched_getaffinity(0)), "avx512": " avx512f" in flags,
            "load_average": [round(x, 2) for x in os.getloadavg()],  # other work on a shared machine
            "python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "ctranslate2": ctranslate2.__version__}


def prepare(args) -> int:
    """Build models and corpora in the workdir; returns the number of sentences to translate."""
    work = Path(args.workdir)
    os.environ["MT_MODELS_DIR"] = str(work / "models")
    os.environ["HF_HUB_OFFLINE"] = "1"
    marian = build_marian(work / "marian")
    corpus = build_corpus(work / "corpus", args.copies)
    sentences = corpus_sentences(corpus, marian)
    (work / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    if args.grow:
        build_corpus(work / "grow-1x", args.grow_copies)
        build_corpus(work / "grow-10x", 10 * args.grow_copies)
    from mt.engines.ct2_convert import converted_model
    from mt.engines.ct2 import pick_compute_type
    from mt.models import resolve

    folder = converted_model(resolve(str(marian)), pick_compute_type("cpu"))  # convert once, before timing
    (work / "ct2-folder.txt").write_text(str(folder))
    if args.summarize:
        bart = build_bart(work / "bart")
        english = english_text()
        paragraphs = [p for p in english.split("\n") if p.strip()]
        docs = [" ".join(" ".join(paragraphs[i:] + paragraphs[:i]).split()[:300]) for i in range(4)]  # 4 × 300 words
        (work / "english.json").write_text(json.dumps(docs), encoding="utf-8")
        converted_model(resolve(str(bart), task="summarize"), pick_compute_type("cpu"))
    return len(sentences)


def rate(runs: list[dict]) -> dict:
    seconds = statistics.median(r["seconds"] for r in runs)
    first = runs[0]
    return {"tokens_per_s": round(first["tokens"] / seconds, 1), "sentences_per_s": round(first["sentences"] / seconds, 2),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
            "rss_after_imports_mb": round(first["rss_after_imports_mb"], 1), "seconds": round(seconds, 2),
            "sentences": first["sentences"], "tokens": first["tokens"], "runs": len(runs),
            "run_seconds": [round(r["seconds"], 2) for r in runs]}


TARGETS = {"ratio_vs_transformers_fp32": (">=", 5.0), "ratio_vs_plain_ct2": (">=", 1.2),
           "mt_peak_rss_mb": ("<=", 400.0), "overhead_fraction": ("<=", 0.10)}


def check_targets(report: dict) -> dict:
    values = {**report, "mt_peak_rss_mb": report["engines"].get("mt-default", {}).get("peak_rss_mb")}
    out = {}
    for key, (op, bound) in TARGETS.items():
        value = values.get(key)
        if value is not None:
            out[key] = {"value": value, "target": f"{op} {bound}",
                        "met": value >= bound if op == ">=" else value <= bound}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=6, help="seed corpus repeats (about 110 sentences each)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out-tokens", type=int, default=48, help="forced output tokens per sentence")
    parser.add_argument("--baseline-sentences", type=int, default=128,
                        help="the transformers baselines time N sentences spread over the corpus (their rate per token)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--grow", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the mt path on N and 10N documents and compare peak memory")
    parser.add_argument("--grow-copies", type=int, default=2)
    parser.add_argument("--summarize", action=argparse.BooleanOptionalAction, default=True,
                        help="also time distilbart-shaped summarization (hf fp32 vs mt's ct2 engine)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--workdir", type=Path, help="keep models and corpus here (default: a temp folder)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    temp = None
    if args.workdir is None:
        temp = tempfile.TemporaryDirectory(prefix="mt-bench-")
        args.workdir = Path(temp.name)
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    n_sentences = prepare(args)
    print(f"prepared in {time.perf_counter() - started:.0f} s: {n_sentences} sentences", file=sys.stderr)
    engines = [e for e in args.engines.split(",") if e]
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    for round_ in range(args.rounds):
        for name in engines:
            runs[name].append(spawn(name, args))
            print(f"round {round_ + 1} {name}: {runs[name][-1]['seconds']:.1f} s", file=sys.stderr)
    results = {name: rate(r) for name, r in runs.items()}
    report: dict = {"engines": results, "machine": machine(),
                    "settings": {"out_tokens": args.out_tokens, "decoding": "greedy", "rounds": args.rounds,
                                 "copies": args.copies, "baseline_batch": 32,
                                 "baseline_sentences": args.baseline_sentences,
                                 "model": "opus-mt-uk-en shape, random weights"}}
    mt = results.get("mt-default")
    if mt:
        if "hf-fp32" in results:
            report["ratio_vs_transformers_fp32"] = round(mt["tokens_per_s"] / results["hf-fp32"]["tokens_per_s"], 2)
        if "ct2-plain" in results:
            report["ratio_vs_plain_ct2"] = round(mt["tokens_per_s"] / results["ct2-plain"]["tokens_per_s"], 2)
        for base in ("hf-fp32", "ct2-plain"):  # the same ratio per round: load on a shared machine drifts
            if base in runs:
                report[f"per_round_ratio_vs_{base}"] = [
                    round((m["tokens"] / m["seconds"]) / (b["tokens"] / b["seconds"]), 2)
                    for m, b in zip(runs["mt-default"], runs[base])]
        overheads = [1 - r["engine_seconds"] / r["seconds"] for r in runs["mt-default"]]
        report["overhead_fraction"] = round(statistics.median(overheads), 3)
        report["mt_engine"] = runs["mt-default"][0]["engine"]
    report["targets"] = check_targets(report)
    if args.grow:
        small = spawn("mt-grow-1x", args, out_tokens=8)
        big = spawn("mt-grow-10x", args, out_tokens=8)
        report["grow"] = {"out_tokens": 8,
                          "documents": [small["documents"], big["documents"]],
                          "sentences": [small["sentences"], big["sentences"]],
                          "peak_rss_mb": [round(small["peak_rss_mb"], 1), round(big["peak_rss_mb"], 1)],
                          "end_rss_mb": [round(small["end_rss_mb"], 1), round(big["end_rss_mb"], 1)]}
    if args.summarize:
        summ = {name: rate([spawn(name, args)]) for name in SUMMARY_ENGINES}
        report["summarize"] = {**summ, "ratio": round(summ["sum-mt-ct2"]["tokens_per_s"]
                                                     / summ["sum-hf-fp32"]["tokens_per_s"], 2)}
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if temp:
        temp.cleanup()
    return 0


def print_table(report: dict) -> None:
    base = report["engines"].get("hf-fp32", {}).get("tokens_per_s")
    print(f"\n{'engine':<18}{'tokens/s':>10}{'sent/s':>9}{'vs hf-fp32':>12}{'peak RSS MB':>13}{'after imports':>15}")
    for name, r in report["engines"].items():
        ratio = f"{r['tokens_per_s'] / base:.2f}x" if base else "-"
        print(f"{name:<18}{r['tokens_per_s']:>10.1f}{r['sentences_per_s']:>9.2f}{ratio:>12}"
              f"{r['peak_rss_mb']:>13.0f}{r['rss_after_imports_mb']:>15.0f}")
    for key, t in report.get("targets", {}).items():
        print(f"{key}: {t['value']} (target {t['target']}: {'met' if t['met'] else 'NOT met'})")
    if "grow" in report:
        g = report["grow"]
        print(f"grow: {g['documents'][0]} -> {g['documents'][1]} documents, peak RSS "
              f"{g['peak_rss_mb'][0]} -> {g['peak_rss_mb'][1]} MB, resident at the end "
              f"{g['end_rss_mb'][0]} -> {g['end_rss_mb'][1]} MB")
    if "summarize" in report:
        s = report["summarize"]
        print(f"summarize (distilbart shape): hf fp32 {s['sum-hf-fp32']['tokens_per_s']} tok/s, "
              f"mt ct2 {s['sum-mt-ct2']['tokens_per_s']} tok/s ({s['ratio']}x)")
    m = report["machine"]
    print(f"machine: {m['cores']} cores, {m['cpu']}, settings: {report['settings']}")


if __name__ == "__main__":
    sys.exit(main())
