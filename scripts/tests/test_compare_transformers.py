"""scripts/bench/compare_transformers.py: shapes without reading data, the decode floor's bytes, the report table."""
from pathlib import Path

import numpy as np
from conftest import load

ct = load("bench/compare_transformers.py")
mc = load("make_checkpoints.py")
hg = load("reference/hf_golden.py")


def test_npz_shapes_reads_headers_and_feeds_infer_config(tmp_path: Path) -> None:
    path = tmp_path / "tiny.npz"
    np.savez(path, **{"params/" + k: v for k, v in mc.random_params(mc.Sizes(), 0).items()})
    shapes = ct.npz_shapes(str(path))
    assert shapes["llm/embedder/input_embedding"] == ((300, 32), 4)
    params = ct.shape_only_params(shapes)
    assert params["img/head/kernel"].shape == (32, 32)
    assert hg.infer_config(params)["kv_heads"] == 1


def test_decode_weight_elements_counts_every_llm_matrix_once() -> None:
    c = dict(width=2048, heads=8, kv_heads=1, head_dim=256, mlp=16384, depth=18, vocab=257152)
    per_layer = 2048 * 8 * 256 + 2 * 2048 * 256 + 8 * 256 * 2048 + 2 * 2048 * 16384 + 16384 * 2048
    assert ct.decode_weight_elements(c) == 18 * per_layer + 257152 * 2048


def test_table_reports_stages_speed_ups_and_floors() -> None:
    ours = dict(vision_ms=100.0, prefill_ms=150.0, decode_ms=20.0, e2e_ms=550.0, peak_rss_bytes=2e9,
                load_ms=300.0, prefix_tokens=260, weights="stored bf16")
    theirs = dict(vision_ms=200.0, prefill_ms=300.0, decode_ms=40.0, e2e_ms=1100.0, prefix_tokens=260)
    r = dict(systems={"paligemma4j stored": ours, "transformers fp32": theirs},
             machine=dict(cpu="cpu", read_gbps=10.0, read_gbps_1thread=5.0, matmul_gflops_f32=100.0,
                          matmul_gflops_bf16=200.0),
             threads=4, load_average_before=(1, 1, 1), load_average_after=(2, 2, 2), repeat=3, new_tokens=20,
             versions=dict(torch="t", transformers="x"), decode_floor_ms=dict(bf16=10.0, fp32=20.0, q8=5.0))
    lines = ct.table(r).splitlines()
    assert "| decode / token | 20.0 | 40.0 |" in lines
    assert "| paligemma4j stored: end to end | 2.00× |" in lines
    assert "paligemma4j stored: decode = 2.00× its bandwidth floor; peak RSS 2.00 GB; load 300 ms" in lines
    assert "transformers fp32: decode = 2.00× its bandwidth floor" in lines
