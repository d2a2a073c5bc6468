/*
 * Recourse: declarations of the modules that run inside Kore, grouped by
 * file.  Pure modules are declared in recourse.h.
 */

#ifndef RECOURSE_APP_H
#define RECOURSE_APP_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include <jansson.h>

#include "recourse.h"

/* recourse.c: configuration read once in the parent, shared by workers. */
struct app_config {
	char		*conninfo;
	int		 track_limit;	/* receipt lookups per client per hour */
	int		 maintenance_seconds;	/* between housekeeping runs */
	struct vault_keys keys;
	int		 review;	/* the back office, not the public side */
	unsigned char	 review_sk[32];	/* only when review */
	char		 dummy_hash[128];	/* crypto_pwhash_STRBYTES */
	int		 audit_seal_ms;	/* between audit sealer runs */
	char		 review_base_url[BASEURL_MAX + 1]; /* for links */
	/* Peers whose X-Real-IP is believed (RECOURSE_TRUSTED_PROXIES). */
	struct ipnet_list trusted_proxies;
	int		 metrics_cache_ms;	/* database gauges kept */
	int		 sla_tick_ms;	/* between SLA scheduler passes */
	int		 test_clock;	/* RECOURSE_TEST_CLOCK: tests only */
	int		 retention_ms;	/* between retention passes; 0: none */
};

extern struct app_config app;

/* assets.c: assets/ and docs/openapi.yaml, read into memory at start. */
int	 assets_load(const char *dir);
int	 rt_asset(struct http_request *);
int	 assets_load_openapi(const char *dir);
void	 assets_load_report_key(const char *keys);
int	 rt_transparency_key(struct http_request *);
int	 rt_openapi(struct http_request *);

/* background.c: statements run by timers, outside any request. */
struct bg_statement {
	const char		*name;	/* for the log when it fails */
	struct kore_pgsql	*sql;
	void			(*done)(struct bg_statement *,
				    struct kore_pgsql *);	/* NULL: failed */
	void			(*next)(struct bg_statement *);
	/* While it waits for a connection: the statement and its copies. */
	const char		*query;
	int			 nparams;
	char			**values;
	int			*lengths;
	int			*formats;
};

int	 bg_run(struct bg_statement *, const char *query, int n,
	    const char *const *values, const int *lengths, const int *formats);
int	 bg_busy(struct bg_statement *);

/* retention.c: erasing closed cases' personal data when their time is up. */
void	 retention_start(void);

/* Messages between the workers of one instance (kore_msg). */
#define MSG_SPREAD	(KORE_MSG_APP_BASE + 1)	/* workers.c */
#define MSG_TAXONOMY	(KORE_MSG_APP_BASE + 2)	/* db_case.c */

/* workers.c: connection timeouts and spread, descriptor limit, counts. */
void	 workers_init(void);
void	 workers_accepted(struct connection *);
void	 workers_start(void);
void	 workers_count_request(void);

/* metrics.c: request counters shared by the workers, for /metrics. */
void	 metrics_init(void);
void	 metrics_start(void);
void	 metrics_write_http(struct sbuf *);

/* rt_metrics.c: GET /metrics. */
int	 rt_metrics(struct http_request *);

/* maintenance.c: housekeeping on a timer in the first worker. */
void	 maintenance_start(void);

/* audit_sealer.c: chains new audit events, in the back office. */
void	 audit_sealer_start(void);

/* sla_scheduler.c: recomputes due clocks, in the back office. */
void	 sla_scheduler_start(void);

/* intake_clocks.c: a new case's clocks, in every public worker. */
void		 intake_clocks_start(void);
const char	*intake_clocks_now(void);

/* db.c: one asynchronous statement per call, with errors mapped. */
enum db_status {
	DB_PENDING,		/* not finished: return KORE_RESULT_RETRY */
	DB_OK,
	DB_UNAVAILABLE,		/* cannot reach PostgreSQL now: 503 */
	DB_FAILED,		/* a bug or a broken invariant: 500 */
};

struct db_query {
	struct kore_pgsql	 sql;
	PGresult		*res;
	int			 phase;
	int			 retries;
	int			 slot;		/* holds one of the worker's slots */
	int			 queued;	/* waits in line for a slot */
	int			 repeatable;	/* safe to run twice (see db.c) */
	struct http_request	*req;
	TAILQ_ENTRY(db_query)	 line;
};

