#!/bin/sh
# Install the torch build that fits this machine into a virtual environment (used by `make setup`).
#
#   sh scripts/install_torch.sh [PYTHON]        (default .venv/bin/python)
#
# The version is requirements.txt's pin (torch==2.13.0). Which build:
#   - an NVIDIA GPU (`nvidia-smi -L` works): the CUDA build, PyPI's default torch wheel on Linux;
#   - no NVIDIA GPU: the CPU build. When plain pip already serves one (a local +cpu wheel, a mirror
#     of PyTorch's CPU index, or macOS/Windows, where PyPI's wheel has no CUDA), plain pip is used and
#     nothing else is asked; otherwise the wheel comes from PyTorch's CPU index
#     (https://download.pytorch.org/whl/cpu), about 200 MB instead of several GB.
# Overrides:
#   MT_TORCH=cpu|cuda|auto   force a build (default auto: decided by nvidia-smi)
#   TORCH_INDEX=URL          take torch from this package index (e.g. https://download.pytorch.org/whl/cu126)
# A torch of the pinned version that is already installed and of the wanted build is left alone.
set -eu

PY=${1:-.venv/bin/python}
HERE=$(dirname "$0")
VERSION=$(sed -n 's/^torch==\([0-9][0-9a-z.]*\).*/\1/p' "$HERE/../requirements.txt" | head -n 1)
VERSION=${VERSION:-2.13.0}
CPU_INDEX=https://download.pytorch.org/whl/cpu
PIP="$PY -m pip install -q --disable-pip-version-check"

want=${MT_TORCH:-auto}
if [ "$want" = auto ]; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then want=cuda; else want=cpu; fi
fi
case "$want" in cpu|cuda) ;; *) echo "MT_TORCH must be cpu, cuda or auto (got '$want')" >&2; exit 2 ;; esac

# installed torch: "<version> <cuda version or None>", empty when there is none
installed=$("$PY" -c "
import importlib.metadata as m
v = m.version('torch')
if '+cpu' in v:
    print(v, None)  # no need to import torch (two seconds) to know
else:
    import torch
    print(v, torch.version.cuda)" 2>/dev/null || true)
base=${installed%% *}
cuda=${installed#* }
case "$base" in "$VERSION"|"$VERSION"+*) same_version=yes ;; *) same_version=no ;; esac

if [ -n "${TORCH_INDEX:-}" ]; then
    echo "torch $VERSION from $TORCH_INDEX (TORCH_INDEX)"
    exec $PIP --index-url "$TORCH_INDEX" --no-deps "torch==$VERSION"
fi

# which wheel plain pip would take (resolves metadata only; downloads nothing large)
plain_pip_url() {
    $PIP --dry-run --ignore-installed --no-deps --report - "torch==$VERSION" 2>/dev/null \
        | "$PY" -c "import json, sys; print(json.load(sys.stdin)['install'][0]['download_info']['url'])" \
        2>/dev/null || true
}
is_cpu_wheel() {
    case "$1" in *+cpu*|*%2Bcpu*|*/whl/cpu/*) return 0 ;; esac
    return 1
}

if [ "$want" = cuda ]; then
    if [ "$same_version" = yes ] && [ "$cuda" != None ]; then exit 0; fi
    url=$(plain_pip_url)
    if is_cpu_wheel "$url"; then  # e.g. pip configured with a local CPU wheel: reinstalling would change nothing
        echo "an NVIDIA GPU was found, but pip here serves only a CPU build of torch $VERSION; for the CUDA" \
             "build set TORCH_INDEX (e.g. https://download.pytorch.org/whl/cu126)" >&2
        if [ "$same_version" = yes ]; then exit 0; fi
        exec $PIP --no-deps "torch==$VERSION"
    fi
    echo "torch $VERSION, CUDA build (an NVIDIA GPU was found; MT_TORCH=cpu for the CPU build)"
    if [ "$same_version" = yes ]; then  # a CPU build of the same version satisfies the pin: replace it
        exec $PIP --force-reinstall --no-deps "torch==$VERSION"
    fi
    exec $PIP --no-deps "torch==$VERSION"
fi

# the CPU build
if [ "$same_version" = yes ] && [ "$cuda" = None ]; then exit 0; fi
if [ "$(uname -s)" != Linux ]; then  # PyPI's macOS and Windows wheels are CPU builds
    exec $PIP --no-deps "torch==$VERSION"
fi
url=$(plain_pip_url)
reinstall=
if [ "$same_version" = yes ]; then reinstall=--force-reinstall; fi  # a CUDA build is installed: replace it
if is_cpu_wheel "$url"; then exec $PIP $reinstall --no-deps "torch==$VERSION"; fi
echo "torch $VERSION, CPU build from $CPU_INDEX (no NVIDIA GPU; MT_TORCH=cuda for the CUDA build)"
exec $PIP $reinstall --index-url "$CPU_INDEX" --no-deps "torch==$VERSION"
