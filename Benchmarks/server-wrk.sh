#!/usr/bin/env bash
# The HTTP API under load (issue 14), with wrk on 127.0.0.1: 16 connections, one project.
#  1. recording exchanges (POST .../exchanges), rotating over 16 sessions (target: >= 1,000 a
#     second, p99 <= 25 ms); afterwards every acknowledged exchange is counted in the repository
#     with git, and `git fsck --strict` must be clean;
#  2. reading context (GET .../context, budget 8,000) of a session with drafted sections and
#     exchanges (target: >= 2,000 a second);
#  3. an agent's loop, an exchange recorded then the context read, so every read assembles anew;
#  4. revising sections (POST .../revise), one section per session (target: at least half the
#     in-process rate, `make bench`'s "revise" benchmark).
# Usage: Benchmarks/server-wrk.sh [casebook-server] [casebook] [seconds per run]
# Build first: swift build -c release --product casebook-server; make release.
set -euo pipefail
SERVER=$(realpath "${1:-.build/release/casebook-server}")
CASEBOOK=$(realpath "${2:-.build-static/release/casebook}")
SECONDS_PER_RUN=${3:-10}
CONNECTIONS=${CONNECTIONS:-16}
SESSIONS=16
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
git config --global user.name bench
git config --global user.email bench@example.invalid
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

"$CASEBOOK" init "$WORK/bench" --template gate-0 --project-id bench --title Bench >/dev/null
TOKEN=$("$SERVER" token add bench --tokens "$WORK/tokens.json" | grep -o 'cbk_[A-Za-z0-9_-]*' | head -1)
[ -n "$TOKEN" ] || { echo "no token printed by token add" >&2; exit 1; }
"$SERVER" serve --repo "$WORK/bench" --project-id bench --port 0 --tokens "$WORK/tokens.json" \
  >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q '^listening on' "$WORK/server.out" 2>/dev/null && break
  sleep 0.1
