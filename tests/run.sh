#!/bin/sh
# Runs every test layer and prints one closing summary line:
#   tests/run.sh all    unit, HTTP and browser tests
#   tests/run.sh asan   unit and HTTP tests with the sanitizer build
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=${1:-all}
build=${RECOURSE_BUILD:-build}
passed=0
failed=0
log=$(mktemp)

# Runs each test file of a folder in turn (they share one server, and one
# of them stops the database), adding the "# pass N" / "# fail N" lines of
# node's TAP output to the totals.  One file at a time also suits Node 18,
# Debian 12's own, whose runner has no --test-concurrency.
run_node() {
	for file in "$1"/*.test.mjs; do
		node --test --test-reporter=tap "$file" >"$log" 2>&1
		cat "$log"
		p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
		[ -n "$p" ] || p=0
		if [ -z "$f" ]; then f=1; fi
		passed=$((passed + p))
		failed=$((failed + f))
	done
}

echo "== unit tests"
sh tests/unit/run.sh "$build"/unit/test_* | tee "$log"
line=$(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log")
passed=$((passed + ${line% *}))
failed=$((failed + ${line#* }))

. tests/env.sh
if [ "$mode" = asan ]; then
	# Kore itself is not instrumented: the runtime is preloaded into it.
	ENV_PRELOAD="LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:log_path=/tmp/recourse-asan UBSAN_OPTIONS=print_stacktrace=1:log_path=/tmp/recourse-ubsan"
	rm -f /tmp/recourse-asan.* /tmp/recourse-ubsan.*
fi
if env_start; then
	echo "== HTTP tests against $RECOURSE_URL"
	run_node tests/http
	if [ "$mode" = all ]; then
		echo "== browser tests"
		run_node tests/browser
	fi
	for klog in "$RECOURSE_KORE_LOG" "$RECOURSE_REVIEW_LOG"; do
		if grep -q "died from sandbox violation\|worker .* exited" \
		    "$klog"; then
			echo "kore log shows a dead worker ($klog):"
			cat "$klog"
			failed=$((failed + 1))
		fi
	done
	env_stop
else
	failed=$((failed + 1))
	env_stop
fi

# Crash tests kill PostgreSQL and the Kore instances they start: an
# environment of their own, whose back office runs no scheduler (the
# tests' own instances do, until they kill them).
ENV_SLA_TICK_MS=0
if env_start; then
	echo "== crash tests"
	run_node tests/crash
	env_stop
else
	failed=$((failed + 1))
	env_stop
fi
unset ENV_SLA_TICK_MS

if [ "$mode" = asan ]; then
	if ls /tmp/recourse-asan.* /tmp/recourse-ubsan.* >/dev/null 2>&1; then
		echo "sanitizer reports:"
		cat /tmp/recourse-asan.* /tmp/recourse-ubsan.* 2>/dev/null
		failed=$((failed + 1))
	fi
fi
rm -f "$log"
echo "$mode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
