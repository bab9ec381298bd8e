#!/usr/bin/env bash
# Times Casebook's sync against git's own push and fetch on the same data, in the same run, and
# prints the ratios. Usage: Benchmarks/sync-vs-git.sh [path/to/casebook] [commits] [runs]
#
#   push:    sending N new commits of main to an empty bare remote: `casebook sync` against
#            `git push origin main` (each into a bare remote of its own, made afresh per run)
#   fetch:   bringing N new commits of main into a clone: `casebook sync` (fetch, then main and
#            its working tree fast-forward) against `git fetch origin`, and against `git fetch
#            origin && git merge --ff-only origin/main`, which leaves the clone where sync does
#            (each into a clone of its own, made afresh per run; git's clone with --no-local, so
#            that it copies objects as Casebook's does instead of hard-linking them)
#   no-op:   a sync with nothing to do against a local remote: `casebook sync` against
#            `git fetch origin` followed by `git push origin main`
#
# The N commits are made once with git fast-import on top of a `casebook init` project: each
# adds a section file and changes the profile, as a day's work would.
set -euo pipefail
CASEBOOK=$(realpath "${1:-.build/release/casebook}")
COMMITS=${2:-10000}
RUNS=${3:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CASEBOOK_USER=bench CASEBOOK_TEMPLATES="$HERE/templates" GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"
git config --global user.name bench
git config --global user.email bench@example.invalid

"$CASEBOOK" init "$WORK/source" --template gate-0 --project-id bench --title Bench >/dev/null
BASE=$(git -C "$WORK/source" rev-parse main)
{
  for i in $(seq 1 "$COMMITS"); do
    text="# Section $i\n\nDrafted text number $i.\n"
    printf 'commit refs/heads/main\ncommitter bench <bench@example.invalid> %d +0000\ndata 12\nwrite %06d\n' \
      $((1700000000 + i)) "$i"
    [ "$i" = 1 ] && printf 'from %s\n' "$BASE"
    printf 'M 100644 inline sections/s%d.md\ndata %d\n' $((i % 500)) "$(printf "$text" | wc -c)"
    printf "$text"
    printf '\n'
  done
} | git -C "$WORK/source" fast-import --quiet
git -C "$WORK/source" reset -q --hard main

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

push_cb=(); push_git=(); fetch_cb=(); fetch_git=(); pull_git=(); noop_cb=(); noop_git=()
for run in $(seq 1 "$RUNS"); do
  # push
  rm -rf "$WORK/r1.git" "$WORK/r2.git"
  git init -q --bare "$WORK/r1.git"; git init -q --bare "$WORK/r2.git"
  git -C "$WORK/source" remote remove cb 2>/dev/null || true
  git -C "$WORK/source" remote remove plain 2>/dev/null || true
  git -C "$WORK/source" remote add plain "$WORK/r2.git"
  "$CASEBOOK" --repo "$WORK/source" remote add cb "$WORK/r1.git" >/dev/null
  t=$(date +%s%N); "$CASEBOOK" --repo "$WORK/source" sync cb >/dev/null 2>&1; push_cb+=("$(ms "$t")")
  t=$(date +%s%N); git -C "$WORK/source" push -q plain main 2>/dev/null; push_git+=("$(ms "$t")")

  # fetch: clones at the project's first commit, then the remote has N more
  rm -rf "$WORK/c1" "$WORK/c2" "$WORK/c3" "$WORK/base.git"
  git clone -q --bare "$WORK/source" "$WORK/base.git"
  git -C "$WORK/base.git" update-ref refs/heads/main "$BASE"
  "$CASEBOOK" clone "$WORK/base.git" "$WORK/c1" >/dev/null 2>&1
  git clone -q --no-local "$WORK/base.git" "$WORK/c2"
  cp -a "$WORK/c2" "$WORK/c3"
  git -C "$WORK/base.git" update-ref refs/heads/main "$(git -C "$WORK/source" rev-parse main)"
  t=$(date +%s%N); "$CASEBOOK" --repo "$WORK/c1" sync >/dev/null 2>&1; fetch_cb+=("$(ms "$t")")
  t=$(date +%s%N); git -C "$WORK/c2" fetch -q origin; fetch_git+=("$(ms "$t")")
  t=$(date +%s%N); git -C "$WORK/c3" fetch -q origin; git -C "$WORK/c3" merge -q --ff-only origin/main
  pull_git+=("$(ms "$t")")

  # no-op, against the remote just filled
  t=$(date +%s%N); "$CASEBOOK" --repo "$WORK/c1" sync >/dev/null 2>&1; noop_cb+=("$(ms "$t")")
  git -C "$WORK/c2" merge -q --ff-only origin/main
  t=$(date +%s%N); git -C "$WORK/c2" fetch -q origin; git -C "$WORK/c2" push -q origin main 2>/dev/null
  noop_git+=("$(ms "$t")")
done

report() {
  local name=$1; shift
  local cb git
  cb=$(printf '%s\n' "${@:1:$RUNS}" | median)
  git=$(printf '%s\n' "${@:$((RUNS + 1))}" | median)
  awk -v n="$name" -v c="$cb" -v g="$git" 'BEGIN { printf "%-40s casebook %6d ms   git %6d ms   ratio %.2fx\n", n, c, g, (g ? c / g : 0) }'
}
echo "$COMMITS commits, median of $RUNS runs ($(nproc) cores)"
report "push $COMMITS commits" "${push_cb[@]}" "${push_git[@]}"
report "fetch $COMMITS commits (git fetch)" "${fetch_cb[@]}" "${fetch_git[@]}"
report "fetch $COMMITS commits (fetch+merge)" "${fetch_cb[@]}" "${pull_git[@]}"
report "sync with nothing to do" "${noop_cb[@]}" "${noop_git[@]}"