void		 db_init(struct db_query *);
enum db_status	 db_run(struct db_query *, struct http_request *,
		    const char *sql, int nparams, const char *const *values,
		    const int *lengths, const int *formats);
void		 db_done(struct db_query *);
int		 db_conn_usable(struct kore_pgsql *);
void		 db_forget_dead_socket(struct kore_pgsql *);
const char	*db_value(const struct db_query *, int row, int col);
int		 db_isnull(const struct db_query *, int row, int col);
int		 db_rows(const struct db_query *);
unsigned char	*db_bytea(const struct db_query *, int row, int col,
		    size_t *len);

/* db_case.c: the statements of intake and tracking. */
struct taxon {
	char	*code;
	char	*label;
	char	*hint;
};

struct taxonomy {
	struct taxon	*category;
	size_t		 ncategory;
	struct taxon	*channel;
	size_t		 nchannel;
	struct taxon	*targeting;	/* targeting reasons */
	size_t		 ntargeting;
	struct taxon	*answer[IQ__MAX];	/* each question's options */
	size_t		 nanswer[IQ__MAX];
};

struct intake_result {
	enum { INTAKE_CREATED, INTAKE_REPLAY, INTAKE_CONFLICT,
	    INTAKE_BAD_CATEGORY, INTAKE_BAD_CHANNEL,
	    INTAKE_BAD_TARGETING } outcome;
	char		*reference;
	char		*state;
	unsigned char	*receipt_box;	/* NULL when expired */
	size_t		 receipt_box_len;
};

struct track_result {
	enum { TRACK_FOUND, TRACK_UNKNOWN, TRACK_LIMITED } outcome;
	char		*reference;
	char		*state;
	char		*received_at;
	char		*updated_at;
	json_t		*events;	/* [{"at": ..., "kind": ...}] */
	char		*next;		/* what happens next, or NULL */
};

struct intake_request {
	const struct intake	*in;
	unsigned char		 token_hash[VAULT_HASHBYTES];
	unsigned char		 body_hash[VAULT_HASHBYTES];
	unsigned char		 receipt_hash[VAULT_HASHBYTES];
	struct sbuf		 receipt_box;
	struct vault_sealed	 sealed;
	unsigned char		*copy_box;	/* what they sent, for them */
	size_t			 copy_box_len;
	char			*evidence_meta;	/* [{kind, size}] with files */
};

#define TAXONOMY_FRESH_MS	60000	/* a worker's copy is reused this long */

enum db_status	 db_taxonomy(struct db_query *, struct http_request *);
void		 db_taxonomy_read(const struct db_query *, struct taxonomy *);
void		 taxonomy_free(struct taxonomy *);
void		 taxonomy_cache_store(const struct db_query *);
const struct taxonomy *taxonomy_cached(u_int64_t max_age_ms);
void		 taxonomy_cache_clear(void);
void		 taxonomy_cache_stale(void);
void		 taxonomy_cache_init(void);
enum db_status	 db_intake(struct db_query *, struct http_request *,
		    const struct intake_request *);
void		 db_intake_read(const struct db_query *,
		    struct intake_result *);
void		 intake_result_free(struct intake_result *);
enum db_status	 db_track(struct db_query *, struct http_request *,
		    const unsigned char *client_hash,
		    const unsigned char *receipt_hash);
void		 db_track_read(const struct db_query *, struct track_result *);
void		 track_result_free(struct track_result *);
enum db_status	 db_ping(struct db_query *, struct http_request *);

/* evidence_set.c: the files sent at once, checked, stripped, hashed. */
struct evidence_set {
	struct evidence_file	 file[EVIDENCE_MAX_FILES];	/* as kept */
	unsigned char		 hash[EVIDENCE_MAX_FILES][32];	/* BLAKE2b */
	size_t			 n;
	size_t			 total;
	const char		*error;		/* the first problem, or NULL */
	char			 error_text[512];
};

void	 evidence_set_init(struct evidence_set *);
void	 evidence_set_free(struct evidence_set *);
int	 evidence_set_add(struct evidence_set *, const char *filename,
	    size_t filename_len, const unsigned char *, size_t);
void	 evidence_set_from_form(struct evidence_set *,
	    const struct formdata *);
void	 evidence_set_from_json(struct evidence_set *, json_t *doc);
json_t	*evidence_set_json(const struct evidence_set *, unsigned first);
char	*evidence_set_meta(const struct evidence_set *);

