"""The same jobs on a Ray cluster: `--ray ADDRESS` for translate, summarize and brief.

How a run is split (docs/cluster.md says the same for users):

* The driver (the process that runs `mt ... --ray`) holds OUT's `RunLock`, lists the
  inputs (file names only; `mt.inputs.corpus.iter_files`) and is the only writer of
  `OUT/manifest.jsonl`.
* Ray tasks read and parse the listed files (`_read_listed`): text files, JSONL, CSV,
  Parquet and saved datasets, with mt's own readers, so ids, hashes and row numbers are
  those of a single-machine run. A document already done (same content hash and options
  key in the manifest, output present) comes back as a "skip" row and is not translated.
* A pool of Ray actors (`map_batches` with an actor class, `ActorPoolStrategy`) holds the
  engine, loaded once per actor: each call gets at most `docs_per_call` documents, which
  mt's own `Translator` cuts into length-sorted token batches. The actor writes each
  document's outputs atomically under OUT (which every node must see: a shared mount)
  and returns its manifest record.
* The driver appends the records in input order (`preserve_order`), so OUT, its files
  and its manifest are those of the single-machine run.

Nothing lost, nothing twice: an actor killed mid-call is restarted and the call retried
by Ray (`max_restarts`, `max_task_retries`); the outputs it rewrites are keyed by
document and replaced atomically; a record reaches the manifest only once, when the
driver receives the call's result. A driver killed mid-run takes its job's actors with
it; the same command run again skips what the manifest records as done.
"""
from __future__ import annotations

import logging
import os
import pickle
import time
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mt.glossary.stats import TermTotals, term_stats
from mt.inputs.document import CorpusOptions, Document, Failed
from mt.outputs import translations as outputs
from mt.outputs.files import OutputError, sweep_temporaries
from mt.outputs.manifest import Manifest, RunLock
from mt.outputs.progress import Progress

try:  # mt.errors arrives with the package layout (issue 14)
    from mt.errors import MtError as _Base
except ImportError:  # pragma: no cover
    _Base = Exception

INSTALL_HINT = "pip install 'mt[ray]'"
# environment that decides where models and caches are, passed on to every worker
FORWARDED_ENV = ("MT_", "HF_", "TRANSFORMERS_", "CT2_", "TOKENIZERS_PARALLELISM")


class RayUnavailable(_Base):
    """`--ray` without Ray installed, or a cluster that cannot be joined."""

    exit_code = 2


class RayRunError(_Base):
    """The cluster failed the run (e.g. a document killed its actor on every retry)."""

    exit_code = 2


def _guarded(ray, rows: Iterator) -> Iterator:
    """`rows`, with Ray's errors as one actionable line (what was recorded stays recorded)."""
    try:
        yield from rows
    except ray.exceptions.RayError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        cause = next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else type(exc).__name__)
        cause = cause.split(". ")[0][:300]  # "The actor is dead because its worker process has died"
        raise RayRunError(f"the Ray job failed: {cause}; documents already recorded are kept: run the same "
                          "command again to resume") from None


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide to run (the --ray* options)."""

    address: str = "local"  # local | auto | ray://host:port | host:port (a GCS address)
    workers: int | None = None  # actors; None: what the cluster offers
    gpus_per_worker: float = 0.0  # 0: CPU actors
    cpus_per_worker: int | None = None  # None: --threads, else up to 4 per actor (ct2 workers)
    docs_per_call: int = 16  # documents per actor call: memory stays flat
    max_retries: int = 3  # actor restarts, and retries of a call whose actor died


# ---------------------------------------------------------------- connecting

def import_ray():
    """The `ray` module, or RayUnavailable saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise RayUnavailable(f"--ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def connect(options: RayOptions):
    """Start or join Ray as `options.address` says; an already connected process is reused."""
    if options.address == "local" and "ray" not in __import__("sys").modules:
        # a local Ray listens on 127.0.0.1 only (Ray's default is the host's public address)
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray = import_ray()
    if ray.is_initialized():
        _quiet_data(ray)
        return ray
    address = options.address
    if address.startswith("ray://"):
        try:
            import grpc  # noqa: F401 - Ray Client needs it
        except ImportError:
            raise RayUnavailable(f"--ray {address} uses Ray Client, which needs grpcio: "
                                 "pip install 'ray[client]' (or run mt on a cluster node with --ray auto)") from None
    env = {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_ENV)}
    logging.getLogger("ray").setLevel(logging.ERROR)  # e.g. its token-authentication notice on every start
    kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                  runtime_env={"env_vars": env} if env else None)
    try:
        if address == "local":
            ray.init(**kwargs)
        else:
            kwargs.pop("include_dashboard")
            ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RayUnavailable(f"cannot join the Ray cluster at {address!r}: {first}") from None
    _quiet_data(ray)
    return ray


