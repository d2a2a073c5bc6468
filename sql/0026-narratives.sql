-- Consented narratives: a complainant who ticked "You may publish my
-- account without identifying details" may see their story, redacted, in
-- the quarter's transparency report.  The case's reviewer (or a
-- supervisor) drafts the redacted text on the case page, after the
-- scrubber flagged what could identify someone; a second person approves
-- that very draft.  A report takes the narratives approved in its quarter
-- whose complainant still consents; a consent withdrawn (or an erasure)
-- destroys the draft, refuses publication of a draft report that holds
-- it, and asks the supervisors for a correction of a published one.

CREATE TABLE case_narratives (
	case_id		bigint PRIMARY KEY REFERENCES cases,
	-- Counts the drafts: an approval names the one it approves.
	draft		integer NOT NULL DEFAULT 1 CHECK (draft >= 1),
	-- The redacted text under the case data key (label 'narrative').
	box		bytea NOT NULL,
	-- What the scrubber flagged in it: [{start, end, kind}], byte
	-- offsets into the text, never the text itself.
	flags		jsonb NOT NULL CHECK (jsonb_typeof(flags) = 'array'),
	-- More flags than the scrubber keeps (SCRUB_MAX_FLAGS).
	flags_more	boolean NOT NULL DEFAULT false,
	drafted_by	bigint NOT NULL REFERENCES staff_accounts,
	drafted_at	timestamptz NOT NULL DEFAULT now(),
	approved_by	bigint REFERENCES staff_accounts,
	approved_at	timestamptz,
	CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
	-- Two people: who wrote the redacted text is not who approved it.
	CONSTRAINT case_narratives_two_people CHECK (approved_by IS NULL
	    OR approved_by <> drafted_by)
);
COMMENT ON TABLE case_narratives IS 'The redacted account of a complainant who consented to publication, encrypted, with its approval; gone when the consent or the case''s data is.';
CREATE INDEX case_narratives_approved ON case_narratives (approved_at)
	WHERE approved_at IS NOT NULL;

-- The files of a report name the narratives they hold (the case and the
-- draft), so that a consent withdrawn or an account redrafted later can be
-- traced to the versions that hold it.
ALTER TABLE reports ADD COLUMN narrative_cases bigint[] NOT NULL
	DEFAULT '{}',
	ADD COLUMN narrative_drafts integer[] NOT NULL DEFAULT '{}',
	ADD CHECK (cardinality(narrative_cases) =
	    cardinality(narrative_drafts));
COMMENT ON COLUMN reports.narrative_cases IS 'The cases whose approved narratives the report''s files hold; narrative_drafts holds which draft of each.';

-- A report set aside keeps no files: a draft's may hold accounts in clear
-- that were never to be published.
CREATE FUNCTION reports_discarded_files() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM report_files WHERE report_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER reports_discarded_files AFTER UPDATE OF state ON reports
	FOR EACH ROW WHEN (NEW.state = 'discarded')
	EXECUTE FUNCTION reports_discarded_files();

-- The case's consent to publication withdrawn, its erasure asked for, or
-- its data erased: the draft goes in the same statement, and so does every
-- report not yet published that holds the account (set aside, its files
-- deleted).  A published version stays as it was; the supervisors are
-- asked for a correction (staff_reports).
CREATE FUNCTION case_narrative_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r	bigint;
BEGIN
	DELETE FROM case_narratives WHERE case_id = NEW.id;
	FOR r IN SELECT x.id FROM reports x
	    WHERE NEW.id = ANY (x.narrative_cases)
	      AND x.state IN ('draft', 'publish_requested', 'failed')
	    FOR UPDATE LOOP
		UPDATE reports SET state = 'discarded' WHERE id = r;
		PERFORM audit('system', 'report.discarded', 'report:' || r,
		    jsonb_build_object('why', 'an account it held may no '
		    'longer be published'));
	END LOOP;
	RETURN NULL;
END $$;
CREATE TRIGGER cases_narrative_forget AFTER UPDATE OF consent_publish,
	erased_at, erasure_requested_at ON cases FOR EACH ROW
	WHEN (NOT NEW.consent_publish OR NEW.erased_at IS NOT NULL
	    OR NEW.erasure_requested_at IS NOT NULL)
	EXECUTE FUNCTION case_narrative_forget();

