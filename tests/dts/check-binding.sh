#!/bin/sh
# check-binding.sh - the binding schema and the merged Pi 3 device tree,
# checked with Debian's dt-schema tools.
#
# Usage: check-binding.sh SCHEMA MERGED_DTB WORKDIR
#
# Debian's own Pi 3 tree has findings of its own (gpu, firmware, power nodes);
# only findings about the sesame node count here. So that this cannot pass
# by matching nothing, it also checks that the node matched the schema and
# that a broken copy of the tree is caught.
set -eu
schema=$1 dtb=$2 work=$3
schema_dir=$(dirname "$schema")
processed=$work/processed-schema.json
failed=0 n=0

ok()   { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }

# Lines of dt-validate output about the sesame node (path /sesame).
sesame_findings() {
	dt-validate -s "$processed" "$1" 2>&1 | grep -E '(^|[ /])sesame[:@ ]' || true
}

if dt-doc-validate -u "$schema_dir" "$schema"; then
	ok "schema is valid against the dt-schema meta-schema"
else
	fail "schema is valid against the dt-schema meta-schema"
fi

dt-mk-schema -j -o "$processed" "$schema_dir/"

if dt-validate -M -s "$processed" "$dtb" 2>&1 |
	grep -A1 ': /sesame: matched' | grep -q 'sesame,servo.yaml'; then
	ok "the overlay's node in the merged tree is matched by the schema"
else
	fail "the overlay's node in the merged tree is matched by the schema"
fi

findings=$(sesame_findings "$dtb")
if [ -z "$findings" ]; then
	ok "the merged Pi 3 tree has no finding about the sesame node"
else
	echo "$findings"
	fail "the merged Pi 3 tree has no finding about the sesame node"
fi

# A tree the firmware would build from bad parameters must be reported.
bad=$work/bad.dtb
for case in "sesame,max-pulse-us 200000" "sesame,period-us 1000" \
	    "sesame,min-pulse-us 10" "sesame,hold-ms 4000000"; do
	cp "$dtb" "$bad"
	# shellcheck disable=SC2086 # property and value, split on purpose
	fdtput -t u "$bad" /sesame $case
	if sesame_findings "$bad" | grep -q "${case%% *}"; then
		ok "schema rejects $case"
	else
		fail "schema rejects $case"
	fi
done
cp "$dtb" "$bad"
fdtput -t s "$bad" /sesame label "front door"
if sesame_findings "$bad" | grep -q label; then
	ok "schema rejects a label with a space"
else
	fail "schema rejects a label with a space"
fi
cp "$dtb" "$bad"
fdtput -d "$bad" /sesame servo-gpios
if sesame_findings "$bad" | grep -q servo-gpios; then
	ok "schema requires servo-gpios"
else
	fail "schema requires servo-gpios"
fi

exit $failed
