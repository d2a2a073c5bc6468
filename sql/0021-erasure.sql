-- Erasure of a case's personal data: asked for by the complainant with
-- their receipt code and confirmed by staff unless a legal hold is
-- recorded, or done by the retention pass a queue's retention period after
-- closing.  Erasure destroys the sealed data key, every ciphertext of the
-- case and the receipt code's hash; the clear statistics fields stay, so
-- that reports stay true.

------------------------------------------------------------------------
-- Retention per queue
------------------------------------------------------------------------

ALTER TABLE queues ADD COLUMN retention_months smallint NOT NULL DEFAULT 12
	CHECK (retention_months BETWEEN 1 AND 120);
COMMENT ON COLUMN queues.retention_months IS 'Months after closing until the personal data of a case of this queue is erased.';

------------------------------------------------------------------------
-- What a case keeps about its erasure
------------------------------------------------------------------------

ALTER TABLE cases
	ADD COLUMN closed_at timestamptz,
	ADD COLUMN erasure_requested_at timestamptz,
	ADD COLUMN legal_hold text
	    CHECK (length(btrim(legal_hold)) BETWEEN 1 AND 1000),
	ADD COLUMN legal_hold_at timestamptz,
	ADD COLUMN legal_hold_by bigint REFERENCES staff_accounts,
	ADD COLUMN erased_at timestamptz,
	ADD COLUMN erasure_basis text
	    CHECK (erasure_basis IN ('request', 'retention')),
	ALTER COLUMN receipt_hash DROP NOT NULL,
	ALTER COLUMN complainant_pk DROP NOT NULL,
	ALTER COLUMN complainant_salt DROP NOT NULL,
	ALTER COLUMN data_key_sealed DROP NOT NULL,
	ALTER COLUMN description_box DROP NOT NULL,
	ADD CONSTRAINT cases_legal_hold_recorded CHECK ((legal_hold IS NULL) =
	    (legal_hold_at IS NULL)),
	-- A case has all its secrets, or (erased) none of them.
	ADD CONSTRAINT cases_erased CHECK (CASE WHEN erased_at IS NULL THEN
	    receipt_hash IS NOT NULL AND complainant_pk IS NOT NULL
	    AND complainant_salt IS NOT NULL AND data_key_sealed IS NOT NULL
	    AND description_box IS NOT NULL AND erasure_basis IS NULL
	    ELSE receipt_hash IS NULL AND complainant_pk IS NULL
	    AND complainant_salt IS NULL AND data_key_sealed IS NULL
	    AND description_box IS NULL AND contact_box IS NULL
	    AND complainant_copy_box IS NULL AND why_shown_box IS NULL
	    AND demographics_box IS NULL AND erasure_basis IS NOT NULL
	    AND state = 'closed' END);
COMMENT ON COLUMN cases.closed_at IS 'When the case last ended, closed or rejected (retention counts from it); NULL while open.';
COMMENT ON COLUMN cases.erasure_requested_at IS 'When the complainant asked, with their receipt code, for their data to be erased.';
COMMENT ON COLUMN cases.legal_hold IS 'Why the personal data must be kept despite a request or retention (shown to the complainant); NULL when there is no hold.';
COMMENT ON COLUMN cases.erased_at IS 'When the personal data was destroyed; the clear statistics fields remain.';

-- Messages, decisions and appeals lose their boxes on erasure, all of
-- them at once (case_erase is the only writer of NULL).  The rule that a
-- note has no complainant's copy (0002) holds for the rows not erased.
ALTER TABLE case_messages ALTER COLUMN body_box DROP NOT NULL,
	DROP CONSTRAINT case_messages_check1,
	ADD CONSTRAINT case_messages_copy CHECK (CASE WHEN body_box IS NULL
	    THEN complainant_box IS NULL
	    ELSE (kind = 'note') = (complainant_box IS NULL) END);
ALTER TABLE case_decisions ALTER COLUMN reasons_box DROP NOT NULL,
	ALTER COLUMN reasons_complainant_box DROP NOT NULL,
	ADD CONSTRAINT case_decisions_erased CHECK ((reasons_box IS NULL) =
	    (reasons_complainant_box IS NULL));
