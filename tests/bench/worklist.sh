#!/bin/sh
# Measures the back office's work list (GET /review) over a large number of
# generated cases: the first page, a filtered page and a deep page for a
# reviewer, and the first page for a supervisor, each with wrk for a few
# closed-loop connections; p95 is compared with the 50 ms target.
#   sh tests/bench/worklist.sh   (from the top of the checkout, after make
#                                 all; starts its own environment)
# tests/bench/run.sh (make bench) runs it after the intake benchmark in the
# same environment, with BENCH_WORKLIST_ENV set to that environment's folder.
# Environment: BENCH_WORKLIST_CASES (1000000), BENCH_WORKLIST_SECONDS (15),
# BENCH_WORKLIST_WARMUP (3), BENCH_WORKLIST_CONNECTIONS (4),
# BENCH_WORKLIST_DEPTH (20, pages followed for the deep page),
# BENCH_WORKLIST_DESC_BYTES (100, mean size of the generated description_box).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/env.sh

n_cases=${BENCH_WORKLIST_CASES:-1000000}
secs=${BENCH_WORKLIST_SECONDS:-15}
warm=${BENCH_WORKLIST_WARMUP:-3}
conns=${BENCH_WORKLIST_CONNECTIONS:-4}
depth=${BENCH_WORKLIST_DEPTH:-20}
desc=${BENCH_WORKLIST_DESC_BYTES:-100}
target=50
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
hz=$(getconf CLK_TCK)
start_load=$(cut -d' ' -f1-3 /proc/loadavg)

wl_fail() {
	echo "bench (work list): FAIL: $*" >&2
	exit 1
}

for t in wrk "$pgbench" psql node curl; do
	command -v "$t" >/dev/null 2>&1 || wl_fail "$t is missing"
done

if [ -n "${BENCH_WORKLIST_ENV:-}" ]; then
	# Inside run.sh: its environment (RECOURSE_* are exported), its cleanup.
	ENV_DIR=$BENCH_WORKLIST_ENV
else
	trap 'env_stop' EXIT
	trap 'exit 130' INT TERM
	env_start || wl_fail "could not start the environment"
fi
work="$ENV_DIR/bench-worklist"
mkdir -p "$work"

wl_sql() {
	psql -X -q -tA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
	    -d "$RECOURSE_DBNAME" -v ON_ERROR_STOP=1 -c "$1"
}

now() {
	date +%s.%N
}

# Prints "busy all kore postgres" in ticks: machine-wide busy and total time
# from /proc/stat, and the CPU time of the back office's Kore (parent and
# workers) and of PostgreSQL (postmaster, live children, reaped children).
review_pid=$(cat "$ENV_DIR/kore-review.pid" 2>/dev/null ||
    echo "${ENV_REVIEW_PID:-0}")
pm_pid=$(head -1 "$RECOURSE_PGDATA/postmaster.pid")
wl_cpu_snap() {
	{ head -1 /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null; } |
	awk -v k="$review_pid" -v p="$pm_pid" '
	$1 == "cpu" {
		for (i = 2; i <= 9; i++) all += $i
		idle = $5 + $6
		next
	}
	{
		pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		own = f[12] + f[13]; kids = f[14] + f[15]
		if (pid == k) kore += own + kids
		else if (f[2] == k) kore += own
		else if (pid == p) pg += own + kids
		else if (f[2] == p) pg += own
	}
	END { printf "%d %d %d %d\n", all - idle, all, kore, pg }'
}
# The user+system time of this shell's children so far (wrk, pgbench).
wl_mark() {
	times >"$work/times-$1"
}
wl_client() {
	awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m");
	    printf "%.2f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
	    "$work/times-$1"
}
wl_cpu_report() {
	# wl_cpu_report SNAP0 SNAP1 SECONDS CLIENT_SECONDS
	awk -v hz="$hz" -v t="$3" -v cl="$4" -v A="$1" -v B="$2" 'BEGIN {
		split(A, a, " "); split(B, b, " ")
		busy = (b[1] - a[1]) / hz / t; all = (b[2] - a[2]) / hz / t
		kore = (b[3] - a[3]) / hz / t; pg = (b[4] - a[4]) / hz / t
		other = busy - kore - pg - cl / t
		if (other < 0) other = 0
		printf "kore(review)=%.2f postgres=%.2f wrk=%.2f other=%.2f " \
		    "idle=%.2f", kore, pg, cl / t, other, all - busy
	}'
}

