"""Shared set-up for the big_vision parity scripts.

Puts the user's big_vision checkout (env `BIG_VISION_DIR`) on `sys.path`, forces CPU and
float32 ("highest") matmul precision, and builds big_vision's own PaliGemma model
(`big_vision.models.proj.paligemma.paligemma` with the `vit` image model and the
`proj.paligemma.gemma_bv` LLM) sized from a checkpoint's tensor shapes.

big_vision's Gemma `get_config(variant)` only knows fixed variants (gemma_2b, ...). We
register custom variants at run time by wrapping that function in *our* process; the
big_vision checkout itself is never modified.
"""
import os
import subprocess
import sys

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BIG_VISION_DIR = os.environ.get("BIG_VISION_DIR")
if not BIG_VISION_DIR or not os.path.isdir(os.path.join(BIG_VISION_DIR, "big_vision")):
    sys.exit("BIG_VISION_DIR must point to a checkout of google-research/big_vision "
             f"(a folder containing big_vision/); got {BIG_VISION_DIR!r}")
sys.path.insert(0, BIG_VISION_DIR)

import jax  # noqa: E402

jax.config.update("jax_platforms", "cpu")
jax.config.update("jax_default_matmul_precision", "highest")

import ml_collections  # noqa: E402
import numpy as np  # noqa: E402
from big_vision.models.ppp import gemma as bv_gemma  # noqa: E402
from big_vision.models.proj.paligemma import paligemma as bv_paligemma  # noqa: E402

MATMUL_PRECISION = "highest"
_CUSTOM_VARIANTS = {}
_ORIGINAL_GET_CONFIG = bv_gemma.get_config


def _get_config_with_custom(variant: str) -> ml_collections.ConfigDict:
    if variant in _CUSTOM_VARIANTS:
        return ml_collections.ConfigDict(dict(_CUSTOM_VARIANTS[variant]))
    return _ORIGINAL_GET_CONFIG(variant)


bv_gemma.get_config = _get_config_with_custom


# Gemma 2 settings of big_vision's gemma2_* variants (models/ppp/gemma.py get_config).
GEMMA2_DEFAULTS = dict(final_logits_softcap=30.0, attn_logits_softcap=50.0, query_pre_attn_norm="rsqrt_head_dim")
QUERY_SCALES = {"head-dim": "rsqrt_head_dim", "width-per-head": "rsqrt_emb_per_head"}


def register_gemma_variant(width: int, depth: int, mlp_dim: int, num_heads: int, num_kv_heads: int, head_dim: int,
                           vocab_size: int, gemma2: dict | None = None) -> str:
    """Registers a Gemma variant; returns its name. Gemma 1 without `gemma2`; with it a Gemma 2 one
    (post_norms=True and the given final_logits_softcap, attn_logits_softcap, query_pre_attn_norm)."""
    if num_kv_heads == num_heads:
        sys.exit(f"--llm-kv-heads ({num_kv_heads}) must be smaller than --llm-heads ({num_heads}): "
                 "with equal counts big_vision uses a fused qkv_einsum, which is not the PaliGemma v1 "
                 "q_einsum/kv_einsum layout")
    if num_heads % num_kv_heads:
        sys.exit(f"--llm-heads ({num_heads}) must be a multiple of --llm-kv-heads ({num_kv_heads})")
    name = f"pg4j_w{width}_d{depth}_m{mlp_dim}_n{num_heads}_k{num_kv_heads}_h{head_dim}_v{vocab_size}"
    extra = {}
    if gemma2 is not None:
        extra = dict(GEMMA2_DEFAULTS, **gemma2, post_norms=True)
        name += "_g2_f{final_logits_softcap}_a{attn_logits_softcap}_{query_pre_attn_norm}".format(**extra)
    _CUSTOM_VARIANTS[name] = dict(
        variant=name, width=width, depth=depth, mlp_dim=mlp_dim, num_heads=num_heads,
        num_kv_heads=num_kv_heads, head_dim=head_dim, norm_eps=1e-6, vocab_size=vocab_size,
        scan=True, remat_policy="nothing_saveable", **extra)
    return name


def model_config(sizes: dict[str, int], llm_scan: bool = True, gemma2: dict | None = None) -> ml_collections.ConfigDict:
    """big_vision PaliGemma model config (as in the PaliGemma transfer configs) for `sizes`; a Gemma 2
    decoder when `sizes["post_norms"]`, with the settings in `gemma2` (GEMMA2_DEFAULTS where absent)."""
    variant = register_gemma_variant(
        sizes["llm_width"], sizes["llm_depth"], sizes["llm_mlp"], sizes["llm_heads"],
        sizes["llm_kv_heads"], sizes["head_dim"], sizes["vocab"],
        (gemma2 or {}) if sizes.get("post_norms") else None)
    llm = dict(variant=variant, vocab_size=sizes["vocab"], dropout=0.0)
    if not llm_scan:
        # The python-loop form: same maths, but each layer is its own module, so flax's
        # capture_intermediates can return every layer's output (scan hides them).
        llm.update(scan=False, remat_policy="none")
    return ml_collections.ConfigDict(dict(
        img_model="vit",
        img=dict(width=sizes["vit_width"], depth=sizes["vit_depth"], mlp_dim=sizes["vit_mlp"],
                 num_heads=sizes["vit_heads"], patch_size=(sizes["patch"], sizes["patch"]),
                 pool_type="none", scan=True),
        llm_model="proj.paligemma.gemma_bv",
        llm=llm,
    ))


