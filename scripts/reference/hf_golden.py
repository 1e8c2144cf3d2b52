#!/usr/bin/env python3
"""Golden data for the Java PaliGemma forward pass, from Hugging Face transformers (PyTorch, CPU, f32).

Loads a big_vision-layout PaliGemma .npz of any size (docs/model.md#tensor-table; keys
with or without `params/`; float32, float16, or bfloat16 stored as 2-byte void), infers every size
from the tensor shapes, converts the weights to `PaliGemmaForConditionalGeneration` with our own
mapping (docs/model.md#transformers-weight-mapping), loads them strictly, and runs, per example, a
prefill over `[<image>] * N_img + [<bos>] + sp.encode(prompt) + sp.encode("\\n")` (the "\\n" separator
tokenized on its own, docs/model.md#model-input) with identical pixel values, followed by a manual
greedy loop over an f32 KV cache.
An independent float64 numpy implementation of big_vision's semantics (`bv_forward`) re-computes the
logits of the first examples and is compared with HF: that both validates the conversion and measures
how far HF's float32 numerics are from big_vision's.

usage:
  hf_golden.py --checkpoint X.npz (--tokenizer T.model | --ids-file IDS.txt [--eos-id 1])
               [--prompts FILE] [--max-tokens 16] [--seed 0] [--num-images 2]
               [--images random|hash|float] [--omit-images] [--full-logits 4]
               [--positions bigvision|hf] [--intermediates full|text|none] [--check 2]
               [--threads 1] [--out golden.npz]

  --prompts FILE   one prompt per line (default: 56 built-in prompts: captions, VQA, detect, segment,
                   OCR, free text, unicode, <locNNNN> in text).
  --ids-file FILE  instead of a tokenizer: one example per line, whitespace-separated ids of the text
                   part of the prefix, i.e. [bos] + prompt ids + separator ids (image tokens implied).

Output .npz (the contract of the Java test; B examples, V = checkpoint vocab, N = image tokens,
T_b = text length of example b, K = distinct images, M = --max-tokens; all little-endian):
  meta_json              uint8 [*]      UTF-8 JSON: inferred config, HF vocab, ids, options, checks
  vocab, n_img, resolution, bos_id, eos_id, position_base, max_tokens   int32 scalars
  prompt_utf8            uint8 [*]      all prompts' UTF-8 bytes concatenated (empty with --ids-file)
  prompt_offsets         int32 [B+1]    byte offsets into prompt_utf8
  text_ids               int32 [sum T]  text part of each prefix: bos, prompt, separator
  text_offsets           int32 [B+1]    offsets into text_ids; prefix length of b = N + T_b
  image_u8               uint8 [K,R,R,3] RGB images; pixels = float32(u) / 127.5f - 1f  (f32 ops);
                                        --images random: seeded uniform bytes; --images hash: the
                                        formula below, and --omit-images leaves the key out
    or pixels            f32   [K,R,R,3] (--images float: uniform in [-1, 1), used as is)
  image_index            int32 [B]      image used by example b (b mod K)
  logits_last            f32   [B,V]    logits at the last prefix position (the separator)
  logits_prefix          f32   [sum_{b<F} T_b, V]  logits at every text position of the prefix,
  logits_prefix_offsets  int32 [F+1]      for the first F = --full-logits examples
  greedy_tokens          int32 [B,M]    greedy ids, -1 padded; includes the <eos> that stopped it
  greedy_lengths         int32 [B]      number of valid ids in greedy_tokens[b]
  greedy_margin          f32   [B,M]    top1 - top2 logit at each greedy step (-1 padded); a Java
                                        mismatch at a step with margin < ~1e-4 is a near-tie
  greedy_logits          f32   [sum_{b<F} len_b, V]  logits that chose each greedy token (row 0 of
  greedy_logits_offsets  int32 [F+1]      example b equals logits_last[b]); first F examples
  zimg0                  f32   [N,D]    projector output (img/head) for image 0, the tokens that enter
                                        the LLM unscaled
  vit_hidden0            f32   [Lv+1,N,W]  example 0: patch embedding + pos (row 0), then the output
                                        of each ViT block (before encoder_norm); --intermediates full
  llm_hidden0            f32   [L+1,S,D] example 0: LLM input (image tokens as is, text x sqrt(D)),
                                        then the output of each decoder layer (before final_norm)
  llm_final0             f32   [S,D]    example 0 after final_norm
  llm_hidden0_first_pos  int32 scalar   sequence position of row 0 of the S rows: 0 with
                                        --intermediates full (S = N + T_0), N with text (S = T_0)
  (--intermediates none leaves out these five)
Hash images: u8[k,y,x,c] = ((i * 2654435761) mod 2^32) >> 24 with i = ((k*R + y)*R + x)*3 + c
(64-bit integer arithmetic; Java: (int) (((i * 2654435761L) & 0xFFFFFFFFL) >>> 24)).

Known differences between big_vision (what the Java port follows) and this HF reference, and how
each is handled (docs/model.md#big_vision-and-transformers-at-a-glance). All are float32
rounding-level only; compare with |delta| <= 1e-4:
  * Image-token scaling: transformers 5.24 does NOT divide the image features by sqrt(D) any more
    (get_image_features returns the raw projector output) and scales only the looked-up text
    embeddings (GemmaTextScaledWordEmbedding: embedding * float32(sqrt(D))); the image features are
    scattered into the <image> slots afterwards, unscaled. This is exactly big_vision's semantics,
    so nothing to correct. (Older transformers divided and re-multiplied; not the case here.)
  * Positions: HF numbers positions from 1. By default (--positions bigvision) we pass explicit
    0-indexed position_ids (0..P-1 in prefill, P+i for the i-th decode step), as big_vision does;
    --positions hf keeps HF's own 1-indexing (same attention in exact arithmetic; the RoPE angles
    differ by rounding only). HF computes the angle as pos * inv_freq (big_vision: pos / tau), with
    split-halves pairing in both.
  * LayerNorm variance: PyTorch's LayerNorm (SigLIP) uses a two-pass variance, Flax computes
    E[x^2] - E[x]^2. Not corrected (rounding-level for O(1) activations).
  * q scaling: SigLIP HF multiplies q.k by head_dim^-0.5, big_vision divides q by sqrt(head_dim)
    before the product; Gemma both scale by head_dim^-0.5 (HF after q.k, big_vision on q after
    RoPE). Exact when head_dim is a power of 4 (16, 64, 256); otherwise rounding-level.
  * Attention mask: HF adds float32 min to masked logits; big_vision replaces them by
    -2.3819763e38. Both give exactly 0 after softmax. The prefix mask itself is checked (see below).
  * Vocabulary: HF's embedding is padded to a multiple of 64 rows (>= V + 2) like the converter, the
    extra rows random near the mean embedding, <image> = V. Only the first V logit columns are
    stored, and greedy argmax runs over them only (ties -> lowest id), never HF generate.
  * Pixels: fed directly as pixel_values (NCHW of the stored [R,R,3] arrays), no HF processor.
  * bf16/f16 checkpoints: the weights are upcast to float32 and everything runs in float32. big_vision
    rounds the sqrt(D) embedding constant to bf16 for bf16 weights (docs/model.md#bf16-checkpoints);
    that is not emulated, so use f32 checkpoints for tight parity.
The mask in transformers 5.24: PaliGemmaModel.forward turns token_type_ids into block ids
(0 -> block 0, else -1) and create_causal_mask ORs a "same non-negative block" overlay onto the
causal mask, but only while the cache is empty or pixel_values are given; later decode steps get the
plain causal mask over the cache. Without token_type_ids the prefill mask is plain causal (checked
by hand), so they must be passed (the HF processor does). PaliGemmaConfig also sets
text_config.use_bidirectional_attention = True, which only flips GemmaAttention.is_causal (an SDPA /
flash hint; eager ignores it). The facts are verified at run time: the additive mask captured at
LLM layer 0 in prefill must allow every (query, key) pair of the prefix; in a teacher-forced run
with token_type_ids = 1 on a suffix it must equal big_vision's cumsum(mask_ar) rule; in decode steps
every cached key is visible. Then bv_forward (float64, big_vision semantics) re-computes the prefix
logits and the greedy steps of the first --check examples; on the tiny checkpoints of
make_tiny_npz.py HF differs from it by <= ~4e-5 (0-indexed positions), the cached decode from the
teacher-forced run by <= ~6e-6, and greedy tokens agree.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import TYPE_CHECKING, NoReturn

import numpy as np

if TYPE_CHECKING:  # torch and transformers are imported where used: the numpy reference needs neither
    import torch
    from transformers import DynamicCache, PaliGemmaForConditionalGeneration

PROMPTS = [
    "caption en", "caption es", "caption fr", "caption de", "caption it", "caption ja", "caption zh",
    "caption pt", "caption ru", "describe en", "answer en what is in the image?",
    "answer en how many cats are there?", "answer en what color is the car?",
    "answer en is there a person on the left?", "answer en where is the dog sitting?",
    "answer es ¿qué hay en la imagen?", "answer de was ist das?", "answer fr qu'est-ce que c'est ?",
    "question en what is this", "detect cat", "detect dog ; cat", "detect person ; car ; tree",
    "detect red car", "segment cat", "segment person", "segment the sky", "segment car ; road",
    "ocr", "ocr en", "caption <loc0100><loc0200><loc0300><loc0400>", "<loc0000><loc1023> caption en",
    "detect <seg012> cat", "A photo of a cat sitting on a mat.", "two dogs running in a park",
    "The quick brown fox jumps over the lazy dog", "12345 67890", "3.14159 2.71828", "a", "?",
    "   leading and trailing spaces   ", "tab\tseparated\twords", "multiple    internal    spaces",
    "café naïve résumé", "日本語のテキスト", "中文字符", "한국어 문장", "emoji 😀🐱🚗",
    "Ελληνικά κείμενο", "русский текст", "mixed English 和 中文 and 123",
    "answer en what is written on the sign?", "caption en <loc0512>", "detect <loc0123>",
    "long prompt: the cat sat on the mat while the dog ran under the big green tree near the house",
    "UPPER CASE PROMPT", "punctuation!!! ??? ... ,,, ;;;",
]

BLK = "img/Transformer/encoderblock/"
# Gemma 2's extra RMSNorms (big_vision gemma.py with post_norms=True); their presence marks a PaliGemma 2 checkpoint
POST_NORMS = ("llm/layers/post_attention_norm/scale", "llm/layers/post_ffw_norm/scale")
MHA = BLK + "MultiHeadDotProductAttention_0/"


def die(msg: str) -> NoReturn:
    sys.exit(f"hf_golden: error: {msg}")


# ---------------------------------------------------------------- checkpoint

def load_checkpoint(path: str) -> dict[str, np.ndarray]:
    """All tensors as float32 numpy arrays, keys without `params/`."""
    import ml_dtypes
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        die(f"cannot read checkpoint {path}: {e}")
    out = {}
    for key in z.files:
        a = z[key]
        name = key[len("params/"):] if key.startswith("params/") else key
        if a.dtype.kind == "V" and a.dtype.itemsize == 2:
            a = a.view(ml_dtypes.bfloat16)
        elif a.dtype not in (np.float32, np.float16) and a.dtype != ml_dtypes.bfloat16:
            die(f"{path}: key {key} has dtype {a.dtype}, expected float32, float16 or 2-byte bfloat16")
        out[name] = a.astype(np.float32)
    return out


def shape(p: dict[str, np.ndarray], key: str, ndim: int) -> tuple[int, ...]:
    if key not in p:
        die(f"checkpoint has no key params/{key}")
    if p[key].ndim != ndim:
        die(f"params/{key}: expected {ndim} dims, got shape {p[key].shape}")
    return p[key].shape


def infer_config(p: dict[str, np.ndarray]) -> dict[str, int]:
    """Every model size, read from the tensor shapes."""
    patch, patch2, chans, vw = shape(p, "img/embedding/kernel", 4)
    _, n_img, _ = shape(p, "img/pos_embedding", 3)
    grid = int(round(math.sqrt(n_img)))
    if grid * grid != n_img or patch != patch2 or chans != 3:
        die(f"img/embedding/kernel {p['img/embedding/kernel'].shape} / img/pos_embedding {(1, n_img, vw)}: "
            "expected square patches over 3 channels and a square number of image tokens")
    v_depth, _, v_heads, v_hd = shape(p, MHA + "query/kernel", 4)
    v_mlp = shape(p, BLK + "MlpBlock_0/Dense_0/kernel", 3)[2]
    if v_heads * v_hd != vw:
        die(f"{MHA}query/kernel: heads*head_dim {v_heads}*{v_hd} != vision width {vw}")
    vocab, width = shape(p, "llm/embedder/input_embedding", 2)
    depth, heads, _, head_dim = shape(p, "llm/layers/attn/q_einsum/w", 4)
    kv_heads = shape(p, "llm/layers/attn/kv_einsum/w", 5)[2]
    g = shape(p, "llm/layers/mlp/gating_einsum", 4)
    if g[2] != width and g[3] == width:  # some Gemma releases store [.., F, D]
        p["llm/layers/mlp/gating_einsum"] = np.ascontiguousarray(np.swapaxes(p["llm/layers/mlp/gating_einsum"], 2, 3))
        g = p["llm/layers/mlp/gating_einsum"].shape
    mlp = g[3]
    proj = shape(p, "img/head/kernel", 2)
    if proj != (vw, width):
        die(f"img/head/kernel: expected {(vw, width)}, got {proj}")
    cfg = dict(resolution=grid * patch, patch=patch, n_img=n_img, v_width=vw, v_depth=v_depth, v_heads=v_heads,
               v_head_dim=v_hd, v_mlp=v_mlp, vocab=vocab, width=width, depth=depth, heads=heads,
               kv_heads=kv_heads, head_dim=head_dim, mlp=mlp,
               gemma2=int(POST_NORMS[0] in p or POST_NORMS[1] in p))
    expect = bv_shapes(cfg)
    for k, s in expect.items():
        if k not in p:
            die(f"checkpoint has no key params/{k}")
        if tuple(p[k].shape) != s:
            die(f"params/{k}: expected shape {s}, got {tuple(p[k].shape)}")
    extra = sorted(set(p) - set(expect))
    if extra:
        die(f"checkpoint has unexpected keys: {extra[:5]}")
    return cfg


def bv_shapes(c: dict[str, int]) -> dict[str, tuple[int, ...]]:
    L, w, h, hd = c["v_depth"], c["v_width"], c["v_heads"], c["v_head_dim"]
    D, LL = c["width"], c["depth"]
    s = {"img/embedding/kernel": (c["patch"], c["patch"], 3, w), "img/embedding/bias": (w,),
         "img/pos_embedding": (1, c["n_img"], w),
         BLK + "LayerNorm_0/scale": (L, w), BLK + "LayerNorm_0/bias": (L, w),
         BLK + "LayerNorm_1/scale": (L, w), BLK + "LayerNorm_1/bias": (L, w),
         MHA + "out/kernel": (L, h, hd, w), MHA + "out/bias": (L, w),
         BLK + "MlpBlock_0/Dense_0/kernel": (L, w, c["v_mlp"]), BLK + "MlpBlock_0/Dense_0/bias": (L, c["v_mlp"]),
         BLK + "MlpBlock_0/Dense_1/kernel": (L, c["v_mlp"], w), BLK + "MlpBlock_0/Dense_1/bias": (L, w),
         "img/Transformer/encoder_norm/scale": (w,), "img/Transformer/encoder_norm/bias": (w,),
         "img/head/kernel": (w, D), "img/head/bias": (D,),
         "llm/embedder/input_embedding": (c["vocab"], D),
         "llm/layers/pre_attention_norm/scale": (LL, D),
         "llm/layers/attn/q_einsum/w": (LL, c["heads"], D, c["head_dim"]),
         "llm/layers/attn/kv_einsum/w": (LL, 2, c["kv_heads"], D, c["head_dim"]),
         "llm/layers/attn/attn_vec_einsum/w": (LL, c["heads"], c["head_dim"], D),
         "llm/layers/pre_ffw_norm/scale": (LL, D),
         "llm/layers/mlp/gating_einsum": (LL, 2, D, c["mlp"]),
         "llm/layers/mlp/linear": (LL, c["mlp"], D), "llm/final_norm/scale": (D,)}
    if c.get("gemma2"):
        s.update({k: (LL, D) for k in POST_NORMS})
    for n in ("query", "key", "value"):
        s[MHA + n + "/kernel"] = (L, w, h, hd)
        s[MHA + n + "/bias"] = (L, h, hd)
    return s


# ---------------------------------------------------------------- Gemma 2 settings

def gemma2_settings(c: dict[str, int], final_softcap: float = 30.0, attn_softcap: float = 50.0,
                    query_scale: str = "head-dim", sliding_window: int | None = 4096) -> dict[str, float | int | None]:
    """What a checkpoint cannot carry (docs/model.md#gemma-2): big_vision's gemma2_* defaults (caps 30 and 50,
    q * head_dim^-1/2; width-per-head is the 27B's (width // heads)^-1/2) and transformers' sliding window
    (Gemma2Config's 4096 on layers 0, 2, 4, ...; None = no window, as big_vision). A cap of 0 is off (None in HF)."""
    if query_scale not in ("head-dim", "width-per-head"):
        die(f"query scale {query_scale!r}: expected head-dim or width-per-head")
    if sliding_window is not None and sliding_window < 1:
        die(f"sliding window {sliding_window}: expected >= 1 (or none)")
    scalar = c["head_dim"] if query_scale == "head-dim" else c["width"] // c["heads"]
    return dict(final_logit_softcap=final_softcap or None, attn_logit_softcap=attn_softcap or None,
                query_pre_attn_scalar=scalar, sliding_window=sliding_window)


# ---------------------------------------------------------------- HF model

def hf_vocab_size(vocab: int) -> int:
    """The converter adds <image> (and a pad) and rounds the rows up to a multiple of 64."""
    return (vocab + 2 + 63) // 64 * 64


def to_hf_state_dict(p: dict[str, np.ndarray], c: dict[str, int], hf_vocab: int,
                     rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """big_vision tensors -> HF names and layouts (nn.Linear weight is [out, in])."""
    import torch

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

    sd = {}
    vt, lm = "model.vision_tower.", "model.language_model."
    w, h, hd = c["v_width"], c["v_heads"], c["v_head_dim"]
    sd[vt + "embeddings.patch_embedding.weight"] = t(p["img/embedding/kernel"].transpose(3, 2, 0, 1))
    sd[vt + "embeddings.patch_embedding.bias"] = t(p["img/embedding/bias"])
    sd[vt + "embeddings.position_embedding.weight"] = t(p["img/pos_embedding"][0])
    for layer in range(c["v_depth"]):
        e = f"{vt}encoder.layers.{layer}."
        sd[e + "layer_norm1.weight"] = t(p[BLK + "LayerNorm_0/scale"][layer])
        sd[e + "layer_norm1.bias"] = t(p[BLK + "LayerNorm_0/bias"][layer])
        sd[e + "layer_norm2.weight"] = t(p[BLK + "LayerNorm_1/scale"][layer])
        sd[e + "layer_norm2.bias"] = t(p[BLK + "LayerNorm_1/bias"][layer])
        for bv, hf in (("query", "q_proj"), ("key", "k_proj"), ("value", "v_proj")):
            sd[e + f"self_attn.{hf}.weight"] = t(p[MHA + bv + "/kernel"][layer].reshape(w, h * hd).T)
            sd[e + f"self_attn.{hf}.bias"] = t(p[MHA + bv + "/bias"][layer].reshape(h * hd))
        sd[e + "self_attn.out_proj.weight"] = t(p[MHA + "out/kernel"][layer].reshape(h * hd, w).T)
        sd[e + "self_attn.out_proj.bias"] = t(p[MHA + "out/bias"][layer])
        sd[e + "mlp.fc1.weight"] = t(p[BLK + "MlpBlock_0/Dense_0/kernel"][layer].T)
        sd[e + "mlp.fc1.bias"] = t(p[BLK + "MlpBlock_0/Dense_0/bias"][layer])
        sd[e + "mlp.fc2.weight"] = t(p[BLK + "MlpBlock_0/Dense_1/kernel"][layer].T)
        sd[e + "mlp.fc2.bias"] = t(p[BLK + "MlpBlock_0/Dense_1/bias"][layer])
    sd[vt + "post_layernorm.weight"] = t(p["img/Transformer/encoder_norm/scale"])
    sd[vt + "post_layernorm.bias"] = t(p["img/Transformer/encoder_norm/bias"])
    sd["model.multi_modal_projector.linear.weight"] = t(p["img/head/kernel"].T)
    sd["model.multi_modal_projector.linear.bias"] = t(p["img/head/bias"])

    E = p["llm/embedder/input_embedding"]
    mu, var = E.mean(0, dtype=np.float64), E.var(0, dtype=np.float64)
    extra = mu + rng.standard_normal((hf_vocab - E.shape[0], E.shape[1])) * np.sqrt(1e-5 * var)
    E_hf = t(np.concatenate([E, extra.astype(np.float32)], 0))
    sd[lm + "embed_tokens.weight"] = E_hf
    sd["lm_head.weight"] = E_hf  # tied
    D, H, K, Hd = c["width"], c["heads"], c["kv_heads"], c["head_dim"]
    for layer in range(c["depth"]):
        e = f"{lm}layers.{layer}."
        q = p["llm/layers/attn/q_einsum/w"][layer]            # [H, D, Hd]
        sd[e + "self_attn.q_proj.weight"] = t(q.transpose(0, 2, 1).reshape(H * Hd, D))
        kv = p["llm/layers/attn/kv_einsum/w"][layer]          # [2, K, D, Hd]
        sd[e + "self_attn.k_proj.weight"] = t(kv[0].transpose(0, 2, 1).reshape(K * Hd, D))
        sd[e + "self_attn.v_proj.weight"] = t(kv[1].transpose(0, 2, 1).reshape(K * Hd, D))
        o = p["llm/layers/attn/attn_vec_einsum/w"][layer]     # [H, Hd, D]
        sd[e + "self_attn.o_proj.weight"] = t(o.reshape(H * Hd, D).T)
        gate = p["llm/layers/mlp/gating_einsum"][layer]       # [2, D, F]
        sd[e + "mlp.gate_proj.weight"] = t(gate[0].T)
        sd[e + "mlp.up_proj.weight"] = t(gate[1].T)
        sd[e + "mlp.down_proj.weight"] = t(p["llm/layers/mlp/linear"][layer].T)
        sd[e + "input_layernorm.weight"] = t(p["llm/layers/pre_attention_norm/scale"][layer])
        if c.get("gemma2"):  # Gemma2DecoderLayer: post_attention_layernorm is big_vision's post_attention_norm
            sd[e + "post_attention_layernorm.weight"] = t(p["llm/layers/post_attention_norm/scale"][layer])
            sd[e + "pre_feedforward_layernorm.weight"] = t(p["llm/layers/pre_ffw_norm/scale"][layer])
            sd[e + "post_feedforward_layernorm.weight"] = t(p["llm/layers/post_ffw_norm/scale"][layer])
        else:
            sd[e + "post_attention_layernorm.weight"] = t(p["llm/layers/pre_ffw_norm/scale"][layer])
    sd[lm + "norm.weight"] = t(p["llm/final_norm/scale"])
    return sd


def build_model(c: dict[str, int], hf_vocab: int, ids: dict[str, int | None], max_len: int,
                g2: dict[str, float | int | None] | None = None) -> PaliGemmaForConditionalGeneration:
    """PaliGemma over GemmaConfig, or over Gemma2Config for a Gemma 2 checkpoint (g2: gemma2_settings)."""
    import torch
    from transformers import (
        Gemma2Config,
        GemmaConfig,
        PaliGemmaConfig,
        PaliGemmaForConditionalGeneration,
        SiglipVisionConfig,
    )
    vision = SiglipVisionConfig(
        hidden_size=c["v_width"], intermediate_size=c["v_mlp"], num_hidden_layers=c["v_depth"],
        num_attention_heads=c["v_heads"], num_channels=3, image_size=c["resolution"], patch_size=c["patch"],
        hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6, vision_use_head=False, projection_dim=c["width"])
    common = dict(
        vocab_size=hf_vocab, hidden_size=c["width"], intermediate_size=c["mlp"], num_hidden_layers=c["depth"],
        num_attention_heads=c["heads"], num_key_value_heads=c["kv_heads"], head_dim=c["head_dim"],
        hidden_act="gelu_pytorch_tanh", rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        max_position_embeddings=max(8192, max_len + 1),
        pad_token_id=ids["pad"], eos_token_id=ids["eos"], bos_token_id=ids["bos"])
    if c.get("gemma2"):
        g2 = g2 or gemma2_settings(c)
        window = g2["sliding_window"]
        # Gemma2Config's own pattern: sliding on layers 0, 2, 4, ...; without a window every layer is full
        layers = [("sliding_attention" if window is not None and i % 2 == 0 else "full_attention")
                  for i in range(c["depth"])]
        text = Gemma2Config(**common, query_pre_attn_scalar=g2["query_pre_attn_scalar"],
                            attn_logit_softcapping=g2["attn_logit_softcap"],
                            final_logit_softcapping=g2["final_logit_softcap"],
                            sliding_window=window, layer_types=layers)
    else:
        text = GemmaConfig(**common)
    cfg = PaliGemmaConfig(vision_config=vision, text_config=text, image_token_index=c["vocab"],
                          vocab_size=hf_vocab, projection_dim=c["width"], hidden_size=c["width"])
    cfg._attn_implementation = "eager"
    torch.manual_seed(0)
    model = PaliGemmaForConditionalGeneration(cfg).eval()
    for sub in (model.config.text_config, model.config.vision_config):
        if sub._attn_implementation != "eager":
            die(f"attention implementation is {sub._attn_implementation}, expected eager")
    return model


def load_strict(model: PaliGemmaForConditionalGeneration, sd: dict[str, torch.Tensor]) -> None:
    expected = set(model.state_dict())
    vt, vt4 = "model.vision_tower.", "model.vision_tower.vision_model."
    if any(k.startswith(vt4) for k in expected):  # transformers 4.x nests SigLIP one level deeper
        sd = {(vt4 + k[len(vt):] if k.startswith(vt) else k): v for k, v in sd.items()}
    missing, unexpected = sorted(expected - set(sd)), sorted(set(sd) - expected)
    if missing or unexpected:
        die(f"state dict mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}")
    for k, v in model.state_dict().items():
        if tuple(v.shape) != tuple(sd[k].shape):
            die(f"{k}: HF shape {tuple(v.shape)}, converted {tuple(sd[k].shape)}")
    res = model.load_state_dict(sd, strict=True)
    if res.missing_keys or res.unexpected_keys:
        die(f"load_state_dict: missing {res.missing_keys}, unexpected {res.unexpected_keys}")
    if model.lm_head.weight.data_ptr() != model.model.language_model.embed_tokens.weight.data_ptr():
        die("lm_head is not tied to embed_tokens after loading")


# ---------------------------------------------------------------- big_vision semantics in float64 numpy

def gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def flax_layernorm(x: np.ndarray, scale: np.ndarray, bias: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = np.maximum(0.0, (x * x).mean(-1, keepdims=True) - mean * mean)  # Flax "fast variance"
    return (x - mean) * (scale / np.sqrt(var + eps)) + bias


def rms_norm(x: np.ndarray, s: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * (1.0 + s)


def softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


def bv_vit(p: dict[str, np.ndarray], c: dict[str, int], pixels: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """pixels [R,R,3] -> (per-block hidden states, projector output zimg [N, D]), float64."""
    P = {k: v.astype(np.float64) for k, v in p.items() if k.startswith("img/")}
    g, ps = c["resolution"] // c["patch"], c["patch"]
    x = pixels.astype(np.float64).reshape(g, ps, g, ps, 3).transpose(0, 2, 1, 3, 4).reshape(g * g, ps * ps * 3)
    x = x @ P["img/embedding/kernel"].reshape(ps * ps * 3, -1) + P["img/embedding/bias"]
    x = x + P["img/pos_embedding"][0]
    hidden = [x]
    hd = c["v_head_dim"]
    for layer in range(c["v_depth"]):
        y = flax_layernorm(x, P[BLK + "LayerNorm_0/scale"][layer], P[BLK + "LayerNorm_0/bias"][layer])
        q, k, v = (np.einsum("nd,dhe->nhe", y, P[MHA + n + "/kernel"][layer]) + P[MHA + n + "/bias"][layer]
                   for n in ("query", "key", "value"))
        a = softmax(np.einsum("nhe,mhe->hnm", q / np.sqrt(hd), k))
        o = np.einsum("hnm,mhe->nhe", a, v)
        x = x + np.einsum("nhe,hed->nd", o, P[MHA + "out/kernel"][layer]) + P[MHA + "out/bias"][layer]
        y = flax_layernorm(x, P[BLK + "LayerNorm_1/scale"][layer], P[BLK + "LayerNorm_1/bias"][layer])
        y = gelu_tanh(y @ P[BLK + "MlpBlock_0/Dense_0/kernel"][layer] + P[BLK + "MlpBlock_0/Dense_0/bias"][layer])
        x = x + y @ P[BLK + "MlpBlock_0/Dense_1/kernel"][layer] + P[BLK + "MlpBlock_0/Dense_1/bias"][layer]
        hidden.append(x)
    x = flax_layernorm(x, P["img/Transformer/encoder_norm/scale"], P["img/Transformer/encoder_norm/bias"])
    return hidden, x @ P["img/head/kernel"] + P["img/head/bias"]


def rope(x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """x [T, heads, Hd], split-halves pairing, big_vision angles pos / 10000^(2i/Hd)."""
    half = x.shape[-1] // 2
    tau = 10000.0 ** (2.0 * np.arange(half) / x.shape[-1])
    th = pos[:, None, None] / tau
    a, b = x[..., :half], x[..., half:]
    return np.concatenate([a * np.cos(th) - b * np.sin(th), b * np.cos(th) + a * np.sin(th)], -1)


def soft_cap(x: np.ndarray, cap: float | None) -> np.ndarray:
    return x if not cap else np.tanh(x / cap) * cap


def bv_forward(p: dict[str, np.ndarray], c: dict[str, int], pixels: np.ndarray, text_ids: list[int],
               mask_ar: list[int], g2: dict[str, float | int | None] | None = None) -> np.ndarray:
    """big_vision teacher-forced forward: logits [T, V] at the text positions, float64.
    mask_ar covers the text tokens (image tokens have mask_ar 0). Gemma 2 (g2: gemma2_settings): post norms,
    q * query_pre_attn_scalar^-1/2, the attention soft-cap before the mask, transformers' sliding window on the
    even layers of the rows that are not in the bidirectional prefix (as transformers 5 masks them), and the final
    soft-cap (transformers 5's PaliGemma caps every logit; big_vision's text_logits are not capped)."""
    _, zimg = bv_vit(p, c, pixels)
    E = p["llm/embedder/input_embedding"].astype(np.float64)
    x = np.concatenate([zimg, E[np.asarray(text_ids)] * np.sqrt(c["width"])], 0)
    n = x.shape[0]
    cm = np.cumsum(np.concatenate([np.zeros(c["n_img"], np.int64), np.asarray(mask_ar, np.int64)]))
    allowed = cm[None, :] <= cm[:, None]
    pos = np.arange(n, dtype=np.float64)
    H, K, Hd = c["heads"], c["kv_heads"], c["head_dim"]
    G = H // K
    g2 = (g2 or gemma2_settings(c)) if c.get("gemma2") else None
    scale = (g2["query_pre_attn_scalar"] if g2 else Hd) ** -0.5
    window = g2["sliding_window"] if g2 else None
    if window is not None:
        i = np.arange(n)
        in_prefix = cm == 0
        windowed = allowed & (i[None, :] > i[:, None] - window)
        windowed |= allowed & in_prefix[:, None] & in_prefix[None, :]
    for layer in range(c["depth"]):
        def f(key: str, layer: int = layer) -> np.ndarray:
            return p[key][layer].astype(np.float64)

        u = rms_norm(x, f("llm/layers/pre_attention_norm/scale"))
        q = rope(np.einsum("td,hde->the", u, f("llm/layers/attn/q_einsum/w")), pos) * scale
        kv = f("llm/layers/attn/kv_einsum/w")
        k = rope(np.einsum("td,kde->tke", u, kv[0]), pos)
        v = np.einsum("td,kde->tke", u, kv[1])
        logits = np.einsum("the,she->hts", q, k[:, np.arange(H) // G])
        logits = soft_cap(logits, g2["attn_logit_softcap"] if g2 else None)
        mask = windowed if window is not None and layer % 2 == 0 else allowed
        logits = np.where(mask[None], logits, -2.3819763e38)
        o = np.einsum("hts,she->the", softmax(logits), v[:, np.arange(H) // G])
        y = np.einsum("the,hed->td", o, f("llm/layers/attn/attn_vec_einsum/w"))
        x = x + (rms_norm(y, f(POST_NORMS[0])) if g2 else y)
        w = rms_norm(x, f("llm/layers/pre_ffw_norm/scale"))
        g = f("llm/layers/mlp/gating_einsum")
        y = (gelu_tanh(w @ g[0]) * (w @ g[1])) @ f("llm/layers/mlp/linear")
        x = x + (rms_norm(y, f(POST_NORMS[1])) if g2 else y)
    x = rms_norm(x, p["llm/final_norm/scale"].astype(np.float64))
    return soft_cap(x[c["n_img"]:] @ E.T, g2["final_logit_softcap"] if g2 else None)


# ---------------------------------------------------------------- HF runs

class MaskProbe:
    """Captures the additive attention mask that the first full-attention layer of the LLM receives (layer 0, or
    layer 1 of a Gemma 2 with a sliding window, whose even layers see a windowed mask)."""

    def __init__(self, model: PaliGemmaForConditionalGeneration) -> None:
        self.masks = []
        types = getattr(model.config.text_config, "layer_types", None) or ["full_attention"]
        first = types.index("full_attention") if "full_attention" in types else 0
        model.model.language_model.layers[first].self_attn.register_forward_pre_hook(self._hook, with_kwargs=True)

    def _hook(self, module: torch.nn.Module, args: tuple, kwargs: dict) -> None:
        m = kwargs.get("attention_mask")
        self.masks.append(None if m is None else m.detach().clone())

    def last_allowed(self, q_len: int, kv_len: int) -> np.ndarray:
        m = self.masks[-1]
        if m is None:
            return np.ones((q_len, kv_len), bool)  # no mask at all: everything visible
        return (m[0, 0].float().numpy() == 0.0)


def hf_forward(model: PaliGemmaForConditionalGeneration, ids: list[int], pixels_nchw: torch.Tensor | None,
               token_type: list[int] | None, pos_base: int | None, cache: DynamicCache | None = None,
               past: int = 0) -> tuple[np.ndarray, DynamicCache]:
    import torch
    n = len(ids)
    kw = dict(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, past + n, dtype=torch.long),
              use_cache=True)
    if pixels_nchw is not None:
        kw["pixel_values"] = pixels_nchw
    if token_type is not None:
        kw["token_type_ids"] = torch.tensor([token_type])
    if pos_base is not None:
        kw["position_ids"] = torch.arange(past, past + n).unsqueeze(0) + pos_base
    # transformers 5 names the cache argument and output `cache`, 4.x `past_key_values`
    key = "past_key_values" if transformers_major() < 5 else "cache"
    if cache is not None:
        kw[key] = cache
    with torch.no_grad():
        out = model(**kw)
    return out.logits[0].float().numpy(), getattr(out, key)


def transformers_major() -> int:
    import transformers
    return int(transformers.__version__.split(".")[0])


def argmax_margin(row: np.ndarray) -> tuple[int, float]:
    """Greedy choice over the first V logits: lowest id among the maxima; and top1 - top2."""
    i = int(np.argmax(row))  # numpy returns the first maximum
    top2 = np.partition(row, -2)[-2:]
    return i, float(top2[1] - top2[0])


def greedy(model: PaliGemmaForConditionalGeneration, c: dict[str, int], prefix: list[int], pixels_nchw: torch.Tensor,
           pos_base: int | None, eos: int, max_tokens: int,
           probe: MaskProbe) -> tuple[np.ndarray, list[int], list[float], np.ndarray]:
    from transformers import DynamicCache
    V, n = c["vocab"], len(prefix)
    cache = DynamicCache(config=model.config.text_config)
    logits, cache = hf_forward(model, prefix, pixels_nchw, [0] * n, pos_base, cache, 0)
    prefix_logits = logits[:, :V]
    if not probe.last_allowed(n, n).all():
        die("HF prefill mask is not fully bidirectional over the prefix")
    row = prefix_logits[-1]
    toks, margins, rows = [], [], []
    while True:
        t, m = argmax_margin(row)
        toks.append(t), margins.append(m), rows.append(row)
        if t == eos or len(toks) >= max_tokens:
            break
        logits, cache = hf_forward(model, [t], None, None, pos_base, cache, n + len(toks) - 1)
        if not probe.last_allowed(1, n + len(toks)).all():
            die("HF decode-step mask hides part of the cache")
        row = logits[-1, :V]
    return prefix_logits, toks, margins, np.stack(rows)


def check_suffix_mask(model: PaliGemmaForConditionalGeneration, c: dict[str, int], prefix: list[int],
                      pixels_nchw: torch.Tensor, suffix: list[int], pos_base: int | None,
                      probe: MaskProbe) -> tuple[bool, np.ndarray]:
    """Teacher-forced prefix + suffix with token_type_ids 1 on the suffix: the mask must be
    big_vision's cumsum(mask_ar) rule. Returns the HF logits at every text position."""
    ids = prefix + suffix
    tt = [0] * len(prefix) + [1] * len(suffix)
    logits, _ = hf_forward(model, ids, pixels_nchw, tt, pos_base)
    cm = np.cumsum([0] * len(prefix) + [1] * len(suffix))
    want = cm[None, :] <= cm[:, None]
    got = probe.last_allowed(len(ids), len(ids))
    return bool((got == want).all()), logits[c["n_img"]:, :c["vocab"]]


def capture_intermediates(model: PaliGemmaForConditionalGeneration, prefix: list[int], pixels_nchw: torch.Tensor,
                          pos_base: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import torch
    lm, vt = model.model.language_model, model.model.vision_tower
    store = {"vit": [], "llm": [], "final": []}
    hooks = [vt.encoder.layers[0].register_forward_pre_hook(
        lambda m, a, k: store["vit"].append((a[0] if a else k["hidden_states"]).detach().clone()), with_kwargs=True),
        lm.layers[0].register_forward_pre_hook(
        lambda m, a, k: store["llm"].append((a[0] if a else k["hidden_states"]).detach().clone()), with_kwargs=True),
        lm.norm.register_forward_hook(lambda m, a, o: store["final"].append(o.detach().clone()))]
    for layer in vt.encoder.layers:
        hooks.append(layer.register_forward_hook(lambda m, a, o: store["vit"].append(
            (o[0] if isinstance(o, tuple) else o).detach().clone())))
    for layer in lm.layers:
        hooks.append(layer.register_forward_hook(lambda m, a, o: store["llm"].append(
            (o[0] if isinstance(o, tuple) else o).detach().clone())))
    hf_forward(model, prefix, pixels_nchw, [0] * len(prefix), pos_base)
    for h in hooks:
        h.remove()
    with torch.no_grad():
        zimg = model.model.get_image_features(pixels_nchw).pooler_output
    def f(ts: list[torch.Tensor]) -> np.ndarray:
        return torch.cat(ts, 0).float().numpy()

    return (f(store["vit"]), f(store["llm"]), store["final"][0][0].float().numpy(), zimg[0].float().numpy())


# ---------------------------------------------------------------- inputs

def read_examples(args: argparse.Namespace, vocab: int) -> tuple[list[str], list[list[int]], dict[str, int | None]]:
    ids = {"pad": 0, "eos": args.eos_id, "bos": None}
    if args.ids_file:
        with open(args.ids_file, encoding="utf-8") as f:
            lines = [line.split("#")[0].split() for line in f]
        texts = [[int(x) for x in line] for line in lines if line]
        prompts = [""] * len(texts)
        ids["bos"] = texts[0][0] if texts else 2
        if ids["eos"] is None:
            ids["eos"] = 1
    else:
        import sentencepiece as spm
        try:
            sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
        except (OSError, RuntimeError) as e:
            die(f"cannot read tokenizer {args.tokenizer}: {e}")
        if sp.get_piece_size() != vocab and not args.allow_vocab_mismatch:
            die(f"tokenizer {args.tokenizer} has {sp.get_piece_size()} pieces, checkpoint vocab is {vocab}")
        ids.update(pad=max(sp.pad_id(), 0), eos=sp.eos_id() if args.eos_id is None else args.eos_id, bos=sp.bos_id())
        if args.prompts:
            with open(args.prompts, encoding="utf-8") as f:
                prompts = [line.rstrip("\r\n") for line in f if line.rstrip("\r\n")]
        else:
            prompts = list(PROMPTS)
        sep = sp.encode("\n")
        if not sep:
            die(f"tokenizer {args.tokenizer} encodes the '\\n' separator to nothing")
        texts = [[ids["bos"]] + sp.encode(pr) + sep for pr in prompts]
    if not texts:
        die("no examples")
    for i, t in enumerate(texts):
        bad = [x for x in t if not 0 <= x < vocab]
        if bad:
            die(f"example {i}: token ids {bad[:5]} outside the checkpoint vocab [0, {vocab})")
    return prompts, texts, ids


def hash_images(k: int, r: int) -> np.ndarray:
    i = np.arange(k * r * r * 3, dtype=np.uint64).reshape(k, r, r, 3)
    return (((i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(24)).astype(np.uint8)


def make_images(args: argparse.Namespace, c: dict[str, int],
                rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    R, K = c["resolution"], args.num_images
    if args.images == "float":
        pix = rng.uniform(-1.0, 1.0, (K, R, R, 3)).astype(np.float32)
        return {"pixels": pix}, pix
    u8 = hash_images(K, R) if args.images == "hash" else rng.integers(0, 256, (K, R, R, 3), dtype=np.uint8)
    pix = u8.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    return ({} if args.omit_images else {"image_u8": u8}), pix


def ragged(rows: list[list[int]]) -> np.ndarray:
    offs = np.zeros(len(rows) + 1, np.int32)
    offs[1:] = np.cumsum([len(r) for r in rows])
    return offs


def rows_or_empty(blocks: list[np.ndarray], v: int) -> np.ndarray:
    return np.concatenate(blocks).astype(np.float32) if blocks else np.zeros((0, v), np.float32)


# ---------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--tokenizer")
    src.add_argument("--ids-file")
    ap.add_argument("--prompts")
    ap.add_argument("--eos-id", type=int)
    ap.add_argument("--allow-vocab-mismatch", action="store_true")
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--num-images", type=int, default=2)
    ap.add_argument("--images", choices=["random", "hash", "float"], default="random")
    ap.add_argument("--omit-images", action="store_true", help="with --images hash: do not store image_u8")
    ap.add_argument("--full-logits", type=int, default=4, help="examples with logits at every prefix text "
                    "position and every greedy step (-1: all)")
    ap.add_argument("--positions", choices=["bigvision", "hf"], default="bigvision")
    ap.add_argument("--intermediates", choices=["full", "text", "none"], default="full")
    ap.add_argument("--check", type=int, default=2, help="examples re-computed with the float64 big_vision "
                    "reference (prefix + greedy suffix, teacher-forced)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--final-logit-softcap", type=float, default=30.0, help="Gemma 2 only (0 = off)")
    ap.add_argument("--attn-logit-softcap", type=float, default=50.0, help="Gemma 2 only (0 = off)")
    ap.add_argument("--query-scale", choices=["head-dim", "width-per-head"], default="head-dim", help="Gemma 2 only")
    ap.add_argument("--sliding-window", type=int, default=4096, help="Gemma 2 only: transformers' window on the "
                    "even layers (0 = none, as big_vision)")
    ap.add_argument("--out", default="golden.npz")
    args = ap.parse_args()
    if args.omit_images and args.images != "hash":
        ap.error("--omit-images needs --images hash (the Java side must be able to re-create them)")
    if args.num_images < 1 or args.max_tokens < 1:
        ap.error("--num-images and --max-tokens must be >= 1")

    import torch
    import transformers
    torch.set_num_threads(args.threads)
    t0 = time.time()
    p = load_checkpoint(args.checkpoint)
    c = infer_config(p)
    prompts, texts, ids = read_examples(args, c["vocab"])
    B, N, V = len(texts), c["n_img"], c["vocab"]
    F = B if args.full_logits < 0 else min(args.full_logits, B)
    rng = np.random.default_rng(args.seed)
    hf_vocab = hf_vocab_size(V)
    pos_base = 0 if args.positions == "bigvision" else None  # None: HF's own 1-indexed default
    max_len = N + max(len(t) for t in texts) + args.max_tokens
    g2 = gemma2_settings(c, args.final_logit_softcap, args.attn_logit_softcap, args.query_scale,
                         args.sliding_window or None) if c["gemma2"] else None
    model = build_model(c, hf_vocab, ids, max_len, g2)
    load_strict(model, to_hf_state_dict(p, c, hf_vocab, rng))
    image_store, pixels = make_images(args, c, rng)
    probe = MaskProbe(model)
    t_load = time.time() - t0
    print(f"config {json.dumps(c)}; HF vocab {hf_vocab}; {B} examples; transformers {transformers.__version__}, "
          f"torch {torch.__version__}; load {t_load:.1f}s", flush=True)

    nchw = [torch.from_numpy(pixels[k].transpose(2, 0, 1)[None].copy()) for k in range(len(pixels))]
    M = args.max_tokens
    logits_last = np.zeros((B, V), np.float32)
    g_tokens = np.full((B, M), -1, np.int32)
    g_margin = np.full((B, M), -1.0, np.float32)
    g_len = np.zeros(B, np.int32)
    full_prefix, full_greedy = [], []
    for b, text in enumerate(texts):
        prefix = [c["vocab"]] * N + text
        pl, toks, margins, rows = greedy(model, c, prefix, nchw[b % len(nchw)], pos_base, ids["eos"], M, probe)
        logits_last[b] = pl[-1]
        g_tokens[b, :len(toks)], g_margin[b, :len(toks)], g_len[b] = toks, margins, len(toks)
        if b < F:
            full_prefix.append(pl[N:])
            full_greedy.append(rows)
    t_run = time.time() - t0 - t_load
    print(f"prefill + greedy for {B} examples: {t_run:.1f}s", flush=True)

    checks = {"prefix_mask_bidirectional": True, "decode_mask_sees_cache": True}
    worst = {"hf_vs_bv64_prefix": 0.0, "hf_vs_bv64_greedy_steps": 0.0, "cached_vs_teacher_forced": 0.0}
    bv64_rows, bv64_offsets = [], [0]
    for b in range(min(args.check, B)):
        k = b % len(nchw)
        prefix = [c["vocab"]] * N + texts[b]
        suffix = [int(t) for t in g_tokens[b, :g_len[b] - 1]]  # the tokens fed back during decoding
        ok, tf = check_suffix_mask(model, c, prefix, nchw[k], suffix, pos_base, probe)
        checks[f"suffix_mask_matches_bigvision_{b}"] = ok
        if not ok:
            die(f"example {b}: HF mask with a token_type_ids=1 suffix differs from big_vision's rule")
        mask_ar = [0] * len(texts[b]) + [1] * len(suffix)
        ref = bv_forward(p, c, pixels[k], texts[b] + suffix, mask_ar, g2)
        T = len(texts[b])
        hf_prefix = logits_last[b][None] if b >= F else full_prefix[b]
        ref_prefix = ref[T - 1:T] if b >= F else ref[:T]
        # float64 big_vision-semantics logits: every text position of the prefix for the first F examples,
        # the last prefix position (the one that drives decoding) for the others
        bv64_rows.append(ref[:T] if b < F else ref[T - 1:T])
        bv64_offsets.append(bv64_offsets[-1] + len(bv64_rows[-1]))
        worst["hf_vs_bv64_prefix"] = max(worst["hf_vs_bv64_prefix"], float(np.abs(hf_prefix - ref_prefix).max()))
        steps_ref = ref[T - 1:]  # logits that chose each greedy token
        if b < F:
            worst["hf_vs_bv64_greedy_steps"] = max(worst["hf_vs_bv64_greedy_steps"],
                                                   float(np.abs(full_greedy[b] - steps_ref).max()))
            worst["cached_vs_teacher_forced"] = max(worst["cached_vs_teacher_forced"],
                                                    float(np.abs(full_greedy[b] - tf[T - 1:]).max()))
        ref_toks = [int(np.argmax(r)) for r in steps_ref]
        checks[f"greedy_matches_bv64_{b}"] = ref_toks == [int(t) for t in g_tokens[b, :g_len[b]]]
    print(f"checks {checks}; max |delta logit| {worst}", flush=True)

    out = dict(image_store)
    if bv64_rows:
        out.update(bv64_prefix_logits=np.concatenate(bv64_rows).astype(np.float32),
                   bv64_prefix_offsets=np.asarray(bv64_offsets, np.int32))
    vit_h = llm_h = llm_f = zimg = None
    if args.intermediates != "none":
        vit_h, llm_h, llm_f, zimg = capture_intermediates(model, [c["vocab"]] * N + texts[0], nchw[0], pos_base)
        _, ref_z = bv_vit(p, c, pixels[0])
        worst["zimg_hf_vs_bv64"] = float(np.abs(zimg - ref_z).max())
        first = 0 if args.intermediates == "full" else N
        out.update(zimg0=zimg, llm_hidden0=np.ascontiguousarray(llm_h[:, first:]),
                   llm_final0=np.ascontiguousarray(llm_f[first:]), llm_hidden0_first_pos=np.int32(first))
        if args.intermediates == "full":
            out["vit_hidden0"] = vit_h
    pu = [pr.encode("utf-8") for pr in prompts]
    meta = dict(config=c, gemma2=g2, hf_vocab=hf_vocab, image_token_id=c["vocab"], ids=ids, examples=B, full_logits=F,
                max_tokens=M, seed=args.seed, positions=args.positions,
                position_base=0 if pos_base == 0 else 1, checkpoint=args.checkpoint,
                tokenizer=args.tokenizer, ids_file=args.ids_file, images=args.images, omit_images=args.omit_images,
                pixels="float32" if args.images == "float" else "uint8 -> f32(u)/127.5f - 1f",
                intermediates=args.intermediates, transformers=transformers.__version__, torch=torch.__version__,
                checks=checks, max_abs_diff=worst, seconds=dict(load=round(t_load, 2), run=round(t_run, 2)))
    out.update(
        meta_json=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
        vocab=np.int32(V), n_img=np.int32(N), resolution=np.int32(c["resolution"]), bos_id=np.int32(ids["bos"]),
        eos_id=np.int32(ids["eos"]), position_base=np.int32(meta["position_base"]), max_tokens=np.int32(M),
        prompt_utf8=np.frombuffer(b"".join(pu), np.uint8), prompt_offsets=ragged(pu),
        text_ids=np.concatenate([np.asarray(t, np.int32) for t in texts]), text_offsets=ragged(texts),
        image_index=(np.arange(B) % len(nchw)).astype(np.int32), logits_last=logits_last,
        logits_prefix=rows_or_empty(full_prefix, V), logits_prefix_offsets=ragged(full_prefix),
        greedy_tokens=g_tokens, greedy_lengths=g_len, greedy_margin=g_margin,
        greedy_logits=rows_or_empty(full_greedy, V), greedy_logits_offsets=ragged(full_greedy))
    np.savez(args.out, **out)
    import os
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes) in {time.time() - t0:.1f}s total; "
          f"max |delta logit| {worst}")
    for k, v in out.items():
        if k != "meta_json":
            print(f"  {k:22s} {str(v.dtype):8s} {tuple(v.shape)}")


if __name__ == "__main__":
    main()
