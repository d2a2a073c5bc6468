#!/bin/sh
# Measures durable intake through HTTP (wrk against Kore) and the same database work directly (pgbench), compares them with the targets, and checks that every request stored a case.
#   sh tests/bench/run.sh        (from the top of the checkout; make bench does this)
# Environment: BENCH_SECONDS (20), BENCH_WARMUP (5), BENCH_CONNECTIONS (64),
# BENCH_FLOOR_CONNECTIONS (8: the second intake run and the floor's other
# client count).
# Also measures, on the same cluster, the database's floor for one durable
# complaint (tests/bench/floor.sql) at both client counts, and prints intake
# / floor.  Then runs tests/bench/worklist.sh (GET /review over
# BENCH_WORKLIST_CASES generated cases, 1000000) in the same environment,
# unless BENCH_WORKLIST=0, then the SLA scheduler over them.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/env.sh

secs=${BENCH_SECONDS:-20}
warm=${BENCH_WARMUP:-5}
conns=${BENCH_CONNECTIONS:-64}
few=${BENCH_FLOOR_CONNECTIONS:-8}
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
hz=$(getconf CLK_TCK)
# Before anything of ours runs: how busy the machine already is.
http_load=$(cut -d' ' -f1-3 /proc/loadavg)

fail() {
	echo "bench: FAIL: $*" >&2
	exit 1
}

for t in wrk "$pgbench" psql; do
	command -v "$t" >/dev/null 2>&1 || fail "$t is missing"
done

# Waits until the back office's SLA scheduler has computed every new case
# (no recomputation due, three times in a row), and says how long it took:
# its work for each case filed is part of what filing costs.
sla_catch_up() {
	t0=$(date +%s.%N)
	quiet=0
	while [ "$quiet" -lt 3 ]; do
		# Due now, or leased by a pass under way (a lease is a
		# minute).
		if [ "$(sql "SELECT count(*) FROM cases
		    WHERE next_check_at <= now() + interval '1 minute'")" -eq 0 ]
		then
			quiet=$((quiet + 1))
		else
			quiet=0
		fi
		sleep 0.5
	done
	echo "SLA scheduler: caught up with the cases of $1 in" \
	    "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {
	    printf "%.1f", b - a - 1.5 }') s"
}

trap 'env_stop' EXIT
trap 'exit 130' INT TERM
env_start || fail "could not start the environment"
work="$ENV_DIR/bench"
mkdir -p "$work"

sql() {
	psql -X -q -tA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
	    -d "$RECOURSE_DBNAME" -v ON_ERROR_STOP=1 -c "$1"
}

# Prints "busy all iowait irq kore postgres steal postgres-system" in ticks:
# machine-wide busy, total, iowait, irq+softirq and steal time from
# /proc/stat, and the CPU time of Kore (parent and workers) and of PostgreSQL
# (postmaster, its live children, and the children it has already reaped).
pm_pid=$(head -1 "$RECOURSE_PGDATA/postmaster.pid")
cpu_snap() {
	{ head -1 /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null; } |
	awk -v k="$ENV_KORE_PID" -v p="$pm_pid" '
	$1 == "cpu" {
		for (i = 2; i <= 9; i++) all += $i
		idle = $5; iow = $6; irq = $7 + $8; steal = $9
		next
	}
	{
		pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		own = f[12] + f[13]; kids = f[14] + f[15]
		if (pid == k) kore += own + kids
		else if (f[2] == k) kore += own
		else if (pid == p) { pg += own + kids; pgsys += f[13] + f[15] }
		else if (f[2] == p) { pg += own; pgsys += f[13] }
	}
	END {
		printf "%d %d %d %d %d %d %d %d\n", all - idle - iow, all, iow,
		    irq, kore, pg, steal, pgsys
	}'
}

# Records the user+system time of this shell's children so far (the load
# tool, wrk or pgbench); mark_client runs the builtin in this shell, not in a
# subshell that would have no children, and client_cpu reads the record.
mark_client() {
	times >"$work/times-$1"
}
client_cpu() {
	awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m");
	    printf "%.2f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
	    "$work/times-$1"
}

