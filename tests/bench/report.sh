#!/bin/sh
# Measures the quarterly transparency report at scale: BENCH_REPORT_CASES
# (1 000 000) cases received in one quarter, with their decisions,
# appeals, clocks, timeline events, consents withdrawn, erasures and the
# sealed demographic answers of the consenting, then (1) the builder's own
# statements run directly with psql and (2) recourse-reporter building the
# whole draft (figures, fairness, narratives, disclosure control, files,
# signatures, stored); compares the build with the 10 s target, with 1.5x
# the psql time, and the builder's peak memory with 256 MiB.
#   sh tests/bench/report.sh   (from the top of the checkout, after make
#                               all; starts its own environment)
# make bench runs it last, in an environment of its own: the database then
# holds the quarter's million cases and nothing else (docs/BENCHMARKS.md
# has a run in the other parts' environment, with 1.27 million more).
# BENCH_REPORT_ENV runs it in an environment already started instead.
# Environment: BENCH_REPORT_CASES (1000000), BENCH_REPORT_RUNS (3),
# BENCH_REPORT_DEMOGRAPHICS (0.15: share of complainants whose sealed
# answers the fairness figures open).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/env.sh

n_cases=${BENCH_REPORT_CASES:-1000000}
runs=${BENCH_REPORT_RUNS:-3}
demo=${BENCH_REPORT_DEMOGRAPHICS:-0.15}
quarter=2025-Q3
target_s=10
ratio_max=1.5
rss_max_kib=$((256 * 1024))

rp_fail() {
	echo "bench (report): FAIL: $*" >&2
	exit 1
}

for t in psql curl; do
	command -v "$t" >/dev/null 2>&1 || rp_fail "$t is missing"
done

if [ -n "${BENCH_REPORT_ENV:-}" ]; then
	ENV_DIR=$BENCH_REPORT_ENV
else
	trap 'env_stop; [ -n "${rp_pid:-}" ] && kill "$rp_pid" 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	env_start || rp_fail "could not start the environment"
fi
work="$ENV_DIR/bench-report"
mkdir -p "$work"

rp_sql() {
	psql -X -q -tA -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
	    -d "$RECOURSE_DBNAME" -v ON_ERROR_STOP=1 -c "$1"
}

now() {
	date +%s.%N
}

echo
echo "== Recourse report benchmark: $quarter over $n_cases generated cases"
echo "machine: $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), load" \
    "average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. Real sealed answers, filed through the public API -------------------

# The fairness figures open each consenting complainant's answers with the
# review key (one X25519 open and one AEAD open a case): the generated
# cases carry the sealed key, salt and answers of one of these, so that
# the builder does exactly that work for every one of them.
answers='{"age_band":"age_25_34","gender":"woman","disability":"no","origin":"white"}
{"age_band":"age_35_44","gender":"man","disability":"yes","origin":"asian"}
{"age_band":"age_45_54","gender":"woman","disability":"prefer_not_to_say","origin":"black"}
{"age_band":"age_18_24","gender":"non_binary","disability":"no","origin":"mixed"}
{"age_band":"age_55_64","gender":"man","disability":"no","origin":"white"}
{"age_band":"age_65_74","gender":"prefer_not_to_say","disability":"yes","origin":"other"}'
i=0
echo "$answers" | while read -r a; do
	i=$((i + 1))
	body="{\"category\":\"privacy.consent\",\"channel\":\"email\",
	    \"description\":\"Bench complaint $i with answers about myself.\",
	    \"consent_demographics\":true,${a#\{}"
	code=$(curl -s -o "$work/filed-$i.json" -w '%{http_code}' \
	    -H 'content-type: application/json' \
	    -H "idempotency-key: bench-report-$$-$i" \
	    --data "$body" "$RECOURSE_URL/api/v1/complaints")
	[ "$code" = 201 ] || { cat "$work/filed-$i.json"; echo; exit 1; }
done || rp_fail "filing the complaints with answers"
[ "$(rp_sql "SELECT count(*) FROM cases WHERE demographics_box IS NOT NULL
    AND description_box IS NOT NULL")" -ge 6 ] ||
    rp_fail "the answers were not kept"

