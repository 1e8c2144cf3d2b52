#!/usr/bin/env python3
"""Writes random PaliGemma checkpoints in the exact big_vision layout, plus corrupt variants.

The tiny files (committed under checkpoint-loader/src/test/resources/tiny/) drive the Java
loader tests; `--full-size` writes a random PaliGemma-3B 224 bfloat16 .npz (about 5.9 GB)
streaming, layer by layer, for the "opens in under 2 s" measurement.

Layout (docs/model.md#tensor-table): one .npy member per tensor, keys under
`params/`, scanned layers stacked on a leading axis. Writers used:
  * np.savez / np.savez_compressed: the STORED and DEFLATED files, exactly as numpy writes them;
  * a small ZIP writer of our own for the forced-ZIP64 file (every size and offset in ZIP64
    extra fields, ZIP64 end records) and for hand-made .npy headers (v2, v3, '|V2', 'bfloat16');
  * the Flax msgpack format (`flax.serialization.to_bytes` of the nested dict), written here
    with the msgpack package: ndarrays are ext type 1 holding msgpack (shape, dtype name,
    C-order bytes); arrays above a byte limit are split into flax's
    {'__msgpack_chunked_array__': True, 'shape': {...}, 'chunks': {...}} form. If flax is
    importable, the bytes are checked against flax.serialization.to_bytes.

Golden values (float32 bit patterns read back with numpy / ml_dtypes) go to golden.json and
dtypes-golden.json beside the files.

usage: scripts/make_checkpoints.py [--out DIR] [--vocab N] [--resolution R] [--heads N]
                                   [--seed S] [--full-size | --full-size-gemma2 3b|10b|28b]
       scripts/make_checkpoints.py --msgpack-from NPZ [--out DIR] [--max-chunk-bytes B]
"""
import argparse
import io
import json
import os
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any

import ml_dtypes
import msgpack
import numpy as np

BF16 = ml_dtypes.bfloat16
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "checkpoint-loader", "src", "test", "resources", "tiny")


@dataclass
class Sizes:
    """Every size of the model; the 3B values are only used by --full-size."""
    resolution: int = 28
    patch: int = 14
    v_width: int = 32
    v_depth: int = 2
    v_mlp: int = 48
    v_heads: int = 2
    vocab: int = 300
    width: int = 32
    depth: int = 2
    heads: int = 2
    kv_heads: int = 1
    head_dim: int = 16
    mlp: int = 64
    post_norms: bool = False  # Gemma 2 (PaliGemma 2): post-attention and post-FFW RMSNorm scales


PALIGEMMA_3B_224 = Sizes(resolution=224, patch=14, v_width=1152, v_depth=27, v_mlp=4304, v_heads=16,
                         vocab=257152, width=2048, depth=18, heads=8, kv_heads=1, head_dim=256, mlp=16384)
# PaliGemma 2's decoders (big_vision gemma2_2b / gemma2_9b / gemma2_27b), with So400m/14 at 224 px
PALIGEMMA2_224 = {
    name: Sizes(resolution=224, patch=14, v_width=1152, v_depth=27, v_mlp=4304, v_heads=16, vocab=257152,
                width=w, depth=d, heads=h, kv_heads=kv, head_dim=hd, mlp=m, post_norms=True)
    for name, (w, d, m, h, kv, hd) in {"3b": (2304, 26, 9216, 8, 4, 256), "10b": (3584, 42, 14336, 16, 8, 256),
                                       "28b": (4608, 46, 36864, 32, 16, 128)}.items()}


