"""scripts/image/make_output_fixtures.py: the demo's detection / segmentation parse against its committed cases."""
import json

import pytest
from conftest import SCRIPTS, load

of = load("image/make_output_fixtures.py")
CASES = SCRIPTS.parent / "model" / "src" / "test" / "resources" / "image" / "output" / "parse_cases.json"


def test_parse_reproduces_every_committed_case() -> None:
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    assert [c["text"] for c in cases] == of.TEXTS
    for c in cases:
        expected = [{k: o[k] for k in ("box", "label", "seg")} for o in c["objects"]]
        assert of.parse(c["text"]) == expected, c["text"]


@pytest.mark.parametrize(("text", "objects"), [
    ("no objects", []),
    (of.loc(1, 2, 3, 4) + " cat ; " + of.loc(5, 6, 7, 8) + " dog",
     [{"box": [1, 2, 3, 4], "label": "cat", "seg": None}, {"box": [5, 6, 7, 8], "label": "dog", "seg": None}]),
    (of.loc(1, 2, 3, 4) + of.seg(*range(16)) + " person",
     [{"box": [1, 2, 3, 4], "label": "person", "seg": list(range(16))}]),
])
def test_parse(text: str, objects: list[dict]) -> None:
    assert of.parse(text) == objects


def test_loc_and_seg_tokens() -> None:
    assert of.loc(7, 1023) == "<loc0007><loc1023>"
    assert of.seg(5, 127) == "<seg005><seg127>"
