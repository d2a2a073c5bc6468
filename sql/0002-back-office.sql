-- 0002: staff accounts, sessions and login throttling, queue membership and
-- brand bars, the case workflow with its state machine enforced here, and
-- the append-only, hash-chained audit log.

-- Times are shown and compared in UTC (the service's time zone until the
-- business calendar arrives with the SLA work).
DO $$ BEGIN
	EXECUTE format('ALTER DATABASE %I SET timezone = %L',
	    current_database(), 'UTC');
END $$;

------------------------------------------------------------------------
-- Accounts
------------------------------------------------------------------------

CREATE TYPE staff_role AS ENUM ('reviewer', 'supervisor', 'admin');

CREATE TABLE staff_accounts (
	id			bigserial PRIMARY KEY,
	login			text NOT NULL UNIQUE
				CHECK (login ~ '^[a-z][a-z0-9._-]{1,39}$'),
	display_name		text NOT NULL
				CHECK (length(display_name) BETWEEN 1 AND 100),
	roles			staff_role[] NOT NULL
				CHECK (cardinality(roles) BETWEEN 1 AND 3),
	-- Argon2id string (crypto_pwhash_str); NULL until the set-up link
	-- has been used.
	password_hash		text CHECK (password_hash LIKE '$argon2id$%'),
	-- The TOTP secret, encrypted under a key derived from master.key.
	totp_box		bytea,
	-- The last TOTP time step accepted: a code is never accepted twice.
	totp_last_step		bigint NOT NULL DEFAULT 0,
	active			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT now(),
	password_changed_at	timestamptz,
	CHECK ((password_hash IS NULL) = (totp_box IS NULL))
);
COMMENT ON TABLE staff_accounts IS 'Reviewers, supervisors and admins. Usable once password and TOTP are set through a one-time link.';

-- A one-time link to set the password and enrol TOTP; the secret shown on
-- the page is kept here (encrypted) until the form is sent back.
CREATE TABLE staff_setup_tokens (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	account_id	bigint NOT NULL REFERENCES staff_accounts,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	totp_box	bytea
);
COMMENT ON TABLE staff_setup_tokens IS 'One-time set-password links (stored hashed), valid 72 hours.';
CREATE INDEX staff_setup_tokens_account_idx ON staff_setup_tokens (account_id);

