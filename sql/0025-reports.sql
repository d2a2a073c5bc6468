-- Quarterly transparency reports.  A supervisor asks for a draft of a
-- quarter; the report builder (recourse-reporter, on the back-office host)
-- reads the quarter's figures as at the request's instant, protects them,
-- writes the files and signs each; supervisors review the draft, and one
-- asks to publish it and another approves.  A published report and its
-- files never change (a correction is a new version linking to the one it
-- corrects); the database refuses anything else.

CREATE TABLE reports (
	id		bigserial PRIMARY KEY,
	quarter		text NOT NULL CHECK (quarter ~ '^[0-9]{4}-Q[1-4]$'),
	-- Given when published: 1, then 2 for its first correction...
	version		integer CHECK (version >= 1),
	state		text NOT NULL DEFAULT 'requested' CHECK (state IN (
			    'requested', 'building', 'draft', 'failed',
			    'publish_requested', 'published', 'discarded')),
	-- Every figure is as at this instant: the build's snapshot.
	snapshot_at	timestamptz NOT NULL,
	corrects	bigint REFERENCES reports,
	correction_note	text CHECK (length(correction_note) <= 4000),
	requested_by	bigint NOT NULL REFERENCES staff_accounts,
	requested_at	timestamptz NOT NULL DEFAULT now(),
	built_at	timestamptz,
	build_error	text CHECK (length(build_error) <= 2000),
	-- The audit chain's head at the snapshot, published in the methods.
	audit_seq	bigint,
	audit_hash	bytea CHECK (length(audit_hash) = 32),
	-- The version it will have when published, fixed at the request so
	-- that the signed files can say it; refused at publication if
	-- another version took it meanwhile.
	planned_version	integer NOT NULL CHECK (planned_version >= 1),
	publish_requested_by bigint REFERENCES staff_accounts,
	publish_requested_at timestamptz,
	published_by	bigint REFERENCES staff_accounts,
	published_at	timestamptz,
	CHECK ((version IS NOT NULL) = (state = 'published')),
	CHECK (version IS NULL OR version = planned_version),
	CHECK ((published_at IS NOT NULL) = (state = 'published')),
	-- Two people: who asked to publish is not who approved.
	CONSTRAINT reports_two_people CHECK (published_by IS NULL
	    OR published_by <> publish_requested_by),
	CHECK (state NOT IN ('publish_requested', 'published')
	    OR publish_requested_by IS NOT NULL),
	CHECK ((corrects IS NULL) = (correction_note IS NULL))
);
COMMENT ON TABLE reports IS 'Quarterly transparency reports: each build of a quarter, drafts and published versions; a published row never changes.';
COMMENT ON COLUMN reports.snapshot_at IS 'The instant every figure of the report is taken at.';
COMMENT ON COLUMN reports.corrects IS 'The published version this one corrects, if any.';
CREATE UNIQUE INDEX reports_quarter_version ON reports (quarter, version)
	WHERE version IS NOT NULL;
CREATE INDEX reports_waiting ON reports (requested_at, id)
	WHERE state = 'requested';

CREATE TABLE report_files (
	report_id	bigint NOT NULL REFERENCES reports,
	name		text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,80}$'),
	media_type	text NOT NULL CHECK (length(media_type) <= 100),
	body		bytea NOT NULL,
	-- SHA-256 of the body: the ETag, and what the methods list.
	sha256		bytea NOT NULL CHECK (length(sha256) = 32),
	-- The detached signature, in signify's format.
	signature	text NOT NULL CHECK (length(signature) <= 300),
	PRIMARY KEY (report_id, name)
);
COMMENT ON TABLE report_files IS 'The files of a report (HTML, CSV, JSON, schema), each with its signature; those of a published report never change.';

-- A published report is final: no change to it, none to its files, no
-- file added or taken away.
CREATE FUNCTION reports_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND OLD.state = 'published' THEN
		RAISE EXCEPTION 'report % version % is published and cannot '
		    'be deleted', OLD.quarter, OLD.version
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.state = 'published' THEN
		RAISE EXCEPTION 'report % version % is published and cannot '
		    'be changed; publish a correction instead', OLD.quarter,
		    OLD.version USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER reports_final BEFORE UPDATE OR DELETE ON reports
	FOR EACH ROW EXECUTE FUNCTION reports_refuse_change();

