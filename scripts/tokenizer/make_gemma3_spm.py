#!/usr/bin/env python3
"""Optional real-vocabulary check of the SentencePiece path: Gemma 3's tokenizer.json as a .model file.

Converts DIR/tokenizer.json (from prepare_gemma3_tokenizer.sh) into a SentencePiece BPE ModelProto with
Gemma's normalizer (identity, no dummy prefix, whitespace kept) and byte fallback: pieces in id order, special
added tokens CONTROL (<unk> UNKNOWN), other added tokens USER_DEFINED, <0xXX> pieces BYTE, every other piece
NORMAL with score = -(rank of the first merge that makes it). Writes DIR/gemma3-converted.model (not
committed), encodes the shared test strings with Google's `sentencepiece` and writes
gemma3.spm.diff.jsonl.gz: [index, ids, decoded] for each string where sentencepiece differs from
`tokenizers` (gemma3.expected.jsonl.gz; decode of the ids cut at the first <eos>). The expected
difference: `tokenizers` matches special tokens such as <bos> or <start_of_turn> written in the text,
sentencepiece does not match CONTROL pieces.

Usage: python3 scripts/tokenizer/make_gemma3_spm.py DIR/tokenizer.json
"""
import gzip
import json
import os
import sys

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")
import sentencepiece as spm  # noqa: E402
from sentencepiece import sentencepiece_model_pb2 as pb  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_fixtures import DEFAULT_OUT, write_jsonl_gz  # noqa: E402

T = pb.ModelProto.SentencePiece


def convert(tj: dict) -> pb.ModelProto:
    model = tj["model"]
    vocab = model["vocab"]
    added = {t["id"]: t for t in tj["added_tokens"]}
    size = max(max(vocab.values()), max(added)) + 1
    pieces = [None] * size
    for p, i in vocab.items():
        pieces[i] = p
    for i, t in added.items():
        pieces[i] = t["content"]
    first_rank = {}
    for r, (a, b) in enumerate(model["merges"]):
        first_rank.setdefault(a + b, r)
    proto = pb.ModelProto()
    for i, p in enumerate(pieces):
        if i in added:
            t = added[i]
            typ = T.UNKNOWN if p == model["unk_token"] else (T.CONTROL if t["special"] else T.USER_DEFINED)
            score = 0.0
        elif len(p) == 6 and p.startswith("<0x") and p.endswith(">"):
            typ, score = T.BYTE, 0.0
        else:
            typ, score = T.NORMAL, -float(first_rank.get(p, len(model["merges"])))
        proto.pieces.add(piece=p, score=score, type=typ)
    ts = proto.trainer_spec
    ts.model_type = pb.TrainerSpec.BPE
    ts.vocab_size = size
    ts.byte_fallback = True
    ts.unk_id, ts.eos_id, ts.bos_id, ts.pad_id = (pieces.index(x) for x in ("<unk>", "<eos>", "<bos>", "<pad>"))
    ts.unk_piece, ts.eos_piece, ts.bos_piece, ts.pad_piece = "<unk>", "<eos>", "<bos>", "<pad>"
    ns = proto.normalizer_spec
    ns.name = "identity"
    ns.add_dummy_prefix = False
    ns.remove_extra_whitespaces = False
    ns.escape_whitespaces = True
    return proto


def read_jsonl_gz(path: str) -> list:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main() -> None:
    path = sys.argv[1]
    proto = convert(json.load(open(path, encoding="utf-8")))
    model_path = os.path.join(os.path.dirname(os.path.abspath(path)), "gemma3-converted.model")
    data = proto.SerializeToString()
    with open(model_path, "wb") as f:
        f.write(data)
    sp = spm.SentencePieceProcessor(model_proto=data)
    strings = read_jsonl_gz(os.path.join(DEFAULT_OUT, "strings.jsonl.gz"))
    hf = read_jsonl_gz(os.path.join(DEFAULT_OUT, "gemma3.expected.jsonl.gz"))
    eos = sp.eos_id()
    diffs = []
    for i, s in enumerate(strings):
        ids = sp.encode(s)
        cut = ids[:ids.index(eos)] if eos in ids else ids
        dec = sp.decode(cut)
        hf_dec = hf[i][1] if len(hf[i]) > 1 else s
        if ids != hf[i][0] or dec != hf_dec:
            diffs.append([i, ids, dec])
    write_jsonl_gz(os.path.join(DEFAULT_OUT, "gemma3.spm.diff.jsonl.gz"), diffs)
    print(f"{model_path}: {sp.get_piece_size()} pieces, {len(data)} bytes; sentencepiece differs from tokenizers "
          f"on {len(diffs)} of {len(strings)} strings", file=sys.stderr)


if __name__ == "__main__":
    main()