/* complaint.c: turning a validated complaint into a stored case. */
struct filing {
	struct intake		 in;
	struct evidence_set	 ev;	/* as kept: metadata stripped */
	struct intake_request	 rq;
	struct sbuf		 canonical;
	char			 token[256];	/* form token or API key */
	char			 receipt[VAULT_RECEIPT_TEXT + 1];
	struct db_query		 q;
	struct intake_result	 result;
	int			 prepared;
};

void	 filing_init(struct filing *);
void	 filing_prepare(struct filing *, const char *scope, const char *token);
int	 filing_receipt(struct filing *);
enum db_status	 filing_answers(struct filing *, struct db_query *,
	    struct http_request *, int *ok);
void	 filing_free(struct filing *);
void	 today_utc(char out[11]);

/* password.c: Argon2id on Kore's task threads. */
struct pwjob;

struct pwjob	*password_hash_start(struct http_request *, const char *,
		    size_t);
struct pwjob	*password_verify_start(struct http_request *, const char *,
		    size_t, const char *stored);
int		 password_done(const struct pwjob *);
int		 password_ok(const struct pwjob *);
const char	*password_result_hash(const struct pwjob *);
void		 password_release(struct pwjob *);

/* staff.c: who a back-office request comes from. */
#define STAFF_REVIEWER		1u
#define STAFF_SUPERVISOR	2u
#define STAFF_ADMIN		4u
#define STAFF_NAME_MAX		100

struct staff {
	int64_t		 id;
	char		 login[STAFF_LOGIN_MAX + 1];
	char		 name[STAFF_NAME_MAX * 4 + 1];
	unsigned	 roles;
	int		 api;		/* by bearer token, not cookie */
	char		 token[STAFF_TOKEN_TEXT + 1];	/* session token */
};

enum staff_auth {
	STAFF_PENDING,
	STAFF_OK,
	STAFF_NONE,		/* not logged in */
	STAFF_UNAVAILABLE,	/* the database cannot be reached: 503 */
	STAFF_FAILED,		/* 500 */
};

struct staff_auth_ctx {
	struct db_query		 q;
	struct staff		 who;
	unsigned char		 hash[VAULT_HASHBYTES];
	int			 started;
	int			 done;
	enum staff_auth		 result;
};

const char	*staff_cookie(struct http_request *);
void		 staff_cookie_set(struct http_request *, const char *token);
void		 staff_cookie_clear(struct http_request *);
enum staff_auth	 staff_authenticate(struct staff_auth_ctx *,
		    struct http_request *, int api);
void		 staff_auth_free(struct staff_auth_ctx *);
int		 staff_gate(struct staff_auth_ctx *, struct http_request *,
		    int api, int *ret);
int		 staff_form(struct http_request *, const struct staff *,
		    struct formdata *);
int		 staff_has(const struct staff *, unsigned role);
int		 staff_csrf_valid(const struct staff *, const char *typed);
void		 staff_csrf_of(const struct staff *, char out[STAFF_TOKEN_TEXT + 1]);

/* case_action.c: a reviewer's action on a case, checked and run. */
enum case_verb {
	CV_TAKE, CV_ASSIGN, CV_RELEASE, CV_TRIAGE, CV_INVESTIGATE, CV_NOTE,
	CV_MESSAGE, CV_REQUEST_INFO, CV_LINK_DUPLICATE, CV_REJECT, CV_DECIDE,
	CV_SIGN, CV_CLOSE, CV_SEND_BACK, CV_ERASE, CV_HOLD, CV_LIFT_HOLD,
	CV_NARRATIVE, CV_APPROVE_NARRATIVE,
};

/* The fields an action may take, in the order a form shows them. */
enum case_field {
	CF_TO, CF_CATEGORY, CF_PRIORITY, CF_QUEUE, CF_OUTCOME, CF_REMEDIES,
	CF_AUTOMATED, CF_ORIGINAL, CF_TEXT, CF_DRAFT, CF_CHECKED, CF__MAX,
};

