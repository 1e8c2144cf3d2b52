"""scripts/tokenizer/make_tokenizer_fixtures.py: the shared test strings and the fixture file format."""
import gzip
import json
import random
import re
from pathlib import Path

from conftest import SCRIPTS, load

tf = load("tokenizer/make_tokenizer_fixtures.py")
TOKENIZER = SCRIPTS.parent / "model" / "src" / "test" / "resources" / "tokenizer"


def test_make_strings_reproduces_the_committed_strings() -> None:
    with gzip.open(TOKENIZER / "strings.jsonl.gz", "rt", encoding="utf-8") as f:
        committed = [json.loads(line) for line in f]
    assert len(committed) == 10500
    assert tf.make_strings(7, len(committed)) == committed


def test_make_strings_starts_with_the_fixed_strings_and_is_seeded() -> None:
    s = tf.make_strings(3, 200)
    assert s[:len(tf.FIXED_STRINGS)] == tf.FIXED_STRINGS
    assert len(s) == 200 and s == tf.make_strings(3, 200) and s != tf.make_strings(4, 200)


def test_loc_text_is_boxes_with_optional_masks_and_a_label() -> None:
    rng = random.Random(5)
    box = r"(<loc\d{4}>){4}((<seg\d{3}>){16})? ?[a-z]+"
    for _ in range(50):
        text = tf.loc_text(rng)
        tail = text.split("\n")[-1] if "\n" in text else text
        assert re.search(rf"{box}( ; {box})*$", tail), text


def test_number_forms() -> None:
    rng = random.Random(1)
    for _ in range(100):
        assert re.fullmatch(r"\d+|\d+\.\d+|\d{4}-\d\d-\d\d|\d+%", tf.number(rng))


def test_paligemma_extras_are_sorted_loc_then_seg() -> None:
    extras = tf.paligemma_extras()
    assert len(extras) == 1024 + 128
    assert extras[0] == "<loc0000>" and extras[1023] == "<loc1023>" and extras[1024] == "<seg000>"
    assert extras == sorted(extras)


def test_write_jsonl_gz_is_reproducible(tmp_path: Path) -> None:
    rows = [[1, 2], "é", {"a": None}]
    path = tmp_path / "rows.jsonl.gz"
    tf.write_jsonl_gz(str(path), rows)
    first = path.read_bytes()
    tf.write_jsonl_gz(str(path), rows)
    assert path.read_bytes() == first
    assert first[4:8] == b"\0\0\0\0"                                         # gzip mtime 0
    assert gzip.decompress(first).decode("utf-8") == '[1,2]\n"é"\n{"a":null}\n'
