"""Summaries on Ray actors, for `mt summarize --ray` and `mt brief --ray`.
"""
from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from mt.distributed.cluster import RayOptions, _engine_for, _guarded, connect, plan
from mt.distributed.translate import _map_pool, _Ordered, _resolve


class SummarizeWorker:
    """A Ray actor: one summarizer, loaded once; summarizes and writes the documents of each call."""

    def __init__(self, options, glossary, demo: bool):
        from mt.summarizer import Summarizer

        self.summarizer = Summarizer(options, glossary=_resolve(glossary))
        self.demo = demo

    def __call__(self, batch: dict) -> dict:
        from mt.summarize import summarize_one

        payloads = []
        for payload in batch["payload"]:
            doc, target = pickle.loads(payload)
            result, error = summarize_one(self.summarizer, self.demo, doc, Path(target))
            payloads.append(pickle.dumps((result, error, self.summarizer.engine.name),
                                         protocol=pickle.HIGHEST_PROTOCOL))
        return {"payload": payloads}


def summarize_outcomes(stage, docs: list, force: bool, ray_options: RayOptions) -> Iterator[tuple]:
    """(result, error, engine) for each of `docs` that `stage` (a `mt.summarize.SummarizeStage`) still
    needs to summarize, in order, made by an actor pool (`docs_per_call` documents per call)."""
    ray = connect(ray_options)
    work = [(doc, str(target)) for doc in docs if (target := stage.target(doc, force)) is not None]
    if not work:
        return
    p = plan(ray, ray_options, stage.options.engine.threads)
    options = replace(stage.options, engine=_engine_for(stage.options.engine, p), glossaries=())
    if stage.notify:
        stage.notify(f"ray: {len(work)} documents to summarize, {p.workers} worker(s) x {p.cpus} CPU"
                     + (f" + {p.gpus:g} GPU" if p.gpus else ""))
    rows = [{"payload": pickle.dumps(w, protocol=pickle.HIGHEST_PROTOCOL)} for w in work]
    with _Ordered(ray):
        ds = ray.data.from_items(rows, override_num_blocks=min(len(rows), 1000))
        ds = _map_pool(ray, ds, SummarizeWorker, p, ray_options, batch_format="numpy",
                       fn_constructor_kwargs=dict(options=options, glossary=ray.put(stage.glossary),
                                                  demo=stage.spec.is_demo))
        for row in _guarded(ray, ds.iter_rows()):
            yield pickle.loads(row["payload"])
