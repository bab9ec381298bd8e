#!/usr/bin/env bash
# Signed history's two speed targets (issue 15), with the binary `make release` builds:
#  1. a signed `casebook section revise` process against an unsigned one (target: <= 1.5x),
#     interleaved on two projects alike but for git's signing config (an Ed25519 key file);
#  2. `casebook verify` of a project of COMMITS signed commits against
#     `git log --all --show-signature` over the same commits (target: <= 0.2x).
# Usage: Benchmarks/signing.sh [path/to/casebook] [revise runs] [commits]
set -euo pipefail
CASEBOOK=$(realpath "${1:-.build-static/release/casebook}")
RUNS=${2:-200}
COMMITS=${3:-10000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
git config --global user.name bench
git config --global user.email bench@example.invalid
ssh-keygen -q -t ed25519 -N '' -C bench -f "$WORK/key"

# A project with one drafted section in a session; signed from init on when $2 is "signed".
setup() {
  local repo=$1 signed=$2
  if [ "$signed" = signed ]; then
    git config --global gpg.format ssh
    git config --global user.signingkey "$WORK/key"
    git config --global commit.gpgsign true
    git config --global tag.gpgSign true
  fi
  "$CASEBOOK" init "$repo" --template gate-0 --project-id bench --title Bench >/dev/null
  # From here on the repository's own config signs (as a clone's would), not the global one.
  [ "$signed" != signed ] || "$CASEBOOK" --repo "$repo" signer setup --key "$WORK/key" >/dev/null
  for key in gpg.format user.signingkey commit.gpgsign tag.gpgSign; do git config --global --unset "$key" || true; done
  local s
  s=$("$CASEBOOK" --repo "$repo" session start)
  if [ "$signed" = signed ]; then
    "$CASEBOOK" --repo "$repo" signer add bench --key "$WORK/key.pub" --session "$s" >/dev/null
    "$CASEBOOK" --repo "$repo" signer require --session "$s" >/dev/null
    "$CASEBOOK" --repo "$repo" session merge "$s" >/dev/null
    s=$("$CASEBOOK" --repo "$repo" session start)
  fi
  printf '# S\n\ndraft\n' >"$WORK/text.md"
  "$CASEBOOK" --repo "$repo" section draft s1 --title S1 --session "$s" --from "$WORK/text.md" >/dev/null
  echo "$s"
}
U=$(setup "$WORK/unsigned" unsigned)
S=$(setup "$WORK/signed" signed)

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
unsigned_us=()
signed_us=()
for r in $(seq 1 "$RUNS"); do
  printf '# S\n\nrevision %d\n' "$r" >"$WORK/text.md"
  t0=${EPOCHREALTIME/./}
  "$CASEBOOK" --repo "$WORK/unsigned" section revise s1 --session "$U" --from "$WORK/text.md" >/dev/null
  t1=${EPOCHREALTIME/./}
  "$CASEBOOK" --repo "$WORK/signed" section revise s1 --session "$S" --from "$WORK/text.md" >/dev/null
  t2=${EPOCHREALTIME/./}
  unsigned_us+=($((10#$t1 - 10#$t0)))
  signed_us+=($((10#$t2 - 10#$t1)))
done
um=$(median "${unsigned_us[@]}")
sm=$(median "${signed_us[@]}")
awk -v n="$RUNS" -v u="$um" -v s="$sm" 'BEGIN {
  printf "section revise, %d runs interleaved: unsigned median %.2f ms, signed (Ed25519 key file) median %.2f ms, ratio %.2f  (target: <= 1.50)\n", n, u / 1e3, s / 1e3, s / u
}'

# The rest of the commits for verify: more signed revises, up to COMMITS in all.
have=$(git -C "$WORK/signed" rev-list --all | wc -l)
for r in $(seq "$have" "$((COMMITS - 1))"); do
  printf '# S\n\nmore %d\n' "$r" >"$WORK/text.md"
  "$CASEBOOK" --repo "$WORK/signed" section revise s1 --session "$S" --from "$WORK/text.md" >/dev/null
done
total=$(git -C "$WORK/signed" rev-list --all | wc -l)
t0=${EPOCHREALTIME/./}
"$CASEBOOK" --repo "$WORK/signed" verify >/dev/null
t1=${EPOCHREALTIME/./}
git -C "$WORK/signed" -c gpg.ssh.allowedSignersFile="$WORK/signed/allowed_signers" log --all --show-signature >"$WORK/log.txt"
t2=${EPOCHREALTIME/./}
good=$(grep -c '^Good "git" signature' "$WORK/log.txt" || true)
awk -v c="$total" -v g="$good" -v v="$((10#$t1 - 10#$t0))" -v l="$((10#$t2 - 10#$t1))" 'BEGIN {
  printf "verify over %d signed commits: casebook verify %.0f ms, git log --show-signature %.0f ms (%d good signatures), ratio %.3f  (target: <= 0.200)\n", c, v / 1e3, l / 1e3, g, v / l
}'
