#!/usr/bin/env bash
# Remakes the committed Hugging Face fixtures (model/src/test/resources/hf/) from the tiny npz checkpoints with
# transformers' own converter (make_hf_fixture.py). Sets up scripts/.venv-hf from PyPI on first use:
# transformers 4.x + torch (CPU use only), and transformers 5 under scripts/.venv-hf/t5.
set -euo pipefail
cd "$(dirname "$0")/../.."
V=scripts/.venv-hf
if [ ! -x "$V/bin/python" ]; then
    python3 -m venv "$V"
    "$V/bin/pip" install -q "transformers>=4.57,<5" torch safetensors numpy ml_dtypes sentencepiece
fi
[ -d "$V/t5/transformers" ] || "$V/bin/pip" install -q --target "$V/t5" "transformers>=5"
T=model/src/test/resources/tokenizer/tiny.model
OUT=model/src/test/resources/hf
make() { rm -rf "$OUT/$1"; shift; "$V/bin/python" scripts/hf/make_hf_fixture.py --tokenizer "$T" "$@" >/dev/null 2>&1; }
make tiny-224-hub --npz model/src/test/resources/tiny/tiny-224.npz --out "$OUT/tiny-224-hub"
make bv-tiny-bf16-t5 --npz eval/src/test/resources/parity/bv-tiny-bf16.npz --out "$OUT/bv-tiny-bf16-t5" \
    --dtype bfloat16 --layout t5 --max-shard-size 100KB
make bv-tiny-bf16-native --npz eval/src/test/resources/parity/bv-tiny-bf16.npz --out "$OUT/bv-tiny-bf16-native" \
    --dtype bfloat16 --layout native
make g2-224-bf16-hub --npz eval/src/test/resources/parity/gemma2/g2-224-bf16.npz --out "$OUT/g2-224-bf16-hub" \
    --dtype bfloat16
make g2-224-bf16-t5 --npz eval/src/test/resources/parity/gemma2/g2-224-bf16.npz --out "$OUT/g2-224-bf16-t5" \
    --dtype bfloat16 --layout t5 --max-shard-size 150KB
chmod 644 "$OUT"/*/*
du -sh "$OUT"/*
