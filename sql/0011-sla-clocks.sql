-- 0011: service-level clocks (docs/SLA.md).  Calendars and policies as
-- immutable versions, the clocks of each case as a cache the back office's
-- scheduler keeps (src/sla_scheduler.c), pauses written by the database,
-- escalation exactly once; the old single due_at goes.

------------------------------------------------------------------------
-- Calendars, policies, pause reasons, presets
------------------------------------------------------------------------

CREATE TABLE sla_calendars (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	current_version	bigint
);
COMMENT ON TABLE sla_calendars IS 'Business calendars (zone, opening hours, holidays); the definition is in the current version.';

CREATE TABLE sla_calendar_versions (
	id		bigserial PRIMARY KEY,
	calendar	text NOT NULL REFERENCES sla_calendars,
	definition	jsonb NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_by	text NOT NULL
);
COMMENT ON TABLE sla_calendar_versions IS 'One immutable calendar definition (JSON, docs/SLA.md) per change; cases point at the version they were computed with.';
ALTER TABLE sla_calendars ADD FOREIGN KEY (current_version)
	REFERENCES sla_calendar_versions;

CREATE TABLE sla_policies (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	current_version	bigint
);
COMMENT ON TABLE sla_policies IS 'Service-level policies (a target per clock); the definition is in the current version.';

CREATE TABLE sla_policy_versions (
	id		bigserial PRIMARY KEY,
	policy		text NOT NULL REFERENCES sla_policies,
	definition	jsonb NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_by	text NOT NULL
);
COMMENT ON TABLE sla_policy_versions IS 'One immutable policy definition (JSON, docs/SLA.md) per change.';
ALTER TABLE sla_policies ADD FOREIGN KEY (current_version)
	REFERENCES sla_policy_versions;

-- A version is what past computations were made with: never changed.
CREATE TRIGGER sla_calendar_versions_immutable
	BEFORE UPDATE OR DELETE ON sla_calendar_versions
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER sla_policy_versions_immutable
	BEFORE UPDATE OR DELETE ON sla_policy_versions
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TABLE sla_pause_reasons (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'
			    AND length(code) <= 47),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	active		boolean NOT NULL DEFAULT true,
	system		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE sla_pause_reasons IS 'Why a clock may pause; system reasons are written by the database itself, the others by staff.';
INSERT INTO sla_pause_reasons (code, label, system) VALUES
 ('awaiting_complainant', 'Waiting for the complainant''s answer', true);

CREATE TABLE sla_policy_presets (
	code		text PRIMARY KEY,
	name		text NOT NULL,
	position	integer NOT NULL,
	definition	jsonb NOT NULL
);
COMMENT ON TABLE sla_policy_presets IS 'Starting points offered when an admin creates a policy (docs/SLA.md).';
INSERT INTO sla_policy_presets (code, name, position, definition) VALUES
 ('eu_whistleblower', 'EU Whistleblower Directive', 10,
  '{"acknowledge": {"n": 7, "unit": "calendar_days"}, "response": null,
    "decision": {"n": 3, "unit": "calendar_months"}, "appeal": null,
    "at_risk_percent": 75, "extension": null}'),
 ('cfpb', 'CFPB-style', 20,
  '{"acknowledge": {"n": 15, "unit": "calendar_days"}, "response": null,
    "decision": {"n": 60, "unit": "calendar_days"}, "appeal": null,
    "at_risk_percent": 75, "extension": null}'),
 ('gdpr_dsr', 'GDPR data-subject request', 30,
  '{"acknowledge": null, "response": null,
    "decision": {"n": 1, "unit": "calendar_months"}, "appeal": null,
    "at_risk_percent": 75,
    "extension": {"n": 2, "unit": "calendar_months"}}');

-- The default calendar: Madrid, weekdays 09:00-17:00, Spain's fixed
-- national holidays every year.
INSERT INTO sla_calendars (code, name) VALUES ('default', 'Madrid office');
INSERT INTO sla_calendar_versions (calendar, created_by, definition) VALUES
 ('default', 'system',
  '{"zone": "Europe/Madrid",
    "week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]],
             "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]],
             "fri": [["09:00", "17:00"]], "sat": [], "sun": []},
    "holidays": [],
    "yearly": [{"month": 1, "day": 1, "name": "New Year''s Day"},
               {"month": 1, "day": 6, "name": "Epiphany"},
               {"month": 5, "day": 1, "name": "Labour Day"},
               {"month": 8, "day": 15, "name": "Assumption"},
               {"month": 10, "day": 12, "name": "National Day of Spain"},
               {"month": 11, "day": 1, "name": "All Saints'' Day"},
               {"month": 12, "day": 6, "name": "Constitution Day"},
               {"month": 12, "day": 8, "name": "Immaculate Conception"},
               {"month": 12, "day": 25, "name": "Christmas Day"}]}');
