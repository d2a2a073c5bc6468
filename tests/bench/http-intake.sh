#!/bin/sh
# Filing through HTTP alone, for quick comparisons at low concurrency: a
# fresh environment of the checkout DIR, 5 s of wrk to warm up, then RUNS
# runs of 10 s; prints filings a second and the median latency of each.
#   sh tests/bench/http-intake.sh [DIR] [CONNECTIONS] [RUNS]   (., 8, 2)
# Alternate two checkouts (tests/bench/ab.sh makes them) to compare.
set -u
dir=$(cd "${1:-.}" && pwd)
conns=${2:-8}
runs=${3:-2}
cd "$dir"
. tests/env.sh
trap 'env_stop >/dev/null 2>&1' EXIT
env_start >/dev/null 2>&1 || { echo "http-intake: no environment" >&2; exit 1; }
url="$RECOURSE_URL/api/v1/complaints"
go() {
	wrk -t2 -c"$conns" -d"$1"s --latency -s tests/bench/intake.lua "$url" \
	    -- "h$(date +%s%N)" 2>&1
}
go 5 >/dev/null
i=1
while [ "$i" -le "$runs" ]; do
	go 10 | awk -v d="$(git rev-parse --short HEAD)" -v c="$conns" '
	    /Requests\/sec/ { r = $2 } /^ *50%/ { p = $2 }
	    END { printf "%s -c%s: %s filings/s, p50 %s\n", d, c, r, p }'
	i=$((i + 1))
done