struct case_action {
	enum case_verb	 verb;
	char		*text;		/* note, message, reason(s) */
	char		*category;
	char		*queue;
	int		 priority;	/* 1-4; -1 invalid; 0 unset */
	char		*original;	/* reference of the original case */
	char		*outcome;
	unsigned	 remedies;	/* bit i: case_remedies[i] */
	int		 bad_remedy;
	int		 automated;	/* 1, 0; -1 unset; -2 invalid */
	char		*to;		/* account id to assign to */
	int		 draft;		/* the narrative draft approved; 0 unset */
	int		 checked;	/* 1: every scrubber flag was read */
	char		*flags;		/* the scrubber's flags, JSON */
	int		 flags_more;	/* more flags than it keeps */
	const char	*error[CF__MAX];	/* a message per faulty field */
	int		 nerrors;
	int		 keys_done;	/* the encryption step is behind */
	int		 sealed;
	int		 erased;	/* the case has no keys any more */
	unsigned char	*box;		/* text under the case data key */
	size_t		 box_len;
	unsigned char	*cbox;		/* text sealed to the complainant */
	size_t		 cbox_len;
	struct sbuf	 remedies_text;
};

extern const char *const case_field_names[];
extern const char *const case_outcomes[];
extern const char *const case_remedies[];

int		 case_verb_parse(const char *, enum case_verb *);
int		 case_outcome_field(const char *);
/* case_narrative.c: a narrative draft flagged and sealed. */
enum db_status	 case_narrative_keys(struct db_query *, struct http_request *,
		    const struct staff *, const char *reference);
int		 case_narrative_seal(struct case_action *,
		    const struct db_query *);
const char	*case_verb_name(enum case_verb);
void		 case_action_init(struct case_action *, enum case_verb);
void		 case_action_free(struct case_action *);
int		 case_action_set(struct case_action *, const char *name,
		    const char *value);
int		 case_action_validate(struct case_action *);
enum db_status	 case_action_perform(struct case_action *, struct db_query *,
		    struct http_request *, const struct staff *,
		    const char *reference);
int		 case_path_split(const char *path, const char *prefix,
		    char *ref, size_t, const char **rest);
int		 case_outcome_status(const char *outcome, const char **message);

/* clock_action.c: pausing, resuming and extending a case's clocks. */
enum clock_verb { CK_PAUSE, CK_RESUME, CK_EXTEND };
enum clock_field { KF_REASON, KF_TEXT, KF__MAX };

struct clock_action {
	enum clock_verb	 verb;
	char		*reason;	/* pause reason code */
	char		*text;		/* the pause's note, the extension's
					   reason */
	const char	*error[KF__MAX];
	int		 nerrors;
	int		 keys_done;
	unsigned char	*box;		/* text under the case data key */
	size_t		 box_len;
};

extern const char *const clock_field_names[];

int		 clock_verb_parse(const char *, enum clock_verb *);
const char	*clock_verb_name(enum clock_verb);
void		 clock_action_init(struct clock_action *, enum clock_verb);
void		 clock_action_free(struct clock_action *);
int		 clock_action_set(struct clock_action *, const char *name,
		    const char *value);
int		 clock_action_validate(struct clock_action *);
enum db_status	 clock_action_perform(struct clock_action *,
		    struct db_query *, struct http_request *,
		    const struct staff *, const char *reference);
int		 clock_outcome_status(struct clock_action *,
		    const char *outcome, const char **message);
enum db_status	 clock_panel_query(struct db_query *, struct http_request *,
		    const struct staff *, const char *reference);

/* clock_words.c: the clocks in words for the back office's pages. */
struct sla_calendar;
const struct sla_calendar *clock_calendar(int64_t version,
		    const char *definition);
int		 clock_unit_business(const char *unit);
void		 worklist_words(const struct db_query *, json_t *rows);
char		*track_next_words(const char *track_next);

/* worklist.c: the reviewer's work list, filtered and paged. */
#define WORKLIST_PAGE	50
#define WORKLIST_FILTERS	8

struct worklist_filter {
	char		 state[24];
	char		 category[65];
	char		 priority[2];
	char		 assignee[20];	/* me, none or an account id */
	char		 brand[201 * 4];
	char		 queue[41];
	char		 after_rank[2];	/* keyset: the last row seen */
	char		 after_due[28];	/* its instant, or "infinity" */
	char		 after_prio[2];
	char		 after_id[20];
	const char	*error_field;	/* the first filter not valid */
	const char	*bad[WORKLIST_FILTERS];	/* every one */
	int		 nbad;
};

int		 worklist_filter_parse(struct worklist_filter *, const char *);
enum db_status	 worklist_query(struct db_query *, struct http_request *,
		    const struct staff *, const struct worklist_filter *);
json_t		*worklist_rows(const struct db_query *, char *next, size_t);

/* case_file.c: the case as the back office reads it. */
enum db_status	 case_file_query(struct db_query *, struct http_request *,
		    const struct staff *, const char *reference);
