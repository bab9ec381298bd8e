#!/usr/bin/env bash
# Runs every scenario of Tests/YAMLTests/Corpus through `casebook merge-yaml` (the git merge
# driver, with the scenario's policy.yaml as casebook.yaml) and through `git merge-file -p`, and
# counts the merges that are clean and correct: expected.yaml -> clean, and the result parses and
# equals it; conflicts.txt -> a conflict (for casebook, at exactly the listed paths).
# Usage: Benchmarks/merge-corpus.sh [path/to/casebook]   (default: .build/debug/casebook, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
CASEBOOK=${1:-.build/debug/casebook}
[[ -x $CASEBOOK ]] || swift build --product casebook >/dev/null
CASEBOOK=$(cd "$(dirname "$CASEBOOK")" && pwd)/$(basename "$CASEBOOK")
CORPUS=$PWD/Tests/YAMLTests/Corpus
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The canonical text of a YAML file (empty when it does not parse), without CRs: merging a file
# with itself makes the driver write it back canonically.
canonical() {
  mkdir -p "$WORK/c" && cp "$1" "$WORK/c/f.yaml"
  if (cd "$WORK/c" && "$CASEBOOK" merge-yaml f.yaml f.yaml f.yaml >/dev/null 2>&1); then tr -d '\r' <"$WORK/c/f.yaml"; fi
}

declare -A total ours_ok git_ok
n=0; casebook_good=0; git_good=0; clean_n=0; casebook_clean=0; git_clean=0
for dir in "$CORPUS"/*/; do
  name=$(basename "$dir"); category=$(cut -d- -f2 <<<"$name")
  run="$WORK/$name"; mkdir -p "$run"
  file=project_profile.yaml
  if [[ -f $dir/policy.yaml ]]; then
    cp "$dir/policy.yaml" "$run/casebook.yaml"   # the driver reads only its merge: key
    file=$(sed -n 's/^file: *//p' "$dir/policy.yaml"); file=${file:-project_profile.yaml}
  fi
  cp "$dir/base.yaml" "$run/base"; cp "$dir/ours.yaml" "$run/ours"; cp "$dir/theirs.yaml" "$run/theirs"
  set +e
  (cd "$run" && "$CASEBOOK" merge-yaml --json base ours theirs "$file" >"$run/out" 2>/dev/null); cb=$?
  git merge-file -p "$dir/ours.yaml" "$dir/base.yaml" "$dir/theirs.yaml" >"$run/git" 2>/dev/null; gt=$?
  set -e
  good_cb=0; good_git=0
  if [[ -f $dir/expected.yaml ]]; then
    expected=$(tr -d '\r' <"$dir/expected.yaml")
    [[ $cb == 0 && "$(canonical "$run/ours")" == "$expected" ]] && good_cb=1
    [[ $gt == 0 && -n "$(canonical "$run/git")" && "$(canonical "$run/git")" == "$expected" ]] && good_git=1
    clean_n=$((clean_n + 1)); casebook_clean=$((casebook_clean + good_cb)); git_clean=$((git_clean + good_git))
  else
    # Every conflict's "path", in order; the last "path" in the object is the file's.
    paths=$(grep -o '"path":"[^"]*"' "$run/out" | sed -e 's/^"path":"//' -e 's/"$//' | sed '$d')
    [[ $cb == 1 && "$paths" == "$(cat "$dir/conflicts.txt")" ]] && good_cb=1
    [[ $gt -gt 0 ]] && good_git=1
  fi
  n=$((n + 1)); total[$category]=$(( ${total[$category]:-0} + 1 ))
  casebook_good=$((casebook_good + good_cb)); ours_ok[$category]=$(( ${ours_ok[$category]:-0} + good_cb ))
  git_good=$((git_good + good_git)); git_ok[$category]=$(( ${git_ok[$category]:-0} + good_git ))
  [[ $good_cb == 1 ]] || echo "casebook wrong: $name" >&2
done
printf '%-12s %9s %16s\n' category casebook "git merge-file"
for category in $(printf '%s\n' "${!total[@]}" | sort); do
  printf '%-12s %5s/%-3s %12s/%-3s\n' "$category" "${ours_ok[$category]}" "${total[$category]}" "${git_ok[$category]}" "${total[$category]}"
done
echo "of the $clean_n scenarios a person would merge without a conflict: casebook $casebook_clean, git merge-file $git_clean"
echo "casebook: $casebook_good/$n clean-and-correct, git merge-file: $git_good/$n"