CREATE FUNCTION report_files_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	r	bigint := CASE WHEN TG_OP = 'INSERT' THEN NEW.report_id
		    ELSE OLD.report_id END;
BEGIN
	IF EXISTS (SELECT 1 FROM reports x WHERE x.id = r
	    AND x.state IN ('publish_requested', 'published')) THEN
		RAISE EXCEPTION 'the files of a report asked to be published '
		    'or published cannot change'
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER report_files_final
	BEFORE INSERT OR UPDATE OR DELETE ON report_files
	FOR EACH ROW EXECUTE FUNCTION report_files_refuse_change();
CREATE TRIGGER report_files_no_truncate BEFORE TRUNCATE ON report_files
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER reports_no_truncate BEFORE TRUNCATE ON reports
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The first and last instant (exclusive) of a quarter, in UTC.
CREATE FUNCTION report_quarter_bounds(p_quarter text, OUT from_at timestamptz,
    OUT to_at timestamptz) LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT make_timestamptz(split_part(p_quarter, '-Q', 1)::integer,
	        (split_part(p_quarter, '-Q', 2)::integer - 1) * 3 + 1, 1, 0, 0,
	        0, 'UTC'),
	    make_timestamptz(split_part(p_quarter, '-Q', 1)::integer,
	        (split_part(p_quarter, '-Q', 2)::integer - 1) * 3 + 1, 1, 0, 0,
	        0, 'UTC') + interval '3 months'
$$;

-- A distribution as [{code, n}] in the order of 'codes', zeros included.
CREATE FUNCTION report_counts(p_codes text[], p_values text[])
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('code', c.code,
	    'n', (SELECT count(*) FROM unnest(p_values) v WHERE v = c.code))
	    ORDER BY c.i), '[]')
	FROM unnest(p_codes) WITH ORDINALITY c (code, i)
$$;