done
BASE=$(sed -n 's/^listening on //p' "$WORK/server.out" | head -1)
[ -n "$BASE" ] || { echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

call() { # METHOD PATH [BODY]
  curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$BASE$2"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

ids=()
for i in $(seq 1 "$SESSIONS"); do
  ids+=("$(call POST /start_session '{"user_id":"bench","project_id":"bench"}' | field session_id)")
done
# A memory to read back: five drafted sections and 200 exchanges in the first session.
for s in rationale strategic economic commercial financial; do
  text=$(python3 -c "print(' '.join(['The $s case weighs options, costs and benefits for the programme.'] * 40))")
  call POST "/projects/bench/sessions/${ids[0]}/sections/$s/draft" \
    "{\"title\":\"$s\",\"content\":\"# $s\\n\\n$text\\n\"}" >/dev/null
done
for i in $(seq 1 200); do
  call POST "/projects/bench/sessions/${ids[0]}/exchanges" \
    "{\"tool\":\"draft\",\"prompt\":\"Draft the rationale, pass $i.\",\"response\":\"A draft of the rationale, pass $i.\"}" >/dev/null
done
# One section per session for the revise run.
for i in $(seq 0 $((SESSIONS - 1))); do
  call POST "/projects/bench/sessions/${ids[$i]}/sections/part-$i/draft" \
    "{\"title\":\"Part $i\",\"content\":\"# Part $i\\n\\nfirst draft\\n\"}" >/dev/null
done

# wrk's Lua: each request goes to the next session in turn; 2xx responses are counted, any
# other status is counted and its first body kept, and done() prints one summary line.
cat >"$WORK/load.lua" <<'EOF'
local sessions = {}
for id in string.gmatch(os.getenv("BENCH_SESSIONS"), "%S+") do sessions[#sessions + 1] = id end
local kind = os.getenv("BENCH_KIND")
local token = os.getenv("BENCH_TOKEN")
local threads = {}
counter, ok, failed = 0, 0, 0  -- globals: done() reads ok and failed with thread:get
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = id * 1000
  acked = io.open(os.getenv("BENCH_OUT") .. "/acked-" .. kind .. "-" .. id, "w")
end
function request()
  counter = counter + 1
  local n = counter % #sessions + 1
  local s = sessions[n]
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if kind == "exchange" then
    return wrk.format("POST", "/projects/bench/sessions/" .. s .. "/exchanges", headers,
      '{"tool":"search","prompt":"Find the benefits register, call ' .. counter .. '.","response":"Three registers found."}')
  elseif kind == "loop" then
    -- An agent's loop: record an exchange, then read the context it changed (never cached).
    n = math.floor(counter / 2) % #sessions + 1
    if counter % 2 == 0 then
      return wrk.format("POST", "/projects/bench/sessions/" .. sessions[n] .. "/exchanges", headers,
        '{"tool":"draft","prompt":"Revise the rationale, call ' .. counter .. '.","response":"Done."}')
    end
    return wrk.format("GET", "/projects/bench/sessions/" .. sessions[n] .. "/context?budget=8000", headers)
  elseif kind == "context" then
    return wrk.format("GET", "/projects/bench/sessions/" .. sessions[1] .. "/context?budget=8000", headers)
  else
    return wrk.format("POST", "/projects/bench/sessions/" .. s .. "/sections/part-" .. (n - 1) .. "/revise", headers,
      '{"content":"# Part\\n\\nrevision ' .. counter .. '\\n"}')
  end
end
function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    -- What was acknowledged, to be found in the repository afterwards.
    local path = string.match(body, '"path":"([^"]+)"')
    if path then acked:write(path, "\n") end
  else
    failed = failed + 1
    if failed == 1 then io.stderr:write("first failure: " .. status .. " " .. body .. "\n") end
  end
end
function done(summary, latency, requests)
  local acked, errors = 0, 0
  for _, thread in ipairs(threads) do
    acked = acked + thread:get("ok")
    errors = errors + thread:get("failed")
  end
  io.write(string.format("RESULT %s rate=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d failed=%d\n", kind,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    acked, errors))
end
EOF

run() { # KIND
  BENCH_KIND=$1 BENCH_OUT=$WORK BENCH_TOKEN=$TOKEN BENCH_SESSIONS="${ids[*]}" \
    wrk -t"$(( CONNECTIONS < 2 ? 1 : 2 ))" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/load.lua" "$BASE" >"$WORK/$1.txt"
  grep '^RESULT' "$WORK/$1.txt"
}

exchange=$(run exchange)
echo "$exchange   (target: rate >= 1000, p99_ms <= 25)"
# Every acknowledged exchange must be in its session's branch (wrk's own count leaves out the
# requests still in flight when it stopped, which may have landed too).
cat "$WORK"/acked-exchange-* | sort >"$WORK/acked.txt"
for ref in $(git -C "$WORK/bench" for-each-ref --format='%(refname)' 'refs/heads/sessions/'); do
  git -C "$WORK/bench" ls-tree -r --name-only "$ref" -- exchanges/
done | sort -u >"$WORK/stored.txt"
acked=$(wc -l <"$WORK/acked.txt")
missing=$(comm -23 "$WORK/acked.txt" "$WORK/stored.txt" | wc -l)
echo "exchanges acknowledged: $acked; of them missing from the repository: $missing (must be 0)"
echo "$(run context)   (target: rate >= 2000)"
echo "$(run loop)   (an exchange then a context read of the same session, alternately: no context is cached)"
echo "$(run revise)   (target: rate >= half the in-process revise rate of make bench)"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
if git -C "$WORK/bench" fsck --strict --no-progress >"$WORK/fsck.txt" 2>&1; then
  echo "git fsck --strict: clean"
else
  echo "git fsck --strict: FAILED"
  cat "$WORK/fsck.txt"
  exit 1
fi
[ "$missing" -eq 0 ] || { echo "acknowledged exchanges are missing" >&2; exit 1; }