ALTER TABLE case_appeals ALTER COLUMN grounds_box DROP NOT NULL,
	ALTER COLUMN grounds_complainant_box DROP NOT NULL,
	ADD CONSTRAINT case_appeals_erased CHECK ((grounds_box IS NULL) =
	    (grounds_complainant_box IS NULL));

-- closed_at follows the state, whoever changes it: a rejected case has
-- ended too, whether or not staff close it afterwards.
CREATE FUNCTION cases_closed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.closed_at := CASE WHEN NEW.state IN ('closed', 'rejected')
	    THEN now() END;
	RETURN NEW;
END $$;
CREATE TRIGGER cases_closed_at BEFORE UPDATE OF state ON cases
	FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION cases_closed_at();
UPDATE cases c SET closed_at = (SELECT max(e.at) FROM case_events e
    WHERE e.case_id = c.id AND e.kind = c.state::text)
WHERE c.state IN ('closed', 'rejected');
UPDATE cases SET closed_at = updated_at
WHERE state IN ('closed', 'rejected') AND closed_at IS NULL;

-- The retention pass reads only ended cases not yet erased.
CREATE INDEX cases_retention_idx ON cases (closed_at)
	WHERE state IN ('closed', 'rejected') AND erased_at IS NULL;

-- The state machine (0002) with one more way to 'closed': erasure ends an
-- open case (the complainant withdrew it), in the same UPDATE that erases
-- it, and only then.
CREATE OR REPLACE FUNCTION cases_check_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.state IS DISTINCT FROM OLD.state AND NOT (NEW.state = 'closed'
	    AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) THEN
		IF NOT EXISTS (SELECT 1 FROM case_transitions t
		    WHERE t.from_state = OLD.state AND t.to_state = NEW.state)
		THEN
			RAISE EXCEPTION 'case %: % -> % is not an allowed transition',
			    OLD.reference, OLD.state, NEW.state
			    USING ERRCODE = 'check_violation';
		END IF;
	END IF;
	RETURN NEW;
END $$;

------------------------------------------------------------------------
-- Erasure itself
------------------------------------------------------------------------

