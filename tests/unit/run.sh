#!/bin/sh
# Runs each cmocka unit-test binary given as an argument and totals its summary lines into one "unit: N passed, N failed" line.
#
#   sh tests/unit/run.sh build/unit/test_html build/unit/test_vault
#
# A binary that is missing, crashes, or exits non-zero without reporting a
# failed test counts as one failure; the exit status is 1 if anything failed.

passed=0
failed=0
missing=0
out=$(mktemp "${TMPDIR:-/tmp}/unit.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
trap 'rm -f "$out"; exit 130' INT TERM

if [ $# -eq 0 ]; then
	echo "usage: sh tests/unit/run.sh build/unit/test_NAME ..." >&2
	echo "unit: 0 passed, 0 failed"
	exit 2
fi

for bin in "$@"; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		echo "run.sh: $bin: missing or not executable" >&2
		missing=$((missing + 1))
		continue
	fi
	echo "--- $bin"
	# cmocka writes its summary to stderr and the rest to stdout.
	"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"

	p=$(sed -n 's/.*\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' \
	    "$out" | tail -n 1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' \
	    "$out" | tail -n 1)
	[ -n "$f" ] || f=0
	if [ -z "$p" ]; then
		# No summary at all: it crashed or was killed part-way.
		echo "run.sh: $bin: no cmocka summary (exit status $rc)" >&2
		p=0
		[ "$f" -gt 0 ] || f=1
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# Errors in setup, or a crash after the summary.
		echo "run.sh: $bin: exit status $rc" >&2
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "unit: $passed passed, $((failed + missing)) failed"
[ "$failed" -eq 0 ] && [ "$missing" -eq 0 ]
