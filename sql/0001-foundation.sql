-- 0001: the taxonomy, queues and routing rules as data, the case with its
-- encrypted personal fields, the timeline, idempotent intake and tracking.

CREATE TABLE concern_categories (
	code		text PRIMARY KEY
			CHECK (code ~ '^[a-z][a-z_]*(\.[a-z_]+)?$'),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	hint		text NOT NULL DEFAULT '',
	position	integer NOT NULL,
	active		boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE concern_categories IS 'The concern taxonomy offered at intake and used in reports.';
COMMENT ON COLUMN concern_categories.code IS 'Stable code of the concern, e.g. privacy.consent.';
COMMENT ON COLUMN concern_categories.label IS 'Plain-language name shown to complainants and in reports.';

CREATE TABLE channels (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	position	integer NOT NULL,
	active		boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE channels IS 'Where the complainant met the marketing; used in reports.';
COMMENT ON COLUMN channels.code IS 'Stable code of the channel, e.g. social_ad.';

CREATE TABLE queues (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
	name		text NOT NULL
);
COMMENT ON TABLE queues IS 'Reviewer work queues that routing rules place cases in.';

-- Priority: 1 low, 2 normal, 3 high, 4 urgent.
CREATE TABLE routing_rules (
	id		serial PRIMARY KEY,
	position	integer NOT NULL UNIQUE,
	category	text REFERENCES concern_categories,
	channel		text REFERENCES channels,
	vulnerable	boolean,
	brand		text,
	queue		text NOT NULL REFERENCES queues,
	priority	smallint NOT NULL CHECK (priority BETWEEN 1 AND 4)
);
COMMENT ON TABLE routing_rules IS 'Intake routing: the first rule, by position, whose non-null columns all match decides queue and priority.';

CREATE TYPE case_state AS ENUM ('received', 'triaged', 'investigating',
    'awaiting_complainant', 'decided', 'appealed', 'closed', 'rejected');

CREATE SEQUENCE case_reference_seq;

CREATE TABLE cases (
	id			bigserial PRIMARY KEY,
	reference		text NOT NULL UNIQUE
				CHECK (reference ~ '^RC-[0-9]{4}-[0-9]{6,}$'),
	state			case_state NOT NULL DEFAULT 'received',
	category		text NOT NULL REFERENCES concern_categories,
	channel			text NOT NULL REFERENCES channels,
	occurred_on		date,
	brand			text CHECK (length(brand) <= 200),
	vulnerable		boolean NOT NULL,
	consent_contact		boolean NOT NULL,
	consent_publish		boolean NOT NULL,
	consent_demographics	boolean NOT NULL,
	queue			text NOT NULL REFERENCES queues,
	priority		smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
	received_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	-- Secrets, all opaque to the database alone:
	receipt_hash		bytea NOT NULL UNIQUE
				CHECK (length(receipt_hash) = 32),
	complainant_pk		bytea NOT NULL CHECK (length(complainant_pk) = 32),
	complainant_salt	bytea NOT NULL CHECK (length(complainant_salt) = 16),
	data_key_sealed		bytea NOT NULL CHECK (length(data_key_sealed) = 80),
	description_box		bytea NOT NULL,
	contact_box		bytea,
	CHECK (occurred_on IS NULL OR occurred_on <= (received_at AT TIME ZONE 'UTC')::date + 1)
);
COMMENT ON TABLE cases IS 'One complaint. Personal fields are encrypted under a per-case data key sealed to the review key.';
COMMENT ON COLUMN cases.reference IS 'Public case reference, RC-YYYY-NNNNNN.';
COMMENT ON COLUMN cases.category IS 'Concern category code at intake or after triage.';
COMMENT ON COLUMN cases.channel IS 'Channel code.';
COMMENT ON COLUMN cases.brand IS 'Brand or campaign named by the complainant, if any.';
COMMENT ON COLUMN cases.vulnerable IS 'A child or a person in a vulnerable situation was affected.';
COMMENT ON COLUMN cases.receipt_hash IS 'Keyed BLAKE2b hash of the receipt code; the code itself is never stored.';
COMMENT ON COLUMN cases.complainant_pk IS 'Box public key derived from the receipt code, for messages to the complainant.';
COMMENT ON COLUMN cases.data_key_sealed IS 'The case data key, crypto_box_seal-ed to the review public key.';
COMMENT ON COLUMN cases.description_box IS 'XChaCha20-Poly1305 nonce and ciphertext of the description.';
COMMENT ON COLUMN cases.contact_box IS 'XChaCha20-Poly1305 nonce and ciphertext of the contact details (JSON), if given.';

CREATE INDEX cases_queue_idx ON cases (queue, priority DESC, received_at);

CREATE TABLE case_events (
	id			bigserial PRIMARY KEY,
	case_id			bigint NOT NULL REFERENCES cases,
	at			timestamptz NOT NULL DEFAULT now(),
	kind			text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
	actor			text NOT NULL,
	visible_to_complainant	boolean NOT NULL,
	detail			jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE case_events IS 'The case timeline: every change, with actor and time; some events are shown to the complainant.';
CREATE INDEX case_events_case_idx ON case_events (case_id, at, id);

-- Idempotent intake: one row per form token or Idempotency-Key.
CREATE TABLE intake_requests (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	body_hash	bytea NOT NULL CHECK (length(body_hash) = 32),
	case_id		bigint NOT NULL REFERENCES cases
			DEFERRABLE INITIALLY DEFERRED,
	receipt_box	bytea,
	created_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE intake_requests IS 'Replay protection for intake. receipt_box (the receipt code, encrypted under a key only a replay of the same token and content can rebuild) is kept at most 24 hours.';
CREATE INDEX intake_requests_receipt_idx ON intake_requests (created_at)
	WHERE receipt_box IS NOT NULL;
-- Erasing a case must not scan every request to check the foreign key.
CREATE INDEX intake_requests_case_idx ON intake_requests (case_id);

-- Tracking attempts per client pseudonym (a keyed hash that changes hourly).
CREATE TABLE track_attempts (
	client_hash	bytea PRIMARY KEY CHECK (length(client_hash) = 32),
	window_start	timestamptz NOT NULL,
	attempts	integer NOT NULL
);
COMMENT ON TABLE track_attempts IS 'Rate limit for receipt-code lookups that found nothing; holds no address, only hourly keyed pseudonyms.';

-- Chooses queue and priority for a new case from the routing rules.  A
-- vulnerable person or child always raises the priority to at least high.
CREATE FUNCTION route_case(p_category text, p_channel text,
    p_vulnerable boolean, p_brand text, OUT queue text, OUT priority smallint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	SELECT r.queue, r.priority INTO queue, priority
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

-- Files a complaint, or recognises a replay of one, in one transaction.
-- Returns outcome 'created', 'replay' (same token, same content), 'conflict'
-- (same token, other content), 'bad_category' or 'bad_channel'.
CREATE FUNCTION intake_complaint(
    p_token_hash bytea, p_body_hash bytea, p_receipt_box bytea,
    p_category text, p_channel text, p_occurred_on date, p_brand text,
    p_vulnerable boolean, p_consent_contact boolean,
    p_consent_publish boolean, p_consent_demographics boolean,
    p_receipt_hash bytea, p_complainant_pk bytea, p_complainant_salt bytea,
    p_data_key_sealed bytea, p_description_box bytea, p_contact_box bytea,
    OUT outcome text, OUT reference text, OUT state text,
    OUT receipt_box bytea)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_id	bigint;
	v_queue	text;
	v_prio	smallint;
	v_body	bytea;
	v_seq	text;
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

	SELECT q.queue, q.priority INTO v_queue, v_prio
	FROM route_case(p_category, p_channel, p_vulnerable, p_brand) q;

	-- At least six digits; lpad alone would cut the millionth to six.
	v_seq := nextval('case_reference_seq')::text;
	reference := 'RC-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
	    lpad(v_seq, greatest(6, length(v_seq)), '0');
	INSERT INTO cases (id, reference, category, channel, occurred_on, brand,
	    vulnerable, consent_contact, consent_publish, consent_demographics,
	    queue, priority, receipt_hash, complainant_pk, complainant_salt,
	    data_key_sealed, description_box, contact_box)
	VALUES (v_id, reference, p_category, p_channel, p_occurred_on, p_brand,
	    p_vulnerable, p_consent_contact, p_consent_publish,
	    p_consent_demographics, v_queue, v_prio, p_receipt_hash,
	    p_complainant_pk, p_complainant_salt, p_data_key_sealed,
	    p_description_box, p_contact_box);
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (v_id, 'received', 'complainant', true,
	    jsonb_build_object('queue', v_queue, 'priority', v_prio));
	outcome := 'created';
	state := 'received';
	receipt_box := NULL;
END $$;

-- Looks a case up by receipt hash.  Only lookups that find nothing count
-- against the client's hourly allowance (so people sharing an address are
-- not locked out by each other's successful lookups); once it is used up
-- every lookup is refused.  Returns outcome 'found', 'unknown' or 'limited'.
CREATE FUNCTION track_case(p_client_hash bytea, p_receipt_hash bytea,
    p_limit integer, OUT outcome text, OUT reference text, OUT state text,
    OUT received_at timestamptz, OUT updated_at timestamptz,
    OUT events jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_failures	integer;
	v_id		bigint;
BEGIN
	-- One lookup per client at a time, so that concurrent ones cannot all
	-- pass the check before any of them counts.
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

	SELECT c.id, c.reference, c.state::text, c.received_at, c.updated_at
	INTO v_id, reference, state, received_at, updated_at
	FROM cases c WHERE c.receipt_hash = p_receipt_hash;
	IF NOT FOUND THEN
		-- A window older than an hour starts again at one failure.
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

-- Housekeeping, run by the service every few minutes: receipt codes kept
-- for replays are destroyed after 24 hours, stale throttle windows after one.
CREATE FUNCTION purge_expired(OUT receipts integer, OUT windows integer)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE intake_requests SET receipt_box = NULL
	WHERE receipt_box IS NOT NULL AND created_at < now() - interval '24 hours';
	GET DIAGNOSTICS receipts = ROW_COUNT;
	DELETE FROM track_attempts WHERE window_start < now() - interval '1 hour';
	GET DIAGNOSTICS windows = ROW_COUNT;
END $$;

CREATE INDEX track_attempts_window_idx ON track_attempts (window_start);

-- Default taxonomy, channels, queues and routing (PRODUCT.md).
INSERT INTO concern_categories (code, label, hint, position) VALUES
 ('privacy.consent', 'My data was collected or used without clear consent', 'For example: tracked across sites, location used, no opt-in.', 10),
 ('privacy.notice', 'I was not told what is collected, why, or who sees it', '', 20),
 ('security.breach', 'My personal data was exposed or handled insecurely', '', 30),
 ('bias.targeting', 'I was targeted or excluded because of who I am', 'For example: race, gender, age, disability, religion, income.', 40),
 ('bias.pricing', 'I was shown different prices or offers because of my profile', '', 50),
 ('manipulation.pressure', 'The messages were coercive, excessive or deceptive', 'For example: false urgency, dark patterns, too many messages.', 60),
 ('vulnerability.exploitation', 'People in a vulnerable situation were targeted', 'For example: addiction, gambling, mental health, debt, children.', 70),
 ('transparency.ai_undisclosed', 'I was not told that AI chose, wrote or personalised the message', '', 80),
 ('transparency.explanation', 'I cannot find out why I was targeted', '', 90),
 ('optout.not_honoured', 'My opt-out was missing, hidden or ignored', '', 100),
 ('other', 'Something else', '', 110);

INSERT INTO channels (code, label, position) VALUES
 ('email', 'E-mail', 10),
 ('sms', 'Text message (SMS)', 20),
 ('social_ad', 'Social media advert', 30),
 ('search_ad', 'Search engine advert', 40),
 ('website', 'Personalised website', 50),
 ('in_app', 'Inside an app', 60),
 ('chatbot', 'Chatbot or assistant', 70),
 ('phone', 'Phone call', 80),
 ('postal', 'Post', 90),
 ('other', 'Somewhere else', 100);

INSERT INTO queues (code, name) VALUES
 ('general', 'General'),
 ('vulnerable', 'Vulnerable people and children'),
 ('security', 'Data security'),
 ('fairness', 'Bias and fairness');

INSERT INTO routing_rules (position, category, channel, vulnerable, brand, queue, priority) VALUES
 (10, NULL, NULL, true, NULL, 'vulnerable', 4),
 (20, 'vulnerability.exploitation', NULL, NULL, NULL, 'vulnerable', 3),
 (30, 'security.breach', NULL, NULL, NULL, 'security', 3),
 (40, 'bias.targeting', NULL, NULL, NULL, 'fairness', 2),
 (50, 'bias.pricing', NULL, NULL, NULL, 'fairness', 2);
