"""Convert a transformers seq2seq model to CTranslate2 once, and cache it.

`converted_model(spec, quantization)` returns a folder under
``models_dir()/ct2/<key>/`` holding the converted model. The key names the
model label, its revision (or, for a local folder, a hash of the config and
weight files' names, sizes and mtimes), the quantization and the
ctranslate2 version, so a changed model or library converts again.

The conversion itself runs in a child process (``python -m
mt.engines.convert SRC DEST QUANT``): it imports torch and transformers,
which the translating process then never has to load. It writes to a
temporary folder and renames it into place, so an interrupted or concurrent
conversion never leaves a half-written model behind. The same safety rules as
`mt.models.load_pretrained` apply: safetensors only unless `allow_pickle`,
never ``trust_remote_code``.
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
from pathlib import Path

from mt.models.presets import ModelSpec, models_dir
from mt.models.resolution import check_weights, local_files
from mt.models.hub import require_hub

# model_type values whose transformers checkpoints CTranslate2 converts (seq2seq only)
SUPPORTED_TYPES = {"marian", "bart", "m2m_100", "mbart", "pegasus", "t5", "mt5"}
CONVERSIONS = {"count": 0}  # conversions done by this process (tests check cache reuse)


class ConversionError(RuntimeError):
    """The converter failed; `create_engine(engine="auto")` falls back to transformers."""


def cache_root() -> Path:
    return models_dir() / "ct2"


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and (path.suffix in {".json", ".safetensors", ".bin", ".spm", ".model", ".txt"}):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}\n".encode())
    return digest.hexdigest()[:12]


def cache_key(spec: ModelSpec, folder: Path | None, quantization: str) -> str:
    import ctranslate2

    if folder is not None and spec.path is not None:
        version = _fingerprint(folder)  # a local folder can change under the same name
    elif spec.revision:
        version = spec.revision
    elif folder is not None:
        version = folder.name  # Hugging Face cache snapshot: the folder is the commit hash
    else:
        version = "main"
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


def cached_conversion(spec: ModelSpec, device: str = "auto") -> Path | None:
    """The conversion `CT2Engine` would load for a model whose weights are not local, if cached."""
    try:
        from mt.engines.ct2 import pick_compute_type, pick_ct2_device
    except ImportError:  # CTranslate2 is not installed
        return None
    dest = cache_root() / cache_key(spec, None, pick_compute_type(pick_ct2_device(device)))
    return dest if (dest / "model.bin").exists() else None


def converted_model(spec: ModelSpec, quantization: str, allow_pickle: bool = False) -> Path:
    """The cached CTranslate2 folder for `spec`, converting it first if needed."""
    folder = local_files(spec, need_weights=True)
    if folder is not None:
        check_weights(folder, allow_pickle)  # PickleRefused is a ModelError: never falls back silently
    check_supported(folder)
    dest = cache_root() / cache_key(spec, folder, quantization)
    if (dest / "model.bin").exists():
        return dest  # also offline, for a Hub model whose weights came from another revision
    if folder is None:
        require_hub(spec)  # offline or unreachable: say so at once, never "conversion failed"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        source = str(folder) if folder is not None else str(spec.hub)
        cmd = [sys.executable, "-m", "mt.engines.convert", source, str(tmp / "model"), quantization]
        if spec.revision and folder is None:
            cmd += ["--revision", spec.revision]
        if allow_pickle:
            cmd.append("--allow-pickle")
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            raise ConversionError(f"CTranslate2 conversion of {spec.label} failed: "
                                  f"{lines[-1] if lines else 'exit code ' + str(done.returncode)}")
        (tmp / "model" / "mt-source.json").write_text(
            json.dumps({"model": spec.label, "source": source, "quantization": quantization}), encoding="utf-8")
        try:
            os.rename(tmp / "model", dest)
        except OSError:
            if not (dest / "model.bin").exists():  # not a concurrent conversion that won the race
                raise
        CONVERSIONS["count"] += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


# ------------------------------------------------------------ the child process

def _convert(source: str, dest: str, quantization: str, revision: str | None, allow_pickle: bool) -> None:
    import transformers
    from ctranslate2.converters import TransformersConverter

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    class SafeConverter(TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            kwargs["trust_remote_code"] = False
            if not allow_pickle:
                kwargs["use_safetensors"] = True
            model = model_class.from_pretrained(model_name_or_path, **kwargs)
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False  # transformers 5 dropped the attribute (BART is post-norm)
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            kwargs["trust_remote_code"] = False
            return tokenizer_class.from_pretrained(model_name_or_path, **kwargs)

    converter = SafeConverter(source, load_as_float16=False, revision=revision, trust_remote_code=False)
    converter.convert(dest, quantization=quantization, force=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="convert a transformers model to CTranslate2 (used by mt)")
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("quantization")
    parser.add_argument("--revision")
    parser.add_argument("--allow-pickle", action="store_true")
    args = parser.parse_args(argv)
    _convert(args.source, args.dest, args.quantization, args.revision, args.allow_pickle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