UPDATE sla_calendars SET current_version =
    (SELECT max(id) FROM sla_calendar_versions WHERE calendar = 'default')
WHERE code = 'default';

-- PRODUCT.md's table.
INSERT INTO sla_policies (code, name) VALUES
 ('standard', 'Standard'), ('urgent', 'Urgent');
INSERT INTO sla_policy_versions (policy, created_by, definition) VALUES
 ('standard', 'system',
  '{"acknowledge": {"n": 2, "unit": "business_days"},
    "response": {"n": 5, "unit": "business_days"},
    "decision": {"n": 30, "unit": "calendar_days"},
    "appeal": {"n": 30, "unit": "calendar_days"},
    "at_risk_percent": 75, "extension": null}'),
 ('urgent', 'system',
  '{"acknowledge": {"n": 4, "unit": "business_hours"},
    "response": {"n": 1, "unit": "business_days"},
    "decision": {"n": 5, "unit": "business_days"},
    "appeal": {"n": 5, "unit": "business_days"},
    "at_risk_percent": 75, "extension": null}');
UPDATE sla_policies p SET current_version =
    (SELECT max(v.id) FROM sla_policy_versions v WHERE v.policy = p.code);
ALTER TABLE sla_calendars ALTER COLUMN current_version SET NOT NULL;
ALTER TABLE sla_policies ALTER COLUMN current_version SET NOT NULL;

ALTER TABLE queues ADD COLUMN calendar text REFERENCES sla_calendars;
COMMENT ON COLUMN queues.calendar IS 'The business calendar of the queue''s cases; NULL: the default calendar.';
ALTER TABLE routing_rules ADD COLUMN policy text REFERENCES sla_policies;
COMMENT ON COLUMN routing_rules.policy IS 'The SLA policy of the cases the rule routes; NULL: urgent for urgent cases, else standard.';

-- The test clock: the scheduler's "now" is moved by this offset only when
-- the back office runs with RECOURSE_TEST_CLOCK=1 (tests/env.sh); nothing
-- else reads it, and only a superuser (the tests) writes it.
CREATE TABLE test_clock (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	offset_seconds	bigint NOT NULL DEFAULT 0 CHECK (offset_seconds >= 0)
);
COMMENT ON TABLE test_clock IS 'Tests only: seconds added to the SLA scheduler''s now when RECOURSE_TEST_CLOCK=1.';
INSERT INTO test_clock DEFAULT VALUES;

------------------------------------------------------------------------
-- The clocks of a case
------------------------------------------------------------------------

-- The version columns have no foreign key on purpose: versions are never
-- deleted (the trigger above), and a key check would share-lock the one
-- current version row from every concurrent intake.
ALTER TABLE cases
	ADD COLUMN sla_policy_version bigint,
	ADD COLUMN sla_calendar_version bigint,
	ADD COLUMN next_check_at timestamptz,
	ADD COLUMN sla_rank smallint NOT NULL DEFAULT 2
	    CHECK (sla_rank BETWEEN 0 AND 4),
	ADD COLUMN sla_due timestamptz NOT NULL DEFAULT 'infinity',
	ADD COLUMN escalated_at timestamptz;
COMMENT ON COLUMN cases.sla_policy_version IS 'The policy version the clocks are computed with (chosen at intake, again at triage).';
COMMENT ON COLUMN cases.sla_calendar_version IS 'The calendar version the clocks are computed with.';
COMMENT ON COLUMN cases.next_check_at IS 'When the scheduler must recompute the clocks; NULL: nothing changes without an event.';
COMMENT ON COLUMN cases.sla_rank IS 'Work-list order: 0 breached, 1 at risk, 2 running, 3 paused, 4 no clock running.';
COMMENT ON COLUMN cases.sla_due IS 'The earliest due instant of the clocks not met; infinity when none.';
COMMENT ON COLUMN cases.escalated_at IS 'When a clock of the case was first breached and the case escalated to supervisors.';

