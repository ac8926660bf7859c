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
from mt.distributed.cluster import INSTALL_HINT, Plan, RayOptions, RayRunError, RayUnavailable, connect, plan
from mt.distributed.dataset import DatasetColumns, translate_dataset
from mt.distributed.summarize import SummarizeWorker, summarize_outcomes
from mt.distributed.translate import TranslateWorker, translate_corpus

__all__ = ["INSTALL_HINT", "DatasetColumns", "Plan", "RayOptions", "RayRunError", "RayUnavailable", "SummarizeWorker",
           "TranslateWorker", "connect", "plan", "summarize_outcomes", "translate_corpus", "translate_dataset"]
