-- 0018-intake-clocks-on-case.sql: a new case's clocks live on its own row
-- until the scheduler first recomputes it (issue 10, the cost of filing).
-- Three case_clocks rows a filing (heap, primary key, the unacknowledged
-- index, a foreign-key check each) were the largest part of what the
-- clocks added to a filing: PostgreSQL's CPU per filing rose from 0.54 to
-- 0.88 ms, 0.16 ms of it these rows (docs/BENCHMARKS.md).  Intake now
-- writes the clocks the public worker computed into cases.intake_clocks,
-- and the scheduler's first store of the case (at its at-risk instant, or
-- at once after any event) replaces them by rows.  Readers see both
-- through the view case_clocks, so nothing that reads clocks changes; the
-- rows themselves are case_clocks_recomputed, written by sla_store alone.

ALTER TABLE case_clocks RENAME TO case_clocks_recomputed;
ALTER TABLE case_clocks_recomputed
    RENAME CONSTRAINT case_clocks_pkey TO case_clocks_recomputed_pkey;
COMMENT ON TABLE case_clocks_recomputed IS 'Each started clock of a case as the scheduler last computed it: a cache, recomputable from events and versions (recourse-admin sla-verify).';

-- No CHECK: each is compiled again by every filing's INSERT, and only
-- intake_complaint and sla_store write the column.
ALTER TABLE cases ADD COLUMN intake_clocks jsonb;
COMMENT ON COLUMN cases.intake_clocks IS 'The clocks filing computed, [[clock, due, at risk, target seconds], ...] in epoch seconds, each running since the second the case was received; NULL once the scheduler has stored the case''s clocks in case_clocks_recomputed.';

