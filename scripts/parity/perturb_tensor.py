#!/usr/bin/env python3
"""Copies a PaliGemma .npz with ONE tensor (optionally one layer of it) scaled by a factor.

For checking that `parity` catches a real bug: give the Java side the perturbed copy and the
reference dump of the original; parity must fail and name the first stage downstream of the
change (e.g. `--key llm/layers/mlp/linear --layer 1` must first fail at llm/layer_1). Every
other member is copied unchanged (same dtype, bfloat16 '<V2' members included).

usage: perturb_tensor.py --checkpoint IN.npz --out OUT.npz --key llm/layers/mlp/linear
       [--layer 1] [--factor 1.03]
"""
import argparse
import sys

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--key", required=True, help="tensor key, with or without 'params/'")
    p.add_argument("--layer", type=int, help="index along the leading (layer) axis")
    p.add_argument("--factor", type=float, default=1.03)
    a = p.parse_args()
    with np.load(a.checkpoint, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    key = next((k for k in (a.key, "params/" + a.key) if k in arrays), None)
    if key is None:
        sys.exit(f"{a.checkpoint}: no tensor '{a.key}' (with or without 'params/')")
    x = arrays[key]
    if x.dtype.kind == "V" and x.dtype.itemsize == 2:  # bfloat16 stored as 2-byte void
        import ml_dtypes
        x = x.view(ml_dtypes.bfloat16)
    y = x.astype(np.float32)
    if a.layer is None:
        y = y * np.float32(a.factor)
    else:
        if not 0 <= a.layer < y.shape[0]:
            sys.exit(f"{key}: --layer {a.layer} outside [0, {y.shape[0]})")
        y[a.layer] = y[a.layer] * np.float32(a.factor)
    arrays[key] = y.astype(x.dtype)
    np.savez(a.out, **arrays)
    changed = float(np.max(np.abs(arrays[key].astype(np.float32) - x.astype(np.float32))))
    print(f"wrote {a.out}: {key}{'' if a.layer is None else f'[{a.layer}]'} x {a.factor} "
          f"(max |change| {changed:.3g})")


if __name__ == "__main__":
    main()
