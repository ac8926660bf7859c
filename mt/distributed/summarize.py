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

    def __init__(self, options, glossary, demo: bool, out: str | None = None):
        from mt.outputs.remote import temporary_mirror
        from mt.summarizer import Summarizer

        self.summarizer = Summarizer(options, glossary=_resolve(glossary))
        self.demo = demo
        # a bucket OUT: targets are relative, written in this actor's own mirror and uploaded from it
        self.mirror = temporary_mirror(out) if out else None

    def __call__(self, batch: dict) -> dict:
        from mt.summarize import summarize_one

        payloads = []
        for payload in batch["payload"]:
            doc, target = pickle.loads(payload)
            target = self.mirror / target if self.mirror is not None else Path(target)
            result, error = summarize_one(self.summarizer, self.demo, doc, target)
            payloads.append(pickle.dumps((result, error, self.summarizer.engine.name),
                                         protocol=pickle.HIGHEST_PROTOCOL))
        return {"payload": payloads}


def summarize_outcomes(stage, docs: list, force: bool, ray_options: RayOptions) -> Iterator[tuple]:
    """(result, error, engine) for each of `docs` that `stage` (a `mt.summarize.SummarizeStage`) still
    needs to summarize, in order, made by an actor pool (`docs_per_call` documents per call)."""
    from mt.outputs.remote import remote_of

    ray = connect(ray_options)
    store = remote_of(stage.out)  # a bucket OUT: each actor writes in a mirror of its own
    work = [(doc, Path(target).resolve().relative_to(store.mirror).as_posix() if store else str(target))
            for doc in docs if (target := stage.target(doc, force)) is not None]
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
                                                  demo=stage.spec.is_demo, out=store.url if store else None))
        for row in _guarded(ray, ds.iter_rows()):
            yield pickle.loads(row["payload"])