UPDATE cases c SET
    sla_policy_version = (SELECT p.current_version FROM sla_policies p
        WHERE p.code = CASE WHEN case_urgent(c.priority, c.vulnerable)
            THEN 'urgent' ELSE 'standard' END),
    sla_calendar_version = (SELECT k.current_version FROM sla_calendars k
        WHERE k.code = 'default'),
    next_check_at = now();
ALTER TABLE cases ALTER COLUMN sla_policy_version SET NOT NULL,
	ALTER COLUMN sla_calendar_version SET NOT NULL;

CREATE TABLE case_clocks (
	case_id		bigint NOT NULL REFERENCES cases,
	clock		text NOT NULL CHECK (clock IN ('acknowledge', 'response',
			    'decision', 'appeal')),
	state		text NOT NULL CHECK (state IN ('running', 'paused',
			    'at_risk', 'breached', 'met')),
	started_at	timestamptz NOT NULL,
	due_at		timestamptz,
	at_risk_at	timestamptz,
	met_at		timestamptz,
	breached_at	timestamptz,
	target_seconds	bigint NOT NULL,
	elapsed_seconds	bigint NOT NULL,
	paused_seconds	bigint NOT NULL,
	extended	boolean NOT NULL DEFAULT false,
	-- The at-risk event was written for the clock that started at
	-- started_at (an appeal clock starts again with each appeal).
	at_risk_noted	boolean NOT NULL DEFAULT false,
	computed_at	timestamptz NOT NULL,
	PRIMARY KEY (case_id, clock)
);
COMMENT ON TABLE case_clocks IS 'Each started clock of a case as the scheduler last computed it: a cache, recomputable from events and versions (recourse-admin sla-verify).';

-- The old single deadline goes; the work list orders by risk instead.
DROP TRIGGER cases_set_due ON cases;
DROP FUNCTION cases_set_due();
DROP INDEX cases_worklist_idx, cases_worklist_state_idx,
    cases_worklist_brand_idx, cases_worklist_queue_idx;

CREATE INDEX cases_worklist_idx ON cases (sla_rank, sla_due, (-priority), id)
	WHERE state NOT IN ('closed', 'rejected');
CREATE INDEX cases_worklist_state_idx
	ON cases (state, sla_rank, sla_due, (-priority), id);
CREATE INDEX cases_worklist_brand_idx
	ON cases (lower(btrim(brand)), sla_rank, sla_due, (-priority), id)
	WHERE brand IS NOT NULL;
CREATE INDEX cases_worklist_queue_idx
	ON cases (queue, sla_rank, sla_due, (-priority), id)
	WHERE state NOT IN ('closed', 'rejected');
CREATE INDEX cases_next_check_idx ON cases (next_check_at)
	WHERE next_check_at IS NOT NULL;

------------------------------------------------------------------------
-- Choosing the versions; pauses and wake-ups written by the database
------------------------------------------------------------------------

