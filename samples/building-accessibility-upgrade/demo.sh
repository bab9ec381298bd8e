#!/usr/bin/env bash
# The seed's example flow, "Generate Gate 0 Summary", grown into a full Gate 0 business case:
# three people in three sessions upload notes, a PDF and a DOCX, draft and revise every section
# with cited sources, merge, and approve; the case is exported as one HTML file, and the whole
# history is read back with plain git.
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

# "INPUT-ID:L<n>" for the line of a file that holds a phrase, e.g. cite "$ESTATES" estates.md "phrase".
cite() { echo "$1:L$(line_of "$HERE/inputs/$2" "$3")"; }

say "alice creates the project from the Gate 0 template"
cb template list
CASEBOOK_USER=alice "$CASEBOOK" init "$PROJECT" --template gate-0 --project-id abc123 \
  --title "Building Accessibility Upgrade"

export CASEBOOK_USER=alice
say "1. alice starts a session and sets the profile"
S=$(cb --json session start | field session_id)
echo "session $S"
cb profile apply "$HERE/project_profile.yaml" --session "$S"

say "meanwhile bob and carol start sessions of their own, from the same main"
B=$(CASEBOOK_USER=bob cb --json session start | field session_id)
C=$(CASEBOOK_USER=carol cb --json session start | field session_id)
echo "bob: $B"
echo "carol: $C"

say "2. alice uploads the evidence: interview notes, the audit summary, a cost plan (PDF), a workshop record (DOCX)"
ESTATES=$(cb --json input add "$HERE/inputs/interview-notes-estates.md" --session "$S" | field input_id)
NETWORK=$(cb --json input add "$HERE/inputs/interview-notes-staff-network.md" --session "$S" | field input_id)
AUDIT=$(cb --json input add "$HERE/inputs/accessibility-audit-summary.txt" --session "$S" | field input_id)
COSTPLAN=$(cb --json input add "$HERE/inputs/outline-cost-plan.pdf" --session "$S" | field input_id)
WORKSHOP=$(cb --json input add "$HERE/inputs/stakeholder-workshop-record.docx" --session "$S" | field input_id)
cb input list --session "$S"
cb input show "$COSTPLAN" --session "$S"

say "3. draft the Rationale section, citing the notes"
cb exchange record --session "$S" --tool draft_section --prompt "$HERE/prompts/rationale.txt" \
  --response "$HERE/prompts/rationale-response.txt" --status 200 --latency-ms 1840 --section rationale
L1=$(line_of "$HERE/inputs/interview-notes-estates.md" "have no step-free access")
cb section draft rationale --session "$S" --from "$HERE/drafts/rationale-v1.md" \
  --source "$ESTATES:L$L1-$((L1 + 1))" \
  --source "$(cite "$NETWORK" interview-notes-staff-network.md "wheelchair-using colleagues")" \
  --source "$AUDIT" --prompt "$(head -n 1 "$HERE/prompts/rationale.txt")"

say "4. revise it with the reviewer's feedback, citing a page of the PDF and a heading of the DOCX"
cb section revise rationale --session "$S" --from "$HERE/drafts/rationale-v2.md" \
  --feedback "quantify the problem and separate the legal duty from the business need" \
  --source "$WORKSHOP:#Discussion/Evacuation" --source "$COSTPLAN:p1"
cb section diff rationale 1 2 --session "$S"
cb section sources rationale --session "$S"

say "5. commit the section: locked, and the session (with its inputs) merged into main"
cb section commit rationale --session "$S"

say "6. the Finance reviewer approves it"
cb approve rationale --reviewer finance-lead --comment "Clear, quantified and evidenced."

say "7. alice drafts the Strategic case; her session holds the section's edit lock"
cb section draft strategic-case --session "$S" --from "$HERE/drafts/strategic-case-v1.md" \
  --source "$(cite "$AUDIT" accessibility-audit-summary.txt "9 of 23 buildings (39%) have no step-free main entrance")"
cb lock list

export CASEBOOK_USER=bob
say "bob refreshes his session from main (it now has the inputs) and sets his part of the profile"
cb session refresh "$B"
cb profile apply "$HERE/drafts/profile-update.yaml" --session "$B"
say "bob cannot draft the Strategic case while alice holds its lock (exit 3 names the holder)"
if cb section draft strategic-case --session "$B" --from "$HERE/drafts/strategic-case-v1.md"; then
  echo "demo: the lock did not hold" >&2; exit 1
