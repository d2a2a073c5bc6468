-- 0005: staff API tokens expire (7, 30 or 90 days, chosen when made), are
-- made only with the account's password and a TOTP code never used before,
-- and end when the password changes or the account is deactivated.

-- Tokens made before this migration get the longest lifetime from now.
-- The limit binds new rows only: old ones may be older than 90 days.
ALTER TABLE api_tokens
    ADD COLUMN expires_at timestamptz NOT NULL
	DEFAULT now() + interval '90 days',
    ADD CONSTRAINT api_tokens_lifetime_check
	CHECK (expires_at <= created_at + interval '90 days') NOT VALID;
COMMENT ON COLUMN api_tokens.expires_at IS
    'After this the token is refused (at most 90 days after it was made).';

-- An API request's account, by the hash of its bearer token: a revoked or
-- expired token, or an inactive account, gives nothing.
CREATE OR REPLACE FUNCTION api_token_account(p_token_hash bytea,
    OUT account_id bigint, OUT login text, OUT display_name text,
    OUT roles text[])
LANGUAGE plpgsql AS $$
DECLARE
	t	api_tokens;
BEGIN
	SELECT * INTO t FROM api_tokens
	WHERE token_hash = p_token_hash AND revoked_at IS NULL
	  AND expires_at > now();
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT a.id, a.login, a.display_name, a.roles::text[]
	INTO account_id, login, display_name, roles
	FROM staff_accounts a
	WHERE a.id = t.account_id AND a.active AND a.password_hash IS NOT NULL;
	IF FOUND AND (t.last_used_at IS NULL
	    OR t.last_used_at < now() - interval '1 minute') THEN
		UPDATE api_tokens SET last_used_at = now() WHERE id = t.id;
	END IF;
END $$;

-- Making a token without the password and a code is no longer possible.
DROP FUNCTION api_token_create(bigint, bytea, text);

-- Phase one of making a token, like login_begin: the throttle of the
-- account's login name, the attempt counted as a failure before the
-- password is checked (api_token_issue takes it back on success), attempts
-- for one name one at a time, and the account's password hash and TOTP
-- secret for the caller to check.
CREATE FUNCTION api_token_begin(p_actor bigint, p_name_hash bytea,
    OUT wait_seconds integer, OUT password_hash text, OUT totp_box bytea,
    OUT totp_last_step bigint)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended(
	    'login:' || encode(p_name_hash, 'hex'), 0));
	wait_seconds := login_wait(p_name_hash);
	IF wait_seconds > 0 THEN
		RETURN;
	END IF;
	PERFORM login_failed(p_name_hash);
	SELECT a.password_hash, a.totp_box, a.totp_last_step
	INTO password_hash, totp_box, totp_last_step
	FROM staff_accounts a
	WHERE a.id = p_actor AND a.active AND a.password_hash IS NOT NULL;
END $$;

-- Phase two: the caller checked password and code.  p_failed names what
-- was wrong ('password' or 'code') or is NULL; then the TOTP step is
-- consumed (a code works once, as at login), the counted failure is taken
-- back and the token is stored (only its hash) for p_days.  Returns
-- 'ok' with the expiry, 'failed' or 'replayed'.
CREATE FUNCTION api_token_issue(p_actor bigint, p_name_hash bytea,
    p_failed text, p_totp_step bigint, p_token_hash bytea, p_label text,
    p_days integer, OUT outcome text, OUT expires_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	IF p_failed IS NOT NULL THEN
		PERFORM audit('staff:' || p_actor, 'api_token.create_failed',
		    'account:' || p_actor,
		    jsonb_build_object('reason', p_failed));
		outcome := 'failed';
		RETURN;
	END IF;
	IF p_days NOT IN (7, 30, 90) THEN
		RAISE EXCEPTION 'api_token_issue: % days is not offered', p_days
		    USING ERRCODE = 'check_violation';
	END IF;
	UPDATE staff_accounts SET totp_last_step = p_totp_step
	WHERE id = p_actor AND active AND totp_last_step < p_totp_step;
	IF NOT FOUND THEN
		PERFORM audit('staff:' || p_actor, 'api_token.create_failed',
		    'account:' || p_actor, '{"reason": "totp_replayed"}');
		outcome := 'replayed';
		RETURN;
	END IF;
	UPDATE login_throttle SET minute_failures = 0,
	    hour_failures = greatest(hour_failures - 1, 0),
	    blocked_until = NULL
	WHERE name_hash = p_name_hash;
	INSERT INTO api_tokens (account_id, token_hash, label, expires_at)
	VALUES (p_actor, p_token_hash, p_label,
	    now() + p_days * interval '1 day')
	RETURNING id, api_tokens.expires_at INTO v_id, expires_at;
	PERFORM audit('staff:' || p_actor, 'api_token.create',
	    'api_token:' || v_id, jsonb_build_object('days', p_days));
	outcome := 'ok';
END $$;

-- A new password (set-up, change, or any other way) or a deactivation ends
-- every API token of the account: a token must not outlive the secret it
-- was made with, nor come back when an account is reactivated.  A trigger,
-- so every path that changes these columns is covered.
CREATE FUNCTION api_tokens_end_with_account() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE api_tokens SET revoked_at = now()
	WHERE account_id = NEW.id AND revoked_at IS NULL;
	RETURN NULL;
END $$;

CREATE TRIGGER staff_accounts_end_api_tokens
AFTER UPDATE OF password_hash, active ON staff_accounts
FOR EACH ROW
WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash
    OR (OLD.active AND NOT NEW.active))
EXECUTE FUNCTION api_tokens_end_with_account();

-- api_token_list (0003) with each token's expiry, as the account page
-- shows it.
CREATE OR REPLACE FUNCTION api_token_list(p_account bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id,
	    'label', t.label, 'created_at', t.created_at,
	    'last_used_at', t.last_used_at, 'revoked_at', t.revoked_at,
	    'expires_at', to_char(t.expires_at, 'YYYY-MM-DD HH24:MI'),
	    'expired', t.expires_at <= now())
	    ORDER BY t.id), '[]')
	FROM api_tokens t WHERE t.account_id = p_account
$$;
