"""scripts/parity/compare_dumps.py: stage order, error measures, token comparison and the --worst table."""
from pathlib import Path

import numpy as np
import pytest
from conftest import load

cd = load("parity/compare_dumps.py")


def test_stage_order_follows_the_pipeline_then_layer_number() -> None:
    keys = ["llm/prefix_logits", "img/block_10", "zzz/other", "img/block_2", "llm/layer_0", "img/pixels"]
    assert sorted(keys, key=cd.stage_order) == [
        "img/pixels", "img/block_2", "img/block_10", "llm/layer_0", "llm/prefix_logits", "zzz/other"]
    assert cd.stage_order("img/block_3") == (2, 3, "img/block_3")
    assert cd.stage_order("unknown") == (len(cd.STAGES), -1, "unknown")


@pytest.mark.parametrize(("ta", "tb", "expected"), [
    ([1, 2, 3], [1, 2, 3], None),
    ([1, 2, 3], [1, 5, 3], 1),
    ([1, 2], [1, 2, 7], 2),
    ([], [4], 0),
])
def test_first_difference(ta: list[int], tb: list[int], expected: int | None) -> None:
    assert cd.first_difference(ta, tb) == expected


def test_compare_arrays_measures_float_stages_against_the_reference() -> None:
    a = {"img/embed": np.array([1.0, 2.0, 4.0]), "llm/layer_1": np.array([0.0, 1.0]),
         "llm/layer_0": np.ones((2, 2)), "meta/prompt": np.array([1.0]), "only/a": np.zeros(1)}
    b = {"img/embed": np.array([1.0, 2.5, 4.0]), "llm/layer_1": np.array([1.0, 0.0]),
         "llm/layer_0": np.ones(4), "meta/prompt": np.array([9.0])}
    rows = cd.compare_arrays(a, b)
    assert [r[0] for r in rows] == ["img/embed", "llm/layer_0", "llm/layer_1"]
    key, max_abs, max_rel, cos = rows[0]
    assert max_abs == 0.5
    assert max_rel == pytest.approx(0.5 / 4.0)
    assert cos == pytest.approx(22.0 / np.sqrt(21.0 * 23.25))   # 1 + 5 + 16 over the norms
    assert rows[1] == ("llm/layer_0", "shape (2, 2) vs (4,)")
    assert rows[2][1:] == (1.0, 1.0, 0.0)               # orthogonal: cosine 0


def test_compare_arrays_reports_integer_token_keys_only() -> None:
    a = {"tokens/greedy": np.array([5, 6, 7]), "tokens/beam": np.array([1, 2]), "tokens/margin": np.array([0.5])}
    b = {"tokens/greedy": np.array([5, 6, 7]), "tokens/beam": np.array([1, 3]), "tokens/margin": np.array([0.25])}
    assert cd.compare_arrays(a, b) == [("tokens/beam", "first difference at 1"), ("tokens/greedy", "equal")]


def test_compare_reads_npz_files(tmp_path: Path) -> None:
    pa, pb = tmp_path / "a.npz", tmp_path / "b.npz"
    np.savez(pa, **{"img/zimg": np.float32([1, -2]), "tokens/greedy": np.int32([3, 4])})
    np.savez(pb, **{"img/zimg": np.float32([1, -1]), "tokens/greedy": np.int32([3, 4, 5])})
    assert cd.compare(str(pa), str(pb)) == [
        ("img/zimg", 1.0, 1.0, pytest.approx(3 / np.sqrt(10))), ("tokens/greedy", "first difference at 2")]


def test_worst_over_pairs_keeps_the_largest_errors_and_counts_equal_tokens() -> None:
    first = [("img/embed", 1e-6, 1e-5, 0.999), ("tokens/greedy", "equal")]
    second = [("img/embed", 3e-6, 2e-6, 0.9999), ("tokens/greedy", "first difference at 4")]
    worst, tokens = cd.worst_over_pairs([first, second])
    assert worst == {"img/embed": (3e-6, 1e-5, 0.999)}
    assert tokens == {"tokens/greedy": (1, 2)}