fi
say "bob drafts the Commercial, Financial and Management cases and the Key risks"
cb section draft commercial-case --session "$B" --from "$HERE/drafts/commercial-case-v1.md" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "Lift lead times are currently 30–40 weeks from order.")" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "Listed building consent needed for any change to fabric")" \
  --source "$WORKSHOP:#Discussion/Entrances at listed sites"
cb section draft financial-case --session "$B" --from "$HERE/drafts/financial-case-v1.md" \
  --source "$COSTPLAN:p3" --source "$COSTPLAN:p1" --source "$WORKSHOP:#Phasing and cost"
cb section draft management-case --session "$B" --from "$HERE/drafts/management-case-v1.md" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "committed to the decarbonisation programme until mid-2026")" \
  --source "$(cite "$NETWORK" interview-notes-staff-network.md "Involve the network in design reviews for each phase")" \
  --source "$WORKSHOP:#Agreed actions"
cb section draft key-risks --session "$B" --from "$HERE/drafts/key-risks-v1.md" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "Part M of the Building Regulations is not retrospective")" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "consent itself 8–13 weeks")" --source "$COSTPLAN:p3"
for id in commercial-case financial-case management-case key-risks; do cb section commit "$id" --session "$B"; done

export CASEBOOK_USER=carol
say "carol, from Finance, adds Procurement and an inflation risk in her own session"
cb profile apply "$HERE/drafts/profile-update-carol.yaml" --session "$C"
cb session close "$C"
say "carol's session merges into main: bob's and carol's additions to the same lists are both kept (YAML, not lines)"
cb session merge "$C"
cb profile show

export CASEBOOK_USER=alice
say "alice refreshes her session (bob's and carol's work), revises the Strategic case, drafts the rest, commits"
cb session refresh "$S"
cb section revise strategic-case --session "$S" --from "$HERE/drafts/strategic-case-v2.md" \
  --feedback "add SMART spending objectives with baselines from the audit" \
  --source "$(cite "$AUDIT" accessibility-audit-summary.txt "24 (59%) have no working induction loop")" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "58 staff reasonable adjustment requests in 2023/24 needed building work")"
cb section draft economic-case --session "$S" --from "$HERE/drafts/economic-case-v1.md" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "Capital £11.8m–£14.5m, central estimate £13.2m.")" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "About £2.1m over 5 years, mostly reactive.")" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "Capital £17m–£21m; higher because of decant costs")" \
  --source "$COSTPLAN:p1"
cb section draft executive-summary --session "$S" --from "$HERE/drafts/executive-summary-v1.md" \
  --source "$(cite "$ESTATES" interview-notes-estates.md "147 accessibility-related complaints in 2023/24")" \
  --source "$(cite "$AUDIT" accessibility-audit-summary.txt "31 passenger lifts; 12 are past their 25-year design life")" \
  --source "$(cite "$NETWORK" interview-notes-staff-network.md "Do not treat the do-minimum option as compliance.")"
for id in strategic-case economic-case executive-summary; do cb section commit "$id" --session "$S"; done
cb session close "$S"

say "8. the reviewers decide"
cb approve strategic-case --reviewer sro --comment "Objectives are SMART and baselined."
cb approve economic-case --reviewer finance-lead --comment "Shortlist and preferred way forward agreed; NPSV at SOC."
cb approve financial-case --reviewer finance-lead --comment "Affordable within the capital envelope, subject to the SR bid."
cb approve key-risks --reviewer sro --decision changes-requested \
  --comment "Add an owner and a trigger for the inflation risk carol raised."

say "sections on main"
cb section list

say "the audit trail (casebook audit)"
cb audit

say "the business case as one printable HTML file, and an approved document verified"
cb export main --format html --out "$OUT/business-case.html"
cb export main --format md --out "$OUT/business-case.md"
cb export approved/rationale/v1 --format html --verify

say "the repository is healthy (casebook doctor), and its history verifies (casebook verify)"
cb doctor
cb verify
cb approvals

say "the same history with plain git"
git -C "$PROJECT" log --graph --oneline --all --max-count=60
echo
git -C "$PROJECT" tag -n1
echo
git -C "$PROJECT" fsck --strict && echo "git fsck --strict: clean"
say "done"
echo "project:        $PROJECT"
echo "business case:  $(cd "$OUT" && pwd)/business-case.html"
echo "                $(cd "$OUT" && pwd)/business-case.md"