# --- 2. The quarter, generated in SQL ---------------------------------------

# Triggers are off for the generating session (session_replication_role):
# the timeline events would otherwise wake the SLA scheduler for a million
# cases, which is not what is measured.  Every CHECK and index holds;
# each first decision is marked first_released as its trigger would, and
# each met clock carries its working days (five in seven of its days here:
# what they cost the report is the same).
# Shape: received evenly over the quarter; 8 % vulnerable; categories and
# channels skewed to the first of the taxonomy; a brand in 10 % from 200
# names; 75 % decided within 1-45 days (some after the quarter), outcomes
# 30/20/35/10/5 %, automated 10 %; 4 % of the decided appealed, 80 % of
# those decided again; an acknowledge clock met for 95 % and a decision
# clock for the decided, 6 % breached, 15 % with paused time, 3 % extended;
# events: received, decision_published, 1 % consents withdrawn, 0.5 %
# erased at the complainant's request.
gen_sql() {
	cat <<SQL
\\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SELECT setseed(0.2025) \\gset
CREATE TEMP TABLE rp_pick AS SELECT
    (SELECT array_agg(code ORDER BY position) FROM concern_categories
        WHERE active) AS cats,
    (SELECT array_agg(code ORDER BY position) FROM channels
        WHERE active) AS chans,
    (SELECT array_agg(code ORDER BY position) FROM targeting_reasons
        WHERE active) AS tcodes,
    ARRAY(SELECT 'Brand ' || n FROM generate_series(1, 200) n) AS brands,
    (SELECT array_agg(ARRAY[encode(data_key_sealed, 'hex'),
        encode(complainant_salt, 'hex'), encode(demographics_box, 'hex')])
        FROM cases WHERE demographics_box IS NOT NULL) AS sealed,
    (SELECT id FROM staff_accounts WHERE login = 'benchreporta') AS s1,
    (SELECT id FROM staff_accounts WHERE login = 'benchreportb') AS s2,
    (SELECT current_version FROM sla_policies WHERE code = 'standard')
        AS pv,
    (SELECT current_version FROM sla_calendars WHERE code = 'default')
        AS cv;
CREATE TEMP TABLE rp_cases AS
SELECT n, timestamptz '2025-07-01 00:00Z' + r_recv * interval '92 days'
        AS recv,
    p.cats[1 + floor(cardinality(p.cats) * power(r_cat, 1.4))::int] AS cat,
    p.chans[1 + floor(cardinality(p.chans) * power(r_chan, 1.6))::int]
        AS chan,
    CASE WHEN r_brand < 0.1 THEN
        p.brands[1 + floor(200 * r_brand2 * r_brand2)::int] END AS brand,
    r_vuln < 0.08 AS vuln,
    CASE WHEN r_tr < 0.6 THEN ARRAY[p.tcodes[1 + floor(
        cardinality(p.tcodes) * r_tr / 0.6)::int]] ELSE '{}' END AS reasons,
    (ARRAY['yes', 'no', 'not_sure', NULL])[1 + floor(4 * r_ai)::int] AS ai,
    r_demo < $demo AS demo,
    1 + floor(r_pick * array_length(p.sealed, 1))::int AS sealed_i,
    r_dec < 0.75 AS decided,
    r_days * 45 AS days,
    (ARRAY['upheld', 'partly_upheld', 'partly_upheld', 'not_upheld',
        'not_upheld', 'not_upheld', 'out_of_scope', 'referred'])
        [1 + floor(8 * r_out)::int] AS outcome,
    r_out2 < 0.1 AS automated,
    r_app < 0.04 AS appealed, r_app2 < 0.8 AS appeal_decided,
    r_ack * 4 AS ack_days, r_pause < 0.15 AS paused, r_pause < 0.03 AS ext,
    r_wd < 0.01 AS withdrew, r_wd BETWEEN 0.5 AND 0.505 AS erased
FROM (SELECT n, random() AS r_recv, random() AS r_cat, random() AS r_chan,
        random() AS r_brand, random() AS r_brand2, random() AS r_vuln,
        random() AS r_tr, random() AS r_ai, random() AS r_demo,
        random() AS r_pick, random() AS r_dec, random() AS r_days,
        random() AS r_out, random() AS r_out2, random() AS r_app,
        random() AS r_app2, random() AS r_ack, random() AS r_pause,
        random() AS r_wd
    FROM generate_series(1, $n_cases) n OFFSET 0) r, rp_pick p;
INSERT INTO cases (reference, state, category, channel, brand, vulnerable,
    targeting_reasons, ai_disclosed, consent_contact, consent_publish,
    consent_demographics, queue, priority, received_at, updated_at,
    closed_at, receipt_hash, complainant_pk, complainant_salt,
    data_key_sealed, description_box, demographics_box, sla_policy_version,
    sla_calendar_version, sla_rank, sla_due)
SELECT 'RC-2025-' || lpad(n::text, 7, '0'),
    (CASE WHEN decided THEN 'closed' ELSE 'investigating' END)::case_state,
    cat, chan, brand, vuln, reasons, ai, false, false, demo,
    CASE WHEN vuln THEN 'vulnerable' WHEN cat = 'security.breach'
        THEN 'security' WHEN cat LIKE 'bias.%' THEN 'fairness'
        ELSE 'general' END,
    (CASE WHEN vuln THEN 4 ELSE 2 END)::smallint, recv, recv,
    CASE WHEN decided THEN recv + days * interval '1 day' END,
    sha256(('rp-receipt-' || n)::bytea), sha256(('rp-pk-' || n)::bytea),
    CASE WHEN demo THEN decode(p.sealed[sealed_i][2], 'hex')
        ELSE substring(sha256(('rp-salt-' || n)::bytea) FROM 1 FOR 16) END,
    CASE WHEN demo THEN decode(p.sealed[sealed_i][1], 'hex')
        ELSE sha256(('rp-k1-' || n)::bytea) || sha256(('rp-k2-' ||
        n)::bytea) || substring(sha256(('rp-k3-' || n)::bytea)
        FROM 1 FOR 16) END,
    sha256(('rp-d-' || n)::bytea) || sha256(('rp-e-' || n)::bytea),
    CASE WHEN demo THEN decode(p.sealed[sealed_i][3], 'hex') END,
    p.pv, p.cv, 2::smallint, recv + interval '30 days'
FROM rp_cases, rp_pick p;
ALTER TABLE rp_cases ADD COLUMN id bigint;
UPDATE rp_cases r SET id = c.id FROM cases c
WHERE c.reference = 'RC-2025-' || lpad(r.n::text, 7, '0');
INSERT INTO case_decisions (case_id, on_appeal, outcome, remedies,
    automated, reasons_box, reasons_complainant_box, decided_by,
    decided_at, needs_signature, released_at, first_released)
SELECT id, false, outcome, CASE outcome WHEN 'upheld' THEN
        ARRAY['campaign_changed', 'apology'] WHEN 'partly_upheld' THEN
        ARRAY['consent_fixed'] ELSE ARRAY['none'] END,
    automated, '\\x00', '\\x00', p.s1, recv + days * interval '1 day',
    false, recv + days * interval '1 day', true
FROM rp_cases, rp_pick p WHERE decided;
INSERT INTO case_appeals (case_id, decision_id, at, grounds_box,
    grounds_complainant_box)
SELECT d.case_id, d.id, d.released_at + interval '5 days', '\\x00', '\\x00'
FROM case_decisions d JOIN rp_cases r ON r.id = d.case_id
WHERE r.appealed AND NOT d.on_appeal;
INSERT INTO case_decisions (case_id, on_appeal, outcome, remedies,
    automated, reasons_box, reasons_complainant_box, decided_by,
    decided_at, needs_signature, signed_by, signed_at, released_at)
SELECT a.case_id, true, 'upheld', ARRAY['apology'], false, '\\x00',
    '\\x00', p.s2, a.at + interval '12 days', true, p.s1,
    a.at + interval '13 days', a.at + interval '13 days'
FROM case_appeals a JOIN rp_cases r ON r.id = a.case_id, rp_pick p
WHERE r.appeal_decided;
INSERT INTO case_clocks_recomputed (case_id, clock, state, started_at,
    due_at, at_risk_at, met_at, breached_at, target_seconds,
    elapsed_seconds, paused_seconds, extended, computed_at, working_days)
SELECT id, 'acknowledge', 'met', recv, recv + interval '3 days',
    recv + interval '2 days', recv + ack_days * interval '1 day',
    CASE WHEN ack_days > 3 THEN recv + interval '3 days' END, 86400,
    (ack_days * 28800)::bigint, 0, false, now(), floor(ack_days * 5 / 7)
FROM rp_cases WHERE ack_days < 3.8;
INSERT INTO case_clocks_recomputed (case_id, clock, state, started_at,
    due_at, at_risk_at, met_at, breached_at, target_seconds,
    elapsed_seconds, paused_seconds, extended, computed_at, working_days)
SELECT id, 'decision', 'met', recv, recv + interval '30 days',
    recv + interval '22 days', recv + days * interval '1 day',
    CASE WHEN days > 30 AND NOT ext THEN recv + interval '30 days' END,
    2592000, (days * 86400)::bigint,
    CASE WHEN paused THEN (days * 8640)::bigint ELSE 0 END, ext, now(),
    floor(days * 5 / 7)
FROM rp_cases WHERE decided;
INSERT INTO case_events (case_id, at, kind, actor, visible_to_complainant,
    detail)
SELECT id, recv, 'received', 'complainant', true, '{}'::jsonb FROM rp_cases
UNION ALL
SELECT id, recv + days * interval '1 day', 'decision_published',
    'staff:' || p.s1, true, '{}' FROM rp_cases, rp_pick p WHERE decided
UNION ALL
SELECT id, recv + interval '2 days', 'consent_withdrawn', 'complainant',
    true, '{"consent": "contact"}' FROM rp_cases WHERE withdrew
UNION ALL
SELECT id, recv + interval '3 days', 'erased', 'staff:' || p.s1, false,
    '{"basis": "request"}' FROM rp_cases, rp_pick p WHERE erased;
SQL
}