int		 case_file_build(const struct db_query *, json_t **);

/* refusal.c: refused attempts by staff, written to the audit log. */
void	 refusal_case_read(const struct staff *, const char *reference);
void	 refusal_case_action(const struct staff *, enum case_verb,
	    const char *reference, const char *outcome);
void	 refusal_case_verb(const struct staff *, const char *verb,
	    const char *reference, const char *outcome);
void	 refusal_csrf(const struct staff *, const char *path);
void	 refusal_role(const struct staff *, const char *path,
	    const char *needs);

/* rt_util.c: responses, security headers, errors, request plumbing. */
/*
 * The largest form or JSON body we read: 10 000 characters escaped as
 * \uXXXX surrogate pairs (12 bytes each) and the other fields fit.
 */
#define RT_BODY_MAX	(192 * 1024)
/* A complaint with files: 10 MiB of them, base64 in JSON (under Kore's
 * http_body_max of 16 MiB, so that our own 413 answers first). */
#define RT_UPLOAD_BODY_MAX	(15 * 1024 * 1024)

void	*rt_ctx(struct http_request *, size_t, void (*)(void *));
void	 rt_security_headers(struct http_request *);
void	 rt_security_headers_csp(struct http_request *, const char *);
void	 rt_send_html(struct http_request *, int, struct sbuf *);
void	 rt_send_json(struct http_request *, int, json_t *);
void	 rt_redirect(struct http_request *, const char *path);
void	 rt_error(struct http_request *, int, const char *title,
	    const char *message);
void	 rt_unavailable(struct http_request *);
int	 rt_db_ready(struct http_request *, enum db_status, int *);
int	 rt_method(struct http_request *, int allowed);
void	 rt_send_download(struct http_request *, const char *type,
	    const char *filename, const void *, size_t);
int	 rt_body(struct http_request *, struct sbuf *);
int	 rt_body_max(struct http_request *, struct sbuf *, size_t);
int	 rt_form(struct http_request *, struct formdata *);
int	 rt_form_max(struct http_request *, struct formdata *, size_t);
int	 rt_is_api(struct http_request *);
int	 rt_csrf_issue(struct http_request *, char *token, size_t);
enum rt_csrf {
	RT_CSRF_OK,
	RT_CSRF_EXPIRED,	/* the page was open too long */
	RT_CSRF_FORGED,		/* no token of ours */
	RT_CSRF_CROSS_SITE,	/* posted from another site's page */
};
enum rt_csrf	 rt_csrf_check(struct http_request *, const char *token);
int	 rt_csrf_valid(struct http_request *, const char *token);
void	 rt_form_done(struct http_request *, struct formdata *);
int	 rt_not_found(struct http_request *);
int	 rt_healthz(struct http_request *);
int	 rt_readyz(struct http_request *);

/* client_addr.c: the client's address, for throttle pseudonyms only. */
const char *rt_client_address(struct http_request *);

/* rt_public.c: the complainant's pages. */
int	 rt_home(struct http_request *);
int	 rt_privacy(struct http_request *);
int	 rt_complaint_form(struct http_request *);
int	 rt_complaint_post(struct http_request *);

/* rt_track.c: following a case with the receipt code. */
int	 rt_track(struct http_request *);
int	 rt_track_reply(struct http_request *);
int	 rt_track_appeal(struct http_request *);
int	 rt_track_withdraw(struct http_request *);
int	 rt_track_erase(struct http_request *);
int	 rt_track_keys(struct http_request *, const char *norm,
	    unsigned char *client, unsigned char *receipt);

/* rt_login.c: staff login and logout. */
int	 rt_login(struct http_request *);
int	 rt_logout(struct http_request *);

/* rt_setup.c: the one-time account set-up link. */
int	 rt_setup(struct http_request *);

/* rt_account.c: a member of staff's own account and password. */
int	 rt_account(struct http_request *);
int	 rt_account_password(struct http_request *);
int	 rt_account_tokens(struct http_request *);

/* rt_admin.c: everything under /admin. */
int	 rt_admin(struct http_request *);

/* rt_review.c: the work list, the case page and its actions. */
int	 rt_review_home(struct http_request *);
int	 rt_review_case(struct http_request *);

/* rt_transparency.c: the published reports, their files, the API list. */
int	 rt_transparency(struct http_request *);
int	 rt_transparency_report(struct http_request *);
int	 rt_api_reports(struct http_request *);

