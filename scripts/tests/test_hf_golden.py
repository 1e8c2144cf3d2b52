"""scripts/reference/hf_golden.py: config inference from the checkpoint layout and the float64 reference maths."""
import numpy as np
import pytest
from conftest import load

hg = load("reference/hf_golden.py")
mc = load("make_checkpoints.py")


def tiny_params() -> dict[str, np.ndarray]:
    return mc.random_params(mc.Sizes(), 0)


def test_infer_config_reads_the_sizes_make_checkpoints_wrote() -> None:
    c = hg.infer_config(tiny_params())
    assert c == dict(resolution=28, patch=14, n_img=4, v_width=32, v_depth=2, v_heads=2, v_head_dim=16, v_mlp=48,
                     vocab=300, width=32, depth=2, heads=2, kv_heads=1, head_dim=16, mlp=64, gemma2=0)
    assert hg.bv_shapes(c) == dict(mc.tensor_shapes(mc.Sizes()))


def test_infer_config_accepts_the_transposed_gating_einsum() -> None:
    p = tiny_params()
    gating = p["llm/layers/mlp/gating_einsum"]
    p["llm/layers/mlp/gating_einsum"] = np.ascontiguousarray(np.swapaxes(gating, 2, 3))   # [.., F, D]
    assert hg.infer_config(p)["mlp"] == 64
    assert np.array_equal(p["llm/layers/mlp/gating_einsum"], gating)


def test_infer_config_names_a_wrong_shape() -> None:
    p = tiny_params()
    p["img/head/bias"] = np.zeros(5, np.float32)
    with pytest.raises(SystemExit, match=r"params/img/head/bias: expected shape \(32,\), got \(5,\)"):
        hg.infer_config(p)


def test_hf_vocab_size_adds_image_and_pad_then_rounds_to_64() -> None:
    assert hg.hf_vocab_size(257152) == 257216
    assert hg.hf_vocab_size(300) == 320
    assert hg.hf_vocab_size(62) == 64


def test_norms_softmax_and_gelu() -> None:
    x = np.array([[1.0, 2.0, 3.0, 6.0]])
    assert hg.rms_norm(x, np.zeros(4), eps=0.0) == pytest.approx(x / np.sqrt(12.5))
    ln = hg.flax_layernorm(x, np.ones(4), np.zeros(4), eps=0.0)
    assert ln.mean() == pytest.approx(0.0, abs=1e-12)
    assert (ln ** 2).mean() == pytest.approx(1.0)
    assert hg.softmax(np.array([0.0, np.log(3.0)])) == pytest.approx([0.25, 0.75])
    assert hg.softmax(np.array([1000.0, 1000.0])) == pytest.approx([0.5, 0.5])      # no overflow
    assert hg.gelu_tanh(np.array([0.0, 1.0, -30.0])) == pytest.approx([0.0, 0.8411920, 0.0], abs=1e-7)


def test_rope_rotates_the_split_halves_by_position() -> None:
    x = np.random.default_rng(0).standard_normal((3, 2, 8))
    pos = np.array([0.0, 1.0, 5.0])
    y = hg.rope(x, pos)
    assert np.allclose(y[0], x[0])                                           # position 0: unchanged
    assert np.allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1))
    # pair (i, i + 4) of position 1 turns by 1 / 10000^(2i/8): here i = 0, angle 1
    a, b = x[1, 0, 0], x[1, 0, 4]
    assert y[1, 0, 0] == pytest.approx(a * np.cos(1) - b * np.sin(1))
    assert y[1, 0, 4] == pytest.approx(b * np.cos(1) + a * np.sin(1))


def test_argmax_margin_takes_the_lowest_id_of_equal_maxima() -> None:
    assert hg.argmax_margin(np.array([1.0, 5.0, 3.0, 5.0])) == (1, 0.0)
    assert hg.argmax_margin(np.array([0.5, 2.0, -1.0])) == (1, 1.5)


