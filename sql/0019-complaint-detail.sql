-- 0019: the complaint's structured detail.  What the complainant saw about
-- why they were targeted: the targeting reasons (a taxonomy admins extend)
-- and whether the message said it was made or personalised by AI, in clear
-- for routing and reports; the platform's own "why am I seeing this?" text
-- sealed like the description.  And the optional demographic answers,
-- sealed too, kept only with the consent to use them.

CREATE TABLE targeting_reasons (
	code		text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'
			    AND length(code) <= 60),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	hint		text NOT NULL DEFAULT '' CHECK (length(hint) <= 500),
	position	integer NOT NULL,
	active		boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE targeting_reasons IS 'Why the complainant thinks, or the platform said, they were targeted: offered at intake, used by routing and reports.';

INSERT INTO targeting_reasons (code, label, hint, position) VALUES
 ('age', 'My age', '', 10),
 ('location', 'Where I live or where I was', '', 20),
 ('interests_or_browsing', 'My interests or what I browsed', 'For example: pages visited, videos watched, searches.', 30),
 ('purchase_history', 'What I bought before', '', 40),
 ('customer_list_upload', 'A company uploaded a list with my details', 'The ad said "this advertiser uploaded a list" or similar.', 50),
 ('lookalike_audience', 'I resemble the company''s other customers', 'Sometimes called a lookalike or similar audience.', 60),
 ('retargeting', 'I had visited the company''s website or app', 'The ad followed me after a visit.', 70),
 ('inferred_sensitive_trait', 'Something sensitive guessed about me', 'For example: health, sexuality, religion, money trouble, pregnancy.', 80),
 ('platform_did_not_say', 'The platform gave no reason', '', 90),
 ('dont_know', 'I do not know', '', 100);

ALTER TABLE cases
	ADD COLUMN targeting_reasons text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(targeting_reasons) <= 20),
	ADD COLUMN ai_disclosed text
	    CHECK (ai_disclosed IN ('yes', 'no', 'not_sure')),
	ADD COLUMN why_shown_box bytea;
COMMENT ON COLUMN cases.targeting_reasons IS 'Targeting reason codes the complainant chose (targeting_reasons), in clear for routing and reports.';
COMMENT ON COLUMN cases.ai_disclosed IS 'Whether the message said it was generated or personalised by AI: yes, no, not_sure; NULL when not answered.';
COMMENT ON COLUMN cases.why_shown_box IS 'XChaCha20-Poly1305 nonce and ciphertext of the platform''s "why am I seeing this?" text, if given.';

-- The options of the demographic questions: data, so that the ethnic or
-- national-origin question can follow the country's own classification.
-- Every question offers prefer_not_to_say.
CREATE TABLE demographic_options (
	question	text NOT NULL CHECK (question IN ('age_band', 'gender',
			    'disability', 'origin')),
	code		text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]*$'
			    AND length(code) <= 60),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	position	integer NOT NULL,
	active		boolean NOT NULL DEFAULT true,
	PRIMARY KEY (question, code)
);
COMMENT ON TABLE demographic_options IS 'The answers offered to the optional demographic questions; the answers given are sealed on the case, never in clear.';