/* view_report.c: the transparency pages. */
void	 view_report(struct sbuf *, const json_t *doc, const json_t *info,
	    const char *base, const json_t *versions);
void	 view_transparency(struct sbuf *, const json_t *reports);

/* rt_reports.c, view_reports.c: the reports in the back office. */
struct reports_view {
	const struct staff	*who;
	const char		*csrf;
	const char		*outcome;	/* the last step's answer */
	const char		*quarter;	/* the request form's, kept */
	const char		*note;
	json_t			*reports;	/* the list */
	json_t			*report;	/* one report's row */
	json_t			*document;	/* its report.json, or NULL */
};

int	 rt_review_reports(struct http_request *);
void	 view_staff_reports(struct sbuf *, const struct reports_view *);
void	 view_staff_report(struct sbuf *, const struct reports_view *);

/* rt_evidence.c: a complainant's file, downloaded by staff. */
int	 rt_review_evidence(struct http_request *);

/* rt_staff_api.c: the staff JSON API (bearer tokens). */
int	 rt_api_cases(struct http_request *);
int	 rt_api_case(struct http_request *);

/* rt_api.c: the JSON API. */
int	 rt_api_complaints(struct http_request *);
int	 rt_api_taxonomy(struct http_request *);
json_t	*rt_api_read_json(struct http_request *);
json_t	*rt_api_read_json_max(struct http_request *, size_t);
void	 rt_api_error(struct http_request *, int status, const char *code,
	    const char *message);
void	 rt_api_field_error(struct http_request *, const char *field,
	    const char *message);

/* rt_api_track.c: the complainant's tracking in JSON. */
int	 rt_api_track(struct http_request *);
int	 rt_api_track_reply(struct http_request *);
int	 rt_api_track_appeal(struct http_request *);
int	 rt_api_track_withdraw(struct http_request *);
int	 rt_api_track_erase(struct http_request *);

/* apijson.c: the API's JSON in and out, through jansson. */
int	 apijson_intake(json_t *, struct intake *, const char **bad_field);
json_t	*apijson_field_errors(const struct intake *);
json_t	*apijson_error(const char *code, const char *message);
const char *json_text(const json_t *, const char *key);

/* page.c: the frame every public page shares. */
void	 page_begin(struct sbuf *, const char *title);
void	 page_end(struct sbuf *);
void	 page_staff_begin(struct sbuf *, const char *title,
	    const struct staff *, const char *csrf);
void	 page_field_intro(struct sbuf *, const char *id, const char *label,
	    const char *hint, const char *error, int optional);
void	 page_field_aria(struct sbuf *, const char *id, const char *error);
void	 page_field_aria_name(struct sbuf *, const char *id,
	    const char *name, const char *error);
void	 page_field_error(struct sbuf *, const char *id, const char *error);
void	 page_hidden(struct sbuf *, const char *name, const char *value);
void	 page_error_summary(struct sbuf *, const char *const *ids,
	    const char *const *messages, size_t);

/* view_public.c: the complainant's pages rendered from plain structs. */
struct form_view {
	const struct taxonomy	*tax;
	const struct intake	*in;		/* NULL for an empty form */
	const char		*csrf;
	const char		*token;
	int			 errors;
	const char		*notice;	/* why it came back unsaved */
	size_t			 files_lost;	/* files sent, not refilled */
};

void	 view_home(struct sbuf *);
void	 view_privacy(struct sbuf *, const json_t *retention);
void	 view_form(struct sbuf *, const struct form_view *);
void	 view_evidence_list(struct sbuf *, const json_t *files,
	    const char *heading);
void	 view_receipt(struct sbuf *, const char *reference,
	    const char *receipt, const struct intake *, const json_t *files);
void	 view_receipt_gone(struct sbuf *, const char *reference, int conflict);
void	 view_track_form(struct sbuf *, const char *csrf, const char *typed,
	    const char *error);
/* track_detail.c: a case as its complainant may read it. */
struct track_detail {
	char		 public_state[24];
	int		 can_reply;
	int		 can_appeal;
	char		 appeal_until[40];
	json_t		*messages;	/* [{kind, at, text, files}] */
	json_t		*decisions;	/* [{outcome, remedies, ..., text}] */
	json_t		*appeals;	/* [{at, text}] */
	json_t		*sent;		/* the clear fields, consents as now */
	json_t		*copy;		/* {description, contact, why_shown}
					   or NULL */
	unsigned char	 complainant_pk[32];	/* to seal their copies */
	unsigned char	 salt[VAULT_SALTBYTES];	/* binds files to the case */
	unsigned	 evidence_next;		/* the next file's number */
};