echo
echo "== Recourse work list benchmark: GET /review over $n_cases" \
    "generated cases"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' \
    /proc/cpuinfo | head -1), $(awk '/^MemTotal/ { printf "%.1f GiB",
    $2 / 1048576 }' /proc/meminfo); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average at the start: $start_load"
echo "postgres: $(wl_sql "SELECT string_agg(n || '=' || current_setting(n), ' ')
    FROM unnest(ARRAY['server_version', 'shared_buffers', 'work_mem',
    'effective_cache_size', 'random_page_cost', 'jit']) n")"
echo "kore (back office): $(awk '$1 == "workers" || $1 == "pgsql_conn_max" {
    printf "%s=%s ", $1, $2 }' "$ENV_DIR/kore-review.conf")"

# --- 1. Staff, through recourse-admin and the set-up and login pages --------

node tests/bench/staff-login.mjs >"$work/staff.txt" 2>"$work/staff.err" ||
    { cat "$work/staff.err"; wl_fail "could not create and log in staff"; }
rev_id=$(awk '$1 == "reviewer" { print $2 }' "$work/staff.txt")
rev_cookie=$(awk '$1 == "reviewer" { print $4 }' "$work/staff.txt")
sup_id=$(awk '$1 == "supervisor" { print $2 }' "$work/staff.txt")
sup_cookie=$(awk '$1 == "supervisor" { print $4 }' "$work/staff.txt")
[ -n "$rev_cookie" ] && [ -n "$sup_cookie" ] || wl_fail "no session cookies"
# Conflicts of interest for the reviewer, inserted the way the tests'
# fixtures do (barBrand in tests/lib/fixtures.mjs): two generated brands.
wl_sql "INSERT INTO brand_bars (account_id, brand_key) VALUES
    ($rev_id, 'nordlicht kredit'), ($rev_id, 'acme loans')"
echo "staff: reviewer $rev_id (queues general, vulnerable; 2 brand bars)," \
    "supervisor $sup_id, $(grep -c '^colleague' "$work/staff.txt") more" \
    "reviewers as assignees; made with recourse-admin, set up and logged in" \
    "over HTTP with TOTP"

# --- 2. Cases, generated in SQL ---------------------------------------------