-- Every figure of one quarter (cases received in it, decisions and
-- appeals published in it, clocks that ended in it, erasures and
-- withdrawals in it), as at p_at, before any protection: the builder
-- protects and publishes them.  Counts only; no personal data.
CREATE FUNCTION report_figures(p_quarter text, p_at timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	b	record;
	v_to	timestamptz;
	out	jsonb;
BEGIN
	b := report_quarter_bounds(p_quarter);
	v_to := least(b.to_at, p_at);
	WITH received AS (
		SELECT c.* FROM cases c
		WHERE c.received_at >= b.from_at AND c.received_at < v_to
	),
	first_decisions AS (
		SELECT DISTINCT ON (d.case_id) d.*, c.category
		FROM case_decisions d JOIN cases c ON c.id = d.case_id
		WHERE NOT d.on_appeal AND d.released_at IS NOT NULL
		  AND d.released_at < p_at
		ORDER BY d.case_id, d.released_at, d.id
	),
	decided AS (
		SELECT * FROM first_decisions
		WHERE released_at >= b.from_at AND released_at < v_to
	),
	appeal_decisions AS (
		SELECT a.case_id, a.at, x.outcome, x.remedies, x.released_at,
		    d.outcome AS was_outcome, d.remedies AS was_remedies
		FROM case_appeals a
		JOIN case_decisions d ON d.id = a.decision_id
		LEFT JOIN LATERAL (SELECT * FROM case_decisions y
		    WHERE y.case_id = a.case_id AND y.on_appeal
		      AND y.id > a.decision_id AND y.released_at IS NOT NULL
		      AND y.released_at < p_at
		    ORDER BY y.id LIMIT 1) x ON true
		WHERE a.at < p_at
	),
	clocks AS (
		SELECT k.* FROM case_clocks k
		WHERE k.met_at >= b.from_at AND k.met_at < v_to
	),
	events AS (
		SELECT e.kind, e.detail FROM case_events e
		WHERE e.at >= b.from_at AND e.at < v_to
		  AND e.kind IN ('erased', 'consent_withdrawn')
	)
	SELECT jsonb_build_object(
	    'quarter', p_quarter,
	    'from', utc_text(b.from_at), 'to', utc_text(b.to_at),
	    'snapshot_at', utc_text(p_at),
	    -- The words of every code, as the taxonomy says them now.
	    'labels', jsonb_build_object(
	        'category', (SELECT jsonb_agg(jsonb_build_object('code', code,
	            'label', label) ORDER BY position, code)
	            FROM concern_categories),
	        'channel', (SELECT jsonb_agg(jsonb_build_object('code', code,
	            'label', label) ORDER BY position, code) FROM channels),
	        'targeting', (SELECT jsonb_agg(jsonb_build_object('code', code,
	            'label', label) ORDER BY position, code)
	            FROM targeting_reasons),
	        'demographic', (SELECT jsonb_object_agg(x.question, x.options)
	            FROM (SELECT question, jsonb_agg(jsonb_build_object('code',
	                code, 'label', label) ORDER BY position, code) AS options
	                FROM demographic_options GROUP BY question) x)),
	    -- The taxonomy's version: a hash of every code and its words
	    -- (jsonb's text is canonical), as the methods name it.
	    'taxonomy_version', encode(sha256(convert_to(jsonb_build_object(
	        'category', (SELECT jsonb_agg(jsonb_build_array(code, label,
	            active) ORDER BY code) FROM concern_categories),
	        'channel', (SELECT jsonb_agg(jsonb_build_array(code, label,
	            active) ORDER BY code) FROM channels),
	        'targeting', (SELECT jsonb_agg(jsonb_build_array(code, label,
	            active) ORDER BY code) FROM targeting_reasons),
	        'demographic', (SELECT jsonb_agg(jsonb_build_array(question,
	            code, label, active) ORDER BY question, code)
	            FROM demographic_options))::text, 'UTF8')), 'hex'),
	    -- The summaries of the four quarters before, as published by
	    -- the snapshot (their newest versions), for the trends.
	    'previous', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'quarter', q.code, 'summary', (SELECT convert_from(f.body,
	            'UTF8')::jsonb->'summary'
	            FROM reports r JOIN report_files f ON f.report_id = r.id
	              AND f.name = 'report.json'
	            WHERE r.quarter = q.code AND r.state = 'published'
	              AND r.published_at <= p_at
	            ORDER BY r.version DESC LIMIT 1)) ORDER BY q.n DESC), '[]')
	        FROM (SELECT n, to_char((b.from_at - make_interval(months =>
	            3 * n)) AT TIME ZONE 'UTC', 'YYYY-"Q"Q') AS code
	            FROM generate_series(1, 4) n) q),
	    -- The audit chain's last link sealed by the snapshot.
	    'audit', (SELECT jsonb_build_object('seq', s.seq,
	        'hash', encode(s.hash, 'hex')) FROM audit_seals s
	        WHERE s.sealed_at <= p_at ORDER BY s.seq DESC LIMIT 1),
	    'received', (SELECT jsonb_build_object(
	        'total', count(*),
	        'category', report_counts(ARRAY(SELECT code
	            FROM concern_categories ORDER BY position, code),
	            array_agg(category)),
	        'channel', report_counts(ARRAY(SELECT code FROM channels
	            ORDER BY position, code), array_agg(channel)),
	        'ai_disclosed', report_counts(ARRAY['yes', 'no', 'not_sure',
	            'unanswered'], array_agg(coalesce(ai_disclosed,
	            'unanswered'))),
	        'vulnerable', report_counts(ARRAY['yes', 'no'],
	            array_agg(CASE WHEN vulnerable THEN 'yes' ELSE 'no' END)),
	        -- Brands as typed, grouped without case or spaces around;
	        -- the builder publishes only those with 10 cases or more.
	        'brand', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	            'code', x.brand, 'label', x.label, 'n', x.n)
	            ORDER BY x.n DESC, x.brand), '[]')
	            FROM (SELECT lower(btrim(r.brand)) AS brand,
	            mode() WITHIN GROUP (ORDER BY btrim(r.brand)) AS label,
	            count(*) AS n FROM received r WHERE r.brand IS NOT NULL
	              AND btrim(r.brand) <> '' GROUP BY 1) x),
	        'no_brand', count(*) FILTER (WHERE brand IS NULL
	            OR btrim(brand) = ''))
	        FROM received),
	    'targeting', (SELECT report_counts(ARRAY(SELECT code
	        FROM targeting_reasons ORDER BY position, code),
	        coalesce(array_agg(t), '{}'))
	        FROM received r, unnest(r.targeting_reasons) t),
	    'decided', (SELECT jsonb_build_object(
	        'total', count(*),
	        'automated', count(*) FILTER (WHERE automated),
	        'by_category', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	            'code', k.code, 'outcomes', (SELECT report_counts(
	                ARRAY['upheld', 'partly_upheld', 'not_upheld',
	                'out_of_scope', 'referred'], coalesce(array_agg(
	                d.outcome), '{}')) FROM decided d
	                WHERE d.category = k.code))
	            ORDER BY k.position, k.code), '[]')
	            FROM concern_categories k))
	        FROM decided),
	    'remedies', (SELECT report_counts(ARRAY['campaign_changed',
	        'data_deleted', 'consent_fixed', 'model_changed',
	        'optout_honoured', 'apology', 'compensation', 'staff_guidance',
	        'none'], coalesce(array_agg(m), '{}'))
	        FROM decided d, unnest(d.remedies) m),
	    'timeliness', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'clock', x.clock, 'ended', x.ended, 'on_time', x.on_time,
	        'late', x.ended - x.on_time, 'extended', x.extended,
	        'paused', x.paused,
	        'days_median', x.days_median, 'days_p90', x.days_p90,
	        'paused_days_total', x.paused_total,
	        'paused_days_median', x.paused_median)
	        ORDER BY array_position(ARRAY['acknowledge', 'response',
	            'decision', 'appeal', 'erasure'], x.clock)), '[]')
	        FROM (SELECT k.clock, count(*) AS ended,
	            count(*) FILTER (WHERE k.breached_at IS NULL) AS on_time,
	            count(*) FILTER (WHERE k.extended) AS extended,
	            count(*) FILTER (WHERE k.paused_seconds > 0) AS paused,
	            round((percentile_cont(0.5) WITHIN GROUP (ORDER BY
	                extract(epoch FROM k.met_at - k.started_at)) / 86400)
	                ::numeric, 1) AS days_median,
	            round((percentile_cont(0.9) WITHIN GROUP (ORDER BY
	                extract(epoch FROM k.met_at - k.started_at)) / 86400)
	                ::numeric, 1) AS days_p90,
	            round(sum(k.paused_seconds) / 86400.0, 1) AS paused_total,
	            round((percentile_cont(0.5) WITHIN GROUP (ORDER BY
	                k.paused_seconds) / 86400)::numeric, 1) AS paused_median
	            FROM clocks k GROUP BY k.clock) x),
	    'breaches', (SELECT count(*) FROM case_clocks k
	        WHERE k.breached_at >= b.from_at AND k.breached_at < v_to),
	    'appeals', (SELECT jsonb_build_object(
	        'received', count(*) FILTER (WHERE a.at >= b.from_at
	            AND a.at < v_to),
	        'decided', count(*) FILTER (WHERE a.released_at >= b.from_at
	            AND a.released_at < v_to),
	        'changed', count(*) FILTER (WHERE a.released_at >= b.from_at
	            AND a.released_at < v_to AND (a.outcome <> a.was_outcome
	            OR a.remedies <> a.was_remedies)),
	        'days_median', round((percentile_cont(0.5) WITHIN GROUP (
	            ORDER BY extract(epoch FROM a.released_at - a.at))
	            FILTER (WHERE a.released_at >= b.from_at
	            AND a.released_at < v_to) / 86400)::numeric, 1))
	        FROM appeal_decisions a),
	    'erasures', (SELECT jsonb_build_object(
	        'request', count(*) FILTER (WHERE kind = 'erased'
	            AND detail->>'basis' = 'request'),
	        'retention', count(*) FILTER (WHERE kind = 'erased'
	            AND detail->>'basis' = 'retention'))
	        FROM events),
	    'withdrawals', (SELECT report_counts(ARRAY['contact', 'publish',
	        'demographics'], coalesce(array_agg(detail->>'consent')
	        FILTER (WHERE kind = 'consent_withdrawn'), '{}'))
	        FROM events))
	INTO out;
	RETURN out;
