-- The complainant's side made whole: what they sent, readable again on
-- /track with the receipt code alone, and the appeal right kept after a
-- case is closed, for the six months the decision page promises.

------------------------------------------------------------------------
-- What the complainant sent, for them alone
------------------------------------------------------------------------

ALTER TABLE cases ADD COLUMN complainant_copy_box bytea;
COMMENT ON COLUMN cases.complainant_copy_box IS 'The description and contact details as sent (JSON), XChaCha20-Poly1305 under a key only the receipt code derives; NULL for cases filed before it was kept.';

-- intake_complaint (0001) with the complainant's copy.  The signature
-- changes, so the old function goes.
DROP FUNCTION intake_complaint(bytea, bytea, bytea, text, text, date, text,
    boolean, boolean, boolean, boolean, bytea, bytea, bytea, bytea, bytea,
    bytea);

CREATE FUNCTION intake_complaint(
    p_token_hash bytea, p_body_hash bytea, p_receipt_box bytea,
    p_category text, p_channel text, p_occurred_on date, p_brand text,
    p_vulnerable boolean, p_consent_contact boolean,
    p_consent_publish boolean, p_consent_demographics boolean,
    p_receipt_hash bytea, p_complainant_pk bytea, p_complainant_salt bytea,
    p_data_key_sealed bytea, p_description_box bytea, p_contact_box bytea,
    p_copy_box bytea DEFAULT NULL,
    OUT outcome text, OUT reference text, OUT state text,
    OUT receipt_box bytea)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_id	bigint;
	v_queue	text;
	v_prio	smallint;
	v_body	bytea;
	v_seq	text;
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

	SELECT q.queue, q.priority INTO v_queue, v_prio
	FROM route_case(p_category, p_channel, p_vulnerable, p_brand) q;

	-- At least six digits; lpad alone would cut the millionth to six.
	v_seq := nextval('case_reference_seq')::text;
	reference := 'RC-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
	    lpad(v_seq, greatest(6, length(v_seq)), '0');
	INSERT INTO cases (id, reference, category, channel, occurred_on, brand,
	    vulnerable, consent_contact, consent_publish, consent_demographics,
	    queue, priority, receipt_hash, complainant_pk, complainant_salt,
	    data_key_sealed, description_box, contact_box,
	    complainant_copy_box)
	VALUES (v_id, reference, p_category, p_channel, p_occurred_on, p_brand,
	    p_vulnerable, p_consent_contact, p_consent_publish,
	    p_consent_demographics, v_queue, v_prio, p_receipt_hash,
	    p_complainant_pk, p_complainant_salt, p_data_key_sealed,
	    p_description_box, p_contact_box, p_copy_box);
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (v_id, 'received', 'complainant', true,
	    jsonb_build_object('queue', v_queue, 'priority', v_prio));
	outcome := 'created';
	state := 'received';
	receipt_box := NULL;
END $$;

------------------------------------------------------------------------
-- The appeal right survives closing
------------------------------------------------------------------------

-- Closing ends the reviewers' work, not the complainant's right: within
-- six months of the decision a closed case can still be appealed.
INSERT INTO case_transitions VALUES ('closed', 'appealed');

-- May this case be appealed now?  The one rule the page, the API and the
-- appeal itself share.  Returns 'ok', 'state' or 'too_late'.
CREATE FUNCTION case_appeal_check(c cases, d case_decisions) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
	    WHEN c.state NOT IN ('decided', 'closed') OR d.id IS NULL
	        OR d.on_appeal OR d.released_at IS NULL THEN 'state'
	    WHEN d.released_at + interval '6 months' <= now() THEN 'too_late'
	    ELSE 'ok' END
$$;