# Batches of 100 000 rows, each its own statement and transaction, so the
# foreign-key checks queued by the insert (category, channel, queue,
# assignee) stay small.  Everything but the values is as in production:
# every constraint and index is checked.  The SLA summary the scheduler
# keeps (sla_rank, sla_due) is generated as it would find it: 5 % breached,
# 10 % at risk, 15 % paused (awaiting the complainant), the rest running,
# due within 30 days of receipt; next_check_at stays NULL so the scheduler
# leaves the generated rows alone.
# Distribution: categories skewed towards the first of the taxonomy,
# channels towards e-mail, SMS and social adverts; 8 % vulnerable (queue
# vulnerable, priority 4); queue by category as routing does (security.breach
# security, bias.* fairness, vulnerability.exploitation vulnerable, else
# general); priority 1-4 at 15/45/28/12 %; a brand in 10 % from 200 names,
# a few much more common; received over the last 365 days; closed or
# rejected with a probability growing with age (30 % overall), the open
# ones received 15 %, triaged 15 %, investigating 35 %, awaiting the
# complainant 15 %, decided 15 %, appealed 5 %; assigned to a member of the
# case's queue except when received, half of the triaged, 5 % of the rest.
gen_sql() {
	k=$(((desc * 13 / 10 + 63) / 64))
	cat <<SQL
\set ON_ERROR_STOP 1
SELECT setseed(0.2026);
CREATE TEMP TABLE wl_pick AS SELECT
    (SELECT array_agg(code ORDER BY position) FROM concern_categories
        WHERE active) AS cats,
    (SELECT array_agg(code ORDER BY position) FROM channels
        WHERE active) AS chans,
    ARRAY(SELECT p || ' ' || s
        FROM unnest(ARRAY['Nordlicht', 'Acme', 'Café', 'Zöe', 'Smart',
            'Blue', 'Northwind', 'Contoso', 'Fabrikam', 'Globex', 'Initech',
            'Umbrella', 'Hooli', 'Vandelay', 'Sol', 'Lumen', 'Polar',
            'Kestrel', 'Orion', 'Marlow']) WITH ORDINALITY a(p, i),
        unnest(ARRAY['Kredit', 'Loans', 'Shop', 'Bank', 'Mobile', 'Energy',
            'Insurance', 'Games', 'Travel', 'Health']) WITH ORDINALITY
            b(s, j)
        ORDER BY (i + j) % 10, i, j) AS brands,
    coalesce((SELECT array_agg(account_id ORDER BY account_id)
        FROM queue_members WHERE queue = 'general'), '{}') AS m_general,
    coalesce((SELECT array_agg(account_id ORDER BY account_id)
        FROM queue_members WHERE queue = 'vulnerable'), '{}') AS m_vulnerable,
    coalesce((SELECT array_agg(account_id ORDER BY account_id)
        FROM queue_members WHERE queue = 'security'), '{}') AS m_security,
    coalesce((SELECT array_agg(account_id ORDER BY account_id)
        FROM queue_members WHERE queue = 'fairness'), '{}') AS m_fairness,
    (SELECT current_version FROM sla_policies WHERE code = 'standard')
        AS pv,
    (SELECT current_version FROM sla_calendars WHERE code = 'default')
        AS cv;
SQL
	lo=1
	while [ "$lo" -le "$n_cases" ]; do
		hi=$((lo + 99999))
		[ "$hi" -gt "$n_cases" ] && hi=$n_cases
		cat <<SQL
INSERT INTO cases (reference, state, category, channel, occurred_on, brand,
    vulnerable, consent_contact, consent_publish, consent_demographics,
    queue, priority, received_at, updated_at, assignee, receipt_hash,
    complainant_pk, complainant_salt, data_key_sealed, description_box,
    contact_box, sla_policy_version, sla_calendar_version, sla_rank,
    sla_due)
SELECT 'RC-2026-' || lpad(n::text, 7, '0'), st::case_state, cat, chan,
    CASE WHEN r_occ < 0.8 THEN (recv AT TIME ZONE 'UTC')::date -
        (r_occ * 45)::int END,
    CASE WHEN r_brand < 0.1 THEN
        p.brands[1 + floor(200 * r_brand2 * r_brand2)::int] END,
    vuln, r_contact < 0.3, r_pub < 0.2, r_demo < 0.5, q, prio, recv,
    recv + (now() - recv) * r_upd,
    CASE WHEN st = 'received'
        OR (st = 'triaged' AND r_asg < 0.5) OR r_asg < 0.05 THEN NULL
        ELSE (CASE q WHEN 'general' THEN p.m_general
            WHEN 'vulnerable' THEN p.m_vulnerable
            WHEN 'security' THEN p.m_security ELSE p.m_fairness END)
            [1 + floor(r_asg2 * cardinality(CASE q
            WHEN 'general' THEN p.m_general
            WHEN 'vulnerable' THEN p.m_vulnerable
            WHEN 'security' THEN p.m_security ELSE p.m_fairness END))::int]
        END,
    sha256(('bench-receipt-' || n)::bytea),
    sha256(('bench-pk-' || n)::bytea),
    substring(sha256(('bench-salt-' || n)::bytea) FROM 1 FOR 16),
    sha256(('bench-key1-' || n)::bytea) ||
        sha256(('bench-key2-' || n)::bytea) ||
        substring(sha256(('bench-key3-' || n)::bytea) FROM 1 FOR 16),
    substring(decode(repeat(encode(sha256(('bench-d1-' || n)::bytea) ||
        sha256(('bench-d2-' || n)::bytea), 'hex'), $k), 'hex')
        FROM 1 FOR ($desc * (0.7 + 0.6 * r_desc))::int),
    CASE WHEN r_contact < 0.3 THEN substring(decode(repeat(encode(
        sha256(('bench-c-' || n)::bytea), 'hex'), 5), 'hex')
        FROM 1 FOR 100 + (r_contact * 150)::int) END,
    p.pv, p.cv,
    (CASE WHEN st = 'awaiting_complainant' THEN 3
        WHEN r_upd < 0.05 THEN 0 WHEN r_upd < 0.15 THEN 1
        ELSE 2 END)::smallint,
    recv + r_desc * interval '30 days'
FROM (
    SELECT g.*,
        CASE WHEN vuln OR cat = 'vulnerability.exploitation'
            THEN 'vulnerable' WHEN cat = 'security.breach' THEN 'security'
            WHEN cat LIKE 'bias.%' THEN 'fairness' ELSE 'general' END AS q,
        (CASE WHEN vuln THEN 4 WHEN r_prio < 0.15 THEN 1
            WHEN r_prio < 0.60 THEN 2 WHEN r_prio < 0.88 THEN 3
            ELSE 4 END)::smallint AS prio,
        CASE WHEN r_state < 0.6 * r_age THEN
            CASE WHEN r_state2 < 0.85 THEN 'closed' ELSE 'rejected' END
            WHEN r_state2 < 0.15 THEN 'received'
            WHEN r_state2 < 0.30 THEN 'triaged'
            WHEN r_state2 < 0.65 THEN 'investigating'
            WHEN r_state2 < 0.80 THEN 'awaiting_complainant'
            WHEN r_state2 < 0.95 THEN 'decided'
            ELSE 'appealed' END AS st
    FROM (
        SELECT r.*, now() - r_age * interval '365 days' AS recv,
            p.cats[1 + floor(cardinality(p.cats) * power(r_cat, 1.4))::int]
                AS cat,
            p.chans[1 + floor(cardinality(p.chans) * power(r_chan, 1.6))::int]
                AS chan,
            r_vuln < 0.08 AS vuln
        FROM (
            SELECT n, random() AS r_age, random() AS r_state,
                random() AS r_state2, random() AS r_cat, random() AS r_chan,
                random() AS r_vuln, random() AS r_prio, random() AS r_brand,
                random() AS r_brand2, random() AS r_asg, random() AS r_asg2,
                random() AS r_occ, random() AS r_contact, random() AS r_pub,
                random() AS r_demo, random() AS r_upd, random() AS r_desc
            FROM generate_series($lo, $hi) n
            OFFSET 0
        ) r, wl_pick p
    ) g
) x, wl_pick p;
SQL
		lo=$((hi + 1))
	done
}

