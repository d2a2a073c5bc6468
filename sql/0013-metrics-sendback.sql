-- Two parts of issue 10: the gauges GET /metrics reads from the database
-- (metrics_gauges), and the supervisor's send-back of a decision that
-- waits for its second signature (case_send_back).

------------------------------------------------------------------------
-- Metrics
------------------------------------------------------------------------

-- Every gauge /metrics takes from the database, one row per sample:
-- the metric's name (recourse_*), its HELP text, its labels and its value.
-- Rows of one metric come together (src/rt_metrics.c drops a metric that
-- comes back later).  Labels hold codes only: states, queue codes; never
-- a brand, a reference, a name or anything a complainant wrote.  Each
-- instance calls it through its own function below (a runtime role runs
-- only functions of its own: sql/grants.sql); the module caches the
-- answer per worker for RECOURSE_METRICS_CACHE_MS.
CREATE FUNCTION metrics_gauges()
RETURNS TABLE (metric text, help text, labels jsonb, value float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	-- Cases by state, every state (zero included) so that a state
	-- emptied does not vanish from the graphs.  The GROUP BY reads
	-- cases_worklist_state_idx only.
	RETURN QUERY SELECT 'recourse_cases'::text,
	    'Cases by workflow state.'::text,
	    jsonb_build_object('state', s.state::text),
	    coalesce(n.count, 0)::float8
	FROM unnest(enum_range(NULL::case_state)) AS s (state)
	LEFT JOIN (SELECT c.state, count(*) AS count FROM cases c
	    GROUP BY c.state) n ON n.state = s.state
	ORDER BY s.state;

	-- Decisions waiting for a supervisor's second signature.
	RETURN QUERY SELECT 'recourse_decisions_awaiting_signature'::text,
	    'Decisions waiting for a second signature (not sent back).'::text,
	    '{}'::jsonb, count(*)::float8
	FROM case_decisions d
	WHERE d.released_at IS NULL AND d.sent_back_at IS NULL;

	-- Open clocks at risk or breached, by queue and clock (through the
	-- partial index below: the other clocks are never read).
	RETURN QUERY SELECT 'recourse_clocks'::text,
	    'Service-level clocks at risk or breached now, by queue.'::text,
	    jsonb_build_object('queue', q.code, 'clock', k.clock,
	        'state', s.state), coalesce(n.count, 0)::float8
	FROM queues q
	CROSS JOIN unnest(ARRAY['acknowledge', 'response', 'decision',
	    'appeal']) AS k (clock)
	CROSS JOIN unnest(ARRAY['at_risk', 'breached']) AS s (state)
	LEFT JOIN (SELECT c.queue, x.clock, x.state, count(*) AS count
	    FROM case_clocks x JOIN cases c ON c.id = x.case_id
	    WHERE x.state IN ('at_risk', 'breached')
	    GROUP BY c.queue, x.clock, x.state) n
	    ON n.queue = q.code AND n.clock = k.clock AND n.state = s.state
	ORDER BY q.code, k.clock, s.state;

	-- How far the scheduler is behind: now minus the oldest recomputation
	-- that is due (0 when none is).
	RETURN QUERY SELECT 'recourse_scheduler_lag_seconds'::text,
	    'Now minus the oldest clock recomputation that is due.'::text,
	    '{}'::jsonb, coalesce(extract(epoch FROM now() -
	        min(c.next_check_at)), 0)::float8
	FROM cases c WHERE c.next_check_at <= now();

	-- The outbox (0012): how many messages wait (through outbox_due_idx)
	-- and how long the oldest of them has waited.
	RETURN QUERY SELECT 'recourse_outbox_queued'::text,
	    'Outbox messages waiting to be sent (depth).'::text, '{}'::jsonb,
	    count(*)::float8
	FROM outbox o WHERE o.state = 'queued';
	RETURN QUERY SELECT 'recourse_outbox_oldest_unsent_seconds'::text,
	    'Age of the oldest message not yet sent (0 when none).'::text,
	    '{}'::jsonb, coalesce(extract(epoch FROM now() -
	        min(o.created_at)), 0)::float8
	FROM outbox o WHERE o.state = 'queued';
END $$;

CREATE INDEX case_clocks_risk_idx ON case_clocks (state)
	WHERE state IN ('at_risk', 'breached');

-- The gauges as each instance reads them (the same today).
CREATE FUNCTION metrics_public()
RETURNS TABLE (metric text, help text, labels jsonb, value float8)
LANGUAGE sql STABLE AS $$ SELECT * FROM metrics_gauges() $$;
CREATE FUNCTION metrics_review()
RETURNS TABLE (metric text, help text, labels jsonb, value float8)
LANGUAGE sql STABLE AS $$ SELECT * FROM metrics_gauges() $$;

------------------------------------------------------------------------
-- Send-back: a supervisor who will not sign a decision returns it to the
-- reviewer with a written reason.  The case goes back to investigating
-- (an appeal decision to appealed, so that the next decision is again
-- one on the appeal, by someone other than the first decider); the
-- decision stays on the internal record, marked, and is never released;
-- the complainant sees no trace (the 'decided' event of a decision that
-- waits for a signature is already hidden, and so is 'sent_back').  The
-- clocks do not move: 'sent_back' means nothing to them (docs/SLA.md).
------------------------------------------------------------------------

INSERT INTO case_transitions VALUES ('decided', 'investigating');

ALTER TABLE case_decisions
	ADD COLUMN sent_back_at timestamptz,
	ADD COLUMN sent_back_by bigint REFERENCES staff_accounts,
	ADD CONSTRAINT case_decisions_sent_back_whole
	    CHECK ((sent_back_at IS NULL) = (sent_back_by IS NULL)),
	-- A decision sent back is never signed nor released.
	ADD CONSTRAINT case_decisions_sent_back_unreleased
	    CHECK (sent_back_at IS NULL OR (released_at IS NULL
	        AND signed_by IS NULL));
COMMENT ON COLUMN case_decisions.sent_back_at IS 'When a supervisor sent '
    'this unsigned decision back (the reason: the note the sent_back event '
    'names); kept, never released.';

-- case_may (0006) again: 'send_back' has the rules of 'sign' (the same
-- supervisors choose between the two), and a decision sent back no longer
-- keeps the case from closing.
CREATE OR REPLACE FUNCTION case_may(p_actor bigint, c cases, p_verb text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_sup	boolean;
	v_open	boolean;
	v_may	boolean;
	d	case_decisions;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	v_sup := staff_is(p_actor, 'supervisor');
	v_open := c.state NOT IN ('closed', 'rejected');
	-- Only the assignee works a case; a supervisor may act on any.
	v_may := c.assignee IS NOT DISTINCT FROM p_actor OR v_sup;
	CASE p_verb
	WHEN 'take' THEN
		IF NOT v_open THEN RETURN 'state'; END IF;
		IF c.appeal_excluded = p_actor THEN RETURN 'excluded'; END IF;
		IF c.assignee IS NOT NULL AND c.assignee <> p_actor
		    AND NOT v_sup THEN
			RETURN 'not_assigned';
		END IF;
	WHEN 'assign' THEN
		IF NOT v_open THEN RETURN 'state'; END IF;
		IF NOT v_sup THEN RETURN 'forbidden'; END IF;
	WHEN 'release' THEN
		IF NOT v_open THEN RETURN 'state'; END IF;
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
	WHEN 'triage' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state NOT IN ('received', 'triaged', 'investigating',
		    'awaiting_complainant') THEN
			RETURN 'state';
		END IF;
	WHEN 'investigate' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state <> 'triaged' THEN RETURN 'state'; END IF;
	WHEN 'note', 'message', 'link_duplicate' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state = 'closed' THEN RETURN 'state'; END IF;
	WHEN 'request_info' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state NOT IN ('triaged', 'investigating') THEN
			RETURN 'state';
		END IF;
	WHEN 'reject' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF NOT EXISTS (SELECT 1 FROM case_transitions
		    WHERE from_state = c.state AND to_state = 'rejected') THEN
			RETURN 'state';
		END IF;
	WHEN 'decide' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state NOT IN ('investigating', 'appealed') THEN
			RETURN 'state';
		END IF;
		-- The reviewer whose decision is appealed does not decide
		-- the appeal.
		IF c.state = 'appealed' AND c.appeal_excluded = p_actor THEN
			RETURN 'excluded';
		END IF;
	WHEN 'sign', 'send_back' THEN
		IF NOT v_sup THEN RETURN 'forbidden'; END IF;
		d := case_last_decision(c.id);
		IF c.state <> 'decided' OR d.id IS NULL
		    OR d.released_at IS NOT NULL THEN
			RETURN 'state';
		END IF;
		-- Neither the decider nor, on appeal, the reviewer whose
		-- decision is appealed may be the second signature, nor
		-- refuse to be it: a decider who sent their own draft back
		-- would bypass the review the signature stands for.
		IF d.decided_by = p_actor OR (d.on_appeal AND
		    c.appeal_excluded = p_actor) THEN
			RETURN 'excluded';
		END IF;
	WHEN 'close' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state NOT IN ('decided', 'rejected')
		    OR (c.state = 'decided'
		    AND EXISTS (SELECT 1 FROM case_decisions x
		        WHERE x.case_id = c.id AND x.released_at IS NULL
		          AND x.sent_back_at IS NULL)) THEN
			RETURN 'state';
		END IF;
	ELSE
		RETURN 'invalid';
	END CASE;
	RETURN 'ok';
END $$;

-- case_actions (0006) again, with 'send_back'.
CREATE OR REPLACE FUNCTION case_actions(p_actor bigint, p_reference text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	c	cases;
	v	text;
	r	jsonb := '{}';
	ok	boolean;
BEGIN
	SELECT * INTO c FROM cases x WHERE x.reference = p_reference;
	IF NOT FOUND OR NOT staff_can_see(p_actor, c.queue, c.brand) THEN
		RETURN r;
	END IF;
	FOREACH v IN ARRAY ARRAY['take', 'assign', 'release', 'triage',
	    'investigate', 'note', 'message', 'request_info', 'link_duplicate',
	    'reject', 'decide', 'sign', 'send_back', 'close'] LOOP
		ok := case_may(p_actor, c, v) = 'ok' AND CASE v
		    WHEN 'take' THEN c.assignee IS DISTINCT FROM p_actor
		    WHEN 'release' THEN c.assignee IS NOT NULL
		    WHEN 'assign' THEN EXISTS (SELECT 1
		        FROM case_assignable(p_actor, p_reference) a
		        WHERE a.id IS DISTINCT FROM c.assignee)
		    ELSE true END;
		r := r || jsonb_build_object(v, ok);
	END LOOP;
	RETURN r || jsonb_build_object('triage_priorities',
	    to_jsonb(case_triage_priorities(p_actor, c)));
END $$;

-- Sends the waiting decision back with a reason, stored as an internal
-- note (p_body_box: nonce || AEAD under the case data key, as case_note
-- stores it).  Returns 'ok' or why not, as every case action does.
CREATE FUNCTION case_send_back(p_actor bigint, p_reference text,
    p_body_box bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'send_back');
	d	case_decisions;
	v_to	case_state;
	v_id	bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	d := case_last_decision(c.id);
	v_to := CASE WHEN d.on_appeal THEN 'appealed'
	    ELSE 'investigating' END;
	INSERT INTO case_messages (case_id, kind, author, body_box)
	VALUES (c.id, 'note', p_actor, p_body_box) RETURNING id INTO v_id;
	UPDATE case_decisions SET sent_back_at = now(), sent_back_by = p_actor
	WHERE id = d.id;
	UPDATE cases SET state = v_to WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'sent_back', false,
	    jsonb_build_object('decision', d.id, 'message', v_id,
	        'to', v_to));
	RETURN 'ok';
END $$;