-- route_case (0001) also names the matching rule's policy, if any.
DROP FUNCTION route_case(text, text, boolean, text);
CREATE FUNCTION route_case(p_category text, p_channel text,
    p_vulnerable boolean, p_brand text, OUT queue text, OUT priority smallint,
    OUT policy text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	SELECT r.queue, r.priority, r.policy INTO queue, priority, policy
	FROM routing_rules r
	WHERE (r.category IS NULL OR r.category = p_category)
	  AND (r.channel IS NULL OR r.channel = p_channel)
	  AND (r.vulnerable IS NULL OR r.vulnerable = p_vulnerable)
	  AND (r.brand IS NULL OR lower(r.brand) = lower(p_brand))
	ORDER BY r.position
	LIMIT 1;
	IF NOT FOUND THEN
		queue := 'general';
		priority := 2;
	END IF;
	IF p_vulnerable AND priority < 3 THEN
		priority := 3;
	END IF;
END $$;

-- The current policy and calendar versions for a case routed so: the
-- rule's policy, else urgent or standard; the queue's calendar, else the
-- default one.
CREATE FUNCTION sla_versions(p_policy text, p_queue text,
    p_priority smallint, p_vulnerable boolean, OUT policy_version bigint,
    OUT calendar_version bigint)
LANGUAGE sql STABLE AS $$
	SELECT p.current_version, k.current_version
	FROM sla_policies p, sla_calendars k
	WHERE p.code = coalesce(p_policy, CASE
	        WHEN case_urgent(p_priority, p_vulnerable) THEN 'urgent'
	        ELSE 'standard' END)
	  AND k.code = coalesce((SELECT q.calendar FROM queues q
	        WHERE q.code = p_queue), 'default')
$$;

-- The database records the pause while a case waits for the complainant.
CREATE FUNCTION cases_clock_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.state = 'awaiting_complainant'
	    AND OLD.state <> 'awaiting_complainant' THEN
		INSERT INTO case_events (case_id, kind, actor,
		    visible_to_complainant, detail)
		VALUES (NEW.id, 'clock_paused', 'system', false,
		    '{"reason": "awaiting_complainant"}');
	ELSIF OLD.state = 'awaiting_complainant'
	    AND NEW.state <> 'awaiting_complainant' THEN
		INSERT INTO case_events (case_id, kind, actor,
		    visible_to_complainant, detail)
		VALUES (NEW.id, 'clock_resumed', 'system', false,
		    '{"reason": "awaiting_complainant"}');
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER cases_clock_pause AFTER UPDATE OF state ON cases
	FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION cases_clock_pause();

-- Any event may touch a clock: the scheduler recomputes the case at once.
-- Not the scheduler's own events, and not 'received' (intake sets
-- next_check_at in its INSERT and must stay one write).
CREATE FUNCTION case_events_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE cases SET next_check_at = now() WHERE id = NEW.case_id;
	RETURN NULL;
END $$;
CREATE TRIGGER case_events_wake AFTER INSERT ON case_events
	FOR EACH ROW WHEN (NEW.kind NOT IN ('received', 'clock_at_risk',
	    'clock_breached', 'escalated'))
	EXECUTE FUNCTION case_events_wake();

------------------------------------------------------------------------
-- Functions that used due_at, again without it
------------------------------------------------------------------------

-- intake_complaint (0004): the versions and the first wake-up in the same
-- INSERT.
CREATE OR REPLACE FUNCTION intake_complaint(
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
	v_id		bigint;
	v_queue		text;
	v_prio		smallint;
	v_policy	text;
	v_body		bytea;
	v_seq		text;
	v_pv		bigint;
	v_cv		bigint;
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

	-- At least six digits; lpad alone would cut the millionth to six.
	v_seq := nextval('case_reference_seq')::text;
	reference := 'RC-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
	    lpad(v_seq, greatest(6, length(v_seq)), '0');
	INSERT INTO cases (id, reference, category, channel, occurred_on, brand,
	    vulnerable, consent_contact, consent_publish, consent_demographics,
	    queue, priority, receipt_hash, complainant_pk, complainant_salt,
	    data_key_sealed, description_box, contact_box,
	    complainant_copy_box, sla_policy_version, sla_calendar_version,
	    next_check_at)
	VALUES (v_id, reference, p_category, p_channel, p_occurred_on, p_brand,
	    p_vulnerable, p_consent_contact, p_consent_publish,
	    p_consent_demographics, v_queue, v_prio, p_receipt_hash,
	    p_complainant_pk, p_complainant_salt, p_data_key_sealed,
	    p_description_box, p_contact_box, p_copy_box, v_pv, v_cv, now());
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (v_id, 'received', 'complainant', true,
	    jsonb_build_object('queue', v_queue, 'priority', v_prio));
	outcome := 'created';
	state := 'received';
	receipt_box := NULL;
END $$;

-- case_triage (0006): the policy and calendar are chosen again from the
-- new category, priority and queue.  A version already in use is kept, so
-- triage does not silently apply an edited policy to an open case.
CREATE OR REPLACE FUNCTION case_triage(p_actor bigint, p_reference text,
    p_category text, p_priority smallint, p_queue text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'triage');
	v_queue	text;
	r	record;
	s	record;
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
	v_queue := coalesce(p_queue, c.queue);
	SELECT * INTO r FROM route_case(p_category, c.channel, c.vulnerable,
	    c.brand);
	SELECT * INTO s FROM sla_versions(r.policy, v_queue, p_priority,
	    c.vulnerable);
	UPDATE cases SET category = p_category, priority = p_priority,
	    queue = v_queue,
	    state = CASE WHEN c.state = 'received' THEN 'triaged'
	        ELSE c.state END,
	    sla_policy_version = CASE WHEN (SELECT a.policy = b.policy
	        FROM sla_policy_versions a, sla_policy_versions b
	        WHERE a.id = c.sla_policy_version AND b.id = s.policy_version)
	        THEN c.sla_policy_version ELSE s.policy_version END,
	    sla_calendar_version = CASE WHEN (SELECT a.calendar = b.calendar
	        FROM sla_calendar_versions a, sla_calendar_versions b
	        WHERE a.id = c.sla_calendar_version
	          AND b.id = s.calendar_version)
	        THEN c.sla_calendar_version ELSE s.calendar_version END
	WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'triaged', c.state = 'received',
	    jsonb_build_object('category', p_category, 'priority', p_priority,
	        'queue', v_queue,
	        'was', jsonb_build_object('category', c.category,
	            'priority', c.priority, 'queue', c.queue)));
	RETURN 'ok';