before=$(wl_sql "SELECT count(*) FROM cases")
echo
echo "== generating $n_cases cases (INSERT ... SELECT generate_series," \
    "batches of 100 000; $before cases already there)"
g0=$(now)
gen_sql | psql -X -q -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
    -d "$RECOURSE_DBNAME" >"$work/gen.out" 2>&1 ||
    { cat "$work/gen.out"; wl_fail "generating cases"; }
g1=$(now)
wl_sql "VACUUM (ANALYZE) cases" || wl_fail "VACUUM ANALYZE cases"
wl_sql "ANALYZE" || wl_fail "ANALYZE"
g2=$(now)
# Flush what the insert and VACUUM dirtied now, not during the measurement.
wl_sql "CHECKPOINT" || wl_fail "CHECKPOINT"
g3=$(now)
awk -v a="$g0" -v b="$g1" -v c="$g2" -v d="$g3" 'BEGIN {
    printf "insert %.1f s, VACUUM ANALYZE %.1f s, CHECKPOINT %.1f s\n",
    b - a, c - b, d - c }'
wl_sql "SELECT 'cases: ' || count(*) || ' in total, ' ||
    count(*) FILTER (WHERE state NOT IN ('closed', 'rejected')) ||
    ' open (in cases_worklist_idx), ' ||
    count(*) FILTER (WHERE state NOT IN ('closed', 'rejected')
        AND queue IN ('general', 'vulnerable')) ||
    ' open in the reviewer''s queues, ' ||
    count(*) FILTER (WHERE state = 'investigating' AND priority = 3
        AND queue IN ('general', 'vulnerable')) ||
    ' of them investigating at priority 3; with a brand ' ||
    round(100.0 * count(brand) / count(*), 1) || ' %, assigned ' ||
    round(100.0 * count(assignee) / count(*), 1) || ' %' FROM cases"