now() {
	date +%s.%N
}

# Arithmetic and comparisons on decimals (awk, so that bc is not needed).
calc() {
	awk "BEGIN { print $1 }"
}

# CPU use between two snapshots, in cores: Kore, PostgreSQL, the load tool,
# interrupts (mostly loopback networking and disk completions), time stolen
# by the hypervisor, everything else (other processes, kernel threads such as
# the ext4 journal), idle and I/O wait.
cpu_report() {
	# cpu_report SNAP0 SNAP1 SECONDS CLIENT_CPU_SECONDS TRANSACTIONS
	awk -v hz="$hz" -v t="$3" -v cl="$4" -v n="$5" -v A="$1" -v B="$2" '
	BEGIN {
		split(A, a, " "); split(B, b, " ")
		busy = (b[1] - a[1]) / hz / t; all = (b[2] - a[2]) / hz / t
		iow = (b[3] - a[3]) / hz / t; irq = (b[4] - a[4]) / hz / t
		kore = (b[5] - a[5]) / hz / t; pg = (b[6] - a[6]) / hz / t
		steal = (b[7] - a[7]) / hz / t; pgsys = (b[8] - a[8]) / hz / t
		client = cl / t; other = busy - kore - pg - client - irq - steal
		if (other < 0) other = 0
		printf "kore=%.2f postgres=%.2f (system %.2f) client=%.2f " \
		    "irq=%.2f steal=%.2f other=%.2f idle=%.2f iowait=%.2f",
		    kore, pg, pgsys, client, irq, steal, other,
		    all - busy - iow, iow
		if (n > 0)
			printf "\nCPU per transaction: kore %.3f ms, postgres " \
			    "%.3f ms, client %.3f ms", kore * t * 1000 / n,
			    pg * t * 1000 / n, client * t * 1000 / n
	}'
}

# Samples, four times a second for about SECONDS, what each client backend
# of the benchmark database is doing: idle (waiting for its client), running
# or runnable ("CPU"), or waiting on an event such as IO:WALSync.  One psql
# session does it all, so the sampling costs one idle backend.
sample_start() {
	# sample_start SECONDS OUTPUT [DELAY]
	i=$(($1 * 4 - 2))
	{
		echo "SELECT pg_sleep(${3:-0});"
		while [ "$i" -gt 0 ]; do
			echo "SELECT CASE WHEN state = 'active' THEN coalesce(
			    wait_event_type || ':' || wait_event, 'CPU')
			    ELSE state END FROM pg_stat_activity
			    WHERE backend_type = 'client backend' AND
			    datname = current_database() AND
			    pid <> pg_backend_pid();"
			echo "SELECT pg_sleep(0.25);"
			i=$((i - 1))
		done
	} | psql -X -q -tA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
	    -d "$RECOURSE_DBNAME" >"$2" 2>/dev/null &
	sampler=$!
}
sample_report() {
	# sample_report OUTPUT: shares of backend-samples by state, largest first
	wait "$sampler"
	grep -v '^$' "$1" | sort | uniq -c | sort -rn | awk '
	    { n[NR] = $1; w[NR] = $2; t += $1 }
	    END { printf "backend states (%d samples):", t
	    for (i = 1; i <= NR; i++) printf " %s %.0f%%", w[i], 100 * n[i] / t
	    printf "\n" }'
}

val() {
	# val KEY FILE: the value of KEY=... on the BENCH_HTTP line of FILE.
	sed -n "s/^BENCH_HTTP.* $1=\([^ ]*\).*/\1/p" "$2" | tail -1
}

wal_snap() {
	sql "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, wal_sync,
	    (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)
	    FROM pg_stat_wal" | tr '|' ' '
}

