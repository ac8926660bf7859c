"""Shared click options and error handling for the mt commands."""
from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from mt.engines import EngineOptions
from mt.errors import EXIT_FAILED_DOCS, EXIT_LOCKED, EXIT_USAGE, MtError  # noqa: F401 - re-exported

DEBUG_ENV = "MT_DEBUG"


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def debugging() -> bool:
    """`mt --debug ...` (or MT_DEBUG=1): show tracebacks of unexpected errors."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    return bool(root and root.params.get("debug")) or os.environ.get(DEBUG_ENV, "") not in {"", "0"}


def friendly_errors(func):
    """Expected errors (`MtError`) become one line and their exit code; anything else one line and a hint."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()  # here, so that a closed pipe is met inside this handler, not at exit
            return result
        except BrokenPipeError:  # `mt ... | head`: the reader has all it wants; stop quietly, as cat does
            _silence_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except MtError as exc:
            fail(str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
            if debugging():
                raise
            fail(f"unexpected {type(exc).__name__}: {exc}\nrun again with `mt --debug ...` for the traceback",
                 EXIT_FAILED_DOCS)

    return wrapper


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader went away


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit meets no closed pipe either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------- help: option groups, one vocabulary

SECTIONS = {  # option name -> help section; anything else goes under "Output and run"
    "Input": ("no_clean", "text_column", "languages", "hyps", "ref", "src", "hyp_column", "ref_column", "src_column",
              "id_column", "lang", "min_count", "scores"),
    "Model and engine": ("model", "sum_model", "engine", "device", "beams", "batch_size", "batch_tokens", "threads",
                         "max_input_tokens", "revision", "allow_pickle", "max_words", "min_words", "max_memory",
                         "no_cache", "cache_size", "comet_model", "ray", "ray_workers", "ray_gpus_per_worker"),
    "Glossary": ("glossaries", "strict_glossary", "auto_glossary"),
}
SECTION_ORDER = ("Input", "Model and engine", "Glossary", "Output and run")


class MtCommand(click.Command):
    """A command whose --help groups its options: input, model and engine, glossary, output."""

    def format_options(self, ctx, formatter) -> None:
        groups: dict[str, list] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            section = next((s for s, names in SECTIONS.items() if param.name in names), "Output and run")
            groups.setdefault(section, []).append(record)
        for section in SECTION_ORDER:
            if section in groups:
                with formatter.section(section):
                    formatter.write_dl(groups[section])


def model_option(task: str, *names: str, envvar: str | None = None):
    """-m/--model: a preset, Hub id or local folder (and its environment variable)."""
    default = "opus-mt-uk-en" if task == "translate" else "distilbart-cnn"
    what = "Translation model" if task == "translate" else "Summarizer"
    env = envvar or ("MT_MODEL" if task == "translate" else "MT_SUM_MODEL")
    return click.option(*(names or ("-m", "--model")), default=None, envvar=env, show_envvar=True,
                        help=f"{what}: preset, Hub id or local folder (default: {default}).")


def glossary_option(help: str = "Glossary TSV/CSV; repeatable, later files win."):
    """-g/--glossary, the same everywhere: an existing file, repeatable."""
    return click.option("-g", "--glossary", "glossaries", multiple=True,
                        type=click.Path(exists=True, dir_okay=False, path_type=Path), help=help)


def output_file_option(help: str, required: bool = False, default=None):
    """-O/--output-file: the one file a command writes (folders are always -o/--out)."""
    return click.option("-O", "--output-file", "output_file", required=required, default=default,
                        type=click.Path(dir_okay=False, path_type=Path), help=help)


json_option = click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result on stdout.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress or summary lines on stderr.")


def check_inputs(paths, out: Path | None = None, stdin_ok: bool = False) -> None:
    """Usage errors before anything is created: a missing input, or an OUT that is a file (exit 2)."""
    from mt.inputs.document import CorpusError
    from mt.inputs.remote import source_path

    try:
        missing = [str(p) for p in paths if not (stdin_ok and str(p) == "-") and not source_path(p).exists()]
    except CorpusError as exc:  # a URL whose store cannot be reached, or an unknown scheme
        raise click.UsageError(str(exc)) from None
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    if out is not None and not isinstance(out, str) and Path(out).exists() and not Path(out).is_dir():
        raise click.UsageError(f"-o/--out {out} is a file; give a folder (it is created when missing)")


# the engine options' parameter names; `engine_options` gathers them into one `engine_args` dict
ENGINE_PARAMS = ("engine", "device", "beams", "batch_size", "batch_tokens", "threads", "max_input_tokens",
                 "revision", "allow_pickle", "max_memory")


def _max_memory(ctx, param, value):
    """--max-memory SIZE|auto (else MT_MAX_MEMORY), checked before anything loads."""
    import os

    from mt.engines.memory import MemoryError_, parse_size

    checked = value if value is not None else os.environ.get("MT_MAX_MEMORY")
    try:
        parse_size(checked)
    except MemoryError_ as exc:
        where = "" if value is not None else " (from MT_MAX_MEMORY)"
        raise click.BadParameter(f"{exc}{where}".removeprefix("--max-memory ")) from None
    return value


def _cache_size(ctx, param, value):
    if value is None:
        return None
    from mt.engines.tm import CacheError, parse_cache_size

    try:
        return parse_cache_size(value)
    except CacheError as exc:
        raise click.BadParameter(str(exc).removeprefix("--cache-size ")) from None




def engine_options(func):
    """--engine/--device/--beams/... shared by translate, summarize and brief.

    The command receives them as one ``engine_args`` dict, for `make_engine_options`.
    """
    options = [
        click.option("--engine", type=click.Choice(["auto", "hf", "ct2"]), default="auto", show_default=True,
                     help="auto: CTranslate2 when installed and the model converts, else transformers."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True,
                     help="auto: CUDA when a GPU is visible, else the CPU; cuda fails at once without one."),
        click.option("--beams", type=click.IntRange(1, 16), default=None,
                     help="Beam size (default: the model's generation config)."),
        click.option("--batch-size", type=click.IntRange(1, 1024), default=None,
                     help="Most sentences per batch (default: CTranslate2 on CPU from --max-memory, else 32)."),
        click.option("--batch-tokens", type=click.IntRange(16, 10**6), default=None,
                     help="Most padded source tokens per batch (default: CTranslate2 on CPU from --max-memory, "
                          "else 2048)."),
        click.option("--max-memory", metavar="SIZE", default=None, callback=_max_memory,
                     help="Bound on the process's memory, e.g. 400M or 2G; CTranslate2 on CPU sizes its batches "
                          "from it. auto (default, or MT_MAX_MEMORY): a quarter of the free memory, at least 400M."),
        click.option("--threads", type=click.IntRange(1, 256), default=None, help="CPU threads (default: all cores)."),
        click.option("--max-input-tokens", type=click.IntRange(8, 4096), default=None,
                     help="Token budget per model input: longer sentences (translate) or texts (summarize) are "
                          "split at clause or sentence boundaries, never truncated."),
        click.option("--revision", default=None, help="Hub revision (branch, tag or commit) to load."),
        click.option("--allow-pickle", is_flag=True, help="Allow pickle (.bin) checkpoints. Only for trusted files."),
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        kwargs["engine_args"] = {name: kwargs.pop(name) for name in ENGINE_PARAMS}
        return func(*args, **kwargs)

    return _stack(options)(wrapper)


class _Input(click.ParamType):
    """An input file or folder: a local path, or a URL (s3://, gs://...: mt.inputs.remote)."""

    name = "path"

    def convert(self, value, param, ctx):
        from mt.inputs.document import CorpusError
        from mt.inputs.remote import source_path

        try:
            return source_path(value)
        except CorpusError as exc:
            self.fail(str(exc), param, ctx)


INPUT = _Input()


class _Out(click.ParamType):
    """-o/--out: a folder, or a bucket URL (s3://, gs://...: written through a local mirror,
    mt.outputs.remote), kept as the URL."""

    name = "folder|url"

    def convert(self, value, param, ctx):
        from mt.inputs.document import CorpusError
        from mt.inputs.remote import check_url, is_url

        if not is_url(value):
            return Path(value)
        try:
            return check_url(str(value))
        except CorpusError as exc:
            self.fail(str(exc), param, ctx)


OUT = _Out()


def paths_and_out(out_help: str, out_required: bool = True):
    """PATHS... and the -o/--out folder: the head of every command that writes into OUT."""
    return _stack([
        click.argument("paths", nargs=-1, required=True, type=INPUT),
        click.option("-o", "--out", required=out_required, type=OUT, help=out_help),
    ])


def _stack(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


# --force / --wait / -q / --json: every command that writes into OUT
cache_options = _stack([
    click.option("--no-cache", is_flag=True,
                 help="Do not use the translation memory (engine output per sentence, reused across documents and "
                      "runs; `mt cache info`). MT_CACHE=off does the same."),
    click.option("--cache-size", metavar="SIZE", default=None, callback=_cache_size,
                 help="Bound on the translation memory's file, e.g. 500M or 4G (default 1G); least recently used "
                      "sentences go first."),
])

run_options = _stack([
    click.option("--force", is_flag=True, help="Redo documents already done."),
    click.option("--wait", type=float, default=0.0, help="Seconds to wait for another run on OUT (default: refuse)."),
    quiet_option,
    json_option,
])

# --no-clean / --text-column: commands that read Ukrainian articles
corpus_options = _stack([
    click.option("--no-clean", is_flag=True,
                 help="Keep boilerplate (ads, 'Читайте також', related news, URLs, credits)."),
    click.option("--text-column", default="text", show_default=True, help="Text column of JSONL/CSV/Parquet/dataset."),
])


def _languages(ctx, param, value):
    from mt.inputs.language import LanguageOptionError, parse_languages

    try:
        return parse_languages(value)
    except LanguageOptionError as exc:
        raise click.BadParameter(str(exc)) from None


# --languages: translate and brief (mt.inputs.language identifies each document's language)
languages_option = click.option(
    "--languages", default="uk", show_default=True, metavar="CODES|any", callback=_languages,
    help="Translate documents identified as these languages (comma-separated codes, e.g. uk,ru); others "
         "get the status 'skipped: language xx'. 'any' translates every document.")


def _ray_address(ctx, param, value):
    if value is None or value in {"local", "auto"} or value.startswith("ray://") or ":" in value:
        return value
    raise click.BadParameter(f"{value!r}: use local, auto, ray://HOST:PORT or HOST:PORT")


# --ray / --ray-workers / --ray-gpus-per-worker: translate, summarize and brief on a Ray cluster
RAY_PARAMS = ("ray", "ray_workers", "ray_gpus_per_worker")
ray_options = _stack([
    click.option("--ray", metavar="ADDRESS", default=None, callback=_ray_address,
                 help="Run on Ray (pip install 'mt[ray]'): local (start Ray on this machine), auto (join the "
                      "cluster this machine belongs to), ray://HOST:PORT or a HOST:PORT head address. Same "
                      "outputs, manifest and exit codes; OUT must be a path every node sees. "
                      "Example: mt translate seeds -o out --ray local"),
    click.option("--ray-workers", type=click.IntRange(1, 100_000), default=None, metavar="N",
                 help="Ray actors, each holding one engine (default: what the cluster offers; --threads sets "
                      "the CPUs of each)."),
    click.option("--ray-gpus-per-worker", type=click.FloatRange(0, 64), default=0.0, metavar="G",
                 help="GPUs per Ray actor (e.g. 1; default 0: CPU actors)."),
])


def make_ray_options(ray, ray_workers, ray_gpus_per_worker):
    """`mt.distributed.RayOptions` from the --ray options, or None for a single-machine run."""
    if ray is None:
        if ray_workers or ray_gpus_per_worker:
            raise click.UsageError("--ray-workers and --ray-gpus-per-worker need --ray ADDRESS (e.g. --ray local)")
        return None
    from mt.distributed import RayOptions

    return RayOptions(address=ray, workers=ray_workers, gpus_per_worker=ray_gpus_per_worker)


def make_engine_options(model, task: str, engine_args: dict, **override) -> EngineOptions:
    """EngineOptions from --model and the `engine_options` of a command (`override` replaces some)."""
    a = {**engine_args, **override}
    return EngineOptions(model=model, task=task, engine=a["engine"], device=a["device"], beams=a["beams"],
                         max_batch_size=a["batch_size"], batch_tokens=a["batch_tokens"], threads=a["threads"],
                         max_input_tokens=a["max_input_tokens"], revision=a["revision"],
                         allow_pickle=a["allow_pickle"], max_memory=a.get("max_memory"))


def echo_terms(terms: dict) -> None:
    """The translate stage's glossary figures, one line on stderr."""
    if terms.get("matched"):
        click.echo(f"glossary: {terms['matched']} mentions, {terms['enforced']} written by the model, "
                   f"{terms['repaired']} repaired, {terms['missed']} missed; term accuracy "
                   f"{_pct(terms.get('term_accuracy'))}, consistency {_pct(terms.get('consistency'))}", err=True)


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def report_run(summary, as_json: bool, quiet: bool, verb: str) -> None:
    """Print a run summary (JSON on stdout, or lines on stderr) and exit 1 if any document failed."""
    data = summary.as_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(f"{verb} {data['documents']} documents: {data['ok']} ok, {data['skipped']} skipped "
                   f"(already done), {len(data['failed'])} failed, {data['sentences']} sentences, "
                   f"{data['seconds']} s -> {data['out']}", err=True)
        echo_terms(data.get("glossary") or {})
        if data.get("not_translated"):
            click.echo(f"{len(data['not_translated'])} document(s) not translated (--languages): "
                       + ", ".join(f"{d['id']} ({d['status']})" for d in data["not_translated"][:10])
                       + (" ..." if len(data["not_translated"]) > 10 else ""), err=True)
        if data.get("demo"):
            click.echo("NOTE: the model is an untrained demo model; its output is noise, labelled as such.",
                       err=True)
    if summary.failed:
        click.echo(f"{len(summary.failed)} document(s) failed:", err=True)
        for item in summary.failed:
            click.echo(f"  {item['id']}: {item['error']}", err=True)
        sys.exit(EXIT_FAILED_DOCS)