wl_sql "SELECT 'states: ' || string_agg(state || ' ' || pct || ' %', ', '
    ORDER BY state) FROM (SELECT state::text, round(100.0 * count(*) /
    sum(count(*)) OVER (), 1) AS pct FROM cases GROUP BY state) s"
wl_sql "SELECT 'queues: ' || string_agg(queue || ' ' || pct || ' %', ', '
    ORDER BY queue) || '; priorities: ' || (SELECT string_agg(priority ||
    ': ' || pct || ' %', ', ' ORDER BY priority) FROM (SELECT priority,
    round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct FROM cases
    GROUP BY priority) p) FROM (SELECT queue, round(100.0 * count(*) /
    sum(count(*)) OVER (), 1) AS pct FROM cases GROUP BY queue) q"
wl_sql "SELECT 'sizes: table ' || pg_size_pretty(pg_table_size('cases')) ||
    ', cases_worklist_idx ' ||
    pg_size_pretty(pg_relation_size('cases_worklist_idx')) ||
    ', all indexes ' || pg_size_pretty(pg_indexes_size('cases')) ||
    '; mean description_box ' || round(avg(length(description_box))) ||
    ' bytes' FROM cases"

# --- 3. The pages measured --------------------------------------------------

page() {
	# page PATH COOKIE: the body of a back-office page (fails unless 200)
	curl -fsS -H "Cookie: $2" "$RECOURSE_REVIEW_URL$1"
}
next_of() {
	# next_of HTML-FILE: the Next page link's path, HTML-unescaped
	sed -n 's/.*<p class="pager"><a href="\([^"]*\)">Next page<.*/\1/p' \
	    "$1" | sed 's/&amp;/\&/g' | head -1
}
rows_of() {
	grep -c 'href="/review/cases/RC-' "$1"
}

first=/review
filtered='/review?state=investigating&priority=3'
page "$first" "$rev_cookie" >"$work/page-1.html" ||
    wl_fail "GET /review as the reviewer"
deep=$first
i=1
while [ "$i" -lt "$depth" ]; do
	deep=$(next_of "$work/page-$i.html")
	[ -n "$deep" ] || wl_fail "page $i has no Next page link"
	i=$((i + 1))
	page "$deep" "$rev_cookie" >"$work/page-$i.html" ||
	    wl_fail "GET $deep"
done
echo
echo "first page: $(rows_of "$work/page-1.html") case links," \
    "$(wc -c <"$work/page-1.html") bytes; page $depth, reached by" \
    "following Next page: $deep"