END $$;

-- complainant_appeal (0004): the 'appealed' event starts the appeal clock.
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
	    assignee = NULL
	WHERE id = c.id;
	PERFORM case_record(c, NULL, 'appealed', true,
	    jsonb_build_object('decision', d.id));
	RETURN 'ok';
END $$;

DROP FUNCTION decision_due(timestamptz, smallint, boolean);
ALTER TABLE cases DROP COLUMN due_at;

-- The state of the work list's summary rank, as the API names it.
CREATE FUNCTION sla_rank_state(p_rank smallint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT (ARRAY['breached', 'at_risk', 'running', 'paused',
	    'none'])[p_rank + 1]
$$;

-- worklist (0002) in risk order: breached, at risk, running, paused, then
-- the earliest due instant, higher priority, oldest.  The page key gains
-- the rank, so the row type and the arguments change.
DROP FUNCTION worklist(bigint, case_state, text, smallint, text, text, text,
    timestamptz, smallint, bigint, integer);
CREATE FUNCTION worklist(p_actor bigint, p_state case_state, p_category text,
    p_priority smallint, p_assignee text, p_brand text, p_queue text,
    p_after_rank smallint, p_after_due timestamptz, p_after_prio smallint,
    p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, reference text, state text, category text,
    channel text, brand text, queue text, priority smallint,
    vulnerable boolean, sla_rank smallint, sla_due timestamptz,
    received_at timestamptz, assignee bigint, assignee_name text,
    appeal boolean)
LANGUAGE plpgsql STABLE
-- The filters are NULL-guarded: planned with the actual values, the
-- unused ones vanish and the index order serves the sort.
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_sup		boolean := staff_is(p_actor, 'supervisor');
	v_rev		boolean := staff_is(p_actor, 'reviewer');
	-- As a value, so the planner sees at once a queue filter outside them.
	v_queues	text[] := ARRAY(SELECT m.queue FROM queue_members m
			    WHERE m.account_id = p_actor);
BEGIN
	IF NOT (v_sup OR v_rev) THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT c.id, c.reference, c.state::text, c.category, c.channel, c.brand,
	    c.queue, c.priority, c.vulnerable, c.sla_rank, c.sla_due,
	    c.received_at, c.assignee, a.display_name, c.state = 'appealed'
	FROM cases c LEFT JOIN staff_accounts a ON a.id = c.assignee
	WHERE (CASE WHEN p_state IS NULL
	        THEN c.state NOT IN ('closed', 'rejected')
	        ELSE c.state = p_state END)
	  AND (v_sup OR c.queue = ANY (v_queues))
	  AND (c.brand IS NULL OR lower(btrim(c.brand)) NOT IN (
	        SELECT b.brand_key FROM brand_bars b
	        WHERE b.account_id = p_actor))
	  AND (p_category IS NULL OR c.category = p_category)
	  AND (p_priority IS NULL OR c.priority = p_priority)
	  AND (p_queue IS NULL OR c.queue = p_queue)
	  AND (p_brand IS NULL OR lower(btrim(c.brand)) = lower(btrim(p_brand)))
	  AND (p_assignee IS NULL
	    OR (p_assignee = 'me' AND c.assignee = p_actor)
	    OR (p_assignee = 'none' AND c.assignee IS NULL)
	    OR (p_assignee ~ '^[0-9]{1,18}$' AND c.assignee = p_assignee::bigint))
	  AND (p_after_id IS NULL OR (c.sla_rank, c.sla_due, -c.priority, c.id) >
	        (p_after_rank, p_after_due, -p_after_prio, p_after_id))
	ORDER BY c.sla_rank, c.sla_due, -c.priority, c.id
	LIMIT p_limit;
END $$;

-- The clocks of a case for the case page and the API, in clock order.
CREATE FUNCTION case_clocks_json(p_case bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('clock', k.clock,
	    'state', k.state, 'started_at', utc_text(k.started_at),
	    'due_at', utc_text(k.due_at), 'at_risk_at', utc_text(k.at_risk_at),
	    'breached_at', utc_text(k.breached_at),
	    'met_at', utc_text(k.met_at))
	    ORDER BY array_position(ARRAY['acknowledge', 'response',
	        'decision', 'appeal'], k.clock)), '[]')
	FROM case_clocks k WHERE k.case_id = p_case
