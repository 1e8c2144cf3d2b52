#!/usr/bin/env python3
"""Golden greedy tokens and logits of transformers' PaliGemma 2 with a sliding window that bites.

transformers' Gemma 2 gives its even layers (0, 2, 4, ...) a sliding window of N positions: a query at
position p sees keys at positions above p - N. With PaliGemma's prefix-LM mask the bidirectional prefix
(image tokens, prompt, separator) is not windowed, in transformers 4.x and 5.x alike; only the generated
tokens are (docs/model.md#gemma-2). This script runs the model of transformers_dump.py (same options: caps,
query scale, --embed-scale, --pixels-from) with the window, greedy over an f32 KV cache, and again without
it, and writes:

  tokens/greedy int32 [n]          greedy ids with the window, up to but excluding the first eos
  tokens/greedy_no_window int32 [m] the same without a window (must differ, or the window did not bite)
  logits/steps f32 [n, V]          the logits that chose each windowed greedy id (row 0: the prefill's last
                                   position); transformers 5 final-soft-caps every row
  tokens/greedy_margin f32 [n]     top1 - top2 of each row
  meta/prefix_ids int32, meta/sliding_window int32, meta/max_tokens int32, meta/final_logit_softcap f32,
  meta/* strings                   prompt, checkpoint, versions, settings (UTF-8 bytes)

usage: sliding_window_golden.py --checkpoint C.npz --tokenizer T.model --image I.png --prompt P
       --sliding-window N --out GOLDEN.npz [--max-tokens 16] [--pixels-from DUMP.npz] [--positions bigvision]
       [--embed-scale bigvision] [--final-logit-softcap F] [--attn-logit-softcap F] [--query-scale Q]
Needs transformers (4.57 or 5.x) and torch; scripts/reference/hf_golden.py.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np
import transformers_dump as td

import dumps

hg = td.hg


def greedy(dumper: td.Dumper, prefix: list[int], max_tokens: int) -> tuple[list[int], list[np.ndarray]]:
    """Greedy ids (lowest id of equal maxima) and the logits rows that chose them, f32 KV cache."""
    from transformers import DynamicCache
    m, n_img, V = dumper.model, dumper.c["n_img"], dumper.c["vocab"]
    ids = [V] * n_img + prefix
    cache = DynamicCache(config=m.config.text_config)
    logits, cache = hg.hf_forward(m, ids, dumper.px_nchw, [0] * len(ids), dumper.pos_base, cache, 0)
    row, toks, rows = logits[-1, :V], [], []
    while True:
        t = int(np.argmax(row))
        if t == dumper.ids["eos"]:
            return toks, rows
        toks.append(t)
        rows.append(row)
        if len(toks) >= max_tokens:
            return toks, rows
        logits, cache = hg.hf_forward(m, [t], None, None, dumper.pos_base, cache, len(ids) + len(toks) - 1)
        row = logits[-1, :V]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    a = td.parse_args(argv)
    if a.prompt is None or not a.out:
        sys.exit("sliding_window_golden: give --prompt and --out")
    if a.sliding_window < 1:
        sys.exit(f"sliding_window_golden: --sliding-window must be >= 1, got {a.sliding_window}")
    import torch
    import transformers
    t0 = time.time()
    windowed = td.Dumper(a)
    if not windowed.c["gemma2"]:
        sys.exit(f"sliding_window_golden: {a.checkpoint} is not a PaliGemma 2 checkpoint (no post norms)")
    a_off = td.parse_args(argv + ["--sliding-window", "0"])
    plain = td.Dumper(a_off)
    prefix = [windowed.ids["bos"]] + windowed.sp.encode(a.prompt) + windowed.sp.encode("\n")
    if windowed.c["n_img"] + len(prefix) <= a.sliding_window:
        sys.exit(f"sliding_window_golden: the prefix has {windowed.c['n_img'] + len(prefix)} positions, "
                 f"not more than --sliding-window {a.sliding_window}: the window would not bite")
    toks, rows = greedy(windowed, prefix, a.max_tokens)
    toks_off, _ = greedy(plain, prefix, a.max_tokens)
    if toks == toks_off:
        sys.exit(f"sliding_window_golden: greedy ids are the same with and without the window ({toks}); "
                 "choose another prompt, window or checkpoint")
    steps = np.stack(rows).astype(np.float32) if rows else np.zeros((0, windowed.c["vocab"]), np.float32)
    margins = [float(np.diff(np.partition(r, -2)[-2:])[0]) for r in rows]
    out = {"tokens/greedy": np.array(toks, np.int32), "tokens/greedy_no_window": np.array(toks_off, np.int32),
           "logits/steps": steps, "tokens/greedy_margin": np.array(margins, np.float32),
           "meta/prefix_ids": np.array(prefix, np.int32), "meta/sliding_window": np.array(a.sliding_window, np.int32),
           "meta/max_tokens": np.array(a.max_tokens, np.int32),
           "meta/final_logit_softcap": np.array(a.final_logit_softcap, np.float32)}
    meta = dict(prompt=a.prompt, image=os.path.basename(a.image), checkpoint=os.path.basename(a.checkpoint),
                tokenizer=os.path.basename(a.tokenizer), kv_cache_dtype="float32", positions=a.positions,
                embed_scale=f"{a.embed_scale} ({windowed.embed_scale!r})",
                gemma=", ".join(f"{k}={v}" for k, v in windowed.g2.items()),
                pixels="pixels-from:" + os.path.basename(a.pixels_from) if a.pixels_from else a.resize,
                source="transformers", script="scripts/parity/sliding_window_golden.py",
                torch_version=torch.__version__, transformers_version=transformers.__version__)
    for k, v in meta.items():
        out[f"meta/{k}"] = dumps.utf8(v)
    np.savez_compressed(a.out, **out)
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes) in {time.time() - t0:.1f}s; transformers "
          f"{transformers.__version__}; window {a.sliding_window}: {toks}; no window: {toks_off}; "
          f"smallest margin {min(margins) if margins else float('nan'):.3g}", flush=True)


if __name__ == "__main__":
    main()
