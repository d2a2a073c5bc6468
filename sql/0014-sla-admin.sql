-- 0014-sla-admin.sql: admins edit SLA calendars, policies and pause
-- reasons in /admin (each change a new immutable version, audited, every
-- invalid field reported at once as in 0009), assign calendars to queues
-- and policies to routing rules, and re-apply a changed calendar or
-- policy to the open cases still computed with an older version.

-- A calendar or policy is created with its first version in one
-- statement: the version names the calendar and the calendar its current
-- version, so the version's key waits for the end of the transaction.
ALTER TABLE sla_calendar_versions
	ALTER CONSTRAINT sla_calendar_versions_calendar_fkey DEFERRABLE;
ALTER TABLE sla_policy_versions
	ALTER CONSTRAINT sla_policy_versions_policy_fkey DEFERRABLE;

-- The code and name checks calendars and policies share.
CREATE FUNCTION admin_sla_code_err(p_errors jsonb, p_code text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_code ~ '^[a-z][a-z0-9_]{1,39}$' THEN p_errors
	    ELSE admin_err(p_errors, 'code', 'Use 2 to 40 lower-case letters, '
	        'digits or underscores, starting with a letter.') END
$$;

-- Everything the SLA pages show, for admins only (NULL otherwise).
CREATE FUNCTION admin_sla_config(p_actor bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN NULL; END IF;
	RETURN jsonb_build_object(
	    'calendars', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', k.code, 'name', k.name, 'version', k.current_version,
	        'definition', v.definition,
	        'behind', (SELECT count(*) FROM cases c
	            JOIN sla_calendar_versions o
	              ON o.id = c.sla_calendar_version
	            WHERE o.calendar = k.code
	              AND c.sla_calendar_version <> k.current_version
	              AND c.state NOT IN ('closed', 'rejected')))
	        ORDER BY k.code), '[]')
	        FROM sla_calendars k
	        JOIN sla_calendar_versions v ON v.id = k.current_version),
	    'policies', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', p.code, 'name', p.name, 'version', p.current_version,
	        'definition', v.definition,
	        'behind', (SELECT count(*) FROM cases c
	            JOIN sla_policy_versions o ON o.id = c.sla_policy_version
	            WHERE o.policy = p.code
	              AND c.sla_policy_version <> p.current_version
	              AND c.state NOT IN ('closed', 'rejected')))
	        ORDER BY p.code), '[]')
	        FROM sla_policies p
	        JOIN sla_policy_versions v ON v.id = p.current_version),
	    'presets', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', s.code, 'name', s.name) ORDER BY s.position), '[]')
	        FROM sla_policy_presets s),
	    'reasons', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', r.code, 'label', r.label, 'active', r.active,
	        'system', r.system) ORDER BY r.system DESC, r.code), '[]')
	        FROM sla_pause_reasons r),
	    'queues', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', q.code, 'name', q.name, 'calendar', q.calendar)
	        ORDER BY q.code), '[]') FROM queues q),
	    'rules', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', r.id, 'position', r.position, 'category', r.category,
	        'channel', r.channel, 'vulnerable', r.vulnerable,
	        'brand', r.brand, 'queue', r.queue, 'priority', r.priority,
	        'policy', r.policy) ORDER BY r.position), '[]')
	        FROM routing_rules r),
	    -- The system tz database's zone names, for the zone field's
	    -- suggestions (the engine still checks what is typed).
	    'zones', (SELECT coalesce(jsonb_agg(z.name ORDER BY z.name), '[]')
	        FROM pg_timezone_names z
	        WHERE z.name ~ '^(Africa|America|Antarctica|Asia|Atlantic|'
	            'Australia|Europe|Indian|Pacific)/' OR z.name = 'UTC'));
END $$;

