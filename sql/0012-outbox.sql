-- 0012-outbox.sql: notifications.  An outbox written in the same
-- transaction as the event that causes it, staff e-mail addresses, the
-- digests composed later from the case timeline, and the functions the
-- sender (src/tools/mailer.c, as recourse_review) and /admin/outbox call.

-- Staff addresses: optional; without one an account gets no mail.
ALTER TABLE staff_accounts
	ADD COLUMN email text CHECK (length(email) <= 254),
	-- The newest case event already considered for this account's digest
	-- (NULL: none yet; the first run starts from the present).
	ADD COLUMN digest_event_id bigint;
COMMENT ON COLUMN staff_accounts.email IS 'Where notifications to this member of staff go, if anywhere.';
COMMENT ON COLUMN staff_accounts.digest_event_id IS 'Digest watermark: case events up to this id are in an earlier digest.';

-- One row per message.  It never holds a complainant's address nor
-- anything from a case beyond its reference: a complainant note names the
-- case, and the sender (which holds the review key) opens the address at
-- send time.  Staff recipients are named by account, their address read
-- at send time too.
CREATE TABLE outbox (
	id		bigserial PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('complainant_note',
			    'supervisor_alert', 'staff_digest')),
	account_id	bigint REFERENCES staff_accounts,
	case_id		bigint REFERENCES cases ON DELETE CASCADE,
	-- What the message says beyond its case: the event for an alert,
	-- the items of a digest (references, reasons, clocks).
	payload		jsonb NOT NULL DEFAULT '{}',
	state		text NOT NULL DEFAULT 'queued' CHECK (state IN
			    ('queued', 'sent', 'failed', 'cancelled')),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	-- A sender that claimed the row owns it until then.
	lease_until	timestamptz,
	-- Fixed at the first attempt and reused by every retry, so that a
	-- retry after an unknown outcome is the same message to the
	-- recipient's server (which deduplicates by Message-ID).
	message_id	text UNIQUE,
	first_attempt_at timestamptz,
	sent_at		timestamptz,
	-- The sender's own words (curl's error and the SMTP code), never a
	-- server's reply text, which can quote the address.
	last_error	text CHECK (length(last_error) <= 200),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((kind = 'complainant_note') = (account_id IS NULL)),
	CHECK (kind = 'staff_digest' OR case_id IS NOT NULL)
);
COMMENT ON TABLE outbox IS 'Notifications to send by e-mail: no addresses, no case content beyond the reference.';
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX outbox_case_idx ON outbox (case_id);
-- At most one unsent note per case: a reviewer who triages, asks and
-- writes within a minute causes one e-mail, not three.
CREATE UNIQUE INDEX outbox_one_note_idx ON outbox (case_id)
	WHERE kind = 'complainant_note' AND state = 'queued' AND attempts = 0;
-- Likewise one unsent alert per supervisor and case: the clock engine
-- records a breach and the escalation it causes together.
CREATE UNIQUE INDEX outbox_one_alert_idx ON outbox (account_id, case_id)
	WHERE kind = 'supervisor_alert' AND state = 'queued' AND attempts = 0;

