"""What bigvision_dump.py and transformers_dump.py share: the text encoding of meta strings and the
single-prompt / prompts-file driver."""
import argparse
import os
import time
from typing import Protocol

import numpy as np


class Dumper(Protocol):
    """What run needs: one prompt's stages written to one .npz."""

    def dump(self, prompt: str, out_path: str) -> None: ...


def utf8(text: object) -> np.ndarray:
    """A string as a uint8 array of its UTF-8 bytes: every .npz reader (ours included) reads |u1."""
    return np.frombuffer(str(text).encode("utf-8"), np.uint8)


def run(dumper: Dumper, a: argparse.Namespace, t0: float) -> None:
    """One dump for --prompt, else one per line of --prompts-file into --out-dir plus prompts.tsv."""
    if a.prompt is not None:
        dumper.dump(a.prompt, a.out)
        return
    with open(a.prompts_file, encoding="utf-8") as f:
        prompts = [line.rstrip("\n") for line in f if line.strip()]
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "prompts.tsv"), "w", encoding="utf-8") as index:
        for i, prompt in enumerate(prompts):
            name = f"p{i:02d}.npz"
            dumper.dump(prompt, os.path.join(a.out_dir, name))
            index.write(f"{name}\t{prompt}\n")
    print(f"{len(prompts)} dumps in {time.time() - t0:.1f}s")
