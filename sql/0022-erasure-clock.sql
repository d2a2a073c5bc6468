-- The fifth service-level clock: the answer to a complainant's request for
-- erasure (docs/SLA.md), which a confirmed erasure or a recorded legal
-- hold meets; a policy that names no such clock gets one calendar month.
-- Supervisors are alerted at once when a complainant asks.  (/track reads
-- the clock's due instant through track_detail, 0021.)

ALTER TABLE case_clocks_recomputed DROP CONSTRAINT case_clocks_clock_check,
	ADD CONSTRAINT case_clocks_clock_check CHECK (clock IN ('acknowledge',
	    'response', 'decision', 'appeal', 'erasure'));

-- sla_store_clocks (0018) with the erasure clock in the clocks' order.
CREATE OR REPLACE FUNCTION sla_store_clocks(p_results jsonb, p_cases bigint[])
RETURNS TABLE (case_id bigint, clock text, pos integer, state text,
    started_at timestamptz, due_at timestamptz, at_risk_at timestamptz,
    met_at timestamptz, breached_at timestamptz,
    old_breached_at timestamptz, old_noted boolean, target_seconds bigint,
    elapsed_seconds bigint, paused_seconds bigint, extended boolean)
LANGUAGE sql STABLE AS $$
	SELECT r."case", k.clock,
	    array_position(ARRAY['acknowledge', 'response', 'decision',
	        'appeal', 'erasure'], k.clock),
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

-- outbox_for_event (0018): a complainant's request for erasure alerts the
-- supervisors who can see the case, like an escalation.
CREATE OR REPLACE FUNCTION outbox_for_event(e case_events) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases WHERE id = e.case_id;
	IF e.kind IN ('escalated', 'erasure_requested') THEN
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

-- case_events_after (0018): the request's alert is written too.
CREATE OR REPLACE FUNCTION case_events_after() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.kind IN ('escalated', 'erasure_requested')
	    OR (NEW.visible_to_complainant AND NEW.actor <> 'complainant') THEN
		PERFORM outbox_for_event(NEW);
	END IF;
	IF NEW.kind NOT IN ('received', 'clock_at_risk', 'clock_breached',
	    'escalated') THEN
		UPDATE cases SET next_check_at = now() WHERE id = NEW.case_id;
	END IF;
	RETURN NULL;
END $$;
