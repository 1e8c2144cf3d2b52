#!/usr/bin/env python3
"""Golden data for the Java reader of Hugging Face `tokenizer.json` files (offline, small).

Converts model/src/test/resources/tokenizer/tiny.model into a Gemma-3-style `tokenizer.json`
(BPE with byte_fallback, merges listed lowest rank first, normalizer Replace " "->"▁",
pre-tokenizer Split " " MergedWithPrevious, decoder Replace/ByteFallback/Fuse, control and user-defined
pieces as added tokens) and records what Hugging Face `tokenizers` (PyPI) does with it:

  tiny.tokenizer.json.gz           the converted file (gzip'd; the Java test unpacks it)
  tiny.hf.diff.jsonl.gz            [index, ids, decoded] for each test string where `tokenizers`
                                   (encode add_special_tokens=False; decode skip_special_tokens=True of
                                   the ids cut at the first <eos>) differs from sentencepiece's
                                   tiny.expected.jsonl.gz
  tiny.hf.decode.jsonl.gz          [ids, text]: random id lists, cut at the first <eos>, decoded by `tokenizers`

The merge list is made here (every split of a piece into two vocabulary pieces, ordered by the merged
piece's score, best first), so ties between equal-score splits may differ from sentencepiece; the Java test
expects whatever `tokenizers` does. Usage: python3 scripts/tokenizer/make_hf_fixtures.py
"""
import gzip
import json
import os
import random
import sys

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")
import tokenizers  # noqa: E402
from sentencepiece import sentencepiece_model_pb2 as pb  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_fixtures import DEFAULT_OUT, write_jsonl_gz  # noqa: E402

T = pb.ModelProto.SentencePiece


def convert(proto: pb.ModelProto) -> dict:
    vocab = {p.piece: i for i, p in enumerate(proto.pieces)}
    merges = []
    for i, p in enumerate(proto.pieces):
        if p.type not in (T.NORMAL, T.UNUSED) or len(p.piece) < 2:
            continue
        for k in range(1, len(p.piece)):
            left, right = p.piece[:k], p.piece[k:]
            if left in vocab and right in vocab:
                merges.append((-p.score, i, vocab[left], vocab[right], left, right))
    merges.sort()
    added = []
    for i, p in enumerate(proto.pieces):
        if p.type in (T.CONTROL, T.UNKNOWN, T.USER_DEFINED):
            added.append({"id": i, "content": p.piece, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": p.type != T.USER_DEFINED})
    unk = next(p.piece for p in proto.pieces if p.type == T.UNKNOWN)
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
        "pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious",
                          "invert": False},
        "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": unk, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": [[m[4], m[5]] for m in merges]},
    }


def read_jsonl_gz(path: str) -> list:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main() -> None:
    out = DEFAULT_OUT
    proto = pb.ModelProto.FromString(open(os.path.join(out, "tiny.model"), "rb").read())
    text = json.dumps(convert(proto), ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(out, "tiny.tokenizer.json.gz"), "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(text.encode("utf-8"))
    tok = tokenizers.Tokenizer.from_str(text)
    strings = read_jsonl_gz(os.path.join(out, "strings.jsonl.gz"))
    sp_rows = read_jsonl_gz(os.path.join(out, "tiny.expected.jsonl.gz"))
    eos = next(i for i, p in enumerate(proto.pieces) if p.piece == "<eos>")
    diffs = []
    for i, s in enumerate(strings):
        ids = tok.encode(s, add_special_tokens=False).ids
        cut = ids[:ids.index(eos)] if eos in ids else ids  # big_vision to_str(stop_at_eos=True)
        dec = tok.decode(cut, skip_special_tokens=True)
        sp_ids, sp_dec = sp_rows[i][0], (sp_rows[i][1] if len(sp_rows[i]) > 1 else s)
        if ids != sp_ids or dec != sp_dec:
            diffs.append([i, ids, dec])
    write_jsonl_gz(os.path.join(out, "tiny.hf.diff.jsonl.gz"), diffs)

    rng = random.Random(13)
    size = len(proto.pieces)
    cases = []
    for _ in range(500):
        ids = [rng.randrange(size) if rng.random() < 0.6 else rng.randrange(4, 270) for _ in range(rng.randint(0, 16))]
        cut = ids[:ids.index(eos)] if eos in ids else ids
        cases.append([ids, tok.decode(cut, skip_special_tokens=True)])
    write_jsonl_gz(os.path.join(out, "tiny.hf.decode.jsonl.gz"), cases)
    print(f"tiny.tokenizer.json: {len(text)} chars; tokenizers differs from sentencepiece on "
          f"{len(diffs)} of {len(strings)} strings", file=sys.stderr)


if __name__ == "__main__":
    main()
