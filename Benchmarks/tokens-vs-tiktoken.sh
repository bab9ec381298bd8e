#!/usr/bin/env bash
# `casebook tokens` against tiktoken (single-threaded encode_ordinary) on the same text in the
# same run, for both encodings; then linearity: runs without spaces of 1 MB and 10 MB.
#   bash Benchmarks/tokens-vs-tiktoken.sh [CASEBOOK_BINARY] [MEGABYTES]
# Needs the venv of `make test-venv`. casebook is timed as whole processes (best of 5), start-up
# and the rank file's load included; "net" subtracts the time of counting an empty file.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build-static/release/casebook}
mb=${2:-8}
py=.venv/bin/python
ref=Tests/TokensTests/Reference/tiktoken_counts.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The text: the calibration set's texts (prose, Markdown, YAML, JSON, code) when ../shared is
# beside the checkout, else the repository's own docs and sources; repeated to MEGABYTES.
python3 - "$work/text.txt" "$mb" <<'PY'
import glob, json, os, sys
out, mb = sys.argv[1], int(sys.argv[2])
cal = "../shared/calibration/tokens.jsonl"
if os.path.exists(cal):
    parts = [json.loads(l)["text"] for l in open(cal, encoding="utf-8")]
else:
    parts = [open(p, encoding="utf-8").read() for p in sorted(glob.glob("docs/*.md") + glob.glob("Sources/**/*.swift", recursive=True))]
blob = "\n".join(parts).encode("utf-8")
data = (blob * (mb * 1_000_000 // len(blob) + 1))[: mb * 1_000_000]
open(out, "wb").write(data.decode("utf-8", "ignore").encode("utf-8"))
PY
# No spaces: one letters-only piece (the heap merge) and a base64 blob (many short pieces).
python3 - "$work" <<'PY'
import base64, random, sys
d = sys.argv[1]
random.seed(1)
letters = "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(1000))
for mb in (1, 10):
    open(f"{d}/letters-{mb}.txt", "w").write((letters * (mb * 1000))[: mb * 1_000_000])
    raw = bytes(random.getrandbits(8) for _ in range(mb * 750_000))
    open(f"{d}/base64-{mb}.txt", "wb").write(base64.b64encode(raw))
PY
: >"$work/empty.txt"

best() {  # best wall time in seconds of 5 runs of "$@"
  local best=""
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    best=$(python3 -c "import sys; t=$t1-$t0; b='$best'; print(t if not b or t<float(b) else b)")
  done
  echo "$best"
}

row() {  # encoding file label
  local enc=$1 file=$2 label=$3 size tokens ours empty tik
  size=$(stat -c %s "$file")
  tokens=$("$bin" tokens --encoding "$enc" "$file")
  ours=$(best "$bin" tokens --encoding "$enc" "$file")
  empty=$(best "$bin" tokens --encoding "$enc" "$work/empty.txt")
  tik=$("$py" "$ref" Sources/CTokenData --bench "$enc" "$file" 3)
  python3 - "$enc" "$label" "$size" "$tokens" "$ours" "$empty" "$tik" <<'PY'
import json, sys
enc, label, size, tokens, ours, empty, tik = sys.argv[1:]
size, tokens, ours, empty, tik = int(size), int(tokens), float(ours), float(empty), json.loads(tik)
same = "same" if tik["tokens"] == tokens else "DIFFERENT (tiktoken %d)" % tik["tokens"]
print(f"{enc:12} {label:16} {size/1e6:6.1f} MB {tokens:>10} tokens ({same})  casebook {size/ours/1e6:6.1f} MB/s "
      f"({ours*1000:7.1f} ms; net of {empty*1000:.0f} ms start-up {size/max(ours-empty,1e-9)/1e6:6.1f} MB/s)  "
      f"tiktoken {tik['mb_per_s']:6.1f} MB/s ({tik['seconds']*1000:7.1f} ms)")
PY
}

echo "casebook: $bin; tiktoken $("$py" -c 'import tiktoken; print(tiktoken.__version__)'), one thread"
for enc in o200k_base cl100k_base; do
  row "$enc" "$work/text.txt" "mixed text"
done
for enc in o200k_base cl100k_base; do
  for mb in 1 10; do
    row "$enc" "$work/letters-$mb.txt" "letters, no space"
    row "$enc" "$work/base64-$mb.txt" "base64, no space"
  done
done
