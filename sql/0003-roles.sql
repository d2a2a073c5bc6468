-- 0003: functions for what the service used to read from tables directly,
-- so that its runtime roles (sql/roles.sql) need no right on any table:
-- they may only execute the functions sql/grants.sql lists.

-- The public side: the active concern categories and channels for the
-- complaint form and the taxonomy API.
CREATE FUNCTION taxonomy_active(OUT kind text, OUT code text, OUT label text,
    OUT hint text, OUT "position" integer)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT 'category', k.code, k.label, k.hint, k.position
	FROM concern_categories k WHERE k.active
	UNION ALL
	SELECT 'channel', h.code, h.label, '', h.position
	FROM channels h WHERE h.active
$$;

-- The back office: a case's sealed data key and the complainant's box key,
-- for an action's text, when the actor may see the case (no row otherwise).
CREATE FUNCTION case_keys(p_actor bigint, p_reference text,
    OUT data_key_sealed bytea, OUT complainant_pk bytea,
    OUT complainant_salt bytea)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT c.data_key_sealed, c.complainant_pk, c.complainant_salt
	FROM cases c
	WHERE c.reference = p_reference
	  AND staff_can_see(p_actor, c.queue, c.brand)
$$;

-- The account page: the account's API tokens (never their hashes).
CREATE FUNCTION api_token_list(p_account bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id,
	    'label', t.label, 'created_at', t.created_at,
	    'last_used_at', t.last_used_at, 'revoked_at', t.revoked_at)
	    ORDER BY t.id), '[]')
	FROM api_tokens t WHERE t.account_id = p_account
$$;

-- A password change, before the current password is checked: the login
-- throttle's verdict for the account's name and its password hash (no row
-- for an unknown account).
CREATE FUNCTION password_current(p_account bigint, p_name_hash bytea,
    OUT wait_seconds integer, OUT password_hash text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT login_wait(p_name_hash), a.password_hash
	FROM staff_accounts a WHERE a.id = p_account
$$;

-- A wrong current password counts as a failed login, and is audited.
CREATE FUNCTION password_change_failed(p_account bigint, p_name_hash bytea)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM login_failed(p_name_hash);
	PERFORM audit('staff:' || p_account, 'account.password_change_failed',
	    'account:' || p_account);
END $$;

-- /admin/audit: events waiting for the sealer, and events neither sealed
-- nor waiting (taken out of the chain).
CREATE FUNCTION audit_counts(OUT pending bigint, OUT outside bigint)
LANGUAGE sql STABLE AS $$
	SELECT (SELECT count(*) FROM audit_pending),
	    (SELECT count(*) FROM audit_events e
	    WHERE NOT EXISTS (SELECT 1 FROM audit_seals x
	        WHERE x.event_id = e.id)
	      AND NOT EXISTS (SELECT 1 FROM audit_pending p
	        WHERE p.event_id = e.id))
$$;

-- /admin/audit: up to p_limit links after p_after, each with the text its
-- hash covers (NULLs when the event row is gone).
CREATE FUNCTION audit_slice(p_after bigint, p_limit integer)
RETURNS TABLE (seq bigint, event_id bigint, hash bytea, at_text text,
    actor text, action text, object text, detail_text text)
LANGUAGE sql STABLE AS $$
	SELECT s.seq, s.event_id, s.hash, c.at_text, c.actor, c.action,
	    c.object, c.detail_text
	FROM audit_seals s LEFT JOIN audit_canonical c ON c.id = s.event_id
	WHERE s.seq > p_after ORDER BY s.seq LIMIT p_limit
$$;