rp_sql "SELECT staff_create('cli', l, 'Bench ' || l,
    ARRAY['reviewer', 'supervisor']::staff_role[], ARRAY['general'],
    sha256(l::bytea)) FROM unnest(ARRAY['benchreporta', 'benchreportb']) l" \
    >/dev/null || rp_fail "creating the staff"
sup=$(rp_sql "SELECT id FROM staff_accounts WHERE login = 'benchreporta'")
echo
echo "== generating $n_cases cases of $quarter with their decisions," \
    "clocks and events (INSERT ... SELECT)"
g0=$(now)
gen_sql | psql -X -q -h "$RECOURSE_PGHOST" -U "$RECOURSE_PGUSER" \
    -d "$RECOURSE_DBNAME" >"$work/gen.out" 2>&1 ||
    { cat "$work/gen.out"; rp_fail "generating the quarter"; }
g1=$(now)
rp_sql "VACUUM (ANALYZE)" || rp_fail "VACUUM ANALYZE"
rp_sql "CHECKPOINT" || rp_fail "CHECKPOINT"
g2=$(now)
awk -v a="$g0" -v b="$g1" -v c="$g2" 'BEGIN {
    printf "generated in %.1f s, VACUUM ANALYZE and CHECKPOINT %.1f s\n",
    b - a, c - b }'
