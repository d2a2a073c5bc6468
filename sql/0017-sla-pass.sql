-- 0017-sla-pass.sql: the scheduler's busy pass made cheaper (issue 10): a
-- case is escalated once per store however many of its clocks breach in
-- it, only that escalation alerts supervisors, and sla_store writes a
-- batch with a few set-based statements instead of a loop per clock.

-- The clocks of a store's results (sla_store's array, 0011) for the cases
-- named, each beside what case_clocks holds for the same start of the same
-- clock (an appeal clock starts again with each appeal: an older start is
-- another clock).  Read again by each of sla_store's statements, before
-- the statement that replaces case_clocks.
CREATE FUNCTION sla_store_clocks(p_results jsonb, p_cases bigint[])
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
	    FROM case_clocks o WHERE o.case_id = r."case"
	      AND o.clock = k.clock
	      AND o.started_at = sla_instant(k.started_at) LIMIT 1) o ON true
	WHERE r."case" = ANY (p_cases)
$$;

-- Stores what the scheduler computed at p_now (the array and the checks
-- are 0011's).  Each case is locked and passed over (left for the next
-- pass) when another transaction holds it, when its lease is no longer the
-- one the claim at p_now set, when an event arrived or the versions
-- changed since the claim, or when a newer computation is stored.  A clock
-- that newly reaches at risk gets a 'clock_at_risk' event; each newly
-- recorded breach a 'clock_breached' event at its due instant; a case with
-- any gets ONE 'escalated' event and ONE 'case.escalated' audit row, both
-- with {"clock": the first of them in policy order, "clocks": all of
-- them}, and its escalated_at.  A second store of the same result writes
-- none of them again.  Returns the number of cases stored.
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
	  AND NOT EXISTS (SELECT 1 FROM case_clocks x
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

	INSERT INTO case_clocks AS x (case_id, clock, state, started_at,
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
	DELETE FROM case_clocks x
	WHERE x.case_id = ANY (v_ok) AND x.computed_at <> p_now;

	-- One new version of each row (each is indexed): rank, nearest due
	-- instant of the clocks not met, next check, escalation.
	UPDATE cases c SET sla_rank = s.rank, sla_due = s.due,
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

-- Supervisors are alerted by the escalation alone: a newly recorded breach
-- always escalates in the same transaction, and the escalation names every
-- clock it is for.  Complainant notes as before (0012).
CREATE OR REPLACE FUNCTION outbox_on_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases WHERE id = NEW.case_id;
	IF NEW.kind = 'escalated' THEN
		INSERT INTO outbox (kind, account_id, case_id, payload)
		SELECT 'supervisor_alert', a.id, c.id, jsonb_build_object(
		    'event', NEW.kind, 'reference', c.reference,
		    'clock', NEW.detail->>'clock',
		    'clocks', coalesce(NEW.detail->'clocks',
		        jsonb_build_array(NEW.detail->'clock')))
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
	RETURN NULL;
END $$;

DROP TRIGGER case_events_outbox ON case_events;
CREATE TRIGGER case_events_outbox AFTER INSERT ON case_events
	FOR EACH ROW
	WHEN (NEW.kind = 'escalated'
	    OR (NEW.visible_to_complainant AND NEW.actor <> 'complainant'))
	EXECUTE FUNCTION outbox_on_event();
