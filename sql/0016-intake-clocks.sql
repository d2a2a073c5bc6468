-- Filing writes a new case's clocks itself.  Before, every new case cost
-- the scheduler a pass of its own (a lease, the clocks, the case's row
-- again): twice the writes of the complaint.  The public worker now reads
-- the current policy and calendar versions every few seconds
-- (sla_current_definitions), computes the clocks of a case received in
-- the current second for every (policy, calendar) pair with the same
-- engine as the scheduler (src/intake_clocks.c), and passes them to
-- intake_complaint, which keeps the pair routing chose.  Versions are
-- immutable, so a pair is exact or absent: when the worker's copy is out
-- of date, or the statement runs in a later second than the clocks were
-- computed for, the case is stored as before and the scheduler computes
-- it at once.

-- The current version of every policy and calendar, with its definition.
CREATE FUNCTION sla_current_definitions(OUT kind text, OUT version bigint,
    OUT definition text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT 'policy', v.id, v.definition::text
	FROM sla_policies p JOIN sla_policy_versions v
	    ON v.id = p.current_version
	UNION ALL
	SELECT 'calendar', v.id, v.definition::text
	FROM sla_calendars k JOIN sla_calendar_versions v
	    ON v.id = k.current_version
$$;

-- sla_versions (0011) in PL/pgSQL: a LANGUAGE sql function that is not
-- inlined (one returning a row, called from PL/pgSQL) is planned again at
-- every call, a fifth of a millisecond of every filing; PL/pgSQL keeps the
-- plan.
CREATE OR REPLACE FUNCTION sla_versions(p_policy text, p_queue text,
    p_priority smallint, p_vulnerable boolean, OUT policy_version bigint,
    OUT calendar_version bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	SELECT p.current_version, k.current_version
	INTO policy_version, calendar_version
	FROM sla_policies p, sla_calendars k
	WHERE p.code = coalesce(p_policy, CASE
	        WHEN case_urgent(p_priority, p_vulnerable) THEN 'urgent'
	        ELSE 'standard' END)
	  AND k.code = coalesce((SELECT q.calendar FROM queues q
	        WHERE q.code = p_queue), 'default');
END $$;

-- intake_complaint (0011) with the clocks the public worker computed:
--   {"at": epoch second, "pairs": {"<policy version>:<calendar version>":
--    {"next": epoch, "due": epoch, "clocks": [[clock, due, at risk,
--    target seconds], ...]}}}
-- Each clock running since "at", nothing elapsed or paused: only pairs
-- whose clocks all simply run are offered (src/intake_clocks.c).
DROP FUNCTION intake_complaint(bytea, bytea, bytea, text, text, date, text,
    boolean, boolean, boolean, boolean, bytea, bytea, bytea, bytea, bytea,
    bytea, bytea);
CREATE FUNCTION intake_complaint(
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
	v_policy	text;
	v_body		bytea;
	v_seq		text;
	v_pv		bigint;
	v_cv		bigint;
	v_pair		jsonb;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM concern_categories c
	    WHERE c.code = p_category AND c.active) THEN
		outcome := 'bad_category';
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM channels c
	    WHERE c.code = p_channel AND c.active) THEN
		outcome := 'bad_channel';
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

	SELECT q.queue, q.priority, q.policy INTO v_queue, v_prio, v_policy
	FROM route_case(p_category, p_channel, p_vulnerable, p_brand) q;
	SELECT s.policy_version, s.calendar_version INTO v_pv, v_cv
	FROM sla_versions(v_policy, v_queue, v_prio, p_vulnerable) s;
	-- The public worker's clocks for this second and these versions, if
	-- it computed them; else the scheduler computes them at once.
	IF (p_clocks->>'at')::bigint = floor(extract(epoch FROM now())) THEN
		v_pair := p_clocks->'pairs'->(v_pv::text || ':' || v_cv::text);
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
	    sla_due, next_check_at)
	VALUES (v_id, reference, p_category, p_channel, p_occurred_on, p_brand,
	    p_vulnerable, p_consent_contact, p_consent_publish,
	    p_consent_demographics, v_queue, v_prio, p_receipt_hash,
	    p_complainant_pk, p_complainant_salt, p_data_key_sealed,
	    p_description_box, p_contact_box, p_copy_box, v_pv, v_cv,
	    coalesce(sla_instant(v_pair->'due'), 'infinity'),
	    coalesce(sla_instant(v_pair->'next'), now()));
	INSERT INTO case_clocks (case_id, clock, state, started_at, due_at,
	    at_risk_at, target_seconds, elapsed_seconds, paused_seconds,
	    computed_at)
	SELECT v_id, k->>0, 'running', to_timestamp((p_clocks->>'at')::bigint),
	    sla_instant(k->1), sla_instant(k->2), (k->>3)::bigint, 0, 0, now()
	FROM jsonb_array_elements(v_pair->'clocks') k;
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (v_id, 'received', 'complainant', true,
	    jsonb_build_object('queue', v_queue, 'priority', v_prio));
	outcome := 'created';
	state := 'received';
	receipt_box := NULL;
END $$;
