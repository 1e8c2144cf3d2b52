#!/usr/bin/env python3
"""transformers loads our `convert` output and answers with the same greedy tokens as paligemma4j.

For a big_vision npz: `scripts/paligemma convert NPZ DIR` (a Hugging Face directory), then per prompt
`scripts/paligemma generate --checkpoint DIR --json` on a hashed test image at the model's resolution (so no
resize is involved) and transformers' `PaliGemmaForConditionalGeneration.from_pretrained(DIR)` greedy `generate`
on the same pixels (-1 + u/255*2 in float32) and the same ids (`<image>` x N, `<bos>`, prompt, "\\n" tokenized on
its own, token_type_ids 0 over the prefix). Prints one line per prompt and exits 1 on any difference.

Runs with scripts/.venv-hf (transformers 4.x); with PYTHONPATH=scripts/.venv-hf/t5 it uses transformers 5.

usage: hf_convert_parity.py --npz X.npz --tokenizer T.model [--prompt P ...] [--max-tokens 8] [--dtype f32|bf16]
       [--max-shard-size 100KB]
"""
from __future__ import annotations

import argparse
import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ["caption en", "answer en what is this?", "detect cat", "ocr"]


def hash_image(r: int) -> np.ndarray:
    i = np.arange(r * r * 3, dtype=np.uint64).reshape(r, r, 3)
    return (((i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(24)).astype(np.uint8)


def write_bmp(path: Path, rgb: np.ndarray) -> None:
    """24-bit bottom-up BMP, rows padded to 4 bytes."""
    h, w, _ = rgb.shape
    row = (w * 3 + 3) // 4 * 4
    body = bytearray()
    for y in range(h - 1, -1, -1):
        line = rgb[y, :, ::-1].tobytes()
        body += line + b"\0" * (row - len(line))
    header = b"BM" + struct.pack("<IHHI", 54 + len(body), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(body), 2835, 2835, 0, 0)
    path.write_bytes(header + info + bytes(body))


def java_tokens(ckpt: Path, tokenizer: str, image: Path, prompt: str, max_tokens: int) -> list[int]:
    out = subprocess.run([str(ROOT / "scripts" / "paligemma"), "generate", "--checkpoint", str(ckpt), "--tokenizer",
                          tokenizer, "--image", str(image), "--prompt", prompt, "--max-tokens", str(max_tokens),
                          "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["tokens"]


def hf_tokens(model, sp, config: dict, pixels: np.ndarray, prompt: str, max_tokens: int) -> list[int]:  # noqa: ANN001
    import torch

    n_img = config["vision_config"]["num_image_tokens"]
    image_id = config["image_token_index"]
    ids = [image_id] * n_img + [sp.bos_id()] + sp.encode(prompt) + sp.encode("\n")
    input_ids = torch.tensor([ids])
    with torch.no_grad():
        out = model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                             token_type_ids=torch.zeros_like(input_ids),
                             pixel_values=torch.from_numpy(pixels).permute(2, 0, 1)[None].to(model.dtype),
                             max_new_tokens=max_tokens, do_sample=False, eos_token_id=sp.eos_id())
    gen = out[0, len(ids):].tolist()
    return gen[:gen.index(sp.eos_id())] if sp.eos_id() in gen else gen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npz", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--prompt", action="append")
    ap.add_argument("--max-tokens", type=int, default=8)
    ap.add_argument("--dtype", choices=["f32", "bf16"])
    ap.add_argument("--max-shard-size", help="convert's --max-shard-size (sharded output with an index)")
    args = ap.parse_args()
    import sentencepiece as spm
    import torch
    import transformers

    sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
    with tempfile.TemporaryDirectory() as tmp:
        hf = Path(tmp) / "hf"
        cmd = [str(ROOT / "scripts" / "paligemma"), "convert", args.npz, str(hf)]
        cmd += ["--dtype", args.dtype] if args.dtype else []
        cmd += ["--max-shard-size", args.max_shard_size] if args.max_shard_size else []
        subprocess.run(cmd, check=True, capture_output=True)
        config = json.loads((hf / "config.json").read_text())
        r = config["vision_config"]["image_size"]
        u8 = hash_image(r)
        image = Path(tmp) / "image.bmp"
        write_bmp(image, u8)
        pixels = np.float32(-1.0) + (u8.astype(np.float32) / np.float32(255.0)) * np.float32(2.0)
        model_class = transformers.PaliGemmaForConditionalGeneration
        model = model_class.from_pretrained(str(hf), torch_dtype=torch.float32).eval()
        bad = 0
        for prompt in args.prompt or PROMPTS:
            ours = java_tokens(hf, args.tokenizer, image, prompt, args.max_tokens)
            theirs = hf_tokens(model, sp, config, pixels, prompt, args.max_tokens)
            same = ours == theirs
            bad += not same
            print(f"{'same' if same else 'DIFFERENT'}  {prompt!r}: paligemma4j {ours}  transformers "
                  f"{transformers.__version__} {theirs}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
