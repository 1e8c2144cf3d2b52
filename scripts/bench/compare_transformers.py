#!/usr/bin/env python3
"""Side-by-side CPU timings: paligemma4j (`scripts/paligemma bench`) vs Hugging Face transformers
(PyTorch CPU, float32 and bfloat16), on the same machine, in one run, alternating the systems.
PaliGemma (Gemma decoder) and PaliGemma 2 (Gemma 2 decoder: soft-caps, grouped-query attention, post norms),
recognised from the checkpoint: a big_vision .npz (the two post-norm tensors make it PaliGemma 2) or a Hugging Face
model directory (its config.json's text_config.model_type).

Per repetition, in this order: paligemma4j (a fresh `bench --repeat J --json` process, J =
--java-repeat, which does its own warm-up), then transformers fp32, then transformers bf16 (one model, converted in
place between the two; its weights are bfloat16-exact so both see the same values). Every system gets the same
checkpoint shapes, the same thread count, a synthetic image at the checkpoint's resolution and a
text prefix of the same length (`<bos>` + one id per prompt word + `\\n`, as `bench` does without
a tokenizer; for a Hugging Face directory its tokenizer's ids, as bench tokenizes the prompt there), and
computes only last-position logits (transformers: `logits_to_keep=1`).

Both sides run the same work, checked after every paligemma4j run: the same prefix length and number of greedy
steps, and for PaliGemma 2 the decoder settings of transformers' config (final- and attention-logit soft-caps,
query_pre_attn_scalar as bench's --query-scale) passed to bench as flags and read back from its --json; Gemma 2's
sliding window (transformers applies it on even layers) is passed too where the sequence outruns it, else it
does not bite and both attend to every position.

Stages: vision = SigLIP + projector; prefill = the whole prefix including vision (transformers
cannot run its LLM without re-encoding the image; for paligemma4j vision_ms + prefill_ms);
decode = one greedy step (median over all steps and repetitions); e2e = vision + prefill + N steps.

In the same run it measures the machine: streaming read bandwidth (numpy sum of a 1 GiB array,
1 thread; torch sum of it with --threads threads), f32 and bf16 matmul peak (torch, 2048³, best of
5; bf16 at 512³ where a first 512³ product runs under a quarter of f32's rate, as on CPUs without
bf16 instructions), and the load average before and after. The decode "bandwidth floor" is the bytes of every LLM
weight matrix read per step (layers + the tied unembedding) divided by the threaded read bandwidth.

usage:
  compare_transformers.py --checkpoint C.npz|HF_DIR [--prompt 'caption en'] [--new-tokens 20] [--repeat 3]
      [--threads N] [--java-repeat J] [--weights stored,q8] [--hf-weights checkpoint|random] [--out result.json]
      [--final-logit-softcap F] [--lock-weights] [--skip-java] [--skip-hf] [--hf-dtypes auto|fp32,bf16]

  --hf-weights checkpoint  the checkpoint's weights: a PaliGemma .npz converted by scripts/reference/hf_golden.py
                           (needs ~3× the f32 model in memory), a PaliGemma 2 .npz by `paligemma convert` into a
                           temporary f32 Hugging Face directory, a Hugging Face directory as it is (use for small
                           checkpoints)
  --hf-weights random      random-init an HF PaliGemma with the shapes of the checkpoint (default when it is over
                           1 GB; timings depend on shapes, not values); a PaliGemma 2 config comes from
                           scripts/hf/make_hf_fixture.py's fixture_config (transformers' converter's, sized from
                           the .npz), a directory's from its config.json
  --hf-dtypes auto         transformers in fp32 and bf16, leaving bf16 out (with a line saying so, and its reason
                           under "hf_dtypes_left_out" in the JSON) where torch's bf16 matmul runs under a quarter of
                           its fp32 rate on this CPU: without bf16 instructions (AVX2 only) its prefill would take
                           tens of minutes; a list (fp32, bf16 or both) runs exactly those
  --final-logit-softcap F  PaliGemma 2: set transformers' final_logit_softcapping (0: none) and bench's to F
                           (default: the config's; 30 for a .npz, Gemma2Config's)

The first run creates scripts/bench/.venv (with the system's site packages visible) and installs
requirements.txt into it from PyPI, then re-runs itself there.
"""
from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # numpy, torch and transformers are imported where used (the venv may not exist yet)
    import numpy as np
    import torch
    from transformers import PaliGemmaConfig, PaliGemmaForConditionalGeneration

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


