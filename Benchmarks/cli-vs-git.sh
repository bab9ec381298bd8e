#!/usr/bin/env bash
# Times one `casebook section revise` process against the equivalent git CLI plumbing sequence
# (hash-object, update-index, write-tree, commit-tree, update-ref) on the same kind of project,
# and prints the ratio. Usage: Benchmarks/cli-vs-git.sh [path/to/casebook] [runs]
set -euo pipefail
CASEBOOK=$(realpath "${1:-.build/release/casebook}")
RUNS=${2:-200}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
git config --global user.name bench
git config --global user.email bench@example.invalid

# Casebook: a project with 50 drafted sections.
"$CASEBOOK" init "$WORK/cb" --template gate-0 --project-id bench --title Bench --bare >/dev/null
S=$("$CASEBOOK" --repo "$WORK/cb" session start)
for i in $(seq 0 49); do
  printf '# s%d\n\ndraft\n' "$i" >"$WORK/text.md"
  "$CASEBOOK" --repo "$WORK/cb" section draft "s$i" --title "S$i" --session "$S" --from "$WORK/text.md" >/dev/null
done

# git: the same files, committed with the plumbing a script would use.
git init -q --bare "$WORK/git"
export GIT_DIR="$WORK/git" GIT_INDEX_FILE="$WORK/git-index"
for i in $(seq 0 49); do
  printf '# s%d\n\ndraft\n' "$i" >"$WORK/text.md"
  git update-index --add --cacheinfo "100644,$(git hash-object -w "$WORK/text.md"),sections/s$i.md"
  printf 'section_id: s%d\nrevision: 1\n' "$i" >"$WORK/meta.yaml"
  git update-index --add --cacheinfo "100644,$(git hash-object -w "$WORK/meta.yaml"),sections/s$i.yaml"
done
git update-ref refs/heads/main "$(git commit-tree "$(git write-tree)" -m init)"
unset GIT_DIR GIT_INDEX_FILE

now() { date +%s%N; }

start=$(now)
for r in $(seq 1 "$RUNS"); do
  printf '# s7\n\nrevision %d\n' "$r" >"$WORK/text.md"
  "$CASEBOOK" --repo "$WORK/cb" section revise s7 --session "$S" --from "$WORK/text.md" --feedback tighten >/dev/null
done
casebook_ns=$(($(now) - start))

start=$(now)
for r in $(seq 1 "$RUNS"); do
  printf '# s7\n\nrevision %d\n' "$r" >"$WORK/text.md"
  printf 'section_id: s7\nrevision: %d\n' "$((r + 1))" >"$WORK/meta.yaml"
  (
    export GIT_DIR="$WORK/git" GIT_INDEX_FILE="$WORK/git-index"
    md=$(git hash-object -w "$WORK/text.md")
    meta=$(git hash-object -w "$WORK/meta.yaml")
    git update-index --cacheinfo "100644,$md,sections/s7.md" --cacheinfo "100644,$meta,sections/s7.yaml"
    tree=$(git write-tree)
    old=$(git rev-parse refs/heads/main)
    commit=$(git commit-tree "$tree" -p "$old" -m "revise s7")
    git update-ref refs/heads/main "$commit" "$old"
  )
done
git_ns=$(($(now) - start))

awk -v c="$casebook_ns" -v g="$git_ns" -v n="$RUNS" 'BEGIN {
  printf "runs: %d\n", n
  printf "casebook section revise (one process):  %.2f ms per revision\n", c / n / 1e6
  printf "git plumbing (7 processes):             %.2f ms per revision\n", g / n / 1e6
  printf "ratio casebook / git:                   %.2f  (target: <= 1.00)\n", c / g
}'
"$CASEBOOK" --repo "$WORK/cb" log --limit 1 >/dev/null
git --git-dir "$WORK/cb" fsck --strict >/dev/null && echo "git fsck --strict: clean"
