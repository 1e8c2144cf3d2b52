"""scripts/bench/compare_transformers.py: shapes without reading data, PaliGemma 2 recognition and the
decoder settings both sides run with, the decode floor's bytes, the report table."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
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


G2_FIXTURE = Path(__file__).resolve().parents[2] / "eval/src/test/resources/parity/gemma2/g2-224-bf16.npz"


def test_npz_config_recognises_paligemma_2_by_its_post_norms(tmp_path: Path) -> None:
    c = ct.npz_config(ct.npz_shapes(str(G2_FIXTURE)))
    assert (c["gemma2"], c["depth"], c["width"], c["heads"], c["kv_heads"], c["head_dim"]) == (True, 2, 32, 4, 2, 16)
    assert (c["n_img"], c["vocab"]) == (256, 2176)
    path = tmp_path / "tiny.npz"
    np.savez(path, **{"params/" + k: v for k, v in mc.random_params(mc.Sizes(), 0).items()})
    assert ct.npz_config(ct.npz_shapes(str(path)))["gemma2"] is False


def test_npz_config_refuses_one_post_norm_alone() -> None:
    shapes = ct.npz_shapes(str(G2_FIXTURE))
    del shapes["llm/layers/post_ffw_norm/scale"]
    with pytest.raises(SystemExit, match="post_attention_norm/scale but not the other Gemma 2 post norm"):
        ct.npz_config(shapes)


def test_hf_dir_config_reads_the_sizes_and_the_image_id() -> None:
    vision = SimpleNamespace(image_size=224, patch_size=14, hidden_size=1152, num_hidden_layers=27,
                             num_attention_heads=16, intermediate_size=4304)
    text = SimpleNamespace(hidden_size=2304, num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4,
                           head_dim=256, intermediate_size=9216, model_type="gemma2")
    cfg = SimpleNamespace(vision_config=vision, text_config=text, image_token_id=257152)
    c = ct.hf_dir_config(cfg)
    assert (c["n_img"], c["v_head_dim"], c["vocab"], c["kv_heads"], c["mlp"], c["gemma2"]) == (
        256, 72, 257152, 4, 9216, True)
    del cfg.image_token_id
    cfg.image_token_index = 257152   # transformers 4's name
    assert ct.hf_dir_config(cfg)["vocab"] == 257152


def g2_text(**kw: object) -> SimpleNamespace:
    base = dict(query_pre_attn_scalar=256, final_logit_softcapping=30.0, attn_logit_softcapping=50.0,
                sliding_window=4096)
    return SimpleNamespace(**{**base, **kw})


C3B = dict(gemma2=True, width=2304, heads=8, head_dim=256)
C28B = dict(gemma2=True, width=4608, heads=32, head_dim=128)


def test_hf_settings_name_transformers_values_as_bench_does() -> None:
    assert ct.hf_settings(C3B, g2_text()) == dict(final_logit_softcap=30.0, attn_logit_softcap=50.0,
                                                   query_scale="head-dim", sliding_window=4096)
    assert ct.hf_settings(C28B, g2_text(query_pre_attn_scalar=144))["query_scale"] == "width-per-head"
    off = ct.hf_settings(C3B, g2_text(final_logit_softcapping=None, attn_logit_softcapping=None, sliding_window=None))
    assert (off["final_logit_softcap"], off["attn_logit_softcap"], off["sliding_window"]) == (0.0, 0.0, 0)
    assert ct.hf_settings(dict(gemma2=False), None) == dict(final_logit_softcap=0.0, attn_logit_softcap=0.0,
                                                            query_scale="head-dim", sliding_window=0)
    with pytest.raises(SystemExit, match="query_pre_attn_scalar is 100: expected head_dim 256 or width // heads 288"):
        ct.hf_settings(C3B, g2_text(query_pre_attn_scalar=100))


def test_sliding_window_goes_to_bench_only_where_it_bites() -> None:
    hf = ct.hf_settings(C3B, g2_text())
    assert ct.java_settings(hf, 260 + 20)["sliding_window"] == 0
    assert ct.java_settings(hf, 4096)["sliding_window"] == 0          # the last position 4095 still sees key 0
    assert ct.java_settings(hf, 4097)["sliding_window"] == 4096
    assert ct.java_flags(ct.java_settings(hf, 280)) == [
        "--final-logit-softcap", "30", "--attn-logit-softcap", "50", "--query-scale", "head-dim"]
    assert ct.java_flags(ct.java_settings(hf, 4106 + 20))[-2:] == ["--sliding-window", "4096"]


def test_work_differences_names_each_mismatch() -> None:
    want = dict(final_logit_softcap=30.0, attn_logit_softcap=50.0, query_scale="head-dim", sliding_window=0)
    java = dict(prefix_tokens=260, new_tokens=8, settings=dict(want))
    assert ct.work_differences(java, want, 260, 8) == []
    assert ct.work_differences(java, None, 260, 8) == []
    java["settings"]["final_logit_softcap"] = 0.0
    assert ct.work_differences(java, want, 261, 20) == [
        "prefix 260 tokens, transformers 261", "8 new tokens, transformers 20",
        "settings.final_logit_softcap 0.0, transformers 30.0"]


def test_text_ids_are_bench_s_synthetic_ids_without_a_directory_tokenizer() -> None:
    ids, source = ct.text_ids(str(G2_FIXTURE), "caption en", 2176)
    assert source == "synthetic"
    assert ids == [2, 3 + 7919 % 2173, 3 + 2 * 7919 % 2173, 3 + 3 * 7919 % 2173]   # <bos>, one per word, "\n"


def test_hf_dtypes_leave_out_bf16_only_where_it_is_slow_unless_listed() -> None:
    fast = dict(matmul_gflops_f32=100.0, matmul_gflops_bf16=200.0)
    slow = dict(matmul_gflops_f32=100.0, matmul_gflops_bf16=2.3)
    assert ct.hf_dtypes("auto", fast) == (["fp32", "bf16"], {})
    names, left_out = ct.hf_dtypes("auto", slow)
    assert names == ["fp32"]
    assert left_out["bf16"].startswith("torch's bf16 matmul runs 2.3 GFLOP/s on this CPU against 100 for fp32")
    assert ct.hf_dtypes("bf16,fp32", slow) == (["fp32", "bf16"], {})
    assert ct.hf_dtypes("bf16", fast) == (["bf16"], {})
    for bad in ("fp16", "fp32,fp32", ""):
        with pytest.raises(SystemExit, match="--hf-dtypes: expected auto or a list of fp32 and bf16"):
            ct.hf_dtypes(bad, fast)


def test_table_names_a_left_out_dtype_and_a_small_bf16_probe() -> None:
    ours = dict(vision_ms=100.0, prefill_ms=150.0, decode_ms=20.0, e2e_ms=550.0, peak_rss_bytes=2e9,
                load_ms=300.0, prefix_tokens=260, weights="stored bf16")
    r = dict(systems={"paligemma4j stored": ours}, hf_dtypes_left_out={"bf16": "slow here"},
             machine=dict(cpu="cpu", read_gbps=10.0, read_gbps_1thread=5.0, matmul_gflops_f32=100.0,
                          matmul_gflops_bf16=2.0, matmul_n_bf16=512),
             threads=4, load_average_before=(1, 1, 1), load_average_after=(2, 2, 2), repeat=3, new_tokens=20,
             versions=dict(torch="t", transformers="x"), decode_floor_ms=dict(bf16=10.0, fp32=20.0, q8=5.0))
    text = ct.table(r)
    assert "bf16 2 GFLOP/s (at 512³)" in text
    assert "transformers bf16 left out: slow here" in text.splitlines()
