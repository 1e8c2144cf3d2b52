#!/usr/bin/env python3
"""Expected ids for the optional real-vocabulary check (Gemma 3's tokenizer.json, 262k pieces).

Encodes the shared test strings (model/src/test/resources/tokenizer/strings.jsonl.gz) with Hugging Face
`tokenizers` (PyPI; encode add_special_tokens=False, decode skip_special_tokens=True of the ids cut at the
first eos, eos = tokenizer_config.json's eos_token) and writes gemma3.expected.jsonl.gz: per string [ids],
or [ids, decoded] when the decode differs from the string. Also prints the sha256 of the tokenizer.json.

Usage: scripts/tokenizer/prepare_gemma3_tokenizer.sh DIR
       python3 scripts/tokenizer/make_gemma3_expected.py DIR/tokenizer.json
"""
import gzip
import hashlib
import json
import os
import sys

import tokenizers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_fixtures import DEFAULT_OUT, write_jsonl_gz  # noqa: E402


def main() -> None:
    path = sys.argv[1]
    tok = tokenizers.Tokenizer.from_file(path)
    config = json.load(open(os.path.join(os.path.dirname(path), "tokenizer_config.json")))
    eos_name = config["eos_token"] if isinstance(config["eos_token"], str) else config["eos_token"]["content"]
    eos = tok.token_to_id(eos_name)
    with gzip.open(os.path.join(DEFAULT_OUT, "strings.jsonl.gz"), "rt", encoding="utf-8") as f:
        strings = [json.loads(line) for line in f]
    rows = []
    for s in strings:
        ids = tok.encode(s, add_special_tokens=False).ids
        cut = ids[:ids.index(eos)] if eos in ids else ids
        dec = tok.decode(cut, skip_special_tokens=True)
        rows.append([ids] if dec == s else [ids, dec])
    out = os.path.join(DEFAULT_OUT, "gemma3.expected.jsonl.gz")
    write_jsonl_gz(out, rows)
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    print(f"{len(rows)} strings, eos={eos_name}({eos}), tokenizers {tokenizers.__version__}, "
          f"tokenizer.json sha256 {sha}, wrote {out} ({os.path.getsize(out)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
