"""Convert a transformers seq2seq model to CTranslate2 once, and cache it.

`converted_model(spec, quantization)` returns a folder under
``models_dir()/ct2/<key>/`` holding the converted model. The key is made from
what is actually loaded: for a Hub model the commit of its config and the
commit of its weights (the same commit, or for weights from the conversion
bot's pull request the branch commit and the pull request's commit); for a
local folder a fingerprint of its files. Plus the quantization and the
ctranslate2 version. So a new upstream commit converts again, and the same
commit never converts twice.

The model's files are made local first (`mt.models.hub.ensure`: from the
cache, or downloaded with progress); the conversion itself runs in a child
process (``python -m mt.engines.convert SRC DEST QUANT``) on that local
folder, so it never contacts the Hub and never imports torch into the
translating process. It says what it does ("converting opus-mt-uk-en to
CTranslate2 int8 (once, about N s)") and shows that it is working while the
child runs. It writes to a temporary folder and renames it into place, so an
interrupted or concurrent conversion never leaves a half-written model. The
converted folder carries a copy of the config and tokenizer files
(``source/``), so it works even after the Hugging Face cache was cleared.
Safety rules as in `mt.models.hub.load_pretrained`: safetensors only unless
`allow_pickle`, never ``trust_remote_code``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from mt.errors import MtError
from mt.models.cache import Located, folder_size, human, locate, weight_files
from mt.models.fetch import ensure
from mt.models.hub import _silent, notifier, target_name
from mt.models.presets import ModelSpec, models_dir
from mt.models.resolution import check_weights

# model_type values whose transformers checkpoints CTranslate2 converts (seq2seq only)
SUPPORTED_TYPES = {"marian", "bart", "m2m_100", "mbart", "pegasus", "t5", "mt5"}
CONVERSIONS = {"count": 0}  # conversions done by this process (tests check cache reuse)
SOURCE_FILES = ("*.json", "*.spm", "*.model", "*.txt")  # copied beside the converted model (no weights)
STARTUP_SECONDS = 6.0  # a conversion's fixed cost: the child imports torch and transformers
BYTES_PER_SECOND = 40e6  # first guess of the conversion rate, replaced by this machine's measured rate
HEARTBEAT = 10.0  # seconds between "still converting" lines when stderr is not a terminal


class ConversionError(MtError, RuntimeError):
    """The converter failed; `create_engine(engine="auto")` falls back to transformers."""


def cache_root() -> Path:
    return models_dir() / "ct2"


def cache_key(spec: ModelSpec, found: Located | Path | None, quantization: str) -> str:
    """The conversion's folder name: label, a tag of what was loaded + the ctranslate2 version, quantization."""
    import ctranslate2

    if isinstance(found, Path):
        found = Located(found, spec.hub, source="local")
    version = found.version if found is not None else (spec.revision or "unresolved")
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.label)[:80]
    tag = hashlib.sha256(f"{version}|{ctranslate2.__version__}".encode()).hexdigest()[:10]
    return f"{label}-{tag}-{quantization}"


def check_supported(folder: Path | None) -> None:
    if folder is None:
        return
    try:
        model_type = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError) as exc:
        raise ConversionError(f"cannot read {folder / 'config.json'}: {exc}") from exc
    if model_type not in SUPPORTED_TYPES:
        raise ConversionError(f"CTranslate2 does not convert model type {model_type!r}")


