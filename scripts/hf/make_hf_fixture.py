#!/usr/bin/env python3
"""Converts a big_vision PaliGemma .npz into a Hugging Face model directory the way transformers does it.

Runs the `slice_state_dict` of transformers' own `convert_paligemma_weights_to_hf.py` (or, for a Gemma 2 decoder,
`convert_paligemma2_weights_to_hf.py`), taken from the
transformers 4.47.1 wheel on PyPI (newer wheels leave the converter scripts out), then the converter's
remaining steps with the fixture's sizes, since the script itself hard-codes the 3B ones:

  * the config: the script's `get_paligemma_config` with the sizes inferred from the npz and
    `image_token_index` = the tokenizer's vocabulary (the script's 257152);
  * o_proj: the script reshapes `attn_vec_einsum[i].transpose(2, 0, 1)` to (heads*head_dim, width), right
    only when heads*head_dim == width (the 3B models); for the tiny checkpoints (48 vs 32) the same transpose
    is reshaped to (width, heads*head_dim) instead, which is what the script computes when the two are equal;
  * the embedding is padded like the script: `resize_token_embeddings(vocab + 2, 64)`, the new rows drawn
    from N(mean, 1e-5 cov) of the old ones (seeded here);
  * `save_pretrained(safe_serialization=True)` with the given shard size; the tokenizer.model is copied in
    (the script's processor needs a Hub download).

--layout hub writes with transformers 4.x (the Hub checkpoints' names); --layout t5 / native then rebuild that
model with transformers 5 (scripts/.venv-hf/t5, on PYTHONPATH first) and save it with save_pretrained (the names
transformers 5 writes for a model it built: `vision_tower.embeddings…`) or as its in-memory state dict (the
native 5.x names `model.vision_tower…`, `model.language_model…`, with `lm_head.weight`).

usage: make_hf_fixture.py --npz X.npz --tokenizer T.model --out DIR [--dtype float32|bfloat16]
       [--layout hub|t5|native] [--max-shard-size 2GB] [--seed 0]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from types import ModuleType

import ml_dtypes
import numpy as np

HERE = Path(__file__).resolve().parent
VENV = HERE.parent / ".venv-hf"
WHEEL_VERSION = "4.47.1"
CONVERTER = "transformers/models/paligemma/convert_paligemma_weights_to_hf.py"
CONVERTER2 = "transformers/models/paligemma/convert_paligemma2_weights_to_hf.py"


def converter_module(path: str = CONVERTER) -> ModuleType:
    """transformers' converter, extracted from the 4.47.1 wheel (downloaded once into scripts/.venv-hf/wheels).

    The PaliGemma 2 one imports jax.numpy only to compare dtypes with bfloat16: a stand-in serves (the npz is
    handed over as float32).
    """
    wheels = VENV / "wheels"
    wheel = next(wheels.glob(f"transformers-{WHEEL_VERSION}-*.whl"), None) if wheels.is_dir() else None
    if wheel is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"transformers=={WHEEL_VERSION}",
                        "-d", str(wheels)], check=True)
        wheel = next(wheels.glob(f"transformers-{WHEEL_VERSION}-*.whl"))
    if "jax.numpy" not in sys.modules:
        jax, jnp = ModuleType("jax"), ModuleType("jax.numpy")
        jnp.bfloat16, jnp.array, jax.numpy = ml_dtypes.bfloat16, np.array, jnp
        sys.modules.update({"jax": jax, "jax.numpy": jnp})
    source = zipfile.ZipFile(wheel).read(path).decode()
    module = ModuleType(Path(path).stem)
    exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - transformers' own script
    return module


def load_npz(path: str) -> dict[str, np.ndarray]:
    """The npz as float32 arrays (bf16 members are 2-byte voids: their bits are viewed as ml_dtypes.bfloat16)."""
    out = {}
    with np.load(path) as z:
        for k in z.files:
            a = z[k]
            if a.dtype.kind == "V" and a.dtype.itemsize == 2:
                a = a.view(ml_dtypes.bfloat16)
            out[k] = a.astype(np.float32)
    return out


def fixture_config(p: dict[str, np.ndarray], vocab: int, precision: str):  # noqa: ANN201 - a transformers config
    from transformers import PaliGemmaConfig

    g = lambda k: p["params/" + k] if "params/" + k in p else p[k]  # noqa: E731
    patch, _, _, width = g("img/embedding/kernel").shape
    n_img = g("img/pos_embedding").shape[1]
    layers, _, v_heads, _ = g("img/Transformer/encoderblock/MultiHeadDotProductAttention_0/query/kernel").shape
    depth, heads, d, head_dim = g("llm/layers/attn/q_einsum/w").shape
    kv_heads = g("llm/layers/attn/kv_einsum/w").shape[2]
    text_config = {
        "vocab_size": vocab, "num_hidden_layers": depth, "num_key_value_heads": kv_heads, "head_dim": head_dim,
        "torch_dtype": precision, "hidden_size": d, "hidden_activation": "gelu_pytorch_tanh",
        "num_attention_heads": heads, "intermediate_size": g("llm/layers/mlp/gating_einsum").shape[3],
        "is_encoder_decoder": False,
    }
    vision_config = {
        "torch_dtype": precision, "image_size": int(round(n_img ** 0.5)) * patch, "patch_size": patch,
        "num_image_tokens": n_img, "hidden_size": width,
        "intermediate_size": g("img/Transformer/encoderblock/MlpBlock_0/Dense_0/kernel").shape[2],
        "num_hidden_layers": layers, "num_attention_heads": v_heads, "projector_hidden_act": "gelu_fast",
        "vision_use_head": False, "projection_dim": d,
    }
    if "llm/layers/post_ffw_norm/scale" in p or "params/llm/layers/post_ffw_norm/scale" in p:
        # get_paligemma2_config: Gemma2Config's values (the script reads gemma-2-2b-it's from the Hub) updated with
        # the sizes, query_pre_attn_scalar = head_dim (every variant but 27B)
        from transformers import Gemma2Config

        text_config = {**Gemma2Config().to_dict(), **text_config, "model_type": "gemma2",
                       "query_pre_attn_scalar": head_dim}
        text_config.pop("layer_types", None)  # derived from num_hidden_layers
        vision_config["hidden_act"] = "gelu_pytorch_tanh"
    return PaliGemmaConfig(text_config=text_config, vision_config=vision_config, image_token_index=vocab,
                           pad_token_id=0, bos_token_id=2, eos_token_id=1, projection_dim=d, hidden_size=d)


def convert(args: argparse.Namespace) -> None:
    import torch
    from transformers import PaliGemmaForConditionalGeneration

    torch.manual_seed(args.seed)
    npz = load_npz(args.npz)
    gemma2 = any(k.endswith("llm/layers/post_ffw_norm/scale") for k in npz)
    conv = converter_module(CONVERTER2 if gemma2 else CONVERTER)
    params = conv.flatten_nested_dict(npz)
    vocab = params["llm/embedder/input_embedding"].shape[0]
    config = fixture_config(params, vocab, args.dtype)
    attn_vec = params["llm/layers/attn/attn_vec_einsum/w"].copy()
    state = conv.slice_state_dict(params, config)
    t = config.text_config
    # the PaliGemma 2 script reshapes o_proj right for any head count
    for i in range(0 if gemma2 else t.num_hidden_layers):
        state[f"language_model.model.layers.{i}.self_attn.o_proj.weight"] = torch.from_numpy(np.ascontiguousarray(
            attn_vec[i].transpose(2, 0, 1).reshape(t.hidden_size, t.num_attention_heads * t.head_dim)))
    model = PaliGemmaForConditionalGeneration(config).eval()
    # the converter writes the Hub names; transformers >= 4.52 renames them the way from_pretrained does
    for pattern, replacement in getattr(model, "_checkpoint_conversion_mapping", {}).items():
        state = {re.sub(pattern, replacement, k): v for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if "lm_head" not in k]
    if missing or unexpected:
        sys.exit(f"make_hf_fixture: state dict does not fit: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    with torch.no_grad():
        emb = model.get_input_embeddings().weight.data.float()
        mu = emb.mean(dim=0)
        sigma = (emb - mu).T @ (emb - mu) / emb.shape[0]
        dist = torch.distributions.MultivariateNormal(mu, covariance_matrix=1e-5 * sigma + 1e-12 * torch.eye(len(mu)))
        model.resize_token_embeddings(vocab + 2, 64)
        emb = model.get_input_embeddings().weight.data
        emb[vocab:] = torch.stack([dist.sample() for _ in range(emb.shape[0] - vocab)]).to(emb.dtype)
    if args.dtype == "bfloat16":
        model = model.to(torch.bfloat16)
    model.save_pretrained(args.out, max_shard_size=args.max_shard_size, safe_serialization=True)
    shutil.copyfile(args.tokenizer, os.path.join(args.out, "tokenizer.model"))


def resave_with_transformers5(src: str, out: str, max_shard_size: str, layout: str) -> None:
    """Rebuilds the model of `src` under transformers 5 (a child, scripts/.venv-hf/t5 first on the path), saves it.

    t5: a model transformers 5 built itself, saved by save_pretrained (`vision_tower.embeddings…`, no vision_model);
    native: its state_dict as it is in memory (`model.vision_tower…`, `model.language_model…`, `lm_head.weight`).
    """
    code = """if True:
        import shutil, sys, torch, transformers
        from safetensors.torch import save_file
        from transformers import PaliGemmaConfig, PaliGemmaForConditionalGeneration as M
        assert transformers.__version__.startswith("5"), transformers.__version__
        src, out, shard, layout = sys.argv[1:]
        loaded = M.from_pretrained(src, dtype="auto")
        config = PaliGemmaConfig.from_pretrained(src)
        model = M(config).to(loaded.dtype)
        model.load_state_dict(loaded.state_dict())
        if layout == "t5":
            model.save_pretrained(out, max_shard_size=shard)
        else:
            model.config.save_pretrained(out)
            state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
            save_file(state, out + "/model.safetensors", metadata={"format": "pt"})
        shutil.copyfile(src + "/tokenizer.model", out + "/tokenizer.model")
    """
    env = dict(os.environ, PYTHONPATH=str(VENV / "t5") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-c", code, src, out, max_shard_size, layout], check=True, env=env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npz", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    ap.add_argument("--layout", choices=["hub", "t5", "native"], default="hub")
    ap.add_argument("--max-shard-size", default="2GB")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.layout == "hub":
        convert(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out
        args.out = tmp
        convert(args)
        resave_with_transformers5(tmp, out, args.max_shard_size, args.layout)


if __name__ == "__main__":
    main()
