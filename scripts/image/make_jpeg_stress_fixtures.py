#!/usr/bin/env python3
"""Many small random JPEGs and the SHA-256 of TF's default decode of each, for JpegDecoderStressTest.

Reference: tf.io.decode_image(bytes, channels=3, expand_animations=False) (TensorFlow 2.x,
libjpeg-turbo, default = fast integer IDCT). Encoder: Pillow (libjpeg-turbo), with seeded random
size (1…96 per side), content (noise, smooth, flat, mixed), quality (1…100), chroma subsampling
(4:4:4, 4:2:2, 4:2:0, grey), progressive / optimised Huffman / restart intervals.
Writes model/src/test/resources/image/jpeg_stress/NNN.jpg and manifest.json.
Run from the repository root: python3 scripts/image/make_jpeg_stress_fixtures.py
"""
import hashlib
import io
import json
import os

import numpy as np
import tensorflow as tf
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "model", "src", "test", "resources", "image", "jpeg_stress")
COUNT = 80
rng = np.random.default_rng(7)


def content(h: int, w: int, kind: str) -> np.ndarray:
    if kind == "noise":
        return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    if kind == "flat":
        return np.broadcast_to(rng.integers(0, 256, size=3, dtype=np.uint8), (h, w, 3)).copy()
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    f = rng.uniform(0.5, 4, size=(3, 2))
    img = np.stack([128 + 120 * np.sin(2 * np.pi * (f[c, 0] * y / max(h, 1) + f[c, 1] * x / max(w, 1)))
                    for c in range(3)], -1)
    if kind == "mixed":
        img += rng.normal(0, 25, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    entries = []
    for i in range(COUNT):
        h, w = (int(v) for v in rng.integers(1, 97, size=2))
        kind = ["noise", "smooth", "flat", "mixed"][int(rng.integers(0, 4))]
        img = Image.fromarray(content(h, w, kind))
        opts = {"quality": int(rng.integers(1, 101))}
        mode = ["444", "422", "420", "grey"][int(rng.integers(0, 4))]
        if mode == "grey":
            img = img.convert("L")
        else:
            opts["subsampling"] = {"444": 0, "422": 1, "420": 2}[mode]
        if rng.random() < 0.5:
            opts["progressive"] = True
        if rng.random() < 0.3:
            opts["optimize"] = True
        if rng.random() < 0.3:
            opts["restart_marker_blocks"] = int(rng.integers(1, 6))
        b = io.BytesIO()
        img.save(b, "JPEG", **opts)
        data = b.getvalue()
        name = f"{i:03d}.jpg"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        dec = tf.io.decode_image(data, channels=3, expand_animations=False).numpy()
        entries.append({"file": name, "height": h, "width": w, "content": kind, "mode": mode, "options": opts,
                        "decodedSha256": hashlib.sha256(dec.tobytes()).hexdigest()})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"tensorflow": tf.__version__, "jpegs": entries}, f, indent=1)
        f.write("\n")
    print(COUNT, "jpegs,", sum(os.path.getsize(os.path.join(OUT, e["file"])) for e in entries), "bytes")


if __name__ == "__main__":
    main()