-- Destroys the personal data of case c (locked by the caller): its data
-- key, every box on it and its messages, decisions and appeals, the replay
-- rows of its intake and the receipt code's hash, so that the code
-- answers as an unknown one.  Closes an open case.  The actor is a member
-- of staff, or NULL for the retention pass.
CREATE FUNCTION case_erase(c cases, p_actor bigint, p_basis text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_actor	text := CASE WHEN p_actor IS NULL THEN 'system'
		    ELSE 'staff:' || p_actor END;
	v_detail jsonb := jsonb_build_object('basis', p_basis,
		    'state_was', c.state);
BEGIN
	UPDATE cases SET state = 'closed',
	    assignee = CASE WHEN c.state = 'closed' THEN assignee END,
	    receipt_hash = NULL, complainant_pk = NULL,
	    complainant_salt = NULL, data_key_sealed = NULL,
	    description_box = NULL, contact_box = NULL,
	    complainant_copy_box = NULL, why_shown_box = NULL,
	    demographics_box = NULL, erased_at = now(),
	    erasure_basis = p_basis
	WHERE id = c.id;
	UPDATE case_messages SET body_box = NULL, complainant_box = NULL
	WHERE case_id = c.id;
	UPDATE case_decisions SET reasons_box = NULL,
	    reasons_complainant_box = NULL
	WHERE case_id = c.id;
	UPDATE case_appeals SET grounds_box = NULL,
	    grounds_complainant_box = NULL
	WHERE case_id = c.id;
	DELETE FROM intake_requests WHERE case_id = c.id;
	UPDATE outbox SET state = 'cancelled'
	WHERE case_id = c.id AND kind = 'complainant_note' AND state = 'queued';
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (c.id, 'erased', v_actor, false, v_detail);
	PERFORM audit(v_actor, 'case.erased', 'case:' || c.reference,
	    v_detail);
END $$;

-- The complainant asks for erasure: 'ok', 'not_found' or 'already'.  A
-- legal hold already recorded answers the request at once (the erasure
-- clock, docs/SLA.md, is met by 'erasure_held'); lifting it later asks
-- staff again ('erasure_resumed', in case_lift_hold).
CREATE FUNCTION complainant_request_erasure(p_receipt_hash bytea)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases WHERE receipt_hash = p_receipt_hash
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'not_found'; END IF;
	IF c.erasure_requested_at IS NOT NULL THEN RETURN 'already'; END IF;
	UPDATE cases SET erasure_requested_at = now() WHERE id = c.id;
	PERFORM case_record(c, NULL, 'erasure_requested', true);
	IF c.legal_hold IS NOT NULL THEN
		INSERT INTO case_events (case_id, kind, actor,
		    visible_to_complainant)
		VALUES (c.id, 'erasure_held', 'system', false);
	END IF;
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- Staff: confirm, hold, lift a hold
------------------------------------------------------------------------

-- case_may (0013) for the erasure verbs; the others as before.  A
-- complainant's request is answered (confirmed, or held) by any reviewer
-- who can see the case when nobody else holds it, or by a supervisor.
-- Without a request only a supervisor records a hold (against retention),
-- and only a supervisor lifts one.
ALTER FUNCTION case_may(bigint, cases, text) RENAME TO case_may_before_erasure;

CREATE FUNCTION case_may(p_actor bigint, c cases, p_verb text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_sup	boolean;
BEGIN
	IF p_verb NOT IN ('erase', 'hold', 'lift_hold') THEN
		RETURN case_may_before_erasure(p_actor, c, p_verb);
	END IF;
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	v_sup := staff_is(p_actor, 'supervisor');
	IF NOT (v_sup OR staff_is(p_actor, 'reviewer')) THEN
		RETURN 'forbidden';
	END IF;
	IF c.assignee IS NOT NULL AND c.assignee <> p_actor AND NOT v_sup THEN
		RETURN 'not_assigned';
	END IF;
	IF c.erased_at IS NOT NULL THEN RETURN 'state'; END IF;
	CASE p_verb
	WHEN 'erase' THEN
		IF c.erasure_requested_at IS NULL OR c.legal_hold IS NOT NULL
		THEN
			RETURN 'state';
		END IF;
	WHEN 'hold' THEN
		IF c.legal_hold IS NOT NULL THEN RETURN 'state'; END IF;
		IF c.erasure_requested_at IS NULL AND NOT v_sup THEN
			RETURN 'forbidden';
		END IF;
	WHEN 'lift_hold' THEN
		IF NOT v_sup THEN RETURN 'forbidden'; END IF;
		IF c.legal_hold IS NULL THEN RETURN 'state'; END IF;
	END CASE;
	RETURN 'ok';
END $$;

ALTER FUNCTION case_actions(bigint, text) RENAME TO case_actions_before_erasure;

CREATE FUNCTION case_actions(p_actor bigint, p_reference text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	r	jsonb := case_actions_before_erasure(p_actor, p_reference);
	c	cases;
BEGIN
	IF r = '{}' THEN RETURN r; END IF;
	SELECT * INTO c FROM cases x WHERE x.reference = p_reference;
	RETURN r || jsonb_build_object(
	    'erase', case_may(p_actor, c, 'erase') = 'ok',
	    'hold', case_may(p_actor, c, 'hold') = 'ok',
	    'lift_hold', case_may(p_actor, c, 'lift_hold') = 'ok');
END $$;

-- The complainant's request confirmed: everything personal destroyed.
CREATE FUNCTION case_erase_confirm(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'erase');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	PERFORM case_erase(c, p_actor, 'request');
	RETURN 'ok';
END $$;

-- A legal hold with its reason, which the complainant reads: neither a
-- request nor retention erases the case until a supervisor lifts it.
CREATE FUNCTION case_legal_hold(p_actor bigint, p_reference text,
    p_reason text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'hold');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 1000
	THEN
		RETURN 'invalid';
	END IF;
	UPDATE cases SET legal_hold = btrim(p_reason), legal_hold_at = now(),
	    legal_hold_by = p_actor
	WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'legal_hold', true);
	RETURN 'ok';
END $$;

CREATE FUNCTION case_lift_hold(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'lift_hold');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	UPDATE cases SET legal_hold = NULL, legal_hold_at = NULL,
	    legal_hold_by = NULL
	WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'legal_hold_lifted', true);
	/* A request the hold answered is pending again: its clock restarts. */
	IF c.erasure_requested_at IS NOT NULL THEN
		PERFORM case_record(c, p_actor, 'erasure_resumed', false);
	END IF;
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- Retention
------------------------------------------------------------------------

-- Erases up to p_limit ended cases (closed, or rejected and left so) whose
-- queue's retention period has passed since they ended, that no legal hold
-- keeps and whose decision can no longer be appealed (six months from its
-- release, 0004: a short retention never takes the right away); returns
-- how many.
-- Each case once: erased_at leaves the index the pass reads, and a case
-- another pass holds locked is skipped.  The test clock moves now only
-- when the caller says so (RECOURSE_TEST_CLOCK).
CREATE FUNCTION retention_pass(p_test_clock boolean, p_limit integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_now	timestamptz := sla_now(p_test_clock);
	c	cases;
	n	integer := 0;
BEGIN
	FOR c IN SELECT x.* FROM cases x JOIN queues q ON q.code = x.queue
	    WHERE x.state IN ('closed', 'rejected') AND x.erased_at IS NULL
	      AND x.legal_hold IS NULL
	      AND x.closed_at < v_now - make_interval(
	          months => q.retention_months)
	      AND NOT EXISTS (SELECT 1 FROM case_decisions d
	          WHERE d.case_id = x.id
	            AND d.released_at > v_now - interval '6 months')
	    ORDER BY x.closed_at LIMIT p_limit
	    FOR UPDATE OF x SKIP LOCKED LOOP
		PERFORM case_erase(c, NULL, 'retention');
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;

------------------------------------------------------------------------
-- What staff and the complainant read
------------------------------------------------------------------------

ALTER FUNCTION case_read(bigint, text) RENAME TO case_read_before_erasure;

CREATE FUNCTION case_read(p_actor bigint, p_reference text)
RETURNS TABLE (id bigint, reference text, state text, category text,
    channel text, occurred_on date, brand text, vulnerable boolean,
    consent_contact boolean, consent_publish boolean,
    consent_demographics boolean, queue text, priority smallint,
    received_at text, updated_at text, clocks jsonb,
    assignee bigint, assignee_name text, appeal_excluded bigint,
    duplicate_of text, duplicates jsonb, complainant_salt bytea,
    data_key_sealed bytea, description_box bytea, contact_box bytea,
    events jsonb, messages jsonb, decisions jsonb, appeals jsonb,
    escalated_at text, targeting_reasons jsonb, ai_disclosed text,
    why_shown_box bytea, erasure jsonb)
LANGUAGE sql AS $$
	SELECT r.*, jsonb_build_object(
	    'requested_at', utc_text(c.erasure_requested_at),
	    'legal_hold', c.legal_hold,
	    'legal_hold_at', utc_text(c.legal_hold_at),
	    'erased_at', utc_text(c.erased_at),
	    'basis', c.erasure_basis,
	    'retention_months', q.retention_months,
	    'closed_at', utc_text(c.closed_at))
	FROM case_read_before_erasure(p_actor, p_reference) r
	JOIN cases c ON c.id = r.id
	JOIN queues q ON q.code = c.queue
$$;

-- track_detail (0019) with the erasure request, any hold, the retention
-- period and, while the erasure clock (0022) runs, its due instant, in
-- 'sent'.
ALTER FUNCTION track_detail(bytea) RENAME TO track_detail_before_erasure;

CREATE FUNCTION track_detail(p_receipt_hash bytea, OUT public_state text,
    OUT complainant_pk bytea, OUT complainant_salt bytea,
    OUT can_reply boolean, OUT can_appeal boolean,
    OUT appeal_until timestamptz, OUT messages jsonb, OUT decisions jsonb,
    OUT appeals jsonb, OUT sent jsonb, OUT copy_box bytea)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT d.public_state, d.complainant_pk, d.complainant_salt,
	    d.can_reply, d.can_appeal, d.appeal_until, d.messages,
	    d.decisions, d.appeals,
	    d.sent || jsonb_build_object(
	        'erasure_requested_at', utc_text(c.erasure_requested_at),
	        'legal_hold', c.legal_hold,
	        'retention_months', q.retention_months,
	        'erasure_due', (SELECT utc_text(k.due_at) FROM case_clocks k
	            WHERE k.case_id = c.id AND k.clock = 'erasure'
	              AND k.met_at IS NULL)),
	    d.copy_box
	FROM track_detail_before_erasure(p_receipt_hash) d
	JOIN cases c ON c.receipt_hash = p_receipt_hash
	JOIN queues q ON q.code = c.queue
$$;

------------------------------------------------------------------------
-- Administration: each queue's retention period
------------------------------------------------------------------------

DROP FUNCTION admin_queue_save(bigint, text, text, text);
CREATE FUNCTION admin_queue_save(p_actor bigint, p_code text,
    p_name text, p_active text, p_retention text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
	v_months smallint;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_code IS NULL OR p_code !~ '^[a-z][a-z_]{1,39}$' THEN
		e := admin_err(e, 'code', 'Use 2 to 40 lower-case letters or '
		    'underscores, starting with a letter.');
	END IF;
	e := admin_name_err(e, p_name, 'Name the queue (up to 100 '
	    'characters).');
	IF p_active IS DISTINCT FROM 'yes' AND p_code = 'general' THEN
		e := admin_err(e, 'active', 'The general queue takes every '
		    'case no rule routes; it stays active.');
	ELSIF p_active IS DISTINCT FROM 'yes' AND EXISTS (SELECT 1
	    FROM routing_rules WHERE queue = p_code) THEN
		e := admin_err(e, 'active', 'Rules still route cases here; '
		    'delete them first.');
	END IF;
	IF btrim(p_retention) ~ '^[0-9]{1,3}$' THEN
		v_months := btrim(p_retention)::smallint;
	END IF;
	IF v_months IS NULL OR v_months NOT BETWEEN 1 AND 120 THEN
		e := admin_err(e, 'retention_months', 'Give a whole number of '
		    'months from 1 to 120.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO queues (code, name, active, retention_months)
	VALUES (p_code, btrim(p_name), p_active = 'yes', v_months)
	ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
	    active = EXCLUDED.active,
	    retention_months = EXCLUDED.retention_months;
	PERFORM audit('staff:' || p_actor, 'queue.save', 'queue:' || p_code,
	    jsonb_build_object('name', btrim(p_name),
	        'active', p_active = 'yes', 'retention_months', v_months));
	RETURN 'ok';
END $$;

-- admin_config (0019) with each queue's retention period.
ALTER FUNCTION admin_config(bigint) RENAME TO admin_config_before_retention;

CREATE FUNCTION admin_config(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_set(c, '{queues}', (SELECT coalesce(jsonb_agg(
	    x || jsonb_build_object('retention_months', q.retention_months)
	    ORDER BY n), '[]')
	    FROM jsonb_array_elements(c->'queues') WITH ORDINALITY e (x, n)
	    JOIN queues q ON q.code = x->>'code'))
	FROM admin_config_before_retention(p_actor) c
	WHERE c IS NOT NULL
$$;

-- The privacy notice: how long each active queue keeps personal data.
-- Both instances show it; each runs its own function (grants.sql).
CREATE FUNCTION privacy_retention() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('default', (SELECT retention_months
	        FROM queues WHERE code = 'general'),
	    'queues', coalesce(jsonb_agg(jsonb_build_object('name', q.name,
	        'months', q.retention_months) ORDER BY q.name), '[]'))
	FROM queues q WHERE q.active
$$;

CREATE FUNCTION staff_privacy_retention() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT privacy_retention()
$$;