def tensor_shapes(s: Sizes) -> list[tuple[str, tuple[int, ...]]]:
    """(key without params/, shape) for the 32 tensors, in the order of docs/model.md#tensor-table."""
    n_img = (s.resolution // s.patch) ** 2
    w, L, hd = s.v_width, s.v_depth, s.v_width // s.v_heads
    blk = "img/Transformer/encoderblock/"
    mha = blk + "MultiHeadDotProductAttention_0/"
    out = [
        ("img/embedding/kernel", (s.patch, s.patch, 3, w)),
        ("img/embedding/bias", (w,)),
        ("img/pos_embedding", (1, n_img, w)),
        (blk + "LayerNorm_0/scale", (L, w)),
        (blk + "LayerNorm_0/bias", (L, w)),
    ]
    for name in ("query", "key", "value"):
        out += [(mha + name + "/kernel", (L, w, s.v_heads, hd)), (mha + name + "/bias", (L, s.v_heads, hd))]
    out += [
        (mha + "out/kernel", (L, s.v_heads, hd, w)),
        (mha + "out/bias", (L, w)),
        (blk + "LayerNorm_1/scale", (L, w)),
        (blk + "LayerNorm_1/bias", (L, w)),
        (blk + "MlpBlock_0/Dense_0/kernel", (L, w, s.v_mlp)),
        (blk + "MlpBlock_0/Dense_0/bias", (L, s.v_mlp)),
        (blk + "MlpBlock_0/Dense_1/kernel", (L, s.v_mlp, w)),
        (blk + "MlpBlock_0/Dense_1/bias", (L, w)),
        ("img/Transformer/encoder_norm/scale", (w,)),
        ("img/Transformer/encoder_norm/bias", (w,)),
        ("img/head/kernel", (w, s.width)),
        ("img/head/bias", (s.width,)),
        ("llm/embedder/input_embedding", (s.vocab, s.width)),
        ("llm/layers/pre_attention_norm/scale", (s.depth, s.width)),
        ("llm/layers/attn/q_einsum/w", (s.depth, s.heads, s.width, s.head_dim)),
        ("llm/layers/attn/kv_einsum/w", (s.depth, 2, s.kv_heads, s.width, s.head_dim)),
        ("llm/layers/attn/attn_vec_einsum/w", (s.depth, s.heads, s.head_dim, s.width)),
        ("llm/layers/pre_ffw_norm/scale", (s.depth, s.width)),
        ("llm/layers/mlp/gating_einsum", (s.depth, 2, s.width, s.mlp)),
        ("llm/layers/mlp/linear", (s.depth, s.mlp, s.width)),
        ("llm/final_norm/scale", (s.width,)),
    ]
    if s.post_norms:
        out += [("llm/layers/post_attention_norm/scale", (s.depth, s.width)),
                ("llm/layers/post_ffw_norm/scale", (s.depth, s.width))]
    assert len(out) == (34 if s.post_norms else 32)
    return out


def random_params(s: Sizes, seed: int) -> dict[str, np.ndarray]:
    """float32 values: N(0, 0.5) scaled down for big fan-ins, so that bf16/f16 rounding is visible."""
    rng = np.random.default_rng(seed)
    params = {}
    for key, shape in tensor_shapes(s):
        params[key] = (rng.standard_normal(shape, dtype=np.float32) * np.float32(0.5)).astype(np.float32)
    return params


def config_json(s: Sizes) -> dict:
    return {"resolution": s.resolution, "patch": s.patch,
            "vision": {"width": s.v_width, "depth": s.v_depth, "mlp": s.v_mlp, "heads": s.v_heads},
            "llm": {"vocab": s.vocab, "width": s.width, "depth": s.depth, "heads": s.heads,
                    "kv_heads": s.kv_heads, "head_dim": s.head_dim, "mlp": s.mlp}}


# ---------------------------------------------------------------- .npy and ZIP writing

def npy_header(descr: str, shape: tuple[int, ...], version: tuple[int, int] = (1, 0),
               fortran_order: bool = False) -> bytes:
    """A .npy header exactly as numpy lays it out (dict literal padded with spaces to 64 bytes, '\\n')."""
    d = f"{{'descr': {descr!r}, 'fortran_order': {fortran_order!r}, 'shape': {tuple(shape)!r}, }}"
    prefix_len = 8 + (2 if version == (1, 0) else 4)
    total = prefix_len + len(d) + 1
    d += " " * ((-total) % 64) + "\n"
    enc = d.encode("latin1" if version != (3, 0) else "utf8")
    size = struct.pack("<H", len(enc)) if version == (1, 0) else struct.pack("<I", len(enc))
    return b"\x93NUMPY" + bytes(version) + size + enc


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr)
    return buf.getvalue()