-- complainant_appeal (0002), now also from a closed case.
CREATE OR REPLACE FUNCTION complainant_appeal(p_receipt_hash bytea,
    p_grounds_box bytea, p_grounds_complainant_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
	d	case_decisions;
	v_check	text;
BEGIN
	SELECT * INTO c FROM cases WHERE receipt_hash = p_receipt_hash
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'not_found'; END IF;
	d := case_last_decision(c.id);
	v_check := case_appeal_check(c, d);
	IF v_check <> 'ok' THEN RETURN v_check; END IF;
	INSERT INTO case_appeals (case_id, decision_id, grounds_box,
	    grounds_complainant_box)
	VALUES (c.id, d.id, p_grounds_box, p_grounds_complainant_box);
	UPDATE cases SET state = 'appealed', appeal_excluded = d.decided_by,
	    assignee = NULL,
	    due_at = decision_due(now(), c.priority, c.vulnerable)
	WHERE id = c.id;
	PERFORM case_record(c, NULL, 'appealed', true,
	    jsonb_build_object('decision', d.id));
	RETURN 'ok';
END $$;

-- track_detail (0002) with the appeal rule above and what the complainant
-- sent: the clear fields and the copy only their code opens.  New output
-- columns change the row type, so the old function goes.
DROP FUNCTION track_detail(bytea);
CREATE FUNCTION track_detail(p_receipt_hash bytea, OUT public_state text,
    OUT complainant_pk bytea, OUT complainant_salt bytea,
    OUT can_reply boolean, OUT can_appeal boolean,
    OUT appeal_until timestamptz, OUT messages jsonb, OUT decisions jsonb,
    OUT appeals jsonb, OUT sent jsonb, OUT copy_box bytea)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	c	cases;
	d	case_decisions;
BEGIN
	SELECT * INTO c FROM cases x WHERE x.receipt_hash = p_receipt_hash;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	d := case_last_decision(c.id);
	public_state := case_public_state(c.id);
	complainant_pk := c.complainant_pk;
	complainant_salt := c.complainant_salt;
	can_reply := c.state NOT IN ('closed', 'rejected');
	appeal_until := d.released_at + interval '6 months';
	can_appeal := case_appeal_check(c, d) = 'ok';
	SELECT coalesce(jsonb_agg(jsonb_build_object('kind', m.kind, 'at', m.at,
	    'box', encode(m.complainant_box, 'hex')) ORDER BY m.at, m.id), '[]')
	INTO messages
	FROM case_messages m
	WHERE m.case_id = c.id AND m.complainant_box IS NOT NULL;
	SELECT coalesce(jsonb_agg(jsonb_build_object('outcome', x.outcome,
	    'remedies', x.remedies, 'automated', x.automated,
	    'on_appeal', x.on_appeal, 'at', x.released_at,
	    'box', encode(x.reasons_complainant_box, 'hex')) ORDER BY x.id), '[]')
	INTO decisions
	FROM case_decisions x
	WHERE x.case_id = c.id AND x.released_at IS NOT NULL;
	SELECT coalesce(jsonb_agg(jsonb_build_object('at', a.at,
	    'box', encode(a.grounds_complainant_box, 'hex')) ORDER BY a.id), '[]')
	INTO appeals
	FROM case_appeals a WHERE a.case_id = c.id;
	-- As sent at intake: triage may since have changed the category.
	SELECT jsonb_build_object('category', k.label, 'channel', ch.label,
	    'occurred_on', c.occurred_on, 'brand', c.brand,
	    'vulnerable', c.vulnerable, 'consent_contact', c.consent_contact,
	    'consent_publish', c.consent_publish,
	    'consent_demographics', c.consent_demographics)
	INTO sent
	FROM concern_categories k, channels ch
	WHERE k.code = coalesce((SELECT x.detail->'was'->>'category'
	        FROM case_events x WHERE x.case_id = c.id
	          AND x.kind = 'triaged' ORDER BY x.id LIMIT 1), c.category)
	  AND ch.code = c.channel;
	copy_box := c.complainant_copy_box;
END $$;