def _quiet_data(ray) -> None:
    """mt reports progress itself: no Ray Data bars or execution notices."""
    for name in ("ray.data", "ray"):
        logging.getLogger(name).setLevel(logging.ERROR)
    ray.data.DataContext.get_current().enable_progress_bars = False


@dataclass(frozen=True)
class Plan:
    """How many actors, and what each one asks of the cluster."""

    workers: int
    cpus: int  # engine threads of each actor
    gpus: float
    reserve: float | None = None  # CPUs each actor reserves, when not `cpus` (see `translate_dataset`)
    total: int = 0  # CPUs in the cluster


def plan(ray, options: RayOptions, threads: int | None = None) -> Plan:
    """Actors and their resources from what the cluster offers (see docs/cluster.md)."""
    nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
    node_cpus = [int(r.get("CPU", 0)) for r in nodes if r.get("CPU", 0) >= 1] or [1]
    node_gpus = [r.get("GPU", 0.0) for r in nodes]
    smallest, total = min(node_cpus), sum(node_cpus)
    gpus = float(options.gpus_per_worker or 0)
    cpus = options.cpus_per_worker or threads
    if gpus:
        cpus = cpus or 1
        workers = options.workers or max(1, int(sum(g // gpus for g in node_gpus)))
    elif options.workers:
        cpus = cpus or max(1, min(smallest, total // options.workers, 4))
        workers = options.workers
    else:
        cpus = cpus or min(smallest, 4)
        workers = max(1, sum(c // cpus for c in node_cpus))
    return Plan(workers=workers, cpus=min(cpus, smallest), gpus=gpus, total=total)


def _engine_for(engine, p: Plan):
    """The engine options an actor uses: its own CPUs as threads, or its GPU."""
    device = "cuda" if p.gpus and engine.device == "auto" else engine.device
    return replace(engine, threads=p.cpus, device=device)


# ---------------------------------------------------------------- the listing (driver) and reading (tasks)

def list_inputs(paths: list[Path], corpus: CorpusOptions, done: dict[str, dict[str, str]]) -> list[dict]:
    """One item per input file, as `load_corpus` would meet them, with the manifest's done work for it.

    `done` maps a text document's id, or a table's container stem, to {document id: content hash}.
    """
    from mt.inputs.corpus import _format, iter_files

    items, used = [], {}
    for path, rel in iter_files(paths, corpus.exclude):
        if rel == "!missing":
            items.append({"failed": Failed(id=str(path), source=str(path), error="no such file or folder")})
            continue
        base = rel
        used[base] = used.get(base, 0) + 1
        if used[base] > 1:  # two inputs with the same relative name
            rel = f"{base}~{used[base]}"
        fmt = _format(path)
        if fmt is None:
            items.append({"failed": Failed(id=rel, rel=rel, source=str(path), error=(
                f"unsupported file type '{path.suffix}' (use .txt, .md, .html, .jsonl, .csv, .parquet)"))})
            continue
        items.append({"path": str(path), "rel": rel, "fmt": fmt, "done": done.get(rel, {})})
    return items


def done_index(manifest: Manifest, stage: str, key: str) -> dict[str, dict[str, str]]:
    """{text id or table stem: {document id: hash}} of the work the manifest records as done with `key`."""
    index: dict[str, dict[str, str]] = {}
    for (doc_id, record_stage), record in manifest.latest.items():
        if record_stage != stage or record.get("status") not in {"ok", "skipped"} or record.get("key") != key:
            continue
        index.setdefault(record.get("container") or doc_id, {})[doc_id] = record.get("hash")
    return index


def _documents(item: dict, corpus: CorpusOptions, out: Path, languages=None) -> Iterator[tuple[str, object]]:
    """(kind, payload) for each document of one listed input: "doc" (a Document to translate),
    "skip" (done before: same hash and options key, output present), "language" ((Document,
    reason): not in a language the run translates) or "failed" (a Failed)."""
    from mt.inputs.language import skip_reason

    if "failed" in item:
        yield "failed", item["failed"]
        return
    from mt.inputs.corpus import TEXT_SUFFIXES, _load_text_file
    from mt.inputs.tables import load_table

    path, rel, fmt, done = Path(item["path"]), item["rel"], item["fmt"], item["done"]
    docs = [_load_text_file(path, rel, fmt, corpus)] if fmt in set(TEXT_SUFFIXES.values()) else \
        load_table(path, rel, fmt, corpus)
    for doc in docs:
        if isinstance(doc, Failed):
            yield "failed", doc
            continue
        reason = skip_reason(doc.language, languages)
        if reason:
            yield "language", (doc, reason)
            continue
        try:
            finished = done.get(doc.id) == doc.hash and outputs.primary_output(out, doc).exists()
        except OutputError:
            finished = False  # the worker records why it cannot be written
        yield ("skip", {"id": doc.id, "row": doc.row, "container": doc.container}) if finished else ("doc", doc)


def _measure(items: list[dict], corpus: CorpusOptions, out: str, languages=None) -> list[list[tuple]]:
    """A Ray task (first pass): each document's id, kind and size, for the driver to cut windows."""
    return [[(p.id if kind == "doc" else None, kind, sum(map(len, p.paragraphs)) if kind == "doc" else 0)
             for kind, p in _documents(item, corpus, Path(out), languages)] for item in items]


def _sizes(ray, listing: list[dict], corpus: CorpusOptions, out: str, languages, tasks: int) -> list:
    """`_measure` over the listing in at most `tasks` Ray tasks (plain tasks: a Ray Data pipeline
    costs seconds to start, reading a chunk of files milliseconds)."""
    measure = ray.remote(num_cpus=0, max_retries=3)(_measure)
    step = max(1, -(-len(listing) // max(1, tasks)))
    chunks = [listing[i:i + step] for i in range(0, len(listing), step)]
    return [sizes for part in ray.get([measure.remote(c, corpus, out, languages) for c in chunks]) for sizes in part]


def _read_windows(row: dict, corpus: CorpusOptions, out: str, languages=None) -> list[dict]:
    """A Ray task (second pass): a group of listed inputs as rows in input order: "skip" and
    "failed" rows, and "window" rows holding the documents to translate together."""
    group = pickle.loads(row["payload"])
    rows, window = [], []
    for item in group["items"]:
        for kind, payload in _documents(item, corpus, Path(out), languages):
            if kind != "doc":
                rows.append(_row(kind, payload))
                continue
            window.append(payload)
            if payload.id in group["cuts"]:
                rows.append(_row("window", window))
                window = []
    if window:  # the run's last window
        rows.append(_row("window", window))
    return rows


def cut_windows(sizes: list[list[tuple[str, str, int]]], window_docs: int, window_chars: int):
    """Group listed inputs so each group holds whole windows, cut as `mt.translate` cuts them.

    `sizes[i]` is (id, kind, characters) per document of input i. Returns [(input indexes,
    ids that end a window)], one per group: a group ends wherever no window is open.
    """
    groups, current, cuts = [], [], set()
    count = chars = 0
    for index, docs in enumerate(sizes):
        current.append(index)
        for doc_id, kind, n in docs:
            if kind != "doc":
                continue
            count, chars = count + 1, chars + n
            if chars >= window_chars or count >= window_docs:
                cuts.add(doc_id)
                count = chars = 0
        if count == 0:
            groups.append((current, cuts))
            current, cuts = [], set()
    if current:
        groups.append((current, cuts))
    return groups


def _row(kind: str, payload) -> dict:
    return {"kind": kind, "payload": pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)}


# ---------------------------------------------------------------- the translate actors

class TranslateWorker:
    """A Ray actor: one engine, loaded once; translates and writes the documents of each call."""

    def __init__(self, options, glossary, out: str | None, key: str, clusters=()):
        from mt.translate import _Run
        from mt.translator import Translator

        glossary = _resolve(glossary)
        self.translator = Translator(options, glossary=glossary)
        self.options, self.glossary = options, glossary
        self.out = Path(out) if out else None
        if self.out is not None and not (self.out / ".mt").is_dir():
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
    from mt.models.hub import preflight
    from mt.models.resolution import resolve
    from mt.translate import STAGE, RunSummary, _glossary, _record_failure, _record_language_skip, _Run, translate_key
    from mt.translator import TranslateOptions

    ray_options = ray_options or RayOptions()
    ray = connect(ray_options)
    options = options or TranslateOptions()
    out = Path(out)
    paths = [Path(p) for p in paths]
    corpus = corpus or CorpusOptions()
    corpus = CorpusOptions(**{**corpus.__dict__, "exclude": (*corpus.exclude, out)})
    progress = progress or Progress(quiet=True)
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
    summary = RunSummary(out=str(out), model=spec.label, demo=spec.is_demo,
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
        actor_args = dict(options=worker_options, glossary=ray.put(glossary), out=str(out.resolve()), key=key,
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
    fn_kwargs = {"corpus": corpus, "out": str(out.resolve()), "languages": translate.languages}
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

@dataclass(frozen=True)
class DatasetColumns:
    """Column names `translate_dataset` reads and adds."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    date: str = "date"


class _DatasetWorker(TranslateWorker):
    """Rows in, rows out: the translation and its glossary figures as new columns; nothing written."""

    def __init__(self, options, glossary, corpus: CorpusOptions, key: str = ""):
        super().__init__(options, glossary, None, key)
        self.corpus = corpus

    def __call__(self, batch):
        import pandas as pd

        from mt.inputs.document import CorpusError
        from mt.inputs.tables import document_from_record

        rows = batch.to_dict("records")
        docs, errors = [], {}
        for n, record in enumerate(rows):
            doc_id = str(record.get(self.corpus.id_column, n))
            try:
                docs.append(document_from_record(record, id=doc_id, rel="row", source=doc_id, options=self.corpus,
                                                 container="dataset", row=n))
            except CorpusError as exc:
                errors[n] = str(exc)
        results = iter(self.translate(docs))
        added = []
        for n in range(len(rows)):
            if n in errors:
                added.append({"translation": None, "title_en": None, "error": errors[n]})
                continue
            result = next(results)
            stats = term_stats(result)
            error = result.error
            if not error and self.options.strict_glossary and stats["missed"]:
                error = "glossary terms missed (--strict-glossary): " + ", ".join(
                    f"{m['text']}→{m['target']}" for m in stats["missed"])
            added.append({"translation": None if error else "\n".join(result.paragraphs),
                          "title_en": None if error else result.title, "error": error,
                          "glossary_matched": stats["matched"], "glossary_enforced": stats["enforced"],
                          "glossary_repaired": stats["repaired"], "glossary_missed": len(stats["missed"]),
                          "sentences": result.sentences})
        extra = pd.DataFrame(added, columns=["translation", "title_en", "error", "glossary_matched",
                                             "glossary_enforced", "glossary_repaired", "glossary_missed",
                                             "sentences"])
        for name in ("glossary_matched", "glossary_enforced", "glossary_repaired", "glossary_missed", "sentences"):
            extra[name] = extra[name].fillna(0).astype("int64")
        return pd.concat([batch.reset_index(drop=True), extra], axis=1)


def translate_dataset(ds, options=None, ray_options: RayOptions | None = None, *,
                      corpus: CorpusOptions | None = None):
    """Translate a `ray.data.Dataset` with one document per row: a lazy Dataset with columns added.

    Each row needs a text column (`corpus.text_column`, default "text"); "title", "date" and
    "id" are used when present. Added: `translation` (English paragraphs, one per line),
    `title_en`, `error` (None when translated), `sentences` and the glossary figures
    `glossary_matched`, `glossary_enforced`, `glossary_repaired`, `glossary_missed`.
    """
    from mt.glossary import glossary_or_files
    from mt.translator import TranslateOptions

    ray_options = ray_options or RayOptions()
    ray = connect(ray_options)
    options = options or TranslateOptions()
    corpus = corpus or CorpusOptions()
    glossary = glossary_or_files(None, options.glossaries)
    p = plan(ray, ray_options, options.engine.threads)
    if not p.gpus and p.workers * p.cpus >= p.total:
        # the dataset's own read tasks need a CPU: actors that reserved every CPU would wait for
        # them forever, so they reserve a little less (their engines still use `cpus` threads)
        p = replace(p, reserve=max(0.25, (p.total - 1) / p.workers))
    worker_options = replace(options, engine=_engine_for(options.engine, p), glossaries=())
    return _map_pool(ray, ds, _DatasetWorker, p, ray_options, batch_format="pandas",
                     fn_constructor_kwargs=dict(options=worker_options, glossary=ray.put(glossary), corpus=corpus))


# ---------------------------------------------------------------- summarize (mt summarize / mt brief)

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