rp_sql "SELECT 'rows: ' || (SELECT count(*) FROM cases) || ' cases (' ||
    (SELECT count(*) FROM cases WHERE received_at >= '2025-07-01'
      AND received_at < '2025-10-01') || ' in the quarter, ' ||
    (SELECT count(*) FROM cases WHERE demographics_box IS NOT NULL) ||
    ' with sealed answers), ' ||
    (SELECT count(*) FROM case_decisions) || ' decisions, ' ||
    (SELECT count(*) FROM case_appeals) || ' appeals, ' ||
    (SELECT count(*) FROM case_clocks_recomputed) || ' clocks, ' ||
    (SELECT count(*) FROM case_events) || ' events'"

# --- 3. The builder's statements, run directly with psql --------------------

# The same three statements recourse-reporter runs, at the same instant,
# through the back office's role (without the services' statement
# timeout, which the builder lifts too); the time is psql's, start to end, best
# of BENCH_REPORT_RUNS after one warm-up.
at=$(rp_sql "SELECT date_trunc('second', now())")
psql_once() {
	t0=$(now)
	psql -X -q -tA "$RECOURSE_REVIEW_DB" -v ON_ERROR_STOP=1 \
	    -c "SET statement_timeout = 0" \
	    -c "SELECT report_figures('$quarter', '$at')" \
	    -c "SELECT data_key_sealed, complainant_salt, demographics_box,
	        outcome, on_time FROM report_fairness_rows('$quarter', '$at')" \
	    -c "SELECT case_id, data_key_sealed, complainant_salt, box,
	        category, outcome FROM report_narratives('$quarter', '$at')" \
	    >"$work/psql.out" || rp_fail "psql"
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
}
psql_once >/dev/null
best_psql=
for r in $(seq "$runs"); do
	s=$(psql_once)
	echo "psql: the builder's statements in $s s"
	best_psql=$(awk -v a="$best_psql" -v b="$s" 'BEGIN {
	    print (a == "" || b < a) ? b : a }')
