#!/usr/bin/env bash
# Issue 16 section 5 against the sandbox: vendor matching prefers exact twins.
# A generated directory of suffix siblings ("Co.", "Corp.", "Inc." of one
# company) spelled with case, punctuation, spacing and long-suffix variants
# is put into both simulators; after the vendors flow (and vendors-back)
# exactly the vendors the generator made ambiguous are parked, and no
# company is in either system twice (by folded name, and by origin_id).
# Usage: test_vendor_tiers.sh BINARY
set -euo pipefail
BIN=$(readlink -f "$1")
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/world.sh"
world_start
world_tenant acme
company=$(jq .procore.company_id "$DATA/credentials.json")
tok=$(pc_token)

# --- the generator ------------------------------------------------------------------------
# Families of one base name, five shapes (F = family):
#   0 siblings:   Co., Corp., Inc. in both systems                      -> 3 pairs
#   1 untwinned:  Co., Corp. in both, LLC in NetSuite only              -> 2 pairs, LLC created
#   2 ambiguous:  Co. in both, Corp. and Inc. in Procore, LLC in NetSuite
#                 -> 1 pair; LLC parked (2 candidates); back: Corp., Inc. parked (contested)
#   3 contested:  LLC and Ltd. in NetSuite, the bare name in Procore
#                 -> both parked; back: the bare name parked (2 candidates)
#   4 dropped:    ", Inc." in NetSuite, the bare name in Procore         -> 1 pair by normalised name
# NetSuite spells its twins in one of four ways (as typed, capitals without
# punctuation, extra spaces, the long suffix), so only folding pairs them.
birds=(Kestrel Osprey Heron Condor Plover Harrier Merlin Petrel Avocet Bittern)
trades=(Mechanical Glazing Paving)
declare -A long=([" Co."]=" Company" [" Corp."]=" Corporation" [", Inc."]=" Incorporated" [" LLC"]=" LLC" [" Ltd."]=" Limited")
spell() { # NAME SUFFIX STYLE: the NetSuite spelling
  case $3 in
    0) printf '%s%s' "$1" "$2" ;;
    1) printf '%s%s' "$1" "$2" | tr '[:lower:]' '[:upper:]' | tr -d ',.' ;;
    2) printf '%s%s' "${1// /  }" "$2" | sed 's/ \(Co\|Corp\|LLC\|Ltd\)/, \1/' ;;
    3) printf '%s%s' "$1" "${long[$2]}" ;;
  esac
}
# ns_want[i]: the Procore name NetSuite vendor i must be paired with ("": created or parked)
ns_names=() ns_want=() pc_names=() ns_amb=() pc_amb=() want_create=0 n=0
ns_add() { ns_names+=("$1"); ns_want+=("$2"); }
for t in "${trades[@]}"; do
  for b in "${birds[@]}"; do
    base="$b $t" shape=$((n % 5)) style=$((n % 4)) n=$((n + 1))
    case $shape in
      0) for s in " Co." " Corp." ", Inc."; do ns_add "$(spell "$base" "$s" "$style")" "$base$s"; pc_names+=("$base$s"); done ;;
      1) for s in " Co." " Corp."; do ns_add "$(spell "$base" "$s" "$style")" "$base$s"; pc_names+=("$base$s"); done
         ns_add "$base LLC" ""; want_create=$((want_create + 1)) ;;
      2) ns_add "$(spell "$base" " Co." "$style")" "$base Co."; pc_names+=("$base Co." "$base Corp." "$base, Inc.")
         ns_add "$base LLC" ""; ns_amb+=("$base LLC"); pc_amb+=("$base Corp." "$base, Inc.") ;;
      3) ns_add "$base LLC" ""; ns_add "$base Ltd." ""; ns_amb+=("$base LLC" "$base Ltd."); pc_names+=("$base"); pc_amb+=("$base") ;;
      4) ns_add "$(spell "$base" ", Inc." "$style")" "$base"; pc_names+=("$base") ;;
    esac
  done
done
expect_le 60 "${#ns_names[@]}" "generated NetSuite vendors"
expect_le 60 "${#pc_names[@]}" "generated Procore vendors"

# NetSuite: each as a user would enter it; Procore: one sync call, no origin_id (made in Procore)
ns_ids=()
for name in "${ns_names[@]}"; do
  r=$(ns_admin POST /_sandbox/netsuite/records/vendor "$(jq -cn --arg n "$name" '{companyName: $n, entityId: $n, subsidiary: {id: "1"}}')")
  ns_ids+=("$(jq -r .id <<<"$r")")
done
body=$(printf '%s\n' "${pc_names[@]}" | jq -R . | jq -sc --argjson c "$company" '{company_id: $c, updates: [.[] | {name: .}]}')
made=$(pc_api PATCH /rest/v1.0/vendors/sync "$body")
expect_eq "$(jq '.entities | length' <<<"$made")/$(jq '.errors | length' <<<"$made")" "${#pc_names[@]}/0" "Procore vendors made"
gen_ns=$(paste -d'\t' <(printf '%s\n' "${ns_ids[@]}") <(printf '%s\n' "${ns_names[@]}") <(printf '%s\n' "${ns_want[@]}") \
  | jq -R 'split("\t") | {id: .[0], name: .[1], want: .[2]}' | jq -sc .)
gen_pc=$(jq -c '[.entities[] | {id: (.id | tostring), name}]' <<<"$made")
amb_ns=$(printf '%s\n' "${ns_amb[@]}" | jq -R . | jq -sc .)
amb_pc=$(printf '%s\n' "${pc_amb[@]}" | jq -R . | jq -sc .)

