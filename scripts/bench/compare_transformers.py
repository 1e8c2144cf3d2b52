#!/usr/bin/env python3
"""Side-by-side CPU timings: paligemma4j (`scripts/paligemma bench`) vs Hugging Face transformers
(PyTorch CPU, float32 and bfloat16), on the same machine, in one run, alternating the systems.

Per repetition, in this order: paligemma4j (a fresh `bench --repeat J --json` process, J =
--java-repeat, which does its own warm-up), then transformers fp32, then transformers bf16 (one model, converted in
place between the two; its weights are bfloat16-exact so both see the same values). Every system gets the same
checkpoint shapes, the same thread count, a synthetic image at the checkpoint's resolution and a
text prefix of the same length (`<bos>` + one id per prompt word + `\\n`, as `bench` does without
a tokenizer), and computes only last-position logits (transformers: `logits_to_keep=1`).

Stages: vision = SigLIP + projector; prefill = the whole prefix including vision (transformers
cannot run its LLM without re-encoding the image; for paligemma4j vision_ms + prefill_ms);
decode = one greedy step (median over all steps and repetitions); e2e = vision + prefill + N steps.

In the same run it measures the machine: streaming read bandwidth (numpy sum of a 1 GiB array,
1 thread; torch sum of it with --threads threads), f32 and bf16 matmul peak (torch, 2048³, best of
5), and the load average before and after. The decode "bandwidth floor" is the bytes of every LLM
weight matrix read per step (layers + the tied unembedding) divided by the threaded read bandwidth.

usage:
  compare_transformers.py --checkpoint C.npz [--prompt 'caption en'] [--new-tokens 20] [--repeat 3]
      [--threads N] [--java-repeat J] [--weights stored,q8] [--hf-weights checkpoint|random] [--out result.json]
      [--lock-weights] [--skip-java] [--skip-hf]

  --hf-weights checkpoint  convert the .npz with scripts/reference/hf_golden.py (needs ~3× the f32
                           model in memory: use for small checkpoints)
  --hf-weights random      random-init an HF PaliGemma with the shapes read from the .npz (default
                           when the checkpoint is over 1 GB; timings depend on shapes, not values)

The first run creates scripts/bench/.venv (with the system's site packages visible) and installs
requirements.txt into it from PyPI, then re-runs itself there.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:  # numpy, torch and transformers are imported where used (the venv may not exist yet)
    import numpy as np
    import torch
    from transformers import PaliGemmaForConditionalGeneration

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(HERE, ".venv")


def ensure_venv() -> None:
    """Re-executes this script inside scripts/bench/.venv, creating and filling it first if needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        print(f"compare: creating {VENV}", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", "--system-site-packages", VENV])
    stamp = os.path.join(VENV, ".requirements-installed")
    req = os.path.join(HERE, "requirements.txt")
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(req):
        print("compare: pip install -r requirements.txt (PyPI)", file=sys.stderr)
        subprocess.check_call([py, "-m", "pip", "install", "-q", "-r", req])
        open(stamp, "w").close()
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


def die(msg: str) -> NoReturn:
    sys.exit(f"compare_transformers: error: {msg}")


# ---------------------------------------------------------------- checkpoint shapes (no data read)

def npz_shapes(path: str) -> dict[str, tuple[tuple[int, ...], int]]:
    """{key without params/: (shape, itemsize)} from the .npy headers inside the .npz."""
    import numpy as np
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            with z.open(name) as f:
                version = np.lib.format.read_magic(f)
                hdr = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)(f)
            key = name[:-4] if name.endswith(".npy") else name
            key = key[len("params/"):] if key.startswith("params/") else key
            out[key] = (tuple(hdr[0]), hdr[2].itemsize)
    return out


def shape_only_params(shapes: dict[str, tuple[tuple[int, ...], int]]) -> dict[str, np.ndarray]:
    """Zero-memory arrays of the checkpoint's shapes, enough for hf_golden.infer_config."""
    import numpy as np
    return {k: np.lib.stride_tricks.as_strided(np.zeros(1, np.float32), s, [0] * len(s))
            for k, (s, _) in shapes.items()}


def decode_weight_elements(c: dict[str, int]) -> int:
    """Elements of every LLM matrix one decode step reads: per layer q, kv, o, gate+up, down; the unembedding."""
    D, H, K, Hd, F = c["width"], c["heads"], c["kv_heads"], c["head_dim"], c["mlp"]
    per_layer = D * H * Hd + 2 * D * K * Hd + H * Hd * D + 2 * D * F + F * D
    return c["depth"] * per_layer + c["vocab"] * D


# ---------------------------------------------------------------- machine