done
echo "psql, best of $runs: $best_psql s ($(wc -c <"$work/psql.out") bytes" \
    "out)"

# --- 4. recourse-reporter, building drafts ----------------------------------

RECOURSE_DB="$RECOURSE_REVIEW_DB" RECOURSE_REPORTER_POLL_MS=100 \
    RECOURSE_REPORT_SCHEMA="$top/docs/report.schema.json" \
    "$RECOURSE_REPORTER" >"$work/reporter.log" 2>&1 &
rp_pid=$!
best_build=
for r in $(seq "$runs"); do
	id=$(rp_sql "SELECT report_request($sup, '$quarter', NULL)")
	case $id in *[!0-9]*|'') rp_fail "report_request: $id" ;; esac
	until grep -q "report $id ($quarter): \(draft built\|.*could\)" \
	    "$work/reporter.log"; do
		kill -0 "$rp_pid" 2>/dev/null ||
		    { cat "$work/reporter.log"; rp_fail "the builder died"; }
		sleep 0.2
	done
	line=$(grep "report $id ($quarter):" "$work/reporter.log" | tail -1)
	s=$(echo "$line" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
	[ -n "$s" ] || { cat "$work/reporter.log"; rp_fail "no build: $line"; }
	echo "recourse-reporter: $line"
	best_build=$(awk -v a="$best_build" -v b="$s" 'BEGIN {
	    print (a == "" || b < a) ? b : a }')
done
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$rp_pid/status")
kill "$rp_pid"
wait "$rp_pid" 2>/dev/null
rp_pid=
fair=$(rp_sql "SELECT count(*) FROM report_fairness_rows('$quarter', '$at')")

echo
echo "== report over $n_cases cases: build $best_build s (target < $target_s" \
    "s), psql $best_psql s, ratio $(awk -v a="$best_build" -v b="$best_psql" \
    'BEGIN { printf "%.2f", a / b }') (target <= $ratio_max), builder peak" \
    "RSS $((hwm / 1024)) MiB (target < 256 MiB); $fair sets of answers" \
    "opened"
awk -v b="$best_build" -v p="$best_psql" -v t="$target_s" -v r="$ratio_max" \
    -v h="$hwm" -v m="$rss_max_kib" 'BEGIN {
	bad = 0
	if (b >= t) { print "bench (report): MISSED: the build took " b " s"; bad = 1 }
	if (b > p * r) { print "bench (report): MISSED: more than " r "x psql"; bad = 1 }
	if (h >= m) { print "bench (report): MISSED: peak RSS " h " KiB"; bad = 1 }
	exit bad }'
