#!/usr/bin/env python3
"""Runs big_vision's own PaliGemma code on one image + prompt and dumps named stages to .npz.

Everything numeric is big_vision's: its preprocessing ops (decode | resize | value_range and
the PaliGemma eval tokenization `combine_and_keep_eval`: [<bos>]+prompt, then "\\n" tokenized
separately), its model (`proj.paligemma.paligemma`, `vit`, `gemma_bv`), its loader
(`paligemma.load`), and its `predict_fns` for greedy and beam-2 decoding with the default
bfloat16 KV cache. Runs on CPU with jax_default_matmul_precision="highest".

Output keys (all float32 unless noted; no batch axis; the names match paligemma4j's Stages):
  img/pixels [R*R, 3]            preprocessed pixels in [-1, 1], row-major over (y, x)
  img/embed [N_img, W]           patch embedding + position embedding
  img/block_{l} [N_img, W]       output of ViT block l (0-based)
  img/encoder_norm [N_img, W]    after the final LayerNorm
  img/zimg [N_img, D]            projector output (image tokens)
  llm/text_embed [T_text, D]     text embeddings x sqrt(D), T_text = len(<bos> prompt "\\n")
  llm/layer_{l} [N_img+T_text, D]  output of Gemma layer l over the prefix
  llm/final_norm [N_img+T_text, D] final RMSNorm output
  llm/prefix_logits [T_text, V]  logits at every text position of the prefix
  tokens/greedy int32 [n]        greedy ids (bf16 KV cache), up to but excluding the first eos
  tokens/greedy_logp [n]         big_vision's log-prob of each greedy token
  tokens/greedy_margin [n]       top1 - top2 logit at each greedy step (bf16 KV cache replay)
  tokens/beam2 int32 [m]         beam search (beam_size 2) ids, up to but excluding the eos
  meta/prefix_ids int32 [T_text] the prompt ids fed to the model
  meta/* (uint8 UTF-8 text or int32)  prompt, versions, big_vision commit, settings (see README)

The stage forward is the teacher-forced `model(image, text, mask_ar)` over the prefix (no KV
cache, no bf16 rounding), with the LLM in big_vision's python-loop form (scan=False) so that
flax capture_intermediates can return each layer; the decoders use the scanned model (as
released). meta/scan_vs_loop_max_abs_diff records how far the two forms' prefix logits differ.

usage: BIG_VISION_DIR=/path/to/big_vision bigvision_dump.py --checkpoint C.npz --tokenizer T.model
       --image I.png --prompt "caption en" --out DUMP.npz [--max-tokens 32]
       [--resize bilinear|bilinear-antialias] [--compress]
"""
import argparse
import os
import sys
import time
from typing import Protocol

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bv_setup  # noqa: E402  (sets up jax + big_vision)
import dumps  # noqa: E402

# isort: split

import jax  # noqa: E402
import numpy as np  # noqa: E402
from big_vision.configs.proj.paligemma.transfers import common as bv_common  # noqa: E402
from big_vision.pp import builder as pp_builder  # noqa: E402
from big_vision.pp import ops_general, ops_image, ops_text  # noqa: E402,F401  (register pp ops)
from big_vision.pp import tokenizer as bv_tokenizer  # noqa: E402
from big_vision.pp.proj.paligemma import ops as pg_ops  # noqa: E402,F401  (tokenizers.gemma, tok)
from big_vision.trainers.proj.paligemma import predict_fns  # noqa: E402

RESIZE_OPS = {"bilinear": "resize({r})", "bilinear-antialias": "resize({r}, antialias=True)"}


