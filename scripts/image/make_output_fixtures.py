#!/usr/bin/env python3
"""Golden data for paligemma4j.model.output (detection / segmentation text parsing, box conversion).

Reference: Python 3's `re` with the object pattern of Google's PaliGemma demo code and the two
coordinate conventions (docs/model.md#detection-output):
  big_vision: int(k / 1023 * side)      demo: round(k / 1024 * side)  (round half to even)
Writes model/src/test/resources/image/output/parse_cases.json and box_conversions.json.
Run from the repository root: python3 scripts/image/make_output_fixtures.py
"""
import json
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "model", "src", "test", "resources", "image", "output")

OBJECT_RE = re.compile(
    r"(.*?)" + r"<loc(\d{4})>" * 4 + r"\s*" + "(?:%s)?" % (r"<seg(\d{3})>" * 16) + r"\s*([^;<>]+)? ?(?:; )?")


def parse(text: str) -> list[dict]:
    """The demo's extraction loop, keeping what the Java parser returns."""
    objs = []
    while text:
        m = OBJECT_RE.match(text)
        if not m:
            break
        gs = list(m.groups())
        gs.pop(0)  # leading text
        name = gs.pop()
        box = [int(x) for x in gs[:4]]
        seg = None if gs[4] is None else [int(x) for x in gs[4:20]]
        objs.append({"box": box, "label": (name or "").strip(), "seg": seg})
        text = text[len(m.group()):]
    return objs


def loc(*ks: int) -> str:
    return "".join(f"<loc{k:04d}>" for k in ks)


def seg(*ks: int) -> str:
    return "".join(f"<seg{k:03d}>" for k in ks)


S16 = seg(*range(0, 128, 8))
S16B = seg(*[127 - i for i in range(16)])

TEXTS = [
    "",
    "no objects here",
    loc(100, 200, 300, 400) + " cat",
    loc(100, 200, 300, 400) + " cat ; " + loc(0, 0, 1023, 1023) + " dog",
    loc(12, 34, 567, 890) + S16 + " person",
    loc(12, 34, 567, 890) + " " + S16 + " person ; " + loc(1, 2, 3, 4) + " cup ; " + loc(5, 6, 7, 8) + S16B + " car",
    "there is " + loc(10, 20, 30, 40) + " cat",
    "line one\n" + loc(10, 20, 30, 40) + " cat",
    loc(10, 20, 30, 40) + seg(1, 2) + " cat",
    loc(10, 20, 30, 40) + seg(*range(15)) + " cat",
    loc(10, 20, 30, 40) + seg(*range(17)) + " cat",
    loc(10, 20, 30, 40),
    loc(10, 20, 30, 40) + loc(50, 60, 70, 80),
    loc(10, 20, 30) + " three locs",
    loc(1, 2, 3, 4, 5) + " five locs",
    "<loc123><loc0001><loc0002><loc0003><loc0004> after a short loc",
    "<loc\uff10\uff11\uff12\uff13><loc0001><loc0002><loc0003> fullwidth digits",
    loc(100, 100, 900, 900) + " \u732b ; " + loc(0, 0, 10, 10) + " caf\u00e9",
    loc(10, 20, 30, 40) + " cat;" + loc(50, 60, 70, 80) + " dog",
    loc(10, 20, 30, 40) + " cat  ;  " + loc(50, 60, 70, 80) + " dog",
    loc(10, 20, 30, 40) + " hot\ndog ; " + loc(1, 1, 2, 2) + " x",
    loc(10, 20, 30, 40) + " \t" + S16 + "\tlabel with tab",
    loc(10, 20, 30, 40) + " cat<eos>",
    loc(10, 20, 30, 40) + " cat ; ; " + loc(50, 60, 70, 80) + " dog",
    loc(900, 800, 100, 200) + " upside down",
    loc(9999, 0, 5000, 1) + " out of vocabulary bins",
    loc(10, 20, 30, 40) + " a > b",
    loc(10, 20, 30, 40) + "no space label",
    "caption " + loc(10, 20, 30, 40) + " x ; trailing words",
    "  " + loc(500, 500, 500, 500) + "   ",
    loc(10, 20, 30, 40) + "\u00a0dog\u00a0\u0085; " + loc(1, 2, 3, 4) + "\u2003cup",
]

SIZES = [(480, 640), (1, 1), (333, 500), (1023, 1024), (2049, 7)]
SIDES = [1, 7, 224, 333, 480, 640, 1023, 1024, 4000]


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for text in TEXTS:
        objs = parse(text)
        for o in objs:
            y0, x0, y1, x1 = o["box"]
            o["pixels"] = [{"height": h, "width": w,
                            "bigVision": [int(y0 / 1023 * h), int(x0 / 1023 * w),
                                          int(y1 / 1023 * h), int(x1 / 1023 * w)],
                            "demo": [round(y0 / 1024 * h), round(x0 / 1024 * w),
                                     round(y1 / 1024 * h), round(x1 / 1024 * w)]}
                           for h, w in SIZES]
        cases.append({"text": text, "objects": objs})
    with open(os.path.join(OUT, "parse_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": cases}, f, ensure_ascii=True, indent=1)
        f.write("\n")
    conv = [{"side": s, "bigVision": [int(k / 1023 * s) for k in range(1024)],
             "demo": [round(k / 1024 * s) for k in range(1024)]} for s in SIDES]
    with open(os.path.join(OUT, "box_conversions.json"), "w") as f:
        json.dump({"sides": conv}, f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(cases)} texts, {sum(len(c['objects']) for c in cases)} objects")


if __name__ == "__main__":
    main()