def script_module(relative: str) -> ModuleType:
    """scripts/RELATIVE imported with its folder on sys.path, as when it runs (hf_golden, make_hf_fixture)."""
    folder = os.path.join(ROOT, "scripts", os.path.dirname(relative))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(os.path.basename(relative).removesuffix(".py"))


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


G2_POST_NORMS = ("llm/layers/post_attention_norm/scale", "llm/layers/post_ffw_norm/scale")


def npz_config(shapes: dict[str, tuple[tuple[int, ...], int]]) -> dict[str, Any]:
    """Every size, from the .npz's shapes (hf_golden.infer_config); gemma2: PaliGemma 2's post norms are there."""
    post = {k: shapes[k][0] for k in G2_POST_NORMS if k in shapes}
    if len(post) == 1:
        die(f"checkpoint has params/{next(iter(post))} but not the other Gemma 2 post norm "
            f"(PaliGemma 2 has both: {', '.join(G2_POST_NORMS)})")
    rest = {k: v for k, v in shapes.items() if k not in post}
    c: dict[str, Any] = script_module("reference/hf_golden.py").infer_config(shape_only_params(rest))
    for k, s in post.items():
        if s != (c["depth"], c["width"]):
            die(f"params/{k}: expected shape {(c['depth'], c['width'])}, got {s}")
    c["gemma2"] = bool(post)
    return c


def hf_dir_config(cfg: PaliGemmaConfig) -> dict[str, Any]:
    """The same sizes from a Hugging Face PaliGemmaConfig; vocab = the <image> id (the rows past it are padding)."""
    v, t = cfg.vision_config, cfg.text_config
    grid = v.image_size // v.patch_size
    image = getattr(cfg, "image_token_id", None)
    return dict(resolution=v.image_size, patch=v.patch_size, n_img=grid * grid, v_width=v.hidden_size,
                v_depth=v.num_hidden_layers, v_heads=v.num_attention_heads,
                v_head_dim=v.hidden_size // v.num_attention_heads, v_mlp=v.intermediate_size,
                vocab=image if image is not None else cfg.image_token_index, width=t.hidden_size,
                depth=t.num_hidden_layers, heads=t.num_attention_heads, kv_heads=t.num_key_value_heads,
                head_dim=t.head_dim, mlp=t.intermediate_size, gemma2=t.model_type == "gemma2")


def hf_settings(c: dict[str, Any], t: Any) -> dict[str, Any]:  # noqa: ANN401 - a transformers text config
    """The decoder settings transformers' text config `t` puts in force, named as bench's --json "settings"."""
    if not c["gemma2"]:
        return dict(final_logit_softcap=0.0, attn_logit_softcap=0.0, query_scale="head-dim", sliding_window=0)
    scalar = t.query_pre_attn_scalar
    if scalar == c["head_dim"]:
        query_scale = "head-dim"
    elif scalar == c["width"] // c["heads"]:
        query_scale = "width-per-head"
    else:
        die(f"text_config.query_pre_attn_scalar is {scalar}: expected head_dim {c['head_dim']} or "
            f"width // heads {c['width'] // c['heads']}, the two scales bench knows")
    return dict(final_logit_softcap=float(t.final_logit_softcapping or 0),
                attn_logit_softcap=float(t.attn_logit_softcapping or 0), query_scale=query_scale,
                sliding_window=int(t.sliding_window or 0))


def java_settings(hf: dict[str, Any], positions: int) -> dict[str, Any]:
    """What bench must run with to do transformers' work over `positions` positions: its settings, with the
    sliding window only where it bites (a query at position p sees keys above p - window), else off."""
    s = dict(hf)
    if s["sliding_window"] and positions <= s["sliding_window"]:
        s["sliding_window"] = 0
    return s


