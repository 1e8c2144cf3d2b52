"""The reference rules of scripts/eval (POPE, MMVP, RefCOCO) against the fixtures they made for the Java tests."""
import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
from conftest import SCRIPTS, load

mf = load("eval/make_fixtures.py")
gr = load("eval/golden_refcoco.py")
EVAL = SCRIPTS.parent / "eval" / "src" / "test" / "resources" / "eval"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("split", ["random", "popular", "adversarial"])
def test_pope_rules_reproduce_the_committed_expected_scores(split: str) -> None:
    labels = [r["label"] for r in read_jsonl(EVAL / "pope" / f"coco_pope_{split}.json")]
    answers = {p["id"]: p["answer"] for p in read_jsonl(EVAL / "pope" / f"predictions_{split}.jsonl")}
    ordered = [answers[i + 1] for i in range(len(labels))]
    expected = json.loads((EVAL / "pope" / "expected.json").read_text())[split]
    assert mf.pope_metrics_bigvision(labels, ordered) == expected["big_vision"]
    assert mf.pope_metrics_original(labels, ordered) == expected["original"]


def test_pope_rules_on_hand_made_answers() -> None:
    assert mf.pope_bigvision("Yes", "yes") and not mf.pope_bigvision("Yes.", "yes")
    m = mf.pope_metrics_original(["yes", "no", "no", "yes"], ["Yes, it is.", "No.", "there is not one", "I see no"])
    assert (m["correct"], m["precision"], m["recall"]) == (3, 100.0, 50.0)


def test_mmvp_matcher_reproduces_the_committed_per_question_result() -> None:
    with open(EVAL / "mmvp" / "Questions.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    answers = {p["id"]: p["answer"] for p in read_jsonl(EVAL / "mmvp" / "predictions.jsonl")}
    got = [mf.mmvp_correct(r, answers[int(r["Index"])]) for r in rows]
    assert got == json.loads((EVAL / "mmvp" / "expected.json").read_text())["per_question"]


@pytest.mark.parametrize(("answer", "correct"), [
    ("(a)", True), ("A", True), (" open ", True), ("(a) open wide", True), ("(b)", False),
    ("closed", False), ("a)", False)])
def test_mmvp_matcher_forms(answer: str, correct: bool) -> None:
    row = {"Options": "(a) Open (b) Closed", "Correct Answer": "(a)"}
    assert mf.mmvp_correct(row, answer) is correct


def test_vae_layout_is_the_committed_layout() -> None:
    meta = json.loads((EVAL / "golden" / "vqvae.json").read_text())
    for sizes, key in ((gr.FULL, "layout_full"), (gr.SMALL, "layout_small")):
        got = [[k, list(s), f] for k, s, f in gr.vae_layout(sizes["dim"], sizes["widths"])]
        assert got == meta[key]


def test_vae_weights_use_the_hash_weights_in_layout_order() -> None:
    w = gr.vae_weights(**gr.SMALL)
    layout = gr.vae_layout(gr.SMALL["dim"], gr.SMALL["widths"])
    assert list(w) == [k for k, _, _ in layout]
    key, shape, fan_in = layout[1]
    expected = load("eval/common.py").hash_weights(gr.SMALL["seed_base"] + 2, int(np.prod(shape)), np.sqrt(6 / fan_in))
    assert np.array_equal(w[key].reshape(-1), expected)


def test_parse_reference_reads_4_locs_then_16_segs() -> None:
    good = "<loc0010><loc0020><loc0500><loc0600>" + "".join(f"<seg{i:03d}>" for i in range(16))
    assert gr.parse_reference(good + " trailing") == [10, 20, 500, 600, *range(16)]
    assert gr.parse_reference(" " + good) is None                                   # leading space
    assert gr.parse_reference(good[:-8]) is None                                    # 19 tokens
    assert gr.parse_reference("<loc0500><loc0020><loc0010><loc0600>" + good[36:]) is None   # y2 <= y1


def test_box_iou_reference() -> None:
    img = {"height": 100, "width": 200}
    ann = {"bbox": [0, 0, 100, 50]}                       # x, y, w, h: left half of the top half
    assert gr.box_iou_reference([0, 0, 1023, 1023], ann, img) == pytest.approx(0.25)
    assert gr.box_iou_reference([0, 0, 511.5, 511.5], ann, img) == pytest.approx(1.0)
    assert gr.box_iou_reference(None, ann, img) == 0.0


def test_answer_for_mixes_valid_and_invalid_outputs() -> None:
    rng = random.Random(0)
    kinds = [gr.answer_for(k, rng)[1] for k in range(9)]
    assert kinds[3] == "valid+trailing" and kinds[5] == "y2<=y1" and kinds[6] == "only 19 tokens"
    for k in range(40):
        text, kind = gr.answer_for(k, rng)
        assert (gr.parse_reference(text) is None) == (kind in ("y2<=y1", "only 19 tokens", "leading space"))
