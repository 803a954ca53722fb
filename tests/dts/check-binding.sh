#!/bin/bash
# check-binding.sh - the binding schema and the merged Pi 3 device tree,
# checked with Debian's dt-schema tools.
#
# Usage: MERGED_DTB=FILE WORK=DIR tests/dts/check-binding.sh [--list] [--only NAME|PATTERN]...
#   (tests/lib/cases.sh; make check-dts sets both; SCHEMA defaults to
#   dts/sesame,servo.yaml)
#
# Debian's own Pi 3 tree has findings of its own (gpu, firmware, power nodes);
# only findings about the sesame node count here. So that this cannot pass
# by matching nothing, it also checks that the node matched the schema and
# that broken copies of the tree are caught.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA=${SCHEMA:-$top/dts/sesame,servo.yaml}
# shellcheck source=tests/lib/cases.sh
. "$top/tests/lib/cases.sh"

# Lines of dt-validate output about the sesame node (path /sesame).
sesame_findings() {
	dt-validate -s "$WORK/processed-schema.json" "$1" 2>&1 | grep -E '(^|[ /])sesame[:@ ]' || true
}

# The schema as dt-validate reads it, processed once.
fixture:processed-schema() {
	dt-mk-schema -j -o "$WORK/processed-schema.json" "$(dirname "$SCHEMA")/" ||
		fail "dt-mk-schema failed"
}

# rejects CHANGE WHAT: a copy of the merged tree changed by CHANGE (fdtput
# arguments after the file) draws a finding that names WHAT.
rejects() {
	local what=$1 bad=$WORK/bad.dtb
	shift
	cp "$MERGED_DTB" "$bad"
	fdtput "$bad" "$@" || { fail "fdtput $*"; return; }
	sesame_findings "$bad" | grep -q -- "$what" || fail "no finding about $what"
}

case_def schema-is-valid "schema is valid against the dt-schema meta-schema"
schema-is-valid() {
	dt-doc-validate -u "$(dirname "$SCHEMA")" "$SCHEMA" || fail "dt-doc-validate found the above"
}

case_def node-matched-by-schema "the overlay's node in the merged tree is matched by the schema" processed-schema
node-matched-by-schema() {
	dt-validate -M -s "$WORK/processed-schema.json" "$MERGED_DTB" 2>&1 |
		grep -A1 ': /sesame: matched' | grep -q 'sesame,servo.yaml' ||
		fail "dt-validate matched no schema to /sesame"
}

case_def merged-tree-has-no-finding "the merged Pi 3 tree has no finding about the sesame node" processed-schema
merged-tree-has-no-finding() {
	local findings
	findings=$(sesame_findings "$MERGED_DTB")
	[ -z "$findings" ] || fail "$findings"
}

# Trees the firmware would build from bad parameters must be reported.
case_def schema-rejects-long-max-pulse "schema rejects sesame,max-pulse-us 200000" processed-schema
schema-rejects-long-max-pulse() { rejects sesame,max-pulse-us -t u /sesame sesame,max-pulse-us 200000; }

case_def schema-rejects-short-period "schema rejects sesame,period-us 1000" processed-schema
schema-rejects-short-period() { rejects sesame,period-us -t u /sesame sesame,period-us 1000; }

case_def schema-rejects-short-min-pulse "schema rejects sesame,min-pulse-us 10" processed-schema
schema-rejects-short-min-pulse() { rejects sesame,min-pulse-us -t u /sesame sesame,min-pulse-us 10; }

case_def schema-rejects-long-hold "schema rejects sesame,hold-ms 4000000" processed-schema
schema-rejects-long-hold() { rejects sesame,hold-ms -t u /sesame sesame,hold-ms 4000000; }

case_def schema-rejects-label-with-space "schema rejects a label with a space" processed-schema
schema-rejects-label-with-space() { rejects label -t s /sesame label "front door"; }

case_def schema-requires-servo-gpios "schema requires servo-gpios" processed-schema
schema-requires-servo-gpios() { rejects servo-gpios -d /sesame servo-gpios; }

suite_setup() {
	if [ -z "${MERGED_DTB:-}" ] || [ -z "${WORK:-}" ]; then
		echo "$0: set MERGED_DTB and WORK (make check-dts does)" >&2
		exit 2
	fi
	mkdir -p "$WORK"
}

cases_main "$@"
