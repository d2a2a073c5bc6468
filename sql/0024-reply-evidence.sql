-- Files sent with a complainant's reply on /track.  After intake the public
-- side never holds the case's data key, so each such file is encrypted
-- under a key of its own, sealed to the review key (key_sealed), with the
-- same additional data as a complaint's files (the case's salt and the
-- file's number).  Its fingerprint is sealed to the complainant's key
-- (fingerprint_box), so that /track can show it again and nobody else can.
-- The number is the next free one, which the public side reads with the
-- case before sealing; a reply that lost it to another in the meantime is
-- told 'busy' and nothing is written.

ALTER TABLE case_evidence
	ADD COLUMN message_id bigint REFERENCES case_messages,
	ADD COLUMN key_sealed bytea,
	ADD COLUMN fingerprint_box bytea,
	-- A reply's file has both of its own secrets and a complaint's has
	-- neither; an erased file has none.
	ADD CONSTRAINT case_evidence_secrets CHECK (
	    CASE WHEN box IS NULL
	        THEN key_sealed IS NULL AND fingerprint_box IS NULL
	        ELSE (key_sealed IS NULL) = (message_id IS NULL)
	         AND (fingerprint_box IS NULL) = (message_id IS NULL) END);
COMMENT ON COLUMN case_evidence.key_sealed IS 'A reply''s file: crypto_box_seal of its own key to the review key.';
COMMENT ON COLUMN case_evidence.fingerprint_box IS 'A reply''s file: its BLAKE2b-256 (hex) sealed to the complainant''s key.';

-- Every erasure, whoever does it, destroys the files and what opens them.
CREATE OR REPLACE FUNCTION cases_erase_evidence() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE case_evidence
	SET box = NULL, key_sealed = NULL, fingerprint_box = NULL
	WHERE case_id = NEW.id;
	RETURN NULL;
END $$;

-- A reply with 1 to 5 files numbered from p_first: complainant_reply (0002)
-- as it is, then the files, tied to the message, in the same transaction.
-- Returns what complainant_reply returns, or 'busy' when p_first is no
-- longer the next number, or 'full' when the case would hold more than 50.
CREATE FUNCTION complainant_reply_evidence(p_receipt_hash bytea,
    p_body_box bytea, p_complainant_box bytea, p_first integer,
    p_evidence bytea[], p_keys bytea[], p_fingerprints bytea[],
    p_meta jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
	v_count	integer := cardinality(p_evidence);
	v_next	integer;
	v_out	text;
	v_msg	bigint;
BEGIN
	IF v_count NOT BETWEEN 1 AND 5 OR cardinality(p_keys) <> v_count
	    OR cardinality(p_fingerprints) <> v_count
	    OR jsonb_array_length(p_meta) <> v_count THEN
		RAISE EXCEPTION 'complainant_reply_evidence: 1 to 5 files, '
		    'each with its key, fingerprint, kind and size'
		    USING ERRCODE = 'check_violation';
	END IF;
	SELECT * INTO c FROM cases WHERE receipt_hash = p_receipt_hash
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'not_found'; END IF;
	-- As complainant_reply would answer, before anything about files.
	IF c.state IN ('closed', 'rejected') THEN RETURN 'state'; END IF;
	SELECT coalesce(max(e.n), 0) + 1 INTO v_next
	FROM case_evidence e WHERE e.case_id = c.id;
	IF p_first IS DISTINCT FROM v_next THEN RETURN 'busy'; END IF;
	IF v_next + v_count - 1 > 50 THEN RETURN 'full'; END IF;
	v_out := complainant_reply(p_receipt_hash, p_body_box,
	    p_complainant_box);
	IF v_out <> 'ok' THEN RETURN v_out; END IF;
	-- The message complainant_reply just wrote, in this session.
	v_msg := currval(pg_get_serial_sequence('case_messages', 'id'));
	INSERT INTO case_evidence (case_id, n, kind, size, box, message_id,
	    key_sealed, fingerprint_box)
	SELECT c.id, p_first + e.i::integer - 1, m.x->>'kind',
	    (m.x->>'size')::integer, e.box, v_msg, e.k, e.fp
	FROM unnest(p_evidence, p_keys, p_fingerprints)
	    WITH ORDINALITY e (box, k, fp, i)
	JOIN jsonb_array_elements(p_meta) WITH ORDINALITY m (x, i)
	    ON m.i = e.i;
	RETURN 'ok';
END $$;

-- One file for a reader who may see the case, with the sealed key that
-- opens it (its own for a reply's file, the case's otherwise); the read is
-- audited.  No row for a case out of reach, a missing file or an erased
-- one.  The output row changes, so the function of 0023 goes.
DROP FUNCTION case_evidence_read(bigint, text, integer);
CREATE FUNCTION case_evidence_read(p_actor bigint, p_reference text,
    p_n integer, OUT kind text, OUT box bytea, OUT key_sealed bytea,
    OUT complainant_salt bytea)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	SELECT * INTO c FROM cases x WHERE x.reference = p_reference;
	IF NOT FOUND OR NOT staff_can_see(p_actor, c.queue, c.brand)
	    OR c.erased_at IS NOT NULL THEN
		RETURN;
	END IF;
	SELECT e.kind, e.box, coalesce(e.key_sealed, c.data_key_sealed)
	INTO kind, box, key_sealed
	FROM case_evidence e WHERE e.case_id = c.id AND e.n = p_n;
	IF NOT FOUND OR box IS NULL THEN
		RETURN;
	END IF;
	complainant_salt := c.complainant_salt;
	PERFORM audit('staff:' || p_actor, 'case.evidence_read',
	    'case:' || c.reference, jsonb_build_object('n', p_n));
	RETURN NEXT;
END $$;

-- case_read (0023) with, for each file, the reply it came with (null: the
-- complaint itself).
ALTER FUNCTION case_read(bigint, text) RENAME TO case_read_before_reply_evidence;

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
    escalated_at text, targeting_reasons jsonb, ai_disclosed text,
    why_shown_box bytea, erasure jsonb, evidence jsonb)