-- The instant intake's clocks start: the whole second the case was
-- received (the public worker computes them per second).  Built only of
-- immutable functions, so that PostgreSQL inlines it into the view and
-- the index below; extract() on a timestamptz is only stable, and a SQL
-- function it is not inlined into runs its own executor at every call
-- (twice a filing's database CPU, with the index, in one make bench).
CREATE FUNCTION intake_clocks_start(p_received timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
	SELECT date_trunc('second', p_received AT TIME ZONE 'UTC')
	    AT TIME ZONE 'UTC'
$$;

-- Every started clock of every case, as case_clocks was before: the rows
-- the scheduler stored, and the clocks of the cases it has not yet
-- recomputed.  A case is in one branch or the other, never both: intake
-- writes only the column, and the store that writes a case's rows clears
-- it in the same transaction, with the case locked.
CREATE VIEW case_clocks AS
	SELECT k.case_id, k.clock, k.state, k.started_at, k.due_at,
	    k.at_risk_at, k.met_at, k.breached_at, k.target_seconds,
	    k.elapsed_seconds, k.paused_seconds, k.extended, k.at_risk_noted,
	    k.computed_at
	FROM case_clocks_recomputed k
	UNION ALL
	SELECT c.id, e->>0, 'running', intake_clocks_start(c.received_at),
	    sla_instant(e->1), sla_instant(e->2), NULL::timestamptz,
	    NULL::timestamptz, (e->>3)::bigint, 0::bigint, 0::bigint, false,
	    false, c.received_at
	FROM cases c CROSS JOIN LATERAL jsonb_array_elements(c.intake_clocks) e
	WHERE c.intake_clocks IS NOT NULL;
COMMENT ON VIEW case_clocks IS 'Each started clock of a case: the scheduler''s rows (case_clocks_recomputed) and, for a case it has not yet recomputed, the clocks filing stored on the case.';

-- No query has read cases_queue_idx (0001) since the work list got its
-- own queue index (0002, docs/BENCHMARKS.md): an index entry a filing
-- wrote for nothing.
DROP INDEX cases_queue_idx;

-- The supervisors' dashboard finds the oldest case still on intake's
-- clocks along this (every such case's acknowledge clock is unmet).
CREATE INDEX cases_intake_clocks_idx
	ON cases (intake_clocks_start(received_at), id)
	WHERE intake_clocks IS NOT NULL;

-- route_case (0011) and sla_versions (0016) as SQL functions returning a
-- set: PostgreSQL inlines such a function into the statement that calls
-- it, planned once with it, where a PL/pgSQL function costs a call, an
-- executor and a plan check of its own: 15 to 20 microseconds each at
-- every filing (pg_stat_statements, docs/BENCHMARKS.md).  One row always
-- from route_case (the rule that matches first, else the general queue at
-- priority 2; vulnerable complainants at 3 or more); at most one from
-- sla_versions.
DROP FUNCTION route_case(text, text, boolean, text);
CREATE FUNCTION route_case(p_category text, p_channel text,
    p_vulnerable boolean, p_brand text)
RETURNS TABLE (queue text, priority smallint, policy text)
LANGUAGE sql STABLE AS $$
	SELECT coalesce(r.queue, 'general'),
	    CASE WHEN p_vulnerable AND coalesce(r.priority, 2) < 3
	        THEN 3::smallint ELSE coalesce(r.priority, 2::smallint) END,
	    r.policy
	FROM (VALUES (1)) one
	LEFT JOIN LATERAL (SELECT r.queue, r.priority, r.policy
	    FROM routing_rules r
	    WHERE (r.category IS NULL OR r.category = p_category)
	      AND (r.channel IS NULL OR r.channel = p_channel)
	      AND (r.vulnerable IS NULL OR r.vulnerable = p_vulnerable)
	      AND (r.brand IS NULL OR lower(r.brand) = lower(p_brand))
	    ORDER BY r.position
	    LIMIT 1) r ON true
$$;

DROP FUNCTION sla_versions(text, text, smallint, boolean);
CREATE FUNCTION sla_versions(p_policy text, p_queue text,
    p_priority smallint, p_vulnerable boolean)
RETURNS TABLE (policy_version bigint, calendar_version bigint)
LANGUAGE sql STABLE AS $$
	SELECT p.current_version, k.current_version
	FROM sla_policies p, sla_calendars k
	WHERE p.code = coalesce(p_policy, CASE
	        WHEN case_urgent(p_priority, p_vulnerable) THEN 'urgent'
	        ELSE 'standard' END)
	  AND k.code = coalesce((SELECT q.calendar FROM queues q
	        WHERE q.code = p_queue), 'default')
$$;

-- intake_complaint (0016) writing the clocks into the case's row, with its
-- two code checks in one statement and routing with versions in another.
CREATE OR REPLACE FUNCTION intake_complaint(
    p_token_hash bytea, p_body_hash bytea, p_receipt_box bytea,
    p_category text, p_channel text, p_occurred_on date, p_brand text,
    p_vulnerable boolean, p_consent_contact boolean,
    p_consent_publish boolean, p_consent_demographics boolean,
    p_receipt_hash bytea, p_complainant_pk bytea, p_complainant_salt bytea,
    p_data_key_sealed bytea, p_description_box bytea, p_contact_box bytea,
    p_copy_box bytea DEFAULT NULL, p_clocks jsonb DEFAULT NULL,
    OUT outcome text, OUT reference text, OUT state text,
    OUT receipt_box bytea)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_id		bigint;
	v_queue		text;
	v_prio		smallint;
	v_body		bytea;
	v_seq		text;
	v_pv		bigint;
	v_cv		bigint;
	v_pair		jsonb;
BEGIN
	-- Both codes in one statement: each statement of a filing costs an
	-- executor start of its own.
	SELECT CASE
	    WHEN NOT EXISTS (SELECT 1 FROM concern_categories c
	        WHERE c.code = p_category AND c.active) THEN 'bad_category'
	    WHEN NOT EXISTS (SELECT 1 FROM channels c
	        WHERE c.code = p_channel AND c.active) THEN 'bad_channel' END
	INTO outcome;
	IF outcome IS NOT NULL THEN
		RETURN;
	END IF;

	v_id := nextval('cases_id_seq');
	-- A concurrent request with the same token waits here for ours.
	INSERT INTO intake_requests (token_hash, body_hash, case_id, receipt_box)
	VALUES (p_token_hash, p_body_hash, v_id, p_receipt_box)
	ON CONFLICT (token_hash) DO NOTHING;
	IF NOT FOUND THEN
		SELECT r.body_hash, c.reference, c.state::text,
		    CASE WHEN r.created_at >= now() - interval '24 hours'
		        THEN r.receipt_box END
		INTO v_body, reference, state, receipt_box
		FROM intake_requests r JOIN cases c ON c.id = r.case_id
		WHERE r.token_hash = p_token_hash;
		outcome := CASE WHEN v_body = p_body_hash THEN 'replay'
		    ELSE 'conflict' END;
		IF outcome = 'conflict' THEN
			receipt_box := NULL;
		END IF;
		RETURN;
	END IF;

	-- Routing and the versions it implies in one statement; both
	-- functions are inlined into it (see above).
	SELECT q.queue, q.priority, s.policy_version, s.calendar_version
	INTO v_queue, v_prio, v_pv, v_cv
	FROM route_case(p_category, p_channel, p_vulnerable, p_brand) q
	LEFT JOIN LATERAL sla_versions(q.policy, q.queue, q.priority,
	    p_vulnerable) s ON true;
	-- The public worker's clocks for this second and these versions, if
	-- it computed them; else the scheduler computes them at once.
	IF (p_clocks->>'at')::bigint = floor(extract(epoch FROM now())) THEN
		v_pair := p_clocks->'pairs'->(v_pv::text || ':' || v_cv::text);
		-- Readers expand the clocks as an array: anything else is no
		-- pair at all.
		IF jsonb_typeof(v_pair->'clocks') IS DISTINCT FROM 'array' THEN
			v_pair := NULL;
		END IF;
	END IF;

	-- At least six digits; lpad alone would cut the millionth to six.
	v_seq := nextval('case_reference_seq')::text;
	reference := 'RC-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
	    lpad(v_seq, greatest(6, length(v_seq)), '0');
	INSERT INTO cases (id, reference, category, channel, occurred_on, brand,
	    vulnerable, consent_contact, consent_publish, consent_demographics,
	    queue, priority, receipt_hash, complainant_pk, complainant_salt,
	    data_key_sealed, description_box, contact_box,
	    complainant_copy_box, sla_policy_version, sla_calendar_version,
	    sla_due, next_check_at, intake_clocks)
	VALUES (v_id, reference, p_category, p_channel, p_occurred_on, p_brand,
	    p_vulnerable, p_consent_contact, p_consent_publish,
	    p_consent_demographics, v_queue, v_prio, p_receipt_hash,
	    p_complainant_pk, p_complainant_salt, p_data_key_sealed,
	    p_description_box, p_contact_box, p_copy_box, v_pv, v_cv,
	    coalesce(sla_instant(v_pair->'due'), 'infinity'),
	    coalesce(sla_instant(v_pair->'next'), now()), v_pair->'clocks');
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (v_id, 'received', 'complainant', true,
	    jsonb_build_object('queue', v_queue, 'priority', v_prio));
	outcome := 'created';
	state := 'received';
	receipt_box := NULL;
END $$;

-- sla_store_clocks (0017) reading the old values from the rows alone: a
-- clock still on the case's row has no breach and no at-risk note, the
-- same as no row, and the view cost the busy pass a fifth of its time
-- (3 400 cases, tests/bench/sla.sh).
CREATE OR REPLACE FUNCTION sla_store_clocks(p_results jsonb, p_cases bigint[])
RETURNS TABLE (case_id bigint, clock text, pos integer, state text,
    started_at timestamptz, due_at timestamptz, at_risk_at timestamptz,
    met_at timestamptz, breached_at timestamptz,
    old_breached_at timestamptz, old_noted boolean, target_seconds bigint,
    elapsed_seconds bigint, paused_seconds bigint, extended boolean)
LANGUAGE sql STABLE AS $$
	SELECT r."case", k.clock,
	    array_position(ARRAY['acknowledge', 'response', 'decision',
	        'appeal'], k.clock),
	    k.state, sla_instant(k.started_at), sla_instant(k.due_at),
	    sla_instant(k.at_risk_at), sla_instant(k.met_at),
	    sla_instant(k.breached_at), o.breached_at,
	    coalesce(o.at_risk_noted, false), k.target, k.elapsed, k.paused,
	    coalesce(k.extended, false)
	FROM jsonb_to_recordset(p_results) AS r("case" bigint, clocks jsonb)
	CROSS JOIN LATERAL jsonb_to_recordset(r.clocks) AS k(clock text,
	    state text, started_at jsonb, due_at jsonb, at_risk_at jsonb,
	    met_at jsonb, breached_at jsonb, target bigint, elapsed bigint,
	    paused bigint, extended boolean)
	-- Through the primary key, clock by clock (LIMIT 1 keeps the planner
	-- from hashing the whole table for a batch it cannot size).
	LEFT JOIN LATERAL (SELECT o.breached_at, o.at_risk_noted
	    FROM case_clocks_recomputed o WHERE o.case_id = r."case"
	      AND o.clock = k.clock
	      AND o.started_at = sla_instant(k.started_at) LIMIT 1) o ON true
	WHERE r."case" = ANY (p_cases)
$$;

-- sla_store (0017) writing case_clocks_recomputed and clearing the clocks
-- intake stored on the case.
CREATE OR REPLACE FUNCTION sla_store(p_now timestamptz, p_results jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_locked	bigint[];
	v_ok		bigint[];
	v_escalated	bigint[];
BEGIN
	-- Never waited for: a store holds many cases at once, and waiting
	-- would deadlock with anything else that updates several.  What
	-- holds a case writes an event (which wakes it) or not; either way it
	-- is recomputed, at the latest when the lease ends.
	SELECT coalesce(array_agg(x.id), '{}') INTO v_locked FROM (
		SELECT c.id FROM cases c
		WHERE c.id IN (SELECT (r->>'case')::bigint
		        FROM jsonb_array_elements(p_results) r)
		  AND c.next_check_at = p_now + sla_lease()
		ORDER BY c.id
		FOR UPDATE SKIP LOCKED) x;
	-- Checked once locked, in a statement of its own so that it sees what
	-- committed before the lock.
	SELECT coalesce(array_agg(c.id), '{}') INTO v_ok
	FROM cases c
	JOIN jsonb_to_recordset(p_results) AS r("case" bigint,
	    last_event bigint, policy bigint, calendar bigint)
	    ON r."case" = c.id
	WHERE c.id = ANY (v_locked)
	  AND c.next_check_at = p_now + sla_lease()
	  AND c.sla_policy_version = r.policy
	  AND c.sla_calendar_version = r.calendar
	  -- "+ 0": through the case's own events, not a walk of every later
	  -- event of every case along the primary key.
	  AND NOT EXISTS (SELECT 1 FROM case_events e
	      WHERE e.case_id = c.id
	        AND e.id + 0 > coalesce(r.last_event, 0)
	        AND e.kind NOT IN ('clock_at_risk', 'clock_breached',
	            'escalated'))
	  AND NOT EXISTS (SELECT 1 FROM case_clocks_recomputed x
	      WHERE x.case_id = c.id AND x.computed_at > p_now);

	-- The events, in one statement, in the order a reader expects: per
	-- case, each clock's at-risk and breach in policy order, then the
	-- escalation; its audit row beside it.
	WITH k AS (
		SELECT * FROM sla_store_clocks(p_results, v_ok)
	), b AS (
		SELECT k.case_id, (array_agg(k.clock ORDER BY k.pos))[1]
		    AS first, jsonb_agg(k.clock ORDER BY k.pos) AS clocks
		FROM k WHERE k.breached_at IS NOT NULL
		  AND k.old_breached_at IS NULL
		GROUP BY k.case_id
	), ev AS (
		SELECT k.case_id, k.pos, 0 AS step,
		    least(p_now, k.at_risk_at) AS at, 'clock_at_risk' AS kind,
		    jsonb_build_object('clock', k.clock) AS detail
		FROM k WHERE k.state = 'at_risk' AND NOT k.old_noted
		UNION ALL
		SELECT k.case_id, k.pos, 1, k.breached_at, 'clock_breached',
		    jsonb_build_object('clock', k.clock)
		FROM k WHERE k.breached_at IS NOT NULL
		  AND k.old_breached_at IS NULL
		UNION ALL
		SELECT b.case_id, 5, 2, now(), 'escalated',
		    jsonb_build_object('clock', b.first, 'clocks', b.clocks)
		FROM b
	), ins AS (
		INSERT INTO case_events (case_id, at, kind, actor,
		    visible_to_complainant, detail)
		SELECT ev.case_id, ev.at, ev.kind, 'system', false, ev.detail
		FROM ev ORDER BY ev.case_id, ev.pos, ev.step
		RETURNING id, case_id, kind, detail
	)
	SELECT coalesce(array_agg(a.case_id), '{}') INTO v_escalated
	FROM (SELECT i.case_id, audit('system', 'case.escalated',
	        'case:' || c.reference, i.detail)
	    FROM ins i JOIN cases c ON c.id = i.case_id
	    WHERE i.kind = 'escalated' ORDER BY i.id) a;

	INSERT INTO case_clocks_recomputed AS x (case_id, clock, state, started_at,
	    due_at, at_risk_at, met_at, breached_at, target_seconds,
	    elapsed_seconds, paused_seconds, extended, at_risk_noted,
	    computed_at)
	SELECT k.case_id, k.clock, k.state, k.started_at, k.due_at,
	    k.at_risk_at, k.met_at,
	    -- A breach stays on the record.
	    coalesce(k.old_breached_at, k.breached_at),
	    k.target_seconds, k.elapsed_seconds, k.paused_seconds, k.extended,
	    k.old_noted OR k.state IN ('at_risk', 'breached'), p_now
	FROM sla_store_clocks(p_results, v_ok) k
	ON CONFLICT (case_id, clock) DO UPDATE SET
	    state = EXCLUDED.state,
	    started_at = EXCLUDED.started_at,
	    due_at = EXCLUDED.due_at,
	    at_risk_at = EXCLUDED.at_risk_at,
	    met_at = EXCLUDED.met_at,
	    breached_at = EXCLUDED.breached_at,
	    target_seconds = EXCLUDED.target_seconds,
	    elapsed_seconds = EXCLUDED.elapsed_seconds,
	    paused_seconds = EXCLUDED.paused_seconds,
	    extended = EXCLUDED.extended,
	    at_risk_noted = EXCLUDED.at_risk_noted,
	    computed_at = EXCLUDED.computed_at;

	-- A clock the (re-chosen) policy no longer has.
	DELETE FROM case_clocks_recomputed x
	WHERE x.case_id = ANY (v_ok) AND x.computed_at <> p_now;

	-- One new version of each row (each is indexed): rank, nearest due
	-- instant of the clocks not met, next check, escalation; the clocks
	-- intake stored are replaced by the rows above.
	UPDATE cases c SET sla_rank = s.rank, sla_due = s.due,
	    intake_clocks = NULL,
	    next_check_at = sla_instant(s.next),
	    escalated_at = CASE WHEN c.id = ANY (v_escalated)
	        THEN coalesce(c.escalated_at, p_now) ELSE c.escalated_at END
	FROM (SELECT r."case" AS id, r.next,
	        coalesce(min(CASE k.state WHEN 'breached' THEN 0
	            WHEN 'at_risk' THEN 1 WHEN 'running' THEN 2 ELSE 3 END)
	            FILTER (WHERE k.state <> 'met'), 4) AS rank,
	        coalesce(min(coalesce(sla_instant(k.due_at), 'infinity'))
	            FILTER (WHERE k.state <> 'met'), 'infinity') AS due
	    FROM jsonb_to_recordset(p_results) AS r("case" bigint, next jsonb,
	        clocks jsonb)
	    LEFT JOIN LATERAL jsonb_to_recordset(r.clocks)
	        AS k(state text, due_at jsonb) ON true
	    WHERE r."case" = ANY (v_ok)
	    GROUP BY r."case", r.next) s
	WHERE c.id = s.id;
	RETURN cardinality(v_ok);
END $$;

-- sla_dashboard (0015): the oldest unacknowledged case from either store.
CREATE OR REPLACE FUNCTION sla_dashboard(p_actor bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_bars	text[] := ARRAY(SELECT b.brand_key FROM brand_bars b
		    WHERE b.account_id = p_actor);
	v_q	timestamptz := date_trunc('quarter', now());
BEGIN
	IF NOT staff_is(p_actor, 'supervisor') THEN
		RETURN NULL;
	END IF;
	RETURN (WITH hot AS (
		SELECT c.queue, c.assignee, c.sla_rank FROM cases c
		WHERE c.sla_rank <= 1 AND c.state NOT IN ('closed', 'rejected')
		  AND (c.brand IS NULL
		    OR lower(btrim(c.brand)) <> ALL (v_bars))
	), oldest AS (
		-- The oldest of each store, each along its own index: the
		-- recomputed rows, and the cases still on intake's clocks.
		SELECT c.reference, o.started_at, cv.id AS cv,
		    cv.definition::text AS cal
		FROM ((SELECT k.case_id, k.started_at
		        FROM case_clocks_recomputed k JOIN cases c
		            ON c.id = k.case_id
		        WHERE k.clock = 'acknowledge' AND k.met_at IS NULL
		          AND c.state NOT IN ('closed', 'rejected')
		          AND (c.brand IS NULL
		            OR lower(btrim(c.brand)) <> ALL (v_bars))
		        ORDER BY k.started_at, c.id LIMIT 1)
		    UNION ALL
		    (SELECT c.id, intake_clocks_start(c.received_at)
		        FROM cases c
		        WHERE c.intake_clocks IS NOT NULL
		          AND c.intake_clocks @> '[["acknowledge"]]'
		          AND c.state NOT IN ('closed', 'rejected')
		          AND (c.brand IS NULL
		            OR lower(btrim(c.brand)) <> ALL (v_bars))
		        ORDER BY intake_clocks_start(c.received_at), c.id
		        LIMIT 1)) o
		JOIN cases c ON c.id = o.case_id
		JOIN sla_calendar_versions cv ON cv.id = c.sla_calendar_version
		ORDER BY o.started_at, c.id LIMIT 1
	)
	SELECT jsonb_build_object(
	    'now', floor(extract(epoch FROM now()))::bigint,
	    'quarter', to_char(v_q, 'YYYY "Q"Q'),
	    'queues', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', q.code, 'name', q.name,
	        'at_risk', (SELECT count(*) FROM hot h
	            WHERE h.queue = q.code AND h.sla_rank = 1),
	        'breached', (SELECT count(*) FROM hot h
	            WHERE h.queue = q.code AND h.sla_rank = 0))
	        ORDER BY q.name), '[]') FROM queues q
	        WHERE q.active OR EXISTS (SELECT 1 FROM hot h
	            WHERE h.queue = q.code)),
	    'reviewers', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', r.assignee, 'name', a.display_name,
	        'at_risk', r.at_risk, 'breached', r.breached)
	        ORDER BY r.assignee IS NULL, a.display_name), '[]')
	        FROM (SELECT h.assignee,
	            count(*) FILTER (WHERE h.sla_rank = 1) AS at_risk,
	            count(*) FILTER (WHERE h.sla_rank = 0) AS breached
	            FROM hot h GROUP BY h.assignee) r
	        LEFT JOIN staff_accounts a ON a.id = r.assignee),
	    'breaches_quarter', (SELECT count(*) FROM case_events e
	        JOIN cases c ON c.id = e.case_id
	        WHERE e.kind = 'clock_breached' AND e.at >= v_q
	          AND (c.brand IS NULL
	            OR lower(btrim(c.brand)) <> ALL (v_bars))),
	    'oldest', (SELECT jsonb_build_object('reference', o.reference,
	        'started_at', floor(extract(epoch FROM o.started_at))::bigint,
	        'calendar_version', o.cv, 'calendar', o.cal)
	        FROM oldest o)));
