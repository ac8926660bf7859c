#!/usr/bin/env python3
"""The `--ray` case: mt on a local Ray against mt's single-process path, same work.

    python scripts/bench_ray.py [--copies 4] [--small-copies 1] [--out-tokens 16] [--rounds 2]
                                [--workdir DIR] [--json ray.json]

(`python scripts/bench.py --ray` runs it too and adds its report under "ray".)

The model has opus-mt-uk-en's Marian shape with random weights (scripts/bench_build.py),
decoding is greedy and forced to --out-tokens per sentence, the corpus is the seed
articles repeated (every sentence unique to its copy). Each run is end to end as a
user sees it, model loading included: ``single`` is `mt.translate.translate_corpus`
in this process (CTranslate2, 2 threads on 2 cores); ``ray-1`` is the same call with
``--ray`` on a local Ray of this machine's cores (one actor, 2 threads) and ``ray-2``
with two actors of one thread each. Ray itself is started once, before timing
(``ray_init_seconds``), as a cluster is already up when a job is sent to it.

Reported (medians of --rounds, interleaved):

- ``throughput_ratio_vs_single``: documents per second against ``single`` on the big corpus;
- ``steady_ratio_vs_single``: the same from the difference between the big corpus and the
  small one (--small-copies), so fixed costs (model loading, Ray's pipeline start) drop out;
- ``fixed_seconds``: a run's fixed cost, the intercept of the two corpus sizes;
- ``overhead_per_document_ms``: what Ray adds per document, ray-1's seconds per document
  minus single's, from the same difference (one actor with the same 2 threads, so the
  engine's own work is the same).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

CASES = ("single", "ray-1", "ray-2")


def _options(work: Path, out_tokens: int):
    from mt.engines import EngineOptions
    from mt.translator import TranslateOptions

    return TranslateOptions(engine=EngineOptions(model=str(work / "marian"), engine="ct2",
                                                 fixed_output_tokens=out_tokens),
                            glossaries=(str(ROOT / "seeds" / "glossary.tsv"),), cache=False)


def _one(case: str, corpus: Path, work: Path, out_tokens: int) -> dict:
    from mt.distributed import RayOptions
    from mt.translate import translate_corpus

    out = Path(tempfile.mkdtemp(prefix=f"ray-bench-{case}-", dir=work))
    ray = None if case == "single" else RayOptions(workers=int(case.split("-")[1]))
    started = time.perf_counter()
    summary = translate_corpus([corpus], out, _options(work, out_tokens), force=True, ray=ray)
    seconds = time.perf_counter() - started
    if summary.failed:
        raise SystemExit(f"{case} failed: {summary.failed[:3]}")
    shutil.rmtree(out)
    return {"seconds": seconds, "documents": summary.ok, "sentences": summary.sentences}


def measure(work: Path, copies: int = 4, small_copies: int = 1, out_tokens: int = 16, rounds: int = 2) -> dict:
    """Build (once) the model and the two corpora under `work`, time every case; the report."""
    os.environ.setdefault("MT_MODELS_DIR", str(work / "models"))
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a local Ray on 127.0.0.1
    from bench_build import build_corpus, build_marian

    from mt.engines.convert import converted_model
    from mt.engines.ct2 import pick_compute_type
    from mt.models.resolution import resolve

    work.mkdir(parents=True, exist_ok=True)
    marian = build_marian(work / "marian")
    converted_model(resolve(str(marian)), pick_compute_type("cpu"))  # convert once, before timing
    corpora = {"big": build_corpus(work / "ray-big", copies), "small": build_corpus(work / "ray-small", small_copies)}

    import ray

    began = time.perf_counter()
    ray.init(num_cpus=len(os.sched_getaffinity(0)), include_dashboard=False, log_to_driver=False)
    init_seconds = time.perf_counter() - began
    runs: dict[tuple[str, str], list[dict]] = {}
    try:
        _one("ray-1", corpora["small"], work, out_tokens)  # warm-up: worker processes, imports
        for round_ in range(rounds):
            for size in ("big", "small"):
                for case in CASES:
                    run = _one(case, corpora[size], work, out_tokens)
                    runs.setdefault((case, size), []).append(run)
                    print(f"round {round_ + 1} {case} {size}: {run['seconds']:.1f} s", file=sys.stderr)
    finally:
        ray.shutdown()
    med = {key: statistics.median(r["seconds"] for r in rs) for key, rs in runs.items()}
    docs = {size: runs[("single", size)][0]["documents"] for size in ("big", "small")}
    extra = docs["big"] - docs["small"]
    report: dict = {"documents": docs, "sentences": runs[("single", "big")][0]["sentences"],
                    "out_tokens": out_tokens, "rounds": rounds, "ray_init_seconds": round(init_seconds, 1),
                    "cores": len(os.sched_getaffinity(0)), "load_average": [round(x, 2) for x in os.getloadavg()],
                    "seconds": {f"{case} {size}": round(s, 2) for (case, size), s in sorted(med.items())},
                    "per_round": {f"{case} {size}": [round(r["seconds"], 2) for r in rs]
                                  for (case, size), rs in sorted(runs.items())}}
    slope = {case: (med[(case, "big")] - med[(case, "small")]) / extra for case in CASES}
    for case in CASES[1:]:
        report[f"{case}_throughput_ratio_vs_single"] = round(med[("single", "big")] / med[(case, "big")], 3)
        report[f"{case}_steady_ratio_vs_single"] = round(slope["single"] / slope[case], 3) if slope[case] > 0 else None
    report["fixed_seconds"] = {case: round(med[(case, "small")] - slope[case] * docs["small"], 2) for case in CASES}
    report["seconds_per_document"] = {case: round(s, 4) for case, s in slope.items()}
    report["overhead_per_document_ms"] = round(1000 * (slope["ray-1"] - slope["single"]), 1)
    return report


def run_case(work: Path, *extra: str) -> dict:
    """bench.py --ray: this script in its own process (Ray stays out of bench.py's); its report."""
    import subprocess

    report = Path(work) / "ray.json"
    Path(work).mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--workdir", str(work), "--json",
                           str(report), *extra], cwd=str(ROOT), stdout=subprocess.DEVNULL)
    if done.returncode != 0:
        raise SystemExit(f"the --ray case failed (exit {done.returncode})")
    return json.loads(report.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4, help="seed copies in the big corpus (5 articles each)")
    parser.add_argument("--small-copies", type=int, default=1, help="seed copies in the small corpus")
    parser.add_argument("--out-tokens", type=int, default=16, help="forced output tokens per sentence")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep models and corpora here (default: a temp folder)")
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)
    temp = tempfile.TemporaryDirectory(prefix="mt-bench-ray-") if args.workdir is None else None
    work = Path(temp.name) if temp else args.workdir
    report = measure(work, args.copies, args.small_copies, args.out_tokens, args.rounds)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    if temp:
        temp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