wal_report() {
	# wal_report BEFORE AFTER TRANSACTIONS
	awk -v A="$1" -v B="$2" -v n="$3" 'BEGIN {
		split(A, a, " "); split(B, b, " ")
		w = b[1] - a[1]; s = b[2] - a[2]
		printf "WAL %.0f bytes/transaction, %d WAL flushes (%.1f " \
		    "commits per flush), %d checkpoints", n ? w / n : 0, s,
		    s ? n / s : 0, b[3] - a[3]
	}'
}

cases() {
	sql "SELECT count(*) FROM cases"
}

echo "== Recourse intake benchmark"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' \
    /proc/cpuinfo | head -1), $(awk '/^MemTotal/ { printf "%.1f GiB",
    $2 / 1048576 }' /proc/meminfo)"
echo "tools: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $($pgbench \
    --version)"
durable=$(sql "SELECT 'fsync=' || current_setting('fsync') ||
    ' synchronous_commit=' || current_setting('synchronous_commit')")
echo "postgres: $(sql "SELECT string_agg(n || '=' || current_setting(n), ' ')
    FROM unnest(ARRAY['server_version', 'fsync', 'synchronous_commit',
    'full_page_writes', 'wal_sync_method', 'shared_buffers', 'wal_buffers',
    'max_wal_size', 'commit_delay', 'max_connections']) n")"
echo "kore: $(awk '$1 == "workers" || $1 == "pgsql_conn_max" ||
    $1 == "worker_max_connections" { printf "%s=%s ", $1, $2 }' \
    "$ENV_DIR/kore.conf")(connections to PostgreSQL: workers x pgsql_conn_max)"

# --- 1. Intake through HTTP -------------------------------------------------

url="$RECOURSE_URL/api/v1/complaints"
label="b$(date +%s)"
run_wrk() {
	# run_wrk SECONDS LABEL OUTPUT [CONNECTIONS]
	wrk -t2 -c"${4:-$conns}" -d"$1"s --latency -s tests/bench/intake.lua "$url" \
	    -- "$label-$2" >"$3" 2>&1
	rc=$?
	grep -q '^BENCH_HTTP requests=' "$3" || { cat "$3"; fail "wrk ($2)"; }
	bad=$(($(val non201 "$3") + $(val err_connect "$3") + $(val err_read "$3") \
	    + $(val err_write "$3") + $(val err_timeout "$3")))
	if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
		cat "$3"
		fail "$bad HTTP requests in the $2 run did not get 201"
	fi
}

# The public Kore's workers: the children of its parent process.
kore_workers() {
	awk -v p="$ENV_KORE_PID" '{ s = $0; sub(/^.*\) /, "", s)
	    split(s, f, " "); if (f[2] == p) print $1 }' /proc/[0-9]*/stat \
	    2>/dev/null
}

# Writes "id count" for each worker of the public Kore: the requests it has
# answered so far, which it logs when sent SIGUSR2 (src/workers.c).
worker_counts() {
	n0=$(wc -l <"$RECOURSE_KORE_LOG")
	# shellcheck disable=SC2046
	kill -USR2 $(kore_workers) 2>/dev/null
	sleep 1
	tail -n +$((n0 + 1)) "$RECOURSE_KORE_LOG" | sed -n \
	    's/.*worker \([0-9]*\) answered \([0-9]*\) requests.*/\1 \2/p' |
	    sort -n >"$1"
}
# worker_split BEFORE AFTER: "1: n / 2: m", what each answered in between.
worker_split() {
	awk 'NR == FNR { a[$1] = $2; next }
	    { printf "%s%s: %d", sep, $1, $2 - a[$1]; sep = " / " }' "$1" "$2"
}

