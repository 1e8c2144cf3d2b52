#!/usr/bin/env python3
"""Makes the golden image-preprocessing fixtures for paligemma4j.model.image.

Reference: TensorFlow (pip install tensorflow-cpu numpy pillow), exactly big_vision's
`decode | resize(R) | value_range(-1, 1)` chain (docs/model.md#image-preprocessing):
  decoded = tf.io.decode_image(bytes, channels=3, expand_animations=False)     # uint8 HWC
  f       = tf.image.resize(decoded, [R, R], method="bilinear", antialias=aa)  # float32
  u8      = tf.cast(tf.clip_by_value(f, 0, 255), tf.uint8)                     # truncation

Writes, under model/src/test/resources/image/:
  inputs/<case>.<ext>                  the encoded input images (synthetic, seeded)
  golden/<case>.decoded.png           TF's decoded uint8 pixels (JPEG cases only; for every case
                                       the manifest holds the SHA-256 of TF's decoded HWC bytes)
  golden/<case>.decoded_accurate.png  TF's decode with dct_method="INTEGER_ACCURATE" (JPEG only)
  golden/<case>.r<R>.<aa|plain>.png    the uint8 resize result, as an 8-bit RGB PNG (lossless)
  golden/<case>.r<R>.<aa|plain>.f32.gz the float32 tf.image.resize output (little-endian), small R only
  golden/value_range.f32               big_vision value_range(-1, 1) of levels 0..255
  golden/manifest.json                 the case list
Run from the repository root: python3 scripts/image/make_image_fixtures.py
"""
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
import tensorflow as tf
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "model", "src", "test", "resources", "image")
FLOAT_R = {28}  # resolutions for which the float32 resize output is also stored ...
FLOAT_CASES = 16  # ... for the first 16 cases (the resize-geometry ones; the rest vary the decoder)
rng = np.random.default_rng(20240528)


# ---------------------------------------------------------------------------- synthetic content

