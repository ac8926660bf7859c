"""scripts/install_torch.sh decides which torch build to install (run against a stub python: no pip, no network)."""
from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install_torch.sh"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PYPI_WHEEL = "https://files.pythonhosted.org/packages/xx/torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl"
LOCAL_CPU_WHEEL = "file:///opt/wheels/torch-2.13.0%2Bcpu-cp311-cp311-manylinux_2_28_x86_64.whl"

STUB = """#!/bin/sh
# stands in for a venv's python: logs pip calls, answers the installed-torch and dry-run questions
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
    echo "$*" >> "$STUB_LOG"
    case "$*" in *--dry-run*) echo '{"install": [{"download_info": {"url": "'"$STUB_URL"'"}}]}' ;; esac
    exit 0
fi
case "$2" in *importlib.metadata*) if [ -n "$STUB_INSTALLED" ]; then echo "$STUB_INSTALLED"; fi; exit 0 ;; esac
exec python3 "$@"
"""


def _executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture()
def run(tmp_path):
    python = _executable(tmp_path / "python", STUB)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()

    def go(installed: str = "", url: str = PYPI_WHEEL, gpu: bool = False, **env) -> tuple[int, list[str], str]:
        log = tmp_path / "pip.log"
        log.unlink(missing_ok=True)
        smi = bin_dir / "nvidia-smi"
        smi.unlink(missing_ok=True)
        if gpu:
            _executable(smi, "#!/bin/sh\necho 'GPU 0: NVIDIA H100'\n")
        full = {**{k: v for k, v in os.environ.items() if k not in {"MT_TORCH", "TORCH_INDEX"}},
                "PATH": f"{bin_dir}:/usr/bin:/bin", "STUB_LOG": str(log), "STUB_URL": url,
                "STUB_INSTALLED": installed, **env}
        done = subprocess.run(["sh", str(SCRIPT), str(python)], env=full, capture_output=True, text=True, timeout=60)
        calls = log.read_text().splitlines() if log.exists() else []
        return done.returncode, [c for c in calls if "--dry-run" not in c], done.stdout + done.stderr

    return go


def test_no_gpu_and_pypi_would_serve_cuda_takes_pytorchs_cpu_index(run):
    code, calls, said = run()
    assert code == 0 and len(calls) == 1
    assert f"--index-url {CPU_INDEX}" in calls[0] and "torch==2.13.0" in calls[0]
    assert "CPU build from" in said


def test_a_local_cpu_wheel_is_used_as_it_is(run):
    code, calls, _ = run(url=LOCAL_CPU_WHEEL)  # this machine: pip is configured with a local +cpu wheel
    assert code == 0 and len(calls) == 1 and "--index-url" not in calls[0]


def test_an_installed_build_that_fits_is_left_alone(run):
    assert run(installed="2.13.0+cpu None") == (0, [], "")
    assert run(installed="2.13.0 12.6", gpu=True)[:2] == (0, [])


def test_a_gpu_gets_the_cuda_build_and_overrides_win(run):
    code, calls, _ = run(gpu=True)
    assert code == 0 and len(calls) == 1 and "--index-url" not in calls[0]  # PyPI's Linux wheel is the CUDA build
    code, calls, _ = run(gpu=True, MT_TORCH="cpu")
    assert f"--index-url {CPU_INDEX}" in calls[0]
    code, calls, _ = run(installed="2.13.0+cpu None", MT_TORCH="cuda")
    assert "--force-reinstall" in calls[0]  # a CPU build of the same version satisfies the pin: replaced
    code, calls, _ = run(TORCH_INDEX="https://download.pytorch.org/whl/cu126")
    assert "--index-url https://download.pytorch.org/whl/cu126" in calls[0]
    code, calls, said = run(installed="2.13.0+cpu None", url=LOCAL_CPU_WHEEL, gpu=True)
    assert code == 0 and calls == [] and "pip here serves only a CPU build" in said  # nothing to gain: told why
    code, _, said = run(MT_TORCH="gpu")
    assert code == 2 and "MT_TORCH must be cpu, cuda or auto" in said


def test_requirements_keep_the_torch_pin():
    assert "torch==2.13.0" in (ROOT / "requirements.txt").read_text().splitlines()