echo
echo "== HTTP: POST /api/v1/complaints, wrk -t2 -c$conns, ${warm}s warm-up + ${secs}s"
echo "load average before: $http_load (at the start of the benchmark)"
c0=$(cases)
run_wrk "$warm" warm "$work/wrk-warm.txt"
sleep 1
w0=$(wal_snap)
worker_counts "$work/count-0"
s0=$(cpu_snap); t0=$(now); mark_client 0
sample_start "$secs" "$work/act-http"
# How wrk's keep-alive connections landed on the Kore workers: each worker
# has its own pgsql_conn_max connections and its own queue for them.
port=${RECOURSE_URL##*:}
(sleep 3; ss -tnpH state established "( sport = :$port )" 2>/dev/null |
    grep -o 'pid=[0-9]*' | sort | uniq -c | awk '{ printf " %d", $1 }' \
    >"$work/spread") &
run_wrk "$secs" run "$work/wrk-run.txt"
mark_client 1; t1=$(now); s1=$(cpu_snap)
worker_counts "$work/count-1"
sleep 1
w1=$(wal_snap)
http_cpu=$(cpu_report "$s0" "$s1" "$(calc "$t1 - $t0")" \
    "$(calc "$(client_cpu 1) - $(client_cpu 0)")" \
    "$(sed -n 's/^BENCH_HTTP requests=\([0-9]*\).*/\1/p' "$work/wrk-run.txt")")
cat "$work/wrk-run.txt"
w=$work/wrk-run.txt
http_ok=$(($(val n201 "$work/wrk-warm.txt") + $(val n201 "$w")))
http_rps=$(val rps "$w")
http_p50=$(val p50_ms "$w")
http_p99=$(val p99_ms "$w")
echo "CPU during the run, in cores of $(nproc): $http_cpu"
echo "$(wal_report "$w0" "$w1" "$(val n201 "$w")")"
sample_report "$work/act-http"
spread=$(cat "$work/spread" 2>/dev/null)
echo "HTTP connections per Kore worker:${spread:- unknown (no ss)}"
split=$(worker_split "$work/count-0" "$work/count-1")
echo "HTTP requests answered per Kore worker: $split"

# The same at a few connections, where a worker holding them all showed
# most; its rate is compared with the floor at as many clients below.
echo
echo "== HTTP: the same with wrk -t2 -c$few, ${warm}s warm-up + ${secs}s"
run_wrk "$warm" few-warm "$work/wrk-few-warm.txt" "$few"
worker_counts "$work/count-2"
run_wrk "$secs" few "$work/wrk-few.txt" "$few"
worker_counts "$work/count-3"
few_rps=$(val rps "$work/wrk-few.txt")
few_p50=$(val p50_ms "$work/wrk-few.txt")
few_p99=$(val p99_ms "$work/wrk-few.txt")
few_split=$(worker_split "$work/count-2" "$work/count-3")
http_ok=$((http_ok + $(val n201 "$work/wrk-few-warm.txt") + \
    $(val n201 "$work/wrk-few.txt")))
echo "requests/s $few_rps, p50 $few_p50 ms, p99 $few_p99 ms;" \
    "requests answered per Kore worker: $few_split"
sleep 1
c1=$(cases)
id1=$(sql "SELECT coalesce(max(id), 0) FROM cases")
sla_catch_up "the HTTP runs"

# --- 2. The same database work in pgbench ----------------------------------

# Description sizes uniform around the HTTP run's mean, from its minimum.
dmin=$(val desc_bytes_min "$w")
dmax=$((2 * $(val desc_bytes_mean "$w") - dmin))
cbox=$(($(val contact_json_mean "$w") + 40))
pgb_val() {
	sed -n "s/^$1 = \([0-9.]*\).*/\1/p" "$2" | head -1
}
# CPU seconds of one process so far (all its threads).
proc_cpu() {
	awk -v hz="$hz" '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
	    printf "%.2f\n", (f[12] + f[13]) / hz }' "/proc/$1/stat" 2>/dev/null ||
	    echo 0
}

