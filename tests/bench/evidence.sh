#!/bin/sh
# Filing with one 1 MiB JPEG through the JSON API at 16 connections: a
# fresh environment, a picture Debian's Chromium encodes, wrk for
# BENCH_EVIDENCE_SECONDS (15) after 3 s of warm-up; prints filings a
# second, p50 and p99, and each public Kore worker's peak resident memory
# (VmHWM) before and after.  Checks that every file was stored and that
# no body reached the disk (Kore keeps them in memory).
#   sh tests/bench/evidence.sh     (make bench runs it)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/env.sh
secs=${BENCH_EVIDENCE_SECONDS:-15}
conns=${BENCH_EVIDENCE_CONNECTIONS:-16}
work=$(mktemp -d)
trap 'env_stop >/dev/null 2>&1; rm -rf "$work"' EXIT
env_start >/dev/null 2>&1 || { echo "evidence bench: no environment" >&2; exit 1; }

node tests/bench/evidence-picture.mjs "$work/picture.jpg" || exit 1
base64 -w0 "$work/picture.jpg" >"$work/picture.b64"
bytes=$(stat -c %s "$work/picture.jpg")

# The public instance's workers: the children of its main process.
workers() {
	for p in $(pgrep -P "$(cat "$RECOURSE_KORE_PIDFILE")"); do
		for c in $p $(pgrep -P "$p"); do
			grep -q '^Name:.*kore' /proc/"$c"/status 2>/dev/null &&
			    [ "$c" != "$(cat "$RECOURSE_KORE_PIDFILE")" ] &&
			    echo "$c"
		done
	done | sort -u
}
hwm() {
	for w in $(workers); do
		printf '%s:%s ' "$w" "$(awk '/VmHWM/ { print $2 }' \
		    /proc/"$w"/status)"
	done
}
before=$(hwm)
cases0=$(psql -qtA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" recourse \
    -c 'SELECT count(*) FROM case_evidence')
url="$RECOURSE_URL/api/v1/complaints"
wrk -t2 -c"$conns" -d3s -s tests/bench/evidence.lua "$url" -- \
    "$work/picture.b64" warm >/dev/null 2>&1
out=$(wrk -t2 -c"$conns" -d"$secs"s --latency -s tests/bench/evidence.lua \
    "$url" -- "$work/picture.b64" "run$(date +%s)" 2>&1)
after=$(hwm)
echo "$out" | grep "BENCH_EVIDENCE_HTTP"
stored=$(psql -qtA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" recourse \
    -c 'SELECT count(*) FROM case_evidence')
echo "BENCH_EVIDENCE picture_bytes=$bytes connections=$conns files_stored=$((stored - cases0))"
echo "BENCH_EVIDENCE worker_peak_rss_kib_before=$before"
echo "BENCH_EVIDENCE worker_peak_rss_kib_after=$after"
# Kore would write a spilled body under its working folder.
if find "$RECOURSE_VAR" -path "$RECOURSE_VAR/pg" -prune -o -type f -newer \
    "$work/picture.b64" -print | grep -v '\.log$' | grep -q .; then
	echo "BENCH_EVIDENCE FAIL: files were written during the run:" >&2
	find "$RECOURSE_VAR" -path "$RECOURSE_VAR/pg" -prune -o -type f \
	    -newer "$work/picture.b64" -print >&2
	exit 1
fi
