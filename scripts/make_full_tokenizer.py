#!/usr/bin/env python3
"""Writes a SentencePiece BPE model with PaliGemma's full vocabulary size and id layout, for running
full-size random checkpoints (scripts/make_checkpoints.py --full-size) when the real
paligemma_tokenizer.model is not at hand.

Layout (docs/model.md#tokenizer): <pad>=0, <eos>=1, <bos>=2, <unk>=3, the 256 byte pieces
<0x00>..<0xFF>, then ordinary pieces up to id 255999 (the tiny committed tokenizer's trained pieces
first, then synthetic letter n-grams), then <loc0000>..<loc1023> = 256000..257023 and
<seg000>..<seg127> = 257024..257151 as USER_DEFINED pieces. Normalizer and trainer options are copied
from the tiny tokenizer (Gemma's settings: no dummy prefix, byte fallback, identity normalizer).
The text it produces is meaningless, like the random weights it serves.

usage: scripts/make_full_tokenizer.py [--base model/src/test/resources/tokenizer/tiny.model]
                                      [--out /work/big/full-vocab.model] [--base-vocab 256000]
"""
import argparse
import itertools
import string

from sentencepiece import sentencepiece_model_pb2 as spm_pb2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="model/src/test/resources/tokenizer/tiny.model")
    ap.add_argument("--out", default="/work/big/full-vocab.model")
    ap.add_argument("--base-vocab", type=int, default=256000)
    a = ap.parse_args()

    base = spm_pb2.ModelProto()
    with open(a.base, "rb") as f:
        base.ParseFromString(f.read())
    UD = spm_pb2.ModelProto.SentencePiece.USER_DEFINED
    kept = [p for p in base.pieces if p.type != UD and not p.piece.startswith(("<loc", "<seg"))]
    out = spm_pb2.ModelProto()
    out.CopyFrom(base)
    del out.pieces[:]
    seen = set()
    for p in kept:
        out.pieces.append(p)
        seen.add(p.piece)
    score = min((p.score for p in kept if p.type == spm_pb2.ModelProto.SentencePiece.NORMAL), default=0.0)
    alphabet = "\u2581" + string.ascii_lowercase
    for n in itertools.count(2):
        for combo in itertools.product(alphabet, repeat=n):
            if len(out.pieces) >= a.base_vocab:
                break
            s = "".join(combo)
            if s in seen or "\u2581\u2581" in s:
                continue
            score -= 1.0
            out.pieces.add(piece=s, score=score, type=spm_pb2.ModelProto.SentencePiece.NORMAL)
            seen.add(s)
        if len(out.pieces) >= a.base_vocab:
            break
    for k in range(1024):
        out.pieces.add(piece=f"<loc{k:04d}>", score=0.0, type=UD)
    for k in range(128):
        out.pieces.add(piece=f"<seg{k:03d}>", score=0.0, type=UD)
    out.trainer_spec.vocab_size = len(out.pieces)
    with open(a.out, "wb") as f:
        f.write(out.SerializeToString())
    print(f"wrote {a.out}: {len(out.pieces)} pieces; <loc0000> = {a.base_vocab}")


if __name__ == "__main__":
    main()
