-- 0015: the clocks as people see them.  What the case page's clock panel,
-- the work list's words, the supervisor's dashboard and /track read from
-- the scheduler's cache (case_clocks, 0011), and the staff actions on the
-- clocks: pause with an admin-defined reason, resume, the one extension.

------------------------------------------------------------------------
-- Pauses
------------------------------------------------------------------------

-- Every pause of a case, paired with the resume of the same reason that
-- ended it (to_at NULL while open).  Epoch seconds, as the engine counts.
CREATE FUNCTION case_pauses(p_case bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object(
	    'reason', p.detail->>'reason',
	    'label', coalesce(r.label, p.detail->>'reason'),
	    'system', coalesce(r.system, false),
	    'by', p.actor,
	    'by_name', (SELECT a.display_name FROM staff_accounts a
	        WHERE 'staff:' || a.id = p.actor),
	    'from', floor(extract(epoch FROM p.at))::bigint,
	    'to', floor(extract(epoch FROM x.at))::bigint)
	    ORDER BY p.at, p.id), '[]')
	FROM case_events p
	LEFT JOIN sla_pause_reasons r ON r.code = p.detail->>'reason'
	LEFT JOIN LATERAL (SELECT e.at FROM case_events e
	    WHERE e.case_id = p.case_id AND e.kind = 'clock_resumed'
	      AND e.detail->>'reason' = p.detail->>'reason'
	      AND (e.at, e.id) > (p.at, p.id)
	    ORDER BY e.at, e.id LIMIT 1) x ON true
	WHERE p.case_id = p_case AND p.kind = 'clock_paused'
	  -- A second pause of a reason already paused changes nothing.
	  AND NOT EXISTS (SELECT 1 FROM case_events q
	    WHERE q.case_id = p.case_id AND q.kind = 'clock_paused'
	      AND q.detail->>'reason' = p.detail->>'reason'
	      AND (q.at, q.id) < (p.at, p.id)
	      AND NOT EXISTS (SELECT 1 FROM case_events z
	        WHERE z.case_id = p.case_id AND z.kind = 'clock_resumed'
	          AND z.detail->>'reason' = p.detail->>'reason'
	          AND (z.at, z.id) > (q.at, q.id)
	          AND (z.at, z.id) < (p.at, p.id)))
$$;

-- The reasons whose pause is open now: the last pause or resume event of
-- each reason is a pause.
CREATE FUNCTION case_open_pauses(p_case bigint) RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT coalesce(array_agg(l.reason ORDER BY l.reason), '{}')
	FROM (SELECT DISTINCT ON (e.detail->>'reason')
	        e.detail->>'reason' AS reason, e.kind
	    FROM case_events e
	    WHERE e.case_id = p_case
	      AND e.kind IN ('clock_paused', 'clock_resumed')
	    ORDER BY e.detail->>'reason', e.at DESC, e.id DESC) l
	WHERE l.kind = 'clock_paused'
$$;

------------------------------------------------------------------------
-- Who may act on the clocks (as case_may, 0006, does for the others)
------------------------------------------------------------------------

-- 'ok' or why not: the rules of an internal note (assignee or supervisor,
-- case not closed), an open case, and for each verb:
--   clock_pause   a clock not met yet
--   clock_resume  a pause staff opened (p_reason given: that one)
--   clock_extend  the policy has an extension, the decision clock runs
--                 and has not breached; 'extended' once taken
CREATE FUNCTION case_clock_may(p_actor bigint, c cases, p_verb text,
    p_reason text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	text := case_may(p_actor, c, 'note');
	k	case_clocks;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF c.state IN ('closed', 'rejected') THEN RETURN 'state'; END IF;
	CASE p_verb
	WHEN 'clock_pause' THEN
		IF NOT EXISTS (SELECT 1 FROM case_clocks x
		    WHERE x.case_id = c.id AND x.state <> 'met') THEN
			RETURN 'state';
		END IF;
	WHEN 'clock_resume' THEN
		IF NOT EXISTS (SELECT 1 FROM unnest(case_open_pauses(c.id)) o
		    JOIN sla_pause_reasons r ON r.code = o
		    WHERE NOT r.system AND (p_reason IS NULL
		        OR r.code = p_reason)) THEN
			RETURN 'not_paused';
		END IF;
	WHEN 'clock_extend' THEN
		IF EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
		    AND e.kind = 'clock_extended') THEN
			RETURN 'extended';
		END IF;
		IF coalesce((SELECT jsonb_typeof(v.definition->'extension')
		    FROM sla_policy_versions v
		    WHERE v.id = c.sla_policy_version), 'null') <> 'object' THEN
			RETURN 'no_extension';
		END IF;
		SELECT * INTO k FROM case_clocks x
		WHERE x.case_id = c.id AND x.clock = 'decision';
		IF NOT FOUND OR k.state = 'met' OR k.breached_at IS NOT NULL
		    OR k.due_at <= now() THEN
			RETURN 'state';
		END IF;
	ELSE
		RETURN 'invalid';
	END CASE;
	RETURN 'ok';