# worklist() arguments for EXPLAIN and pgbench, from a page path (the
# values are plain ASCII here: spaces as + or %20, colons as %3A).
args_of() {
	# args_of ACTOR PATH
	awk -v actor="$1" -v path="$2" 'BEGIN {
		split("state category priority assignee brand queue", names, " ")
		for (i = 1; i <= 10; i++) v[i] = "NULL"
		q = path; sub(/^[^?]*\??/, "", q)
		n = split(q, kv, "&")
		for (i = 1; i <= n; i++) {
			split(kv[i], p, "=")
			gsub(/%3A/, ":", p[2]); gsub(/(%20|\+)/, " ", p[2])
			for (j = 1; j <= 6; j++)
				if (p[1] == names[j]) v[j] = "'\''" p[2] "'\''"
			if (p[1] == "after") {
				split(p[2], a, "~")
				# rank~due~priority~id (worklist.c)
				for (j = 1; j <= 4; j++)
					v[6 + j] = "'\''" a[j] "'\''"
			}
		}
		printf "%s", actor
		for (i = 1; i <= 10; i++) printf ", %s", v[i]
		printf ", 51\n"
	}'
}

# The plan of worklist()'s inner query as the function runs it (custom plan
# with the actual values), logged by auto_explain for nested statements;
# the second of two calls (the first warms the caches) into $work/plan.
plan_of() {
	# plan_of ACTOR PATH
	psql -X -q -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
	    -d "$RECOURSE_DBNAME" -v ON_ERROR_STOP=1 >"$work/explain.out" \
	    2>&1 <<SQL
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET client_min_messages = log;
SELECT count(*) FROM worklist($(args_of "$1" "$2"));
SELECT count(*) FROM worklist($(args_of "$1" "$2"));
SQL
	[ $? -eq 0 ] || { cat "$work/explain.out"; return 1; }
	awk '/^LOG: /{ blk++ } { b[blk] = b[blk] $0 "\n" }
	    END { for (i = blk; i >= 1; i--) if (b[i] ~ /FROM cases c LEFT JOIN/) {
	        printf "%s", b[i]; exit } }' "$work/explain.out" |
	    sed -e 's/^LOG: *duration: \([0-9.]*\) ms.*/(second call;'\
' inner query \1 ms)/' \
	    -e '/Query Text:/,/LIMIT p_limit/d' -e 's/^  //' >"$work/plan"
}
explain() {
	# explain LABEL ACTOR PATH
	echo
	echo "== EXPLAIN (ANALYZE, BUFFERS) of worklist()'s query: $1"
	echo "   SELECT * FROM worklist($(args_of "$2" "$3"))"
	plan_of "$2" "$3" || wl_fail "EXPLAIN ($1)"
	cat "$work/plan"
}
explain "reviewer, first page" "$rev_id" "$first"
explain "reviewer, state=investigating&priority=3" "$rev_id" "$filtered"
explain "reviewer, page $depth" "$rev_id" "$deep"
explain "supervisor, first page" "$sup_id" "$first"