def write_zip_forced_zip64(path: str, members: list[tuple[str, bytes]]) -> None:
    """STORED ZIP where every local and central record carries ZIP64 extras and the archive ends
    with a ZIP64 end-of-central-directory record + locator (what a > 4 GB file looks like)."""
    with open(path, "wb") as f:
        central = []
        for name, data in members:
            nb = name.encode()
            crc = zlib.crc32(data)
            offset = f.tell()
            extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc,
                                0xFFFFFFFF, 0xFFFFFFFF, len(nb), len(extra)))
            f.write(nb + extra + data)
            central.append((nb, crc, len(data), offset))
        cd_start = f.tell()
        for nb, crc, size, offset in central:
            extra = struct.pack("<HHQQQ", 1, 24, size, size, offset)
            f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc,
                                0xFFFFFFFF, 0xFFFFFFFF, len(nb), len(extra), 0, 0, 0, 0x01800000, 0xFFFFFFFF))
            f.write(nb + extra)
        cd_end = f.tell()
        n = len(central)
        f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, cd_end - cd_start, cd_start))
        f.write(struct.pack("<IIQI", 0x07064B50, 0, cd_end, 1))
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    with zipfile.ZipFile(path) as z:  # python's zipfile must agree
        assert z.testzip() is None
        assert [i.filename for i in z.infolist()] == [m[0] for m in members]


def write_zip(path: str, members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_STORED) -> None:
    """Members as given (name, bytes) through python's zipfile, like np.savez does."""
    with zipfile.ZipFile(path, "w", compression=compress, allowZip64=True) as z:
        for name, data in members:
            with z.open(name, "w", force_zip64=True) as fid:
                fid.write(data)


# ---------------------------------------------------------------- Flax msgpack writing

def _ext_ndarray(arr: np.ndarray) -> msgpack.ExtType:
    payload = msgpack.packb((arr.shape, arr.dtype.name, arr.tobytes("C")), use_bin_type=True)
    return msgpack.ExtType(1, payload)


def _chunked(arr: np.ndarray, max_chunk_bytes: int) -> dict:
    chunk = max(1, int(max_chunk_bytes / arr.dtype.itemsize))
    flat = arr.reshape(-1)
    chunks = [flat[i:i + chunk] for i in range(0, flat.size, chunk)]
    return {"__msgpack_chunked_array__": True,
            "shape": {str(i): d for i, d in enumerate(arr.shape)},
            "chunks": {str(i): c for i, c in enumerate(chunks)}}


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    tree = {}
    for key, value in flat.items():
        node = tree
        parts = key.split("/")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return tree