class BvTokenizer(Protocol):
    """What is used of big_vision's tokenizer (pp/tokenizer.py)."""

    def to_str(self, ids: np.ndarray) -> str: ...


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", required=True, help="PaliGemma .npz (big_vision layout)")
    p.add_argument("--tokenizer", required=True, help="SentencePiece .model")
    p.add_argument("--image", required=True, help="image file (anything tf.io.decode_image reads)")
    p.add_argument("--prompt", help="one prompt (with --out)")
    p.add_argument("--out", help="output .npz for --prompt")
    p.add_argument("--prompts-file", help="many prompts, one per line (with --out-dir); loads "
                   "and compiles once, writes OUT_DIR/pNN.npz and OUT_DIR/prompts.tsv")
    p.add_argument("--out-dir")
    p.add_argument("--max-tokens", type=int, default=32, help="max_decode_len for both decoders")
    p.add_argument("--text-len", type=int, default=0,
                   help="pad the decoders' prompt to this length as big_vision's eval pipelines "
                        "do (right-aligned in the cache); 0 = no padding. Stages never pad.")
    p.add_argument("--resize", choices=sorted(RESIZE_OPS), default="bilinear")
    p.add_argument("--compress", action="store_true", help="np.savez_compressed (DEFLATE)")
    p.add_argument("--final-logit-softcap", type=float, default=None,
                   help="Gemma 2 only: big_vision's final_logits_softcap (default 30, 0 = off)")
    p.add_argument("--attn-logit-softcap", type=float, default=None,
                   help="Gemma 2 only: big_vision's attn_logits_softcap (default 50, 0 = off)")
    p.add_argument("--query-scale", choices=sorted(bv_setup.QUERY_SCALES), default=None,
                   help="Gemma 2 only: query_pre_attn_norm rsqrt_head_dim | rsqrt_emb_per_head (default head-dim)")
    a = p.parse_args(argv)
    for flag, path in (("--checkpoint", a.checkpoint), ("--tokenizer", a.tokenizer),
                       ("--image", a.image), ("--prompts-file", a.prompts_file)):
        if path is not None and not os.path.isfile(path):
            p.error(f"{flag} {path}: no such file")
    if (a.prompt is None) == (a.prompts_file is None):
        p.error("give exactly one of --prompt (with --out) or --prompts-file (with --out-dir)")
    if a.prompt is not None and not a.out:
        p.error("--prompt needs --out")
    if a.prompts_file is not None and not a.out_dir:
        p.error("--prompts-file needs --out-dir")
    if a.max_tokens < 1:
        p.error("--max-tokens must be >= 1")
    return a


def tokenizer_spec(path: str) -> str:
    if '"' in path:
        sys.exit(f"--tokenizer {path}: path must not contain a double quote")
    return f'gemma(tokensets=("loc", "seg"), model="{os.path.abspath(path)}")'


def preprocess(image_path: str, prompt: str, resolution: int, resize: str, tok_spec: str,
               text_len: int) -> dict[str, np.ndarray]:
    """big_vision pp: decode|resize|value_range(-1, 1)|combine_and_keep_eval(text_len)."""
    bv_common.TOKENIZER = tok_spec  # the transfers' tokenizer string, pointed at our .model
    pp = "|".join([
        "decode",
        RESIZE_OPS[resize].format(r=resolution),
        "value_range(-1, 1)",
        bv_common.combine_and_keep_eval(text_len=text_len),  # 0 = no padding / truncation
    ])
    with open(image_path, "rb") as f:
        data = {"image": f.read(), "prefix": prompt}
    import tensorflow as tf
    out = pp_builder.get_preprocess_fn(pp, log_data=False)(
        {k: tf.constant(v) for k, v in data.items()})
    return {k: np.asarray(v) for k, v in out.items()}


def cut_at_eos(ids: np.ndarray | list[int], eos: int) -> tuple[list[int], bool]:
    ids = [int(t) for t in np.asarray(ids).reshape(-1)]
    return (ids[:ids.index(eos)], True) if eos in ids else (ids, False)


def detok(tok: BvTokenizer, ids: list[int]) -> str:
    # big_vision's to_str cannot take an empty list (it peeks at ids[0]).
    return tok.to_str(np.array(ids, np.int32)) if ids else ""


