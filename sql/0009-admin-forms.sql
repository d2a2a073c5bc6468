-- 0009-admin-forms.sql: the administration functions check every field
-- and report every problem at once, so the form can show each next to its
-- field.  Same signatures as in 0002; they now return 'ok', 'forbidden' or
-- 'invalid:' followed by a JSON object of field -> message.

-- Adds a message for a field, keeping the first one a field got.
CREATE FUNCTION admin_err(p_errors jsonb, p_field text, p_message text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_errors ? p_field THEN p_errors
	    ELSE p_errors || jsonb_build_object(p_field, p_message) END
$$;

-- 'invalid:{...}' when there are errors, else NULL (go on).
CREATE FUNCTION admin_refusal(p_errors jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_errors <> '{}' THEN 'invalid:' || p_errors::text END
$$;

CREATE FUNCTION admin_name_err(p_errors jsonb, p_name text, p_message text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN coalesce(length(btrim(p_name)), 0) BETWEEN 1 AND 100
	    THEN p_errors ELSE admin_err(p_errors, 'name', p_message) END
$$;

-- The checks an account's roles and queues share (create and update).
CREATE FUNCTION admin_roles_queues_err(p_errors jsonb, p_roles text[],
    p_queues text[]) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT coalesce(admin_check_roles(p_roles), false) THEN
		p_errors := admin_err(p_errors, 'roles',
		    'Choose at least one role.');
	END IF;
	IF NOT coalesce(admin_check_queues(p_queues), false) THEN
		p_errors := admin_err(p_errors, 'queues',
		    'Choose queues from the list.');
	END IF;
	RETURN p_errors;
END $$;

CREATE OR REPLACE FUNCTION admin_account_create(p_actor bigint,
    p_login text, p_name text, p_roles text[], p_queues text[],
    p_token_hash bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_login	text := lower(btrim(p_login));
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF v_login IS NULL OR v_login !~ '^[a-z][a-z0-9._-]{1,39}$' THEN
		e := admin_err(e, 'login', 'Use 2 to 40 lower-case letters, '
		    'digits, dots, hyphens or underscores, starting with a '
		    'letter.');
	ELSIF EXISTS (SELECT 1 FROM staff_accounts WHERE login = v_login) THEN
		e := admin_err(e, 'login', 'This login name is taken.');
	END IF;
	e := admin_name_err(e, p_name, 'Give the person''s name (up to 100 '
	    'characters).');
	e := admin_roles_queues_err(e, p_roles, p_queues);
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	-- Taken since the check (another admin at the same moment).
	IF staff_create('staff:' || p_actor, v_login, btrim(p_name),
	    p_roles::staff_role[], p_queues, p_token_hash) IS NULL THEN
		RETURN admin_refusal(admin_err(e, 'login',
		    'This login name is taken.'));
	END IF;
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION admin_account_update(p_actor bigint, p_id bigint,
    p_name text, p_roles text[], p_queues text[], p_active text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	a	staff_accounts;
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	SELECT * INTO a FROM staff_accounts WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		e := admin_err(e, 'id', 'No such account.');
	END IF;
	e := admin_name_err(e, p_name, 'Give the person''s name (up to 100 '
	    'characters).');
	e := admin_roles_queues_err(e, p_roles, p_queues);
	IF p_id = p_actor AND NOT 'admin' = ANY (coalesce(p_roles, '{}')) THEN
		e := admin_err(e, 'roles', 'You cannot remove your own admin '
		    'role; ask another admin.');
	END IF;
	IF p_id = p_actor AND p_active IS DISTINCT FROM 'yes' THEN
		e := admin_err(e, 'active', 'You cannot deactivate yourself; '
		    'ask another admin.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	UPDATE staff_accounts SET display_name = btrim(p_name),
	    roles = ARRAY(SELECT DISTINCT r FROM unnest(p_roles) r
	        ORDER BY r)::staff_role[],
	    active = p_active = 'yes'
	WHERE id = p_id;
	DELETE FROM queue_members WHERE account_id = p_id
	    AND queue <> ALL (p_queues);
	INSERT INTO queue_members (account_id, queue)
	SELECT DISTINCT p_id, q FROM unnest(p_queues) q
	ON CONFLICT DO NOTHING;
	-- A deactivated account is logged out everywhere at once.
	IF p_active <> 'yes' THEN
		DELETE FROM staff_sessions WHERE account_id = p_id;
	END IF;
	PERFORM audit('staff:' || p_actor, 'account.update', 'account:' || p_id,
	    jsonb_build_object('roles', p_roles, 'queues', p_queues,
	        'active', p_active = 'yes'));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION admin_account_reset(p_actor bigint, p_id bigint,
    p_token_hash bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF NOT staff_reset('staff:' || p_actor, p_id, p_token_hash) THEN
		RETURN admin_refusal(admin_err('{}', 'id',
		    'No such active account.'));
	END IF;
	RETURN 'ok';
END $$;

-- Bars or unbars an account from a brand.  A new bar also takes the
-- account off any open case naming the brand.
CREATE OR REPLACE FUNCTION admin_brand_bar(p_actor bigint, p_id bigint,
    p_brand text, p_bar text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_key	text := lower(btrim(p_brand));
	c	cases;
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF NOT EXISTS (SELECT 1 FROM staff_accounts WHERE id = p_id) THEN
		e := admin_err(e, 'id', 'No such account.');
	END IF;
	IF v_key IS NULL OR length(v_key) NOT BETWEEN 1 AND 200 THEN
		e := admin_err(e, 'brand', 'Give the brand (up to 200 '
		    'characters).');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	IF p_bar = 'bar' THEN
		INSERT INTO brand_bars (account_id, brand_key)
		VALUES (p_id, v_key) ON CONFLICT DO NOTHING;
		FOR c IN SELECT * FROM cases WHERE assignee = p_id
		    AND lower(btrim(brand)) = v_key FOR UPDATE LOOP
			UPDATE cases SET assignee = NULL WHERE id = c.id;
			PERFORM case_record(c, p_actor, 'released', false,
			    jsonb_build_object('from', p_id,
			        'reason', 'brand_bar'));
		END LOOP;
	ELSE
		DELETE FROM brand_bars WHERE account_id = p_id
		    AND brand_key = v_key;
	END IF;
	PERFORM audit('staff:' || p_actor, 'account.brand_' || p_bar,
	    'account:' || p_id, jsonb_build_object('brand', v_key));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION admin_queue_save(p_actor bigint, p_code text,
    p_name text, p_active text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
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
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO queues (code, name, active)
	VALUES (p_code, btrim(p_name), p_active = 'yes')
	ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
	    active = EXCLUDED.active;
	PERFORM audit('staff:' || p_actor, 'queue.save', 'queue:' || p_code,
	    jsonb_build_object('name', btrim(p_name),
	        'active', p_active = 'yes'));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION admin_rule_add(p_actor bigint, p_position text,
    p_category text, p_channel text, p_vulnerable text, p_brand text,
    p_queue text, p_priority text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_id	integer;
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_position IS NULL OR p_position !~ '^[0-9]{1,6}$' THEN
		e := admin_err(e, 'position', 'Give a whole number; rules are '
		    'tried from the lowest.');
	ELSIF EXISTS (SELECT 1 FROM routing_rules
	    WHERE position = p_position::integer) THEN
		e := admin_err(e, 'position',
		    'Another rule has this position.');
	END IF;
	IF p_category IS NOT NULL AND NOT EXISTS (SELECT 1
	    FROM concern_categories WHERE code = p_category) THEN
		e := admin_err(e, 'category',
		    'Choose a concern from the list.');
	END IF;
	IF p_channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM channels
	    WHERE code = p_channel) THEN
		e := admin_err(e, 'channel', 'Choose a channel from the list.');
	END IF;
	IF p_vulnerable IS NOT NULL AND p_vulnerable NOT IN ('yes', 'no') THEN
		e := admin_err(e, 'vulnerable', 'Choose yes, no or either.');
	END IF;
	IF p_brand IS NOT NULL AND length(btrim(p_brand)) > 200 THEN
		e := admin_err(e, 'brand', 'Use at most 200 characters.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM queues WHERE code = p_queue AND active)
	THEN
		e := admin_err(e, 'queue', 'Choose an active queue.');
	END IF;
	IF p_priority IS NULL OR p_priority !~ '^[1-4]$' THEN
		e := admin_err(e, 'priority', 'Choose a priority from 1 to 4.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO routing_rules (position, category, channel, vulnerable,
	    brand, queue, priority)
	VALUES (p_position::integer, p_category, p_channel,
	    CASE p_vulnerable WHEN 'yes' THEN true WHEN 'no' THEN false END,
	    nullif(btrim(p_brand), ''), p_queue, p_priority::smallint)
	RETURNING id INTO v_id;
	PERFORM audit('staff:' || p_actor, 'routing_rule.add',
	    'routing_rule:' || v_id, (SELECT to_jsonb(r) - 'id'
	        FROM routing_rules r WHERE r.id = v_id));
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION admin_rule_delete(p_actor bigint, p_id text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_old	jsonb;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_id ~ '^[0-9]{1,9}$' THEN
		DELETE FROM routing_rules WHERE id = p_id::integer
		RETURNING to_jsonb(routing_rules) - 'id' INTO v_old;
	END IF;
	IF v_old IS NULL THEN
		RETURN admin_refusal(admin_err('{}', 'id', 'No such rule.'));
	END IF;
	PERFORM audit('staff:' || p_actor, 'routing_rule.delete',
	    'routing_rule:' || p_id, v_old);
	RETURN 'ok';
END $$;

CREATE OR REPLACE FUNCTION admin_category_save(p_actor bigint, p_code text,
    p_label text, p_hint text, p_position text, p_active text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_code IS NULL OR p_code !~ '^[a-z][a-z_]*(\.[a-z_]+)?$'
	    OR length(p_code) > 60 THEN
		e := admin_err(e, 'code', 'Use lower-case words joined by _, '
		    'with at most one dot, like privacy.consent.');
	END IF;
	IF coalesce(length(btrim(p_label)), 0) NOT BETWEEN 1 AND 200 THEN
		e := admin_err(e, 'label', 'Give the plain-language name '
		    '(up to 200 characters).');
	END IF;
	IF length(coalesce(p_hint, '')) > 500 THEN
		e := admin_err(e, 'hint', 'Use at most 500 characters.');
	END IF;
	IF p_position IS NULL OR p_position !~ '^[0-9]{1,6}$' THEN
		e := admin_err(e, 'position', 'Give a whole number.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO concern_categories (code, label, hint, position, active)
	VALUES (p_code, btrim(p_label), coalesce(btrim(p_hint), ''),
	    p_position::integer, p_active = 'yes')
	ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label,
	    hint = EXCLUDED.hint, position = EXCLUDED.position,
	    active = EXCLUDED.active;
	PERFORM audit('staff:' || p_actor, 'category.save',
	    'category:' || p_code, jsonb_build_object('label', btrim(p_label),
	        'active', p_active = 'yes', 'position', p_position::integer));
	RETURN 'ok';
END $$;