def flatten_tree(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        out.update(flatten_tree(v, prefix + k + "/") if isinstance(v, dict) else {prefix + k: v})
    return out


def flax_msgpack_bytes(tree: dict[str, Any], max_chunk_bytes: int = 2 ** 30) -> bytes:
    """flax.serialization.msgpack_serialize of a nested dict of numpy arrays."""
    def chunk_leaves(d: dict[str, Any]) -> dict[str, Any]:
        return {k: (chunk_leaves(v) if isinstance(v, dict)
                    else _chunked(v, max_chunk_bytes) if v.size * v.dtype.itemsize > max_chunk_bytes
                    else v) for k, v in d.items()}

    def default(x: object) -> object:
        if isinstance(x, np.ndarray):
            return _ext_ndarray(x)
        return x

    return msgpack.packb(chunk_leaves(tree), default=default, strict_types=True)


def cross_check_flax(tree: dict[str, Any], data: bytes, max_chunk_bytes: int = 2 ** 30) -> str:
    """Compares with flax.serialization.to_bytes (chunk limit patched) and reads the bytes back with flax."""
    try:
        import flax.serialization as fs  # optional
    except ImportError:
        return "flax not installed: format written per flax/serialization.py, not cross-checked"
    saved = fs.MAX_CHUNK_SIZE
    fs.MAX_CHUNK_SIZE = max_chunk_bytes
    try:
        assert fs.to_bytes(tree) == data, "bytes differ from flax.serialization.to_bytes"
    finally:
        fs.MAX_CHUNK_SIZE = saved
    back, orig = flatten_tree(fs.msgpack_restore(data)), flatten_tree(tree)
    assert back.keys() == orig.keys()
    assert all(back[k].dtype == orig[k].dtype and back[k].tobytes() == orig[k].tobytes() for k in back)
    return "identical to flax.serialization.to_bytes, and flax reads it back"


# ---------------------------------------------------------------- golden values

def golden_indices(size: int) -> list[int]:
    idx = {0, size - 1, size // 2, size // 3, (7 * size) // 11}
    return sorted(i for i in idx if 0 <= i < size)


def f32_bits(values: object) -> list[int]:
    return [int(b) for b in np.asarray(values, dtype=np.float32).view(np.uint32)]


def write_golden(path: str, s: Sizes, by_dtype: dict[str, dict[str, np.ndarray]]) -> None:
    """For each tensor a few flat indices and the float32 bits of the value each dtype's file holds."""
    f32 = by_dtype["float32"]
    out = {"config": config_json(s), "params": int(sum(a.size for a in f32.values())), "tensors": {}}
    for key, arr in f32.items():
        idx = golden_indices(arr.size)
        entry = {"shape": list(arr.shape), "indices": idx}
        for name, params in by_dtype.items():
            entry[name] = f32_bits(params[key].reshape(-1)[idx].astype(np.float32))
        out["tensors"][key] = entry
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


# ---------------------------------------------------------------- the tiny files

def special_values() -> np.ndarray:
    """float32 inputs that pin down rounding: ties to even, subnormals, overflow, signed zero, inf, nan."""
    one = 1.0
    v = [0.0, -0.0, one, -one, 0.5, 3.14159265,
         one + 2 ** -8,            # bf16 tie between 1 and 1+2^-7 -> even (1)
         one + 3 * 2 ** -8,        # bf16 tie -> even (1+2^-6)
         one + 2 ** -8 + 2 ** -20,  # just above the tie -> up
         one + 2 ** -11,           # f16 tie -> even (1)
         one + 3 * 2 ** -11,       # f16 tie -> up to even
         65504.0, 65520.0, 1e5,    # f16 max, f16 overflow to inf
         6e-8, 1e-7, 2 ** -24, 1e-40, 1.4e-45,  # f16 and f32 subnormals
         3.3895314e38, 3.4028235e38,  # bf16 rounds near-max f32 to inf
         float("inf"), float("-inf"), float("nan"), -1234.5678, 1e-3]
    return np.array(v, dtype=np.float32)


def write_dtypes_file(out: str) -> str:
    """dtypes.npz: one member per supported encoding, with golden float32 bits per member."""
    x = special_values()
    bf = x.astype(BF16)
    with np.errstate(over="ignore"):
        f16 = x.astype(np.float16)  # 65520 and 1e5 overflow to inf, as intended
    i32 = np.array([0, 1, -1, 2 ** 31 - 1, -2 ** 31, 123456789], dtype=np.int32)
    u8 = np.array([0, 1, 127, 128, 255], dtype=np.uint8)
    b1 = np.array([True, False, True], dtype=np.bool_)
    m = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.float32(0.25)
    bf_raw = bf.view(np.uint16).tobytes()
    members = [
        ("f32.npy", npy_bytes(x)),
        ("f16.npy", npy_bytes(f16)),
        ("bf16.npy", npy_bytes(bf)),  # numpy writes descr '<V2' for ml_dtypes.bfloat16
        ("bf16_pipe.npy", npy_header("|V2", bf.shape) + bf_raw),
        ("bf16_named.npy", npy_header("bfloat16", bf.shape) + bf_raw),
        ("i32.npy", npy_bytes(i32)),
        ("u8.npy", npy_bytes(u8)),
        ("b1.npy", npy_bytes(b1)),
        ("matrix_v2.npy", npy_header("<f4", m.shape, version=(2, 0)) + m.tobytes()),
        ("matrix_v3.npy", npy_header("<f4", m.shape, version=(3, 0)) + m.tobytes()),
        ("scalar.npy", npy_bytes(np.array(2.5, dtype=np.float32))),
        ("empty.npy", npy_bytes(np.zeros((0, 3), dtype=np.float32))),
    ]
    descr_bf16 = np.lib.format.dtype_to_descr(bf.dtype)
    write_zip(os.path.join(out, "dtypes.npz"), members)
    loaded = np.load(os.path.join(out, "dtypes.npz"))
    assert loaded["bf16"].dtype.str in ("<V2", "|V2"), loaded["bf16"].dtype
    golden = {
        "bf16_descr_written_by_numpy": descr_bf16,
        "f32": {"shape": [x.size], "dtype": "float32", "bits": f32_bits(x)},
        "f16": {"shape": [x.size], "dtype": "float16", "bits": f32_bits(f16.astype(np.float32))},
        "bf16": {"shape": [x.size], "dtype": "bfloat16", "bits": f32_bits(bf.astype(np.float32))},
        "bf16_pipe": {"shape": [x.size], "dtype": "bfloat16", "bits": f32_bits(bf.astype(np.float32))},
        "bf16_named": {"shape": [x.size], "dtype": "bfloat16", "bits": f32_bits(bf.astype(np.float32))},
        "i32": {"shape": [i32.size], "dtype": "int32", "bits": f32_bits(i32.astype(np.float32))},
        "u8": {"shape": [u8.size], "dtype": "uint8", "bits": f32_bits(u8.astype(np.float32))},
        "b1": {"shape": [b1.size], "dtype": "bool", "bits": f32_bits(b1.astype(np.float32))},
        "matrix_v2": {"shape": list(m.shape), "dtype": "float32", "bits": f32_bits(m.reshape(-1))},
        "matrix_v3": {"shape": list(m.shape), "dtype": "float32", "bits": f32_bits(m.reshape(-1))},
        "scalar": {"shape": [], "dtype": "float32", "bits": f32_bits([2.5])},
        "empty": {"shape": [0, 3], "dtype": "float32", "bits": []},
        "raw16": {"bf16": [int(b) for b in bf.view(np.uint16)], "f16": [int(b) for b in f16.view(np.uint16)]},
    }
    with open(os.path.join(out, "dtypes-golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
    return descr_bf16


def write_corrupt(out: str, s: Sizes, f32: dict[str, np.ndarray], bf16: dict[str, np.ndarray]) -> None:
    """Broken files, one defect each, for the error-message tests."""
    d = os.path.join(out, "corrupt")
    os.makedirs(d, exist_ok=True)
    small = [("params/a.npy", npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))),
             ("params/b.npy", npy_bytes(np.ones(4, dtype=np.float32)))]
    write_zip(os.path.join(d, "small-ok.npz"), small)
    whole = open(os.path.join(d, "small-ok.npz"), "rb").read()
    # truncated: the end of the file (central directory, end records) is gone
    open(os.path.join(d, "truncated.npz"), "wb").write(whole[: len(whole) * 2 // 3])
    # damaged central directory: the second entry's signature overwritten
    cd = whole.find(b"PK\x01\x02")
    cd2 = whole.find(b"PK\x01\x02", cd + 4)
    damaged = bytearray(whole)
    damaged[cd2:cd2 + 4] = b"XX\x00\x00"
    open(os.path.join(d, "bad-central-directory.npz"), "wb").write(bytes(damaged))
    # a member that is not a .npy array
    write_zip(os.path.join(d, "not-npy-member.npz"), small + [("params/notes.txt", b"hello\n")])
    write_zip(os.path.join(d, "bad-npy-magic.npz"), small[:1] + [("params/b.npy", b"this is not numpy data")])
    # unknown dtype, fortran order, big-endian
    write_zip(os.path.join(d, "unknown-dtype.npz"), small[:1] + [("params/b.npy", npy_bytes(np.ones(4, np.float64)))])
    fort = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    write_zip(os.path.join(d, "fortran-order.npz"), small[:1] + [("params/b.npy", npy_bytes(fort))])
    write_zip(os.path.join(d, "big-endian.npz"), small[:1] + [("params/b.npy", npy_bytes(np.ones(4, ">f4")))])
    # short data: the header promises more bytes than the member holds
    hdr = npy_header("<f4", (100,))
    write_zip(os.path.join(d, "short-data.npz"), small[:1] + [("params/b.npy", hdr + b"\x00" * 40)])
    # not a ZIP at all
    open(os.path.join(d, "not-a-zip.npz"), "wb").write(b"this is not a checkpoint, just text\n" * 4)
    # PaliGemma-level defects (bf16 tiny model): wrong shapes, missing + unexpected keys
    wrong = dict(bf16)
    L = s.depth
    gating = wrong["llm/layers/mlp/gating_einsum"]
    wrong["llm/layers/mlp/gating_einsum"] = np.ascontiguousarray(np.swapaxes(gating, 2, 3))
    wrong["llm/layers/mlp/linear"] = wrong["llm/layers/mlp/linear"][:, :, : s.width - 1].copy()
    assert wrong["llm/layers/mlp/linear"].shape[0] == L
    np.savez(os.path.join(d, "wrong-shape.npz"), **{"params/" + k: v for k, v in wrong.items()})
    missing = {k: v for k, v in bf16.items() if k not in ("llm/final_norm/scale", "img/head/bias")}
    missing["opt/step"] = np.zeros((1,), np.int32)
    np.savez(os.path.join(d, "missing-key.npz"), **{"params/" + k: v for k, v in missing.items()})
    # truncated msgpack
    mp = flax_msgpack_bytes({"params": nest({k: v for k, v in f32.items() if v.size <= 64})})
    open(os.path.join(d, "truncated.msgpack"), "wb").write(mp[: len(mp) // 2])


def make_tiny(args: argparse.Namespace) -> None:
    s = Sizes(resolution=args.resolution, vocab=args.vocab, heads=args.heads)
    out = args.out
    os.makedirs(out, exist_ok=True)
    f32 = random_params(s, args.seed)
    bf16 = {k: v.astype(BF16) for k, v in f32.items()}
    f16 = {k: v.astype(np.float16) for k, v in f32.items()}

    def pre(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"params/" + k: v for k, v in p.items()}

    np.savez(os.path.join(out, "tiny-f32.npz"), **pre(f32))
    np.savez(os.path.join(out, "tiny-bf16.npz"), **pre(bf16))
    np.savez(os.path.join(out, "tiny-f16.npz"), **pre(f16))
    np.savez_compressed(os.path.join(out, "tiny-f32-deflated.npz"), **pre(f32))
    # forced ZIP64, and keys without the params/ prefix
    write_zip_forced_zip64(os.path.join(out, "tiny-f32-zip64-noprefix.npz"),
                           [(k + ".npy", npy_bytes(v)) for k, v in f32.items()])
    with zipfile.ZipFile(os.path.join(out, "tiny-f32-deflated.npz")) as z:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())

    tree = {"params": nest(f32)}
    data = flax_msgpack_bytes(tree)
    note = cross_check_flax(tree, data)
    open(os.path.join(out, "tiny-f32.msgpack"), "wb").write(data)
    # bf16 with every array above 4 KiB split into flax's chunked form (flax does this above 1 GiB)
    tree_bf16 = {"params": nest(bf16)}
    data_bf16 = flax_msgpack_bytes(tree_bf16, max_chunk_bytes=4096)
    note += "; chunked: " + cross_check_flax(tree_bf16, data_bf16, max_chunk_bytes=4096)
    open(os.path.join(out, "tiny-bf16-chunked.msgpack"), "wb").write(data_bf16)

    write_golden(os.path.join(out, "golden.json"), s,
                 {"float32": f32, "bfloat16": bf16, "float16": f16})
    descr = write_dtypes_file(out)
    write_corrupt(out, s, f32, bf16)

    # read everything back with numpy: the files are what they claim to be
    for name, ref in (("tiny-f32.npz", f32), ("tiny-bf16.npz", bf16), ("tiny-f16.npz", f16),
                      ("tiny-f32-deflated.npz", f32)):
        z = np.load(os.path.join(out, name))
        for k, v in ref.items():
            got = z["params/" + k]
            assert got.shape == v.shape and got.tobytes() == v.tobytes(), (name, k)
    z = np.load(os.path.join(out, "tiny-f32-zip64-noprefix.npz"))
    assert all(z[k].tobytes() == v.tobytes() for k, v in f32.items())
    print(f"wrote {out}: {sum(a.size for a in f32.values())} params; bf16 descr written by np.savez: {descr!r}; "
          f"msgpack: {note}")


# ---------------------------------------------------------------- .npz -> Flax msgpack, streaming

def npz_to_msgpack(src: str, dst: str, max_chunk_bytes: int = 2 ** 30) -> None:
    """Rewrites a STORED .npz as flax.serialization.to_bytes would write its nested dict, streaming
    member by member (no array is held in memory): byte-identical to flax for the same tree."""
    packer = msgpack.Packer(use_bin_type=True)
    with zipfile.ZipFile(src) as z, open(dst, "wb") as out:
        tree = nest({i.filename[:-len(".npy")]: i.filename for i in z.infolist()})

        def npy_member(name: str) -> tuple[IO[bytes], tuple[int, ...], np.dtype]:
            f = z.open(name)
            version = np.lib.format.read_magic(f)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read(f)
            assert not fortran
            return f, tuple(shape), np.dtype(BF16) if dtype.str in ("<V2", "|V2") else dtype

        def ext_array(f: IO[bytes], shape: tuple[int, ...], dtype: np.dtype, count: int) -> None:
            nbytes = count * dtype.itemsize
            if nbytes < 65536:  # small: let msgpack choose the header widths, as flax does
                arr = np.frombuffer(f.read(nbytes), dtype=dtype).reshape(shape)
                out.write(packer.pack(_ext_ndarray(arr)))
                return
            inner = b"\x93" + packer.pack(shape) + packer.pack(dtype.name) + b"\xc6" + struct.pack(">I", nbytes)
            out.write(b"\xc9" + struct.pack(">I", len(inner) + nbytes) + b"\x01" + inner)
            left = nbytes
            while left:
                block = f.read(min(left, 64 << 20))
                out.write(block)
                left -= len(block)

        def leaf(name: str) -> None:
            f, shape, dtype = npy_member(name)
            with f:
                size = int(np.prod(shape))
                if size * dtype.itemsize <= max_chunk_bytes:
                    ext_array(f, shape, dtype, size)
                    return
                chunk = max(1, int(max_chunk_bytes / dtype.itemsize))
                starts = list(range(0, size, chunk))
                out.write(packer.pack_map_header(3) + packer.pack("__msgpack_chunked_array__") + packer.pack(True))
                out.write(packer.pack("shape") + packer.pack({str(i): d for i, d in enumerate(shape)}))
                out.write(packer.pack("chunks") + packer.pack_map_header(len(starts)))
                for i, s0 in enumerate(starts):
                    n = min(chunk, size - s0)
                    out.write(packer.pack(str(i)))
                    ext_array(f, (n,), dtype, n)

        def walk(d: dict[str, Any]) -> None:
            out.write(packer.pack_map_header(len(d)))
            for k, v in d.items():
                out.write(packer.pack(k))
                walk(v) if isinstance(v, dict) else leaf(v)

        walk(tree)


# ---------------------------------------------------------------- full size, streaming

def make_full_size(args: argparse.Namespace, s: Sizes = PALIGEMMA_3B_224,
                   name: str = "paligemma-3b-random-224.bf16.npz") -> None:
    """Random full-size weights (default PaliGemma-3B 224) in bfloat16, written member by member, one layer
    slice at a time."""
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, name)
    rng = np.random.default_rng(args.seed)
    descr = np.lib.format.dtype_to_descr(np.dtype(BF16))
    golden = {"config": config_json(s), "tensors": {}}
    total = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for key, shape in tensor_shapes(s):
            size = int(np.prod(shape))
            total += size
            rows = shape[0] if len(shape) > 1 else 1
            per_row = size // rows
            step = max(1, (64 << 20) // max(1, per_row))  # about 64 M elements per write
            first = last = None
            with z.open("params/" + key + ".npy", "w", force_zip64=True) as fid:
                fid.write(npy_header(descr, shape))
                for r in range(0, rows, step):
                    n = min(step, rows - r) * per_row
                    block = (rng.standard_normal(n, dtype=np.float32) * np.float32(0.02)).astype(BF16)
                    if first is None:
                        first = float(block[0])
                    last = float(block[-1])
                    fid.write(block.tobytes())
            golden["tensors"][key] = {"shape": list(shape), "first": first, "last": last}
            print(f"  {key} {list(shape)}", file=sys.stderr, flush=True)
    golden["params"] = total
    with open(path + ".golden.json", "w") as f:
        json.dump(golden, f, indent=1)
    print(f"wrote {path}: {os.path.getsize(path)} bytes, {total} params")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=None, help=f"output folder (default {DEFAULT_OUT}; /work/big with --full-size)")
    p.add_argument("--vocab", type=int, default=300, help="LLM vocabulary rows (tiny files)")
    p.add_argument("--resolution", type=int, default=28, help="image side in pixels, multiple of 14 (tiny files)")
    p.add_argument("--heads", type=int, default=2, help="LLM query heads (tiny files; kv heads stay 1)")
    p.add_argument("--seed", type=int, default=20240514)
    p.add_argument("--full-size", action="store_true", help="random PaliGemma-3B 224 bf16 (~5.9 GB), streaming")
    p.add_argument("--full-size-gemma2", choices=sorted(PALIGEMMA2_224), help="random PaliGemma 2 224 bf16 of "
                   "that size (3b ~6 GB, 10b ~19 GB, 28b ~56 GB), streaming")
    p.add_argument("--msgpack-from", metavar="NPZ", help="rewrite a STORED .npz as a Flax msgpack file beside it "
                   "(or in --out), streaming")
    p.add_argument("--max-chunk-bytes", type=int, default=2 ** 30, help="flax's chunking limit (with --msgpack-from)")
    args = p.parse_args()
    if args.msgpack_from:
        base = os.path.splitext(os.path.basename(args.msgpack_from))[0] + ".msgpack"
        dst = os.path.join(args.out or os.path.dirname(os.path.abspath(args.msgpack_from)), base)
        npz_to_msgpack(args.msgpack_from, dst, args.max_chunk_bytes)
        print(f"wrote {dst}: {os.path.getsize(dst)} bytes")
    elif args.full_size:
        args.out = args.out or "/work/big"
        make_full_size(args)
    elif args.full_size_gemma2:
        args.out = args.out or "/work/big"
        make_full_size(args, PALIGEMMA2_224[args.full_size_gemma2],
                       f"paligemma2-{args.full_size_gemma2}-random-224.bf16.npz")
    else:
        args.out = args.out or DEFAULT_OUT
        make_tiny(args)


if __name__ == "__main__":
    main()
