"""scripts/paligemma: help on stdout, raw UTF-8 arguments, UTF-8 output under any locale, errors without a
stack trace written before the exit, and a build under a lock that two launchers on a fresh clone share."""
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "scripts" / "paligemma"
RES = ROOT / "model" / "src" / "test" / "resources"
CKPT = str(RES / "tiny" / "tiny-224.npz")
TOK = str(RES / "tokenizer" / "tiny.model")
IMG = str(RES / "image" / "inputs" / "jpeg420_1x1.jpg")


def launch(*args: str | bytes, env: dict[str, str] | None = None,
           launcher: Path = LAUNCHER) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k not in ("TORNADOVM_HOME", "PALIGEMMA_DEBUG")}
    e.update(env or {})
    return subprocess.run([str(launcher), *args], capture_output=True, env=e, timeout=900)


def generate(*more: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return launch("generate", "--checkpoint", CKPT, "--tokenizer", TOK, "--image", IMG, "--max-tokens", "2", *more,
                  env=env)


@pytest.mark.parametrize("args", [["--help"], ["devices", "--help"], ["generate", "--backend", "tornadovm", "--help"]])
def test_help_goes_to_stdout_with_exit_zero(args: list[str]) -> None:
    r = launch(*args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"usage: paligemma")
    assert b"Exception" not in r.stderr and b"WARNING: Using incubator" not in r.stderr


def test_invalid_utf8_prompt_names_the_byte_offset() -> None:
    r = generate("--prompt", b"caption \xffen")
    assert r.returncode == 2
    assert r.stdout == b""
    assert r.stderr == (b"paligemma: argument 11 (after --prompt) is not valid UTF-8: byte 0xff at byte offset 8"
                        b" (after 'caption ')\n")


@pytest.mark.parametrize("locale", [{"LANG": "C", "LC_ALL": "C"}, {"LC_ALL": "POSIX"}])
def test_output_is_utf8_under_a_c_locale(locale: dict[str, str]) -> None:
    r = generate("--prompt", "caption ünï ☃", "--json", env=locale)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.decode("utf-8"))["prompt"] == "caption ünï ☃"
    bad = generate("--prompt", "p", "--image", "/nonexistent/ü.jpg", env=locale)
    assert "ü.jpg".encode() in bad.stderr


def test_a_user_error_is_one_line_without_stack_trace_and_debug_shows_it() -> None:
    r = launch("generate", "--checkpoint", "/nonexistent.npz", "--tokenizer", TOK, "--image", IMG, "--prompt", "p")
    assert r.returncode == 2
    assert r.stderr == b"paligemma generate: --checkpoint: no such file: /nonexistent.npz\n"
    for d in (launch("--debug", "inspect", "/nonexistent.npz"),
              launch("inspect", "/nonexistent.npz", env={"PALIGEMMA_DEBUG": "1"})):
        assert d.stderr.startswith(b"paligemma inspect: CKPT: no such file: /nonexistent.npz\n")
        assert b"\tat paligemma4j." in d.stderr


def test_stderr_is_not_filtered_through_a_process_substitution() -> None:
    # a process substitution (2> >(filter)) can print after the launcher exits: the caller must see the
    # message before the exit status
    assert ">(" not in LAUNCHER.read_text()


def test_two_launchers_on_a_fresh_clone_build_once_and_both_run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        launcher = clone / "scripts" / "paligemma"
        env = {k: v for k, v in os.environ.items() if k != "TORNADOVM_HOME"}
        procs = [subprocess.Popen([str(launcher), "inspect", CKPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env) for _ in range(2)]
        results = [(p.wait(timeout=900), p.stdout.read(), p.stderr.read()) for p in procs]
        for code, out, err in results:
            assert code == 0, err.decode(errors="replace")
            assert b"npz" in out
            assert b"NoClassDefFoundError" not in err and b"\tat " not in err
        builds = sum(err.count(b"building jars") for _, _, err in results)
        assert builds == 1
        # a changed source is rebuilt before the next run
        source = clone / "eval" / "src" / "main" / "java" / "paligemma4j" / "cli" / "Main.java"
        os.utime(source)
        again = launch("--help", launcher=launcher)
        assert again.returncode == 0
        assert b"building jars" in again.stderr