def machine(threads: int) -> dict:
    import numpy as np
    import torch
    torch.set_num_threads(threads)
    a = np.ones(1 << 28, np.float32)  # 1 GiB
    a.sum()
    t = [timed(a.sum) for _ in range(5)]
    bw1 = a.nbytes / min(t) / 1e9
    ta = torch.from_numpy(a)
    ta.sum()
    t = [timed(ta.sum) for _ in range(5)]
    bwn = a.nbytes / min(t) / 1e9
    del a, ta
    peaks = {}
    n = 2048
    for name, dt in (("f32", torch.float32), ("bf16", torch.bfloat16)):
        x = torch.randn(n, n, dtype=dt)
        y = torch.randn(n, n, dtype=dt)
        torch.mm(x, y)
        t = [timed(functools.partial(torch.mm, x, y)) for _ in range(5)]
        peaks[name] = 2 * n ** 3 / min(t) / 1e9
    return dict(read_gbps_1thread=bw1, read_gbps=bwn, matmul_gflops_f32=peaks["f32"],
                matmul_gflops_bf16=peaks["bf16"], threads=threads, cpu=cpu_name())


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ---------------------------------------------------------------- paligemma4j

def run_java(args: argparse.Namespace, weights: str) -> dict:
    cmd = [os.path.join(ROOT, "scripts", "paligemma"), "bench", "--checkpoint", args.checkpoint,
           "--prompt", args.prompt, "--new-tokens", str(args.new_tokens), "--repeat", str(args.java_repeat),
           "--threads", str(args.threads), "--weights", weights, "--json"]
    env = dict(os.environ, PALIGEMMA_LOCK_WEIGHTS="1") if args.lock_weights else None
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        die(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    j = json.loads(p.stdout.strip().splitlines()[-1])
    n = args.new_tokens
    return dict(vision_ms=j["vision_ms"], prefill_ms=j["vision_ms"] + j["prefill_ms"],
                llm_prefill_ms=j["prefill_ms"], decode_ms=j["decode_ms_per_token"],
                e2e_ms=j["vision_ms"] + j["prefill_ms"] + n * j["decode_ms_per_token"],
                peak_rss_bytes=j["peak_rss_bytes"], load_ms=j["load_ms"], prefix_tokens=j["prefix_tokens"],
                weights=j["weights"])


# ---------------------------------------------------------------- transformers

def build_hf(args: argparse.Namespace, shapes: dict[str, tuple[tuple[int, ...], int]],
             ckpt_bytes: int) -> tuple[PaliGemmaForConditionalGeneration, dict[str, int], str]:
    sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
    import numpy as np
    import torch

    import hf_golden
    mode = args.hf_weights or ("random" if ckpt_bytes > 1 << 30 else "checkpoint")
    ids = {"pad": 0, "eos": 1, "bos": 2}
    if mode == "checkpoint":
        p = hf_golden.load_checkpoint(args.checkpoint)
        c = hf_golden.infer_config(p)
        hf_vocab = hf_golden.hf_vocab_size(c["vocab"])
        model = hf_golden.build_model(c, hf_vocab, ids, 1024)
        hf_golden.load_strict(model, hf_golden.to_hf_state_dict(p, c, hf_vocab, np.random.default_rng(0)))
        del p
    else:
        c = hf_golden.infer_config(shape_only_params(shapes))
        hf_vocab = hf_golden.hf_vocab_size(c["vocab"])
        model = hf_golden.build_model(c, hf_vocab, ids, 1024)
    with torch.no_grad():  # bfloat16-exact values: fp32 and bf16 runs see the same weights
        for prm in model.parameters():
            prm.copy_(prm.to(torch.bfloat16).to(torch.float32))
    return model, c, mode


def run_hf(model: PaliGemmaForConditionalGeneration, c: dict[str, int], dtype: torch.dtype, text_len: int,
           new_tokens: int) -> dict:
    import torch
    from transformers import DynamicCache
    model.to(dtype)
    g = torch.Generator().manual_seed(0)
    pixels = (torch.rand(1, 3, c["resolution"], c["resolution"], generator=g) * 2 - 1).to(dtype)
    text = [2] + [3 + (i * 7919) % max(1, c["vocab"] - 3) for i in range(1, text_len)]
    ids = [c["vocab"]] * c["n_img"] + text  # <image> = first id past the checkpoint's vocabulary
    n = len(ids)
    with torch.inference_mode():
        t = time.perf_counter()
        model.model.get_image_features(pixel_values=pixels)
        vision = time.perf_counter() - t
        cache = DynamicCache(config=model.config.text_config)
        t = time.perf_counter()
        out = model(input_ids=torch.tensor([ids]), pixel_values=pixels,
                    attention_mask=torch.ones(1, n, dtype=torch.long),
                    token_type_ids=torch.zeros(1, n, dtype=torch.long), position_ids=torch.arange(n).unsqueeze(0),
                    cache=cache, use_cache=True, logits_to_keep=1)
        prefill = time.perf_counter() - t
        if out.logits.shape[1] != 1:
            die(f"transformers returned logits for {out.logits.shape[1]} positions, expected 1 (logits_to_keep)")
        cache = out.cache
        tok = int(out.logits[0, -1, :c["vocab"]].argmax())
        steps = []
        for s in range(new_tokens):
            pos = n + s
            t = time.perf_counter()
            out = model(input_ids=torch.tensor([[tok]]), attention_mask=torch.ones(1, pos + 1, dtype=torch.long),
                        position_ids=torch.tensor([[pos]]), cache=cache, use_cache=True, logits_to_keep=1)
            tok = int(out.logits[0, -1, :c["vocab"]].argmax())
            steps.append(time.perf_counter() - t)
            cache = out.cache
    return dict(vision_ms=vision * 1e3, prefill_ms=prefill * 1e3, decode_steps_ms=[s * 1e3 for s in steps],
                e2e_ms=(prefill + sum(steps)) * 1e3, prefix_tokens=n)


# ---------------------------------------------------------------- report

def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--prompt", default="caption en")
    ap.add_argument("--new-tokens", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--java-repeat", type=int, default=1,
                    help="repetitions inside each paligemma4j call (its medians; more JIT warm-up on tiny models)")
    ap.add_argument("--weights", default="stored", help="paligemma4j --weights values, comma-separated")
    ap.add_argument("--hf-weights", choices=["checkpoint", "random"])
    ap.add_argument("--out", default="compare_transformers.json")
    ap.add_argument("--lock-weights", action="store_true",
                    help="mlock paligemma4j's mapped checkpoint (PALIGEMMA_LOCK_WEIGHTS=1): for hosts that page out "
                         "idle page cache (DAMON reclaim) while the transformers process holds its memory")
    ap.add_argument("--skip-java", action="store_true")
    ap.add_argument("--skip-hf", action="store_true")
    args = ap.parse_args()
    if not os.path.isfile(args.checkpoint):
        die(f"--checkpoint: no such file: {args.checkpoint}")
    if args.repeat < 1 or args.new_tokens < 1 or args.threads < 1:
        die("--repeat, --new-tokens and --threads must be >= 1")
    import torch
    import transformers
    torch.set_num_threads(args.threads)

    load_before = os.getloadavg()
    shapes = npz_shapes(args.checkpoint)
    ckpt_bytes = os.path.getsize(args.checkpoint)
    text_len = len(args.prompt.split()) + 2
    print(f"compare: load average {load_before}; measuring the machine", file=sys.stderr)
    mach = machine(args.threads)
    model = c = None
    hf_mode = None
    if not args.skip_hf:
        print("compare: building the transformers model", file=sys.stderr)
        model, c, hf_mode = build_hf(args, shapes, ckpt_bytes)
        print("compare: transformers warm-up", file=sys.stderr)
        for dt in (torch.float32, torch.bfloat16):
            run_hf(model, c, dt, text_len, 2)
    if c is None:
        sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
        import hf_golden
        c = hf_golden.infer_config(shape_only_params(shapes))
    ours = {w: [] for w in ([] if args.skip_java else args.weights.split(","))}
    hf = {"fp32": [], "bf16": []} if not args.skip_hf else {}
    for k in range(args.repeat):
        for w in ours:
            print(f"compare: repetition {k + 1}/{args.repeat}: paligemma4j {w}", file=sys.stderr)
            ours[w].append(run_java(args, w))
        for name, dt in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
            if name in hf:
                print(f"compare: repetition {k + 1}/{args.repeat}: transformers {name}", file=sys.stderr)
                hf[name].append(run_hf(model, c, dt, text_len, args.new_tokens))
    load_after = os.getloadavg()

    elems = decode_weight_elements(c)
    floor = {name: bytes_per_element * elems / (mach["read_gbps"] * 1e9) * 1e3
             for name, bytes_per_element in (("bf16", 2), ("fp32", 4), ("q8", 34 / 32))}
    systems = {}
    for w, rows in ours.items():
        systems[f"paligemma4j {w}"] = dict(vision_ms=med(rows, "vision_ms"), prefill_ms=med(rows, "prefill_ms"),
                                           decode_ms=statistics.median(r["decode_ms"] for r in rows),
                                           e2e_ms=med(rows, "e2e_ms"),
                                           peak_rss_bytes=max(r["peak_rss_bytes"] for r in rows),
                                           load_ms=med(rows, "load_ms"), prefix_tokens=rows[0]["prefix_tokens"],
                                           weights=rows[0]["weights"])
    for name, rows in hf.items():
        steps = [s for r in rows for s in r["decode_steps_ms"]]
        systems[f"transformers {name}"] = dict(vision_ms=med(rows, "vision_ms"), prefill_ms=med(rows, "prefill_ms"),
                                               decode_ms=statistics.median(steps), e2e_ms=med(rows, "e2e_ms"),
                                               prefix_tokens=rows[0]["prefix_tokens"])
    if hf:
        systems["transformers (both)"] = dict(peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    result = dict(checkpoint=os.path.abspath(args.checkpoint), checkpoint_bytes=ckpt_bytes, config=c,
                  prompt=args.prompt, text_tokens=text_len, new_tokens=args.new_tokens, repeat=args.repeat,
                  threads=args.threads, machine=mach, load_average_before=load_before, load_average_after=load_after,
                  decode_weight_elements=elems, decode_floor_ms=floor, hf_weights=hf_mode,
                  lock_weights=args.lock_weights,
                  versions=dict(torch=torch.__version__, transformers=transformers.__version__), systems=systems)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(table(result))
    print(f"(JSON: {args.out})")


def table(r: dict) -> str:
    s = r["systems"]
    names = [n for n in s if "vision_ms" in s[n]]
    m = r["machine"]
    lines = [f"machine: {m['cpu']}, {r['threads']} threads; read {m['read_gbps']:.1f} GB/s "
             f"({m['read_gbps_1thread']:.1f} with 1 thread); matmul 2048³ f32 {m['matmul_gflops_f32']:.0f} GFLOP/s, "
             f"bf16 {m['matmul_gflops_bf16']:.0f} GFLOP/s",
             f"load average before {r['load_average_before']}, after {r['load_average_after']}; "
             f"{r['repeat']} repetitions (medians), prefix {next(iter(s.values())).get('prefix_tokens')} tokens, "
             f"{r['new_tokens']} new tokens; torch {r['versions']['torch']}, "
             f"transformers {r['versions']['transformers']}"
             + ("; paligemma4j's mapped checkpoint locked in memory (--lock-weights)" if r.get("lock_weights") else ""),
             "",
             "| stage (ms) | " + " | ".join(names) + " |",
             "|---|" + "---:|" * len(names)]
    for key, label in (("vision_ms", "vision + projector"), ("prefill_ms", "prefill incl. vision"),
                       ("decode_ms", "decode / token"), ("e2e_ms", f"vision + prefill + {r['new_tokens']} tokens")):
        lines.append(f"| {label} | " + " | ".join(f"{s[n][key]:.1f}" for n in names) + " |")
    f = r["decode_floor_ms"]
    lines.append(f"| decode floor (weight bytes ÷ read bandwidth) | bf16 {f['bf16']:.3g}, fp32 {f['fp32']:.3g}, "
                 f"q8 {f['q8']:.3g} |")
    ours = [n for n in names if n.startswith("paligemma4j")]
    theirs = [n for n in names if n.startswith("transformers")]
    if ours and theirs:
        lines += ["", "| speed-up of paligemma4j (their ms ÷ our ms) | " + " | ".join(f"vs {t}" for t in theirs) + " |",
                  "|---|" + "---:|" * len(theirs)]
        for o in ours:
            for key, label in (("vision_ms", "vision"), ("prefill_ms", "prefill incl. vision"),
                               ("decode_ms", "decode / token"), ("e2e_ms", "end to end")):
                lines.append(f"| {o}: {label} | " + " | ".join(f"{s[t][key] / s[o][key]:.2f}×" for t in theirs) + " |")
    for o in ours:
        w = s[o]["weights"]   # e.g. "q8", "f32", "stored bf16"
        fl = f["q8"] if "q8" in w else f["fp32"] if "f32" in w else f["bf16"]
        lines.append(f"{o}: decode = {s[o]['decode_ms'] / fl:.2f}× its bandwidth floor; peak RSS "
                     f"{s[o]['peak_rss_bytes'] / 1e9:.2f} GB; load {s[o]['load_ms']:.0f} ms")
    for t in theirs:
        fl = f["fp32"] if t.endswith("fp32") else f["bf16"]
        lines.append(f"{t}: decode = {s[t]['decode_ms'] / fl:.2f}× its bandwidth floor")
    if "transformers (both)" in s:
        lines.append(f"transformers process peak RSS {s['transformers (both)']['peak_rss_bytes'] / 1e9:.2f} GB")
    return "\n".join(lines)


if __name__ == "__main__":
    ensure_venv()
    main()