# jq: the folded name (case, punctuation, spacing, long suffix) as a person reads it
FOLD='def fold: ascii_downcase | gsub("&"; " and ") | gsub("[^a-z0-9]+"; " ") | ltrimstr(" ") | rtrimstr(" ")
  | sub(" incorporated$"; " inc") | sub(" company$"; " co") | sub(" corporation$"; " corp") | sub(" limited$"; " ltd");'
GEN_RE="^($(IFS='|'; echo "${birds[*]}" | tr '[:upper:]' '[:lower:]')) "
pc_ours() { pc_admin GET /_sandbox/state/vendors | jq -c --argjson c "$company" '[.[] | select(._company_id == $c)]'; }
ns_all() { ns_admin GET /_sandbox/netsuite/dump/vendor | jq -c '.rows'; }
# the sources (ids) parked in a run, among the generated
parked_of() { # GENERATED PREFIX
  jq -c --argjson g "$1" --arg p "$2" '[.plan[] | select(.action == "park") | .source | ltrimstr($p)] as $p
    | [$g[] | select(.id as $i | $p | index($i)) | .name] | sort' <<<"$OUT"
}
no_twice() { # JSON-LIST NAME-FIELD WHAT
  local by_name by_origin
  by_name=$(jq -r --arg re "$GEN_RE" "$FOLD"' [.[] | .'"$2"' // "" | fold | select(test($re))] | group_by(.) | map(select(length > 1) | .[0]) | join(", ")' <<<"$1")
  expect_eq "$by_name" "" "$3: no company twice by folded name"
  if [ "$2" = name ]; then
    by_origin=$(jq -r '[.[] | .origin_id // empty] | group_by(.) | map(select(length > 1) | .[0]) | join(", ")' <<<"$1")
    expect_eq "$by_origin" "" "$3: no origin_id twice"
  fi
}

# --- forward: NetSuite -> Procore -------------------------------------------------------------
run "$BIN" sync acme --flow vendors --json
expect_rc 0 "vendors flow"
expect_eq "$(parked_of "$gen_ns" ns:vendor:)" "$(jq -c sort <<<"$amb_ns")" "parked = the ambiguous by construction ($(jq length <<<"$amb_ns"))"
expect_eq "$(jq --argjson g "$gen_ns" '[.plan[] | select(.action == "create") | .source | ltrimstr("ns:vendor:")] as $c | [$g[] | select(.id as $i | $c | index($i))] | length' <<<"$OUT")" "$want_create" "untwinned siblings created ($want_create)"
pcv=$(pc_ours)
no_twice "$pcv" name "Procore"
# each generated NetSuite vendor meant to pair is linked to the Procore vendor the generator meant
pairs=$(jq -r --argjson g "$gen_ns" --argjson made "$gen_pc" '. as $pc
  | [$g[] | select(.want != "") | .id as $i | .want as $w | ($made[] | select(.name == $w) | .id) as $pid
   | select([$pc[] | select((.id | tostring) == $pid) | .origin_id][0] != "ns:vendor:\($i)") | .name] | join(", ")' <<<"$pcv")
expect_eq "$pairs" "" "each twin linked to its own twin ($(jq '[.[] | select(.want != "")] | length' <<<"$gen_ns") pairs)"
# the untwinned Procore siblings of shape 2 stayed free (not grabbed by the LLC)
free=$(jq -c --argjson amb "$amb_pc" '[.[] | select(.name as $n | $amb | index($n)) | select(.origin_id != null) | .name]' <<<"$pcv")
expect_eq "$free" "[]" "ambiguous Procore vendors are linked to nothing"
review=$("$BIN" review list acme --json)
expect_eq "$(jq --argjson g "$gen_ns" '[.[] | select(.source_ref | ltrimstr("ns:vendor:") as $i | $g | map(.id) | index($i))] | length' <<<"$review")" "$(jq length <<<"$amb_ns")" "each parked vendor is in the review list"
expect_eq "$(jq -c --argjson g "$gen_ns" '[.[] | select(.source_ref | ltrimstr("ns:vendor:") as $i | $g | map(.id) | index($i)) | .candidates | length] | unique' <<<"$review")" "[1,2]" "with its candidates (2 ambiguous, 1 contested)"

# a second run changes nothing: no create, the same vendors parked
run "$BIN" sync acme --flow vendors --full --json
expect_rc 0 "vendors flow again"
expect_eq "$(jq .stats.created <<<"$OUT")" 0 "second run: nothing created"
expect_eq "$(parked_of "$gen_ns" ns:vendor:)" "$(jq -c sort <<<"$amb_ns")" "second run: the same parked"
no_twice "$(pc_ours)" name "Procore after two runs"

# --- back: Procore -> NetSuite, the same tiers -------------------------------------------------
"$BIN" tenant set acme --setting vendors_back.enabled=true >/dev/null
run "$BIN" sync acme --flow vendors-back --json
expect_rc 0 "vendors-back flow"
expect_eq "$(parked_of "$gen_pc" pc:vendor:)" "$(jq -c sort <<<"$amb_pc")" "back: parked = the ambiguous by construction ($(jq length <<<"$amb_pc"))"
nsv=$(ns_all)
no_twice "$nsv" companyname "NetSuite"
expect_eq "$(jq --argjson g "$gen_pc" '[.plan[] | select(.action == "create") | .source | ltrimstr("pc:vendor:")] as $c | [$g[] | select(.id as $i | $c | index($i))] | length' <<<"$OUT")" 0 "back: no generated Procore vendor created in NetSuite"
finish