enum db_status	 track_detail_query(struct db_query *, struct http_request *,
		    const unsigned char *receipt_hash);
int		 track_detail_read(const struct db_query *, const char *norm,
		    struct track_detail *);
void		 track_detail_free(struct track_detail *);

/* track_act.c: a complainant's reply, appeal or withdrawn consent. */
enum track_verb { TRACK_LOOK, TRACK_REPLY, TRACK_APPEAL, TRACK_WITHDRAW,
	TRACK_ERASE };
enum track_act_outcome { TRACK_ACT_OK, TRACK_ACT_STATE, TRACK_ACT_TOO_LATE,
	TRACK_ACT_NOT_GIVEN, TRACK_ACT_ALREADY, TRACK_ACT_GONE, TRACK_ACT_BUSY,
	TRACK_ACT_FULL };
#define TRACK_ACT_RETRIES	3	/* tries when a file number was taken */

struct track_act {
	enum track_verb	 verb;
	char		*text;		/* the reply or grounds, once valid */
	const char	*consent;	/* a static name, once valid */
	int		 confirmed;	/* an erasure request was confirmed */
	unsigned char	*box;		/* sealed to the review key */
	size_t		 box_len;
	unsigned char	*cbox;		/* sealed to the complainant */
	size_t		 cbox_len;
	struct evidence_set ev;		/* files with a reply */
	unsigned	 ev_first;	/* the number the files are sealed as */
	struct sbuf	 ev_param[3];	/* bytea[]: files, keys, fingerprints */
	char		*ev_meta;	/* [{kind, size}] */
	int		 tries;		/* sends of a reply with files */
};

void		 track_act_init(struct track_act *, enum track_verb);
void		 track_act_free(struct track_act *);
const char	*track_act_text(struct track_act *, const char *, size_t);
const char	*track_act_consent(struct track_act *, const char *);
const char	*track_act_confirm(struct track_act *, int);
int		 track_act_ready(const struct track_act *);
enum db_status	 track_act_query(struct track_act *, struct db_query *,
		    struct http_request *, const unsigned char *receipt,
		    const struct track_detail *);
enum track_act_outcome track_act_outcome(const struct db_query *);
int		 track_act_retry(struct track_act *, enum track_act_outcome);
const char	*track_act_refusal(enum track_act_outcome);
const char	*track_act_done(const struct track_act *);

struct track_view {
	const struct track_result *r;
	const char	*csrf;
	const char	*code;		/* grouped, for the page's forms */
	struct track_detail d;
	const char	*notice;	/* what just happened */
	const char	*error_verb;	/* the form with a problem, or NULL */
	const char	*error;		/* its text's or choice's, or NULL */
	const char	*file_error;	/* a reply's files', or NULL */
	size_t		 files_lost;	/* good files not sent, to attach again */
	const char	*typed_text;
};

void	 view_track_result(struct sbuf *, const struct track_view *);
void	 view_message(struct sbuf *, const char *title, const char *message);
void	 view_unavailable(struct sbuf *, int filing);
const char *view_state_label(const char *state);

/* view_staff.c: login, account set-up and password pages. */
struct setup_view {
	const char	*csrf;
	const char	*token;
	const char	*login;
	const char	*secret;	/* base32 */
	const char	*uri;		/* otpauth:// */
	const char	*qr;		/* the uri as SVG, or NULL */
	const char	*error_password;
	const char	*error_confirm;
	const char	*error_code;
};

void	 view_login(struct sbuf *, const char *csrf, const char *typed,
	    const char *error);
void	 view_setup(struct sbuf *, const struct setup_view *);
void	 view_setup_done(struct sbuf *, const char *login);
void	 view_setup_gone(struct sbuf *);

struct account_view {
	const struct staff	*who;
	const char		*csrf;
	const char		*error_current;
	const char		*error_password;
	const char		*error_confirm;
	json_t			*tokens;	/* [{id, label, ...}] */
	const char		*new_token;	/* shown once */
	const char		*new_token_expires;
	const char		*error_token;	/* revoking */
	const char		*typed_label;	/* given back */
	int			 typed_days;
	const char		*error_label;
	const char		*error_days;
	const char		*error_token_password;
	const char		*error_token_code;
};

