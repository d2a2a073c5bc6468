-- grants.sql: which runtime role may run which function; the only place
-- that grants anything to the service.  src/tools/migrate.sh applies it as
-- recourse_owner after every run of the migrations, in one transaction.
--
-- The scheme (roles in sql/roles.sql):
--   * The runtime roles get no right on any table, view or sequence.  They
--     may EXECUTE the functions listed below, nothing else; PUBLIC may
--     execute none of the schema's functions (PostgreSQL grants that by
--     default: revoked here for existing and future functions).
--   * Each listed function becomes SECURITY DEFINER, owned by
--     recourse_owner, with search_path pinned to pg_catalog, public (and
--     pg_temp last, so no temporary object can stand in for a real one):
--     it does its work with the owner's rights and nothing a caller sets
--     can redirect its names.  Triggers still fire inside it, so the audit
--     tables stay append-only and the state machine holds.
--   * Helpers that the listed functions call need no line.
--   * Everything is revoked first, then granted again, so this file is the
--     whole truth: a line removed is a right withdrawn.
--
-- A new function the service calls (0004 and later): add one line below,
-- ('recourse_public' or 'recourse_review', 'its_name'), covering every
-- signature of that name.  A name that matches no function stops the
-- migration.  CREATE OR REPLACE resets SECURITY DEFINER; the next run of
-- this file sets it again, which is why it runs after every migration.

REVOKE ALL ON ALL TABLES IN SCHEMA public
    FROM PUBLIC, recourse_public, recourse_review;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public
    FROM PUBLIC, recourse_public, recourse_review;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public
    FROM PUBLIC, recourse_public, recourse_review;
ALTER DEFAULT PRIVILEGES FOR ROLE recourse_owner
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

DO $$
DECLARE
	g	record;
	f	text;
	n	integer;