def java_flags(s: dict[str, Any]) -> list[str]:
    """bench's command-line options for the settings `s`."""
    flags = ["--final-logit-softcap", f"{s['final_logit_softcap']:g}", "--attn-logit-softcap",
             f"{s['attn_logit_softcap']:g}", "--query-scale", s["query_scale"]]
    if s["sliding_window"]:
        flags += ["--sliding-window", str(s["sliding_window"])]
    return flags


def work_differences(java: dict[str, Any], settings: dict[str, Any] | None, prefix_tokens: int,
                     new_tokens: int) -> list[str]:
    """How bench's --json run differs from transformers' (prefix, greedy steps, decoder settings); [] if it does not."""
    out = []
    if java["prefix_tokens"] != prefix_tokens:
        out.append(f"prefix {java['prefix_tokens']} tokens, transformers {prefix_tokens}")
    if java["new_tokens"] != new_tokens:
        out.append(f"{java['new_tokens']} new tokens, transformers {new_tokens}")
    for k, want in (settings or {}).items():
        got = java.get("settings", {}).get(k)
        if got != want:
            out.append(f"settings.{k} {got}, transformers {want}")
    return out


TOKENIZER_NAMES = ("paligemma_tokenizer.model", "tokenizer.model", "tokenizer.json")   # bench's order


def text_ids(checkpoint: str, prompt: str, vocab: int) -> tuple[list[int], str]:
    """The text part of the prefix as bench makes it: with a Hugging Face directory's tokenizer <bos> + prompt + "\\n"
    (docs/model.md#model-input), else bench's synthetic ids (<bos>, one per prompt word, "\\n"). Also its source."""
    for name in TOKENIZER_NAMES if os.path.isdir(checkpoint) else ():
        path = os.path.join(checkpoint, name)
        if not os.path.isfile(path):
            continue
        if name.endswith(".model"):
            import sentencepiece as spm
            sp = spm.SentencePieceProcessor(model_file=path)
            return [sp.bos_id()] + sp.encode(prompt) + sp.encode("\n"), name
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(path)
        ids = [tok.token_to_id("<bos>")] + tok.encode(prompt, add_special_tokens=False).ids
        return ids + tok.encode("\n", add_special_tokens=False).ids, name
    return [2] + [3 + (i * 7919) % max(1, vocab - 3) for i in range(1, len(prompt.split()) + 2)], "synthetic"


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
    f32 = matmul_gflops(torch.float32, 2048, 5)
    bf16, bf16_n = matmul_gflops(torch.bfloat16, 512, 1), 512
    if bf16 >= f32 / 4:
        bf16, bf16_n = matmul_gflops(torch.bfloat16, 2048, 5), 2048
    return dict(read_gbps_1thread=bw1, read_gbps=bwn, matmul_gflops_f32=f32, matmul_gflops_bf16=bf16,
                matmul_n_bf16=bf16_n, threads=threads, cpu=cpu_name())


def matmul_gflops(dtype: torch.dtype, n: int, runs: int) -> float:
    """torch.mm of two n×n matrices: GFLOP/s of the best of `runs` after one warm-up."""
    import torch
    x = torch.randn(n, n, dtype=dtype)
    y = torch.randn(n, n, dtype=dtype)
    torch.mm(x, y)
    return 2 * n ** 3 / min(timed(functools.partial(torch.mm, x, y)) for _ in range(runs)) / 1e9


def torch_dtype(name: str) -> torch.dtype:
    import torch
    return {"fp32": torch.float32, "bf16": torch.bfloat16}[name]