void	 view_account(struct sbuf *, const struct account_view *);

/* view_admin.c: the administration pages. */
struct admin_view {
	const struct staff		*who;
	const char			*csrf;
	const char			*page;		/* /admin/... */
	json_t				*config;	/* admin_config() */
	json_t				*events;	/* admin_audit_page() */
	const struct audit_verifier	*verifier;
	char				 head[VAULT_HASHBYTES * 2 + 1];
	long long			 pending;
	long long			 outside;	/* neither sealed nor pending */
	const char			*link_token;	/* shown once */
	long long			 account_id;	/* /admin/account */
	/* A refused change, shown again in the form it came from. */
	const char			*posted;	/* its action */
	json_t				*typed;		/* field -> as sent */
	json_t				*errors;	/* field -> message */
	const char			*error;		/* about no field */
};

void	 view_admin(struct sbuf *, const struct admin_view *);
void	 view_admin_subnav(struct sbuf *);

/* view_refusals.c: refused attempts per account, for supervisors. */
struct refusals_view {
	const struct staff	*who;
	const char		*csrf;
	json_t			*report;	/* refusal_report() */
	int			 account_asked;
};

void	 view_refusals(struct sbuf *, const struct refusals_view *);

/* rt_refusals.c: GET /review/refusals. */
int	 rt_refusals(struct http_request *);

/* rt_dashboard.c and view_dashboard.c: the supervisor's SLA dashboard. */
int	 rt_dashboard(struct http_request *);
void	 view_dashboard(struct sbuf *, const struct staff *, const char *csrf,
	    json_t *dashboard);

/* view_review.c: the work list and the case page. */
struct worklist_view {
	const struct staff		*who;
	const char			*csrf;
	const struct worklist_filter	*filter;
	json_t				*rows;
	json_t				*options;	/* queues, categories */
	const char			*next;		/* page key or "" */
};

struct case_view {
	const struct staff	*who;
	const char		*csrf;
	json_t			*c;		/* case_file_build() */
	json_t			*options;	/* case_page_options() */
	/* The action just posted, given back with its field errors. */
	const struct case_action *typed;
	const char		*error;		/* why it was refused */
	json_t			*clocks;	/* case_clock_panel() */
	const struct clock_action *clock_typed;	/* a clock action posted */
};

void	 view_worklist(struct sbuf *, const struct worklist_view *);

/* view_clocks.c: the clocks on the case page and in the work list. */
void	 view_clock_panel(struct sbuf *, const struct case_view *);
void	 view_clock_errors(struct sbuf *, const struct case_view *);
int	 view_clock_failed(const struct case_view *);
void	 view_clock_risk(struct sbuf *, const char *state);
void	 view_case(struct sbuf *, const struct case_view *);
void	 view_when(struct sbuf *, const char *utc_text);
const char *view_case_error(const struct case_view *, const char *verb,
	    enum case_field);
/* view_narrative.c: the case page's narrative for the report. */
void	 view_narrative(struct sbuf *, const struct case_view *);
void	 view_case_form_open(struct sbuf *, const struct case_view *,
	    const char *verb, const char *title);
const char *view_event_label(const char *kind);
const char *view_clock_label(const char *clock);	/* "Acknowledge" */

/* rt_admin_sla.c, view_admin_sla.c: SLA calendars, policies, pauses. */
struct admin_sla_view {
	const struct staff	*who;
	const char		*csrf;
	const char		*section;	/* calendars, policies, ... */
	const char		*code;		/* one calendar's or policy's */
	json_t			*config;	/* admin_sla_config() */
	const char		*notice;	/* what just happened */
	/* A refused change (or an import to save), in its form again. */
	const char		*posted;	/* its action */
	json_t			*typed;
	json_t			*errors;
	const char		*error;		/* about no field */
};

int	 rt_admin_sla(struct http_request *);
void	 view_admin_sla(struct sbuf *, const struct admin_sla_view *);
/* view_outbox.c: /admin/outbox, the notifications and their state. */
struct outbox_view {
	const struct staff	*who;
	const char		*csrf;
	json_t			*rows;		/* admin_outbox_page() */
	long long		 next_before;	/* 0: no older page */
};

void	 view_outbox(struct sbuf *, const struct outbox_view *);

/* rt_outbox.c: GET /admin/outbox[?before=ID]. */
int	 rt_outbox(struct http_request *);

#endif
