#!/usr/bin/env python3
"""Writes a small random PaliGemma checkpoint in the big_vision .npz layout, for self-testing.

Layout: the 32 tensors of docs/model.md#tensor-table, keys under `params/`, scanned
layers stacked on a leading axis, written with np.savez (same layout as scripts/make_checkpoints.py).
bf16 members are stored as 2-byte void ('<V2') like np.savez of an ml_dtypes.bfloat16 array.

Unlike a plain N(0, s) fill, the weights here are scaled by 1/sqrt(fan_in) (with a few gains)
so that activations stay O(1), attention is neither uniform nor one-hot, and the logits have a
spread of a few units: good for comparing logits with an absolute tolerance and for greedy
decoding without piles of exact ties.

The LLM's attention-output and MLP-down weights get --layer-gain (3) so that the layers, not the
token's own embedding, decide the next token (with tied embeddings a weak model just repeats its
input), and the <eos> row is scaled by --eos-boost (2.5) so that some greedy runs stop early.

usage: make_tiny_npz.py --out X.npz (--vocab V | --tokenizer T.model) [--resolution 224]
       [--patch 14] [--v-width 32] [--v-depth 2] [--v-heads 2] [--v-mlp 48] [--width 32]
       [--depth 2] [--heads 2] [--kv-heads 1] [--head-dim 24] [--mlp 64] [--dtype f32|bf16|f16]
       [--seed 0] [--no-params-prefix] [--emb-gain 1] [--layer-gain 3] [--eos-id 1] [--eos-boost 2.5]
The default head_dim 24 makes heads*head_dim (48) differ from width (32), which exposes
attention-projection layout mistakes that the 3B shapes (8*256 = 2048) hide.
"""
import argparse

import ml_dtypes
import numpy as np


def make_params(a: argparse.Namespace, vocab: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    f32 = np.float32

    def n(shape: tuple[int, ...], std: float) -> np.ndarray:
        return (rng.standard_normal(shape) * std).astype(f32)

    p, w, L = a.patch, a.v_width, a.v_depth
    hd = w // a.v_heads
    assert hd * a.v_heads == w, "v-width must be divisible by v-heads"
    n_img = (a.resolution // p) ** 2
    D, LL, H, K, Hd, F = a.width, a.depth, a.heads, a.kv_heads, a.head_dim, a.mlp
    blk = "img/Transformer/encoderblock/"
    mha = blk + "MultiHeadDotProductAttention_0/"
    t = {
        "img/embedding/kernel": n((p, p, 3, w), 1.0 / np.sqrt(p * p * 3)),
        "img/embedding/bias": n((w,), 0.1),
        "img/pos_embedding": n((1, n_img, w), 0.5),
        blk + "LayerNorm_0/scale": 1.0 + n((L, w), 0.1),
        blk + "LayerNorm_0/bias": n((L, w), 0.1),
    }
    for name, gain in (("query", 2.0), ("key", 2.0), ("value", 1.0)):
        t[mha + name + "/kernel"] = n((L, w, a.v_heads, hd), gain / np.sqrt(w))
        t[mha + name + "/bias"] = n((L, a.v_heads, hd), 0.1)
    t.update({
        mha + "out/kernel": n((L, a.v_heads, hd, w), 1.0 / np.sqrt(w)),
        mha + "out/bias": n((L, w), 0.1),
        blk + "LayerNorm_1/scale": 1.0 + n((L, w), 0.1),
        blk + "LayerNorm_1/bias": n((L, w), 0.1),
        blk + "MlpBlock_0/Dense_0/kernel": n((L, w, a.v_mlp), 1.0 / np.sqrt(w)),
        blk + "MlpBlock_0/Dense_0/bias": n((L, a.v_mlp), 0.1),
        blk + "MlpBlock_0/Dense_1/kernel": n((L, a.v_mlp, w), 1.0 / np.sqrt(a.v_mlp)),
        blk + "MlpBlock_0/Dense_1/bias": n((L, w), 0.1),
        "img/Transformer/encoder_norm/scale": 1.0 + n((w,), 0.1),
        "img/Transformer/encoder_norm/bias": n((w,), 0.1),
        "img/head/kernel": n((w, D), 1.0 / np.sqrt(w)),
        "img/head/bias": n((D,), 0.1),
        # text embedding x sqrt(D) ~ 2 per entry; tied logits ~ 2-3 units of spread
        "llm/embedder/input_embedding": n((vocab, D), a.emb_gain / np.sqrt(D)),
        "llm/layers/pre_attention_norm/scale": n((LL, D), 0.1),
        "llm/layers/attn/q_einsum/w": n((LL, H, D, Hd), 2.0 / np.sqrt(D)),
        "llm/layers/attn/kv_einsum/w": n((LL, 2, K, D, Hd), 2.0 / np.sqrt(D)),
        "llm/layers/attn/attn_vec_einsum/w": n((LL, H, Hd, D), a.layer_gain / np.sqrt(H * Hd)),
        "llm/layers/pre_ffw_norm/scale": n((LL, D), 0.1),
        "llm/layers/mlp/gating_einsum": n((LL, 2, D, F), 1.0 / np.sqrt(D)),
        "llm/layers/mlp/linear": n((LL, F, D), a.layer_gain / np.sqrt(F)),
        "llm/final_norm/scale": n((D,), 0.1),
    })
    t["llm/embedder/input_embedding"][a.eos_id] *= np.float32(a.eos_boost)  # let <eos> win sometimes
    assert len(t) == 32
    return t


def cast(x: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "f32":
        return x
    if dtype == "f16":
        return x.astype(np.float16)
    return x.astype(ml_dtypes.bfloat16)  # np.save writes it as '<V2'


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int)
    ap.add_argument("--tokenizer", help="SentencePiece .model; its piece count is the vocab")
    ap.add_argument("--resolution", type=int, default=224)
    ap.add_argument("--patch", type=int, default=14)
    ap.add_argument("--v-width", type=int, default=32)
    ap.add_argument("--v-depth", type=int, default=2)
    ap.add_argument("--v-heads", type=int, default=2)
    ap.add_argument("--v-mlp", type=int, default=48)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--kv-heads", type=int, default=1)
    ap.add_argument("--head-dim", type=int, default=24)
    ap.add_argument("--mlp", type=int, default=64)
    ap.add_argument("--dtype", choices=["f32", "bf16", "f16"], default="f32")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--emb-gain", type=float, default=1.0)
    ap.add_argument("--layer-gain", type=float, default=3.0)
    ap.add_argument("--eos-id", type=int, default=1)
    ap.add_argument("--eos-boost", type=float, default=2.5, help="scale of the <eos> embedding row")
    ap.add_argument("--no-params-prefix", action="store_true")
    a = ap.parse_args()
    if a.tokenizer:
        import sentencepiece as spm
        vocab = spm.SentencePieceProcessor(model_file=a.tokenizer).get_piece_size()
    elif a.vocab:
        vocab = a.vocab
    else:
        ap.error("give --vocab or --tokenizer")
    params = make_params(a, vocab, np.random.default_rng(a.seed))
    prefix = "" if a.no_params_prefix else "params/"
    np.savez(a.out, **{prefix + k: cast(v, a.dtype) for k, v in params.items()})
    total = sum(v.size for v in params.values())
    print(f"wrote {a.out}: {len(params)} tensors, {total} parameters, dtype {a.dtype}, vocab {vocab}, "
          f"image tokens {(a.resolution // a.patch) ** 2}")


if __name__ == "__main__":
    main()
