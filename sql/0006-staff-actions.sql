-- Who may do what to a case, in one place: case_may() holds the rules
-- (role, assignment, state, appeal exclusion, second signature) that every
-- case_* action function checks first, and case_actions() asks it for each
-- verb so that the case page offers exactly the actions that would be
-- carried out.  Also: the staff API's instants to the second, in UTC.

-- 'ok' or the word the action function answers when the actor may not do
-- 'p_verb' to the case now ('not_found', 'not_assigned', 'state',
-- 'forbidden', 'excluded').  Only the rules that depend on who asks and on
-- the case; checks of the action's own inputs stay in the action.  'c' is
-- NULL (no id) for a case out of the actor's reach.
CREATE FUNCTION case_may(p_actor bigint, c cases, p_verb text)
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
	WHEN 'sign' THEN
		IF NOT v_sup THEN RETURN 'forbidden'; END IF;
		d := case_last_decision(c.id);
		IF c.state <> 'decided' OR d.id IS NULL
		    OR d.released_at IS NOT NULL THEN
			RETURN 'state';
		END IF;
		-- Neither the decider nor, on appeal, the reviewer whose
		-- decision is appealed may be the second signature.
		IF d.decided_by = p_actor OR (d.on_appeal AND
		    c.appeal_excluded = p_actor) THEN
			RETURN 'excluded';
		END IF;
	WHEN 'close' THEN
		IF NOT v_may THEN RETURN 'not_assigned'; END IF;
		IF c.state NOT IN ('decided', 'rejected')
		    OR (c.state = 'decided'
		    AND EXISTS (SELECT 1 FROM case_decisions x
		        WHERE x.case_id = c.id AND x.released_at IS NULL)) THEN
			RETURN 'state';
		END IF;
	ELSE
		RETURN 'invalid';
	END CASE;
	RETURN 'ok';
END $$;

-- The priorities triage may set: below high priority (3) only a
-- supervisor may take a case that is at it or above, since high priority
-- means a second signature on the decision.
CREATE FUNCTION case_triage_priorities(p_actor bigint, c cases)
RETURNS smallint[] LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN c.priority >= 3 AND NOT staff_is(p_actor, 'supervisor')
	    THEN ARRAY[3, 4]::smallint[] ELSE ARRAY[1, 2, 3, 4]::smallint[] END
$$;

-- What the actor may do to the case now: {"take": true, ...} for every
-- verb, and the priorities triage may set.  An action that would change
-- nothing (taking one's own case, releasing an unassigned one, assigning
-- when nobody can be chosen) is not offered.  '{}' for a case out of reach.
CREATE FUNCTION case_actions(p_actor bigint, p_reference text)
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
	    'reject', 'decide', 'sign', 'close'] LOOP
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

-- case_page_options (0002) again, with what the actor may do.
CREATE OR REPLACE FUNCTION case_page_options(p_actor bigint, p_reference text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'queues', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', q.code, 'name', q.name) ORDER BY q.name), '[]')
	        FROM queues q WHERE q.active),
	    'categories', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', k.code, 'label', k.label) ORDER BY k.position), '[]')
	        FROM concern_categories k WHERE k.active),
	    'assignable', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', a.id, 'name', a.display_name)), '[]')
	        FROM case_assignable(p_actor, p_reference) a),
	    'actions', case_actions(p_actor, p_reference))
$$;

