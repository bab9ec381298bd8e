#!/usr/bin/env bash
# Times `casebook context` as one process on the issue's project: 30 sections, 200 inputs,
# 1,000 revisions and 10,000 exchanges, built through the CLI (a few minutes), then 20 runs
# per encoding. Usage: Benchmarks/context-cli.sh [path/to/casebook] (default: the release binary)
set -euo pipefail
CASEBOOK=$(realpath "${1:-.build-static/release/casebook}")
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
cb() { "$CASEBOOK" --repo "$WORK/p" "$@"; }
"$CASEBOOK" init "$WORK/p" --template gate-0 --project-id bench --title Bench >/dev/null
S=$(cb session start)
for i in $(seq 0 199); do
  printf '# Notes %d\n\nFinding %d: the lifts fail.\n' "$i" "$i" >"$WORK/in$i.md"
  cb input add "$WORK/in$i.md" --session "$S" >/dev/null
done
I=$(cb --json input list --session "$S" | sed -E 's/.*"input_id":"([0-9a-f]+)".*/\1/')
for i in $(seq 0 29); do
  printf '# S%d\n\nDraft.\n' "$i" >"$WORK/t.md"
  cb section draft "s$i" --title "S$i" --from "$WORK/t.md" --session "$S" >/dev/null
done
printf '# S0\n\nCited.\n' >"$WORK/t.md"
cb section revise s0 --from "$WORK/t.md" --source "$I:L3" --session "$S" >/dev/null
for i in $(seq 1 1000); do
  printf '# S\n\nRevision %d.\n' "$i" >"$WORK/t.md"
  cb section revise "s$((i % 30))" --from "$WORK/t.md" --session "$S" >/dev/null
done
for i in $(seq 1 10000); do cb exchange record --tool t --session "$S" >/dev/null; done
for encoding in o200k_base cl100k_base; do
  t0=${EPOCHREALTIME/./}
  for _ in $(seq 1 20); do cb context --session "$S" --section s0 --budget 8000 --encoding "$encoding" >/dev/null; done
  t1=${EPOCHREALTIME/./}
  echo "casebook context, $encoding: $(((10#$t1 - 10#$t0) / 20000)) ms per process (mean of 20; target <= 50)"
done
