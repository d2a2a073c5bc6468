-- 0008: refused attempts by identified staff in the audit chain (cases
-- out of reach, refused actions, forged CSRF tokens, pages needing a role
-- the account lacks, revoked or otherwise refused API tokens), and the
-- counts per account that a supervisor reviews.  Who, what, when: never
-- case content.  Nothing here is written for a caller who cannot be
-- identified, so an anonymous client cannot grow the audit log.

-- Refusal rows are few beside reads and actions: partial indexes keep the
-- supervisor's counts and lists off the rest of the log.
CREATE INDEX audit_events_refused_at_idx ON audit_events (at)
	WHERE action LIKE 'refused.%';
CREATE INDEX audit_events_refused_actor_idx ON audit_events (actor, at)
	WHERE action LIKE 'refused.%';

-- Refusals the back office noted while answering, written in batches
-- behind the answer (src/refusal.c): [{"actor": 12, "kind": "case_read",
-- "object": "case:RC-2026-000001", "verb": "take", "reason": "not_found"}].
-- Only these kinds, only for accounts that exist, and only 'refused.'
-- actions, so the caller cannot write any other kind of audit row through
-- this function.  p_dropped counts refusals a worker could not keep while
-- the database was out of reach.  Returns the rows written.
CREATE FUNCTION audit_refusals(p_refusals jsonb, p_dropped integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	r	jsonb;
	v_obj	text;
	n	integer := 0;
BEGIN
	FOR r IN SELECT x FROM jsonb_array_elements(
	    CASE WHEN jsonb_typeof(p_refusals) = 'array' THEN p_refusals
	    ELSE '[]' END) x LOOP
		CONTINUE WHEN jsonb_typeof(r) <> 'object'
		    OR coalesce(r->>'actor', '') !~ '^[0-9]{1,18}$'
		    OR coalesce(r->>'kind', '') NOT IN ('case_read',
		        'case_action', 'csrf', 'role')
		    OR NOT EXISTS (SELECT 1 FROM staff_accounts a
		        WHERE a.id = (r->>'actor')::bigint);
		v_obj := left(coalesce(r->>'object', ''), 200);
		PERFORM audit('staff:' || (r->>'actor')::bigint,
		    'refused.' || (r->>'kind'), v_obj, jsonb_strip_nulls(
		    jsonb_build_object(
		        'verb', left(r->>'verb', 40),
		        'reason', left(r->>'reason', 40),
		        'needs', left(r->>'needs', 20),
		        -- Whether the case exists at all: a typo, or a look at
		        -- a case out of reach (internal; the 404 is the same).
		        'case_exists', CASE WHEN v_obj LIKE 'case:%' THEN
		            EXISTS (SELECT 1 FROM cases c
		                WHERE c.reference = substr(v_obj, 6)) END)));
		n := n + 1;
	END LOOP;
	IF coalesce(p_dropped, 0) > 0 THEN
		PERFORM audit('system', 'refused.dropped', '',
		    jsonb_build_object('count', p_dropped));
	END IF;
	RETURN n;
END $$;

-- An API request's account, as api_token_account finds it; when that
-- refuses a token that exists (revoked, its account deactivated, or
-- otherwise no longer valid), the attempt is recorded against the token's
-- account.  An unknown token writes nothing: nobody can be named.
CREATE FUNCTION api_token_check(p_token_hash bytea, OUT account_id bigint,
    OUT login text, OUT display_name text, OUT roles text[])
LANGUAGE plpgsql AS $$
DECLARE
	t	api_tokens;
BEGIN
	SELECT a.account_id, a.login, a.display_name, a.roles
	INTO account_id, login, display_name, roles
	FROM api_token_account(p_token_hash) a;
	IF account_id IS NOT NULL THEN
		RETURN;
	END IF;
	SELECT * INTO t FROM api_tokens x WHERE x.token_hash = p_token_hash;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	PERFORM audit('staff:' || t.account_id, 'refused.api_token',
	    'api_token:' || t.id, jsonb_build_object('reason',
	    CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
	    WHEN NOT EXISTS (SELECT 1 FROM staff_accounts a
	        WHERE a.id = t.account_id AND a.active) THEN 'inactive'
	    ELSE 'expired' END));
END $$;

-- What a supervisor (or an admin) reviews: each account with refusals in
-- the last 30 days, with its counts for 24 hours and 30 days, and, for
-- p_account, that account's refusals of the last 30 days, newest first.
-- NULL for anyone else.
CREATE FUNCTION refusal_report(p_actor bigint, p_account bigint,
    p_limit integer) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN staff_is(p_actor, 'supervisor')
	    OR staff_is(p_actor, 'admin') THEN jsonb_build_object(
	    'accounts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', a.id, 'login', a.login, 'name', a.display_name,
	        'active', a.active, 'day', x.day, 'month', x.month,
	        'last', utc_text(x.last))
	        ORDER BY x.day DESC, x.month DESC, a.login), '[]')
	        FROM (SELECT e.actor,
	            count(*) FILTER (WHERE e.at > now() - interval '24 hours')
	                AS day,
	            count(*) AS month, max(e.at) AS last
	            FROM audit_events e
	            WHERE e.action LIKE 'refused.%'
	              AND e.at > now() - interval '30 days'
	            GROUP BY e.actor) x
	        JOIN staff_accounts a ON 'staff:' || a.id = x.actor),
	    'account', (SELECT jsonb_build_object('id', a.id, 'login', a.login,
	        'name', a.display_name) FROM staff_accounts a
	        WHERE a.id = p_account),
	    'events', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', y.id, 'at', utc_text(y.at), 'action', y.action,
	        'object', y.object, 'detail', y.detail) ORDER BY y.id DESC),
	        '[]')
	        FROM (SELECT e.id, e.at, e.action, e.object, e.detail
	            FROM audit_events e
	            WHERE p_account IS NOT NULL
	              AND e.actor = 'staff:' || p_account
	              AND e.action LIKE 'refused.%'
	              AND e.at > now() - interval '30 days'
	            ORDER BY e.at DESC, e.id DESC LIMIT p_limit) y)) END
$$;
