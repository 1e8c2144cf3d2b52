#!/usr/bin/env python3
"""Writes a small deterministic RGB PNG for parity runs (gradients, a red square, a disc).

Its default size (160x120, not square) makes the model resize squash the aspect ratio, upsample
to 224 and downsample to 128, so both directions of big_vision's bilinear resize are exercised.

usage: make_test_image.py --out img.png [--width 160 --height 120]
"""
import argparse

import numpy as np
from PIL import Image


def make(width: int, height: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([(x * 255) // max(width - 1, 1), (y * 255) // max(height - 1, 1),
                    ((x + 2 * y) * 7) % 256], axis=-1).astype(np.uint8)
    img[height // 6:height // 2, width // 5:width // 2] = (230, 20, 30)
    disc = (x - 0.7 * width) ** 2 + (y - 0.65 * height) ** 2 < (0.18 * height) ** 2
    img[disc] = (20, 40, 220)
    return img


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=int, default=160)
    p.add_argument("--height", type=int, default=120)
    a = p.parse_args()
    Image.fromarray(make(a.width, a.height)).save(a.out)
    print(f"wrote {a.out} ({a.width}x{a.height})")


if __name__ == "__main__":
    main()
