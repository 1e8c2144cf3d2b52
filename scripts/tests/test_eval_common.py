"""scripts/eval/common.py: the hash weights Java repeats (HashWeights) and the Python-2 pickler."""
import pickle

import numpy as np
import pytest
from conftest import load

common = load("eval/common.py")


def test_fmix32_is_murmur3s_finaliser() -> None:
    # murmur3's published fmix32(1) = 0x514E28B7; inputs are masked to 32 bits first
    got = common.fmix32(np.array([0, 1, 1 + (1 << 32)], dtype=np.uint64))
    assert got.tolist() == [0, 0x514E28B7, 0x514E28B7]


def test_hash_weights_first_elements() -> None:
    w = common.hash_weights(0, 3, 0.5)
    assert w.dtype == np.float32
    assert w[0] == np.float32(-0.5)                                  # fmix32(0) = 0
    assert w[1] == np.float32((0x11FD02EB / 2**32 * 2 - 1) * 0.5)    # fmix32(0x9E3779B1)
    assert np.all(np.abs(common.hash_weights(7, 1000, 0.1)) < 0.1)


def test_hash_weights_depend_on_the_seed() -> None:
    a, b = common.hash_weights(1, 64, 1.0), common.hash_weights(2, 64, 1.0)
    assert not np.array_equal(a, b)
    assert np.array_equal(a, common.hash_weights(1, 64, 1.0))


@pytest.mark.parametrize(("obj", "protocol", "expected"), [
    ("ab", 2, b"\x80\x02U\x02abq\x00."),                                # SHORT_BINSTRING
    (common.Py2Unicode("ab"), 2, b"\x80\x02X\x02\x00\x00\x00abq\x00."),   # BINUNICODE
    ("ab", 0, b"S'ab'\np0\n."),                                        # STRING
    ("x" * 300, 2, b"\x80\x02T\x2c\x01\x00\x00" + b"x" * 300 + b"q\x00."),   # BINSTRING
])
def test_py2_pickle_writes_strings_as_python_2(obj: str, protocol: int, expected: bytes) -> None:
    data = common.py2_pickle(obj, protocol)
    assert data == expected
    assert pickle.loads(data, encoding="latin1") == str(obj)


def test_py2_pickle_round_trips_a_refer_like_record() -> None:
    record = [{"ref_id": 1, "sentences": [{"sent": common.Py2Unicode("the cat"), "tokens": ["the", "cat"]}]}]
    assert pickle.loads(common.py2_pickle(record), encoding="latin1") == [
        {"ref_id": 1, "sentences": [{"sent": "the cat", "tokens": ["the", "cat"]}]}]