def read_source(folder: Path) -> dict:
    try:
        return json.loads((folder / "mt-source.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def conversions(spec: ModelSpec | None = None) -> list[Path]:
    """Cached conversions (of `spec`'s Hub id or label when given), newest first."""
    root = cache_root()
    if not root.is_dir():
        return []
    out = []
    for folder in root.iterdir():
        if not (folder / "model.bin").exists():
            continue
        if spec is not None:
            meta = read_source(folder)
            if not ((spec.hub and meta.get("hub") == spec.hub) or meta.get("model") == spec.label):
                continue
        out.append(folder)
    return sorted(out, key=lambda p: p.stat().st_mtime, reverse=True)


def _device_quantization(device: str) -> str | None:
    try:
        from mt.engines.ct2 import pick_compute_type, pick_ct2_device
    except ImportError:  # CTranslate2 is not installed
        return None
    return pick_compute_type(pick_ct2_device(device))


def cached_conversion(spec: ModelSpec, device: str = "auto", quantization: str | None = None) -> Path | None:
    """A cached conversion `CT2Engine` can load for `spec` without the Hub, or None.

    With the model's files here, only the conversion of exactly those files
    counts. Without them (the Hugging Face cache was cleared), the newest
    conversion of the same Hub model and quantization does, since it carries
    its own config and tokenizer.
    """
    quantization = quantization or _device_quantization(device)
    if quantization is None:
        return None
    found = locate(spec, allow_pickle=True)
    if found is not None:
        dest = cache_root() / cache_key(spec, found, quantization)
        return dest if (dest / "model.bin").exists() else None
    if spec.hub is None or spec.revision:
        return None
    for folder in conversions(spec):
        meta = read_source(folder)
        if meta.get("quantization") == quantization and (folder / "source" / "config.json").exists():
            import ctranslate2

            if meta.get("ctranslate2") in (None, ctranslate2.__version__):
                return folder
    return None


def source_folder(model_dir: Path) -> Path | None:
    """The config and tokenizer copy of a conversion (None for conversions made before mt kept one)."""
    folder = model_dir / "source"
    return folder if (folder / "config.json").exists() else None


# ------------------------------------------------------------ estimating and showing the conversion

def _timings_path() -> Path:
    return cache_root() / "timings.json"


def _first_guess(weight_bytes: int) -> float:
    return STARTUP_SECONDS + weight_bytes / BYTES_PER_SECOND


def estimate_seconds(weight_bytes: int) -> float:
    """Seconds a conversion of `weight_bytes` of weights should take on this machine.

    A first guess (STARTUP_SECONDS + bytes at BYTES_PER_SECOND), scaled by how
    the last conversions timed here compared with their own first guesses.
    """
    guess = _first_guess(weight_bytes)
    try:
        records = json.loads(_timings_path().read_text(encoding="utf-8"))[-5:]
        ratios = sorted(r["seconds"] / _first_guess(r["bytes"]) for r in records)
    except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
        return guess
    return guess * ratios[len(ratios) // 2] if ratios else guess


def _record_timing(weight_bytes: int, seconds: float) -> None:
    path = _timings_path()
    try:
        records = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        records = (records + [{"bytes": weight_bytes, "seconds": round(seconds, 2)}])[-20:]
        path.write_text(json.dumps(records), encoding="utf-8")
    except (OSError, ValueError):
        pass


class _Heartbeat:
    """While the child converts: a ticking line on a terminal, a line every HEARTBEAT s otherwise."""

    def __init__(self, what: str, notify):
        self.what, self.notify = what, notify
        self.stop = threading.Event()
        self.started = time.monotonic()
        try:
            self.tty = sys.stderr.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.thread = threading.Thread(target=self._run, daemon=True, name="mt-convert-heartbeat")

    def _run(self) -> None:
        frames = "|/-\\"
        tick = 0
        while not self.stop.wait(1.0 if self.tty else HEARTBEAT):
            elapsed = time.monotonic() - self.started
            if self.tty:
                sys.stderr.write(f"\r  {frames[tick % 4]} converting {self.what}: {elapsed:.0f} s")
                sys.stderr.flush()
                tick += 1
            else:
                self.notify(f"  still converting {self.what} ({elapsed:.0f} s)")

    def __enter__(self):
        if self.notify is not _silent:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        if self.tty and self.notify is not _silent:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def converted_model(spec: ModelSpec, quantization: str, allow_pickle: bool = False, notify=None) -> Path:
    """The cached CTranslate2 folder for `spec`, converting it first if needed."""
    notify = notifier(notify)
    found = locate(spec, allow_pickle)
    if found is None:
        cached = cached_conversion(spec, quantization=quantization)
        if cached is not None:
            return cached  # also offline, with the Hugging Face cache cleared
        found = ensure(spec, allow_pickle, notify)  # downloads, or raises ModelError: never "conversion failed"
    check_weights(found.folder, allow_pickle)  # PickleRefused is a ModelError: never falls back silently
    check_supported(found.folder)
    dest = cache_root() / cache_key(spec, found, quantization)
    if (dest / "model.bin").exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    weight_bytes = sum(p.stat().st_size for p in weight_files(found.folder))
    estimate = estimate_seconds(weight_bytes)
    what = target_name(spec)
    notify(f"converting {what} to CTranslate2 {quantization} (once, about {estimate:.0f} s): "
           f"{human(weight_bytes)} of weights -> {dest}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    started = time.monotonic()
    try:
        cmd = [sys.executable, "-m", "mt.engines.convert", str(found.folder), str(tmp / "model"), quantization]
        if allow_pickle:
            cmd.append("--allow-pickle")
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1",
               "DISABLE_SAFETENSORS_CONVERSION": "1"}
        log = tmp / "convert.log"
        with open(log, "w", encoding="utf-8") as out, _Heartbeat(what, notify):  # noqa: SIM117
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
        if done.returncode != 0:
            lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
            raise ConversionError(f"CTranslate2 conversion of {spec.label} failed: "
                                  f"{lines[-1] if lines else 'exit code ' + str(done.returncode)}")
        source = tmp / "model" / "source"
        source.mkdir()
        for pattern in SOURCE_FILES:
            for path in found.folder.glob(pattern):
                if path.is_file() and not path.name.endswith(".index.json"):
                    shutil.copyfile(path, source / path.name)
        import ctranslate2

        (tmp / "model" / "mt-source.json").write_text(json.dumps({
            "model": spec.label, "hub": found.hub or spec.hub, "source": str(found.folder),
            "ref": found.ref, "commit": found.commit, "config_commit": found.config_commit,
            "version": found.version, "quantization": quantization, "ctranslate2": ctranslate2.__version__,
        }, indent=2), encoding="utf-8")
        try:
            os.rename(tmp / "model", dest)
        except OSError:
            if not (dest / "model.bin").exists():  # not a concurrent conversion that won the race
                raise
        CONVERSIONS["count"] += 1
        seconds = time.monotonic() - started
        _record_timing(weight_bytes, seconds)
        notify(f"converted {what} in {seconds:.0f} s ({human(folder_size(dest))})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


# ------------------------------------------------------------ the child process

def _convert(source: str, dest: str, quantization: str, allow_pickle: bool) -> None:
    import transformers
    from ctranslate2.converters import TransformersConverter

    transformers.logging.set_verbosity_error()

    class SafeConverter(TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            kwargs["trust_remote_code"] = False
            kwargs["local_files_only"] = True
            if not allow_pickle:
                kwargs["use_safetensors"] = True
            model = model_class.from_pretrained(model_name_or_path, **kwargs)
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False  # transformers 5 dropped the attribute (BART is post-norm)
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            kwargs["trust_remote_code"] = False
            kwargs["local_files_only"] = True
            return tokenizer_class.from_pretrained(model_name_or_path, **kwargs)

    converter = SafeConverter(source, load_as_float16=False, trust_remote_code=False)
    converter.convert(dest, quantization=quantization, force=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="convert a local transformers model to CTranslate2 (used by mt)")
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("quantization")
    parser.add_argument("--allow-pickle", action="store_true")
    args = parser.parse_args(argv)
    _convert(args.source, args.dest, args.quantization, args.allow_pickle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