END $$;

-- What the actor may do to the clocks now, for the panel's forms.
CREATE FUNCTION case_clock_actions(p_actor bigint, c cases) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'clock_pause', case_clock_may(p_actor, c, 'clock_pause') = 'ok',
	    'clock_resume', case_clock_may(p_actor, c, 'clock_resume') = 'ok',
	    'clock_extend', case_clock_may(p_actor, c, 'clock_extend') = 'ok')
$$;

------------------------------------------------------------------------
-- The actions.  Each returns 'ok' or why it did nothing, as the case_*
-- actions do; the words 'bad_reason', 'not_paused', 'already_paused',
-- 'extended' and 'no_extension' name a field's problem.  The events wake
-- the scheduler (0011's trigger), which recomputes the clocks.
------------------------------------------------------------------------

-- A note kept with a clock action: under the case data key, like any
-- internal note, so that its words stay out of events and the audit log.
CREATE FUNCTION case_clock_note(c cases, p_actor bigint, p_box bytea)
RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO case_messages (case_id, kind, author, body_box)
	SELECT c.id, 'note', p_actor, p_box WHERE p_box IS NOT NULL
	RETURNING id
$$;

CREATE FUNCTION case_clock_pause(p_actor bigint, p_reference text,
    p_reason text, p_note_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_clock_may(p_actor, c, 'clock_pause');
	v_note	bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF NOT EXISTS (SELECT 1 FROM sla_pause_reasons r
	    WHERE r.code = p_reason AND r.active AND NOT r.system) THEN
		RETURN 'bad_reason';
	END IF;
	IF p_reason = ANY (case_open_pauses(c.id)) THEN
		RETURN 'already_paused';
	END IF;
	v_note := case_clock_note(c, p_actor, p_note_box);
	PERFORM case_record(c, p_actor, 'clock_paused', false,
	    jsonb_strip_nulls(jsonb_build_object('reason', p_reason,
	        'by', 'staff:' || p_actor, 'note', v_note)));
	RETURN 'ok';
END $$;

CREATE FUNCTION case_clock_resume(p_actor bigint, p_reference text,
    p_reason text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_clock_may(p_actor, c, 'clock_resume', p_reason);
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	PERFORM case_record(c, p_actor, 'clock_resumed', false,
	    jsonb_build_object('reason', p_reason, 'by', 'staff:' || p_actor));
	RETURN 'ok';
END $$;

-- The reason is required (GDPR Art. 12(3)); its words are in the note
-- the event names.
CREATE FUNCTION case_clock_extend(p_actor bigint, p_reference text,
    p_reason_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_clock_may(p_actor, c, 'clock_extend');
	v_note	bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF p_reason_box IS NULL THEN RETURN 'invalid'; END IF;
	v_note := case_clock_note(c, p_actor, p_reason_box);
	PERFORM case_record(c, p_actor, 'clock_extended', false,
	    jsonb_build_object('reason', 'note', 'note', v_note,
	        'by', 'staff:' || p_actor));
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- Reading
------------------------------------------------------------------------

-- Everything the case page's clock panel explains: each started clock,
-- the policy's targets, the calendar (definition for the words), every
-- pause, the reasons staff may pause for, and what the actor may do.
-- NULL for a case out of reach.
CREATE FUNCTION case_clock_panel(p_actor bigint, p_reference text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases x WHERE x.reference = p_reference;
	IF NOT FOUND OR NOT staff_can_see(p_actor, c.queue, c.brand) THEN
		RETURN NULL;
	END IF;
	RETURN jsonb_build_object(
	    'clocks', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'clock', k.clock, 'state', k.state,
	        'started_at', floor(extract(epoch FROM k.started_at))::bigint,
	        'due_at', floor(extract(epoch FROM k.due_at))::bigint,
	        'met_at', floor(extract(epoch FROM k.met_at))::bigint,
	        'breached_at',
	        floor(extract(epoch FROM k.breached_at))::bigint,
	        'paused_seconds', k.paused_seconds,
	        'extended', k.extended)
	        ORDER BY array_position(ARRAY['acknowledge', 'response',
	            'decision', 'appeal'], k.clock)), '[]')
	        FROM case_clocks k WHERE k.case_id = c.id),
	    'policy', (SELECT jsonb_build_object('name', p.name,
	        'definition', v.definition)
	        FROM sla_policy_versions v JOIN sla_policies p
	        ON p.code = v.policy WHERE v.id = c.sla_policy_version),
	    'calendar', (SELECT jsonb_build_object('name', k.name,
	        'version', v.id, 'definition', v.definition::text)
	        FROM sla_calendar_versions v JOIN sla_calendars k
	        ON k.code = v.calendar WHERE v.id = c.sla_calendar_version),
	    'pauses', case_pauses(c.id),
	    'open', to_jsonb(case_open_pauses(c.id)),
	    'reasons', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', r.code, 'label', r.label) ORDER BY r.label), '[]')
	        FROM sla_pause_reasons r WHERE r.active AND NOT r.system),
	    'actions', case_clock_actions(p_actor, c));