-- Digests run at most once per interval, whatever the number of senders.
CREATE TABLE outbox_digest_clock (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	last_run	timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO outbox_digest_clock DEFAULT VALUES;

-- The immediate notifications of an event.  Only supervisors' alerts and
-- complainant notes are made here; 'received' (intake) never reaches
-- this function (the trigger's WHEN), so filing costs nothing more.
CREATE FUNCTION outbox_on_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases WHERE id = NEW.case_id;
	IF NEW.kind IN ('clock_breached', 'escalated') THEN
		INSERT INTO outbox (kind, account_id, case_id, payload)
		SELECT 'supervisor_alert', a.id, c.id, jsonb_build_object(
		    'event', NEW.kind, 'reference', c.reference,
		    'clock', NEW.detail->>'clock')
		FROM staff_accounts a
		WHERE a.active AND a.email IS NOT NULL
		  AND 'supervisor' = ANY (a.roles)
		  AND staff_can_see(a.id, c.queue, c.brand)
		ON CONFLICT (account_id, case_id)
		    WHERE kind = 'supervisor_alert' AND state = 'queued'
		      AND attempts = 0 DO NOTHING;
	ELSIF c.consent_contact AND c.contact_box IS NOT NULL THEN
		INSERT INTO outbox (kind, case_id)
		VALUES ('complainant_note', c.id)
		ON CONFLICT (case_id) WHERE kind = 'complainant_note'
		    AND state = 'queued' AND attempts = 0 DO NOTHING;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER case_events_outbox AFTER INSERT ON case_events
	FOR EACH ROW
	WHEN (NEW.kind IN ('clock_breached', 'escalated')
	    OR (NEW.visible_to_complainant AND NEW.actor <> 'complainant'))
	EXECUTE FUNCTION outbox_on_event();

-- The digest items of one account: events after its watermark up to p_hi,
-- about cases it may see: new cases in its queues, cases assigned to it,
-- clocks at risk or breached in its queues or on its cases.  Its own
-- actions (taking a case) are not news to it.
CREATE FUNCTION digest_items(p_account bigint, p_after bigint, p_hi bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('event', e.id,
	    'reference', c.reference, 'why', CASE
	        WHEN e.kind = 'received' THEN 'new'
	        WHEN e.kind = 'assigned' THEN 'assigned'
	        WHEN e.kind = 'clock_at_risk' THEN 'at_risk'
	        ELSE 'breached' END,
	    'clock', e.detail->>'clock') ORDER BY e.id), '[]')
	FROM case_events e JOIN cases c ON c.id = e.case_id
	WHERE e.id > p_after AND e.id <= p_hi
	  AND e.actor IS DISTINCT FROM 'staff:' || p_account
	  AND (
	    (e.kind = 'received' AND EXISTS (SELECT 1 FROM queue_members m
	        WHERE m.account_id = p_account AND m.queue = c.queue))
	    OR (e.kind = 'assigned' AND e.detail->>'to' = p_account::text)
	    OR (e.kind IN ('clock_at_risk', 'clock_breached') AND
	        (c.assignee = p_account OR EXISTS (SELECT 1
	            FROM queue_members m WHERE m.account_id = p_account
	              AND m.queue = c.queue))))
	  AND staff_can_see(p_account, c.queue, c.brand)
$$;

-- Queues one digest per account with an address and something new, and
-- moves every active account's watermark, at most once per p_every
-- (several senders may call it).  Events younger than p_lag are left for
-- the next run: ids are drawn before their transaction commits, so a
-- slower transaction could still commit a lower id than one already
-- seen; every writer of case_events is one statement under the service's
-- statement_timeout, far below the lag.  Returns the digests queued, or
-- NULL when it was not yet time.
CREATE FUNCTION digest_enqueue(p_every_ms bigint, p_lag_ms bigint)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	hi	bigint;
	a	record;
	items	jsonb;
	n	integer := 0;
BEGIN
	UPDATE outbox_digest_clock SET last_run = now()
	WHERE last_run <= now() - p_every_ms * interval '1 millisecond';
	IF NOT FOUND THEN RETURN NULL; END IF;
	SELECT coalesce(max(id), 0) INTO hi FROM case_events
	WHERE at <= now() - p_lag_ms * interval '1 millisecond';
	FOR a IN SELECT id, email, digest_event_id FROM staff_accounts
	    WHERE active AND digest_event_id IS DISTINCT FROM hi
	    ORDER BY id FOR UPDATE LOOP
		IF a.digest_event_id IS NOT NULL AND a.email IS NOT NULL
		    AND a.digest_event_id < hi THEN
			items := digest_items(a.id, a.digest_event_id, hi);
			IF jsonb_array_length(items) > 0 THEN
				INSERT INTO outbox (kind, account_id, payload)
				VALUES ('staff_digest', a.id,
				    jsonb_build_object('items', items));
				n := n + 1;
			END IF;
		END IF;
		UPDATE staff_accounts SET digest_event_id = greatest(hi,
		    coalesce(digest_event_id, 0))
		WHERE id = a.id;
	END LOOP;
	RETURN n;
END $$;

-- Claims up to p_limit due rows for one sender for p_lease_ms, counting
-- the attempt now (a sender that dies mid-send has still tried).  Rows
-- whose recipient is gone are cancelled instead: a complainant who
-- withdrew consent or whose contact was erased, a staff account without
-- an address or deactivated.  The Message-ID and Date are fixed at the
-- first attempt (p_domain: the sender's domain).  For a complainant note
-- the sealed data key, salt and contact box come back for the sender to
-- open; nothing is decrypted here.
CREATE FUNCTION outbox_claim(p_lease_ms bigint, p_limit integer,
    p_domain text)
RETURNS TABLE (id bigint, kind text, attempts integer, message_id text,
    date_text text, email text, reference text, payload jsonb,
    data_key_sealed bytea, complainant_salt bytea, contact_box bytea)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE outbox o SET state = 'cancelled', lease_until = NULL,
	    last_error = 'no recipient (no consent, contact or address)'
	FROM (SELECT x.id FROM outbox x
	    LEFT JOIN cases c ON c.id = x.case_id
	    LEFT JOIN staff_accounts a ON a.id = x.account_id
	    WHERE x.state = 'queued' AND x.next_attempt_at <= now()
	      AND (x.lease_until IS NULL OR x.lease_until < now())
	      AND CASE WHEN x.kind = 'complainant_note'
	          THEN c.id IS NULL OR NOT c.consent_contact
	              OR c.contact_box IS NULL
	          ELSE NOT a.active OR a.email IS NULL END
	    FOR UPDATE OF x SKIP LOCKED) gone
	WHERE o.id = gone.id;
	RETURN QUERY
	WITH due AS (
		SELECT x.id FROM outbox x
		WHERE x.state = 'queued' AND x.next_attempt_at <= now()
		  AND (x.lease_until IS NULL OR x.lease_until < now())
		ORDER BY x.next_attempt_at, x.id
		LIMIT p_limit FOR UPDATE SKIP LOCKED),
	claimed AS (
		UPDATE outbox o SET attempts = o.attempts + 1,
		    lease_until = now() + p_lease_ms * interval '1 millisecond',
		    first_attempt_at = coalesce(o.first_attempt_at, now()),
		    message_id = coalesce(o.message_id,
		        format('<outbox.%s.%s@%s>', o.id, encode(sha256(convert_to(o.id || ':' ||
		        random() || ':' || clock_timestamp(), 'UTF8')),
		        'hex'), p_domain))
		FROM due WHERE o.id = due.id
		RETURNING o.*)
	SELECT o.id, o.kind, o.attempts, o.message_id,
	    to_char(o.first_attempt_at AT TIME ZONE 'UTC',
	        'Dy, DD Mon YYYY HH24:MI:SS "+0000"'),
	    a.email, c.reference, o.payload,
	    CASE WHEN o.kind = 'complainant_note' THEN c.data_key_sealed END,
	    CASE WHEN o.kind = 'complainant_note' THEN c.complainant_salt END,
	    CASE WHEN o.kind = 'complainant_note' THEN c.contact_box END
	FROM claimed o
	LEFT JOIN cases c ON c.id = o.case_id
	LEFT JOIN staff_accounts a ON a.id = o.account_id
	ORDER BY o.id;
END $$;

-- The outcome of an attempt by the sender holding the lease.  'sent';
-- 'cancelled' (the recipient could not be read); 'retry' with the error:
-- again after p_base_ms x 2^(attempts - 1), at most p_cap_ms, or 'failed'
-- after p_max attempts; 'failed' at once for a permanent refusal.
CREATE FUNCTION outbox_done(p_id bigint, p_outcome text, p_error text,
    p_base_ms bigint, p_cap_ms bigint, p_max integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	o	outbox;
	e	text := left(regexp_replace(p_error, '[^ -~]', '?', 'g'), 200);
BEGIN
	SELECT * INTO o FROM outbox WHERE id = p_id AND state = 'queued'
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'gone'; END IF;
	IF p_outcome = 'sent' THEN
		UPDATE outbox SET state = 'sent', sent_at = now(),
		    lease_until = NULL, last_error = NULL WHERE id = p_id;
	ELSIF p_outcome = 'cancelled' OR p_outcome = 'failed'
	    OR o.attempts >= p_max THEN
		UPDATE outbox SET state = CASE WHEN p_outcome = 'cancelled'
		    THEN 'cancelled' ELSE 'failed' END,
		    lease_until = NULL, last_error = e WHERE id = p_id;
	ELSE
		UPDATE outbox SET lease_until = NULL, last_error = e,
		    next_attempt_at = now() + least(p_cap_ms::numeric,
		        p_base_ms * power(2::numeric, o.attempts - 1))
		        * interval '1 millisecond'
		WHERE id = p_id;
	END IF;
	RETURN (SELECT state FROM outbox WHERE id = p_id);
END $$;

-- /admin/outbox: newest first, before a row id (NULL: the newest).  The
-- recipient is named by account, or as the complainant of a case: never
-- by address.
CREATE FUNCTION admin_outbox_page(p_actor bigint, p_before bigint,
    p_limit integer) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN staff_is(p_actor, 'admin') THEN (
	    SELECT coalesce(jsonb_agg(x ORDER BY x.id DESC), '[]') FROM (
		SELECT o.id, o.kind, o.attempts, o.last_error,
		    CASE WHEN o.state = 'queued' AND o.lease_until > now()
		        THEN 'sending' ELSE o.state END AS state,
		    CASE WHEN o.kind = 'complainant_note'
		        THEN 'complainant of ' || coalesce(c.reference,
		            'an erased case')
		        ELSE a.login END AS recipient,
		    CASE WHEN o.state = 'queued'
		        THEN utc_text(o.next_attempt_at) END AS next_attempt,
		    utc_text(o.created_at) AS created
		FROM outbox o LEFT JOIN cases c ON c.id = o.case_id
		LEFT JOIN staff_accounts a ON a.id = o.account_id
		WHERE p_before IS NULL OR o.id < p_before
		ORDER BY o.id DESC LIMIT p_limit) x) END
$$;

-- Staff addresses on the admin account forms: the same rule as the
-- complaint form's (src/intake.c), in short; an empty field is none.
CREATE FUNCTION admin_email_err(p_errors jsonb, p_email text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN nullif(btrim(p_email), '') IS NULL
	    OR (length(btrim(p_email)) <= 254 AND btrim(p_email) ~
	    '^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$'
	    AND length(split_part(btrim(p_email), '@', 1)) <= 64)
	    THEN p_errors ELSE admin_err(p_errors, 'email', 'Give an e-mail '
	    'address such as name@example.org, or leave this empty.') END
$$;

-- The account forms with the address (0009's functions, one parameter
-- more; the old signatures go so no caller keeps a form without it).
DROP FUNCTION admin_account_create(bigint, text, text, text[], text[], bytea);
DROP FUNCTION admin_account_update(bigint, bigint, text, text[], text[], text);

CREATE FUNCTION admin_account_create(p_actor bigint,
    p_login text, p_name text, p_roles text[], p_queues text[],
    p_email text, p_token_hash bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_login	text := lower(btrim(p_login));
	e	jsonb := '{}';
	v_id	bigint;
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
	e := admin_email_err(e, p_email);
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	-- Taken since the check (another admin at the same moment).
	v_id := staff_create('staff:' || p_actor, v_login, btrim(p_name),
	    p_roles::staff_role[], p_queues, p_token_hash);
	IF v_id IS NULL THEN
		RETURN admin_refusal(admin_err(e, 'login',
		    'This login name is taken.'));
	END IF;
	UPDATE staff_accounts SET email = nullif(btrim(p_email), '')
	WHERE id = v_id;
	RETURN 'ok';
END $$;

CREATE FUNCTION admin_account_update(p_actor bigint, p_id bigint,
    p_name text, p_roles text[], p_queues text[], p_active text,
    p_email text) RETURNS text LANGUAGE plpgsql AS $$
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
	e := admin_email_err(e, p_email);
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
	    active = p_active = 'yes',
	    email = nullif(btrim(p_email), '')
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
	-- That the address changed, not the address: no personal data in
	-- the audit log.
	PERFORM audit('staff:' || p_actor, 'account.update', 'account:' || p_id,
	    jsonb_build_object('roles', p_roles, 'queues', p_queues,
	        'active', p_active = 'yes') || CASE WHEN a.email IS DISTINCT
	        FROM nullif(btrim(p_email), '')
	        THEN '{"email_changed": true}'::jsonb ELSE '{}' END);
	RETURN 'ok';
END $$;

-- admin_config with each account's address, for the account forms: the
-- earlier function, renamed, with the address laid into each account.
ALTER FUNCTION admin_config(bigint) RENAME TO admin_config_before_email;

CREATE FUNCTION admin_config(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_set(c, '{accounts}', (SELECT coalesce(jsonb_agg(
	    x || jsonb_build_object('email', a.email) ORDER BY n), '[]')
	    FROM jsonb_array_elements(c->'accounts') WITH ORDINALITY e (x, n)
	    LEFT JOIN staff_accounts a ON a.id = (x->>'id')::bigint))
	FROM admin_config_before_email(p_actor) c
$$;
