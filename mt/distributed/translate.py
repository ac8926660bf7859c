"""The translate job on Ray: a pool of actors, one engine each, writing what one machine writes.
"""
from __future__ import annotations

import os
import pickle
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mt.distributed.cluster import Plan, RayOptions, _engine_for, _guarded, connect, plan
from mt.distributed.listing import _documents, _read_windows, _sizes, cut_windows, done_index, list_inputs
from mt.glossary.stats import TermTotals
from mt.inputs.document import CorpusOptions, Document
from mt.inputs.remote import is_url
from mt.outputs import translations as outputs
from mt.outputs.files import OutputError, sweep_temporaries
from mt.outputs.manifest import Manifest, RunLock
from mt.outputs.progress import Progress
from mt.outputs.remote import remote_of, shown, temporary_mirror

# ---------------------------------------------------------------- connecting


# ---------------------------------------------------------------- the listing (driver) and reading (tasks)


# ---------------------------------------------------------------- the translate actors

class TranslateWorker:
    """A Ray actor: one engine, loaded once; translates and writes the documents of each call."""

    def __init__(self, options, glossary, out: str | None, key: str, clusters=()):
        from mt.translate import _Run
        from mt.translator import Translator

        glossary = _resolve(glossary)
        self.translator = Translator(options, glossary=glossary)
        self.options, self.glossary = options, glossary
        # a bucket OUT: this actor's own mirror on its node, each file uploaded as it lands (mt.outputs.remote)
        self.out = temporary_mirror(out) if out and is_url(out) else Path(out) if out else None
        if self.out is not None and not is_url(out) and not (self.out / ".mt").is_dir():
            raise OutputError(f"the output folder {out} is not visible from the Ray worker on "
                              f"{os.uname().nodename}: OUT must be a path every node can read and write "
                              "(a shared mount)")
        # what mt.translate.doc_record needs of a run: where, which key, options, glossary, clusters
        self.run = _Run(out=self.out, key=key, options=options, glossary=glossary, clusters=list(clusters),
                        manifest=None, summary=None, terms=None, progress=None)

    def __call__(self, batch: dict) -> dict:
        """One call: rows in input order; each "window" row (the documents a single-machine run
        translates together) becomes a "done" row with their records."""
        kinds, payloads = list(batch["kind"]), list(batch["payload"])
        for i, kind in enumerate(kinds):
            if kind == "window":
                done = [self.finish(result) for result in self.translate(pickle.loads(payloads[i]))]
                kinds[i], payloads[i] = "done", pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        return {"kind": kinds, "payload": payloads}

    def translate(self, docs: list[Document]) -> list:
        """Translate together (shared length-sorted batches); on failure one by one, to isolate the bad one."""
        from mt.translator import DocResult

        if not docs:
            return []
        try:
            return self.translator.translate_documents(docs)
        except Exception:  # noqa: BLE001 - isolate: find the document that breaks
            results = []
            for doc in docs:
                try:
                    results.extend(self.translator.translate_documents([doc]))
                except Exception as exc:  # noqa: BLE001
                    results.append(DocResult(doc=doc, error=f"translation failed: {type(exc).__name__}: {exc}"))
            return results

    def finish(self, result) -> dict:
        """Write one document's outputs; its manifest record and what the run's term figures need."""
        from mt.translate import doc_record

        record, figures = doc_record(self.run, result, self.translator)
        return {"record": record, "terms": _Terms(result.terms), "figures": figures,
                "cache_hits": getattr(result, "cache_hits", 0)}


class _Terms:
    """What `TermTotals.add` reads of a translated document, without its text."""

    def __init__(self, terms):
        self.terms = terms


def worker_out(out: Path) -> str:
    """OUT as the workers are told it: the bucket's URL when OUT is its mirror, else the (shared) folder."""
    store = remote_of(out)
    return store.url if store is not None else str(Path(out).resolve())


def _resolve(value):
    """A value handed to an actor through the object store (one copy for all actors)."""
    import ray

    return ray.get(value) if isinstance(value, ray.ObjectRef) else value


def _map_pool(ray, ds, worker, p: Plan, options: RayOptions, **kwargs):
    """`ds.map_batches(worker)` on an actor pool of `p.workers` actors, each restarted and its
    call retried up to `options.max_retries` times when it dies (Ray Data's default: forever)."""
    import warnings

    if p.gpus:
        kwargs["num_gpus"] = p.gpus
    with warnings.catch_warnings():
        # Ray 2.60 deprecates passing max_restarts/max_task_retries this way, with no named
        # replacement yet; mt pins Ray exactly (pyproject's `ray` extra)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ds.map_batches(worker, compute=ray.data.ActorPoolStrategy(size=p.workers),
                              batch_size=options.docs_per_call, num_cpus=p.cpus if p.reserve is None else p.reserve,
                              max_restarts=options.max_retries, max_task_retries=options.max_retries, **kwargs)


