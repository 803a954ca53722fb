#!/bin/sh
# summary.sh - one line of figures from a libFuzzer run, for the summary
# that fuzz.mk keeps in build/fuzz/summary.txt.
#
# Usage: summary.sh TARGET SECONDS LOG
# LOG is the run's output with -print_final_stats=1.
set -eu
t=$1 secs=$2 log=$3
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
# The last status line: "#N DONE cov: C ft: F corp: U/S ..."
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
echo "fuzz-$t: $secs s, ${execs:-?} inputs executed (${rate:-?}/s), corpus ${corp:-?} inputs" \
	"(${added:-?} added in this run), coverage ${cov:-?} edges, ${ft:-?} features, no crash"
