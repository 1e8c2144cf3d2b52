"""Shared helpers of the eval fixture scripts: paths, a hash-based weight generator Java can repeat,
and a pickler that writes byte strings the way Python 2 did."""
import io
import os
import pickle
import struct

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
RES = os.path.join(ROOT, 'eval', 'src', 'test', 'resources', 'eval')


def out(*parts: str) -> str:
    """A path under the eval fixtures folder, its parent folder created."""
    p = os.path.join(RES, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def fmix32(x: np.ndarray) -> np.ndarray:
    """murmur3's 32-bit finaliser on a uint64 array holding uint32 values (repeated in Java as HashWeights)."""
    m = np.uint64(0xFFFFFFFF)
    x = x & m
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & m
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & m
    x ^= x >> np.uint64(16)
    return x


def hash_weights(seed: int, n: int, scale: float) -> np.ndarray:
    """n float32 values in (-scale, scale): element i = (fmix32(i*0x9E3779B1 + seed*0x632BE5AB) / 2^32 * 2 - 1) * scale,
    computed in float64 and rounded once to float32."""
    i = np.arange(n, dtype=np.uint64)
    x = fmix32((i * np.uint64(0x9E3779B1) + np.uint64(seed) * np.uint64(0x632BE5AB)) & np.uint64(0xFFFFFFFF))
    return ((x.astype(np.float64) / 4294967296.0 * 2.0 - 1.0) * scale).astype(np.float32)


class Py2Unicode(str):
    """A string that Python 2 held as `unicode` (pickled as BINUNICODE / UNICODE)."""


class Py2Pickler(pickle._Pickler):
    """Pickles `str` as a Python-2 byte string (SHORT_BINSTRING/BINSTRING, or STRING at protocol 0),
    as the refer toolkit's Python-2 pickles hold them; Py2Unicode as unicode."""
    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj: str) -> None:
        data = obj.encode('ascii')
        if self.proto >= 1:
            if len(data) < 256:
                self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
            else:
                self.write(pickle.BINSTRING + struct.pack('<i', len(data)) + data)
        else:
            self.write(pickle.STRING + repr(obj).encode('ascii') + b'\n')
        self.memoize(obj)

    def save_py2_unicode(self, obj: Py2Unicode) -> None:
        if self.proto >= 1:
            data = str(obj).encode('utf-8')
            self.write(pickle.BINUNICODE + struct.pack('<I', len(data)) + data)
        else:
            self.write(pickle.UNICODE + str(obj).encode('raw-unicode-escape') + b'\n')
        self.memoize(obj)

    dispatch[str] = save_py2_str
    dispatch[Py2Unicode] = save_py2_unicode


def py2_pickle(obj: object, protocol: int = 2) -> bytes:
    """obj pickled as Python 2 would have: str as byte strings, Py2Unicode as unicode."""
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()