$$;

-- case_read (0006) with the clocks where due_at was.
DROP FUNCTION case_read(bigint, text);
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
    escalated_at text)
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
	    utc_text(c.received_at), utc_text(c.updated_at),
	    case_clocks_json(c.id),
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
	        FROM case_appeals p WHERE p.case_id = c.id),
	    utc_text(c.escalated_at);
END $$;

------------------------------------------------------------------------
-- The scheduler (src/sla_scheduler.c) and sla-verify
------------------------------------------------------------------------

-- The scheduler's now: the transaction's, moved by the test clock's
-- offset only when the caller says the test clock is on (the back office
-- passes true only under RECOURSE_TEST_CLOCK=1).
CREATE FUNCTION sla_now(p_test_clock boolean) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT now() + CASE WHEN p_test_clock THEN make_interval(secs =>
	    (SELECT t.offset_seconds FROM test_clock t)) ELSE interval '0' END
$$;

-- A case's events as the engine reads them: whole seconds since the
-- epoch, in timeline order; the scheduler's own events are left out.  A
-- decision that needs no second signature is published as it is made (its
-- 'decided' event is the only one): to the engine it is the publication.
CREATE FUNCTION sla_case_events(p_case bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object(
	    'at', floor(extract(epoch FROM e.at))::bigint,
	    'kind', CASE WHEN e.kind = 'decided'
	        AND e.detail->>'needs_signature' = 'false'
	        THEN 'decision_published' ELSE e.kind END,
	    'reason', e.detail->>'reason') ORDER BY e.at, e.id), '[]')::text
	FROM case_events e
	WHERE e.case_id = p_case AND e.kind NOT IN ('clock_at_risk',
	    'clock_breached', 'escalated')
$$;

-- How long a claimed case is left to the worker that claimed it: its
-- next_check_at becomes the claim's now plus this, and only the store of
-- that claim finds it so.
CREATE FUNCTION sla_lease() RETURNS interval LANGUAGE sql IMMUTABLE AS $$
	SELECT interval '1 minute'
$$;

-- Claims up to p_limit cases whose clocks are due a recomputation: each
-- is leased (so another worker or node passes it over), and comes back
-- with its policy, calendar and events.  last_event lets the store see
-- that an event arrived meanwhile.
CREATE FUNCTION sla_claim(p_test_clock boolean, p_limit integer,
    OUT now_at timestamptz, OUT now_epoch bigint, OUT case_id bigint,
    OUT last_event bigint, OUT policy_version bigint, OUT policy text,
    OUT calendar_version bigint, OUT calendar text, OUT events text)
RETURNS SETOF record LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_now	timestamptz := sla_now(p_test_clock);
BEGIN
	RETURN QUERY
	WITH due AS (
		SELECT c.id FROM cases c
		WHERE c.next_check_at <= v_now
		ORDER BY c.next_check_at
		LIMIT p_limit
		FOR UPDATE SKIP LOCKED
	), leased AS (
		UPDATE cases c SET next_check_at = v_now + sla_lease()
		FROM due WHERE c.id = due.id
		RETURNING c.id, c.sla_policy_version, c.sla_calendar_version
	)
	SELECT v_now, floor(extract(epoch FROM v_now))::bigint, l.id,
	    -- "+ 0": through the case's own events (case_events_case_idx);
	    -- max(id) alone walks the primary key back from the newest event
	    -- of any case until it meets one of this case's.
	    (SELECT max(e.id + 0) FROM case_events e WHERE e.case_id = l.id),
	    pv.id, pv.definition::text, cv.id, cv.definition::text,
	    sla_case_events(l.id)
	FROM leased l
	JOIN sla_policy_versions pv ON pv.id = l.sla_policy_version
	JOIN sla_calendar_versions cv ON cv.id = l.sla_calendar_version;