class Dumper:
    """Loads the checkpoint once; dumps the stages and decodes for one prompt at a time."""

    def __init__(self, a: argparse.Namespace) -> None:
        self.a = a
        self.sizes = bv_setup.sizes_from_npz(a.checkpoint)
        self.tok_spec = tokenizer_spec(a.tokenizer)
        self.tok = bv_tokenizer.get_tokenizer(self.tok_spec)
        if self.tok.vocab_size != self.sizes["vocab"]:
            sys.exit(f"--tokenizer {a.tokenizer} has {self.tok.vocab_size} pieces but "
                     f"{a.checkpoint} 'llm/embedder/input_embedding' has "
                     f"{self.sizes['vocab']} rows")
        self.gemma2 = {}
        if a.final_logit_softcap is not None:
            self.gemma2["final_logits_softcap"] = a.final_logit_softcap
        if a.attn_logit_softcap is not None:
            self.gemma2["attn_logits_softcap"] = a.attn_logit_softcap
        if a.query_scale is not None:
            self.gemma2["query_pre_attn_norm"] = bv_setup.QUERY_SCALES[a.query_scale]
        if self.gemma2 and not self.sizes["post_norms"]:
            sys.exit(f"{a.checkpoint} has a Gemma 1 decoder: --final-logit-softcap, --attn-logit-softcap and "
                     "--query-scale are Gemma 2 settings")
        cfg_scan = bv_setup.model_config(self.sizes, llm_scan=True, gemma2=self.gemma2)
        cfg_loop = bv_setup.model_config(self.sizes, llm_scan=False, gemma2=self.gemma2)
        self.params = bv_setup.load_params(a.checkpoint, cfg_scan)
        self.params_loop = bv_setup.unstack_llm_layers(self.params)
        self.param_dtypes = sorted({str(x.dtype) for x in jax.tree.leaves(self.params)})
        self.model = model = bv_setup.build_model(cfg_scan)
        loop_model = bv_setup.build_model(cfg_loop)
        self.stage_fn = jax.jit(lambda p, i, t, m: loop_model.apply(
            {"params": p}, i, t, m, capture_intermediates=True, mutable=["intermediates"]))
        self.scan_fn = jax.jit(lambda p, i, t, m: model.apply({"params": p}, i, t, m)[0])
        self.versions = bv_setup.versions()
        self.prefill_fn = jax.jit(predict_fns._prefill_cache,
                                  static_argnames=("model", "max_decode_len"))
        self.extend_fn = jax.jit(predict_fns._extend_cache, static_argnames=("model",))

    def greedy_margins(self, batch: dict[str, np.ndarray],
                       tokens: list[int]) -> tuple[np.ndarray, bool, np.ndarray]:
        """Replays the greedy ids through big_vision's own _prefill_cache/_extend_cache (bf16
        KV cache) and returns, per step, top1 - top2 of the logits that chose the id, and
        whether argmax of the replay equals the id (a replay of the same computation)."""
        logits, cache = self.prefill_fn(self.params, batch, model=self.model,
                                        max_decode_len=self.a.max_tokens)
        margins, same, first = [], True, np.asarray(logits, np.float32).reshape(-1)
        for i, t in enumerate(tokens):
            row = np.asarray(logits, np.float32).reshape(-1)
            top2 = np.partition(row, -2)[-2:]
            margins.append(float(top2[1] - top2[0]))
            same = same and int(np.argmax(row)) == t
            if i + 1 < len(tokens):
                logits, cache = self.extend_fn(self.params, cache, np.array([[t]], np.int32),
                                               model=self.model)
        return np.array(margins, np.float32), same, first

    def stages(self, image: np.ndarray, text: np.ndarray, mask_ar: np.ndarray) -> dict[str, np.ndarray]:
        """Teacher-forced forward over the prefix (python-loop LLM), returning named stages."""
        (text_logits, out), state = self.stage_fn(self.params_loop, image, text, mask_ar)
        layers = state["intermediates"]["llm"]["layers"]
        st = {"img/embed": out["img/with_posemb"][0]}
        blocks = out["img/encoder"]
        for i in range(len(blocks)):
            st[f"img/block_{i}"] = blocks[f"block{i:02d}"]["+mlp"][0]
        st["img/encoder_norm"] = out["img/encoded"][0]
        st["img/zimg"] = out["img/zimg"][0]
        st["llm/text_embed"] = out["llm/ztxt"][0]
        for i in range(len(layers)):
            # Block.__call__ returns (x, unused_scan_arg); capture keeps a tuple of call outputs.
            st[f"llm/layer_{i}"] = layers[str(i)]["__call__"][0][0][0]
        st["llm/final_norm"] = out["llm/pre_logits"][0]
        st["llm/prefix_logits"] = text_logits[0]
        return {k: np.asarray(v, np.float32) for k, v in st.items()}

    def dump(self, prompt: str, out_path: str) -> None:
        a, tok, t0 = self.a, self.tok, time.time()
        res = self.sizes["resolution"]
        data = preprocess(a.image, prompt, res, a.resize, self.tok_spec, 0)
        image = data["image"].astype(np.float32)[None]
        text = data["text"].astype(np.int32)[None]
        mask_ar = data["mask_ar"].astype(np.int32)[None]

        stages = self.stages(image, text, mask_ar)
        stages["img/pixels"] = data["image"].astype(np.float32).reshape(-1, 3)
        scan_logits = np.asarray(self.scan_fn(self.params, image, text, mask_ar)[0])
        scan_diff = float(np.max(np.abs(scan_logits - stages["llm/prefix_logits"])))
        t_stage = time.time() - t0

        if a.text_len:
            if a.text_len < text.shape[1]:
                sys.exit(f"--text-len {a.text_len} is shorter than the prompt's "
                         f"{text.shape[1]} ids: the separator would be cut off")
            data = preprocess(a.image, prompt, res, a.resize, self.tok_spec, a.text_len)
        batch = {"image": data["image"].astype(np.float32)[None],
                 "text": data["text"].astype(np.int32)[None],
                 "mask_ar": data["mask_ar"].astype(np.int32)[None],
                 "mask_input": data["mask_input"].astype(bool)[None],
                 "_mask": np.array([True])}
        train_state = {"params": self.params}
        greedy, greedy_logp = predict_fns._decode_with_logp(
            train_state, batch, model=self.model, devices=jax.devices(),
            max_decode_len=a.max_tokens, eos_token=tok.eos_token)
        greedy, greedy_eos = cut_at_eos(greedy, tok.eos_token)
        greedy_logp = np.asarray(greedy_logp, np.float32).reshape(-1)[:len(greedy)]
        beam = predict_fns._beam_decode(
            train_state, batch, model=self.model, devices=jax.devices(),
            max_decode_len=a.max_tokens, eos_token=tok.eos_token, beam_size=2)
        beam, beam_eos = cut_at_eos(beam, tok.eos_token)
        margins, replay_same, step0 = self.greedy_margins(
            {k: batch[k] for k in ("image", "text", "mask_input", "mask_ar")}, greedy)

        out = dict(stages)
        out["tokens/greedy"] = np.array(greedy, np.int32)
        out["tokens/greedy_logp"] = greedy_logp
        out["tokens/greedy_margin"] = margins
        out["tokens/beam2"] = np.array(beam, np.int32)
        out["meta/prefix_ids"] = text[0].astype(np.int32)
        meta_str = dict(
            prompt=prompt, image=os.path.basename(a.image),
            checkpoint=os.path.basename(a.checkpoint), tokenizer=os.path.basename(a.tokenizer),
            resize=a.resize, checkpoint_dtypes=",".join(self.param_dtypes),
            kv_cache_dtype="bfloat16", matmul_precision=bv_setup.MATMUL_PRECISION,
            backend=jax.default_backend(), greedy_text=detok(tok, greedy),
            beam2_text=detok(tok, beam), source="big_vision",
            gemma=("gemma2 " + ",".join(f"{k}={v}" for k, v in sorted(
                dict(bv_setup.GEMMA2_DEFAULTS, **self.gemma2).items()))) if self.sizes["post_norms"] else "gemma1",
            script="scripts/parity/bigvision_dump.py", **self.versions)
        for k, v in meta_str.items():
            out[f"meta/{k}"] = dumps.utf8(v)
        meta_int = dict(resolution=res, n_img=self.sizes["n_img"], max_tokens=a.max_tokens,
                        text_len=a.text_len, eos_id=tok.eos_token, bos_id=tok.bos_token,
                        greedy_hit_eos=int(greedy_eos), beam2_hit_eos=int(beam_eos),
                        greedy_replay_same=int(replay_same))
        for k, v in meta_int.items():
            out[f"meta/{k}"] = np.array(v, np.int32)
        out["meta/scan_vs_loop_max_abs_diff"] = np.array(scan_diff, np.float32)
        # The first decode logits (prefill with the bf16 KV cache) vs the teacher-forced f32
        # logits at the separator: what the bf16 cache alone changes.
        out["meta/bf16_kv_step0_max_abs_diff"] = np.array(
            np.max(np.abs(step0 - stages["llm/prefix_logits"][-1])), np.float32)

        (np.savez_compressed if a.compress else np.savez)(out_path, **out)
        print(f"wrote {out_path} ({os.path.getsize(out_path)} bytes) in "
              f"{time.time() - t0:.1f}s (stages {t_stage:.1f}s); prompt={prompt!r} "
              f"prefix_ids={text[0].tolist()}")
        print(f"  greedy ({len(greedy)} ids, eos={greedy_eos}): {greedy}")
        print(f"  beam2  ({len(beam)} ids, eos={beam_eos}): {beam}")
        print(f"  greedy min margin {margins.min() if len(margins) else float('nan'):.3g}, "
              f"replay same: {replay_same}")
        print(f"  scan vs loop prefix logits max |diff| = {scan_diff:.3g}; bf16 KV step-0 logits "
              f"max |diff| = {float(out['meta/bf16_kv_step0_max_abs_diff']):.3g}", flush=True)


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    t0 = time.time()
    dumper = Dumper(a)
    print(f"loaded {a.checkpoint} in {time.time() - t0:.1f}s: {dumper.sizes}", flush=True)
    dumps.run(dumper, a, t0)


if __name__ == "__main__":
    main()