# Other filters, for what the three pages above do not show: the database
# time of worklist()'s query (auto_explain, second call), how it reads
# cases, and the median of 3 sequential GETs of the page (curl, HTTP
# included; any status other than 200 is shown).  Not part of the verdict.
rare=$(wl_sql "SELECT brand FROM cases WHERE brand ~ '^[A-Za-z ]+$'
    GROUP BY brand ORDER BY count(*), brand LIMIT 1")
rare_q=$(echo "$rare" | sed 's/ /+/g')
probe() {
	# probe LABEL ACTOR COOKIE PATH
	plan_of "$2" "$4" || wl_fail "EXPLAIN ($1)"
	ms=$(sed -n 's/^(second call; inner query \([0-9.]*\) ms)/\1/p' \
	    "$work/plan")
	rows=$(sed -n '1,/^Limit/s/.*actual time=[^ ]* rows=\([0-9]*\).*/\1/p' \
	    "$work/plan" | head -1)
	scan=$(grep -m1 -o -E '(Index Only Scan|Index Scan|Bitmap Heap Scan'\
'|Seq Scan|Parallel Seq Scan)( Backward)?( using [a-z_]+)? on cases' \
	    "$work/plan")
	removed=$(grep -A3 -E "$scan" "$work/plan" |
	    sed -n 's/.*Rows Removed by Filter: \([0-9]*\).*/\1/p' | head -1)
	sort=$(grep -c -E '^ *(->  )?(Incremental )?Sort ' "$work/plan")
	bufs=$(sed -n 's/^Buffers: \(.*\)/\1/p' "$work/plan" | head -1)
	for i in 1 2 3; do
		curl -sS -o /dev/null -w '%{time_total} %{http_code}\n' \
		    -H "Cookie: $3" "$RECOURSE_REVIEW_URL$4"
	done >"$work/probe-http"
	http=$(sort -n "$work/probe-http" | awk 'NR == 2 {
	    printf "%.1f", $1 * 1000 }')
	codes=$(awk '$2 != 200 { printf " %s", $2 }' "$work/probe-http")
	printf '%-40s %8s %5s %8s  %s%s; removed by filter %s; %s%s\n' "$1" \
	    "$ms" "${rows:-?}" "$http" "${scan:-?}" \
	    "$([ "$sort" -gt 0 ] && echo ' + Sort')" "${removed:-0}" "$bufs" \
	    "${codes:+; HTTP status:$codes}"
}
echo
echo "== other filters: database time of worklist()'s query (ms), rows" \
    "(of 51), median of 3 GETs (ms), how cases are read"
printf '%-40s %8s %5s %8s  %s\n' filter "db ms" rows "http ms" plan
probe "reviewer: assignee=me" "$rev_id" "$rev_cookie" "/review?assignee=me"
probe "reviewer: assignee=none" "$rev_id" "$rev_cookie" "/review?assignee=none"
probe "reviewer: category=other" "$rev_id" "$rev_cookie" \
    "/review?category=other"
probe "reviewer: state=appealed&priority=1" "$rev_id" "$rev_cookie" \
    "/review?state=appealed&priority=1"
probe "reviewer: queue=vulnerable" "$rev_id" "$rev_cookie" \
    "/review?queue=vulnerable"
probe "reviewer: brand=$rare (rarest)" "$rev_id" "$rev_cookie" \
    "/review?brand=$rare_q"
probe "reviewer: brand=no such brand" "$rev_id" "$rev_cookie" \
    "/review?brand=no+such+brand"
probe "reviewer: queue=security (not his)" "$rev_id" "$rev_cookie" \
    "/review?queue=security"
probe "reviewer: state=closed" "$rev_id" "$rev_cookie" "/review?state=closed"
probe "supervisor: state=closed" "$sup_id" "$sup_cookie" \
    "/review?state=closed"
probe "supervisor: brand=$rare (rarest)" "$sup_id" "$sup_cookie" \
    "/review?brand=$rare_q"

# --- 4. wrk ------------------------------------------------------------------

val() {
	sed -n "s/^BENCH_WL.* $1=\([^ ]*\).*/\1/p" "$2" | tail -1
}
results=
run_wl() {
	# run_wl LABEL PATH COOKIE
	tag=$(echo "$1" | tr -c 'a-z0-9\n' '-')
	wrk -t2 -c"$conns" -d"$warm"s -H "Cookie: $3" \
	    -s tests/bench/worklist.lua "$RECOURSE_REVIEW_URL$2" \
	    >"$work/warm-$tag.txt" 2>&1
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	s0=$(wl_cpu_snap); t0=$(now); wl_mark "$tag-0"
	wrk -t2 -c"$conns" -d"$secs"s --latency -H "Cookie: $3" \
	    -s tests/bench/worklist.lua "$RECOURSE_REVIEW_URL$2" \
	    >"$work/wrk-$tag.txt" 2>&1
	rc=$?
	wl_mark "$tag-1"; t1=$(now); s1=$(wl_cpu_snap)
	f=$work/wrk-$tag.txt
	echo
	echo "== wrk -t2 -c$conns -d${secs}s --latency: $1 (GET $2)"
	echo "load average before: $load"
	grep -v '^BENCH_WL' "$f"
	grep -q '^BENCH_WL requests=' "$f" || { cat "$f"; wl_fail "wrk ($1)"; }
	bad=$(($(val non200 "$f") + $(val err_connect "$f") + \
	    $(val err_read "$f") + $(val err_write "$f") + \
	    $(val err_timeout "$f")))
	if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
		grep '^BENCH_WL' "$f"
		wl_fail "$bad requests in the run '$1' did not get 200"
	fi
	echo "p95 $(val p95_ms "$f") ms (from wrk's histogram, in worklist.lua)"
	echo "CPU during the run, in cores of $(nproc): $(wl_cpu_report \
	    "$s0" "$s1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
	    "$(awk -v a="$(wl_client "$tag-0")" -v b="$(wl_client "$tag-1")" \
	    'BEGIN { print b - a }')")"
	results="$results$1|$(val rps "$f")|$(val p50_ms "$f")|$(val p90_ms \
	    "$f")|$(val p95_ms "$f")|$(val p99_ms "$f")|$(val max_ms "$f")|$load
"
}
run_wl "reviewer, first page" "$first" "$rev_cookie"
run_wl "reviewer, filtered" "$filtered" "$rev_cookie"
run_wl "reviewer, page $depth" "$deep" "$rev_cookie"
run_wl "supervisor, first page" "$first" "$sup_cookie"

