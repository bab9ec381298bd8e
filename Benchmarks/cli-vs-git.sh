#!/usr/bin/env bash
# Times one `casebook section revise` process against the equivalent git CLI plumbing sequence
# (hash-object, update-index, write-tree, commit-tree, update-ref) on the same kind of project,
# and prints the ratio. Usage: Benchmarks/cli-vs-git.sh [path/to/casebook] [runs] [default|bare]
# default: projects with a working tree, as `casebook init` makes them, where git keeps a reflog
# for branches (the git side updates a branch other than HEAD's, with a reflog message, as a
# session write does); bare: both sides bare, no reflogs.
set -euo pipefail
CASEBOOK=$(realpath "${1:-.build/release/casebook}")
RUNS=${2:-200}
KIND=${3:-default}
case "$KIND" in
  default) BARE=() ;;
  bare) BARE=(--bare) ;;
  *) echo "kind must be default or bare, not $KIND" >&2; exit 64 ;;
esac
GITDIR_OF() { if [ "$KIND" = bare ]; then echo "$1"; else echo "$1/.git"; fi; }
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
git config --global user.name bench
git config --global user.email bench@example.invalid

# Casebook: a project with 50 drafted sections.
"$CASEBOOK" init "$WORK/cb" --template gate-0 --project-id bench --title Bench "${BARE[@]}" >/dev/null
S=$("$CASEBOOK" --repo "$WORK/cb" session start)
for i in $(seq 0 49); do
  printf '# s%d\n\ndraft\n' "$i" >"$WORK/text.md"
  "$CASEBOOK" --repo "$WORK/cb" section draft "s$i" --title "S$i" --session "$S" --from "$WORK/text.md" >/dev/null
done

# git: the same files, committed with the plumbing a script would use.
git init -q "${BARE[@]}" "$WORK/git"
G=$(GITDIR_OF "$WORK/git")
export GIT_DIR="$G" GIT_INDEX_FILE="$WORK/git-index"
for i in $(seq 0 49); do
  printf '# s%d\n\ndraft\n' "$i" >"$WORK/text.md"
  git update-index --add --cacheinfo "100644,$(git hash-object -w "$WORK/text.md"),sections/s$i.md"
  printf 'section_id: s%d\nrevision: 1\n' "$i" >"$WORK/meta.yaml"
  git update-index --add --cacheinfo "100644,$(git hash-object -w "$WORK/meta.yaml"),sections/s$i.yaml"
done
git update-ref -m init refs/heads/session "$(git commit-tree "$(git write-tree)" -m init)"
unset GIT_DIR GIT_INDEX_FILE

# Interleaved: each round times one casebook revise and then the git sequence, so that both see
# the machine in the same state (a shared VM drifts by a fifth over a minute). Times come from
# bash's EPOCHREALTIME, read without a subshell, so that timing costs no process. The git commands get their
# environment as a prefix, not through a subshell, so git pays for nothing but git.
casebook_us=()
git_us=()
for r in $(seq 1 "$RUNS"); do
  printf '# s7\n\nrevision %d\n' "$r" >"$WORK/text.md"
  printf 'section_id: s7\nrevision: %d\n' "$((r + 1))" >"$WORK/meta.yaml"

  t0=${EPOCHREALTIME/./}
  "$CASEBOOK" --repo "$WORK/cb" section revise s7 --session "$S" --from "$WORK/text.md" --feedback tighten >/dev/null
  t1=${EPOCHREALTIME/./}
  md=$(GIT_DIR="$G" git hash-object -w "$WORK/text.md")
  meta=$(GIT_DIR="$G" git hash-object -w "$WORK/meta.yaml")
  GIT_DIR="$G" GIT_INDEX_FILE="$WORK/git-index" \
    git update-index --cacheinfo "100644,$md,sections/s7.md" --cacheinfo "100644,$meta,sections/s7.yaml"
  tree=$(GIT_DIR="$G" GIT_INDEX_FILE="$WORK/git-index" git write-tree)
  old=$(GIT_DIR="$G" git rev-parse refs/heads/session)
  commit=$(GIT_DIR="$G" git commit-tree "$tree" -p "$old" -m "revise s7")
  GIT_DIR="$G" git update-ref -m "revise s7" refs/heads/session "$commit" "$old"
  t2=${EPOCHREALTIME/./}
  casebook_us+=($((10#$t1 - 10#$t0)))
  git_us+=($((10#$t2 - 10#$t1)))
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
sum() { printf '%s\n' "$@" | awk '{ s += $1 } END { print s }'; }
awk -v n="$RUNS" -v cs="$(sum "${casebook_us[@]}")" -v gs="$(sum "${git_us[@]}")" \
  -v cm="$(median "${casebook_us[@]}")" -v gm="$(median "${git_us[@]}")" -v kind="$KIND" 'BEGIN {
  printf "runs: %d, interleaved, %s projects\n", n, kind
  printf "casebook section revise (one process):  mean %.2f ms, median %.2f ms\n", cs / n / 1e3, cm / 1e3
  printf "git plumbing (7 processes):             mean %.2f ms, median %.2f ms\n", gs / n / 1e3, gm / 1e3
  printf "ratio casebook / git:                   %.2f by total, %.2f by median  (target: <= 1.00)\n", cs / gs, cm / gm
}'
"$CASEBOOK" --repo "$WORK/cb" log --limit 1 >/dev/null
git --git-dir "$(GITDIR_OF "$WORK/cb")" fsck --strict >/dev/null && echo "git fsck --strict: clean"