INSERT INTO demographic_options (question, code, label, position) VALUES
 ('age_band', 'under_18', 'Under 18', 10),
 ('age_band', 'age_18_24', '18 to 24', 20),
 ('age_band', 'age_25_34', '25 to 34', 30),
 ('age_band', 'age_35_44', '35 to 44', 40),
 ('age_band', 'age_45_54', '45 to 54', 50),
 ('age_band', 'age_55_64', '55 to 64', 60),
 ('age_band', 'age_65_74', '65 to 74', 70),
 ('age_band', 'age_75_plus', '75 or over', 80),
 ('age_band', 'prefer_not_to_say', 'Prefer not to say', 1000),
 ('gender', 'woman', 'Woman', 10),
 ('gender', 'man', 'Man', 20),
 ('gender', 'non_binary', 'Non-binary', 30),
 ('gender', 'self_described', 'In another way (describe it below if you wish)', 40),
 ('gender', 'prefer_not_to_say', 'Prefer not to say', 1000),
 ('disability', 'yes', 'Yes', 10),
 ('disability', 'no', 'No', 20),
 ('disability', 'prefer_not_to_say', 'Prefer not to say', 1000),
 ('origin', 'asian', 'Asian or Asian British', 10),
 ('origin', 'black', 'Black, Black British, Caribbean or African', 20),
 ('origin', 'mixed', 'Mixed or multiple ethnic groups', 30),
 ('origin', 'white', 'White', 40),
 ('origin', 'arab', 'Arab', 50),
 ('origin', 'roma_traveller', 'Roma, Gypsy or Irish Traveller', 60),
 ('origin', 'other', 'Another ethnic group', 70),
 ('origin', 'prefer_not_to_say', 'Prefer not to say', 1000);

-- Answers exist only with the consent to use them: withdrawing it
-- destroys them in the same statement.
ALTER TABLE cases ADD COLUMN demographics_box bytea,
	ADD CONSTRAINT cases_demographics_consented
	    CHECK (demographics_box IS NULL OR consent_demographics);
COMMENT ON COLUMN cases.demographics_box IS 'XChaCha20-Poly1305 nonce and ciphertext of the demographic answers (JSON), only with consent_demographics.';

ALTER TABLE routing_rules
	ADD COLUMN targeting_reason text REFERENCES targeting_reasons,
	ADD COLUMN ai_disclosed text
	    CHECK (ai_disclosed IN ('yes', 'no', 'not_sure'));
COMMENT ON COLUMN routing_rules.targeting_reason IS 'Matches a case whose complainant chose this targeting reason (among others).';
COMMENT ON COLUMN routing_rules.ai_disclosed IS 'Matches a case with this answer to "did it say AI was used?".';

-- route_case (0018) with the two new conditions; still one SQL function
-- returning a set, so that intake's routing statement inlines it.
DROP FUNCTION route_case(text, text, boolean, text);
CREATE FUNCTION route_case(p_category text, p_channel text,
    p_vulnerable boolean, p_brand text, p_targeting text[],
    p_ai_disclosed text)
RETURNS TABLE (queue text, priority smallint, policy text)
LANGUAGE sql STABLE AS $$
	SELECT coalesce(r.queue, 'general'),
	    CASE WHEN p_vulnerable AND coalesce(r.priority, 2) < 3
	        THEN 3::smallint ELSE coalesce(r.priority, 2::smallint) END,
	    r.policy
	FROM (VALUES (1)) one
	LEFT JOIN LATERAL (SELECT r.queue, r.priority, r.policy
	    FROM routing_rules r
	    WHERE (r.category IS NULL OR r.category = p_category)
	      AND (r.channel IS NULL OR r.channel = p_channel)
	      AND (r.vulnerable IS NULL OR r.vulnerable = p_vulnerable)
	      AND (r.brand IS NULL OR lower(r.brand) = lower(p_brand))
	      AND (r.targeting_reason IS NULL
	          OR r.targeting_reason = ANY (p_targeting))
	      AND (r.ai_disclosed IS NULL OR r.ai_disclosed = p_ai_disclosed)
	    ORDER BY r.position
	    LIMIT 1) r ON true
$$;