END $$;

------------------------------------------------------------------------
-- The workflow: request, build, review, publish with a second supervisor
------------------------------------------------------------------------

-- The newest published version of a quarter (NULL fields when none).
CREATE FUNCTION report_latest(p_quarter text) RETURNS reports
LANGUAGE sql STABLE AS $$
	SELECT * FROM reports WHERE quarter = p_quarter AND state = 'published'
	ORDER BY version DESC LIMIT 1
$$;

-- A supervisor asks for a draft of a quarter that has begun.  A quarter
-- already published gets a correction: it names what changed and why.
-- Returns the new report's id as text, or 'forbidden', 'invalid' (JSON of
-- field errors).
CREATE FUNCTION report_request(p_actor bigint, p_quarter text,
    p_note text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
	last	reports;
	v_id	bigint;
BEGIN
	IF NOT staff_is(p_actor, 'supervisor') THEN RETURN 'forbidden'; END IF;
	IF p_quarter IS NULL OR p_quarter !~ '^[0-9]{4}-Q[1-4]$'
	    OR (report_quarter_bounds(p_quarter)).from_at > now()
	    OR split_part(p_quarter, '-', 1)::integer < 2000 THEN
		e := admin_err(e, 'quarter', 'Choose a quarter that has begun.');
	ELSE
		last := report_latest(p_quarter);
		IF last.id IS NOT NULL AND coalesce(btrim(p_note), '') = '' THEN
			e := admin_err(e, 'note', 'This quarter is published: '
			    'say what the correction changes and why.');
		END IF;
	END IF;
	IF length(p_note) > 4000 THEN
		e := admin_err(e, 'note', 'Use at most 4 000 characters.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO reports (quarter, snapshot_at, corrects, correction_note,
	    planned_version, requested_by)
	-- The first whole second after the request: everything done before
	-- it is counted, whatever its fraction of a second.
	VALUES (p_quarter, date_trunc('second', now()) + interval '1 second',
	    last.id,
	    CASE WHEN last.id IS NOT NULL THEN btrim(p_note) END,
	    coalesce(last.version, 0) + 1, p_actor)
	RETURNING id INTO v_id;
	PERFORM audit('staff:' || p_actor, 'report.requested',
	    'report:' || v_id, jsonb_build_object('quarter', p_quarter));
	RETURN v_id::text;
END $$;

-- The report builder takes the oldest request, or nothing; with a
-- correction, the document of the version it corrects.
CREATE FUNCTION report_claim(OUT id bigint, OUT quarter text,
    OUT snapshot_at timestamptz, OUT about jsonb, OUT corrected jsonb)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
	r	reports;
BEGIN
	-- Only once its instant has passed, and a second more for what was
	-- committing then: a build and a rebuild then see the same data.
	SELECT * INTO r FROM reports x WHERE x.state = 'requested'
	  AND x.snapshot_at <= now() - interval '1 second'
	ORDER BY x.requested_at, x.id LIMIT 1 FOR UPDATE SKIP LOCKED;
	IF NOT FOUND THEN RETURN; END IF;
	UPDATE reports x SET state = 'building' WHERE x.id = r.id;
	id := r.id;
	quarter := r.quarter;
	snapshot_at := r.snapshot_at;
	about := jsonb_build_object('version', r.planned_version,
	    'corrects', (SELECT c.version FROM reports c WHERE c.id = r.corrects),
	    'correction_note', r.correction_note);
	-- A correction's first version: what it hid stays hidden.
	corrected := (SELECT convert_from(f.body, 'UTF8')::jsonb
	    FROM report_files f WHERE f.report_id = r.corrects
	      AND f.name = 'report.json');
	RETURN NEXT;
END $$;

-- The builder's files: their names, media types, SHA-256 (hex) and
-- signatures in p_files, their bytes in p_bodies in the same order; the
-- audit chain's head the figures named.  The report becomes a draft.
CREATE FUNCTION report_store(p_id bigint, p_files jsonb, p_bodies bytea[],
    p_audit jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF jsonb_array_length(p_files) <> cardinality(p_bodies) THEN
		RAISE EXCEPTION 'report_store: a body for every file'
		    USING ERRCODE = 'check_violation';
	END IF;
	UPDATE reports SET state = 'draft', built_at = now(),
	    audit_seq = (p_audit->>'seq')::bigint,
	    audit_hash = decode(p_audit->>'hash', 'hex')
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

CREATE FUNCTION report_fail(p_id bigint, p_error text) RETURNS void
LANGUAGE sql AS $$
	UPDATE reports SET state = 'failed', built_at = now(),
	    build_error = left(p_error, 2000)
	WHERE id = p_id AND state = 'building'
$$;

-- A supervisor asks to publish a draft; another approves it.  Returns
-- 'ok', 'forbidden', 'state', 'same_person' or 'stale' (another version
-- of the quarter was published since the draft was asked for: build it
-- again).
CREATE FUNCTION report_publish_request(p_actor bigint, p_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF NOT staff_is(p_actor, 'supervisor') THEN RETURN 'forbidden'; END IF;
	UPDATE reports SET state = 'publish_requested',
	    publish_requested_by = p_actor, publish_requested_at = now()
	WHERE id = p_id AND state = 'draft';
	IF NOT FOUND THEN RETURN 'state'; END IF;
	PERFORM audit('staff:' || p_actor, 'report.publish_requested',
	    'report:' || p_id);
	RETURN 'ok';
END $$;

CREATE FUNCTION report_publish_approve(p_actor bigint, p_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r	reports;
BEGIN
	IF NOT staff_is(p_actor, 'supervisor') THEN RETURN 'forbidden'; END IF;
	SELECT * INTO r FROM reports WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR r.state <> 'publish_requested' THEN
		RETURN 'state';
	END IF;
	IF r.publish_requested_by = p_actor THEN RETURN 'same_person'; END IF;
	-- One publication of a quarter at a time decides the next version.
	PERFORM pg_advisory_xact_lock(hashtext('report:' || r.quarter));
	IF coalesce((report_latest(r.quarter)).version, 0) + 1
	    <> r.planned_version THEN
		RETURN 'stale';
	END IF;
	UPDATE reports SET state = 'published', version = planned_version,
	    published_by = p_actor, published_at = now()
	WHERE id = p_id;
	PERFORM audit('staff:' || p_actor, 'report.published',
	    'report:' || p_id, jsonb_build_object('quarter', r.quarter,
	    'version', r.planned_version));
	RETURN 'ok';
END $$;

-- A draft (or a failed build, or one asked to be published) set aside.
CREATE FUNCTION report_discard(p_actor bigint, p_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT staff_is(p_actor, 'supervisor') THEN RETURN 'forbidden'; END IF;
	UPDATE reports SET state = 'discarded'
	WHERE id = p_id AND state IN ('draft', 'failed', 'publish_requested');
	IF NOT FOUND THEN RETURN 'state'; END IF;
	PERFORM audit('staff:' || p_actor, 'report.discarded',
	    'report:' || p_id);
	RETURN 'ok';
END $$;

-- The public side: every published version, newest quarter first.
CREATE FUNCTION report_published() RETURNS TABLE (quarter text,
    version integer, published_at text, snapshot_at text,
    corrects integer, correction_note text, files jsonb)
LANGUAGE sql STABLE AS $$
	SELECT r.quarter, r.version, utc_text(r.published_at),
	    utc_text(r.snapshot_at),
	    (SELECT c.version FROM reports c WHERE c.id = r.corrects),
	    r.correction_note,
	    (SELECT coalesce(jsonb_agg(jsonb_build_object('name', f.name,
	        'media_type', f.media_type, 'size', length(f.body),
	        'sha256', encode(f.sha256, 'hex')) ORDER BY f.name), '[]')
	        FROM report_files f WHERE f.report_id = r.id)
	FROM reports r WHERE r.state = 'published'
	ORDER BY r.quarter DESC, r.version DESC
$$;

-- One file of a published version (version NULL: the newest).
CREATE FUNCTION report_published_file(p_quarter text, p_version integer,
    p_name text, OUT media_type text, OUT body bytea, OUT sha256 bytea,
    OUT signature text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT f.media_type, f.body, f.sha256, f.signature
	FROM reports r JOIN report_files f ON f.report_id = r.id
	WHERE r.state = 'published' AND r.quarter = p_quarter
	  AND r.version = coalesce(p_version, (report_latest(p_quarter)).version)
	  AND f.name = p_name
$$;

-- The back office: every report, newest first, for supervisors (NULL for
-- anyone else).
CREATE FUNCTION staff_reports(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN staff_is(p_actor, 'supervisor') THEN
	    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id,
	        'quarter', r.quarter, 'state', r.state,
	        'version', coalesce(r.version, r.planned_version),
	        'requested_by', a.display_name,
	        'requested_at', utc_text(r.requested_at),
	        'published_at', utc_text(r.published_at))
	        ORDER BY r.requested_at DESC, r.id DESC), '[]')
	    FROM reports r JOIN staff_accounts a ON a.id = r.requested_by)
	END
$$;

-- One report for a supervisor: its row in words, its document and files.
CREATE FUNCTION staff_report(p_actor bigint, p_id bigint, OUT report jsonb,
    OUT document bytea) RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', r.id, 'quarter', r.quarter,
	    'state', r.state, 'version', coalesce(r.version,
	        r.planned_version),
	    'snapshot_at', utc_text(r.snapshot_at),
	    'requested_by', a.display_name, 'requested_by_id', r.requested_by,
	    'requested_at', utc_text(r.requested_at),
	    'built_at', utc_text(r.built_at), 'build_error', r.build_error,
	    'correction_note', r.correction_note,
	    'publish_requested_by', p.display_name,
	    'publish_requested_by_id', r.publish_requested_by,
	    'published_by', q.display_name,
	    'published_at', utc_text(r.published_at),
	    'files', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'name', f.name, 'media_type', f.media_type,
	        'size', length(f.body), 'sha256', encode(f.sha256, 'hex'))
	        ORDER BY f.name), '[]')
	        FROM report_files f WHERE f.report_id = r.id)),
	    (SELECT f.body FROM report_files f WHERE f.report_id = r.id
	      AND f.name = 'report.json')
	FROM reports r
	JOIN staff_accounts a ON a.id = r.requested_by
	LEFT JOIN staff_accounts p ON p.id = r.publish_requested_by
	LEFT JOIN staff_accounts q ON q.id = r.published_by
	WHERE r.id = p_id AND staff_is(p_actor, 'supervisor')
