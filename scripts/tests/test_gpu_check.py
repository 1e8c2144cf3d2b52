"""scripts/gpu-check without a GPU or a bundle: one line and exit 2, help on stdout with exit 0. (Its --dry-run on
PoCL runs in scripts/test-tornadovm, which has the TornadoVM SDK.)"""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gpu-check"


def run(*args: str, path_prefix: Path | None = None, work: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    if work is not None:
        env["GPU_CHECK_WORK"] = str(work)
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)


def fake_nvidia_smi(tmp_path: Path, body: str) -> Path:
    """A folder holding an `nvidia-smi` that runs `body`, to put first on PATH."""
    fake = tmp_path / "bin"
    fake.mkdir()
    smi = fake / "nvidia-smi"
    smi.write_text(f"#!/bin/sh\n{body}\n")
    smi.chmod(0o755)
    return fake


def test_help_goes_to_stdout() -> None:
    r = run("--help")
    assert r.returncode == 0
    assert "scripts/gpu-check pack" in r.stdout and "--dry-run" in r.stdout
    assert r.stderr == ""


def test_no_gpu_is_one_line(tmp_path: Path) -> None:
    fake = fake_nvidia_smi(tmp_path, "exit 0")                       # a driver that lists no GPU
    r = run(path_prefix=fake, work=tmp_path / "work")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "gpu-check: no NVIDIA GPU here (nvidia-smi lists none); --dry-run runs the check on this machine's "
        "OpenCL CPU device"]
    assert r.stdout == ""


def test_no_bundle_is_one_line(tmp_path: Path) -> None:
    fake = fake_nvidia_smi(tmp_path, "echo 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)'")   # one GPU
    env_bundle = tmp_path / "none.tar.xz"
    os.environ["GPU_CHECK_BUNDLE"] = str(env_bundle)
    try:
        r = run(path_prefix=fake, work=tmp_path / "work")
    finally:
        del os.environ["GPU_CHECK_BUNDLE"]
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"gpu-check: no TornadoVM bundle at {env_bundle}: run 'scripts/gpu-check pack' on "
                                     "a machine with the SDK and carry .gpu-check"]


def test_unknown_option_is_one_line() -> None:
    r = run("--frobnicate")
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["gpu-check: unknown option --frobnicate (scripts/gpu-check --help)"]