BEGIN
	FOR g IN SELECT * FROM (VALUES
	    -- The public side: intake, tracking, housekeeping.
	    ('recourse_public', 'taxonomy_active'),
	    ('recourse_public', 'intake_complaint'),
	    ('recourse_public', 'intake_complaint_evidence'),
	    ('recourse_public', 'sla_current_definitions'),
	    ('recourse_public', 'track_case'),
	    ('recourse_public', 'track_detail'),
	    ('recourse_public', 'complainant_reply'),
	    ('recourse_public', 'complainant_reply_evidence'),
	    ('recourse_public', 'complainant_appeal'),
	    ('recourse_public', 'complainant_withdraw'),
	    ('recourse_public', 'complainant_request_erasure'),
	    ('recourse_public', 'privacy_retention'),
	    ('recourse_public', 'purge_expired'),
	    -- The back office: login, sessions, account set-up.
	    ('recourse_review', 'login_begin'),
	    ('recourse_review', 'login_finish'),
	    ('recourse_review', 'session_touch'),
	    ('recourse_review', 'session_end'),
	    ('recourse_review', 'api_token_account'),
	    ('recourse_review', 'setup_view'),
	    ('recourse_review', 'setup_finish'),
	    -- Own account.
	    ('recourse_review', 'password_current'),
	    ('recourse_review', 'password_change'),
	    ('recourse_review', 'password_change_failed'),
	    ('recourse_review', 'api_token_list'),
	    ('recourse_review', 'api_token_begin'),
	    ('recourse_review', 'api_token_issue'),
	    ('recourse_review', 'api_token_revoke'),
	    -- Work list, case page, case actions.
	    ('recourse_review', 'worklist'),
	    ('recourse_review', 'utc_text'),
	    -- Refused attempts (0008).
	    ('recourse_review', 'audit_refusals'),
	    ('recourse_review', 'api_token_check'),
	    ('recourse_review', 'refusal_report'),
	    ('recourse_review', 'case_read'),
	    ('recourse_review', 'case_page_options'),
	    ('recourse_review', 'case_keys'),
	    ('recourse_review', 'case_take'),
	    ('recourse_review', 'case_assign'),
	    ('recourse_review', 'case_triage'),
	    ('recourse_review', 'case_investigate'),
	    ('recourse_review', 'case_note'),
	    ('recourse_review', 'case_message'),
	    ('recourse_review', 'case_link_duplicate'),
	    ('recourse_review', 'case_reject'),
	    ('recourse_review', 'case_decide'),
	    ('recourse_review', 'case_sign'),
	    ('recourse_review', 'case_close'),
	    -- Administration.
	    ('recourse_review', 'admin_config'),
	    ('recourse_review', 'admin_account_create'),
	    ('recourse_review', 'admin_account_update'),
	    ('recourse_review', 'admin_account_reset'),
	    ('recourse_review', 'admin_brand_bar'),
	    ('recourse_review', 'admin_queue_save'),
	    ('recourse_review', 'admin_rule_add'),
	    ('recourse_review', 'admin_rule_delete'),
	    ('recourse_review', 'admin_category_save'),
	    ('recourse_review', 'admin_targeting_save'),
	    ('recourse_review', 'admin_audit_page'),
	    ('recourse_review', 'audit_counts'),
	    ('recourse_review', 'audit_slice'),
	    -- The audit sealer (appends links only) and housekeeping.
	    ('recourse_review', 'audit_unsealed'),
	    ('recourse_review', 'audit_seal'),
	    ('recourse_review', 'purge_staff_expired'),
	    -- GET /metrics on both instances, and the send-back (0013).
	    ('recourse_public', 'metrics_public'),
	    ('recourse_review', 'metrics_review'),
	    ('recourse_review', 'case_send_back'),
	    -- The SLA scheduler (0011).
	    ('recourse_review', 'sla_claim'),
	    ('recourse_review', 'sla_store'),
	    -- SLA administration (0014).
	    ('recourse_review', 'admin_sla_config'),
	    ('recourse_review', 'admin_calendar_create'),
	    ('recourse_review', 'admin_sla_save'),
	    ('recourse_review', 'admin_policy_create'),
	    ('recourse_review', 'admin_queue_calendar'),
	    ('recourse_review', 'admin_rule_policy'),
	    ('recourse_review', 'admin_pause_reason_save'),
	    ('recourse_review', 'admin_sla_reapply_rows'),
	    ('recourse_review', 'admin_sla_reapply_store'),
	    -- Notifications (0012): the sender and /admin/outbox.
	    ('recourse_review', 'digest_enqueue'),
	    ('recourse_review', 'outbox_claim'),
	    ('recourse_review', 'outbox_done'),
	    ('recourse_review', 'admin_outbox_page'),
	    -- The clocks as people see them (0015).
	    ('recourse_review', 'case_clock_panel'),
	    ('recourse_review', 'case_clock_pause'),
	    ('recourse_review', 'case_clock_resume'),
	    ('recourse_review', 'case_clock_extend'),
	    ('recourse_review', 'worklist_clock'),
	    ('recourse_review', 'sla_dashboard'),
	    ('recourse_public', 'track_next'),
	    -- Erasure and retention (0021).
	    ('recourse_review', 'case_erase_confirm'),
	    ('recourse_review', 'case_legal_hold'),
	    ('recourse_review', 'case_lift_hold'),
	    ('recourse_review', 'retention_pass'),
	    ('recourse_review', 'staff_privacy_retention'),
	    -- Evidence files (0023).
	    ('recourse_review', 'case_evidence_read'),
	    -- Transparency reports (0025): the builder, the workflow, the
	    -- published files.
	    ('recourse_review', 'report_figures'),
	    ('recourse_review', 'report_fairness_rows'),
	    ('recourse_review', 'report_claim'),
	    ('recourse_review', 'report_store'),
	    ('recourse_review', 'report_fail'),
	    ('recourse_review', 'report_request'),
	    ('recourse_review', 'report_publish_request'),
	    ('recourse_review', 'report_publish_approve'),
	    ('recourse_review', 'report_discard'),
	    ('recourse_review', 'staff_reports'),
	    ('recourse_review', 'staff_report'),
	    ('recourse_review', 'staff_report_file'),
	    -- Consented narratives (0026).
	    ('recourse_review', 'case_narrative_keys'),
	    ('recourse_review', 'case_narrative_draft'),
	    ('recourse_review', 'case_narrative_approve'),
	    ('recourse_review', 'report_narratives'),
	    ('recourse_public', 'report_published'),
	    ('recourse_public', 'report_published_file')
	    ) AS v (who, fn) LOOP
		n := 0;
		FOR f IN SELECT p.oid::regprocedure::text FROM pg_proc p
		    WHERE p.pronamespace = 'public'::regnamespace
		      AND p.proname = g.fn LOOP
			EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER '
			    'SET search_path = pg_catalog, public, pg_temp', f);
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f,
			    g.who);
			n := n + 1;
		END LOOP;
		IF n = 0 THEN
			RAISE EXCEPTION 'grants.sql: no function named %', g.fn;
		END IF;
	END LOOP;
END $$;
