#!/usr/bin/env python3
"""Golden values for paligemma4j.kernels.NaiveOps, computed with the reference libraries.

Writes kernels/src/test/resources/golden/naive-golden.txt: one record per line,
`name count v0 v1 ...`, every value a float32 written with float.hex() (exact).
Needs: pip install jax flax ml_dtypes numpy (CPU). Run from the repository root:
    python3 scripts/kernels/make_naive_golden.py
"""
import os

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
from flax import linen as nn

jax.config.update("jax_default_matmul_precision", "highest")
OUT = "kernels/src/test/resources/golden/naive-golden.txt"
records = []


def put(name: str, values: object) -> None:
    a = np.asarray(values, dtype=np.float32).ravel()
    records.append(name + " " + str(a.size) + " " + " ".join(float(v).hex() for v in a))


rng = np.random.default_rng(20240528)

# GELU, tanh approximation (jax.nn.gelu default approximate=True), float32.
gx = np.array([-12, -6, -3, -1.5, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 1.5, 3, 6, 12, 0.123456], np.float32)
put("gelu.x", gx)
put("gelu.y", jax.nn.gelu(jnp.asarray(gx), approximate=True))

# Flax LayerNorm (fast variance, eps 1e-6). Row 0 has a large mean (256) and values on a 1/4
# grid, so that every sum Flax and a Java loop form is exact in float32 whatever the order:
# the only roundings are mu^2, E[x^2] - mu^2 and the elementwise ops, identical in both. The
# fast variance then visibly differs from the two-pass one (PyTorch/HF). Row 1 is ordinary.
width = 16
lx = np.empty((2, width), np.float32)
lx[0] = 256.0 + rng.integers(-8, 9, size=width) / 4.0
lx[1] = rng.normal(0.3, 2.0, size=width)
scale = rng.uniform(0.5, 1.5, size=width).astype(np.float32)
bias = rng.uniform(-0.5, 0.5, size=width).astype(np.float32)
ln = nn.LayerNorm(epsilon=1e-6)
ly = ln.apply({"params": {"scale": jnp.asarray(scale), "bias": jnp.asarray(bias)}}, jnp.asarray(lx))
put("layernorm.x", lx)
put("layernorm.scale", scale)
put("layernorm.bias", bias)
put("layernorm.y", ly)
lx64 = lx.astype(np.float64)
two_pass = (lx64 - lx64.mean(-1, keepdims=True)) / np.sqrt(lx64.var(-1, keepdims=True) + 1e-6) * scale + bias
put("layernorm.y_two_pass", two_pass.astype(np.float32))

# Gemma RMSNorm as big_vision writes it: x * reciprocal(sqrt(mean(x^2) + 1e-6)), then * (1 + scale).
rx = rng.normal(0, 3.0, size=(2, 48)).astype(np.float32)
rs = rng.normal(0, 0.3, size=48).astype(np.float32)
var = jnp.mean(jnp.square(rx), axis=-1, keepdims=True)
ry = (jnp.asarray(rx) * jnp.reciprocal(jnp.sqrt(var + 1e-06))) * (1 + jnp.asarray(rs))
put("rmsnorm.x", rx)
put("rmsnorm.scale", rs)
put("rmsnorm.y", ry)

# RoPE as big_vision gemma.py applies it (split halves, theta = pos / timescale in float32),
# at positions 0, 1, 17, 4000; one head of 256.
# Trap found here: XLA on CPU computes `positions[:, None] / timescale` as a true division when
# there is one position, but as positions * (1 / timescale) when it broadcasts over several
# (prefill). rope.y is made one position at a time (true division, the Java contract);
# rope.y_batched with all four at once (reciprocal-multiply), for the record.
head = 256
vx = rng.normal(0, 1.0, size=(4, head)).astype(np.float32)
pos = np.array([0, 1, 17, 4000], np.int32)


def bv_rope(x: jax.Array, positions: np.ndarray) -> tuple[jax.Array, jax.Array]:
    frac = 2 * jnp.arange(head // 2) / head
    timescale = 10_000 ** frac
    rad = jnp.asarray(positions)[:, None] / timescale[None, :]
    sin, cos = jnp.sin(rad), jnp.cos(rad)
    x1, x2 = jnp.split(jnp.asarray(x), 2, axis=-1)
    return jnp.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1), timescale


vy = np.concatenate([np.asarray(bv_rope(vx[i:i + 1], pos[i:i + 1])[0]) for i in range(len(pos))])
vy_batched, timescale = bv_rope(vx, pos)
put("rope.x", vx)
put("rope.positions", pos.astype(np.float32))
put("rope.y", vy)
put("rope.y_batched", vy_batched)
put("rope.timescale_jax_f32", timescale)

# Attention: flax dot_product_attention (q / sqrt(d) before q.k, float32 softmax), 2 heads of 8,
# 6 keys, prefix-LM visibility: rows 0..3 see keys 0..3, rows 4, 5 are causal.
q = rng.normal(0, 1.5, size=(6, 2, 8)).astype(np.float32)
k = rng.normal(0, 1.5, size=(6, 2, 8)).astype(np.float32)
v = rng.normal(0, 1.0, size=(6, 2, 8)).astype(np.float32)
visible = np.array([4, 4, 4, 4, 5, 6])
mask = (np.arange(6)[None, :] < visible[:, None])[None, None]          # [1, 1, q, k]
att = nn.dot_product_attention(jnp.asarray(q)[None], jnp.asarray(k)[None], jnp.asarray(v)[None],
                               mask=jnp.asarray(mask))[0]
put("attention.q", q)
put("attention.k", k)
put("attention.v", v)
put("attention.visible", visible.astype(np.float32))
put("attention.out", att)

# Softmax alone (jax.nn.softmax) of a row with a large spread.
sx = np.array([3.0, -50.0, 88.0, 87.5, 0.0, 88.0, -1e4], np.float32)
put("softmax.x", sx)
put("softmax.y", jax.nn.softmax(jnp.asarray(sx)))

# bf16 and f16 widening of chosen bit patterns (ml_dtypes / numpy).
bits = np.array([0x0000, 0x8000, 0x3F80, 0xBF80, 0x4049, 0x0001, 0x807F, 0x7F7F, 0x7F80, 0xFF80,
                 0x3C00, 0x7BFF, 0x0400, 0x03FF], np.uint16)
put("widen.bits", bits.astype(np.float32))
put("widen.bf16", bits.view(ml_dtypes.bfloat16).astype(np.float32))
put("widen.f16", bits.view(np.float16).astype(np.float32))

# argmax: numpy picks the first of equal maxima.
ax = np.array([1, 7, 3, 7, 7, -2], np.float32)
put("argmax.x", ax)
put("argmax.i", [np.argmax(ax)])

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    f.write(f"# made by scripts/kernels/make_naive_golden.py (jax {jax.__version__}, flax, numpy {np.__version__})\n")
    f.write("\n".join(records) + "\n")
print("wrote", OUT, len(records), "records")