$$;

-- A file of any report (a draft's too), for a supervisor.
CREATE FUNCTION staff_report_file(p_actor bigint, p_id bigint, p_name text,
    OUT media_type text, OUT body bytea, OUT signature text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT f.media_type, f.body, f.signature FROM report_files f
	WHERE f.report_id = p_id AND f.name = p_name
	  AND staff_is(p_actor, 'supervisor')
$$;

-- The fairness figures' raw material: for each case of the quarter's
-- first decisions whose complainant consented to the questions about
-- themselves and answered some, the sealed answers (which only the
-- builder, with the review key, opens and counts, never storing them in
-- clear), the outcome, and whether the decision clock was met on time.
CREATE FUNCTION report_fairness_rows(p_quarter text, p_at timestamptz,
    OUT data_key_sealed bytea, OUT complainant_salt bytea,
    OUT demographics_box bytea, OUT outcome text, OUT on_time boolean)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT c.data_key_sealed, c.complainant_salt, c.demographics_box,
	    d.outcome, (SELECT k.breached_at IS NULL FROM case_clocks k
	        WHERE k.case_id = c.id AND k.clock = 'decision'
	          AND k.met_at IS NOT NULL)
	FROM (SELECT DISTINCT ON (x.case_id) x.*
	    FROM case_decisions x
	    WHERE NOT x.on_appeal AND x.released_at IS NOT NULL
	      AND x.released_at < p_at
	    ORDER BY x.case_id, x.released_at, x.id) d
	JOIN cases c ON c.id = d.case_id
	WHERE d.released_at >= (report_quarter_bounds(p_quarter)).from_at
	  AND d.released_at < least((report_quarter_bounds(p_quarter)).to_at,
	      p_at)
	  AND c.consent_demographics AND c.demographics_box IS NOT NULL
	  AND c.erased_at IS NULL
$$;