CREATE TABLE staff_sessions (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	account_id	bigint NOT NULL REFERENCES staff_accounts,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE staff_sessions IS 'Server-side staff sessions: 30 minutes idle, 12 hours absolute. The cookie holds the token; only its hash is here.';
CREATE INDEX staff_sessions_account_idx ON staff_sessions (account_id);
CREATE INDEX staff_sessions_seen_idx ON staff_sessions (last_seen_at);

-- Failed logins per login name (a keyed hash of the name as typed, so an
-- unknown name is throttled exactly like a known one).
CREATE TABLE login_throttle (
	name_hash	bytea PRIMARY KEY CHECK (length(name_hash) = 32),
	minute_start	timestamptz NOT NULL,
	minute_failures	integer NOT NULL,
	hour_start	timestamptz NOT NULL,
	hour_failures	integer NOT NULL,
	blocked_until	timestamptz
);
COMMENT ON TABLE login_throttle IS 'Login failures per keyed hash of the login name: a growing delay after 5 a minute, at most 100 an hour reach the password check.';

CREATE TABLE api_tokens (
	id		bigserial PRIMARY KEY,
	account_id	bigint NOT NULL REFERENCES staff_accounts,
	token_hash	bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	revoked_at	timestamptz
);
COMMENT ON TABLE api_tokens IS 'Staff API tokens: shown once, stored hashed, revocable.';

CREATE TABLE queue_members (
	account_id	bigint NOT NULL REFERENCES staff_accounts,
	queue		text NOT NULL REFERENCES queues ON UPDATE CASCADE,
	PRIMARY KEY (account_id, queue)
);
COMMENT ON TABLE queue_members IS 'Which queues a reviewer works; a reviewer sees only cases in these.';

CREATE TABLE brand_bars (
	account_id	bigint NOT NULL REFERENCES staff_accounts,
	brand_key	text NOT NULL CHECK (brand_key = lower(btrim(brand_key))
			    AND length(brand_key) BETWEEN 1 AND 200),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (account_id, brand_key)
);
COMMENT ON TABLE brand_bars IS 'Conflicts of interest: the account can neither see nor be assigned cases naming this brand (compared case-insensitively).';

------------------------------------------------------------------------
-- The case workflow
------------------------------------------------------------------------

ALTER TABLE queues ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE routing_rules ADD CONSTRAINT routing_rules_brand_check
	CHECK (brand IS NULL OR length(brand) BETWEEN 1 AND 200);

ALTER TABLE cases
	ADD COLUMN assignee bigint REFERENCES staff_accounts,
	-- The next deadline (acknowledge, then decide); the SLA work replaces
	-- these simple due dates with business-calendar clocks.
	ADD COLUMN due_at timestamptz,
	ADD COLUMN duplicate_of bigint REFERENCES cases,
	-- Set when an appeal is lodged: the reviewer who decided may neither
	-- take nor decide the appeal.
	ADD COLUMN appeal_excluded bigint REFERENCES staff_accounts,
	ADD CONSTRAINT cases_not_own_duplicate CHECK (duplicate_of <> id),
	-- (NULL on either side passes: only an actual match is refused.)
	ADD CONSTRAINT cases_appeal_assignee
	    CHECK (assignee <> appeal_excluded);
COMMENT ON COLUMN cases.due_at IS 'Next deadline: triage, then decision (simple due dates until the SLA clocks).';
COMMENT ON COLUMN cases.assignee IS 'The staff account working the case, if any.';

-- Urgent: a vulnerable person or child, or priority 4.
CREATE FUNCTION case_urgent(p_priority smallint, p_vulnerable boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_priority >= 4 OR p_vulnerable
$$;

CREATE FUNCTION cases_set_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.due_at IS NULL THEN
		NEW.due_at := NEW.received_at + CASE
		    WHEN case_urgent(NEW.priority, NEW.vulnerable)
		    THEN interval '4 hours' ELSE interval '2 days' END;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER cases_set_due BEFORE INSERT ON cases
	FOR EACH ROW EXECUTE FUNCTION cases_set_due();

UPDATE cases SET due_at = received_at + CASE
    WHEN case_urgent(priority, vulnerable) THEN interval '4 hours'
    ELSE interval '2 days' END;
ALTER TABLE cases ALTER COLUMN due_at SET NOT NULL;

-- The work list: open cases in deadline order, most urgent first among
-- equal deadlines.  Keyset pagination walks this index.
CREATE INDEX cases_worklist_idx ON cases (due_at, (-priority), id)
	WHERE state NOT IN ('closed', 'rejected');
-- The same order within one state, one brand or one queue, so that a
-- filter on any of them walks only its own entries (measured at 1 000 000
-- cases: a rare brand, a closed-state or an other-queue filter fell from
-- seconds to under a millisecond; docs/BENCHMARKS.md).
CREATE INDEX cases_worklist_state_idx ON cases (state, due_at, (-priority), id);
CREATE INDEX cases_worklist_brand_idx
	ON cases (lower(btrim(brand)), due_at, (-priority), id)
	WHERE brand IS NOT NULL;
CREATE INDEX cases_worklist_queue_idx ON cases (queue, due_at, (-priority), id)
	WHERE state NOT IN ('closed', 'rejected');
CREATE INDEX cases_duplicate_idx ON cases (duplicate_of)
	WHERE duplicate_of IS NOT NULL;
CREATE INDEX cases_assignee_idx ON cases (assignee) WHERE assignee IS NOT NULL;

-- The allowed state changes (PRODUCT.md, Case states).  The trigger below
-- refuses every other change, whoever makes it.
CREATE TABLE case_transitions (
	from_state	case_state NOT NULL,
	to_state	case_state NOT NULL,
	PRIMARY KEY (from_state, to_state)
);
COMMENT ON TABLE case_transitions IS 'Allowed case state changes; a trigger on cases refuses any other.';
INSERT INTO case_transitions VALUES
 ('received', 'triaged'),
 ('received', 'rejected'),
 ('triaged', 'investigating'),
 ('triaged', 'awaiting_complainant'),
 ('triaged', 'rejected'),
 ('investigating', 'awaiting_complainant'),
 ('investigating', 'decided'),
 ('investigating', 'rejected'),
 ('awaiting_complainant', 'investigating'),
 ('awaiting_complainant', 'rejected'),
 ('decided', 'closed'),
 ('decided', 'appealed'),
 ('appealed', 'decided'),
 ('rejected', 'closed');

CREATE FUNCTION cases_check_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.state IS DISTINCT FROM OLD.state THEN
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
CREATE TRIGGER cases_check_transition BEFORE UPDATE OF state ON cases
	FOR EACH ROW EXECUTE FUNCTION cases_check_transition();

-- Notes, messages to the complainant and the complainant's replies.
CREATE TABLE case_messages (
	id		bigserial PRIMARY KEY,
	case_id		bigint NOT NULL REFERENCES cases,
	kind		text NOT NULL CHECK (kind IN ('note', 'to_complainant',
			    'from_complainant')),
	author		bigint REFERENCES staff_accounts,
	at		timestamptz NOT NULL DEFAULT now(),
	-- Staff-written: nonce || AEAD under the case data key.  From the
	-- complainant: crypto_box_seal to the review public key.
	body_box	bytea NOT NULL,
	-- What /track shows: crypto_box_seal to the complainant's key.
	complainant_box	bytea,
	CHECK ((kind = 'from_complainant') = (author IS NULL)),
	CHECK ((kind = 'note') = (complainant_box IS NULL))
);
COMMENT ON TABLE case_messages IS 'Internal notes and messages both ways; bodies encrypted (see columns).';
CREATE INDEX case_messages_case_idx ON case_messages (case_id, at, id);

CREATE TABLE case_decisions (
	id			bigserial PRIMARY KEY,
	case_id			bigint NOT NULL REFERENCES cases,
	on_appeal		boolean NOT NULL,
	outcome			text NOT NULL CHECK (outcome IN ('upheld',
				    'partly_upheld', 'not_upheld', 'out_of_scope',
				    'referred')),
	remedies		text[] NOT NULL CHECK (remedies <@ ARRAY[
				    'campaign_changed', 'data_deleted',
				    'consent_fixed', 'model_changed',
				    'optout_honoured', 'apology', 'compensation',
				    'staff_guidance', 'none']::text[]
				    AND cardinality(remedies) >= 1),
	automated		boolean NOT NULL,
	reasons_box		bytea NOT NULL,
	reasons_complainant_box	bytea NOT NULL,
	decided_by		bigint NOT NULL REFERENCES staff_accounts,
	decided_at		timestamptz NOT NULL DEFAULT now(),
	needs_signature		boolean NOT NULL,
	signed_by		bigint REFERENCES staff_accounts,
	signed_at		timestamptz,
	-- When the complainant can see it: at once, or at the second signature.
	released_at		timestamptz,
	CHECK (signed_by IS DISTINCT FROM decided_by),
	CHECK ((signed_by IS NULL) = (signed_at IS NULL)),
	CHECK (needs_signature OR signed_by IS NULL),
	CHECK ((released_at IS NOT NULL) =
	    (NOT needs_signature OR signed_by IS NOT NULL))
);
COMMENT ON TABLE case_decisions IS 'Decisions with written reasons (encrypted), remedial actions and the second signature where one is needed.';
COMMENT ON COLUMN case_decisions.automated IS 'Whether automated means were used to detect or decide.';
CREATE INDEX case_decisions_case_idx ON case_decisions (case_id, id);

-- An appeal decision is made by someone other than the reviewer who made
-- the decision appealed against; only a supervisor second-signs.
CREATE FUNCTION case_decisions_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.on_appeal AND EXISTS (SELECT 1 FROM case_decisions d
	    WHERE d.case_id = NEW.case_id AND NOT d.on_appeal
	      AND d.decided_by = NEW.decided_by) THEN
		RAISE EXCEPTION 'an appeal must be decided by a different reviewer'
		    USING ERRCODE = 'check_violation';
	END IF;
	IF NEW.signed_by IS NOT NULL AND NOT EXISTS (SELECT 1
	    FROM staff_accounts a WHERE a.id = NEW.signed_by
	      AND 'supervisor' = ANY (a.roles) AND a.active) THEN
		RAISE EXCEPTION 'only a supervisor can second-sign'
		    USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER case_decisions_check BEFORE INSERT OR UPDATE ON case_decisions
	FOR EACH ROW EXECUTE FUNCTION case_decisions_check();

-- A case's latest decision (NULL fields when it has none).
CREATE FUNCTION case_last_decision(p_case bigint) RETURNS case_decisions
LANGUAGE sql STABLE AS $$
	SELECT * FROM case_decisions WHERE case_id = p_case
	ORDER BY id DESC LIMIT 1
$$;

CREATE TABLE case_appeals (
	id		bigserial PRIMARY KEY,
	case_id		bigint NOT NULL REFERENCES cases,
	decision_id	bigint NOT NULL UNIQUE REFERENCES case_decisions,
	at		timestamptz NOT NULL DEFAULT now(),
	grounds_box	bytea NOT NULL,		-- sealed to the review key
	grounds_complainant_box bytea NOT NULL	-- sealed to the complainant
);
COMMENT ON TABLE case_appeals IS 'Appeals lodged from /track, one per decision; grounds encrypted.';

------------------------------------------------------------------------
-- Audit log
------------------------------------------------------------------------

-- Events are written in the same transaction as what they record.  A
-- sealer in the service chains them (keyed BLAKE2b over the previous
-- link and the event, see src/audit.c) into audit_seals in the order it
-- finds them; both tables refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE audit_events (
	id	bigserial PRIMARY KEY,
	at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor	text NOT NULL CHECK (actor ~ '^(staff:[0-9]+|cli|complainant|anonymous|system)$'),
	action	text NOT NULL CHECK (action ~ '^[a-z_.]+$'),
	object	text NOT NULL DEFAULT '' CHECK (length(object) <= 200),
	detail	jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE audit_events IS 'Who did what, when: logins, reads of personal data, actions, admin changes. No personal data. Append-only.';

CREATE TABLE audit_pending (
	event_id	bigint PRIMARY KEY REFERENCES audit_events
);
COMMENT ON TABLE audit_pending IS 'Audit events not yet sealed into the chain.';

CREATE TABLE audit_seals (
	seq		bigint PRIMARY KEY CHECK (seq >= 1),
	event_id	bigint NOT NULL UNIQUE REFERENCES audit_events,
	hash		bytea NOT NULL CHECK (length(hash) = 32),
	sealed_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE audit_seals IS 'The hash chain over audit_events: link seq covers link seq-1 and its event. Append-only.';

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
	    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_append_only
	BEFORE UPDATE OR DELETE ON audit_events
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seals_append_only
	BEFORE UPDATE OR DELETE ON audit_seals
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit(p_actor text, p_action text, p_object text,
    p_detail jsonb DEFAULT '{}') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	INSERT INTO audit_events (actor, action, object, detail)
	VALUES (p_actor, p_action, coalesce(p_object, ''),
	    coalesce(p_detail, '{}'))
	RETURNING id INTO v_id;
	INSERT INTO audit_pending VALUES (v_id);
END $$;

-- The exact text each link's hash covers, shared by the sealer and the
-- verifier so that both hash the same bytes.
CREATE VIEW audit_canonical AS
SELECT e.id, to_char(e.at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
	e.actor, e.action, e.object, e.detail::text AS detail_text
FROM audit_events e;

-- Up to p_limit unsealed events in id order, with the current head.
CREATE FUNCTION audit_unsealed(p_limit integer, OUT head_seq bigint,
    OUT head_hash bytea, OUT event_id bigint, OUT at_text text,
    OUT actor text, OUT action text, OUT object text, OUT detail_text text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	WITH head AS (
		SELECT s.seq, s.hash FROM audit_seals s
		ORDER BY s.seq DESC LIMIT 1
	)
	SELECT (SELECT seq FROM head), (SELECT hash FROM head),
	    c.id, c.at_text, c.actor, c.action, c.object, c.detail_text
	FROM audit_pending p JOIN audit_canonical c ON c.id = p.event_id
	ORDER BY p.event_id
	LIMIT p_limit
$$;

-- Appends links after p_head_seq (NULL for an empty chain); refuses
-- ('stale') when another sealer moved the head meanwhile, so the chain
-- never forks.
CREATE FUNCTION audit_seal(p_head_seq bigint, p_event_ids bigint[],
    p_hashes bytea[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_head	bigint;
	i	integer;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('audit_seal'));
	SELECT max(seq) INTO v_head FROM audit_seals;
	IF v_head IS DISTINCT FROM p_head_seq THEN
		RETURN 'stale';
	END IF;
	FOR i IN 1 .. coalesce(cardinality(p_event_ids), 0) LOOP
		INSERT INTO audit_seals (seq, event_id, hash)
		VALUES (coalesce(p_head_seq, 0) + i, p_event_ids[i], p_hashes[i]);
		DELETE FROM audit_pending WHERE event_id = p_event_ids[i];
	END LOOP;
	RETURN 'sealed';
END $$;

------------------------------------------------------------------------
-- Sessions and login
------------------------------------------------------------------------

-- Records a login failure for a name and says whether the next attempt
-- must wait: after 5 failures within a minute each further failure doubles
-- the delay (2 s, 4 s, ... at most 15 minutes).
CREATE FUNCTION login_failed(p_name_hash bytea) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t	login_throttle;
BEGIN
	INSERT INTO login_throttle AS l (name_hash, minute_start,
	    minute_failures, hour_start, hour_failures)
	VALUES (p_name_hash, now(), 1, now(), 1)
	ON CONFLICT (name_hash) DO UPDATE SET
	    minute_start = CASE WHEN l.minute_start < now() - interval '1 minute'
	        THEN now() ELSE l.minute_start END,
	    minute_failures = CASE
	        WHEN l.minute_start < now() - interval '1 minute' THEN 1
	        ELSE l.minute_failures + 1 END,
	    hour_start = CASE WHEN l.hour_start < now() - interval '1 hour'
	        THEN now() ELSE l.hour_start END,
	    hour_failures = CASE WHEN l.hour_start < now() - interval '1 hour'
	        THEN 1 ELSE l.hour_failures + 1 END
	RETURNING * INTO t;
	IF t.minute_failures >= 5 THEN
		UPDATE login_throttle SET blocked_until = now() +
		    least(interval '15 minutes',
		        interval '1 second' * power(2, least(t.minute_failures - 4, 10)))
		WHERE name_hash = p_name_hash;
	END IF;
END $$;

-- Whether a login attempt for this name may reach the password check now.
-- Returns 0 when it may, else the seconds to wait.
CREATE FUNCTION login_wait(p_name_hash bytea) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT CASE
	    WHEN t.hour_start >= now() - interval '1 hour'
	     AND t.hour_failures >= 100
	    THEN ceil(extract(epoch FROM t.hour_start + interval '1 hour' - now()))
	    WHEN t.blocked_until > now()
	    THEN ceil(extract(epoch FROM t.blocked_until - now()))
	    ELSE 0 END::integer
	FROM login_throttle t WHERE t.name_hash = p_name_hash), 0)
$$;

-- Phase one of a login: the throttle verdict and, when the attempt may go
-- on, the account's password hash and TOTP secret.  An unknown or inactive
-- login returns the same shape with NULLs, and the caller hashes anyway.
-- The attempt is counted as a failure here, before the password is checked
-- (login_finish takes it back on success), and attempts for one name are
-- counted one at a time: concurrent attempts cannot all pass the check
-- before any of them is counted.
CREATE FUNCTION login_begin(p_login text, p_name_hash bytea,
    OUT wait_seconds integer, OUT account_id bigint, OUT password_hash text,
    OUT totp_box bytea, OUT totp_last_step bigint)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended(
	    'login:' || encode(p_name_hash, 'hex'), 0));
	wait_seconds := login_wait(p_name_hash);
	IF wait_seconds > 0 THEN
		RETURN;
	END IF;
	PERFORM login_failed(p_name_hash);
	SELECT a.id, a.password_hash, a.totp_box, a.totp_last_step
	INTO account_id, password_hash, totp_box, totp_last_step
	FROM staff_accounts a
	WHERE a.login = p_login AND a.active AND a.password_hash IS NOT NULL;
END $$;

-- Phase two: the caller checked password and TOTP code.  On success the
-- TOTP step is consumed (a replay of the same code fails: the step must be
-- newer than the last one accepted), the failure login_begin counted is
-- taken back, and a new session is created.  Returns 'ok', 'failed' or
-- 'replayed'.
CREATE FUNCTION login_finish(p_name_hash bytea, p_account_id bigint,
    p_ok boolean, p_totp_step bigint, p_session_hash bytea,
    p_old_session_hash bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_actor	text := CASE WHEN p_account_id IS NULL THEN 'anonymous'
	    ELSE 'staff:' || p_account_id END;
BEGIN
	IF p_ok THEN
		UPDATE staff_accounts SET totp_last_step = p_totp_step
		WHERE id = p_account_id AND active
		  AND totp_last_step < p_totp_step;
		IF NOT FOUND THEN
			PERFORM audit(v_actor, 'login.failed', '',
			    '{"reason": "totp_replayed"}');
			RETURN 'replayed';
		END IF;
		-- Fixation: whatever session the browser brought ends here.
		DELETE FROM staff_sessions WHERE token_hash = p_old_session_hash;
		INSERT INTO staff_sessions (token_hash, account_id)
		VALUES (p_session_hash, p_account_id);
		UPDATE login_throttle SET minute_failures = 0,
		    hour_failures = greatest(hour_failures - 1, 0),
		    blocked_until = NULL
		WHERE name_hash = p_name_hash;
		PERFORM audit(v_actor, 'login', '', '{}');
		RETURN 'ok';
	END IF;
	PERFORM audit(v_actor, 'login.failed', '', '{}');
	RETURN 'failed';
END $$;

-- Looks a session up and keeps it alive.  Idle 30 minutes or 12 hours old:
-- the session is deleted and nothing is returned.
CREATE FUNCTION session_touch(p_session_hash bytea, OUT account_id bigint,
    OUT login text, OUT display_name text, OUT roles text[])
LANGUAGE plpgsql AS $$
DECLARE
	s	staff_sessions;
BEGIN
	SELECT * INTO s FROM staff_sessions WHERE token_hash = p_session_hash;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF s.last_seen_at < now() - interval '30 minutes'
	    OR s.created_at < now() - interval '12 hours' THEN
		DELETE FROM staff_sessions WHERE token_hash = p_session_hash;
		PERFORM audit('staff:' || s.account_id, 'session.expired', '', '{}');
		RETURN;
	END IF;
	SELECT a.id, a.login, a.display_name, a.roles::text[]
	INTO account_id, login, display_name, roles
	FROM staff_accounts a WHERE a.id = s.account_id AND a.active;
	IF NOT FOUND THEN
		DELETE FROM staff_sessions WHERE token_hash = p_session_hash;
		RETURN;
	END IF;
	-- Touching at most once a minute spares a write per request.
	IF s.last_seen_at < now() - interval '1 minute' THEN
		UPDATE staff_sessions SET last_seen_at = now()
		WHERE token_hash = p_session_hash;
	END IF;
END $$;

CREATE FUNCTION session_end(p_session_hash bytea) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_account	bigint;
BEGIN
	DELETE FROM staff_sessions WHERE token_hash = p_session_hash
	RETURNING account_id INTO v_account;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM audit('staff:' || v_account, 'logout', '', '{}');
	RETURN true;
END $$;

------------------------------------------------------------------------
-- Account set-up (first password and TOTP)
------------------------------------------------------------------------

-- Creates an account and its one-time set-up link (an admin in /admin or
-- recourse-admin on the command line).  Returns the new account id, or
-- NULL when the login is taken.
CREATE FUNCTION staff_create(p_actor text, p_login text, p_display_name text,
    p_roles staff_role[], p_queues text[], p_token_hash bytea)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	INSERT INTO staff_accounts (login, display_name, roles)
	VALUES (p_login, p_display_name,
	    ARRAY(SELECT DISTINCT r FROM unnest(p_roles) r ORDER BY r))
	ON CONFLICT (login) DO NOTHING
	RETURNING id INTO v_id;
	IF v_id IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO queue_members (account_id, queue)
	SELECT DISTINCT v_id, q FROM unnest(coalesce(p_queues, '{}')) q;
	INSERT INTO staff_setup_tokens (token_hash, account_id, expires_at)
	VALUES (p_token_hash, v_id, now() + interval '72 hours');
	PERFORM audit(p_actor, 'account.create', 'account:' || v_id,
	    jsonb_build_object('roles', p_roles, 'queues', coalesce(p_queues, '{}')));
	RETURN v_id;
END $$;

-- A new set-up link for an existing account (forgotten password, lost
-- authenticator): earlier unused links stop working.
CREATE FUNCTION staff_reset(p_actor text, p_account bigint, p_token_hash bytea)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM staff_accounts
	    WHERE id = p_account AND active) THEN
		RETURN false;
	END IF;
	UPDATE staff_setup_tokens SET used_at = now()
	WHERE account_id = p_account AND used_at IS NULL;
	INSERT INTO staff_setup_tokens (token_hash, account_id, expires_at)
	VALUES (p_token_hash, p_account, now() + interval '72 hours');
	PERFORM audit(p_actor, 'account.reset_link', 'account:' || p_account, '{}');
	RETURN true;
END $$;

-- The set-up page: the account behind a live link, and the TOTP secret
-- offered on it (stored on first view, so a reload shows the same one).
CREATE FUNCTION setup_view(p_token_hash bytea, p_totp_box bytea,
    OUT account_id bigint, OUT login text, OUT totp_box bytea)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE staff_setup_tokens t SET totp_box = coalesce(t.totp_box, p_totp_box)
	WHERE t.token_hash = p_token_hash AND t.used_at IS NULL
	  AND t.expires_at > now()
	RETURNING t.account_id, t.totp_box INTO account_id, totp_box;
	IF FOUND THEN
		SELECT a.login INTO login FROM staff_accounts a
		WHERE a.id = account_id;
	END IF;
END $$;

-- Completes set-up: password and the confirmed TOTP secret become the
-- account's, the link is spent, and every session of the account ends.
CREATE FUNCTION setup_finish(p_token_hash bytea, p_password_hash text,
    p_totp_step bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	t	staff_setup_tokens;
BEGIN
	UPDATE staff_setup_tokens s SET used_at = now()
	WHERE s.token_hash = p_token_hash AND s.used_at IS NULL
	  AND s.expires_at > now() AND s.totp_box IS NOT NULL
	RETURNING * INTO t;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE staff_accounts SET password_hash = p_password_hash,
	    totp_box = t.totp_box, totp_last_step = p_totp_step,
	    password_changed_at = now()
	WHERE id = t.account_id;
	DELETE FROM staff_sessions WHERE account_id = t.account_id;
	-- A new set-up is how a compromised account is recovered: nothing
	-- issued before it keeps working.
	UPDATE api_tokens SET revoked_at = now()
	WHERE account_id = t.account_id AND revoked_at IS NULL;
	PERFORM audit('staff:' || t.account_id, 'account.setup',
	    'account:' || t.account_id, '{}');
	RETURN true;
END $$;

-- Password change by the account holder: the current session is replaced
-- by a new one and every other session ends.
CREATE FUNCTION password_change(p_account bigint, p_password_hash text,
    p_session_hash bytea) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	UPDATE staff_accounts SET password_hash = p_password_hash,
	    password_changed_at = now()
	WHERE id = p_account;
	DELETE FROM staff_sessions WHERE account_id = p_account;
	INSERT INTO staff_sessions (token_hash, account_id)
	VALUES (p_session_hash, p_account);
	PERFORM audit('staff:' || p_account, 'account.password_change',
	    'account:' || p_account, '{}');
END $$;

-- Housekeeping for the back office: expired sessions, old throttle rows,
-- spent set-up links.
CREATE FUNCTION purge_staff_expired(OUT sessions integer, OUT throttles integer)
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM staff_sessions WHERE last_seen_at < now() - interval '30 minutes'
	    OR created_at < now() - interval '12 hours';
	GET DIAGNOSTICS sessions = ROW_COUNT;
	DELETE FROM login_throttle WHERE hour_start < now() - interval '1 hour'
	    AND (blocked_until IS NULL OR blocked_until < now());
	GET DIAGNOSTICS throttles = ROW_COUNT;
END $$;

------------------------------------------------------------------------
-- Who may see and work a case
------------------------------------------------------------------------

-- A reviewer sees the cases in their queues; a supervisor sees every
-- queue; nobody sees a case naming a brand they are barred from.
CREATE FUNCTION staff_can_see(p_actor bigint, p_queue text, p_brand text)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM staff_accounts a
	    WHERE a.id = p_actor AND a.active AND a.password_hash IS NOT NULL
	      AND ('supervisor' = ANY (a.roles)
	        OR ('reviewer' = ANY (a.roles) AND EXISTS (SELECT 1
	            FROM queue_members m
	            WHERE m.account_id = a.id AND m.queue = p_queue))))
	  AND NOT EXISTS (SELECT 1 FROM brand_bars b
	    WHERE b.account_id = p_actor AND b.brand_key = lower(btrim(p_brand)))
$$;

CREATE FUNCTION staff_is(p_actor bigint, p_role staff_role)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM staff_accounts a
	    WHERE a.id = p_actor AND a.active AND p_role = ANY (a.roles))
$$;

-- The case behind a reference, locked for an action, or NULL when it does
-- not exist or the actor may not see it (the caller answers both alike).
CREATE FUNCTION case_for_action(p_actor bigint, p_reference text)
RETURNS cases LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases WHERE reference = p_reference FOR UPDATE;
	IF NOT FOUND OR NOT staff_can_see(p_actor, c.queue, c.brand) THEN
		RETURN NULL;
	END IF;
	RETURN c;
END $$;

-- Only the assignee works a case; a supervisor may act on any.
CREATE FUNCTION staff_may_act(p_actor bigint, c cases) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT c.assignee IS NOT DISTINCT FROM p_actor
	    OR staff_is(p_actor, 'supervisor')
$$;

CREATE FUNCTION case_record(c cases, p_actor bigint, p_kind text,
    p_visible boolean, p_detail jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (c.id, p_kind, CASE WHEN p_actor IS NULL THEN 'complainant'
	    ELSE 'staff:' || p_actor END, p_visible, p_detail);
	PERFORM audit(CASE WHEN p_actor IS NULL THEN 'complainant'
	    ELSE 'staff:' || p_actor END, 'case.' || p_kind,
	    'case:' || c.reference, p_detail);
	-- updated_at is what the complainant sees move: only their events.
	IF p_visible THEN
		UPDATE cases SET updated_at = now() WHERE id = c.id;
	END IF;
END $$;

-- The deadline for a decision from now.
CREATE FUNCTION decision_due(p_from timestamptz, p_priority smallint,
    p_vulnerable boolean) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
	SELECT p_from + CASE WHEN case_urgent(p_priority, p_vulnerable)
	    THEN interval '5 days' ELSE interval '30 days' END
$$;

------------------------------------------------------------------------
-- Case actions.  Each returns 'ok' or why it did nothing: 'not_found'
-- (no such case, or out of the actor's reach), 'not_assigned', 'state'
-- (not allowed in the case's state), 'forbidden' (role), or 'invalid'.
------------------------------------------------------------------------

CREATE FUNCTION case_take(p_actor bigint, p_reference text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF c.state IN ('closed', 'rejected') THEN RETURN 'state'; END IF;
	IF c.appeal_excluded = p_actor THEN RETURN 'excluded'; END IF;
	IF c.assignee = p_actor THEN RETURN 'ok'; END IF;
	IF c.assignee IS NOT NULL AND NOT staff_is(p_actor, 'supervisor') THEN
		RETURN 'not_assigned';
	END IF;
	UPDATE cases SET assignee = p_actor WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'assigned', false,
	    jsonb_build_object('to', p_actor, 'from', c.assignee));
	RETURN 'ok';
END $$;

-- Assign to someone else (supervisor), or release (p_to NULL: the
-- assignee or a supervisor).
CREATE FUNCTION case_assign(p_actor bigint, p_reference text, p_to bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF c.state IN ('closed', 'rejected') THEN RETURN 'state'; END IF;
	IF p_to IS NULL THEN
		IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
		IF c.assignee IS NULL THEN RETURN 'ok'; END IF;
		UPDATE cases SET assignee = NULL WHERE id = c.id;
		PERFORM case_record(c, p_actor, 'released', false,
		    jsonb_build_object('from', c.assignee));
		RETURN 'ok';
	END IF;
	IF NOT staff_is(p_actor, 'supervisor') THEN RETURN 'forbidden'; END IF;
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

-- Confirms or changes category, priority and queue; the first triage
-- moves the case from received to triaged and starts the decision clock.
CREATE FUNCTION case_triage(p_actor bigint, p_reference text,
    p_category text, p_priority smallint, p_queue text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state NOT IN ('received', 'triaged', 'investigating',
	    'awaiting_complainant') THEN
		RETURN 'state';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM concern_categories
	    WHERE code = p_category AND active)
	    OR p_priority NOT BETWEEN 1 AND 4
	    OR NOT EXISTS (SELECT 1 FROM queues
	    WHERE code = coalesce(p_queue, c.queue) AND active) THEN
		RETURN 'invalid';
	END IF;
	-- High priority means a second signature on the decision: only a
	-- supervisor may take a case below it.
	IF c.priority >= 3 AND p_priority < 3
	    AND NOT staff_is(p_actor, 'supervisor') THEN
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

CREATE FUNCTION case_investigate(p_actor bigint, p_reference text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state <> 'triaged' THEN RETURN 'state'; END IF;
	UPDATE cases SET state = 'investigating' WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'investigating', true);
	RETURN 'ok';
END $$;

CREATE FUNCTION case_note(p_actor bigint, p_reference text, p_body_box bytea)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v_id	bigint;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state = 'closed' THEN RETURN 'state'; END IF;
	INSERT INTO case_messages (case_id, kind, author, body_box)
	VALUES (c.id, 'note', p_actor, p_body_box) RETURNING id INTO v_id;
	PERFORM case_record(c, p_actor, 'note', false,
	    jsonb_build_object('message', v_id));
	RETURN 'ok';
END $$;

-- A message to the complainant; with p_request_info the case waits for
-- their answer (triaged or investigating -> awaiting_complainant).
CREATE FUNCTION case_message(p_actor bigint, p_reference text,
    p_body_box bytea, p_complainant_box bytea, p_request_info boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v_id	bigint;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state = 'closed' OR (p_request_info AND c.state NOT IN
	    ('triaged', 'investigating')) THEN
		RETURN 'state';
	END IF;
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

CREATE FUNCTION case_link_duplicate(p_actor bigint, p_reference text,
    p_original text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	o	cases;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state = 'closed' THEN RETURN 'state'; END IF;
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

-- Out of scope: the reason goes to the complainant as a message.
CREATE FUNCTION case_reject(p_actor bigint, p_reference text,
    p_body_box bytea, p_complainant_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v_id	bigint;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF NOT EXISTS (SELECT 1 FROM case_transitions
	    WHERE from_state = c.state AND to_state = 'rejected') THEN
		RETURN 'state';
	END IF;
	INSERT INTO case_messages (case_id, kind, author, body_box,
	    complainant_box)
	VALUES (c.id, 'to_complainant', p_actor, p_body_box, p_complainant_box)
	RETURNING id INTO v_id;
	UPDATE cases SET state = 'rejected' WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'rejected', true,
	    jsonb_build_object('message', v_id));
	RETURN 'ok';
END $$;

-- A decision with reasons.  High priority (3 and 4) and appeal decisions
-- wait for a supervisor's second signature before the complainant sees
-- them.
CREATE FUNCTION case_decide(p_actor bigint, p_reference text,
    p_outcome text, p_remedies text[], p_automated boolean,
    p_reasons_box bytea, p_reasons_complainant_box bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c		cases := case_for_action(p_actor, p_reference);
	v_appeal	boolean;
	v_sign		boolean;
	v_id		bigint;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state NOT IN ('investigating', 'appealed') THEN RETURN 'state'; END IF;
	v_appeal := c.state = 'appealed';
	IF v_appeal AND c.appeal_excluded = p_actor THEN RETURN 'excluded'; END IF;
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

-- The supervisor's second signature releases the decision.
CREATE FUNCTION case_sign(p_actor bigint, p_reference text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	d	case_decisions;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_is(p_actor, 'supervisor') THEN RETURN 'forbidden'; END IF;
	d := case_last_decision(c.id);
	IF c.state <> 'decided' OR d.id IS NULL OR d.released_at IS NOT NULL THEN
		RETURN 'state';
	END IF;
	-- Neither the decider nor, on appeal, the reviewer whose decision
	-- is appealed may be the second signature.
	IF d.decided_by = p_actor OR (d.on_appeal AND
	    c.appeal_excluded = p_actor) THEN
		RETURN 'excluded';
	END IF;
	UPDATE case_decisions SET signed_by = p_actor, signed_at = now(),
	    released_at = now()
	WHERE id = d.id;
	PERFORM case_record(c, p_actor, 'signed', false,
	    jsonb_build_object('decision', d.id));
	PERFORM case_record(c, p_actor, 'decision_published', true,
	    jsonb_build_object('decision', d.id));
	RETURN 'ok';
END $$;

CREATE FUNCTION case_close(p_actor bigint, p_reference text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	IF NOT staff_may_act(p_actor, c) THEN RETURN 'not_assigned'; END IF;
	IF c.state NOT IN ('decided', 'rejected') OR (c.state = 'decided'
	    AND EXISTS (SELECT 1 FROM case_decisions d WHERE d.case_id = c.id
	        AND d.released_at IS NULL)) THEN
		RETURN 'state';
	END IF;
	UPDATE cases SET state = 'closed', assignee = NULL WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'closed', true);
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- The complainant's side (by receipt hash, from /track)
------------------------------------------------------------------------

-- A reply; when the case was waiting for one it goes back to the reviewer.
-- Returns 'ok', 'not_found' or 'state'.
CREATE FUNCTION complainant_reply(p_receipt_hash bytea, p_body_box bytea,
    p_complainant_box bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
	v_id	bigint;
BEGIN
	SELECT * INTO c FROM cases WHERE receipt_hash = p_receipt_hash
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'not_found'; END IF;
	IF c.state IN ('closed', 'rejected') THEN RETURN 'state'; END IF;
	INSERT INTO case_messages (case_id, kind, body_box, complainant_box)
	VALUES (c.id, 'from_complainant', p_body_box, p_complainant_box)
	RETURNING id INTO v_id;
	IF c.state = 'awaiting_complainant' THEN
		UPDATE cases SET state = 'investigating' WHERE id = c.id;
	END IF;
	PERFORM case_record(c, NULL, 'complainant_replied', true,
	    jsonb_build_object('message', v_id));
	RETURN 'ok';
END $$;

-- An appeal against the published decision, within six months of it.
-- Returns 'ok', 'not_found', 'state' or 'too_late'.
CREATE FUNCTION complainant_appeal(p_receipt_hash bytea, p_grounds_box bytea,
    p_grounds_complainant_box bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
	d	case_decisions;
BEGIN
	SELECT * INTO c FROM cases WHERE receipt_hash = p_receipt_hash
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'not_found'; END IF;
	d := case_last_decision(c.id);
	IF c.state <> 'decided' OR d.id IS NULL OR d.on_appeal
	    OR d.released_at IS NULL THEN
		RETURN 'state';
	END IF;
	IF d.released_at < now() - interval '6 months' THEN
		RETURN 'too_late';
	END IF;
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

-- An API request's account, by the hash of its bearer token.
CREATE FUNCTION api_token_account(p_token_hash bytea, OUT account_id bigint,
    OUT login text, OUT display_name text, OUT roles text[])
LANGUAGE plpgsql AS $$
DECLARE
	t	api_tokens;
BEGIN
	SELECT * INTO t FROM api_tokens
	WHERE token_hash = p_token_hash AND revoked_at IS NULL;
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

------------------------------------------------------------------------
-- Reading: the work list and the case page
------------------------------------------------------------------------

-- Open cases the actor may see, in deadline order (earliest first, then
-- higher priority, then oldest), with optional filters; keyset pagination
-- continues after (p_after_due, p_after_prio, p_after_id).  Filters that
-- are NULL do not apply.  p_assignee: 'me', 'none' or an account id.
-- p_state may name closed or rejected cases, which are otherwise left out.
CREATE FUNCTION worklist(p_actor bigint, p_state case_state, p_category text,
    p_priority smallint, p_assignee text, p_brand text, p_queue text,
    p_after_due timestamptz, p_after_prio smallint, p_after_id bigint,
    p_limit integer)
RETURNS TABLE (id bigint, reference text, state text, category text,
    channel text, brand text, queue text, priority smallint,
    vulnerable boolean, due_at timestamptz, received_at timestamptz,
    assignee bigint, assignee_name text, appeal boolean)
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
	    c.queue, c.priority, c.vulnerable, c.due_at, c.received_at,
	    c.assignee, a.display_name, c.state = 'appealed'
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
	  AND (p_after_id IS NULL OR (c.due_at, -c.priority, c.id) >
	        (p_after_due, -p_after_prio, p_after_id))
	ORDER BY c.due_at, -c.priority, c.id
	LIMIT p_limit;
END $$;

-- An instant as RFC 3339 text in UTC, to the second.
CREATE FUNCTION utc_text(p timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Everything the case page shows, in one row, for an actor who may see the
-- case (no row otherwise).  The read is audited; the personal fields stay
-- encrypted here and are opened by the back office.
CREATE FUNCTION case_read(p_actor bigint, p_reference text)
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
	    (SELECT a.display_name FROM staff_accounts a WHERE a.id = c.assignee),
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
	        'at', e.at, 'kind', e.kind, 'actor', e.actor,
	        'actor_name', (SELECT a.display_name FROM staff_accounts a
	            WHERE 'staff:' || a.id = e.actor),
	        'visible', e.visible_to_complainant, 'detail', e.detail)
	        ORDER BY e.at, e.id), '[]')
	        FROM case_events e WHERE e.case_id = c.id),
	    (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', m.id, 'kind', m.kind, 'at', m.at,
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
	        'decided_at', d.decided_at, 'needs_signature', d.needs_signature,
	        'signed_by_name', (SELECT a.display_name FROM staff_accounts a
	            WHERE a.id = d.signed_by),
	        'signed_at', d.signed_at, 'released_at', d.released_at,
	        'reasons', encode(d.reasons_box, 'hex')) ORDER BY d.id), '[]')
	        FROM case_decisions d WHERE d.case_id = c.id),
	    (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', p.id, 'at', p.at, 'decision', p.decision_id,
	        'grounds', encode(p.grounds_box, 'hex')) ORDER BY p.id), '[]')
	        FROM case_appeals p WHERE p.case_id = c.id);
END $$;

-- The accounts a supervisor can assign this case to.
CREATE FUNCTION case_assignable(p_actor bigint, p_reference text)
RETURNS TABLE (id bigint, display_name text) LANGUAGE sql STABLE AS $$
	SELECT a.id, a.display_name FROM staff_accounts a, cases c
	WHERE c.reference = p_reference AND staff_is(p_actor, 'supervisor')
	  AND staff_can_see(p_actor, c.queue, c.brand)
	  AND ('reviewer' = ANY (a.roles) OR 'supervisor' = ANY (a.roles))
	  AND staff_can_see(a.id, c.queue, c.brand)
	  AND a.id IS DISTINCT FROM c.appeal_excluded
	ORDER BY a.display_name, a.id
$$;

-- What the case page's forms offer: active queues, the concern taxonomy
-- and, for a supervisor, the accounts the case can be assigned to.
CREATE FUNCTION case_page_options(p_actor bigint, p_reference text)
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
	        FROM case_assignable(p_actor, p_reference) a))
$$;

------------------------------------------------------------------------
-- What the complainant sees on /track beyond the state and events
------------------------------------------------------------------------

-- The state a complainant is shown: a decision waiting for its second
-- signature is not there yet, for the page and the API alike.
CREATE FUNCTION case_public_state(p_case bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN c.state = 'decided' AND d.released_at IS NULL
	    THEN CASE WHEN d.on_appeal THEN 'appealed' ELSE 'investigating' END
	    ELSE c.state::text END
	FROM cases c LEFT JOIN LATERAL case_last_decision(c.id) d ON true
	WHERE c.id = p_case
$$;

-- track_case (0001) again, now showing the public state.
CREATE OR REPLACE FUNCTION track_case(p_client_hash bytea,
    p_receipt_hash bytea, p_limit integer, OUT outcome text,
    OUT reference text, OUT state text, OUT received_at timestamptz,
    OUT updated_at timestamptz, OUT events jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_failures	integer;
	v_id		bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended(
	    encode(p_client_hash, 'hex'), 0));
	SELECT CASE WHEN t.window_start < now() - interval '1 hour' THEN 0
	    ELSE t.attempts END
	INTO v_failures
	FROM track_attempts t WHERE t.client_hash = p_client_hash;
	IF coalesce(v_failures, 0) >= p_limit THEN
		outcome := 'limited';
		RETURN;
	END IF;

	SELECT c.id, c.reference, case_public_state(c.id), c.received_at,
	    c.updated_at
	INTO v_id, reference, state, received_at, updated_at
	FROM cases c WHERE c.receipt_hash = p_receipt_hash;
	IF NOT FOUND THEN
		INSERT INTO track_attempts AS t (client_hash, window_start,
		    attempts)
		VALUES (p_client_hash, now(), 1)
		ON CONFLICT (client_hash) DO UPDATE SET
		    window_start = CASE
		        WHEN t.window_start < now() - interval '1 hour'
		        THEN now() ELSE t.window_start END,
		    attempts = CASE
		        WHEN t.window_start < now() - interval '1 hour'
		        THEN 1 ELSE t.attempts + 1 END;
		outcome := 'unknown';
		RETURN;
	END IF;
	SELECT coalesce(jsonb_agg(jsonb_build_object(
	    'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'kind', e.kind) ORDER BY e.at, e.id), '[]')
	INTO events
	FROM case_events e
	WHERE e.case_id = v_id AND e.visible_to_complainant;
	outcome := 'found';
END $$;

-- Called after track_case() found the case (so a lookup by hash here is
-- never a guessing oracle).  The boxes are sealed to the complainant's key,
-- which only their receipt code derives.
CREATE FUNCTION track_detail(p_receipt_hash bytea, OUT public_state text,
    OUT complainant_pk bytea, OUT complainant_salt bytea,
    OUT can_reply boolean, OUT can_appeal boolean,
    OUT appeal_until timestamptz, OUT messages jsonb, OUT decisions jsonb,
    OUT appeals jsonb)
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
	can_appeal := c.state = 'decided' AND d.released_at IS NOT NULL
	    AND NOT d.on_appeal AND appeal_until > now();
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
END $$;

-- API tokens: created by their holder (shown once, stored hashed),
-- revoked by their holder or an admin.
CREATE FUNCTION api_token_create(p_actor bigint, p_token_hash bytea,
    p_label text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
BEGIN
	INSERT INTO api_tokens (account_id, token_hash, label)
	VALUES (p_actor, p_token_hash, p_label) RETURNING id INTO v_id;
	PERFORM audit('staff:' || p_actor, 'api_token.create',
	    'api_token:' || v_id, '{}');
	RETURN v_id;
END $$;

CREATE FUNCTION api_token_revoke(p_actor bigint, p_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE api_tokens SET revoked_at = now()
	WHERE id = p_id AND revoked_at IS NULL
	  AND (account_id = p_actor OR staff_is(p_actor, 'admin'));
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	PERFORM audit('staff:' || p_actor, 'api_token.revoke',
	    'api_token:' || p_id, '{}');
	RETURN 'ok';
END $$;

------------------------------------------------------------------------
-- Administration: accounts, brand bars, queues, routing, taxonomy.
-- Each function checks the admin role itself and returns 'ok',
-- 'forbidden' or 'invalid:<field>:<message>'; every change is audited.
------------------------------------------------------------------------

CREATE FUNCTION admin_check_roles(p_roles text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT cardinality(p_roles) >= 1 AND p_roles <@
	    ARRAY['reviewer', 'supervisor', 'admin']
$$;

CREATE FUNCTION admin_check_queues(p_queues text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT NOT EXISTS (SELECT 1 FROM unnest(p_queues) q
	    WHERE NOT EXISTS (SELECT 1 FROM queues x WHERE x.code = q))
$$;

CREATE FUNCTION admin_account_create(p_actor bigint, p_login text,
    p_name text, p_roles text[], p_queues text[], p_token_hash bytea)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_login	text := lower(btrim(p_login));
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF v_login IS NULL OR v_login !~ '^[a-z][a-z0-9._-]{1,39}$' THEN
		RETURN 'invalid:login:Use 2 to 40 lower-case letters, digits, '
		    'dots, hyphens or underscores, starting with a letter.';
	END IF;
	IF coalesce(length(btrim(p_name)), 0) NOT BETWEEN 1 AND 100 THEN
		RETURN 'invalid:name:Give the person''s name (up to 100 characters).';
	END IF;
	IF NOT coalesce(admin_check_roles(p_roles), false) THEN
		RETURN 'invalid:roles:Choose at least one role.';
	END IF;
	IF NOT coalesce(admin_check_queues(p_queues), false) THEN
		RETURN 'invalid:queues:Choose queues from the list.';
	END IF;
	IF staff_create('staff:' || p_actor, v_login, btrim(p_name),
	    p_roles::staff_role[], p_queues, p_token_hash) IS NULL THEN
		RETURN 'invalid:login:This login name is taken.';
	END IF;
	RETURN 'ok';
END $$;

CREATE FUNCTION admin_account_update(p_actor bigint, p_id bigint,
    p_name text, p_roles text[], p_queues text[], p_active text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	a	staff_accounts;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	SELECT * INTO a FROM staff_accounts WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN RETURN 'invalid:id:No such account.'; END IF;
	IF coalesce(length(btrim(p_name)), 0) NOT BETWEEN 1 AND 100 THEN
		RETURN 'invalid:name:Give the person''s name (up to 100 characters).';
	END IF;
	IF NOT coalesce(admin_check_roles(p_roles), false) THEN
		RETURN 'invalid:roles:Choose at least one role.';
	END IF;
	IF NOT coalesce(admin_check_queues(p_queues), false) THEN
		RETURN 'invalid:queues:Choose queues from the list.';
	END IF;
	IF p_id = p_actor AND (NOT 'admin' = ANY (p_roles) OR p_active <> 'yes')
	THEN
		RETURN 'invalid:roles:You cannot remove your own admin role or '
		    'deactivate yourself; ask another admin.';
	END IF;
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

CREATE FUNCTION admin_account_reset(p_actor bigint, p_id bigint,
    p_token_hash bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF NOT staff_reset('staff:' || p_actor, p_id, p_token_hash) THEN
		RETURN 'invalid:id:No such active account.';
	END IF;
	RETURN 'ok';
END $$;

-- Bars or unbars an account from a brand.  A new bar also takes the
-- account off any open case naming the brand.
CREATE FUNCTION admin_brand_bar(p_actor bigint, p_id bigint, p_brand text,
    p_bar text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_key	text := lower(btrim(p_brand));
	c	cases;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF NOT EXISTS (SELECT 1 FROM staff_accounts WHERE id = p_id) THEN
		RETURN 'invalid:id:No such account.';
	END IF;
	IF v_key IS NULL OR length(v_key) NOT BETWEEN 1 AND 200 THEN
		RETURN 'invalid:brand:Give the brand (up to 200 characters).';
	END IF;
	IF p_bar = 'bar' THEN
		INSERT INTO brand_bars (account_id, brand_key)
		VALUES (p_id, v_key) ON CONFLICT DO NOTHING;
		FOR c IN SELECT * FROM cases WHERE assignee = p_id
		    AND lower(btrim(brand)) = v_key FOR UPDATE LOOP
			UPDATE cases SET assignee = NULL WHERE id = c.id;
			PERFORM case_record(c, p_actor, 'released', false,
			    jsonb_build_object('from', p_id, 'reason', 'brand_bar'));
		END LOOP;
	ELSE
		DELETE FROM brand_bars WHERE account_id = p_id
		    AND brand_key = v_key;
	END IF;
	PERFORM audit('staff:' || p_actor, 'account.brand_' || p_bar,
	    'account:' || p_id, jsonb_build_object('brand', v_key));
	RETURN 'ok';
END $$;

CREATE FUNCTION admin_queue_save(p_actor bigint, p_code text, p_name text,
    p_active text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_code IS NULL OR p_code !~ '^[a-z][a-z_]{1,39}$' THEN
		RETURN 'invalid:code:Use 2 to 40 lower-case letters or '
		    'underscores, starting with a letter.';
	END IF;
	IF coalesce(length(btrim(p_name)), 0) NOT BETWEEN 1 AND 100 THEN
		RETURN 'invalid:name:Name the queue (up to 100 characters).';
	END IF;
	IF p_active <> 'yes' AND p_code = 'general' THEN
		RETURN 'invalid:active:The general queue takes every case no '
		    'rule routes; it stays active.';
	END IF;
	IF p_active <> 'yes' AND EXISTS (SELECT 1 FROM routing_rules
	    WHERE queue = p_code) THEN
		RETURN 'invalid:active:Rules still route cases here; delete '
		    'them first.';
	END IF;
	INSERT INTO queues (code, name, active)
	VALUES (p_code, btrim(p_name), p_active = 'yes')
	ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
	    active = EXCLUDED.active;
	PERFORM audit('staff:' || p_actor, 'queue.save', 'queue:' || p_code,
	    jsonb_build_object('name', btrim(p_name), 'active', p_active = 'yes'));
	RETURN 'ok';
END $$;

CREATE FUNCTION admin_rule_add(p_actor bigint, p_position text,
    p_category text, p_channel text, p_vulnerable text, p_brand text,
    p_queue text, p_priority text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_id	integer;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_position IS NULL OR p_position !~ '^[0-9]{1,6}$' THEN
		RETURN 'invalid:position:Give a whole number; rules are tried '
		    'from the lowest.';
	END IF;
	IF EXISTS (SELECT 1 FROM routing_rules
	    WHERE position = p_position::integer) THEN
		RETURN 'invalid:position:Another rule has this position.';
	END IF;
	IF p_category IS NOT NULL AND NOT EXISTS (SELECT 1
	    FROM concern_categories WHERE code = p_category) THEN
		RETURN 'invalid:category:Choose a concern from the list.';
	END IF;
	IF p_channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM channels
	    WHERE code = p_channel) THEN
		RETURN 'invalid:channel:Choose a channel from the list.';
	END IF;
	IF p_vulnerable IS NOT NULL AND p_vulnerable NOT IN ('yes', 'no') THEN
		RETURN 'invalid:vulnerable:Choose yes, no or either.';
	END IF;
	IF p_brand IS NOT NULL AND length(btrim(p_brand)) > 200 THEN
		RETURN 'invalid:brand:Use at most 200 characters.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM queues WHERE code = p_queue AND active) THEN
		RETURN 'invalid:queue:Choose an active queue.';
	END IF;
	IF p_priority IS NULL OR p_priority !~ '^[1-4]$' THEN
		RETURN 'invalid:priority:Choose a priority from 1 to 4.';
	END IF;
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

CREATE FUNCTION admin_rule_delete(p_actor bigint, p_id text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_old	jsonb;
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_id IS NULL OR p_id !~ '^[0-9]{1,9}$' THEN RETURN 'invalid:id:No such rule.'; END IF;
	DELETE FROM routing_rules WHERE id = p_id::integer
	RETURNING to_jsonb(routing_rules) - 'id' INTO v_old;
	IF v_old IS NULL THEN RETURN 'invalid:id:No such rule.'; END IF;
	PERFORM audit('staff:' || p_actor, 'routing_rule.delete',
	    'routing_rule:' || p_id, v_old);
	RETURN 'ok';
END $$;

CREATE FUNCTION admin_category_save(p_actor bigint, p_code text,
    p_label text, p_hint text, p_position text, p_active text)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_code IS NULL OR p_code !~ '^[a-z][a-z_]*(\.[a-z_]+)?$'
	    OR length(p_code) > 60 THEN
		RETURN 'invalid:code:Use lower-case words joined by _, with at '
		    'most one dot, like privacy.consent.';
	END IF;
	IF coalesce(length(btrim(p_label)), 0) NOT BETWEEN 1 AND 200 THEN
		RETURN 'invalid:label:Give the plain-language name (up to 200 '
		    'characters).';
	END IF;
	IF length(coalesce(p_hint, '')) > 500 THEN
		RETURN 'invalid:hint:Use at most 500 characters.';
	END IF;
	IF p_position IS NULL OR p_position !~ '^[0-9]{1,6}$' THEN
		RETURN 'invalid:position:Give a whole number.';
	END IF;
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

-- What the admin pages show.
CREATE FUNCTION admin_config(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN staff_is(p_actor, 'admin') THEN jsonb_build_object(
	    'accounts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', a.id, 'login', a.login, 'name', a.display_name,
	        'roles', a.roles, 'active', a.active,
	        'set_up', a.password_hash IS NOT NULL,
	        'queues', (SELECT coalesce(jsonb_agg(m.queue ORDER BY m.queue),
	            '[]') FROM queue_members m WHERE m.account_id = a.id),
	        'bars', (SELECT coalesce(jsonb_agg(b.brand_key
	            ORDER BY b.brand_key), '[]')
	            FROM brand_bars b WHERE b.account_id = a.id))
	        ORDER BY a.login), '[]') FROM staff_accounts a),
	    'queues', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', q.code, 'name', q.name, 'active', q.active)
	        ORDER BY q.code), '[]') FROM queues q),
	    'rules', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', r.id, 'position', r.position, 'category', r.category,
	        'channel', r.channel, 'vulnerable', r.vulnerable,
	        'brand', r.brand, 'queue', r.queue, 'priority', r.priority)
	        ORDER BY r.position), '[]') FROM routing_rules r),
	    'categories', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', k.code, 'label', k.label, 'hint', k.hint,
	        'position', k.position, 'active', k.active)
	        ORDER BY k.position), '[]') FROM concern_categories k),
	    'channels', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'code', h.code, 'label', h.label) ORDER BY h.position), '[]')
	        FROM channels h)) END
$$;

-- The audit log, newest first, before an event id (NULL: the newest).
CREATE FUNCTION admin_audit_page(p_actor bigint, p_before bigint,
    p_limit integer) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN staff_is(p_actor, 'admin') THEN (
	    SELECT coalesce(jsonb_agg(x ORDER BY x.id DESC), '[]') FROM (
		SELECT e.id, e.at, e.actor, e.action, e.object, e.detail,
		    s.seq, (SELECT a.login FROM staff_accounts a
		        WHERE 'staff:' || a.id = e.actor) AS actor_login
		FROM audit_events e LEFT JOIN audit_seals s ON s.event_id = e.id
		WHERE p_before IS NULL OR e.id < p_before
		ORDER BY e.id DESC LIMIT p_limit) x) END
$$;
