#!/usr/bin/env python3
"""Runs `scripts/paligemma parity --json` on every dump of one or more dump folders (made by
bigvision_dump.py --prompts-file ... --out-dir D, which writes D/prompts.tsv) and prints the worst
per-stage errors as a Markdown table, plus token agreement.

usage: scripts/parity/java_parity_table.py --checkpoint C --tokenizer T --image I DUMP_DIR [DUMP_DIR ...]
       (one --checkpoint per DUMP_DIR, in the same order: --checkpoint a.npz --checkpoint b.npz)
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", action="append", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    if len(a.checkpoint) != len(a.dirs):
        sys.exit("give one --checkpoint per dump folder")
    for ckpt, d in zip(a.checkpoint, a.dirs, strict=True):
        worst, runs, passed, greedy, beam = {}, 0, 0, 0, 0
        for line in open(os.path.join(d, "prompts.tsv"), encoding="utf-8"):
            name, prompt = line.rstrip("\n").split("\t", 1)
            out = subprocess.run([os.path.join(ROOT, "scripts", "paligemma"), "parity", "--checkpoint", ckpt,
                                  "--tokenizer", a.tokenizer, "--image", a.image, "--prompt", prompt,
                                  "--reference", os.path.join(d, name), "--json"],
                                 capture_output=True, text=True)
            r = json.loads(out.stdout)
            runs += 1
            passed += r["pass"]
            for s in r["stages"]:
                key = re.sub(r"_\d+$", "_*", s["name"])
                w = worst.setdefault(key, [0.0, 0.0, 1.0])
                w[0], w[1], w[2] = max(w[0], s["max_abs"]), max(w[1], s["max_rel"]), min(w[2], s["cosine"])
            for t in r["tokens"]:
                greedy += t["name"] == "tokens/greedy" and t["equal"]
                beam += t["name"] == "tokens/beam2" and t["equal"]
        print(f"\n{os.path.basename(ckpt)}: {passed}/{runs} runs PASS; greedy (bf16 KV) identical {greedy}/{runs}, "
              f"beam-2 identical {beam}/{runs}\n")
        print("| stage | worst max_abs | worst max_rel | worst cosine |\n|---|---|---|---|")
        for k, (ab, rel, cos) in worst.items():
            print(f"| {k} | {ab:.2e} | {rel:.2e} | {cos:.9f} |")


if __name__ == "__main__":
    main()