# One pgbench process for warm-up and measurement, so that the measured
# seconds run on warm connections (each new backend first loads its caches
# and compiles the PL/pgSQL functions), as Kore's pooled connections are
# after the HTTP warm-up.  The measured window is read from the
# per-transaction log: transactions that completed after the warm-up.
# Sets r_all (transactions in the whole run), r_tps, r_lat, r_p50, r_p99,
# r_cpu and r_load.
# pgb_what, pgb_params and pgb_script/pgb_defs say what is run.
pgb_what="SELECT * FROM intake_complaint(...)"
pgb_params="description_box $((dmin + 40))..$((dmax + 40)) bytes,"
pgb_params="$pgb_params contact_box $cbox bytes in 30 %"
pgb_script=tests/bench/intake.sql
# The intake statement runs as the public side does.
pgb_user=recourse_public
pgb_defs="-D dmin=$dmin -D dmax=$dmax -D cbox=$cbox"
pgb_phase() {
	# pgb_phase CLIENTS TAG
	echo
	echo "== pgbench: $pgb_what, -M prepared" \
	    "-c$1 -j2, one $((warm + secs))s run: ${warm}s warm-up, then" \
	    "${secs}s measured"
	echo "parameters: $pgb_params"
	echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)" \
	    "(still counts the previous phase's own processes)"
	mark_client "$2-0"
	# shellcheck disable=SC2086
	"$pgbench" -n -M prepared -c "$1" -j 2 -T $((warm + secs)) \
	    -f "$pgb_script" $pgb_defs -l --log-prefix="$work/pgblog-$2" \
	    -h "$RECOURSE_PGHOST" -U "$pgb_user" "$RECOURSE_DBNAME" \
	    >"$work/pgb-$2.txt" 2>&1 &
	pgb_pid=$!
	sample_start "$secs" "$work/act-$2" "$warm"
	sleep "$warm"
	s2=$(cpu_snap); t2=$(now); pgb_cpu0=$(proc_cpu "$pgb_pid")
	w2=$(wal_snap)
	wait "$pgb_pid" || { cat "$work/pgb-$2.txt"; fail "pgbench"; }
	mark_client "$2-1"; s3=$(cpu_snap)
	sleep 1
	w3=$(wal_snap)
	p=$work/pgb-$2.txt
	r_all=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$p")
	echo "whole run, as pgbench reports it: $r_all transactions," \
	    "tps = $(pgb_val tps "$p"), latency average =" \
	    "$(pgb_val "latency average" "$p") ms, initial connection time" \
	    "= $(pgb_val "initial connection time" "$p") ms"
	# Log lines: client, transaction, latency (us), script, completion
	# time (epoch seconds, microseconds).  Keep those in the window.
	cat "$work/pgblog-$2".* | awk -v t="$t2" 'BEGIN { t += 0 }
	    $5 + $6 / 1e6 >= t { printf "%d %.6f\n", $3, $5 + $6 / 1e6 }' |
	    sort -n >"$work/window-$2"
	set -- $(awk -v t="$t2" '{ v[NR] = $1; s += $1; if ($2 > end) end = $2 }
	    END { if (NR == 0) { print "0 0 0 0 0 0"; exit }
	    printf "%d %.3f %.1f %.2f %.2f %.2f\n", NR, end - t, NR / (end - t),
	    s / NR / 1000, v[int(NR * 0.50 + 0.5)] / 1000,
	    v[int(NR * 0.99 + 0.5)] / 1000 }' "$work/window-$2") "$2"
	r_tps=$3 r_lat=$4 r_p50=$5 r_p99=$6
	echo "measured window: $1 transactions in $2 s: tps = $r_tps," \
	    "latency average = $r_lat ms, p50 = $r_p50 ms, p99 = $r_p99 ms"
	r_cpu=$(cpu_report "$s2" "$s3" "$2" "$(calc "$(client_cpu "$7-1") - \
	    $(client_cpu "$7-0") - $pgb_cpu0")" "$1")
	echo "CPU during the window, in cores of $(nproc): $r_cpu"
	echo "$(wal_report "$w2" "$w3" "$1")"
	sample_report "$work/act-$7"
}

# At the benchmark's concurrency, as specified; then, for reference, at the
# number of connections Kore itself keeps to PostgreSQL.
pgb_phase "$conns" main
pgb_all=$r_all pgb_tps=$r_tps pgb_lat=$r_lat pgb_p50=$r_p50 pgb_p99=$r_p99
pg_cpu=$r_cpu
pool=$(awk '$1 == "workers" { w = $2 } $1 == "pgsql_conn_max" { c = $2 }
    END { print w * c }' "$ENV_DIR/kore.conf")
pool_tps=
if [ "$pool" -gt 0 ] && [ "$pool" -ne "$conns" ]; then
	pgb_phase "$pool" pool
	pgb_all=$((pgb_all + r_all))
	pool_tps=$r_tps pool_p50=$r_p50 pool_p99=$r_p99
fi

# --- The floor: the least the database must do for one durable complaint --

# The clocks of the pgbench phases' cases are computed first, or the floor
# would be measured against the scheduler.
sla_catch_up "the pgbench phases"

# One INSERT per transaction of a row as large as an average stored case,
# into a table with only a primary key, prepared, fsync and synchronous
# commit on: no service can store complaints durably faster than this on
# this cluster, so intake / floor says how much of that Kore and the intake
# function leave.
row=$(sql "SELECT round(avg(pg_column_size(c.*))) FROM cases c WHERE id <= $id1")
sql "CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(), body bytea NOT NULL)" >/dev/null
payload=$(od -An -v -tx1 -N "$((row - 40))" /dev/urandom | tr -d ' \n')
pgb_what="INSERT INTO bench_floor (body) VALUES (...)"
pgb_params="body $((row - 40)) bytes (rows of $row bytes, as cases average)"
pgb_script=tests/bench/floor.sql
# The floor is a plain INSERT into a table of its own.
pgb_user=$RECOURSE_PGUSER
pgb_defs="-D payload=\\x$payload"
pgb_phase "$few" floor-few
floor_few=$r_tps floor_few_cpu=$r_cpu
pgb_phase "$conns" floor
floor_tps=$r_tps floor_cpu=$r_cpu
c3=$(cases)

# --- 3. Sanity: the HTTP path really stored every accepted complaint --------

echo
echo "== sanity"
http_rows=$((c1 - c0))
pgb_rows=$((c3 - c1))
echo "cases: $c3 in total; HTTP phase stored $http_rows for $http_ok answers 201;" \
    "pgbench stored $pgb_rows for $pgb_all counted transactions"
sql "SELECT 'description_box bytes, average: HTTP ' ||
    round(avg(length(description_box)) FILTER (WHERE id <= $id1)) ||
    ', pgbench ' || round(avg(length(description_box)) FILTER (WHERE id > $id1))
    || '; with contact_box: HTTP ' || round(100.0 * count(contact_box)
    FILTER (WHERE id <= $id1) / count(*) FILTER (WHERE id <= $id1)) ||
    ' %, pgbench ' || round(100.0 * count(contact_box) FILTER (WHERE id > $id1)
    / count(*) FILTER (WHERE id > $id1)) || ' %' FROM cases"
# Kore passes each new case's clocks (sql/0016); a statement that ran in a
# later second than they were made for leaves its case to the scheduler.
sql "SELECT 'clocks stored by intake itself: ' || count(*) FILTER (WHERE
    EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id
      AND k.computed_at = c.received_at)) || ' of ' || count(*) ||
    ' HTTP cases' FROM cases c WHERE c.id <= $id1"
