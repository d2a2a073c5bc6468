-- 0020: the complainant takes a consent back from /track, at any time and
-- in any state.  Contact: e-mail notes stop at once (the queued ones are
-- cancelled here; the sender's claim cancels any it meets later) and
-- reviewers no longer see the contact details (case_read asks for the
-- consent).  Publication: the next version of a report leaves the account
-- out.  Demographics: the sealed answers are destroyed in the same
-- statement (the CHECK of 0019 allows no answers without the consent).

-- Returns 'ok', 'not_found', 'not_given' (already withdrawn, or never
-- given) or 'invalid' (no such consent).
CREATE FUNCTION complainant_withdraw(p_receipt_hash bytea, p_consent text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c	cases;
BEGIN
	IF p_consent IS NULL
	    OR p_consent NOT IN ('contact', 'publish', 'demographics') THEN
		RETURN 'invalid';
	END IF;
	SELECT * INTO c FROM cases WHERE receipt_hash = p_receipt_hash
	FOR UPDATE;
	IF NOT FOUND THEN RETURN 'not_found'; END IF;
	IF NOT (CASE p_consent WHEN 'contact' THEN c.consent_contact
	    WHEN 'publish' THEN c.consent_publish
	    ELSE c.consent_demographics END) THEN
		RETURN 'not_given';
	END IF;
	UPDATE cases SET
	    consent_contact = consent_contact AND p_consent <> 'contact',
	    consent_publish = consent_publish AND p_consent <> 'publish',
	    consent_demographics = consent_demographics
	        AND p_consent <> 'demographics',
	    demographics_box = CASE WHEN p_consent = 'demographics' THEN NULL
	        ELSE demographics_box END
	WHERE id = c.id;
	IF p_consent = 'contact' THEN
		UPDATE outbox SET state = 'cancelled',
		    last_error = 'the complainant withdrew consent to contact'
		WHERE case_id = c.id AND kind = 'complainant_note'
		  AND state = 'queued'
		  AND (lease_until IS NULL OR lease_until < now());
	END IF;
	-- Shown on the complainant's timeline; audited like their replies.
	PERFORM case_record(c, NULL, 'consent_withdrawn', true,
	    jsonb_build_object('consent', p_consent));
	RETURN 'ok';
END $$;
