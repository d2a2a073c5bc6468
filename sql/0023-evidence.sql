-- Evidence files: up to five with a complaint, each encrypted by the
-- public side under the case's data key (its own nonce; the additional
-- data binds the case's salt and the file's number) after its metadata
-- was stripped.  In clear only what reports need: type and size.  A
-- reviewer's download is audited.  Erasure destroys every box.

CREATE TABLE case_evidence (
	case_id		bigint NOT NULL REFERENCES cases,
	n		smallint NOT NULL CHECK (n BETWEEN 1 AND 50),
	kind		text NOT NULL CHECK (kind IN ('png', 'jpeg', 'webp',
			    'pdf', 'text')),
	size		integer NOT NULL CHECK (size BETWEEN 1 AND 10485760),
	at		timestamptz NOT NULL DEFAULT now(),
	-- nonce || XChaCha20-Poly1305 under the case's data key; NULL once
	-- the case is erased.
	box		bytea,
	PRIMARY KEY (case_id, n)
);
COMMENT ON TABLE case_evidence IS 'Files sent with a complaint: type and size in clear, the bytes (metadata stripped) encrypted under the case data key.';

-- Filing with files: intake_complaint (0019) as it is, then the files of
-- a case it created, in the same transaction.  A replay adds nothing: the
-- first request stored them.  Filing without files never comes here.
CREATE FUNCTION intake_complaint_evidence(
    p_token_hash bytea, p_body_hash bytea, p_receipt_box bytea,
    p_category text, p_channel text, p_occurred_on date, p_brand text,
    p_vulnerable boolean, p_consent_contact boolean,
    p_consent_publish boolean, p_consent_demographics boolean,
    p_receipt_hash bytea, p_complainant_pk bytea, p_complainant_salt bytea,
    p_data_key_sealed bytea, p_description_box bytea, p_contact_box bytea,
    p_copy_box bytea, p_clocks jsonb, p_targeting text[],
    p_ai_disclosed text, p_why_shown_box bytea, p_demographics_box bytea,
    p_evidence bytea[], p_evidence_meta jsonb,
    OUT outcome text, OUT reference text, OUT state text,
    OUT receipt_box bytea)
LANGUAGE plpgsql AS $$
BEGIN
	SELECT i.outcome, i.reference, i.state, i.receipt_box
	INTO outcome, reference, state, receipt_box
	FROM intake_complaint(p_token_hash, p_body_hash, p_receipt_box,
	    p_category, p_channel, p_occurred_on, p_brand, p_vulnerable,
	    p_consent_contact, p_consent_publish, p_consent_demographics,
	    p_receipt_hash, p_complainant_pk, p_complainant_salt,
	    p_data_key_sealed, p_description_box, p_contact_box, p_copy_box,
	    p_clocks, p_targeting, p_ai_disclosed, p_why_shown_box,
	    p_demographics_box) i;
	IF outcome <> 'created' THEN
		RETURN;
	END IF;
	IF cardinality(p_evidence) NOT BETWEEN 1 AND 5
	    OR jsonb_array_length(p_evidence_meta) <> cardinality(p_evidence)
	THEN
		RAISE EXCEPTION 'intake_complaint_evidence: 1 to 5 files, each '
		    'with its kind and size' USING ERRCODE = 'check_violation';
	END IF;
	INSERT INTO case_evidence (case_id, n, kind, size, box)
	SELECT c.id, e.n, m.x->>'kind', (m.x->>'size')::integer, e.box
	FROM cases c
	CROSS JOIN unnest(p_evidence) WITH ORDINALITY e (box, n)
	JOIN jsonb_array_elements(p_evidence_meta) WITH ORDINALITY m (x, n)
	    ON m.n = e.n
	WHERE c.reference = intake_complaint_evidence.reference;
END $$;

-- Every erasure, whoever does it, destroys the files too.
CREATE FUNCTION cases_erase_evidence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE case_evidence SET box = NULL WHERE case_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER cases_erase_evidence AFTER UPDATE OF erased_at ON cases
	FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
	EXECUTE FUNCTION cases_erase_evidence();

-- One file for a reader who may see the case, with what opens it; the
-- read is audited.  No row for a case out of reach, a missing file or an
-- erased one.
CREATE FUNCTION case_evidence_read(p_actor bigint, p_reference text,
    p_n integer, OUT kind text, OUT box bytea, OUT data_key_sealed bytea,
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
	SELECT e.kind, e.box INTO kind, box
	FROM case_evidence e WHERE e.case_id = c.id AND e.n = p_n;
	IF NOT FOUND OR box IS NULL THEN
		RETURN;
	END IF;
	data_key_sealed := c.data_key_sealed;
	complainant_salt := c.complainant_salt;
	PERFORM audit('staff:' || p_actor, 'case.evidence_read',
	    'case:' || c.reference, jsonb_build_object('n', p_n));
	RETURN NEXT;
END $$;

-- case_read (0021) with the case's files: number, type, size, when.
ALTER FUNCTION case_read(bigint, text) RENAME TO case_read_before_evidence;

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
	SELECT r.*, (SELECT coalesce(jsonb_agg(jsonb_build_object('n', e.n,
	        'kind', e.kind, 'size', e.size, 'at', utc_text(e.at),
	        'erased', e.box IS NULL) ORDER BY e.n), '[]')
	    FROM case_evidence e WHERE e.case_id = r.id)
	FROM case_read_before_evidence(p_actor, p_reference) r
$$;
