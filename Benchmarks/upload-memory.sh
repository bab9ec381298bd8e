#!/usr/bin/env bash
# Peak memory of the HTTP server for a large upload: creates a file of SIZE_MIB MiB (default
# 1024) of random bytes (incompressible, the worst case for zlib), uploads it with curl to
# POST /projects/{id}/sessions/{s}/inputs (the raw body, streamed: curl -T), and prints the
# server's peak resident set (VmHWM from /proc/PID/status). The server streams the body to a
# temporary file as it arrives, then adds that file as `casebook input add` does, so the peak
# should not grow with the file: the target is under 100 MB (Benchmarks/input-memory.sh
# measures the CLI's own input add). Not part of `make test`: 1 GiB through zlib takes a
# minute or two.
# Usage: Benchmarks/upload-memory.sh [casebook-server] [casebook] [SIZE_MIB]
# Build first: make release-server.
set -euo pipefail
SERVER=$(realpath "${1:-.build-static/release/casebook-server}")
CASEBOOK=$(realpath "${2:-.build-static/release/casebook}")
SIZE_MIB=${3:-1024}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/casebook-upload-memory.XXXXXX")
SERVER_PID=
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }

"$CASEBOOK" init "$WORK/cb" --template gate-0 --project-id bench --title Bench --bare >/dev/null
TOKEN=$("$SERVER" token add bench --tokens "$WORK/tokens.json" | grep -o 'cbk_[A-Za-z0-9_-]*' | head -1)
[ -n "$TOKEN" ] || { echo "no token printed by token add" >&2; exit 1; }
mkdir "$WORK/uploads"
"$SERVER" serve --repo "$WORK/cb" --project-id bench --port 0 --tokens "$WORK/tokens.json" \
  --upload-directory "$WORK/uploads" --max-upload-bytes $(((SIZE_MIB + 1) * 1024 * 1024)) \
  >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q '^listening on' "$WORK/server.out" 2>/dev/null && break
  sleep 0.1
done
BASE=$(sed -n 's/^listening on //p' "$WORK/server.out" | head -1)
[ -n "$BASE" ] || { echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status"; }

S=$(curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data '{"user_id":"bench","project_id":"bench"}' "$BASE/start_session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["session_id"])')
BEFORE=$(hwm)
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/large.bin"
START=$(date +%s.%N)
curl -sS --fail-with-body -X POST -T "$WORK/large.bin" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/octet-stream' "$BASE/projects/bench/sessions/$S/inputs?name=large.bin" \
  >"$WORK/out.json" || { cat "$WORK/out.json" "$WORK/server.log" >&2; exit 1; }
END=$(date +%s.%N)
AFTER=$(hwm)
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["input_id"])' "$WORK/out.json")
# The blob is the file, byte for byte, and the temporary copy is gone.
[ "$(git --git-dir="$WORK/cb" cat-file -s "sessions/$S:inputs/$ID/original.bin")" = "$((SIZE_MIB * 1024 * 1024))" ]
[ -z "$(ls -A "$WORK/uploads")" ] || { echo "the upload folder is not empty" >&2; exit 1; }
echo "upload of $SIZE_MIB MiB: server peak resident set (VmHWM) $((AFTER / 1024)) MiB ($AFTER KiB;" \
  "$((BEFORE / 1024)) MiB before the upload), wall $(python3 -c "print(f'{$END - $START:.1f} s')")"
[ "$AFTER" -lt $((100 * 1000)) ] || { echo "over the 100 MB target" >&2; exit 1; }
