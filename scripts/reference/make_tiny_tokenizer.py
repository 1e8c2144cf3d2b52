#!/usr/bin/env python3
"""Trains a tiny SentencePiece tokenizer shaped like PaliGemma's, for self-testing hf_golden.py.

Gemma-like trainer settings (BPE, byte fallback, split digits, identity normalizer, no dummy
prefix, whitespace kept; pad 0, eos 1, bos 2, unk 3), trained on a small synthetic corpus, then
`<loc0000>`..`<loc1023>` and `<seg000>`..`<seg127>` appended as USER_DEFINED pieces (score 0)
at the end of the vocabulary, in sorted order, the way big_vision extends the Gemma model
(docs/model.md#tokenizer). The result has `--base-vocab` + 1152 pieces.

usage: make_tiny_tokenizer.py --out /tmp/tiny.model [--base-vocab 600] [--seed 0]
"""
import argparse
import io
import random

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

WORDS = ("the a cat dog sits on mat image photo of two three red blue green person car tree sky "
         "what is in where how many color caption answer detect segment describe question text "
         "table window house street people running under over near left right big small").split()
EXTRA = ["caption en", "answer en what is this?", "detect cat ; dog", "segment car",
         "ocr", "日本語 テキスト", "中文 字符", "café naïve", "😀 emoji", "12345 67890", "tab\there",
         "line\nbreak", "  two spaces", "a.b,c!d?e"]


def corpus(seed: int, n: int = 4000) -> list[str]:
    rng = random.Random(seed)
    lines = list(EXTRA)
    while len(lines) < n:
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 12))]
        if rng.random() < 0.2:
            words.append(str(rng.randint(0, 99999)))
        lines.append(" ".join(words) + rng.choice(["", ".", "?", "\n"]))
    return lines


def train(base_vocab: int, seed: int) -> bytes:
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus(seed)), model_writer=buf, vocab_size=base_vocab,
        model_type="bpe", byte_fallback=True, split_digits=True, allow_whitespace_only_pieces=True,
        remove_extra_whitespaces=False, normalization_rule_name="identity", add_dummy_prefix=False,
        pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>",
        bos_piece="<bos>", unk_piece="<unk>", character_coverage=0.9995, num_threads=1,
        shuffle_input_sentence=False, minloglevel=2)
    return buf.getvalue()


def add_loc_seg(model_bytes: bytes) -> bytes:
    proto = pb.ModelProto.FromString(model_bytes)
    extras = sorted([f"<loc{i:04d}>" for i in range(1024)] + [f"<seg{i:03d}>" for i in range(128)])
    for piece in extras:
        proto.pieces.append(pb.ModelProto.SentencePiece(
            piece=piece, score=0.0, type=pb.ModelProto.SentencePiece.USER_DEFINED))
    return proto.SerializeToString()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--base-vocab", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    data = add_loc_seg(train(a.base_vocab, a.seed))
    with open(a.out, "wb") as f:
        f.write(data)
    sp = spm.SentencePieceProcessor(model_proto=data)
    print(f"wrote {a.out}: {sp.get_piece_size()} pieces, <loc0000>={sp.piece_to_id('<loc0000>')}, "
          f"<seg000>={sp.piece_to_id('<seg000>')}, newline={sp.encode(chr(10))}, "
          f"pad/eos/bos/unk={sp.pad_id()}/{sp.eos_id()}/{sp.bos_id()}/{sp.unk_id()}")


if __name__ == "__main__":
    main()
