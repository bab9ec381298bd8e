#!/usr/bin/env bash
# Peak memory of `casebook input add` for a large file: creates a file of SIZE_MIB MiB (default
# 1024) of random bytes (incompressible, the worst case for zlib), adds it to a session under
# `/usr/bin/time -v`, and prints the maximum resident set size. Casebook streams the file twice
# (SHA-256 in 1 MiB chunks, then the blob into the object database in 64 KiB chunks), so the
# peak should not grow with the file. Not part of `make test`: git's zlib work on 1 GiB takes
# a minute or two.
# Usage: Benchmarks/input-memory.sh [path/to/casebook] [SIZE_MIB]
set -euo pipefail
CASEBOOK=$(realpath "${1:-.build/debug/casebook}")
SIZE_MIB=${2:-1024}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/casebook-input-memory.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

"$CASEBOOK" init "$WORK/cb" --template gate-0 --project-id bench --title Bench --bare >/dev/null
S=$("$CASEBOOK" --repo "$WORK/cb" session start)
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/large.bin"
/usr/bin/time -v "$CASEBOOK" --repo "$WORK/cb" input add "$WORK/large.bin" --session "$S" \
  >"$WORK/out.txt" 2>"$WORK/time.txt" || { cat "$WORK/out.txt" "$WORK/time.txt"; exit 1; }
ID=$(head -1 "$WORK/out.txt")
# The blob is the file, byte for byte.
[ "$(git --git-dir="$WORK/cb" cat-file -s "sessions/$S:inputs/$ID/original.bin")" = "$((SIZE_MIB * 1024 * 1024))" ]
KB=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$WORK/time.txt")
WALL=$(awk '/Elapsed \(wall clock\)/ { print $NF }' "$WORK/time.txt")
echo "input add of $SIZE_MIB MiB: maximum resident set size $((KB / 1024)) MiB ($KB KiB), wall $WALL"