class _Ordered:
    """Ray Data's preserve_order for the length of a run (results arrive in input order)."""

    def __init__(self, ray):
        self.ctx = ray.data.DataContext.get_current()

    def __enter__(self):
        self.before = self.ctx.execution_options.preserve_order
        self.ctx.execution_options.preserve_order = True

    def __exit__(self, *exc):
        self.ctx.execution_options.preserve_order = self.before


def translate_corpus(paths: Iterable[str | Path], out: str | Path, options=None, ray_options: RayOptions | None = None,
                     *, corpus: CorpusOptions | None = None, force: bool = False, wait: float = 0.0,
                     progress: Progress | None = None, notify: Callable[[str], None] | None = None,
                     worker: type = TranslateWorker):
    """`mt.translate.translate_corpus` on a Ray cluster: the same OUT, manifest and `RunSummary`.

    `worker` is the actor class (a `TranslateWorker`); tests pass one that dies on purpose.
    """
    from mt.models.fetch import preflight
    from mt.models.resolution import resolve
    from mt.translate import (
        STAGE,
        RunSummary,
        _glossary,
        _record_failure,
        _record_language_skip,
        _Run,
        run_arguments,
        translate_key,
    )

    ray_options = ray_options or RayOptions()
    ray = connect(ray_options)
    options, out, paths, corpus, progress = run_arguments(paths, out, options, corpus, progress)
    started = time.perf_counter()
    spec = resolve(options.engine.model, revision=options.engine.revision)
    # the model is here before any work (workers load it the same way: a cache every node reads)
    preflight([(options.engine, "translate")], notify=notify)
    p = plan(ray, ray_options, options.engine.threads)
    glossary, clusters = _glossary(replace(options, auto_glossary=False), paths, corpus, None)  # --glossary files
    if options.auto_glossary:
        glossary, clusters = auto_glossary(ray, list_inputs(paths, corpus, {}), corpus, p.total, glossary, notify)
    key = translate_key(options, spec, corpus, glossary)
    worker_options = replace(options, engine=_engine_for(options.engine, p), glossaries=())
    summary = RunSummary(out=shown(out), model=spec.label, demo=spec.is_demo,
                         auto_glossary=[c.as_dict() for c in clusters])
    with RunLock(out, wait=wait), closing(progress):  # the bar spans the last windows too
        sweep_temporaries(out)
        manifest = Manifest(out)
        run = _Run(out=out, key=key, options=options, glossary=glossary, clusters=clusters, manifest=manifest,
                   summary=summary, terms=TermTotals(glossary), progress=progress, notify=notify)
        listing = list_inputs(paths, corpus, {} if force else done_index(manifest, STAGE, key))
        if notify:
            notify(f"ray: {len(listing)} inputs, {p.workers} worker(s) x {p.cpus} CPU"
                   + (f" + {p.gpus:g} GPU" if p.gpus else ""))
        containers: dict[str, set[str]] = {}  # table -> its documents in this run (rows gone since are dropped)
        actor_args = dict(options=worker_options, glossary=ray.put(glossary), out=worker_out(out), key=key,
                          clusters=clusters)
        for kind, payload in _guarded(ray, _run(ray, listing, corpus, out, p, ray_options, worker, actor_args,
                                                options, progress)):
            doc = payload[0] if kind == "language" else payload
            doc_id, container = (doc["record"]["id"], doc["record"]["container"]) if kind == "done" else \
                (doc["id"], doc["container"]) if kind == "skip" else (doc.id, doc.container)
            if container:
                containers.setdefault(container, set()).add(doc_id)
            if kind == "failed":
                _record_failure(run, payload, spec.label)
            elif kind == "language":
                _record_language_skip(run, *payload)
            elif kind == "skip":
                summary.skipped += 1  # a table row may have moved: its record follows
                manifest.append({**manifest.get(doc_id, STAGE), "status": "skipped", "row": payload["row"]})
                progress.done(doc_id, "skipped")
            else:
                _record_done(run, payload)
        store = remote_of(out)
        if store is not None:  # what the actors uploaded, for the tables here and the briefs after
            store.pull(during_run=True)
        for container in sorted(containers):
            try:
                outputs.assemble_table(out, container, manifest, ids=containers[container])
            except OutputError as exc:
                summary.failed.append({"id": container, "source": container, "error": str(exc)})
    summary.terms = run.terms.as_dict()
    summary.seconds = time.perf_counter() - started
    return summary


def _texts(items: list[dict], corpus: CorpusOptions) -> list[tuple[str, str]]:
    """(id, title + paragraphs) of every readable document of `items`, as `mt.translate._glossary` reads them."""
    return [(doc.id, "\n".join([doc.title, *doc.paragraphs])) for item in items
            for kind, doc in _documents({**item, "done": {}} if "path" in item else item, corpus, Path("."))
            if kind == "doc"]


def _count_names(items: list[dict], corpus: CorpusOptions):
    """A Ray task (auto-glossary, first pass): the corpus counts of one chunk of the inputs."""
    from mt.glossary.draft import corpus_counts, text_sentences

    return corpus_counts(text_sentences(_texts(items, corpus)))


