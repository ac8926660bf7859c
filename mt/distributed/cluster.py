"""Joining or starting a Ray cluster and how wide a run is (`RayOptions`, `Plan`); Ray's errors as one line."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace
from typing import Iterator

from mt.errors import MtError

INSTALL_HINT = "pip install 'mt[ray]'"


# environment that decides where models and caches are, passed on to every worker
# and where s3:// inputs are (no credentials: each node has its own, as a cluster's nodes do)
FORWARDED_ENV = ("MT_", "HF_", "TRANSFORMERS_", "CT2_", "TOKENIZERS_PARALLELISM", "AWS_ENDPOINT_URL", "AWS_REGION",
                 "AWS_DEFAULT_REGION", "AWS_PROFILE")


_SECRET = re.compile(r"TOKEN|SECRET|PASSWORD|CREDENTIAL|(^|_)KEY($|_)", re.IGNORECASE)


def forwarded_env(environ) -> dict[str, str]:
    """The driver's environment the workers get (`FORWARDED_ENV`), never a secret: Ray shows a job's
    runtime environment to anyone who can see the job, so HF_TOKEN and the like stay on each node."""
    return {k: v for k, v in environ.items() if k.startswith(FORWARDED_ENV) and not _SECRET.search(k)}


class RayUnavailable(MtError):
    """`--ray` without Ray installed, or a cluster that cannot be joined."""

    exit_code = 2


class RayRunError(MtError):
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
    env = forwarded_env(os.environ)
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