LANGUAGE sql AS $$
	SELECT r.id, r.reference, r.state, r.category, r.channel,
	    r.occurred_on, r.brand, r.vulnerable, r.consent_contact,
	    r.consent_publish, r.consent_demographics, r.queue, r.priority,
	    r.received_at, r.updated_at, r.clocks, r.assignee,
	    r.assignee_name, r.appeal_excluded, r.duplicate_of, r.duplicates,
	    r.complainant_salt, r.data_key_sealed, r.description_box,
	    r.contact_box, r.events, r.messages, r.decisions, r.appeals,
	    r.escalated_at, r.targeting_reasons, r.ai_disclosed,
	    r.why_shown_box, r.erasure,
	    (SELECT coalesce(jsonb_agg(jsonb_build_object('n', e.n,
	        'kind', e.kind, 'size', e.size, 'at', utc_text(e.at),
	        'message', e.message_id, 'erased', e.box IS NULL)
	        ORDER BY e.n), '[]')
	    FROM case_evidence e WHERE e.case_id = r.id)
	FROM case_read_before_reply_evidence(p_actor, p_reference) r
$$;

-- track_detail (0021) with each of the complainant's replies' files, their
-- fingerprints sealed to the complainant, and the number the next file
-- takes.  The messages are read again here, with their ids, to find their
-- files.  New output columns change the row type.
ALTER FUNCTION track_detail(bytea) RENAME TO track_detail_before_reply_evidence;

CREATE FUNCTION track_detail(p_receipt_hash bytea, OUT public_state text,
    OUT complainant_pk bytea, OUT complainant_salt bytea,
    OUT can_reply boolean, OUT can_appeal boolean,
    OUT appeal_until timestamptz, OUT messages jsonb, OUT decisions jsonb,
    OUT appeals jsonb, OUT sent jsonb, OUT copy_box bytea,
    OUT evidence_next integer)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT d.public_state, d.complainant_pk, d.complainant_salt,
	    d.can_reply, d.can_appeal, d.appeal_until,
	    (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', m.kind,
	        'at', utc_text(m.at), 'box', encode(m.complainant_box, 'hex'),
	        'files', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	            'n', e.n, 'kind', e.kind, 'size', e.size,
	            'box', encode(e.fingerprint_box, 'hex')) ORDER BY e.n),
	            '[]')
	            FROM case_evidence e
	            WHERE e.case_id = c.id AND e.message_id = m.id))
	        ORDER BY m.at, m.id), '[]')
	    FROM case_messages m
	    WHERE m.case_id = c.id AND m.complainant_box IS NOT NULL),
	    d.decisions, d.appeals, d.sent, d.copy_box,
	    (SELECT coalesce(max(e.n), 0) + 1 FROM case_evidence e
	    WHERE e.case_id = c.id)
	FROM track_detail_before_reply_evidence(p_receipt_hash) d
	JOIN cases c ON c.receipt_hash = p_receipt_hash
$$;