-- case_triage (0011) routing with the case's targeting detail too, so that
-- a rule on a targeting reason or the AI answer chooses the same policy at
-- triage as at intake.
CREATE OR REPLACE FUNCTION case_triage(p_actor bigint, p_reference text,
    p_category text, p_priority smallint, p_queue text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	cases := case_for_action(p_actor, p_reference);
	v	text := case_may(p_actor, c, 'triage');
	v_queue	text;
	r	record;
	s	record;
BEGIN
	IF v <> 'ok' THEN RETURN v; END IF;
	IF NOT EXISTS (SELECT 1 FROM concern_categories
	    WHERE code = p_category AND active)
	    OR p_priority NOT BETWEEN 1 AND 4
	    OR NOT EXISTS (SELECT 1 FROM queues
	    WHERE code = coalesce(p_queue, c.queue) AND active) THEN
		RETURN 'invalid';
	END IF;
	IF p_priority <> ALL (case_triage_priorities(p_actor, c)) THEN
		RETURN 'forbidden';
	END IF;
	v_queue := coalesce(p_queue, c.queue);
	SELECT * INTO r FROM route_case(p_category, c.channel, c.vulnerable,
	    c.brand, c.targeting_reasons, c.ai_disclosed);
	SELECT * INTO s FROM sla_versions(r.policy, v_queue, p_priority,
	    c.vulnerable);
	UPDATE cases SET category = p_category, priority = p_priority,
	    queue = v_queue,
	    state = CASE WHEN c.state = 'received' THEN 'triaged'
	        ELSE c.state END,
	    sla_policy_version = CASE WHEN (SELECT a.policy = b.policy
	        FROM sla_policy_versions a, sla_policy_versions b
	        WHERE a.id = c.sla_policy_version AND b.id = s.policy_version)
	        THEN c.sla_policy_version ELSE s.policy_version END,
	    sla_calendar_version = CASE WHEN (SELECT a.calendar = b.calendar
	        FROM sla_calendar_versions a, sla_calendar_versions b
	        WHERE a.id = c.sla_calendar_version
	          AND b.id = s.calendar_version)
	        THEN c.sla_calendar_version ELSE s.calendar_version END
	WHERE id = c.id;
	PERFORM case_record(c, p_actor, 'triaged', c.state = 'received',
	    jsonb_build_object('category', p_category, 'priority', p_priority,
	        'queue', v_queue,
	        'was', jsonb_build_object('category', c.category,
	            'priority', c.priority, 'queue', c.queue)));
	RETURN 'ok';
END $$;

-- intake_complaint (0018) with the targeting detail.  An unknown or
-- retired reason is refused like an unknown category, in the same
-- statement that checks the category and channel.
DROP FUNCTION intake_complaint(bytea, bytea, bytea, text, text, date, text,
    boolean, boolean, boolean, boolean, bytea, bytea, bytea, bytea, bytea,
    bytea, bytea, jsonb);
CREATE FUNCTION intake_complaint(
    p_token_hash bytea, p_body_hash bytea, p_receipt_box bytea,
    p_category text, p_channel text, p_occurred_on date, p_brand text,
    p_vulnerable boolean, p_consent_contact boolean,
    p_consent_publish boolean, p_consent_demographics boolean,
    p_receipt_hash bytea, p_complainant_pk bytea, p_complainant_salt bytea,
    p_data_key_sealed bytea, p_description_box bytea, p_contact_box bytea,
    p_copy_box bytea DEFAULT NULL, p_clocks jsonb DEFAULT NULL,
    p_targeting text[] DEFAULT '{}', p_ai_disclosed text DEFAULT NULL,
    p_why_shown_box bytea DEFAULT NULL, p_demographics_box bytea DEFAULT NULL,
    OUT outcome text, OUT reference text, OUT state text,
    OUT receipt_box bytea)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_id		bigint;
	v_queue		text;
	v_prio		smallint;
	v_body		bytea;
	v_seq		text;
	v_pv		bigint;
	v_cv		bigint;
	v_pair		jsonb;
BEGIN
	SELECT CASE
	    WHEN NOT EXISTS (SELECT 1 FROM concern_categories c
	        WHERE c.code = p_category AND c.active) THEN 'bad_category'
	    WHEN NOT EXISTS (SELECT 1 FROM channels c
	        WHERE c.code = p_channel AND c.active) THEN 'bad_channel'
	    WHEN cardinality(p_targeting) > 0 AND EXISTS (SELECT 1
	        FROM unnest(p_targeting) t (code)
	        WHERE NOT EXISTS (SELECT 1 FROM targeting_reasons r
	            WHERE r.code = t.code AND r.active)) THEN 'bad_targeting'
	    END
	INTO outcome;
	IF outcome IS NOT NULL THEN
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

	SELECT q.queue, q.priority, s.policy_version, s.calendar_version
	INTO v_queue, v_prio, v_pv, v_cv
	FROM route_case(p_category, p_channel, p_vulnerable, p_brand,
	    coalesce(p_targeting, '{}'), p_ai_disclosed) q
	LEFT JOIN LATERAL sla_versions(q.policy, q.queue, q.priority,
	    p_vulnerable) s ON true;
	IF (p_clocks->>'at')::bigint = floor(extract(epoch FROM now())) THEN
		v_pair := p_clocks->'pairs'->(v_pv::text || ':' || v_cv::text);
		IF jsonb_typeof(v_pair->'clocks') IS DISTINCT FROM 'array' THEN
			v_pair := NULL;
		END IF;
	END IF;

	v_seq := nextval('case_reference_seq')::text;
	reference := 'RC-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' ||
	    lpad(v_seq, greatest(6, length(v_seq)), '0');
	INSERT INTO cases (id, reference, category, channel, occurred_on, brand,
	    vulnerable, consent_contact, consent_publish, consent_demographics,
	    queue, priority, receipt_hash, complainant_pk, complainant_salt,
	    data_key_sealed, description_box, contact_box,
	    complainant_copy_box, sla_policy_version, sla_calendar_version,
	    sla_due, next_check_at, intake_clocks, targeting_reasons,
	    ai_disclosed, why_shown_box, demographics_box)
	VALUES (v_id, reference, p_category, p_channel, p_occurred_on, p_brand,
	    p_vulnerable, p_consent_contact, p_consent_publish,
	    p_consent_demographics, v_queue, v_prio, p_receipt_hash,
	    p_complainant_pk, p_complainant_salt, p_data_key_sealed,
	    p_description_box, p_contact_box, p_copy_box, v_pv, v_cv,
	    coalesce(sla_instant(v_pair->'due'), 'infinity'),
	    coalesce(sla_instant(v_pair->'next'), now()), v_pair->'clocks',
	    coalesce(p_targeting, '{}'), p_ai_disclosed, p_why_shown_box,
	    p_demographics_box);
	INSERT INTO case_events (case_id, kind, actor, visible_to_complainant,
	    detail)
	VALUES (v_id, 'received', 'complainant', true,
	    jsonb_build_object('queue', v_queue, 'priority', v_prio));
	outcome := 'created';
	state := 'received';
	receipt_box := NULL;
END $$;

-- taxonomy_active (0003) with the active targeting reasons and the options
-- of each demographic question (kind demographic.<question>).
CREATE OR REPLACE FUNCTION taxonomy_active(OUT kind text, OUT code text,
    OUT label text, OUT hint text, OUT "position" integer)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT 'category', k.code, k.label, k.hint, k.position
	FROM concern_categories k WHERE k.active
	UNION ALL
	SELECT 'channel', h.code, h.label, '', h.position
	FROM channels h WHERE h.active
	UNION ALL
	SELECT 'targeting', t.code, t.label, t.hint, t.position
	FROM targeting_reasons t WHERE t.active
	UNION ALL
	SELECT 'demographic.' || d.question, d.code, d.label, '', d.position
	FROM demographic_options d WHERE d.active
$$;

-- /admin/taxonomy: a targeting reason added or edited (retired, never
-- deleted: old cases keep their codes), audited.
CREATE FUNCTION admin_targeting_save(p_actor bigint, p_code text,
    p_label text, p_hint text, p_position text, p_active text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_code IS NULL OR p_code !~ '^[a-z][a-z_]*$'
	    OR length(p_code) > 60 THEN
		e := admin_err(e, 'code', 'Use lower-case words joined by _, '
		    'like customer_list_upload.');
	END IF;
	IF coalesce(length(btrim(p_label)), 0) NOT BETWEEN 1 AND 200 THEN
		e := admin_err(e, 'label', 'Give the plain-language name '
		    '(up to 200 characters).');
	END IF;
	IF length(coalesce(p_hint, '')) > 500 THEN
		e := admin_err(e, 'hint', 'Use at most 500 characters.');
	END IF;
	IF p_position IS NULL OR p_position !~ '^[0-9]{1,6}$' THEN
		e := admin_err(e, 'position', 'Give a whole number.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO targeting_reasons (code, label, hint, position, active)
	VALUES (p_code, btrim(p_label), coalesce(btrim(p_hint), ''),
	    p_position::integer, p_active = 'yes')
	ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label,
	    hint = EXCLUDED.hint, position = EXCLUDED.position,
	    active = EXCLUDED.active;
	PERFORM audit('staff:' || p_actor, 'targeting_reason.save',
	    'targeting_reason:' || p_code, jsonb_build_object(
	        'label', btrim(p_label), 'active', p_active = 'yes',
	        'position', p_position::integer));
	RETURN 'ok';
END $$;

-- admin_rule_add (0009) with the two new conditions.
DROP FUNCTION admin_rule_add(bigint, text, text, text, text, text, text,
    text);
CREATE FUNCTION admin_rule_add(p_actor bigint, p_position text,
    p_category text, p_channel text, p_vulnerable text, p_brand text,
    p_queue text, p_priority text, p_targeting text, p_ai_disclosed text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_id	integer;
	e	jsonb := '{}';
BEGIN
	IF NOT staff_is(p_actor, 'admin') THEN RETURN 'forbidden'; END IF;
	IF p_position IS NULL OR p_position !~ '^[0-9]{1,6}$' THEN
		e := admin_err(e, 'position', 'Give a whole number; rules are '
		    'tried from the lowest.');
	ELSIF EXISTS (SELECT 1 FROM routing_rules
	    WHERE position = p_position::integer) THEN
		e := admin_err(e, 'position',
		    'Another rule has this position.');
	END IF;
	IF p_category IS NOT NULL AND NOT EXISTS (SELECT 1
	    FROM concern_categories WHERE code = p_category) THEN
		e := admin_err(e, 'category',
		    'Choose a concern from the list.');
	END IF;
	IF p_channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM channels
	    WHERE code = p_channel) THEN
		e := admin_err(e, 'channel', 'Choose a channel from the list.');
	END IF;
	IF p_vulnerable IS NOT NULL AND p_vulnerable NOT IN ('yes', 'no') THEN
		e := admin_err(e, 'vulnerable', 'Choose yes, no or either.');
	END IF;
	IF p_brand IS NOT NULL AND length(btrim(p_brand)) > 200 THEN
		e := admin_err(e, 'brand', 'Use at most 200 characters.');
	END IF;
	IF p_targeting IS NOT NULL AND NOT EXISTS (SELECT 1
	    FROM targeting_reasons WHERE code = p_targeting) THEN
		e := admin_err(e, 'targeting_reason',
		    'Choose a targeting reason from the list.');
	END IF;
	IF p_ai_disclosed IS NOT NULL
	    AND p_ai_disclosed NOT IN ('yes', 'no', 'not_sure') THEN
		e := admin_err(e, 'ai_disclosed',
		    'Choose yes, no, not sure or any answer.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM queues WHERE code = p_queue AND active)
	THEN
		e := admin_err(e, 'queue', 'Choose an active queue.');
	END IF;
	IF p_priority IS NULL OR p_priority !~ '^[1-4]$' THEN
		e := admin_err(e, 'priority', 'Choose a priority from 1 to 4.');
	END IF;
	IF e <> '{}' THEN RETURN admin_refusal(e); END IF;
	INSERT INTO routing_rules (position, category, channel, vulnerable,
	    brand, queue, priority, targeting_reason, ai_disclosed)
	VALUES (p_position::integer, p_category, p_channel,
	    CASE p_vulnerable WHEN 'yes' THEN true WHEN 'no' THEN false END,
	    nullif(btrim(p_brand), ''), p_queue, p_priority::smallint,
	    p_targeting, p_ai_disclosed)
	RETURNING id INTO v_id;
	PERFORM audit('staff:' || p_actor, 'routing_rule.add',
	    'routing_rule:' || v_id, (SELECT to_jsonb(r) - 'id'
	        FROM routing_rules r WHERE r.id = v_id));
	RETURN 'ok';
END $$;

-- admin_config (0012) with the targeting reasons, and each rule's two new
-- conditions laid into it.
ALTER FUNCTION admin_config(bigint) RENAME TO admin_config_before_targeting;

CREATE FUNCTION admin_config(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_set(c, '{rules}', (SELECT coalesce(jsonb_agg(
	    x || jsonb_build_object('targeting_reason', r.targeting_reason,
	        'ai_disclosed', r.ai_disclosed) ORDER BY n), '[]')
	    FROM jsonb_array_elements(c->'rules') WITH ORDINALITY e (x, n)
	    LEFT JOIN routing_rules r ON r.id = (x->>'id')::integer))
	    || jsonb_build_object('targeting_reasons', (SELECT coalesce(
	        jsonb_agg(jsonb_build_object('code', t.code, 'label', t.label,
	            'hint', t.hint, 'position', t.position,
	            'active', t.active) ORDER BY t.position, t.code), '[]')
	        FROM targeting_reasons t))
	FROM admin_config_before_targeting(p_actor) c
	-- NULL for a non-admin, as before.
	WHERE c IS NOT NULL
$$;

-- case_read (0011) with the targeting detail: the earlier function, renamed,
-- does the reading and its audit; the three columns come after its own.
ALTER FUNCTION case_read(bigint, text) RENAME TO case_read_before_targeting;

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
    why_shown_box bytea)
LANGUAGE sql AS $$
	SELECT r.*, to_jsonb(c.targeting_reasons), c.ai_disclosed,
	    c.why_shown_box
	FROM case_read_before_targeting(p_actor, p_reference) r
	JOIN cases c ON c.id = r.id
$$;

-- track_detail (0004) with the targeting detail in what the complainant
-- sent: the earlier function, renamed, and its 'sent' extended with the
-- reasons' labels (in the taxonomy's order), the AI answer and whether
-- demographic answers are kept (never the answers: they are not in the
-- complainant's copy either).  The instants of its lists are written as
-- the API writes every instant (utc_text), for the page and the API alike.
ALTER FUNCTION track_detail(bytea) RENAME TO track_detail_before_targeting;

CREATE FUNCTION jsonb_at_utc(p_items jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(x || jsonb_build_object('at',
	    utc_text((x->>'at')::timestamptz)) ORDER BY n), '[]')
	FROM jsonb_array_elements(p_items) WITH ORDINALITY e (x, n)
$$;

CREATE FUNCTION track_detail(p_receipt_hash bytea, OUT public_state text,
    OUT complainant_pk bytea, OUT complainant_salt bytea,
    OUT can_reply boolean, OUT can_appeal boolean,
    OUT appeal_until timestamptz, OUT messages jsonb, OUT decisions jsonb,
    OUT appeals jsonb, OUT sent jsonb, OUT copy_box bytea)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT d.public_state, d.complainant_pk, d.complainant_salt,
	    d.can_reply, d.can_appeal, d.appeal_until,
	    jsonb_at_utc(d.messages), jsonb_at_utc(d.decisions),
	    jsonb_at_utc(d.appeals),
	    d.sent || jsonb_build_object(
	        'targeting_reasons', (SELECT coalesce(jsonb_agg(t.label
	            ORDER BY t.position, t.code), '[]')
	            FROM targeting_reasons t
	            WHERE t.code = ANY (c.targeting_reasons)),
	        'ai_disclosed', c.ai_disclosed,
	        'demographics_given', c.demographics_box IS NOT NULL),
	    d.copy_box
	FROM track_detail_before_targeting(p_receipt_hash) d
	JOIN cases c ON c.receipt_hash = p_receipt_hash
$$;