sql "SELECT 'rows: intake_requests ' || (SELECT count(*) FROM intake_requests)
    || ', case_events ' || (SELECT count(*) FROM case_events)"
[ "$http_rows" -ge "$http_ok" ] ||
    fail "only $http_rows cases stored for $http_ok HTTP 201 answers"
[ "$c3" -ge $((http_ok + pgb_all)) ] ||
    fail "$c3 cases, fewer than $((http_ok + pgb_all)) (201s + pgbench transactions)"
[ "$(sql "SELECT count(*) FROM intake_requests")" -eq "$c3" ] ||
    fail "intake_requests and cases differ"
echo "ok: cases >= 201 answers + pgbench transactions" \
    "($c3 >= $((http_ok + pgb_all)); the excess is requests in flight when a client stopped)"

# --- 4. Result ----------------------------------------------------------------

ratio=$(awk "BEGIN { printf \"%.1f\", 100 * $http_rps / $pgb_tps }")
verdict() {
	if [ "$(calc "($1) ? 1 : 0")" -eq 1 ]; then echo PASS; else echo MISS; fi
}
echo
echo "== result ($conns connections, ${secs}s, $durable)"
printf '%-28s %10s\n' "HTTP requests/s" "$http_rps"
printf '%-28s %10s\n' "pgbench transactions/s" "$pgb_tps"
printf '%-28s %9s%%   target >= 60 %%   %s\n' "HTTP / pgbench" "$ratio" \
    "$(verdict "$ratio >= 60")"
