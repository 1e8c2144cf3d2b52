#!/usr/bin/env python3
"""Writes a tiny random PaliGemma checkpoint initialised by big_vision's own model init.

The parameters come from `model.init` of big_vision's PaliGemma model (SigLIP `vit` image
model with pool_type='none', `gemma_bv` LLM, both scanned as in the PaliGemma configs), so
the tree, key names, shapes and dtypes are big_vision's, and parity runs do not depend on
paligemma4j's own checkpoint writer. The file has the released layout: one `.npy` member per
tensor, flat keys `params/img/...` and `params/llm/...`, written with `np.savez`; bfloat16
tensors are ml_dtypes.bfloat16 arrays (stored by NumPy as 2-byte void, descr '<V2').

big_vision's init makes several tensors constant (img/head kernel and bias = 0 because of
head_zeroinit, LayerNorm scales = 1 and biases = 0, ViT dense biases ~1e-6, RMSNorm offsets = 0).
A model like that is degenerate (image tokens are all zero; every norm is the identity), so
after init EVERY tensor gets seeded Gaussian noise added: std --perturb for tensors that init
drew at random, std --perturb-const for tensors that init left (nearly) constant; then
--final-norm-offset is added to the final RMSNorm offset. Without these, a tied-embedding
random model just repeats its last input token and its next-token distribution is nearly
uniform, so beam search stops after one step with an empty answer; with them (defaults 0.3,
0.2, 3.0) greedy produces varied ids and beam search runs to its length limit. The tree, shapes
and dtypes stay exactly big_vision's.

usage: BIG_VISION_DIR=/path/to/big_vision make_bv_checkpoint.py --out X.npz
       [--dtype float32|bfloat16] [--vit-width 48 --vit-depth 2 --vit-heads 3 --vit-mlp 96
       --patch 14 --resolution 224] [--llm-width 32 --llm-depth 2 --llm-heads 4
       --llm-kv-heads 1 --head-dim 16 --llm-mlp 64] [--gemma2] (--vocab V | --tokenizer T.model) [--seed 0]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bv_setup  # noqa: E402  (sets up jax + big_vision)

# isort: split

import flax  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    p.add_argument("--vit-width", type=int, default=48)
    p.add_argument("--vit-depth", type=int, default=2)
    p.add_argument("--vit-heads", type=int, default=3)
    p.add_argument("--vit-mlp", type=int, default=96)
    p.add_argument("--patch", type=int, default=14)
    p.add_argument("--resolution", type=int, default=224)
    p.add_argument("--llm-width", type=int, default=32)
    p.add_argument("--llm-depth", type=int, default=2)
    p.add_argument("--llm-heads", type=int, default=4)
    p.add_argument("--llm-kv-heads", type=int, default=1)
    p.add_argument("--head-dim", type=int, default=16)
    p.add_argument("--llm-mlp", type=int, default=64)
    p.add_argument("--vocab", type=int, help="LLM vocabulary rows (default: the tokenizer's size)")
    p.add_argument("--tokenizer", help="SentencePiece .model whose piece count sets --vocab")
    p.add_argument("--gemma2", action="store_true",
                   help="a PaliGemma 2 checkpoint: big_vision's Gemma 2 decoder (post-attention and post-FFW norms)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--perturb", type=float, default=0.3,
                   help="std of the noise added to tensors that init drew at random")
    p.add_argument("--perturb-const", type=float, default=0.2,
                   help="std of the noise added to tensors that init left (nearly) constant")
    p.add_argument("--final-norm-offset", type=float, default=3.0,
                   help="added to llm/final_norm/scale after the noise: sharpens the next-token "
                        "distribution so that greedy and beam decoding are not degenerate")
    a = p.parse_args(argv)
    if a.vocab is None:
        if not a.tokenizer:
            p.error("give --vocab or --tokenizer")
        import sentencepiece as spm
        a.vocab = spm.SentencePieceProcessor(model_file=a.tokenizer).GetPieceSize()
    if a.resolution % a.patch:
        p.error(f"--resolution {a.resolution} is not a multiple of --patch {a.patch}")
    if a.vit_width % a.vit_heads:
        p.error(f"--vit-width {a.vit_width} is not a multiple of --vit-heads {a.vit_heads}")
    return a


def perturb(params: dict, seed: int, std_random: float, std_const: float) -> tuple[dict, dict[str, float]]:
    """Adds seeded Gaussian noise to every leaf; returns (params, {name: std used})."""
    flat = flax.traverse_util.flatten_dict(params, sep="/")
    rng = np.random.default_rng(seed + 1)
    out, used = {}, {}
    for name in sorted(flat):
        x = np.asarray(flat[name], np.float32)
        std = std_const if float(np.std(x)) < 1e-4 else std_random
        out[name] = (x + rng.normal(0.0, std, x.shape)).astype(np.float32)
        used[name] = std
    return flax.traverse_util.unflatten_dict(out, sep="/"), used


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    sizes = dict(vit_width=a.vit_width, vit_depth=a.vit_depth, vit_heads=a.vit_heads,
                 vit_mlp=a.vit_mlp, patch=a.patch, llm_width=a.llm_width, llm_depth=a.llm_depth,
                 llm_heads=a.llm_heads, llm_kv_heads=a.llm_kv_heads, head_dim=a.head_dim,
                 llm_mlp=a.llm_mlp, vocab=a.vocab, post_norms=a.gemma2)
    model = bv_setup.build_model(bv_setup.model_config(sizes))
    image = jnp.zeros((1, a.resolution, a.resolution, 3), jnp.float32)
    text = jnp.zeros((1, 4), jnp.int32)
    params = jax.jit(model.init)(jax.random.PRNGKey(a.seed), image, text, text)["params"]
    params = jax.tree.map(np.asarray, flax.core.unfreeze(params))
    params, used = perturb(params, a.seed, a.perturb, a.perturb_const)
    params["llm"]["final_norm"]["scale"] = params["llm"]["final_norm"]["scale"] + np.float32(
        a.final_norm_offset)

    flat = flax.traverse_util.flatten_dict(params, sep="/")
    dtype = ml_dtypes.bfloat16 if a.dtype == "bfloat16" else np.float32
    arrays = {f"params/{k}": np.asarray(v).astype(dtype) for k, v in sorted(flat.items())}
    np.savez(a.out, **arrays)

    n = sum(v.size for v in arrays.values())
    print(f"wrote {a.out}: {len(arrays)} tensors, {n} params, {a.dtype}, "
          f"{os.path.getsize(a.out)} bytes, N_img={(a.resolution // a.patch) ** 2}")
    for k in sorted(arrays):
        print(f"  {k} {list(arrays[k].shape)} noise_std={used[k[len('params/'):]]}")


if __name__ == "__main__":
    main()