# --- 5. The database part alone ----------------------------------------------

# worklist() as Kore calls it (extended protocol, unnamed statement), for
# the same connections, to split the page's time between PostgreSQL and the
# rest (session check, options query, HTML, HTTP).
pgb() {
	# pgb LABEL ACTOR PATH
	echo "SELECT * FROM worklist($(args_of "$2" "$3"));" >"$work/pgb.sql"
	"$pgbench" -n -M extended -c "$conns" -j 2 -T 5 -f "$work/pgb.sql" \
	    -h "$RECOURSE_PGHOST" -U recourse_review "$RECOURSE_DBNAME" \
	    >"$work/pgb.txt" 2>&1 || { cat "$work/pgb.txt"; wl_fail pgbench; }
	printf '%-28s %s tps, latency average %s ms\n' "$1" \
	    "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgb.txt")" \
	    "$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' "$work/pgb.txt")"
}
echo
echo "== pgbench -M extended -c$conns -j2 -T5: SELECT * FROM worklist(...)"
pgb "reviewer, first page" "$rev_id" "$first"
pgb "reviewer, filtered" "$rev_id" "$filtered"
pgb "reviewer, page $depth" "$rev_id" "$deep"
pgb "supervisor, first page" "$sup_id" "$first"

# --- 6. Result ---------------------------------------------------------------

echo
echo "== result: GET /review, $(wl_sql "SELECT count(*) FROM cases") cases," \
    "wrk -t2 -c$conns, ${secs}s per page; target p95 < $target ms"
printf '%-24s %8s %8s %8s %8s %8s %8s  %s\n' page req/s p50 p90 p95 p99 max \
    verdict
printf '%s' "$results" | while IFS='|' read -r l rps p50 p90 p95 p99 max ld; do
	v=$(awk -v p="$p95" -v t="$target" 'BEGIN {
	    print (p + 0 < t) ? "PASS" : "MISS" }')
	printf '%-24s %8s %8s %8s %8s %8s %8s  %s (load %s)\n' "$l" "$rps" \
	    "$p50" "$p90" "$p95" "$p99" "$max" "$v" "$ld"
done
echo "(latencies in ms; load: the load average before each run; at the" \
    "start of the work-list benchmark: $start_load)"
exit 0
