#!/usr/bin/env bash
# Rebuilds the tokenizer fixtures in src/test/resources/fixtures/tokenizer:
#   vocab.json + merges.txt     BpeTrainer on training-corpus.txt (Hugging Face layout)
#   bpe_small_vocab.txt.gz      the same merges in CLIP's original layout
#   expected.json               tools/clip_tokenizer_reference.py on test-corpus.json
#   expected-clip-vocab.json    the same with CLIP's own bpe_simple_vocab_16e6.txt.gz, written
#                               only when CLIP_BPE names that file (it is not committed; the
#                               test that uses these ids runs where -Dtfpeft.clipBpe names it)
# The reference is run on both layouts and must agree with itself. Give FTFY_DIR (a directory
# holding the ftfy and wcwidth packages) to also check that the real ftfy cleans the corpus the
# same way as the reference's own character fixes.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=src/test/resources/fixtures/tokenizer
merges=${MERGES:-1000}
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mvn -q -o compile
gson=$(find ~/.m2/repository/com/google/code/gson/gson/2.10.1 -name 'gson-2.10.1.jar' | head -1)
java -cp "target/classes:$gson" tfpeft.model.text.BpeTrainer \
  "$fixtures/training-corpus.txt" "$fixtures" "$merges"
"$python" - "$fixtures/merges.txt" "$fixtures/bpe_small_vocab.txt.gz" <<'PY'
import gzip, sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
    gz.write(data)
PY

reference() {
  "$python" tools/clip_tokenizer_reference.py encode --corpus "$fixtures/test-corpus.json" "$@"
}
reference --vocab "$fixtures/vocab.json" --out "$fixtures/expected.json"
reference --vocab "$fixtures/bpe_small_vocab.txt.gz" --out "$tmp/original.json"
cmp "$fixtures/expected.json" "$tmp/original.json"
if [[ -n "${FTFY_DIR:-}" ]]; then
  reference --vocab "$fixtures/vocab.json" --out "$tmp/ftfy.json" --ftfy "$FTFY_DIR"
  cmp "$fixtures/expected.json" "$tmp/ftfy.json" && echo "real ftfy agrees on the corpus"
fi
if [[ -n "${CLIP_BPE:-}" ]]; then
  reference --vocab "$CLIP_BPE" --out "$fixtures/expected-clip-vocab.json"
fi
echo "fixtures written to $fixtures"