-- Whether the actor may draft or approve the case's narrative now: 'ok',
-- 'not_found', 'forbidden', 'not_assigned', 'state' (erased; for
-- approval, no draft waiting), 'no_consent', 'same_person'.
CREATE FUNCTION case_narrative_may(p_actor bigint, c cases, p_verb text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	n	case_narratives;
	v_sup	boolean;
BEGIN
	IF c.id IS NULL THEN RETURN 'not_found'; END IF;
	v_sup := staff_is(p_actor, 'supervisor');
	IF NOT (v_sup OR staff_is(p_actor, 'reviewer')) THEN
		RETURN 'forbidden';
	END IF;
	IF c.erased_at IS NOT NULL OR c.erasure_requested_at IS NOT NULL THEN
		RETURN 'state';
	END IF;
	IF NOT c.consent_publish THEN RETURN 'no_consent'; END IF;
	IF p_verb = 'narrative' THEN
		-- The case's own reviewer knows what must go; a supervisor
		-- may stand in.
		IF c.assignee IS DISTINCT FROM p_actor AND NOT v_sup THEN
			RETURN 'not_assigned';
		END IF;
		RETURN 'ok';
	END IF;
	SELECT * INTO n FROM case_narratives WHERE case_id = c.id;
	IF NOT FOUND OR n.approved_at IS NOT NULL THEN RETURN 'state'; END IF;
	IF n.drafted_by = p_actor THEN RETURN 'same_person'; END IF;
	RETURN 'ok';
END $$;

-- The keys a draft is sealed with, and the contact box whose name the
-- scrubber looks for (used for flagging only, never shown), only while the
-- complainant consents to contact, as case_read shows it.
CREATE FUNCTION case_narrative_keys(p_actor bigint, p_reference text,
    OUT data_key_sealed bytea, OUT complainant_salt bytea,
    OUT contact_box bytea)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT c.data_key_sealed, c.complainant_salt,
	    CASE WHEN c.consent_contact THEN c.contact_box END
	FROM cases c
	WHERE c.reference = p_reference
	  AND staff_can_see(p_actor, c.queue, c.brand)
$$;

-- A new draft: replaces the last, which loses any approval.
CREATE FUNCTION case_narrative_draft(p_actor bigint, p_reference text,
    p_box bytea, p_flags jsonb, p_flags_more boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_narrative_may(p_actor, c, 'narrative');
	d	integer;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	INSERT INTO case_narratives AS n (case_id, box, flags, flags_more,
	    drafted_by)
	VALUES (c.id, p_box, p_flags, p_flags_more, p_actor)
	ON CONFLICT (case_id) DO UPDATE SET draft = n.draft + 1,
	    box = EXCLUDED.box, flags = EXCLUDED.flags,
	    flags_more = EXCLUDED.flags_more, drafted_by = p_actor,
	    drafted_at = now(), approved_by = NULL, approved_at = NULL
	RETURNING n.draft INTO d;
	PERFORM case_record(c, p_actor, 'narrative_drafted', false,
	    jsonb_build_object('draft', d,
	        'flags', jsonb_array_length(p_flags)));
	RETURN 'ok';
END $$;

-- The second person approves the draft they read (p_draft): 'stale' when
-- it has been replaced since, 'unconfirmed' when the scrubber flagged
-- something and they did not say they checked every flag.
CREATE FUNCTION case_narrative_approve(p_actor bigint, p_reference text,
    p_draft integer, p_checked boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_narrative_may(p_actor, c, 'approve_narrative');
	n	case_narratives;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	SELECT * INTO n FROM case_narratives WHERE case_id = c.id FOR UPDATE;
	IF n.draft IS DISTINCT FROM p_draft THEN RETURN 'stale'; END IF;
	IF (jsonb_array_length(n.flags) > 0 OR n.flags_more)
	    AND NOT coalesce(p_checked, false) THEN
		RETURN 'unconfirmed';
	END IF;
	UPDATE case_narratives SET approved_by = p_actor, approved_at = now()
	WHERE case_id = c.id;
	PERFORM case_record(c, p_actor, 'narrative_approved', false,
	    jsonb_build_object('draft', n.draft));
	RETURN 'ok';
END $$;

-- case_actions (0021) with the narrative's two verbs.
ALTER FUNCTION case_actions(bigint, text) RENAME TO case_actions_before_narratives;

CREATE FUNCTION case_actions(p_actor bigint, p_reference text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	r	jsonb := case_actions_before_narratives(p_actor, p_reference);
	c	cases;
BEGIN
	IF r = '{}' THEN RETURN r; END IF;
	SELECT * INTO c FROM cases x WHERE x.reference = p_reference;
	RETURN r || jsonb_build_object(
	    'narrative', case_narrative_may(p_actor, c, 'narrative') = 'ok',
	    'approve_narrative',
	        case_narrative_may(p_actor, c, 'approve_narrative') = 'ok');
END $$;

-- case_read (0024) with the narrative: its draft number, sealed text
-- (hex), flags, who drafted and who approved it; null when there is none.
ALTER FUNCTION case_read(bigint, text) RENAME TO case_read_before_narratives;

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
    why_shown_box bytea, erasure jsonb, evidence jsonb, narrative jsonb)
LANGUAGE sql AS $$
	SELECT r.*,
	    (SELECT jsonb_build_object('draft', n.draft,
	        'box', encode(n.box, 'hex'), 'flags', n.flags,
	        'flags_more', n.flags_more, 'drafted_by', n.drafted_by,
	        'drafted_by_name', d.display_name,
	        'drafted_at', utc_text(n.drafted_at),
	        'approved_by_name', a.display_name,
	        'approved_at', utc_text(n.approved_at))
	    FROM case_narratives n
	    JOIN staff_accounts d ON d.id = n.drafted_by
	    LEFT JOIN staff_accounts a ON a.id = n.approved_by
	    WHERE n.case_id = r.id)
	FROM case_read_before_narratives(p_actor, p_reference) r
$$;

------------------------------------------------------------------------
-- Reports
------------------------------------------------------------------------

-- The narratives a report of the quarter holds, as at p_at: approved
-- during the quarter (and by then), their complainant still consenting
-- and their data not erased; with the concern and the first outcome
-- released by then.  Oldest approval first.
CREATE FUNCTION report_narratives(p_quarter text, p_at timestamptz,
    OUT case_id bigint, OUT draft integer, OUT data_key_sealed bytea,
    OUT complainant_salt bytea, OUT box bytea, OUT category text,
    OUT outcome text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT c.id, n.draft, c.data_key_sealed, c.complainant_salt, n.box,
	    c.category,
	    (SELECT d.outcome FROM case_decisions d
	     WHERE d.case_id = c.id AND NOT d.on_appeal
	       AND d.released_at IS NOT NULL AND d.released_at < p_at
	     ORDER BY d.released_at, d.id LIMIT 1)
	FROM case_narratives n JOIN cases c ON c.id = n.case_id
	WHERE n.approved_at >= (report_quarter_bounds(p_quarter)).from_at
	  AND n.approved_at < least((report_quarter_bounds(p_quarter)).to_at,
	      p_at)
	  AND c.consent_publish AND c.erased_at IS NULL
	  AND c.erasure_requested_at IS NULL
	ORDER BY n.approved_at, c.id
$$;

-- How many of the narratives (case, draft) may no longer be published:
-- their complainant withdrew consent or asked for erasure, their data was
-- erased, or that draft is no longer the approved one.
CREATE FUNCTION report_narratives_gone(p_cases bigint[], p_drafts integer[])
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT count(*)::integer FROM unnest(p_cases, p_drafts) AS x (id, draft)
	WHERE NOT EXISTS (SELECT 1 FROM case_narratives n
	    JOIN cases c ON c.id = n.case_id
	    WHERE n.case_id = x.id AND n.draft = x.draft
	      AND n.approved_at IS NOT NULL AND c.consent_publish
	      AND c.erased_at IS NULL AND c.erasure_requested_at IS NULL)
$$;

CREATE FUNCTION report_narratives_gone(r reports) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT report_narratives_gone(r.narrative_cases, r.narrative_drafts)
$$;

-- report_store (0025) with the narratives the files hold; 'withdrawn'
-- (nothing stored) when one may no longer be published already.
DROP FUNCTION report_store(bigint, jsonb, bytea[], jsonb);

CREATE FUNCTION report_store(p_id bigint, p_files jsonb, p_bodies bytea[],
    p_audit jsonb, p_narrative_cases bigint[], p_narrative_drafts integer[])
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF jsonb_array_length(p_files) <> cardinality(p_bodies) THEN
		RAISE EXCEPTION 'report_store: a body for every file'
		    USING ERRCODE = 'check_violation';
	END IF;
	-- Against a withdrawal committing meanwhile, as at publication.
	PERFORM 1 FROM cases c WHERE c.id = ANY (p_narrative_cases) FOR SHARE;
	IF report_narratives_gone(p_narrative_cases, p_narrative_drafts) > 0
	THEN
		RETURN 'withdrawn';
	END IF;
	UPDATE reports SET state = 'draft', built_at = now(),
	    audit_seq = (p_audit->>'seq')::bigint,
	    audit_hash = decode(p_audit->>'hash', 'hex'),
	    narrative_cases = p_narrative_cases,
	    narrative_drafts = p_narrative_drafts
	WHERE id = p_id AND state = 'building';
	IF NOT FOUND THEN RETURN 'state'; END IF;
	INSERT INTO report_files (report_id, name, media_type, body, sha256,
	    signature)
	SELECT p_id, m.x->>'name', m.x->>'media_type', b.body,
	    decode(m.x->>'sha256', 'hex'), m.x->>'signature'
	FROM jsonb_array_elements(p_files) WITH ORDINALITY m (x, i)
	JOIN unnest(p_bodies) WITH ORDINALITY b (body, i) ON b.i = m.i;
	RETURN 'ok';
END $$;

-- Publication (0025) refuses a draft holding a narrative that may no
-- longer be published: 'withdrawn' (ask for a new draft).
ALTER FUNCTION report_publish_request(bigint, bigint)
	RENAME TO report_publish_request_before_narratives;
ALTER FUNCTION report_publish_approve(bigint, bigint)
	RENAME TO report_publish_approve_before_narratives;

CREATE FUNCTION report_publish_request(p_actor bigint, p_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r	reports;
BEGIN
	SELECT * INTO r FROM reports WHERE id = p_id;
	IF FOUND AND r.state = 'draft' AND staff_is(p_actor, 'supervisor')
	    AND report_narratives_gone(r) > 0 THEN
		RETURN 'withdrawn';
	END IF;
	RETURN report_publish_request_before_narratives(p_actor, p_id);
END $$;

CREATE FUNCTION report_publish_approve(p_actor bigint, p_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r	reports;
BEGIN
	-- The cases' rows first, as a withdrawal takes them (its trigger
	-- then takes the report's): one committing meanwhile waits for this,
	-- and then finds the report published (and asks for a correction),
	-- or this waits for it, and finds the report set aside.
	SELECT * INTO r FROM reports WHERE id = p_id;
	PERFORM 1 FROM cases c WHERE c.id = ANY (r.narrative_cases) FOR SHARE;
	SELECT * INTO r FROM reports WHERE id = p_id FOR UPDATE;
	IF FOUND AND r.state = 'publish_requested'
	    AND staff_is(p_actor, 'supervisor')
	    AND r.publish_requested_by <> p_actor
	    AND report_narratives_gone(r) > 0 THEN
		RETURN 'withdrawn';
	END IF;
	RETURN report_publish_approve_before_narratives(p_actor, p_id);
END $$;

-- staff_reports (0025) with, for each report, how many of its narratives
-- may no longer be published ('withdrawn'): on the newest published
-- version of a quarter, a correction is owed.
ALTER FUNCTION staff_reports(bigint) RENAME TO staff_reports_before_narratives;

CREATE FUNCTION staff_reports(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT (SELECT coalesce(jsonb_agg(x.e || jsonb_build_object(
	        'narratives', cardinality(r.narrative_cases),
	        'withdrawn', report_narratives_gone(r),
	        'newest', r.state = 'published'
	            AND r.version = (report_latest(r.quarter)).version)
	        ORDER BY x.i), '[]')
	    FROM jsonb_array_elements(staff_reports_before_narratives(p_actor))
	        WITH ORDINALITY x (e, i)
	    JOIN reports r ON r.id = (x.e->>'id')::bigint)
	WHERE staff_is(p_actor, 'supervisor')
$$;

-- staff_report (0025) with the same two figures.
ALTER FUNCTION staff_report(bigint, bigint) RENAME TO staff_report_before_narratives;

CREATE FUNCTION staff_report(p_actor bigint, p_id bigint, OUT report jsonb,
    OUT document bytea) RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT s.report || jsonb_build_object(
	    'narratives', cardinality(r.narrative_cases),
	    'withdrawn', report_narratives_gone(r)), s.document
	FROM staff_report_before_narratives(p_actor, p_id) s
	JOIN reports r ON r.id = p_id
$$;