def smooth(h: int, w: int, c: int = 3, seed_shift: int = 0) -> np.ndarray:
    """Gradients, circles and hard edges: compressible but with detail at every scale."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.zeros((h, w, c))
    for ch in range(c):
        fy, fx = 1.0 + ch + seed_shift, 2.0 + 0.5 * ch
        out[..., ch] = 128 + 90 * np.sin(2 * np.pi * fy * y / max(h, 2) + ch) * np.cos(2 * np.pi * fx * x / max(w, 2))
    cy, cx, r = h * 0.4, w * 0.6, 0.3 * min(h, w)
    out[(y - cy) ** 2 + (x - cx) ** 2 < r * r] = [250, 30, 60][:c]
    out[: h // 5, : w // 3] = [5, 200, 255][:c]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def noise(h: int, w: int, c: int = 3) -> np.ndarray:
    return rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)


def checker(h: int, w: int, cell: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    b = ((y // cell + x // cell) % 2).astype(np.uint8)
    img = np.stack([b * 255, (1 - b) * 200 + 20, (x * 255 // max(w - 1, 1)).astype(np.uint8)], -1)
    return img.astype(np.uint8)


def mixed(h: int, w: int) -> np.ndarray:
    img = smooth(h, w)
    nh, nw = max(1, h // 4), max(1, w // 4)
    img[h - nh:, w - nw:] = noise(nh, nw)
    return img


# ---------------------------------------------------------------------------- encoders

def png_bytes(arr: np.ndarray, mode: str | None = None, **kw: object) -> bytes:
    b = io.BytesIO()
    (Image.fromarray(arr, mode) if mode else Image.fromarray(arr)).save(b, "PNG", **kw)
    return b.getvalue()


def png16_bytes(arr16: np.ndarray) -> bytes:
    """A 16-bit-per-sample RGB PNG (colour type 2, bit depth 16), written by hand."""
    h, w, _ = arr16.shape
    raw = b"".join(b"\x00" + arr16[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def gif_with_offset(img: Image.Image, left: int, top: int, screen_w: int, screen_h: int) -> bytes:
    """A one-frame GIF whose frame sits at (left, top) on a larger logical screen (patched bytes)."""
    g = bytearray(pil_bytes(img, "GIF"))
    flags = g[10]
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while g[i] != 0x2C:  # skip extension blocks up to the image descriptor
        assert g[i] == 0x21
        i += 2
        while g[i]:
            i += g[i] + 1
        i += 1
    g[6:8] = screen_w.to_bytes(2, "little")
    g[8:10] = screen_h.to_bytes(2, "little")
    g[i + 1:i + 3] = left.to_bytes(2, "little")
    g[i + 3:i + 5] = top.to_bytes(2, "little")
    return bytes(g)


def pil_bytes(img: Image.Image, fmt: str, **kw: object) -> bytes:
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


# ---------------------------------------------------------------------------- the cases
# (name, ext, encoded bytes, resolutions, jpeg). For JPEGs the decoded pixels are also stored as PNG,
# with TF's default decode and its INTEGER_ACCURATE one (the ImageIO fallback's IDCT).

def cases() -> list[tuple[str, str, bytes, list[int], bool]]:
    c = []

    def add(name: str, ext: str, data: bytes, res: tuple[int, ...] = (28, 56), jpeg: bool = False) -> None:
        c.append((name, ext, data, list(res), jpeg))

    add("grad_37x53", "png", png_bytes(smooth(37, 53)), (28, 56, 224))
    add("noise_64x48", "png", png_bytes(noise(64, 48)))
    add("checker3_100x100", "png", png_bytes(checker(100, 100, 3)))
    add("tall_300x20", "png", png_bytes(mixed(300, 20)))
    add("wide_17x250", "png", png_bytes(mixed(17, 250)))
    add("tiny_1x1", "png", png_bytes(noise(1, 1)), (28, 224))
    add("row_1x97", "png", png_bytes(noise(1, 97)))
    add("col_61x1", "png", png_bytes(noise(61, 1)))
    add("tiny_2x3", "png", png_bytes(noise(2, 3)))
    add("big_480x360", "png", png_bytes(mixed(480, 360)), (28, 56, 224))
    add("same_56x56", "png", png_bytes(noise(56, 56)))
    add("half_112x112", "png", png_bytes(mixed(112, 112)))
    add("up_7x9", "png", png_bytes(noise(7, 9)), (28, 56, 224))
    add("prime_131x89", "png", png_bytes(mixed(131, 89)))
    add("near_29x27", "png", png_bytes(noise(29, 27)))
    add("checker1_230x230", "png", png_bytes(checker(230, 230, 1)), (28, 224))
    add("gray8_45x70", "png", png_bytes(smooth(45, 70, 1)[..., 0], "L"))
    la = np.stack([smooth(33, 41, 1)[..., 0], noise(33, 41, 1)[..., 0]], -1)
    add("gray_alpha_33x41", "png", png_bytes(la, "LA"))
    rgba = np.concatenate([mixed(50, 60), noise(50, 60, 1)], -1)
    rgba[:10, :10, 3] = 0
    add("rgba_50x60", "png", png_bytes(rgba, "RGBA"))
    pal = Image.fromarray(mixed(64, 64)).quantize(16)
    add("palette_64x64", "png", pil_bytes(pal, "PNG", transparency=3))
    add("bit1_29x31", "png", pil_bytes(Image.fromarray(noise(29, 31, 1)[..., 0] > 127), "PNG"))
    add("rgb16_30x40", "png", png16_bytes(rng.integers(0, 65536, size=(30, 40, 3)).astype(np.uint16)))
    add("bmp24_40x30", "bmp", pil_bytes(Image.fromarray(mixed(40, 30)), "BMP"))
    add("gif_48x40", "gif", pil_bytes(Image.fromarray(mixed(48, 40)).quantize(64), "GIF"))
    gif_t = Image.fromarray(mixed(36, 44)).quantize(32)
    add("gif_transparent_36x44", "gif", pil_bytes(gif_t, "GIF", transparency=5))
    frames = [Image.fromarray(noise(30, 26)).quantize(16), Image.fromarray(mixed(30, 26)).quantize(16)]
    add("gif_anim_2frames_30x26", "gif", pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:]))
    add("gif_offset_frame_20x24", "gif", gif_with_offset(Image.fromarray(mixed(20, 24)).quantize(16), 5, 3, 30, 33))
    add("bmp32_rgba_21x19", "bmp", pil_bytes(Image.fromarray(np.concatenate([mixed(21, 19), noise(21, 19, 1)], -1),
                                                             "RGBA"), "BMP"))
    add("bmp8_gray_23x17", "bmp", pil_bytes(Image.fromarray(noise(23, 17, 1)[..., 0], "L"), "BMP"))
    add("jpeg420_q90_96x128", "jpg", pil_bytes(Image.fromarray(smooth(96, 128)), "JPEG", quality=90), jpeg=True)
    add("jpeg444_q95_57x83", "jpg", pil_bytes(Image.fromarray(mixed(57, 83)), "JPEG", quality=95, subsampling=0),
        jpeg=True)
    add("jpeg_gray_q75_64x64", "jpg", pil_bytes(Image.fromarray(smooth(64, 64, 1)[..., 0], "L"), "JPEG", quality=75),
        jpeg=True)
    add("jpeg420_q85_noise_50x70", "jpg", pil_bytes(Image.fromarray(noise(50, 70)), "JPEG", quality=85),
        jpeg=True)
    photo = Image.fromarray(mixed(150, 230))
    add("jpeg420_q85_prog_opt_150x230", "jpg",
        pil_bytes(photo, "JPEG", quality=85, progressive=True, optimize=True), jpeg=True)
    add("jpeg422_q80_prog_75x101", "jpg",
        pil_bytes(Image.fromarray(mixed(75, 101)), "JPEG", quality=80, subsampling="4:2:2", progressive=True),
        jpeg=True)
    add("jpeg420_q100_33x47", "jpg", pil_bytes(Image.fromarray(noise(33, 47)), "JPEG", quality=100), jpeg=True)
    add("jpeg420_q30_restart_64x80", "jpg",
        pil_bytes(Image.fromarray(mixed(64, 80)), "JPEG", quality=30, restart_marker_blocks=3), jpeg=True)
    add("jpeg420_prog_restart_45x61", "jpg",
        pil_bytes(Image.fromarray(noise(45, 61)), "JPEG", quality=70, progressive=True, restart_marker_rows=1),
        jpeg=True)
    add("jpeg_gray_prog_q90_41x29", "jpg",
        pil_bytes(Image.fromarray(noise(41, 29, 1)[..., 0], "L"), "JPEG", quality=90, progressive=True), jpeg=True)
    add("jpeg420_1x1", "jpg", pil_bytes(Image.fromarray(noise(1, 1)), "JPEG", quality=90), jpeg=True)
    add("jpeg420_3x37", "jpg", pil_bytes(Image.fromarray(noise(3, 37)), "JPEG", quality=90), jpeg=True)
    add("jpeg420_37x4", "jpg", pil_bytes(Image.fromarray(noise(37, 4)), "JPEG", quality=90), jpeg=True)
    add("jpeg444_q50_prog_17x19", "jpg",
        pil_bytes(Image.fromarray(noise(17, 19)), "JPEG", quality=50, subsampling=0, progressive=True), jpeg=True)
    return c


# ---------------------------------------------------------------------------- write

def write_gz(path: str, data: bytes) -> None:
    with open(path, "wb") as f:  # mtime 0 so reruns give identical bytes
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, compresslevel=9) as g:
            g.write(data)


def write_png(path: str, u8: np.ndarray) -> None:
    Image.fromarray(u8, "RGB").save(path, "PNG", optimize=True)
    assert np.array_equal(np.asarray(Image.open(path).convert("RGB")), u8)


def main() -> None:
    os.makedirs(os.path.join(OUT, "inputs"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "golden"), exist_ok=True)
    manifest = []
    for index, (name, ext, data, res, jpeg) in enumerate(cases()):
        file = f"inputs/{name}.{ext}"
        with open(os.path.join(OUT, file), "wb") as f:
            f.write(data)
        dec = tf.io.decode_image(data, channels=3, expand_animations=False).numpy()
        assert dec.dtype == np.uint8 and dec.shape[2] == 3, (name, dec.shape)
        if jpeg:
            write_png(os.path.join(OUT, f"golden/{name}.decoded.png"), dec)
            # the accurate integer IDCT (big_vision decode(precise=True)), to explain ImageIO's differences
            acc = tf.image.decode_jpeg(data, channels=3, dct_method="INTEGER_ACCURATE").numpy()
            write_png(os.path.join(OUT, f"golden/{name}.decoded_accurate.png"), acc)
        outs = []
        for r in res:
            for aa in (False, True):
                f32 = tf.image.resize(dec, [r, r], method="bilinear", antialias=aa)
                u8 = tf.cast(tf.clip_by_value(f32, 0, 255), tf.uint8).numpy()
                tag = f"r{r}.{'aa' if aa else 'plain'}"
                write_png(os.path.join(OUT, f"golden/{name}.{tag}.png"), u8)
                with_float = r in FLOAT_R and index < FLOAT_CASES
                if with_float:
                    write_gz(os.path.join(OUT, f"golden/{name}.{tag}.f32.gz"), f32.numpy().astype("<f4").tobytes())
                outs.append({"resolution": r, "antialias": aa, "u8": f"golden/{name}.{tag}.png",
                             "f32": f"golden/{name}.{tag}.f32.gz" if with_float else None})
        manifest.append({"name": name, "file": file, "format": ext, "height": int(dec.shape[0]),
                         "width": int(dec.shape[1]), "jpeg": jpeg,
                         "decodedSha256": hashlib.sha256(dec.tobytes()).hexdigest(),
                         "decoded": f"golden/{name}.decoded.png" if jpeg else None,
                         "decodedAccurate": f"golden/{name}.decoded_accurate.png" if jpeg else None,
                         "outputs": outs})
        print(f"{name:28s} {dec.shape[0]:4d}x{dec.shape[1]:<4d} {ext:4s} R={res}", file=sys.stderr)

    # Inputs the Java decoder must reject with a clear message (TF itself decodes CMYK JPEGs).
    os.makedirs(os.path.join(OUT, "bad"), exist_ok=True)
    with open(os.path.join(OUT, "bad/cmyk_20x24.jpg"), "wb") as f:
        f.write(pil_bytes(Image.fromarray(noise(20, 24, 4), "CMYK"), "JPEG", quality=90))

    levels = tf.constant(np.arange(256, dtype=np.uint8))
    # big_vision value_range(vmin=-1, vmax=1, in_min=0, in_max=255): same op order as ops_general.py
    img = tf.cast(levels, tf.float32)
    img = (img - tf.constant(0, tf.float32)) / (tf.constant(255.0, tf.float32) - tf.constant(0, tf.float32))
    img = -1 + img * (1 - (-1))
    with open(os.path.join(OUT, "golden/value_range.f32"), "wb") as f:
        f.write(img.numpy().astype("<f4").tobytes())

    with open(os.path.join(OUT, "golden/manifest.json"), "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": manifest}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