def test_hash_images_ragged_and_rows_or_empty() -> None:
    img = hg.hash_images(2, 3)
    assert img.shape == (2, 3, 3, 3) and img.dtype == np.uint8
    assert img.reshape(-1)[:3].tolist() == [0, 158, 60]          # (i * 2654435761 mod 2^32) >> 24
    assert hg.ragged([[1, 2], [], [3]]).tolist() == [0, 2, 2, 3]
    assert hg.rows_or_empty([], 7).shape == (0, 7)
    assert hg.rows_or_empty([np.ones((1, 2)), np.zeros((2, 2))], 2).tolist() == [[1, 1], [0, 0], [0, 0]]


def test_bv_vit_returns_every_block_and_the_projected_tokens() -> None:
    p = tiny_params()
    c = hg.infer_config(p)
    pixels = np.random.default_rng(1).uniform(-1, 1, (28, 28, 3))
    hidden, zimg = hg.bv_vit(p, c, pixels)
    assert len(hidden) == 1 + c["v_depth"]
    assert hidden[0].shape == (4, 32) and zimg.shape == (4, 32)
    logits = hg.bv_forward(p, c, pixels, [2, 5, 7], [0, 0, 0])
    assert logits.shape == (3, 300) and np.isfinite(logits).all()


def gemma2_params() -> dict[str, np.ndarray]:
    """The tiny checkpoint with Gemma 2's post norms (random, so they are not the identity)."""
    p = tiny_params()
    rng = np.random.default_rng(3)
    for k in hg.POST_NORMS:
        p[k] = rng.uniform(-0.5, 0.5, (2, 32)).astype(np.float32)
    return p


def test_post_norms_mark_a_gemma2_checkpoint_and_its_shapes() -> None:
    c = hg.infer_config(gemma2_params())
    assert c["gemma2"] == 1
    assert hg.bv_shapes(c)["llm/layers/post_ffw_norm/scale"] == (2, 32)
    p = gemma2_params()
    del p["llm/layers/post_ffw_norm/scale"]
    with pytest.raises(SystemExit, match="no key params/llm/layers/post_ffw_norm/scale"):
        hg.infer_config(p)


def test_gemma2_settings_are_big_visions_defaults_and_transformers_window() -> None:
    c = hg.infer_config(gemma2_params())
    assert hg.gemma2_settings(c) == dict(final_logit_softcap=30.0, attn_logit_softcap=50.0,
                                         query_pre_attn_scalar=16, sliding_window=4096)
    s = hg.gemma2_settings(c, 0.0, 0.0, "width-per-head", None)
    assert s == dict(final_logit_softcap=None, attn_logit_softcap=None, query_pre_attn_scalar=16, sliding_window=None)
    with pytest.raises(SystemExit, match="sliding window 0"):
        hg.gemma2_settings(c, sliding_window=0)


def test_bv_forward_gemma2_window_spares_the_prefix_and_bites_on_the_suffix() -> None:
    p = gemma2_params()
    c = hg.infer_config(p)
    pixels = np.random.default_rng(1).uniform(-1, 1, (28, 28, 3))
    text, mask_ar = [2, 5, 7, 9, 11, 13], [0, 0, 0, 1, 1, 1]          # 4 image + 3 prefix text + 3 suffix tokens
    off = hg.bv_forward(p, c, pixels, text, mask_ar, hg.gemma2_settings(c, sliding_window=None))
    win = hg.bv_forward(p, c, pixels, text, mask_ar, hg.gemma2_settings(c, sliding_window=2))
    assert np.array_equal(win[:3], off[:3])                              # the bidirectional prefix: no window
    assert np.abs(win[3:] - off[3:]).max() > 1e-3                        # generated tokens see the last 2 only
    capped = hg.bv_forward(p, c, pixels, text, mask_ar, hg.gemma2_settings(c, final_softcap=1.0))
    assert np.abs(capped).max() < 1.0