END $$;

-- An instant from the scheduler's JSON (seconds since the epoch, or null).
CREATE FUNCTION sla_instant(p jsonb) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p IS NULL OR jsonb_typeof(p) <> 'number' THEN NULL
	    ELSE to_timestamp(p::text::bigint) END
$$;

-- Stores what the scheduler computed at p_now, one element per case:
--   {"case": id, "last_event": id, "policy": version, "calendar": version,
--    "next": epoch|null, "clocks": [{"clock", "state", "started_at",
--    "due_at", "at_risk_at", "met_at", "breached_at", "target", "elapsed",
--    "paused", "extended"}]}
-- Each case is locked, and passed over (left for the next pass) when it
-- is locked by another transaction, when its lease is no longer the one the claim at p_now set (an event woke it,
-- someone rescheduled it, or the lease ran out and another worker claimed
-- it), when an event arrived or the versions changed since the claim, or
-- when a newer computation is already stored.  A clock that newly reaches at risk gets
-- a 'clock_at_risk' event; a newly recorded breach a 'clock_breached'
-- event and the case's escalation ('escalated', audited): all in this
-- transaction, and a second store of the same result writes none of them
-- again.  Returns the number of cases stored.
CREATE FUNCTION sla_store(p_now timestamptz, p_results jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	r		jsonb;
	k		jsonb;
	c		cases;
	o		case_clocks;
	v_n		integer := 0;
	v_clock		text;
	v_state		text;
	v_started	timestamptz;
	v_breached	timestamptz;
	v_noted		boolean;
	v_rank		smallint;
	v_due		timestamptz;
	v_names		text[];
	v_escalate	boolean;
BEGIN
	FOR r IN SELECT x.value FROM jsonb_array_elements(p_results) x
	    ORDER BY (x.value->>'case')::bigint LOOP
		-- A case locked by someone else is passed over, never waited
		-- for: a store holds many cases at once, and waiting would
		-- deadlock with anything else that updates several.  What holds
		-- it writes an event (which wakes the case) or not; either way
		-- the case is recomputed, at the latest when the lease ends.
		SELECT * INTO c FROM cases x WHERE x.id = (r->>'case')::bigint
		FOR UPDATE SKIP LOCKED;
		CONTINUE WHEN NOT FOUND
		    OR c.next_check_at IS DISTINCT FROM p_now + sla_lease()
		    OR c.sla_policy_version <> (r->>'policy')::bigint
		    OR c.sla_calendar_version <> (r->>'calendar')::bigint
		    -- "+ 0": through the case's own events, not a walk of
		    -- every later event of every case along the primary key.
		    OR EXISTS (SELECT 1 FROM case_events e
		        WHERE e.case_id = c.id
		          AND e.id + 0 > coalesce((r->>'last_event')::bigint, 0)
		          AND e.kind NOT IN ('clock_at_risk', 'clock_breached',
		              'escalated'))
		    OR EXISTS (SELECT 1 FROM case_clocks x
		        WHERE x.case_id = c.id AND x.computed_at > p_now);
		v_rank := 4;
		v_due := 'infinity';
		v_names := '{}';
		v_escalate := false;
		FOR k IN SELECT * FROM jsonb_array_elements(r->'clocks') LOOP
			v_clock := k->>'clock';
			v_state := k->>'state';
			v_started := sla_instant(k->'started_at');
			v_breached := sla_instant(k->'breached_at');
			v_names := v_names || v_clock;
			SELECT * INTO o FROM case_clocks x
			WHERE x.case_id = c.id AND x.clock = v_clock;
			-- A new start (another appeal) is a new clock.
			IF FOUND AND o.started_at = v_started THEN
				v_noted := o.at_risk_noted;
			ELSE
				o := NULL;
				v_noted := false;
			END IF;
			IF v_state = 'at_risk' AND NOT v_noted THEN
				INSERT INTO case_events (case_id, at, kind, actor,
				    visible_to_complainant, detail)
				VALUES (c.id, least(p_now,
				    sla_instant(k->'at_risk_at')),
				    'clock_at_risk', 'system', false,
				    jsonb_build_object('clock', v_clock));
			END IF;
			v_noted := v_noted OR v_state IN ('at_risk', 'breached');
			IF v_breached IS NOT NULL AND o.breached_at IS NULL THEN
				INSERT INTO case_events (case_id, at, kind, actor,
				    visible_to_complainant, detail)
				VALUES (c.id, v_breached, 'clock_breached',
				    'system', false,
				    jsonb_build_object('clock', v_clock));
				INSERT INTO case_events (case_id, kind, actor,
				    visible_to_complainant, detail)
				VALUES (c.id, 'escalated', 'system', false,
				    jsonb_build_object('clock', v_clock));
				PERFORM audit('system', 'case.escalated',
				    'case:' || c.reference,
				    jsonb_build_object('clock', v_clock));
				v_escalate := true;
			END IF;
			INSERT INTO case_clocks AS x (case_id, clock, state,
			    started_at, due_at, at_risk_at, met_at,
			    breached_at, target_seconds, elapsed_seconds,
			    paused_seconds, extended, at_risk_noted,
			    computed_at)
			VALUES (c.id, v_clock, v_state, v_started,
			    sla_instant(k->'due_at'),
			    sla_instant(k->'at_risk_at'),
			    sla_instant(k->'met_at'),
			    -- A breach stays on the record.
			    coalesce(o.breached_at, v_breached),
			    (k->>'target')::bigint, (k->>'elapsed')::bigint,
			    (k->>'paused')::bigint,
			    coalesce((k->>'extended')::boolean, false),
			    v_noted, p_now)
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
			IF v_state <> 'met' THEN
				v_rank := least(v_rank, CASE v_state
				    WHEN 'breached' THEN 0 WHEN 'at_risk' THEN 1
				    WHEN 'running' THEN 2 ELSE 3 END);
				v_due := least(v_due, coalesce(
				    sla_instant(k->'due_at'), 'infinity'));
			END IF;
		END LOOP;
		-- A clock the (re-chosen) policy no longer has.
		DELETE FROM case_clocks x WHERE x.case_id = c.id
		  AND x.clock <> ALL (v_names);
		-- One new version of the row per store (each is indexed).
		UPDATE cases SET sla_rank = v_rank, sla_due = v_due,
		    next_check_at = sla_instant(r->'next'),
		    escalated_at = CASE WHEN v_escalate
		        THEN coalesce(escalated_at, p_now) ELSE escalated_at END
		WHERE id = c.id;
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END $$;

-- recourse-admin sla-verify: every open case with what the scheduler
-- stored and what a recomputation needs.  'behind' when the scheduler has
-- yet to recompute the case (its stored state may be old).
CREATE FUNCTION sla_verify_rows(p_test_clock boolean,
    OUT now_epoch bigint, OUT reference text, OUT behind boolean,
    OUT policy_version bigint, OUT policy text, OUT calendar_version bigint,
    OUT calendar text, OUT events text, OUT stored text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT floor(extract(epoch FROM sla_now(p_test_clock)))::bigint,
	    c.reference,
	    c.next_check_at IS NOT NULL
	        AND c.next_check_at <= sla_now(p_test_clock),
	    pv.id, pv.definition::text, cv.id, cv.definition::text,
	    sla_case_events(c.id),
	    (SELECT coalesce(json_object_agg(k.clock, json_build_object(
	        'state', k.state,
	        'due_at', floor(extract(epoch FROM k.due_at))::bigint,
	        'at_risk_at', floor(extract(epoch FROM k.at_risk_at))::bigint,
	        'met_at', floor(extract(epoch FROM k.met_at))::bigint,
	        'breached_at',
	        floor(extract(epoch FROM k.breached_at))::bigint)), '{}')::text
	        FROM case_clocks k WHERE k.case_id = c.id)
	FROM cases c
	JOIN sla_policy_versions pv ON pv.id = c.sla_policy_version
	JOIN sla_calendar_versions cv ON cv.id = c.sla_calendar_version
	WHERE c.state NOT IN ('closed', 'rejected')
	ORDER BY c.id
$$;
