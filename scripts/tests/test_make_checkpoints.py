"""scripts/make_checkpoints.py: the big_vision key layout, .npy headers, ZIP64 and Flax msgpack writers."""
import io
import math
import zipfile
from pathlib import Path

import msgpack
import numpy as np
import pytest
from conftest import load

mc = load("make_checkpoints.py")


def test_tensor_shapes_lay_out_the_32_big_vision_tensors() -> None:
    shapes = dict(mc.tensor_shapes(mc.Sizes()))
    assert len(shapes) == 32
    mha = "img/Transformer/encoderblock/MultiHeadDotProductAttention_0/"
    assert shapes["img/embedding/kernel"] == (14, 14, 3, 32)
    assert shapes["img/pos_embedding"] == (1, 4, 32)                       # (28 / 14)^2 image tokens
    assert shapes[mha + "query/kernel"] == (2, 32, 2, 16)                  # [layers, width, heads, head dim]
    assert shapes["llm/layers/attn/kv_einsum/w"] == (2, 2, 1, 32, 16)      # [layers, k|v, kv heads, D, Hd]
    assert shapes["llm/layers/mlp/gating_einsum"] == (2, 2, 32, 64)
    assert shapes["llm/embedder/input_embedding"] == (300, 32)


def test_paligemma_3b_224_has_the_published_parameter_count() -> None:
    # the same total as checkpoint-loader's FullSizeCheckpointTest reads from the full-size file
    total = sum(math.prod(shape) for _, shape in mc.tensor_shapes(mc.PALIGEMMA_3B_224))
    assert total == 2_923_335_408


def test_random_params_are_float32_with_the_layout_shapes() -> None:
    p = mc.random_params(mc.Sizes(), 3)
    assert {k: v.shape for k, v in p.items()} == dict(mc.tensor_shapes(mc.Sizes()))
    assert all(v.dtype == np.float32 for v in p.values())
    assert np.array_equal(p["llm/final_norm/scale"], mc.random_params(mc.Sizes(), 3)["llm/final_norm/scale"])


@pytest.mark.parametrize(("descr", "shape"), [("<f4", (2, 3)), ("<f2", ()), ("|u1", (7,)), ("<i4", (0, 5))])
def test_npy_header_is_the_header_numpy_writes(descr: str, shape: tuple[int, ...]) -> None:
    header = mc.npy_header(descr, shape)
    assert mc.npy_bytes(np.zeros(shape, np.dtype(descr))).startswith(header)
    assert len(header) % 64 == 0 and header.endswith(b"\n")


def test_npy_header_versions_2_and_3_read_back() -> None:
    for version in ((2, 0), (3, 0)):
        data = mc.npy_header("<f4", (2,), version) + np.float32([1.5, -2]).tobytes()
        assert np.load(io.BytesIO(data)).tolist() == [1.5, -2.0]


def test_forced_zip64_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "z.npz"
    members = [("a.npy", mc.npy_bytes(np.arange(3, dtype=np.float32))), ("b.npy", mc.npy_bytes(np.ones((2, 2))))]
    mc.write_zip_forced_zip64(str(path), members)
    with np.load(path) as z:
        assert z["a"].tolist() == [0.0, 1.0, 2.0]
        assert z["b"].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert path.read_bytes()[-22:-18] == b"PK\x05\x06"
    with zipfile.ZipFile(path) as z:
        assert [i.file_size for i in z.infolist()] == [len(m[1]) for m in members]


def test_nest_and_flatten_tree_are_inverse() -> None:
    flat = {"img/head/bias": 1, "img/head/kernel": 2, "llm/final_norm/scale": 3}
    tree = mc.nest(flat)
    assert tree == {"img": {"head": {"bias": 1, "kernel": 2}}, "llm": {"final_norm": {"scale": 3}}}
    assert mc.flatten_tree(tree) == flat


def _ext(code: int, data: bytes) -> object:
    shape, dtype, raw = msgpack.unpackb(data, raw=False)
    assert code == 1
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def test_flax_msgpack_holds_arrays_as_ext_1_and_chunks_large_ones() -> None:
    tree = {"params": {"small": np.float32([1, 2, 3]), "big": np.arange(10, dtype=np.float32)}}
    back = msgpack.unpackb(mc.flax_msgpack_bytes(tree, max_chunk_bytes=16), ext_hook=_ext, raw=False)
    assert back["params"]["small"].tolist() == [1.0, 2.0, 3.0]
    big = back["params"]["big"]
    assert big["__msgpack_chunked_array__"] is True
    assert big["shape"] == {"0": 10}
    assert [c.tolist() for c in big["chunks"].values()] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_golden_indices_and_f32_bits() -> None:
    assert mc.golden_indices(10) == [0, 3, 5, 6, 9]
    assert mc.golden_indices(1) == [0]
    assert mc.f32_bits([1.0, -2.0, 0.0]) == [0x3F800000, 0xC0000000, 0]


def test_special_values_keep_their_bits() -> None:
    bits = mc.f32_bits(mc.special_values())
    assert bits[1] == 0x80000000                     # -0.0
    assert 0x7F800000 in bits and 0xFF800000 in bits  # +inf, -inf