def _find_names(items: list[dict], corpus: CorpusOptions, counts) -> list:
    """A Ray task (auto-glossary, second pass): the name occurrences of one chunk, given the whole corpus's counts."""
    from mt.glossary.draft import occurrences, text_sentences

    return occurrences(text_sentences(_texts(items, corpus)), counts)


def auto_glossary(ray, listing: list[dict], corpus: CorpusOptions, cpus: int, glossary, notify=None):
    """--auto-glossary on a cluster: workers extract the name candidates, the driver clusters them.

    Extraction needs counts of the whole corpus (which tokens are ever capitalised mid-sentence,
    which are written lower case), so it takes two passes of Ray tasks over the inputs: counts per
    chunk, merged here and sent back; then the occurrences per chunk, given those counts. The
    clustering that decides one form per name runs here, over all occurrences, exactly as
    `mt.glossary.draft.auto_glossary` does on one machine. Returns (glossary, clusters), the
    --glossary files' entries winning.
    """
    from mt.glossary.draft import CorpusCounts
    from mt.glossary.draft import auto_glossary as cluster

    started = time.perf_counter()
    listing = [item for item in listing if "path" in item]
    step = max(1, -(-len(listing) // max(1, min(len(listing), 4 * cpus))))
    chunks = [listing[i:i + step] for i in range(0, len(listing), step)]
    count = ray.remote(num_cpus=1, max_retries=3)(_count_names)
    find = ray.remote(num_cpus=1, max_retries=3)(_find_names)
    counts = CorpusCounts()
    for part in ray.get([count.remote(chunk, corpus) for chunk in chunks]):
        counts.merge(part)
    shared = ray.put(counts)
    found = [o for part in ray.get([find.remote(chunk, corpus, shared) for chunk in chunks]) for o in part]
    clustering = time.perf_counter()
    auto, clusters = cluster((), found=(found, counts.lower, counts.capmid))
    if notify:
        notify(f"ray: auto-glossary: {len(found)} name occurrences from {len(chunks)} task(s) in "
               f"{clustering - started:.1f} s, clustered here in {time.perf_counter() - clustering:.1f} s: "
               f"{len(clusters)} names with variant spellings")
    return (auto.merge(glossary) if glossary else auto), clusters


def _record_done(run, done: dict) -> None:
    """What `mt.translate._finish` does with a document an actor translated and wrote."""
    record, summary = done["record"], run.summary
    run.manifest.append(record)
    summary.engine = record.get("engine") or summary.engine
    if record["error"]:
        summary.failed.append({"id": record["id"], "source": record["source"], "error": record["error"]})
        run.progress.done(record["id"], "error", record["error"])
        return
    summary.ok += 1
    summary.sentences += record["sentences"]
    summary.cache_hits += done["cache_hits"]
    run.terms.add(done["terms"], done["figures"])
    run.progress.done(record["id"], "ok", sentences=record["sentences"])


def _run(ray, listing: list[dict], corpus: CorpusOptions, out: Path, p: Plan, options: RayOptions, worker,
         worker_args: dict, translate, progress: Progress) -> Iterator[tuple[str, object]]:
    """Listing -> read tasks -> actor pool; yields (kind, payload) per document in the order a
    single-machine run records them."""
    if not listing:
        return
    fn_kwargs = {"corpus": corpus, "out": worker_out(out), "languages": translate.languages}
    with _Ordered(ray):
        # first pass: sizes, so windows are cut exactly where one machine cuts them; reading is light
        # next to translating, so read tasks take no CPU slot and never wait for the actors
        sizes = _sizes(ray, listing, corpus, fn_kwargs["out"], translate.languages,
                       tasks=max(1, min(len(listing) // 64, 4 * p.workers)))
        progress.start(sum(len(docs) for docs in sizes))  # the first pass counted every document
        groups = [{"payload": pickle.dumps({"items": [listing[i] for i in indexes], "cuts": cuts},
                                           protocol=pickle.HIGHEST_PROTOCOL)}
                  for indexes, cuts in cut_windows(sizes, translate.window_docs, translate.window_chars)]
        ds = ray.data.from_items(groups, override_num_blocks=min(len(groups), 1000))
        ds = ds.flat_map(_read_windows, fn_kwargs=fn_kwargs, num_cpus=0)
        ds = _map_pool(ray, ds, worker, p, replace(options, docs_per_call=1), fn_constructor_kwargs=worker_args,
                       batch_format="numpy")
        pending = None  # one machine records a window once the next one has started (translate._overlap)
        for row in ds.iter_rows():
            kind, payload = row["kind"], pickle.loads(row["payload"])
            if kind != "done":
                yield kind, payload
                continue
            if pending is not None:
                yield from pending
            pending = [("done", one) for one in payload]
        if pending is not None:
            yield from pending


# ---------------------------------------------------------------- translate_dataset (Python API)


# ---------------------------------------------------------------- summarize (mt summarize / mt brief)
