#!/usr/bin/env python3
"""Compares two stage dumps (e.g. big_vision vs transformers) stage by stage.

For every float stage present in both files: max abs error, max relative error
(max |a-b| / max |b|, b = the second, reference file) and cosine similarity; then the token keys
present in both (equal, or the first differing position). Only reports; it does not judge.

usage: compare_dumps.py [--worst] A.npz REFERENCE.npz [more pairs: A2.npz REF2.npz ...]
  --worst   one table: per stage, the worst value over all pairs (and how many pairs had
            equal tokens)
"""

import re
import sys

import numpy as np

# a float stage: (key, max abs error, max relative error, cosine); a token key or a shape mismatch: (key, text)
Row = tuple[str, float, float, float] | tuple[str, str]

STAGES = ["img/pixels", "img/embed", "img/block", "img/encoder_norm", "img/zimg",
          "llm/text_embed", "llm/layer", "llm/final_norm", "llm/prefix_logits"]


def stage_order(key: str) -> tuple[int, int, str]:
    """Sort key: pipeline order of the stage, then its layer number (`img/block_3`), then the name."""
    m = re.search(r"_(\d+)$", key)
    base = re.sub(r"_\d+$", "", key)
    return (STAGES.index(base) if base in STAGES else len(STAGES), int(m.group(1)) if m else -1, key)


def first_difference(ta: list[int], tb: list[int]) -> int | None:
    """The first position where two token lists differ (the shorter length if one is a prefix); None if equal."""
    diff = next((i for i, (p, q) in enumerate(zip(ta, tb, strict=False)) if p != q), None)
    if diff is None and len(ta) != len(tb):
        return min(len(ta), len(tb))
    return diff


def compare_arrays(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> list[Row]:
    """Rows for the float stages in both (b is the reference), then for the integer token keys in both."""
    rows: list[Row] = []
    for k in sorted(set(a) & set(b), key=stage_order):
        if k.startswith(("meta/", "tokens/")):
            continue
        x, y = a[k].astype(np.float64), b[k].astype(np.float64)
        if x.shape != y.shape:
            rows.append((k, f"shape {x.shape} vs {y.shape}"))
            continue
        err = np.abs(x - y)
        scale = max(float(np.max(np.abs(y))), 1e-30)
        cos = float(np.sum(x * y) / max(np.linalg.norm(x) * np.linalg.norm(y), 1e-300))
        rows.append((k, float(err.max()), float(err.max()) / scale, cos))
    for k in sorted(set(a) & set(b)):
        if k.startswith("tokens/") and a[k].dtype.kind == "i":
            diff = first_difference(a[k].tolist(), b[k].tolist())
            rows.append((k, "equal" if diff is None else f"first difference at {diff}"))
    return rows


def compare(path_a: str, path_b: str) -> list[Row]:
    with np.load(path_a) as za, np.load(path_b) as zb:
        a = {k: za[k] for k in za.files}
        b = {k: zb[k] for k in zb.files}
    return compare_arrays(a, b)


def worst_over_pairs(
        row_lists: list[list[Row]]) -> tuple[dict[str, tuple[float, float, float]], dict[str, tuple[int, int]]]:
    """Per float stage the largest errors and smallest cosine; per token key (pairs equal, pairs)."""
    worst: dict[str, tuple[float, float, float]] = {}
    tokens: dict[str, tuple[int, int]] = {}
    for rows in row_lists:
        for row in rows:
            if len(row) == 2:
                ok, n = tokens.get(row[0], (0, 0))
                tokens[row[0]] = (ok + (row[1] == "equal"), n + 1)
                continue
            w = worst.get(row[0], (0.0, 0.0, 1.0))
            worst[row[0]] = (max(w[0], row[1]), max(w[1], row[2]), min(w[2], row[3]))
    return worst, tokens


def main() -> None:
    args = sys.argv[1:]
    worst_only = bool(args) and args[0] == "--worst"
    if worst_only:
        args = args[1:]
    if not args or len(args) % 2:
        sys.exit(__doc__)
    pairs = list(zip(args[0::2], args[1::2], strict=True))
    if worst_only:
        worst, tokens = worst_over_pairs([compare(pa, pb) for pa, pb in pairs])
        print(f"{len(pairs)} pairs; worst over all pairs")
        print("| stage | max abs | max rel | 1 − min cosine |\n|---|---|---|---|")
        for k in sorted(worst, key=stage_order):
            a, r, c = worst[k]
            print(f"| `{k}` | {a:.2e} | {r:.2e} | {max(0.0, 1 - c):.1e} |")
        for k, (ok, n) in sorted(tokens.items()):
            print(f"| `{k}` | equal in {ok} of {n} | | |")
        return
    for pa, pb in pairs:
        print(f"{pa} vs {pb}")
        for row in compare(pa, pb):
            if len(row) == 2:
                print(f"  {row[0]:<22} {row[1]}")
            else:
                print(f"  {row[0]:<22} max_abs {row[1]:.3e}  max_rel {row[2]:.3e}  1-cos {max(0.0, 1 - row[3]):.1e}")


if __name__ == "__main__":
    main()