END $$;

-- The work list's words for one row: the nearest clock not met (the one
-- cases.sla_due names), its unit, when its open pause began, and the
-- calendar it counts in.  Nothing for a case out of the actor's reach.
CREATE FUNCTION worklist_clock(p_actor bigint, p_case bigint,
    OUT clock text, OUT unit text, OUT due_at bigint,
    OUT paused_since bigint, OUT calendar_version bigint,
    OUT calendar text)
LANGUAGE sql STABLE AS $$
	SELECT k.clock, pv.definition->k.clock->>'unit',
	    floor(extract(epoch FROM k.due_at))::bigint,
	    (SELECT floor(extract(epoch FROM max(e.at)))::bigint
	        FROM case_events e WHERE e.case_id = c.id
	          AND e.kind = 'clock_paused' AND k.state = 'paused'),
	    cv.id, cv.definition::text
	FROM cases c
	JOIN case_clocks k ON k.case_id = c.id AND k.state <> 'met'
	JOIN sla_policy_versions pv ON pv.id = c.sla_policy_version
	JOIN sla_calendar_versions cv ON cv.id = c.sla_calendar_version
	WHERE c.id = p_case AND staff_can_see(p_actor, c.queue, c.brand)
	-- A clock that never falls due (NULL) comes last.
	ORDER BY k.due_at = c.sla_due DESC NULLS LAST, k.due_at, k.clock
	LIMIT 1
$$;

-- The oldest unacknowledged case is found without reading every clock.
CREATE INDEX case_clocks_unacknowledged_idx ON case_clocks (started_at)
	WHERE clock = 'acknowledge' AND met_at IS NULL;

-- The supervisor's SLA dashboard: open cases at risk and breached now
-- (their nearest clock, cases.sla_rank) by queue and by assignee, the
-- breaches recorded this quarter, and the oldest case whose acknowledge
-- clock has not been met.  Brand bars apply as everywhere.  NULL for
-- anyone but a supervisor.
CREATE FUNCTION sla_dashboard(p_actor bigint) RETURNS jsonb
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
		SELECT c.reference, k.started_at, cv.id AS cv,
		    cv.definition::text AS cal
		FROM case_clocks k JOIN cases c ON c.id = k.case_id
		JOIN sla_calendar_versions cv ON cv.id = c.sla_calendar_version
		WHERE k.clock = 'acknowledge' AND k.met_at IS NULL
		  AND c.state NOT IN ('closed', 'rejected')
		  AND (c.brand IS NULL
		    OR lower(btrim(c.brand)) <> ALL (v_bars))
		ORDER BY k.started_at, c.id LIMIT 1
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

-- What happens next, for the complainant (/track and the API): after
-- track_case() found the case.  The clock they wait on: the appeal's
-- while one runs, else the first response until it is met, else the
-- decision; 'waiting' while the case awaits their answer; NULL when
-- nothing is due from us.  Date in the calendar's zone (done in C).
CREATE FUNCTION track_next(p_receipt_hash bytea) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	c	cases;
	v_state	text;
	v_clock	text;
	k	case_clocks;
BEGIN
	SELECT * INTO c FROM cases x WHERE x.receipt_hash = p_receipt_hash;
	IF NOT FOUND THEN RETURN NULL; END IF;
	v_state := case_public_state(c.id);
	IF v_state IN ('closed', 'rejected') THEN RETURN NULL; END IF;
	IF c.state = 'awaiting_complainant' THEN
		RETURN jsonb_build_object('kind', 'waiting');
	END IF;
	IF v_state = 'appealed' THEN
		v_clock := 'appeal';
	ELSIF EXISTS (SELECT 1 FROM case_clocks x WHERE x.case_id = c.id
	    AND x.clock = 'response' AND x.state <> 'met') THEN
		v_clock := 'response';
	ELSE
		v_clock := 'decision';
	END IF;
	SELECT * INTO k FROM case_clocks x
	WHERE x.case_id = c.id AND x.clock = v_clock AND x.state <> 'met';
	IF NOT FOUND OR k.due_at IS NULL THEN RETURN NULL; END IF;
	RETURN jsonb_build_object('kind', CASE v_clock
	        WHEN 'response' THEN 'reply' WHEN 'appeal' THEN 'appeal'
	        ELSE 'decide' END,
	    'due_at', floor(extract(epoch FROM k.due_at))::bigint,
	    'late', k.breached_at IS NOT NULL,
	    'zone', (SELECT v.definition->>'zone' FROM sla_calendar_versions v
	        WHERE v.id = c.sla_calendar_version));
END $$;