printf '%-28s %7s ms   (HTTP connections per Kore worker:%s)\n' \
    "HTTP latency p50" "$http_p50" "${spread:- unknown}"
printf '%-28s %7s ms   target < 50 ms   %s   (issue 9: < 100 ms   %s)\n' \
    "HTTP latency p99" "$http_p99" "$(verdict "$http_p99 < 50")" \
    "$(verdict "$http_p99 < 100")"
printf '%-28s %s\n' "HTTP requests per worker" "$split"
printf '%-28s %7s ms   (p99 %s ms, average %s ms)\n' "pgbench latency p50" \
    "$pgb_p50" "$pgb_p99" "$pgb_lat"
if [ -n "$pool_tps" ]; then
	echo "for reference, pgbench at Kore's $pool connections to PostgreSQL:" \
	    "$pool_tps tps (HTTP / that: $(awk "BEGIN { printf \"%.1f\",
	    100 * $http_rps / $pool_tps }") %), p50 $pool_p50 ms, p99 $pool_p99 ms"
fi
other() {
	echo "$1" | sed -n 's/.*other=\([0-9.]*\).*/\1/p' | head -1
}
echo "other work on the machine: load average $http_load at the start;" \
    "CPU outside Kore, PostgreSQL and the load tool: $(other "$http_cpu")" \
    "cores during HTTP, $(other "$pg_cpu") during pgbench -c$conns"

ratio2() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}
# PostgreSQL's CPU per transaction, from a cpu_report line.
pg_ms() {
	echo "$1" | sed -n 's/.*postgres \([0-9.]*\) ms.*/\1/p' | head -1
}
echo
echo "== intake / floor (floor: one durable INSERT of a $row-byte row a" \
    "transaction, pgbench -M prepared, $durable)"
printf '%-8s %13s %11s %13s %27s\n' clients "intake req/s" "floor tps" \
    "intake/floor" "PostgreSQL CPU intake/floor"
printf '%-8s %13s %11s %13s %27s\n' "$few" "$few_rps" "$floor_few" \
    "$(ratio2 "$few_rps" "$floor_few")" "- / $(pg_ms "$floor_few_cpu") ms"
printf '%-8s %13s %11s %13s %27s\n' "$conns" "$http_rps" "$floor_tps" \
    "$(ratio2 "$http_rps" "$floor_tps")" \
    "$(pg_ms "$http_cpu") / $(pg_ms "$floor_cpu") ms"
echo "HTTP at $few connections: p50 $few_p50 ms, p99 $few_p99 ms," \
    "requests per worker $few_split"

# --- 5. The work list over generated cases, in the same environment ---------

[ "${BENCH_WORKLIST:-1}" = 0 ] && exit 0
BENCH_WORKLIST_ENV=$ENV_DIR sh tests/bench/worklist.sh ||
    fail "the work-list benchmark"
# The SLA scheduler over the same generated cases.
BENCH_SLA_ENV=$ENV_DIR sh tests/bench/sla.sh || fail "the SLA benchmark"
exit 0
