"""scripts/parity/dumps.py: meta strings as UTF-8 bytes and the prompts-file driver."""
import argparse
from pathlib import Path

import numpy as np
from conftest import load

dumps = load("parity/dumps.py")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def dump(self, prompt: str, out_path: str) -> None:
        self.calls.append((prompt, out_path))


def test_utf8_is_the_bytes_as_uint8() -> None:
    got = dumps.utf8("caption é")
    assert got.dtype == np.uint8
    assert got.tobytes() == "caption é".encode()
    assert dumps.utf8(224).tolist() == [50, 50, 52]


def test_single_prompt_goes_to_out() -> None:
    r = Recorder()
    dumps.run(r, argparse.Namespace(prompt="caption en", out="x.npz"), 0.0)
    assert r.calls == [("caption en", "x.npz")]


def test_prompts_file_makes_one_dump_per_non_blank_line_and_an_index(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("caption en\n\n   \ndetect cat\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    r = Recorder()
    dumps.run(r, argparse.Namespace(prompt=None, prompts_file=str(prompts), out_dir=str(out_dir)), 0.0)
    assert r.calls == [("caption en", str(out_dir / "p00.npz")), ("detect cat", str(out_dir / "p01.npz"))]
    assert (out_dir / "prompts.tsv").read_text(encoding="utf-8") == "p00.npz\tcaption en\np01.npz\tdetect cat\n"
