#!/usr/bin/env bash
# The seed's example flow, "Generate Gate 0 Summary", run end to end with the casebook CLI
# into a fresh folder, then read back with plain git.
#   usage: samples/building-accessibility-upgrade/demo.sh [OUTPUT-FOLDER]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${1:-demo-output}
CASEBOOK=${CASEBOOK:-$(cd "$TOP" && swift build --show-bin-path)/casebook}
export CASEBOOK_TEMPLATES="$TOP/templates"
unset CASEBOOK_SESSION CASEBOOK_REPO

rm -rf "$OUT"
mkdir -p "$OUT"
PROJECT=$(cd "$OUT" && pwd)/project
cb() { "$CASEBOOK" --repo "$PROJECT" "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
# The line of the first match of a pattern in a file, for citations (L<n>).
line_of() {
  local n
  n=$(grep -n -m1 -- "$2" "$1" | cut -d: -f1)
  [ -n "$n" ] || { echo "demo: \"$2\" not found in $1" >&2; exit 1; }
  echo "$n"
}

say "alice creates the project from the Gate 0 template"
CASEBOOK_USER=alice "$CASEBOOK" init "$PROJECT" --template gate-0 --project-id abc123 \
  --title "Building Accessibility Upgrade"

export CASEBOOK_USER=alice
say "1. start a session"
S=$(cb --json session start | field session_id)
echo "session $S"
cb profile apply "$HERE/project_profile.yaml" --session "$S"

say "meanwhile bob starts a session of his own, from the same main"
B=$(CASEBOOK_USER=bob cb --json session start | field session_id)
echo "session $B"

say "2. upload the interview notes and the audit summary"
ESTATES=$(cb --json input add "$HERE/inputs/interview-notes-estates.md" --session "$S" | field input_id)
NETWORK=$(cb --json input add "$HERE/inputs/interview-notes-staff-network.md" --session "$S" | field input_id)
AUDIT=$(cb --json input add "$HERE/inputs/accessibility-audit-summary.txt" --session "$S" | field input_id)
COSTPLAN=$(cb --json input add "$HERE/inputs/outline-cost-plan.pdf" --session "$S" | field input_id)
WORKSHOP=$(cb --json input add "$HERE/inputs/stakeholder-workshop-record.docx" --session "$S" | field input_id)
cb input list --session "$S"

say "3. draft the Rationale section, citing the notes"
L1=$(line_of "$HERE/inputs/interview-notes-estates.md" "have no step-free access")
L2=$(line_of "$HERE/inputs/interview-notes-staff-network.md" "wheelchair-using colleagues")
cb exchange record --session "$S" --tool draft_section --prompt "$HERE/prompts/rationale.txt" \
  --response "$HERE/prompts/rationale-response.txt" --status 200 --latency-ms 1840 --section rationale
cb section draft rationale --session "$S" --from "$HERE/drafts/rationale-v1.md" \
  --source "$ESTATES:L$L1-$((L1 + 1))" --source "$NETWORK:L$L2" --source "$AUDIT" \
  --prompt "$(head -n 1 "$HERE/prompts/rationale.txt")"

say "4. revise it with the reviewer's feedback"
cb section revise rationale --session "$S" --from "$HERE/drafts/rationale-v2.md" \
  --feedback "quantify the problem and separate the legal duty from the business need" \
  --source "$WORKSHOP:#Discussion/Evacuation" --source "$COSTPLAN:p1"
cb section diff rationale 1 2 --session "$S"
cb section sources rationale --session "$S"

say "5. commit the section: locked, and the session merged into main"
cb section commit rationale --session "$S"

say "6. the Finance reviewer approves it"
cb approve rationale --reviewer finance-lead --comment "Clear, quantified and evidenced."

say "bob, in his session, adds a stakeholder and a risk and drafts the Strategic case"
export CASEBOOK_USER=bob
cb profile apply "$HERE/drafts/profile-update.yaml" --session "$B"
cb section draft strategic-case --session "$B" --from "$HERE/drafts/strategic-case-v1.md"
cb session close "$B"
say "bob's session merges into main: both profiles merged structurally (YAML, not lines)"
cb session merge "$B"
cb profile show

say "sections on main"
cb section list

say "the audit trail (casebook audit)"
cb audit

say "the business case as one printable HTML file, and the approved document verified"
cb export main --format html --out "$OUT/business-case.html"
cb export approved/rationale/v1 --format html --verify

say "the same history with plain git"
git -C "$PROJECT" log --graph --oneline --all
echo
git -C "$PROJECT" tag -n1
echo
git -C "$PROJECT" fsck --strict && echo "git fsck --strict: clean"
say "done: the project is at $PROJECT"