-- Writes calendar or policy p_code (p_kind 'calendar' or 'policy'): a
-- new version when the definition differs from the current one (or there
-- is none: a new one), the name, the audit event with p_detail added.
CREATE FUNCTION admin_sla_write(p_actor bigint, p_kind text, p_code text,
    p_name text, p_definition jsonb, p_detail jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_parent	text := CASE p_kind WHEN 'calendar' THEN 'sla_calendars'
			    ELSE 'sla_policies' END;
	v_versions	text := 'sla_' || p_kind || '_versions';
	v_current	bigint;
	v_old		jsonb;
	v_id		bigint;
BEGIN
	EXECUTE format('SELECT current_version FROM %I WHERE code = $1 '
	    'FOR UPDATE', v_parent) INTO v_current USING p_code;
	EXECUTE format('SELECT definition FROM %I WHERE id = $1', v_versions)
	    INTO v_old USING v_current;
	v_id := v_current;
	IF v_old IS DISTINCT FROM p_definition THEN
		EXECUTE format('SET CONSTRAINTS %I DEFERRED',
		    v_versions || '_' || p_kind || '_fkey');
		EXECUTE format('INSERT INTO %I (%I, definition, created_by) '
		    'VALUES ($1, $2, $3) RETURNING id', v_versions, p_kind)
		    INTO v_id USING p_code, p_definition, 'staff:' || p_actor;
	END IF;
	EXECUTE format('INSERT INTO %I (code, name, current_version) '
	    'VALUES ($1, $2, $3) ON CONFLICT (code) DO UPDATE SET '
	    'name = EXCLUDED.name, current_version = EXCLUDED.current_version',
	    v_parent) USING p_code, btrim(p_name), v_id;
	PERFORM audit('staff:' || p_actor, 'sla_' || p_kind || CASE
	    WHEN v_current IS NULL THEN '.create' ELSE '.save' END,
	    'sla_' || p_kind || ':' || p_code, p_detail || jsonb_build_object(
	        'name', btrim(p_name), 'version', v_id,
	        'new_version', v_id IS DISTINCT FROM v_current));
END $$;

-- A new calendar, starting as a copy of another's current definition.
CREATE FUNCTION admin_calendar_create(p_actor bigint, p_code text,
    p_name text, p_from text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := admin_sla_code_err('{}', p_code);
	v_def	jsonb;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF e = '{}' AND EXISTS (SELECT 1 FROM sla_calendars
	    WHERE code = p_code) THEN
		e := admin_err(e, 'code', 'A calendar has this code.');
	END IF;
	e := admin_name_err(e, p_name, 'Name the calendar (up to 100 '
	    'characters).');
	SELECT v.definition INTO v_def FROM sla_calendars k
	JOIN sla_calendar_versions v ON v.id = k.current_version
	WHERE k.code = p_from;
	IF v_def IS NULL THEN
		e := admin_err(e, 'from', 'Choose a calendar to start from.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	PERFORM admin_sla_write(p_actor, 'calendar', p_code, p_name, v_def,
	    jsonb_build_object('from', p_from));
	RETURN 'ok';
END $$;

-- A new policy from a preset, or with no clock at all (NULL).
CREATE FUNCTION admin_policy_create(p_actor bigint, p_code text,
    p_name text, p_preset text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := admin_sla_code_err('{}', p_code);
	v_def	jsonb := '{"acknowledge": null, "response": null,
		    "decision": null, "appeal": null, "at_risk_percent": 75,
		    "extension": null}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF e = '{}' AND EXISTS (SELECT 1 FROM sla_policies
	    WHERE code = p_code) THEN
		e := admin_err(e, 'code', 'A policy has this code.');
	END IF;
	e := admin_name_err(e, p_name, 'Name the policy (up to 100 '
	    'characters).');
	IF p_preset IS NOT NULL THEN
		SELECT s.definition INTO v_def FROM sla_policy_presets s
		WHERE s.code = p_preset;
		IF NOT FOUND THEN
			e := admin_err(e, 'preset',
			    'Choose a preset from the list.');
		END IF;
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	PERFORM admin_sla_write(p_actor, 'policy', p_code, p_name, v_def,
	    jsonb_build_object('preset', p_preset));
	RETURN 'ok';
END $$;

-- A calendar's or policy's name and definition.  The back office has
-- checked the definition with the engine (p_definition NULL when it
-- refused some field) and passes the fields it refused in p_errors, so
-- that every problem of the form comes back at once.  A changed
-- definition is a new version, used by new cases (and by open ones only
-- when re-applied).
CREATE FUNCTION admin_sla_save(p_actor bigint, p_kind text, p_code text,
    p_name text, p_definition text, p_errors text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := coalesce(p_errors, '{}')::jsonb;
	v_found	boolean;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	v_found := CASE p_kind
	    WHEN 'calendar' THEN EXISTS (SELECT 1 FROM sla_calendars
	        WHERE code = p_code)
	    WHEN 'policy' THEN EXISTS (SELECT 1 FROM sla_policies
	        WHERE code = p_code)
	    ELSE false END;
	IF NOT v_found THEN
		e := admin_err(e, 'code', 'No such ' || p_kind || '.');
	END IF;
	e := admin_name_err(e, p_name, 'Name the ' || p_kind ||
	    ' (up to 100 characters).');
	IF e = '{}' AND p_definition IS NULL THEN
		e := admin_err(e, 'form', 'The ' || p_kind ||
		    ' was not checked.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	PERFORM admin_sla_write(p_actor, p_kind, p_code, p_name,
	    p_definition::jsonb, '{}');
	RETURN 'ok';
END $$;

-- The calendar of a queue's new cases ('' or NULL: the default one).
CREATE FUNCTION admin_queue_calendar(p_actor bigint, p_queue text,
    p_calendar text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF NOT EXISTS (SELECT 1 FROM queues WHERE code = p_queue) THEN
		e := admin_err(e, 'code', 'No such queue.');
	END IF;
	IF p_calendar IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sla_calendars
	    WHERE code = p_calendar) THEN
		e := admin_err(e, 'calendar',
		    'Choose a calendar from the list.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	UPDATE queues SET calendar = p_calendar WHERE code = p_queue;
	PERFORM audit('staff:' || p_actor, 'queue.calendar',
	    'queue:' || p_queue,
	    jsonb_build_object('calendar', p_calendar));
	RETURN 'ok';
END $$;

-- The policy of a routing rule's cases ('' or NULL: by urgency).
CREATE FUNCTION admin_rule_policy(p_actor bigint, p_id text, p_policy text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_id IS NULL OR p_id !~ '^[0-9]{1,9}$' OR NOT EXISTS (SELECT 1
	    FROM routing_rules WHERE id = p_id::integer) THEN
		e := admin_err(e, 'id', 'No such rule.');
	END IF;
	IF p_policy IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sla_policies
	    WHERE code = p_policy) THEN
		e := admin_err(e, 'policy', 'Choose a policy from the list.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	UPDATE routing_rules SET policy = p_policy WHERE id = p_id::integer;
	PERFORM audit('staff:' || p_actor, 'routing_rule.policy',
	    'routing_rule:' || p_id, jsonb_build_object('policy', p_policy));
	RETURN 'ok';
END $$;

-- Adds a pause reason, or renames, deactivates or reactivates one.  The
-- system's own reason (awaiting_complainant) stays active.
CREATE FUNCTION admin_pause_reason_save(p_actor bigint, p_code text,
    p_label text, p_active text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r	sla_pause_reasons;
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_code IS NULL OR p_code !~ '^[a-z][a-z_]{1,39}$' THEN
		e := admin_err(e, 'code', 'Use 2 to 40 lower-case letters or '
		    'underscores, starting with a letter.');
	END IF;
	IF coalesce(length(btrim(p_label)), 0) NOT BETWEEN 1 AND 200 THEN
		e := admin_err(e, 'label', 'Say what the pause is for (up to '
		    '200 characters).');
	END IF;
	SELECT * INTO r FROM sla_pause_reasons WHERE code = p_code FOR UPDATE;
	IF r.system AND p_active IS DISTINCT FROM 'yes' THEN
		e := admin_err(e, 'active', 'The system pauses the clocks for '
		    'this reason itself; it stays active.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO sla_pause_reasons (code, label, active)
	VALUES (p_code, btrim(p_label), p_active = 'yes')
	ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label,
	    active = EXCLUDED.active;
	PERFORM audit('staff:' || p_actor, 'pause_reason.save',
	    'pause_reason:' || p_code, jsonb_build_object(
	        'label', btrim(p_label), 'active', p_active = 'yes'));
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- Re-applying a calendar or policy to open cases
------------------------------------------------------------------------

-- The next batch of open cases (by id, after p_after) computed with an
-- older version of calendar or policy p_code, with what the engine needs
-- to compute their clocks both ways at the same now: the version they
-- have ('old'), the current one ('new') and the version of the other kind
-- they keep ('other').  Admins only: nothing for anyone else.
CREATE FUNCTION admin_sla_reapply_rows(p_actor bigint, p_kind text,
    p_code text, p_test_clock boolean, p_after bigint, p_limit integer,
    OUT now_at timestamptz, OUT now_epoch bigint, OUT case_id bigint,
    OUT last_event bigint, OUT old_version bigint, OUT old_def text,
    OUT new_version bigint, OUT new_def text, OUT other_version bigint,
    OUT other_def text, OUT events text)
RETURNS SETOF record LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_now	timestamptz := sla_now(p_test_clock);
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN; END IF;
	RETURN QUERY
	WITH v AS (
		SELECT 'calendar' AS kind, x.id, x.calendar AS code,
		    x.definition FROM sla_calendar_versions x
		UNION ALL
		SELECT 'policy', x.id, x.policy, x.definition
		FROM sla_policy_versions x
	), cur AS (
		SELECT k.current_version AS id FROM sla_calendars k
		WHERE p_kind = 'calendar' AND k.code = p_code
		UNION ALL
		SELECT p.current_version FROM sla_policies p
		WHERE p_kind = 'policy' AND p.code = p_code
	), c AS (
		SELECT x.id, CASE WHEN p_kind = 'calendar'
		    THEN x.sla_calendar_version ELSE x.sla_policy_version END
		    AS mine, CASE WHEN p_kind = 'calendar'
		    THEN x.sla_policy_version ELSE x.sla_calendar_version END
		    AS other
		FROM cases x
		WHERE x.id > p_after AND x.state NOT IN ('closed', 'rejected')
	)
	SELECT v_now, floor(extract(epoch FROM v_now))::bigint, c.id,
	    -- "+ 0": through the case's own events, as sla_claim does.
	    (SELECT max(e.id + 0) FROM case_events e WHERE e.case_id = c.id),
	    o.id, o.definition::text, n.id, n.definition::text,
	    t.id, t.definition::text, sla_case_events(c.id)
	FROM c JOIN cur ON c.mine <> cur.id
	JOIN v o ON o.kind = p_kind AND o.id = c.mine AND o.code = p_code
	JOIN v n ON n.kind = p_kind AND n.id = cur.id
	JOIN v t ON t.kind <> p_kind AND t.id = c.other
	ORDER BY c.id LIMIT p_limit;
END $$;

-- Moves a batch of cases to version p_version of calendar or policy
-- p_code and stores their clocks as the back office computed them at
-- p_now with that version (through the scheduler's own sla_store, so
-- at-risk, breach and escalation events are written exactly once).
-- p_cases: [{"case": id, "from": version, "moved": bool}], 'moved' when
-- a due instant of the case differs between the two versions at p_now;
-- p_results: sla_store's array.  A case that changed version meanwhile is
-- left alone; one whose events changed since it was read is moved and
-- left to the scheduler at once.  Audited once per batch with its
-- counts; returns {"cases": n, "moved": m} for the cases moved.
CREATE FUNCTION admin_sla_reapply_store(p_actor bigint, p_kind text,
    p_code text, p_version bigint, p_now timestamptz, p_cases jsonb,
    p_results jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	x		jsonb;
	v_ids		bigint[] := '{}';
	v_moved		integer := 0;
	v_current	bigint;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN NULL; END IF;
	v_current := CASE p_kind
	    WHEN 'calendar' THEN (SELECT current_version FROM sla_calendars
	        WHERE code = p_code)
	    WHEN 'policy' THEN (SELECT current_version FROM sla_policies
	        WHERE code = p_code) END;
	-- Saved again since the batch was read: the next press takes it.
	IF v_current IS DISTINCT FROM p_version THEN
		RETURN jsonb_build_object('cases', 0, 'moved', 0);
	END IF;
	FOR x IN SELECT * FROM jsonb_array_elements(p_cases) LOOP
		UPDATE cases c SET
		    sla_calendar_version = CASE WHEN p_kind = 'calendar'
		        THEN p_version ELSE c.sla_calendar_version END,
		    sla_policy_version = CASE WHEN p_kind = 'policy'
		        THEN p_version ELSE c.sla_policy_version END,
		    next_check_at = p_now + sla_lease()
		WHERE c.id = (x->>'case')::bigint
		  AND c.state NOT IN ('closed', 'rejected')
		  AND (x->>'from')::bigint = CASE p_kind
		      WHEN 'calendar' THEN c.sla_calendar_version
		      ELSE c.sla_policy_version END;
		IF FOUND THEN
			v_ids := v_ids || (x->>'case')::bigint;
			v_moved := v_moved + CASE WHEN (x->>'moved')::boolean
			    THEN 1 ELSE 0 END;
		END IF;
	END LOOP;
	PERFORM sla_store(p_now, (SELECT coalesce(jsonb_agg(r), '[]')
	    FROM jsonb_array_elements(p_results) r
	    WHERE (r->>'case')::bigint = ANY (v_ids)));
	-- Those sla_store passed over (an event since the read): the
	-- scheduler computes them now with the new version.
	UPDATE cases SET next_check_at = now()
	WHERE id = ANY (v_ids) AND next_check_at = p_now + sla_lease();
	IF cardinality(v_ids) > 0 THEN
		PERFORM audit('staff:' || p_actor,
		    'sla_' || p_kind || '.reapply',
		    'sla_' || p_kind || ':' || p_code, jsonb_build_object(
		        'version', p_version, 'cases', cardinality(v_ids),
		        'moved', v_moved));
	END IF;
	RETURN jsonb_build_object('cases', cardinality(v_ids),
	    'moved', v_moved);
END $$;
