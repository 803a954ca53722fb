# cases.sh - the one case runner of the shell suites (sourced by bash).
#
# A suite declares its cases in order, each with a stable name, a title
# (what a user would see) and the fixtures it needs, then hands its command
# line to cases_main:
#
#   case_def retained-open-never-acts "a retained open causes no actuation" main-bridge
#   retained-open-never-acts() { ...; fail "the device got '$got'"; ... }
#   fixture:main-bridge() { start a bridge the cases share; }
#   cases_main "$@"
#
# If the suite defines suite_setup, cases_main calls it after reading the
# command line and before the first case (not for --list); it returns
# false, or exits, when the suite cannot run here.
#
# A case is the function named as the case (names hold a hyphen, so none
# is mistaken for a helper). It fails with fail MESSAGE and goes on, to
# show more; skip WHY skips it (under CI=true a skip fails: CI judges every
# case). A fixture runs once, inside the first selected case that needs
# it; if it fails, so does every case that needs it, and if it skips (it
# cannot be set up here), every case that needs it skips with its reason.
#
# Command line: [--list] [--only NAME|PATTERN]... [NAME|PATTERN]...
#   --list   the cases, "name<TAB>title [fixtures]", in the order they run
#   --only   run the cases whose name is NAME or matches the glob PATTERN
#            (as do plain arguments); a selection that matches no case is
#            an error (exit 2)
# Output is TAP: "1..N", "ok 3 - name: title", diagnostics as "# ..." lines,
# and last "# N passed, N failed" (", N skipped" when some were).
# cases_main returns 0 when every case passed, 1 when one failed.

CASE_NAMES=()
declare -A CASE_TITLE=() CASE_FIXTURES=() FIXTURE_STATE=()
case_ok=1
case_name=

# case_def NAME TITLE [FIXTURE...]: declares a case; cases run in this order.
case_def() {
	local name=$1 title=$2
	shift 2
	[[ "$name" =~ ^[a-z0-9]+(-[a-z0-9]+)+$ ]] ||
		{ echo "case_def: '$name' is not a name-with-hyphens" >&2; exit 2; }
	[ -z "${CASE_TITLE[$name]+set}" ] ||
		{ echo "case_def: '$name' is declared twice" >&2; exit 2; }
	CASE_NAMES+=("$name")
	CASE_TITLE[$name]=$title
	CASE_FIXTURES[$name]="$*"
}

# Inside a case: diagnostics, failure and skipping.
note() { echo "# $*"; }
fail() {
	echo "#   FAIL: $*"
	case_ok=0
}
skip() {
	echo "#   SKIP: $*"
	[ "$case_ok" = 0 ] || case_ok="skip $*"
}

# case_needs FIXTURE: sets the fixture up unless it already is; false (and
# the case failed, or skipped) if it could not be.
case_needs() {
	local f=$1
	case ${FIXTURE_STATE[$f]:-} in
	up) return 0 ;;
	broken) fail "fixture $f failed earlier"; return 1 ;;
	skip\ *) skip "${FIXTURE_STATE[$f]#skip }"; return 1 ;;
	esac
	"fixture:$f"
	if [ "$case_ok" = 1 ]; then
		FIXTURE_STATE[$f]=up
	elif [[ "$case_ok" == skip\ * ]]; then
		FIXTURE_STATE[$f]=$case_ok
		return 1
	else
		FIXTURE_STATE[$f]=broken
		fail "fixture $f failed"
		return 1
	fi
}

# cases_select PATTERN...: CASES_RUN becomes the declared names the
# patterns select, in declaration order; exit 2 naming a pattern that
# selects nothing.
cases_select() {
	local name pat hit
	CASES_RUN=()
	for pat; do
		hit=
		for name in "${CASE_NAMES[@]}"; do
			# shellcheck disable=SC2053 # the pattern is a glob on purpose
			[[ "$name" == $pat ]] && hit=1
		done
		[ -n "$hit" ] || { echo "$0: no case matches '$pat' (--list lists them)" >&2; exit 2; }
	done
	for name in "${CASE_NAMES[@]}"; do
		for pat; do
			# shellcheck disable=SC2053
			if [[ "$name" == $pat ]]; then CASES_RUN+=("$name"); break; fi
		done
	done
}

# case_run NUMBER NAME: runs one case and prints its line.
case_run() {
	local num=$1 name=$2 f began=$SECONDS
	case_name=$name
	case_ok=1
	for f in ${CASE_FIXTURES[$name]}; do
		case_needs "$f" || break
	done
	[ "$case_ok" = 1 ] && "$name"
	local line="$num - $name: ${CASE_TITLE[$name]} ($((SECONDS - began)) s)"
	case $case_ok in
	1) echo "ok $line"; CASES_PASSED=$((CASES_PASSED + 1)) ;;
	skip*)
		if [ "${CI:-}" = true ]; then
			echo "not ok $line # SKIP not allowed in CI: ${case_ok#skip }"
			CASES_FAILED=$((CASES_FAILED + 1))
		else
			echo "ok $line # SKIP ${case_ok#skip }"
			CASES_SKIPPED=$((CASES_SKIPPED + 1))
		fi ;;
	*) echo "not ok $line"; CASES_FAILED=$((CASES_FAILED + 1)) ;;
	esac
}

cases_usage() {
	echo "usage: $0 [--list] [--only NAME|PATTERN]... [NAME|PATTERN]..." >&2
	exit 2
}

# cases_parse ARGS...: sets CASES_LIST and CASES_ONLY from the command line.
cases_parse() {
	CASES_LIST=
	CASES_ONLY=()
	while [ $# -gt 0 ]; do
		case $1 in
		--list) CASES_LIST=1 ;;
		--only) [ $# -ge 2 ] || cases_usage; CASES_ONLY+=("$2"); shift ;;
		--only=*) CASES_ONLY+=("${1#--only=}") ;;
		-h|--help) cases_usage ;;
		-*) echo "$0: unknown option $1" >&2; cases_usage ;;
		*) CASES_ONLY+=("$1") ;;
		esac
		shift
	done
}

# cases_list: what --list prints.
cases_list() {
	local name
	for name in "${CASE_NAMES[@]}"; do
		printf '%s\t%s%s\n' "$name" "${CASE_TITLE[$name]}" \
			"${CASE_FIXTURES[$name]:+ [${CASE_FIXTURES[$name]}]}"
	done
}

# cases_main ARGS...: parses the command line, runs what it selects, reports.
cases_main() {
	local num=0 name
	cases_parse "$@"
	for name in "${CASE_NAMES[@]}"; do
		declare -F "$name" > /dev/null ||
			{ echo "$0: case $name has no function" >&2; exit 2; }
	done
	if [ -n "$CASES_LIST" ]; then
		cases_list
		exit 0
	fi
	if [ ${#CASES_ONLY[@]} -gt 0 ]; then
		cases_select "${CASES_ONLY[@]}"
	else
		CASES_RUN=("${CASE_NAMES[@]}")
	fi
	if declare -F suite_setup > /dev/null; then
		suite_setup || { echo "$0: the set-up failed; no case ran" >&2; exit 1; }
	fi
	CASES_PASSED=0 CASES_FAILED=0 CASES_SKIPPED=0
	echo "1..${#CASES_RUN[@]}"
	for name in "${CASES_RUN[@]}"; do
		num=$((num + 1))
		case_run "$num" "$name"
	done
	echo "# $CASES_PASSED passed, $CASES_FAILED failed$([ "$CASES_SKIPPED" = 0 ] || echo ", $CASES_SKIPPED skipped")"
	[ "$CASES_FAILED" = 0 ]
}
