#!/bin/sh
# Compares make bench between two commits in one sitting: fresh clones of
# both, then runs alternating new, old, new, old... so that the machine's
# drift falls on both alike (docs/BENCHMARKS.md: compare only runs of the
# same hour).
#   sh tests/bench/ab.sh OLD [NEW] [ROUNDS]   (NEW: HEAD; ROUNDS: 3)
# Environment: AB_OLD_ENV (default BENCH_WORKLIST=0: the old side measures
# intake only), AB_DIR (default /tmp/recourse-ab).  Each run's output goes
# to AB_DIR/<side><n>.log; the last lines print intake ÷ floor and the
# scheduler's busy pass of every run.
set -u
old=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
new=${2:-$(git -C "$top" rev-parse HEAD)}
rounds=${3:-3}
dir=${AB_DIR:-/tmp/recourse-ab}
rm -rf "$dir"
mkdir -p "$dir"
for side in new old; do
	eval "rev=\$$side"
	git clone -q "$top" "$dir/$side" && git -C "$dir/$side" checkout -q "$rev" ||
	    { echo "ab: cannot check out $rev" >&2; exit 1; }
done
i=1
while [ "$i" -le "$rounds" ]; do
	for side in new old; do
		echo "$side $i $(git -C "$dir/$side" rev-parse --short HEAD)" \
		    "$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
		if [ "$side" = old ]; then
			(cd "$dir/old" && env ${AB_OLD_ENV:-BENCH_WORKLIST=0} \
			    make bench) >"$dir/old$i.log" 2>&1
		else
			(cd "$dir/new" && make bench) >"$dir/new$i.log" 2>&1
		fi
	done
	i=$((i + 1))
done
for f in "$dir"/new*.log "$dir"/old*.log; do
	sed -n '/^clients   intake/,+2p' "$f" | tail -2 | awk -v f="$(basename "$f" .log)" '
	    { r[$1] = sprintf("%.4f", $2 / $3); c[$1] = $5 }
	    END { printf "%s: intake/floor -c64 %s -c8 %s, PostgreSQL ms -c64 %s", f,
	        r[64], r[8], c[64] }'
	grep -o 'escalations) in [0-9]* ms' "$f" | sed 's/^escalations) in /, busy pass /' | tr -d '\n'
	echo
done