def build_model(cfg: ml_collections.ConfigDict) -> bv_paligemma.Model:
    """As big_vision's PaliGemma trainer does: a frozen (hashable) config, so jit can take it."""
    return bv_paligemma.Model(**ml_collections.FrozenConfigDict(cfg))


def _strip(key: str) -> str:
    return key[len("params/"):] if key.startswith("params/") else key


def npz_shapes(path: str) -> dict[str, tuple[int, ...]]:
    """Member name (without .npy) -> shape, read from the .npy headers only (no tensor data)."""
    import zipfile
    shapes = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with zf.open(info) as f:
                major, _ = np.lib.format.read_magic(f)
                read_header = (np.lib.format.read_array_header_1_0 if major == 1
                               else np.lib.format.read_array_header_2_0)
                shapes[info.filename[:-4]] = read_header(f)[0]
    return shapes


def sizes_from_npz(path: str) -> dict[str, int]:
    """Reads the model sizes from the tensor shapes of a PaliGemma .npz checkpoint."""
    shapes = {_strip(k): s for k, s in npz_shapes(path).items()}

    def shape(key: str, rank: int) -> tuple[int, ...]:
        if key not in shapes:
            sys.exit(f"{path}: missing tensor '{key}' (with or without a 'params/' prefix)")
        if len(shapes[key]) != rank:
            sys.exit(f"{path}: tensor '{key}' has shape {shapes[key]}, expected rank {rank}")
        return shapes[key]

    blk = "img/Transformer/encoderblock/"
    kh, kw, _, vit_width = shape("img/embedding/kernel", 4)
    if kh != kw:
        sys.exit(f"{path}: 'img/embedding/kernel' has a non-square patch {kh}x{kw}")
    n_img = shape("img/pos_embedding", 3)[1]
    grid = int(round(n_img ** 0.5))
    if grid * grid != n_img:
        sys.exit(f"{path}: 'img/pos_embedding' has {n_img} positions, expected a square number")
    vit_depth, _, vit_heads, _ = shape(blk + "MultiHeadDotProductAttention_0/query/kernel", 4)
    vit_mlp = shape(blk + "MlpBlock_0/Dense_0/kernel", 3)[2]
    vocab, llm_width = shape("llm/embedder/input_embedding", 2)
    if "llm/layers/attn/qkv_einsum/w" in shapes:
        sys.exit(f"{path}: has 'llm/layers/attn/qkv_einsum/w' (fused multi-head layout); "
                 "PaliGemma v1 uses q_einsum + kv_einsum")
    llm_depth, llm_heads, _, head_dim = shape("llm/layers/attn/q_einsum/w", 4)
    llm_kv_heads = shape("llm/layers/attn/kv_einsum/w", 5)[2]
    llm_mlp = shape("llm/layers/mlp/gating_einsum", 4)[3]
    post = [k in shapes for k in ("llm/layers/post_attention_norm/scale", "llm/layers/post_ffw_norm/scale")]
    if post[0] != post[1]:
        sys.exit(f"{path}: has one of the Gemma 2 post norms but not the other")
    return dict(post_norms=post[0], vit_width=vit_width, vit_depth=vit_depth, vit_heads=vit_heads, vit_mlp=vit_mlp,
                patch=kh, resolution=grid * kh, n_img=n_img, llm_width=llm_width,
                llm_depth=llm_depth, llm_heads=llm_heads, llm_kv_heads=llm_kv_heads,
                head_dim=head_dim, llm_mlp=llm_mlp, vocab=vocab)


def load_params(path: str, cfg: ml_collections.ConfigDict) -> dict:
    """Loads a checkpoint with big_vision's own loader (paligemma.load, as in its colab)."""
    return bv_paligemma.load(None, path, cfg)


def unstack_llm_layers(params: dict) -> dict:
    """Scanned LLM params (leading layer axis) -> python-loop form {'layers': {'0': ..., ...}}."""
    llm = dict(params["llm"])
    stacked = llm.pop("layers")
    depth = jax.tree.leaves(stacked)[0].shape[0]
    llm["layers"] = {str(i): jax.tree.map(lambda x, i=i: x[i], stacked) for i in range(depth)}
    return {**params, "llm": llm}


def big_vision_commit() -> str:
    try:
        return subprocess.run(["git", "-C", BIG_VISION_DIR, "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip() or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def versions() -> dict[str, str]:
    import flax
    out = {"jax_version": jax.__version__, "flax_version": flax.__version__,
           "numpy_version": np.__version__, "big_vision_commit": big_vision_commit()}
    try:
        import jaxlib
        out["jaxlib_version"] = jaxlib.__version__
    except ImportError:
        pass
    return out