------------------------------------------------------------------------
-- The action functions of 0002, each now asking case_may() first.
------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION case_take(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'take');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF c.assignee = p_actor THEN RETURN 'ok'; END IF;
	UPDATE cases SET assignee = p_actor WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'assigned', false,
	    jsonb_build_object('to', p_actor, 'from', c.assignee));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_assign(p_actor bigint, p_reference text,
    p_to bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text;
BEGIN
	IF p_to IS NULL THEN
		v := case_may(p_actor, c, 'release');
		IF v <> 'ok' THEN RETURN v; END IF;
		IF c.assignee IS NULL THEN RETURN 'ok'; END IF;
		UPDATE cases SET assignee = NULL WHERE id = c.id;
		PERFORM case_record(c, p_actor, 'released', false,
		    jsonb_build_object('from', c.assignee));
		RETURN 'ok';
	END IF;
	v := case_may(p_actor, c, 'assign');
	IF v <> 'ok' THEN RETURN v; END IF;
	-- The new assignee must be able to see the case (queue, brand bars)
	-- and must not be the reviewer whose decision is appealed.
	IF NOT (staff_is(p_to, 'reviewer') OR staff_is(p_to, 'supervisor'))
	    OR NOT staff_can_see(p_to, c.queue, c.brand) THEN
		RETURN 'invalid';
	END IF;
	IF c.appeal_excluded = p_to THEN RETURN 'excluded'; END IF;
	IF c.assignee = p_to THEN RETURN 'ok'; END IF;
	UPDATE cases SET assignee = p_to WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'assigned', false,
	    jsonb_build_object('to', p_to, 'from', c.assignee));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_triage(p_actor bigint, p_reference text,
    p_category text, p_priority smallint, p_queue text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'triage');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF NOT EXISTS (SELECT 1 FROM concern_categories
	    WHERE code = p_category AND active)
	    OR p_priority NOT BETWEEN 1 AND 4
	    OR NOT EXISTS (SELECT 1 FROM queues
	    WHERE code = coalesce(p_queue, c.queue) AND active) THEN
		RETURN 'invalid';
	END IF;
	IF p_priority <> ALL (case_triage_priorities(p_actor, c)) THEN
		RETURN 'forbidden';
	END IF;
	UPDATE cases SET category = p_category, priority = p_priority,
	    queue = coalesce(p_queue, c.queue),
	    state = CASE WHEN c.state = 'received' THEN 'triaged'
	        ELSE c.state END,
	    due_at = CASE WHEN c.state = 'received'
	        THEN decision_due(c.received_at, p_priority, c.vulnerable)
	        ELSE c.due_at END
	WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'triaged', c.state = 'received',
	    jsonb_build_object('category', p_category, 'priority', p_priority,
	        'queue', coalesce(p_queue, c.queue),
	        'was', jsonb_build_object('category', c.category,
	            'priority', c.priority, 'queue', c.queue)));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_investigate(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'investigate');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	UPDATE cases SET state = 'investigating' WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'investigating', true);
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_note(p_actor bigint, p_reference text,
    p_body_box bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'note');
	v_id	bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	INSERT INTO case_messages (case_id, kind, author, body_box)
	VALUES (c.id, 'note', p_actor, p_body_box) RETURNING id INTO v_id;
	PERFORM case_record(c, p_actor, 'note', false,
	    jsonb_build_object('message', v_id));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_message(p_actor bigint, p_reference text,
    p_body_box bytea, p_complainant_box bytea, p_request_info boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, CASE WHEN p_request_info
		    THEN 'request_info' ELSE 'message' END);
	v_id	bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	INSERT INTO case_messages (case_id, kind, author, body_box,
	    complainant_box)
	VALUES (c.id, 'to_complainant', p_actor, p_body_box, p_complainant_box)
	RETURNING id INTO v_id;
	IF p_request_info THEN
		UPDATE cases SET state = 'awaiting_complainant' WHERE id = c.id;
	END IF;
	PERFORM case_record(c, p_actor, CASE WHEN p_request_info
	    THEN 'information_requested' ELSE 'message' END, true,
	    jsonb_build_object('message', v_id));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_link_duplicate(p_actor bigint,
    p_reference text, p_original text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'link_duplicate');
	o	cases;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	SELECT * INTO o FROM cases WHERE reference = p_original;
	IF NOT FOUND OR o.id = c.id OR
	    NOT staff_can_see(p_actor, o.queue, o.brand) THEN
		RETURN 'invalid';
	END IF;
	UPDATE cases SET duplicate_of = o.id WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'linked_duplicate', false,
	    jsonb_build_object('original', o.reference));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_reject(p_actor bigint, p_reference text,
    p_body_box bytea, p_complainant_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'reject');
	v_id	bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	INSERT INTO case_messages (case_id, kind, author, body_box,
	    complainant_box)
	VALUES (c.id, 'to_complainant', p_actor, p_body_box, p_complainant_box)
	RETURNING id INTO v_id;
	UPDATE cases SET state = 'rejected' WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'rejected', true,
	    jsonb_build_object('message', v_id));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_decide(p_actor bigint, p_reference text,
    p_outcome text, p_remedies text[], p_automated boolean,
    p_reasons_box bytea, p_reasons_complainant_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c		cases := case_for_action(p_actor, p_reference);
	v		text := case_may(p_actor, c, 'decide');
	v_appeal	boolean;
	v_sign		boolean;
	v_id		bigint;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	v_appeal := c.state = 'appealed';
	v_sign := v_appeal OR c.priority >= 3;
	INSERT INTO case_decisions (case_id, on_appeal, outcome, remedies,
	    automated, reasons_box, reasons_complainant_box, decided_by,
	    needs_signature, released_at)
	VALUES (c.id, v_appeal, p_outcome, p_remedies, p_automated,
	    p_reasons_box, p_reasons_complainant_box, p_actor, v_sign,
	    CASE WHEN v_sign THEN NULL ELSE now() END)
	RETURNING id INTO v_id;
	UPDATE cases SET state = 'decided' WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'decided', NOT v_sign,
	    jsonb_build_object('decision', v_id, 'outcome', p_outcome,
	        'on_appeal', v_appeal, 'needs_signature', v_sign));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_sign(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'sign');
	d	case_decisions;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	d := case_last_decision(c.id);
	UPDATE case_decisions SET signed_by = p_actor, signed_at = now(),
	    released_at = now()
	WHERE id = d.id;
	PERFORM case_record(c, p_actor, 'signed', false,
	    jsonb_build_object('decision', d.id));
	PERFORM case_record(c, p_actor, 'decision_published', true,
	    jsonb_build_object('decision', d.id));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION case_close(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'close');
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	UPDATE cases SET state = 'closed', assignee = NULL WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'closed', true);
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- case_read (0002) again: every instant in its lists as utc_text(), to
-- the second with Z, like the columns (the API documents one format).
------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION case_read(p_actor bigint, p_reference text)
RETURNS TABLE (id bigint, reference text, state text, category text,
    channel text, occurred_on date, brand text, vulnerable boolean,
    consent_contact boolean, consent_publish boolean,
    consent_demographics boolean, queue text, priority smallint,
    received_at text, updated_at text, due_at text,
    assignee bigint, assignee_name text, appeal_excluded bigint,
    duplicate_of text, duplicates jsonb, complainant_salt bytea,
    data_key_sealed bytea, description_box bytea, contact_box bytea,
    events jsonb, messages jsonb, decisions jsonb, appeals jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	c		cases;
	v_contact	boolean;
BEGIN
	SELECT * INTO c FROM cases x WHERE x.reference = p_reference;
	IF NOT FOUND OR NOT staff_can_see(p_actor, c.queue, c.brand) THEN
		RETURN;
	END IF;
	-- Contact details: only when the complainant asked to be contacted,
	-- and only for the reviewer working the case or a supervisor.
	v_contact := c.contact_box IS NOT NULL AND c.consent_contact
	    AND (coalesce(c.assignee = p_actor, false)
	        OR staff_is(p_actor, 'supervisor'));
	PERFORM audit('staff:' || p_actor, 'case.read', 'case:' || c.reference,
	    jsonb_build_object('contact', v_contact));
	RETURN QUERY SELECT c.id, c.reference, c.state::text, c.category,
	    c.channel, c.occurred_on, c.brand, c.vulnerable, c.consent_contact,
	    c.consent_publish, c.consent_demographics, c.queue, c.priority,
	    utc_text(c.received_at), utc_text(c.updated_at), utc_text(c.due_at),
	    c.assignee,
	    (SELECT a.display_name FROM staff_accounts a
	        WHERE a.id = c.assignee),
	    c.appeal_excluded,
	    -- Linked cases out of the actor's reach stay unnamed.
	    (SELECT o.reference FROM cases o WHERE o.id = c.duplicate_of
	        AND staff_can_see(p_actor, o.queue, o.brand)),
	    (SELECT coalesce(jsonb_agg(d.reference ORDER BY d.id), '[]')
	        FROM cases d WHERE d.duplicate_of = c.id
	          AND staff_can_see(p_actor, d.queue, d.brand)),
	    c.complainant_salt, c.data_key_sealed, c.description_box,
	    CASE WHEN v_contact THEN c.contact_box END,
	    (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'at', utc_text(e.at), 'kind', e.kind, 'actor', e.actor,
	        'actor_name', (SELECT a.display_name FROM staff_accounts a
	            WHERE 'staff:' || a.id = e.actor),
	        'visible', e.visible_to_complainant, 'detail', e.detail)
	        ORDER BY e.at, e.id), '[]')
	        FROM case_events e WHERE e.case_id = c.id),
	    (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', m.id, 'kind', m.kind, 'at', utc_text(m.at),
	        'author', (SELECT a.display_name FROM staff_accounts a
	            WHERE a.id = m.author),
	        'body', encode(m.body_box, 'hex')) ORDER BY m.at, m.id), '[]')
	        FROM case_messages m WHERE m.case_id = c.id),
	    (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', d.id, 'on_appeal', d.on_appeal, 'outcome', d.outcome,
	        'remedies', d.remedies, 'automated', d.automated,
	        'decided_by', d.decided_by,
	        'decided_by_name', (SELECT a.display_name FROM staff_accounts a
	            WHERE a.id = d.decided_by),
	        'decided_at', utc_text(d.decided_at),
	        'needs_signature', d.needs_signature,
	        'signed_by_name', (SELECT a.display_name FROM staff_accounts a
	            WHERE a.id = d.signed_by),
	        'signed_at', utc_text(d.signed_at),
	        'released_at', utc_text(d.released_at),
	        'reasons', encode(d.reasons_box, 'hex')) ORDER BY d.id), '[]')
	        FROM case_decisions d WHERE d.case_id = c.id),
	    (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', p.id, 'at', utc_text(p.at), 'decision', p.decision_id,
	        'grounds', encode(p.grounds_box, 'hex')) ORDER BY p.id), '[]')
	        FROM case_appeals p WHERE p.case_id = c.id);
END $$;