def hf_dtypes(choice: str, mach: dict) -> tuple[list[str], dict[str, str]]:
    """The transformers dtypes to run for --hf-dtypes, and those left out with why (auto only)."""
    if choice != "auto":
        names = choice.split(",")
        bad = [n for n in names if n not in ("fp32", "bf16")]
        if bad or not names or len(set(names)) != len(names):
            die(f"--hf-dtypes: expected auto or a list of fp32 and bf16, got {choice!r}")
        return [n for n in ("fp32", "bf16") if n in names], {}
    if mach["matmul_gflops_bf16"] < mach["matmul_gflops_f32"] / 4:
        why = (f"torch's bf16 matmul runs {mach['matmul_gflops_bf16']:.1f} GFLOP/s on this CPU against "
               f"{mach['matmul_gflops_f32']:.0f} for fp32 (no bf16 instructions); pass --hf-dtypes fp32,bf16 to run it")
        return ["fp32"], {"bf16": why}
    return ["fp32", "bf16"], {}


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

def run_java(args: argparse.Namespace, weights: str, settings: dict[str, Any] | None, prefix_tokens: int) -> dict:
    """One bench process; with `settings` (transformers' decoder settings) passed as flags and checked in its JSON."""
    cmd = [os.path.join(ROOT, "scripts", "paligemma"), "bench", "--checkpoint", args.checkpoint,
           "--prompt", args.prompt, "--new-tokens", str(args.new_tokens), "--repeat", str(args.java_repeat),
           "--threads", str(args.threads), "--weights", weights, "--json"]
    if settings is not None:
        cmd += java_flags(settings)
    env = dict(os.environ, PALIGEMMA_LOCK_WEIGHTS="1") if args.lock_weights else None
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        die(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    j = json.loads(p.stdout.strip().splitlines()[-1])
    diff = work_differences(j, settings, prefix_tokens, args.new_tokens)
    if diff:
        die(f"paligemma4j and transformers would not run the same work: {'; '.join(diff)} ({' '.join(cmd)})")
    n = args.new_tokens
    return dict(vision_ms=j["vision_ms"], prefill_ms=j["vision_ms"] + j["prefill_ms"],
                llm_prefill_ms=j["prefill_ms"], decode_ms=j["decode_ms_per_token"],
                e2e_ms=j["vision_ms"] + j["prefill_ms"] + n * j["decode_ms_per_token"],
                peak_rss_bytes=j["peak_rss_bytes"], load_ms=j["load_ms"], prefix_tokens=j["prefix_tokens"],
                weights=j["weights"], model=j.get("model"), settings=j.get("settings"))


# ---------------------------------------------------------------- transformers

def build_hf(args: argparse.Namespace, c: dict[str, Any], shapes: dict[str, tuple[tuple[int, ...], int]] | None,
             ckpt_bytes: int) -> tuple[PaliGemmaForConditionalGeneration, str]:
    """transformers' model of the checkpoint: its weights (mode "checkpoint") or random ones of its shapes."""
    import numpy as np
    import torch
    from transformers import PaliGemmaConfig, PaliGemmaForConditionalGeneration

    hf_golden = script_module("reference/hf_golden.py")
    mode = args.hf_weights or ("random" if ckpt_bytes > 1 << 30 else "checkpoint")
    hf_vocab = hf_golden.hf_vocab_size(c["vocab"])
    if os.path.isdir(args.checkpoint) or c["gemma2"]:
        with tempfile.TemporaryDirectory(prefix="compare-hf-") as tmp:
            src = args.checkpoint
            if not os.path.isdir(src) and mode == "checkpoint":   # the repo's converter, f32 (transformers' layout)
                src = os.path.join(tmp, "hf")
                print(f"compare: paligemma convert {args.checkpoint} -> {src}", file=sys.stderr)
                cmd = [os.path.join(ROOT, "scripts", "paligemma"), "convert", args.checkpoint, src,
                       "--to", "safetensors", "--dtype", "f32"]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    die(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
            if os.path.isdir(src):
                cfg = PaliGemmaConfig.from_pretrained(src)
            else:   # transformers' converter's config, sized from the .npz
                cfg = script_module("hf/make_hf_fixture.py").fixture_config(shape_only_params(shapes), c["vocab"],
                                                                           "float32")
                cfg.text_config.vocab_size = hf_vocab
            if args.final_logit_softcap is not None:
                cfg.text_config.final_logit_softcapping = args.final_logit_softcap or None
            if mode == "checkpoint":
                model = PaliGemmaForConditionalGeneration.from_pretrained(src, config=cfg, dtype=torch.float32,
                                                                          attn_implementation="eager").eval()
            else:
                cfg._attn_implementation = "eager"
                torch.manual_seed(0)
                model = PaliGemmaForConditionalGeneration(cfg).eval()
    else:
        ids = {"pad": 0, "eos": 1, "bos": 2}
        model = hf_golden.build_model(c, hf_vocab, ids, 1024)
        if mode == "checkpoint":
            p = hf_golden.load_checkpoint(args.checkpoint)
            hf_golden.infer_config(p)   # swaps a [.., F, D] gating einsum like the shapes' config did
            hf_golden.load_strict(model, hf_golden.to_hf_state_dict(p, c, hf_vocab, np.random.default_rng(0)))
            del p
    for sub in (model.config.text_config, model.config.vision_config):
        if sub._attn_implementation != "eager":   # eager applies Gemma 2's attention soft-cap
            die(f"transformers' attention implementation is {sub._attn_implementation}, expected eager")
    with torch.no_grad():  # bfloat16-exact values: fp32 and bf16 runs see the same weights
        for prm in model.parameters():
            prm.copy_(prm.to(torch.bfloat16).to(torch.float32))
    return model, mode


def run_hf(model: PaliGemmaForConditionalGeneration, c: dict[str, int], dtype: torch.dtype, text: list[int],
           new_tokens: int) -> dict:
    import torch
    from transformers import DynamicCache
    model.to(dtype)
    g = torch.Generator().manual_seed(0)
    pixels = (torch.rand(1, 3, c["resolution"], c["resolution"], generator=g) * 2 - 1).to(dtype)
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
    ap.add_argument("--final-logit-softcap", type=float,
                    help="PaliGemma 2: transformers' final_logit_softcapping and bench's "
                         "(0 = none; default: the config's)")
    ap.add_argument("--skip-java", action="store_true")
    ap.add_argument("--skip-hf", action="store_true")
    ap.add_argument("--hf-dtypes", default="auto")
    args = ap.parse_args()
    hf_dir = os.path.isdir(args.checkpoint)
    if hf_dir and not os.path.isfile(os.path.join(args.checkpoint, "config.json")):
        die(f"--checkpoint: directory {args.checkpoint} has no config.json (expected a Hugging Face model directory)")
    if not hf_dir and not os.path.isfile(args.checkpoint):
        die(f"--checkpoint: no such file: {args.checkpoint}")
    if args.repeat < 1 or args.new_tokens < 1 or args.threads < 1:
        die("--repeat, --new-tokens and --threads must be >= 1")
    if args.hf_dtypes != "auto":
        hf_dtypes(args.hf_dtypes, {})   # a bad list stops here, before the machine is measured
    if args.final_logit_softcap is not None and args.final_logit_softcap < 0:
        die(f"--final-logit-softcap must be >= 0 (0 = none), got {args.final_logit_softcap:g}")
    import torch
    import transformers
    torch.set_num_threads(args.threads)

    load_before = os.getloadavg()
    if hf_dir:
        from transformers import PaliGemmaConfig
        shapes = None
        c = hf_dir_config(PaliGemmaConfig.from_pretrained(args.checkpoint))
        ckpt_bytes = sum(e.stat().st_size for e in os.scandir(args.checkpoint) if e.name.endswith(".safetensors"))
    else:
        shapes = npz_shapes(args.checkpoint)
        c = npz_config(shapes)
        ckpt_bytes = os.path.getsize(args.checkpoint)
    if args.final_logit_softcap is not None and not c["gemma2"]:
        die("--final-logit-softcap is for PaliGemma 2 checkpoints; this one has a Gemma 1 decoder (no soft-caps)")
    text, text_source = text_ids(args.checkpoint, args.prompt, c["vocab"])
    text_len = len(text)
    prefix_tokens = c["n_img"] + text_len
    print(f"compare: {'PaliGemma 2' if c['gemma2'] else 'PaliGemma'}, {c['resolution']} px, prefix {prefix_tokens} "
          f"tokens; load average {load_before}; measuring the machine", file=sys.stderr)
    mach = machine(args.threads)
    dtypes, left_out = hf_dtypes(args.hf_dtypes, mach)
    for name, why in left_out.items():
        print(f"compare: transformers {name} left out: {why}", file=sys.stderr)
    model = settings = None
    hf_mode = None
    if not args.skip_hf:
        print("compare: building the transformers model", file=sys.stderr)
        model, hf_mode = build_hf(args, c, shapes, ckpt_bytes)
        settings = java_settings(hf_settings(c, model.config.text_config), prefix_tokens + args.new_tokens)
        print(f"compare: decoder settings for both sides {settings}", file=sys.stderr)
        print("compare: transformers warm-up", file=sys.stderr)
        for name in dtypes:
            run_hf(model, c, torch_dtype(name), text, 2)
    ours = {w: [] for w in ([] if args.skip_java else args.weights.split(","))}
    hf = {name: [] for name in dtypes} if not args.skip_hf else {}
    for k in range(args.repeat):
        for w in ours:
            print(f"compare: repetition {k + 1}/{args.repeat}: paligemma4j {w}", file=sys.stderr)
            ours[w].append(run_java(args, w, settings, prefix_tokens))
        for name in hf:
            print(f"compare: repetition {k + 1}/{args.repeat}: transformers {name}", file=sys.stderr)
            hf[name].append(run_hf(model, c, torch_dtype(name), text, args.new_tokens))
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
                                           weights=rows[0]["weights"], model=rows[0]["model"],
                                           settings=rows[0]["settings"])
    for name, rows in hf.items():
        steps = [s for r in rows for s in r["decode_steps_ms"]]
        systems[f"transformers {name}"] = dict(vision_ms=med(rows, "vision_ms"), prefill_ms=med(rows, "prefill_ms"),
                                               decode_ms=statistics.median(steps), e2e_ms=med(rows, "e2e_ms"),
                                               prefix_tokens=rows[0]["prefix_tokens"])
    if hf:
        systems["transformers (both)"] = dict(peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    result = dict(checkpoint=os.path.abspath(args.checkpoint), checkpoint_bytes=ckpt_bytes, config=c,
                  prompt=args.prompt, text_tokens=text_len, text_ids=text_source, new_tokens=args.new_tokens,
                  repeat=args.repeat,
                  threads=args.threads, machine=mach, load_average_before=load_before, load_average_after=load_after,
                  decode_weight_elements=elems, decode_floor_ms=floor, hf_weights=hf_mode,
                  lock_weights=args.lock_weights, model="PaliGemma 2" if c["gemma2"] else "PaliGemma",
                  decoder_settings=settings, hf_dtypes_left_out=left_out,
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
             f"bf16 {m['matmul_gflops_bf16']:.0f} GFLOP/s"
             + (f" (at {m['matmul_n_bf16']}³)" if m.get("matmul_n_bf16", 2048) != 2048 else ""),
             f"load average before {r['load_average_before']}, after {r['load_average_after']}; "
             f"{r['repeat']} repetitions (medians), prefix {next(iter(s.values())).get('prefix_tokens')} tokens, "
             f"{r['new_tokens']} new tokens; torch {r['versions']['torch']}, "
             f"transformers {r['versions']['transformers']}"
             + ("; paligemma4j's mapped checkpoint locked in memory (--lock-weights)" if r.get("lock_weights") else ""),
             *([f"model: {r['model']}; decoder settings on both sides: " + ", ".join(
                 f"{k} {v}" for k, v in r["decoder_settings"].items())] if r.get("decoder_settings") else []),
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
    for name, why in r.get("hf_dtypes_left_out", {}).items():
        lines.append(f"transformers {name} left out: {why}")
    if "transformers (both)" in s:
        lines.append(f"transformers process peak RSS {s['transformers (both)']['peak_rss_bytes'] / 1e9:.2f} GB")
    return "\n".join(lines)


if __name__ == "__main__":
    ensure_venv()
    main()
