#!/usr/bin/env python3
"""Dumps the same named stages as bigvision_dump.py, computed by Hugging Face transformers.

The big_vision-layout .npz is converted to `PaliGemmaForConditionalGeneration` (PyTorch, CPU,
float32, eager attention) by the converter of scripts/reference/hf_golden.py
(docs/model.md#transformers-weight-mapping; strict load, tied lm_head, 64-row padded vocabulary as
the official converter makes it). The stages are read with forward hooks, so they are what HF
computes:

  img/pixels [R*R, 3]             the pixels given to HF (see --resize)
  img/embed [N_img, W]            vision_tower embeddings (patch + position)
  img/block_{l} [N_img, W]        vision encoder layer l output
  img/encoder_norm [N_img, W]     post_layernorm output
  img/zimg [N_img, D]             multi_modal_projector output (before HF's / sqrt(D))
  llm/text_embed [T_text, D]      text rows of the decoder input (HF: embedding x normalizer)
  llm/layer_{l} [N_img+T_text, D] decoder layer l output
  llm/final_norm [N_img+T_text, D]
  llm/prefix_logits [T_text, V]   lm_head output at the text positions, first V columns (the checkpoint's
                                  vocabulary; HF's 64 extra random rows are dropped); not final-soft-capped,
                                  as big_vision's stage logits (transformers 5 caps PaliGemma 2's logits after)
  tokens/greedy int32 [n]         greedy ids with an f32 KV cache (HF has no bf16 cache), up to
                                  but excluding the first eos
  tokens/greedy_margin [n]        top1 - top2 logit at each greedy step
  meta/prefix_ids, meta/*         as in bigvision_dump.py; meta/source = "transformers"

No tokens/beam2: HF's beam search (length penalty, early-stopping rules) is not big_vision's, so
a comparison would only measure that difference. The prompt ids are big_vision's layout:
[<bos>] + sp.encode(prompt) + sp.encode("\\n") (docs/model.md#model-input).

--resize bilinear / bilinear-antialias reproduce big_vision's pipeline with TensorFlow
(decode_image, tf.image.resize, clip + cast to uint8, /127.5 - 1), so pixels equal a big_vision
dump's; --resize hf-bicubic is HF's SiglipImageProcessor recipe (PIL bicubic, rescale, normalise
0.5/0.5). --pixels-from DUMP.npz takes img/pixels from an existing dump instead.
--positions hf (default) uses HF's 1-based positions, --positions bigvision 0-based ones.

PaliGemma 2 (a checkpoint with llm/layers/post_*_norm/scale) runs as PaliGemma over a Gemma2Config
(scripts/reference/hf_golden.py: post norms, grouped-query attention) with big_vision's gemma2_* settings
unless overridden: --final-logit-softcap F (30), --attn-logit-softcap F (50), --query-scale
head-dim|width-per-head, and transformers' --sliding-window N (Gemma2Config's 4096 on layers 0, 2, 4, ...;
0 = none). transformers leaves the bidirectional prefix unwindowed, so a window only changes the greedy
decode steps (docs/model.md#gemma-2). --embed-scale bigvision multiplies the text embeddings by big_vision's
sqrt(D), which is bfloat16-rounded for a bf16 checkpoint (docs/model.md#bf16-checkpoints), instead of HF's
float32 one (--embed-scale hf, the default); meta/gemma and meta/embed_scale record what ran.

usage: transformers_dump.py --checkpoint C.npz --tokenizer T.model --image I.png
       (--prompt P --out DUMP.npz | --prompts-file F --out-dir D) [--max-tokens 32]
       [--resize bilinear|bilinear-antialias|hf-bicubic] [--pixels-from DUMP.npz]
       [--positions hf|bigvision] [--compress] [--embed-scale hf|bigvision]
       [--final-logit-softcap F] [--attn-logit-softcap F] [--query-scale Q] [--sliding-window N]
Needs scripts/reference/hf_golden.py (or HF_GOLDEN_DIR pointing at the folder holding it).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

import dumps

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("HF_GOLDEN_DIR", os.path.join(HERE, "..", "reference")))
try:
    import hf_golden as hg  # noqa: E402
except ImportError:
    sys.exit("transformers_dump: needs scripts/reference/hf_golden.py (or set HF_GOLDEN_DIR)")

RESIZES = ("bilinear", "bilinear-antialias", "hf-bicubic")

if TYPE_CHECKING:  # torch is imported where used
    import torch


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--prompt")
    p.add_argument("--out")
    p.add_argument("--prompts-file")
    p.add_argument("--out-dir")
    p.add_argument("--max-tokens", type=int, default=32)
    p.add_argument("--resize", choices=RESIZES, default="bilinear")
    p.add_argument("--pixels-from", help="take img/pixels from this dump (e.g. bigvision_dump's)")
    p.add_argument("--positions", choices=("hf", "bigvision"), default="hf")
    p.add_argument("--compress", action="store_true")
    p.add_argument("--embed-scale", choices=("hf", "bigvision"), default="hf")
    p.add_argument("--final-logit-softcap", type=float, default=30.0, help="PaliGemma 2 only (0 = off)")
    p.add_argument("--attn-logit-softcap", type=float, default=50.0, help="PaliGemma 2 only (0 = off)")
    p.add_argument("--query-scale", choices=("head-dim", "width-per-head"), default="head-dim")
    p.add_argument("--sliding-window", type=int, default=4096, help="PaliGemma 2 only (0 = none)")
    a = p.parse_args(argv)
    for flag, path in (("--checkpoint", a.checkpoint), ("--tokenizer", a.tokenizer),
                       ("--image", a.image), ("--prompts-file", a.prompts_file),
                       ("--pixels-from", a.pixels_from)):
        if path is not None and not os.path.isfile(path):
            p.error(f"{flag} {path}: no such file")
    if (a.prompt is None) == (a.prompts_file is None):
        p.error("give exactly one of --prompt (with --out) or --prompts-file (with --out-dir)")
    if a.prompt is not None and not a.out:
        p.error("--prompt needs --out")
    if a.prompts_file is not None and not a.out_dir:
        p.error("--prompts-file needs --out-dir")
    return a


def pixels(a: argparse.Namespace, resolution: int) -> np.ndarray:
    """[R, R, 3] float32 in [-1, 1]."""
    if a.pixels_from:
        with np.load(a.pixels_from) as z:
            px = z["img/pixels"].astype(np.float32)
        if px.shape != (resolution * resolution, 3):
            sys.exit(f"--pixels-from {a.pixels_from}: img/pixels has shape {px.shape}, "
                     f"expected {(resolution * resolution, 3)}")
        return px.reshape(resolution, resolution, 3)
    if a.resize == "hf-bicubic":
        from PIL import Image
        img = Image.open(a.image).convert("RGB").resize((resolution, resolution),
                                                        Image.Resampling.BICUBIC)
        x = np.asarray(img, np.float32) * np.float32(1 / 255)
        return ((x - np.float32(0.5)) / np.float32(0.5)).astype(np.float32)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    with open(a.image, "rb") as f:
        img = tf.io.decode_image(f.read(), channels=3, expand_animations=False)
    img = tf.image.resize(img, (resolution, resolution), method="bilinear",
                          antialias=a.resize == "bilinear-antialias")
    img = tf.cast(tf.clip_by_value(img, 0, 255), tf.uint8)
    return (tf.cast(img, tf.float32) / 255.0 * 2.0 - 1.0).numpy()


class Dumper:
    def __init__(self, a: argparse.Namespace) -> None:
        import sentencepiece as spm
        import torch
        torch.set_num_threads(1)
        self.a = a
        self.p = hg.load_checkpoint(a.checkpoint)
        self.c = hg.infer_config(self.p)
        self.sp = spm.SentencePieceProcessor(model_file=a.tokenizer)
        if self.sp.GetPieceSize() != self.c["vocab"]:
            sys.exit(f"--tokenizer {a.tokenizer} has {self.sp.GetPieceSize()} pieces but the "
                     f"checkpoint vocabulary has {self.c['vocab']} rows")
        self.ids = dict(pad=self.sp.pad_id(), eos=self.sp.eos_id(), bos=self.sp.bos_id())
        hf_vocab = hg.hf_vocab_size(self.c["vocab"])
        self.g2 = hg.gemma2_settings(self.c, a.final_logit_softcap, a.attn_logit_softcap, a.query_scale,
                                     a.sliding_window or None) if self.c["gemma2"] else None
        self.model = hg.build_model(self.c, hf_vocab, self.ids, self.c["n_img"] + 4096, self.g2)
        hg.load_strict(self.model, hg.to_hf_state_dict(self.p, self.c, hf_vocab,
                                                       np.random.default_rng(0)))
        self.embed_scale = self.set_embed_scale(a.embed_scale)
        self.pos_base = 1 if a.positions == "hf" else 0
        px = pixels(a, self.c["resolution"])
        self.px = px
        self.px_nchw = torch.from_numpy(np.ascontiguousarray(px.transpose(2, 0, 1)))[None]

    def set_embed_scale(self, how: str) -> float:
        """HF's float32 sqrt(D), or big_vision's: bfloat16-rounded when the checkpoint's embedding is bfloat16."""
        import ml_dtypes
        import torch
        d = self.c["width"]
        scale = float(np.float32(d ** 0.5))
        with np.load(self.a.checkpoint) as z:
            key = next(k for k in z.files if k.endswith("llm/embedder/input_embedding"))
            bf16 = z[key].dtype.kind == "V" and z[key].dtype.itemsize == 2
        if how == "bigvision" and bf16:
            scale = float(np.asarray(d ** 0.5, ml_dtypes.bfloat16).astype(np.float32))
        emb = self.model.model.language_model.embed_tokens
        if not hasattr(emb, "embed_scale"):
            if how == "bigvision" and bf16:
                sys.exit("--embed-scale bigvision needs transformers 5 (a scaled word embedding)")
            return scale
        with torch.no_grad():
            emb.embed_scale.fill_(scale)
        return scale

    def stages(self, prefix: list[int]) -> dict[str, np.ndarray]:
        m = self.model
        vt, lm = m.model.vision_tower, m.model.language_model
        vt = getattr(vt, "vision_model", vt)
        got, hooks = {}, []

        def keep(name: str) -> Callable[[torch.nn.Module, tuple, object], None]:
            def hook(_mod: torch.nn.Module, _args: tuple, out: object) -> None:
                got[name] = (out[0] if isinstance(out, tuple) else out)[0].detach().float().numpy()
            return hook
        hooks.append(vt.embeddings.register_forward_hook(keep("img/embed")))
        for i, layer in enumerate(vt.encoder.layers):
            hooks.append(layer.register_forward_hook(keep(f"img/block_{i}")))
        hooks.append(vt.post_layernorm.register_forward_hook(keep("img/encoder_norm")))
        hooks.append(m.model.multi_modal_projector.register_forward_hook(keep("img/zimg")))

        def layer0_input(_mod: torch.nn.Module, args: tuple, kwargs: dict) -> None:
            h = args[0] if args else kwargs["hidden_states"]
            got["llm/input"] = h[0].detach().float().numpy()
        hooks.append(lm.layers[0].register_forward_pre_hook(layer0_input, with_kwargs=True))
        for i, layer in enumerate(lm.layers):
            hooks.append(layer.register_forward_hook(keep(f"llm/layer_{i}")))
        hooks.append(lm.norm.register_forward_hook(keep("llm/final_norm")))
        hooks.append(m.lm_head.register_forward_hook(keep("llm/logits")))  # before PaliGemma 2's final cap
        n_img, V = self.c["n_img"], self.c["vocab"]
        image_ids = [self.c["vocab"]] * n_img  # HF's <image> placeholder id
        hg.hf_forward(m, image_ids + prefix, self.px_nchw, [0] * (n_img + len(prefix)), self.pos_base)
        for h in hooks:
            h.remove()
        got["llm/text_embed"] = got.pop("llm/input")[n_img:]
        got["llm/prefix_logits"] = got.pop("llm/logits")[n_img:, :V]
        got["img/pixels"] = self.px.reshape(-1, 3)
        return {k: np.ascontiguousarray(v, np.float32) for k, v in got.items()}  # C order: the Java reader's

    def greedy(self, prefix: list[int]) -> tuple[list[int], list[float], bool]:
        import torch
        from transformers import DynamicCache
        m, n_img, V = self.model, self.c["n_img"], self.c["vocab"]
        ids = [self.c["vocab"]] * n_img + prefix
        cache = DynamicCache(config=m.config.text_config)
        logits, cache = hg.hf_forward(m, ids, self.px_nchw, [0] * len(ids), self.pos_base, cache, 0)
        row, toks, margins = logits[-1, :V], [], []
        while True:
            t = int(np.argmax(row))
            if t == self.ids["eos"]:
                return toks, margins, True
            top2 = np.partition(row, -2)[-2:]
            toks.append(t)
            margins.append(float(top2[1] - top2[0]))
            if len(toks) >= self.a.max_tokens:
                return toks, margins, False
            with torch.no_grad():
                logits, cache = hg.hf_forward(m, [t], None, None, self.pos_base, cache,
                                              len(ids) + len(toks) - 1)
            row = logits[-1, :V]

    def dump(self, prompt: str, out_path: str) -> None:
        import torch
        import transformers
        a, t0 = self.a, time.time()
        prefix = [self.ids["bos"]] + self.sp.encode(prompt) + self.sp.encode("\n")
        out = self.stages(prefix)
        greedy, margins, hit_eos = self.greedy(prefix)
        out["tokens/greedy"] = np.array(greedy, np.int32)
        out["tokens/greedy_margin"] = np.array(margins, np.float32)
        out["meta/prefix_ids"] = np.array(prefix, np.int32)
        meta_str = dict(
            prompt=prompt, image=os.path.basename(a.image),
            checkpoint=os.path.basename(a.checkpoint), tokenizer=os.path.basename(a.tokenizer),
            resize="pixels-from:" + os.path.basename(a.pixels_from) if a.pixels_from else a.resize,
            kv_cache_dtype="float32", positions=a.positions, backend="cpu",
            greedy_text=self.sp.decode(greedy), source="transformers",
            script="scripts/parity/transformers_dump.py", torch_version=torch.__version__,
            transformers_version=transformers.__version__, numpy_version=np.__version__,
            embed_scale=f"{a.embed_scale} ({self.embed_scale!r})",
            gemma="gemma1" if self.g2 is None else ", ".join(f"{k}={v}" for k, v in self.g2.items()))
        for k, v in meta_str.items():
            out[f"meta/{k}"] = dumps.utf8(v)
        meta_int = dict(resolution=self.c["resolution"], n_img=self.c["n_img"],
                        max_tokens=a.max_tokens, eos_id=self.ids["eos"], bos_id=self.ids["bos"],
                        greedy_hit_eos=int(hit_eos), position_base=self.pos_base)
        for k, v in meta_int.items():
            out[f"meta/{k}"] = np.array(v, np.int32)
        (np.savez_compressed if a.compress else np.savez)(out_path, **out)
        print(f"wrote {out_path} ({os.path.getsize(out_path)} bytes) in {time.time() - t0:.1f}s; "
              f"prompt={prompt!r} greedy={greedy}", flush=True)


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    t0 = time.time()
    dumper = Dumper(a)
    print(f"loaded {a.checkpoint} in {time.time() - t0:.1f}s: {dumper.c}", flush=True)
    dumps.run(dumper, a, t0)


if __name__ == "__main__":
    main()