END $$;

-- The two row triggers of case_events (0011's wake-up, 0017's outbox) as
-- one: each WHEN clause is parsed and compiled again by every statement
-- that inserts an event, filing's 'received' included, which matched
-- neither; one clause costs half (17-25 microseconds a filing for the
-- two, pg_stat_statements, docs/BENCHMARKS.md).  The outbox's work as a
-- function of the event, in the order the two triggers ran (by name).
CREATE FUNCTION outbox_for_event(e case_events) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases WHERE id = e.case_id;
	IF e.kind = 'escalated' THEN
		INSERT INTO outbox (kind, account_id, case_id, payload)
		SELECT 'supervisor_alert', a.id, c.id, jsonb_build_object(
		    'event', e.kind, 'reference', c.reference,
		    'clock', e.detail->>'clock',
		    'clocks', coalesce(e.detail->'clocks',
		        jsonb_build_array(e.detail->'clock')))
		FROM staff_accounts a
		WHERE a.active AND a.email IS NOT NULL
		  AND 'supervisor' = ANY (a.roles)
		  AND staff_can_see(a.id, c.queue, c.brand)
		ON CONFLICT (account_id, case_id)
		    WHERE kind = 'supervisor_alert' AND state = 'queued'
		      AND attempts = 0 DO NOTHING;
	ELSIF c.consent_contact AND c.contact_box IS NOT NULL THEN
		INSERT INTO outbox (kind, case_id)
		VALUES ('complainant_note', c.id)
		ON CONFLICT (case_id) WHERE kind = 'complainant_note'
		    AND state = 'queued' AND attempts = 0 DO NOTHING;
	END IF;
END $$;

-- Any event but filing's and the scheduler's own wakes the scheduler for
-- its case (0011); an escalation, and anything staff let the complainant
-- see, writes the outbox (0017).
CREATE FUNCTION case_events_after() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.kind = 'escalated'
	    OR (NEW.visible_to_complainant AND NEW.actor <> 'complainant') THEN
		PERFORM outbox_for_event(NEW);
	END IF;
	IF NEW.kind NOT IN ('received', 'clock_at_risk', 'clock_breached',
	    'escalated') THEN
		UPDATE cases SET next_check_at = now() WHERE id = NEW.case_id;
	END IF;
	RETURN NULL;
END $$;

DROP TRIGGER case_events_outbox ON case_events;
DROP TRIGGER case_events_wake ON case_events;
DROP FUNCTION outbox_on_event();
DROP FUNCTION case_events_wake();
CREATE TRIGGER case_events_after AFTER INSERT ON case_events
	FOR EACH ROW
	WHEN (NEW.kind NOT IN ('received', 'clock_at_risk', 'clock_breached')
	    OR (NEW.visible_to_complainant AND NEW.actor <> 'complainant'))
	EXECUTE FUNCTION case_events_after();
