/*
 * Recourse: declarations of the pure modules (no Kore, no libpq), grouped by
 * file, so that unit tests link them with nothing but libc and libsodium.
 */

#ifndef RECOURSE_H
#define RECOURSE_H

#include <stddef.h>
#include <stdint.h>

/* sbuf.c: a growable byte buffer that aborts on allocation failure. */
struct sbuf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 sbuf_init(struct sbuf *);
void	 sbuf_free(struct sbuf *);
void	 sbuf_reset(struct sbuf *);
void	 sbuf_add(struct sbuf *, const void *, size_t);
void	 sbuf_adds(struct sbuf *, const char *);
void	 sbuf_addc(struct sbuf *, char);
void	 sbuf_printf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const char *sbuf_cstr(struct sbuf *);

/*
 * keyfile.c: the key 'name' of 'len' bytes from folder 'dir' into 'out';
 * 0, or -1 with a sentence in 'why'.
 */
int	 keyfile_read(const char *dir, const char *name, unsigned char *out,
	    size_t len, char *why, size_t whylen);

/* utf8.c: UTF-8 validation and counting. */
int	 utf8_valid(const char *, size_t);
size_t	 utf8_count(const char *, size_t);
size_t	 utf8_next(const char *, size_t, size_t, uint32_t *);

/* html.c: an HTML writer that escapes by construction. */
void	 html_raw(struct sbuf *, const char *);
void	 html_text(struct sbuf *, const char *, size_t);
void	 html_texts(struct sbuf *, const char *);
void	 html_attr(struct sbuf *, const char *, size_t);
void	 html_attrs(struct sbuf *, const char *);
void	 html_url(struct sbuf *, const char *);
int	 html_url_safe(const char *);
void	 html_query_escape(struct sbuf *, const char *);
void	 html_size(struct sbuf *, long long bytes);

/* formdata.c: multipart/form-data and urlencoded body parsing. */
#define FORMDATA_MAX_FIELDS	64

struct formfield {
	char	*name;
	char	*value;		/* NUL-terminated copy */
	size_t	 len;		/* bytes before the terminator */
};

struct formdata_log;

#define FORMDATA_MAX_UPLOADS	8	/* file parts kept; more are counted */
#define FORMDATA_FILENAME_MAX	255

/* A file part: its field name, the file name as sent, its bytes. */
struct formupload {
	char	*name;
	char	*value;
	size_t	 len;
	char	*filename;	/* NULL when it was longer than the maximum */
	size_t	 filename_len;
};

struct formdata {
	struct formfield	field[FORMDATA_MAX_FIELDS];
	size_t			count;
	/* File parts, apart: only formdata_upload*() return them. */
	struct formupload	upload[FORMDATA_MAX_UPLOADS];
	size_t			nupload;
	size_t			uploads_dropped;	/* beyond the maximum */
	struct formdata_log	*log;	/* names read; see formdata_log_reads */
};

/*
 * When set (by the test configuration only), every parsed form records the
 * names its reader asked for, so that a test can compare them with the
 * fields the page's form has.
 */
extern int	 formdata_log_reads;

enum formdata_result {
	FORMDATA_OK,
	FORMDATA_BAD_TYPE,	/* content type we do not accept */
	FORMDATA_MALFORMED,
	FORMDATA_TOO_MANY,
};

enum formdata_result formdata_parse(struct formdata *, const char *ctype,
	    const char *body, size_t len);
const struct formfield *formdata_get(const struct formdata *, const char *);
const struct formfield *formdata_next(const struct formdata *, const char *,
	    const struct formfield *);
const struct formupload *formdata_upload(const struct formdata *,
	    const char *);
const struct formupload *formdata_upload_next(const struct formdata *,
	    const char *, const struct formupload *);
void	 formdata_free(struct formdata *);
void	 formdata_mark(const struct formdata *, const char *name);
void	 formdata_reads(const struct formdata *, struct sbuf *);

/* pgbinary.c: a bytea[] parameter in PostgreSQL's binary format. */
void	 pg_bytea_array(struct sbuf *, unsigned char *const *,
	    const size_t *, size_t);

/* evidence.c: an uploaded file's type, checks and metadata stripped. */
#define EVIDENCE_MAX_FILES	5
#define EVIDENCE_MAX_TOTAL	(10 * 1024 * 1024)	/* all files together */
#define EVIDENCE_MAX_SIDE	20000
#define EVIDENCE_MAX_PIXELS	50000000

enum evidence_kind { EV_NONE, EV_PNG, EV_JPEG, EV_WEBP, EV_PDF, EV_TEXT };
enum evidence_error { EVE_OK, EVE_EMPTY, EVE_TYPE, EVE_TRUNCATED,
	EVE_POLYGLOT, EVE_DIMENSIONS, EVE_TOO_LARGE };

struct evidence_file {
	enum evidence_kind	 kind;
	unsigned char		*data;		/* as kept: metadata stripped */
	size_t			 len;
	unsigned		 width, height;	/* pictures only */
};

enum evidence_error evidence_check(const unsigned char *, size_t,
	    struct evidence_file *);
void		 evidence_file_free(struct evidence_file *);
int		 evidence_name_ok(const char *, size_t);
const char	*evidence_error_message(enum evidence_error);
const char	*evidence_kind_name(enum evidence_kind);
const char	*evidence_kind_mime(enum evidence_kind);
const char	*evidence_kind_label(enum evidence_kind);
const char	*evidence_kind_ext(enum evidence_kind);
enum evidence_kind evidence_kind_parse(const char *);

/* intake.c: the complaint form's fields and their rules. */
enum intake_field {
	IF_CATEGORY,
	IF_CHANNEL,
	IF_OCCURRED_ON,
	IF_BRAND,
	IF_DESCRIPTION,
	IF_VULNERABLE,
	IF_CONTACT_NAME,
	IF_CONTACT_EMAIL,
	IF_CONSENT_CONTACT,
	IF_CONSENT_PUBLISH,
	IF_CONSENT_DEMOGRAPHICS,
	IF_TARGETING_REASONS,	/* several values: intake_set() adds one */
	IF_AI_DISCLOSED,
	IF_WHY_SHOWN,
	IF_AGE_BAND,		/* the demographic questions (enum */
	IF_GENDER,		/* intake_question), kept only with */
	IF_GENDER_DESCRIPTION,	/* consent_demographics */
	IF_DISABILITY,
	IF_ORIGIN,
	IF_EVIDENCE,		/* files: only their error lives here */
	IF__MAX
};

/*
 * The optional demographic questions; each field's name is also the
 * question's name in demographic_options, which holds the answers offered.
 */
enum intake_question {
	IQ_AGE_BAND,
	IQ_GENDER,
	IQ_DISABILITY,
	IQ_ORIGIN,
	IQ__MAX
};
extern const enum intake_field intake_question_field[IQ__MAX];

extern const char *const intake_field_name[IF__MAX];

/* The answers to "did the message say AI was used?" (fixed by the schema). */
struct intake_choice {
	const char	*code;
	const char	*label;
};
#define INTAKE_AI_ANSWERS	3
extern const struct intake_choice intake_ai_answer[INTAKE_AI_ANSWERS];
const char *intake_ai_label(const char *code);

#define INTAKE_DESCRIPTION_MIN	20
#define INTAKE_DESCRIPTION_MAX	10000
#define INTAKE_BRAND_MAX	200
#define INTAKE_NAME_MAX		200
#define INTAKE_EMAIL_MAX	254
#define INTAKE_CODE_MAX		64
#define INTAKE_TARGETING_MAX	20	/* reasons a complaint may give */
#define INTAKE_WHY_SHOWN_MAX	5000
#define INTAKE_GENDER_DESCRIPTION_MAX	100

struct intake {
	char		*category;
	char		*channel;
	char		*occurred_on;	/* YYYY-MM-DD or NULL */
	char		*brand;
	char		*description;
	char		*contact_name;
	char		*contact_email;
	int		 vulnerable;
	int		 consent_contact;
	int		 consent_publish;
	int		 consent_demographics;
	/* Targeting reason codes, sorted and without repeats. */
	char		*targeting[INTAKE_TARGETING_MAX];
	size_t		 ntargeting;
	char		*ai_disclosed;	/* yes, no, not_sure or NULL */
	char		*why_shown;	/* the platform's explanation, or NULL */
	char		*answer[IQ__MAX];	/* option codes, or NULL */
	char		*gender_description;	/* with answer IQ_GENDER */
	const char	*error[IF__MAX];	/* NULL when the field is fine */
};

void	 intake_init(struct intake *);
void	 intake_free(struct intake *);
void	 intake_set(struct intake *, enum intake_field, const char *, size_t);
int	 intake_validate(struct intake *, const char *today);
void	 intake_canonical(const struct intake *, struct sbuf *);
int	 intake_date_valid(const char *);
int	 intake_email_valid(const char *);
int	 intake_code_valid(const char *);
int	 intake_has_answers(const struct intake *);

/* vault.c: receipt codes, keyed hashes, sealed personal data. */
#define VAULT_KEYBYTES		32
#define VAULT_HASHBYTES		32
#define VAULT_RECEIPT_CHARS	24	/* 24 x 5 bits = 120 bits */
#define VAULT_RECEIPT_TEXT	(VAULT_RECEIPT_CHARS + VAULT_RECEIPT_CHARS / 4)
#define VAULT_SALTBYTES		16
#define VAULT_TOKEN_TEXT	32	/* 128-bit tokens, 32 hex digits */
/* Labels that bind each ciphertext to its field (AEAD additional data). */
#define VAULT_AD_DESCRIPTION	"recourse:case:description:v1"
#define VAULT_AD_CONTACT	"recourse:case:contact:v1"
#define VAULT_AD_WHY_SHOWN	"recourse:case:why-shown:v1"
#define VAULT_AD_DEMOGRAPHICS	"recourse:case:demographics:v1"
#define VAULT_AD_COPY		"recourse:case:complainant-copy:v1"
#define VAULT_AD_EVIDENCE	"recourse:case:evidence:v1"
#define VAULT_MAX_FILES		5
#define VAULT_FORM_TOKEN_TEXT	64	/* time, nonce and MAC, in hex */

struct vault_keys {
	unsigned char	receipt[VAULT_KEYBYTES];   /* keys receipt-code hashes */
	unsigned char	request[VAULT_KEYBYTES];   /* keys idempotency hashes */
	unsigned char	csrf[VAULT_KEYBYTES];      /* keys CSRF tokens */
	unsigned char	client[VAULT_KEYBYTES];    /* keys throttle client ids */
	unsigned char	totp[VAULT_KEYBYTES];      /* encrypts TOTP secrets */
	unsigned char	audit[VAULT_KEYBYTES];     /* keys the audit chain */
	unsigned char	login[VAULT_KEYBYTES];     /* keys login-name hashes */
	unsigned char	session[VAULT_KEYBYTES];   /* keys staff CSRF tokens */
	unsigned char	review_pk[32];             /* public half of review key */
};

struct vault_sealed {
	unsigned char	*data_key_sealed;	/* crypto_box_seal of data key */
	size_t		 data_key_sealed_len;
	unsigned char	*description;		/* nonce || AEAD ciphertext */
	size_t		 description_len;
	unsigned char	*contact;		/* NULL when none given */
	size_t		 contact_len;
	unsigned char	*why_shown;		/* NULL when none given */
	size_t		 why_shown_len;
	unsigned char	*demographics;		/* NULL when none given */
	size_t		 demographics_len;
	unsigned char	 complainant_pk[32];
	unsigned char	 complainant_salt[VAULT_SALTBYTES];
	/* Evidence file i is number i + 1, under the data key. */
	unsigned char	*files[VAULT_MAX_FILES];
	size_t		 files_len[VAULT_MAX_FILES];
	size_t		 nfiles;
};

/* A file's bytes, for vault_seal_case(). */
struct vault_file {
	const unsigned char	*data;
	size_t			 len;
};

int	 vault_init(void);
int	 vault_keys_derive(struct vault_keys *, const unsigned char *master,
	    const unsigned char *review_pk);
void	 vault_receipt_new(char out[VAULT_RECEIPT_TEXT + 1]);
int	 vault_receipt_normalize(const char *, char out[VAULT_RECEIPT_CHARS + 1]);
void	 vault_receipt_hash(const struct vault_keys *, const char *normalized,
	    unsigned char out[VAULT_HASHBYTES]);
int	 vault_receipt_verify(const struct vault_keys *, const char *typed,
	    const unsigned char stored[VAULT_HASHBYTES]);
void	 vault_token_new(char out[VAULT_TOKEN_TEXT + 1]);
void	 vault_request_hash(const struct vault_keys *, const char *scope,
	    const char *token, const void *body, size_t bodylen,
	    unsigned char token_hash[VAULT_HASHBYTES],
	    unsigned char body_hash[VAULT_HASHBYTES]);
void	 vault_receipt_box(const struct vault_keys *, const char *token,
	    const void *body, size_t bodylen, const char *receipt,
	    struct sbuf *out);
int	 vault_receipt_unbox(const struct vault_keys *, const char *token,
	    const void *body, size_t bodylen, const unsigned char *box,
	    size_t boxlen, char out[VAULT_RECEIPT_TEXT + 1]);
enum vault_form {
	VAULT_FORM_OK,
	VAULT_FORM_EXPIRED,	/* genuine, but too old (or from the future) */
	VAULT_FORM_FORGED,	/* not made by us, or damaged */
};
void	 vault_form_token(const struct vault_keys *, int64_t now,
	    char out[VAULT_FORM_TOKEN_TEXT + 1]);
enum vault_form vault_form_token_check(const struct vault_keys *,
	    const char *token, int64_t now, int64_t max_age);
void	 vault_client_id(const struct vault_keys *, const char *address,
	    const char *period, unsigned char out[VAULT_HASHBYTES]);
/* A case's personal fields in clear, for vault_seal_case(); NULL: none. */
struct vault_plain {
	const char	*description;
	const char	*contact_json;
	const char	*why_shown;
	const char	*demographics_json;
	const struct vault_file *files;		/* evidence, numbered from 1 */
	size_t		 nfiles;
};
int	 vault_seal_case(const struct vault_keys *, const char *receipt_normalized,
	    const struct vault_plain *, struct vault_sealed *);
void	 vault_sealed_free(struct vault_sealed *);
int	 vault_open_case(const unsigned char *review_sk,
	    const unsigned char *review_pk, const struct vault_sealed *,
	    struct sbuf *description, struct sbuf *contact);
void	 vault_complainant_keypair(const char *receipt_normalized,
	    const unsigned char salt[VAULT_SALTBYTES],
	    unsigned char pk[32], unsigned char sk[32]);
void	 vault_hex(const unsigned char *, size_t, char *out);
unsigned char *vault_evidence_seal(const unsigned char *key,
	    const unsigned char salt[VAULT_SALTBYTES], unsigned n,
	    const unsigned char *data, size_t len, size_t *outlen);
int	 vault_evidence_open(const unsigned char *key,
	    const unsigned char salt[VAULT_SALTBYTES], unsigned n,
	    const unsigned char *box, size_t boxlen, struct sbuf *out);
void	 vault_evidence_hash(const unsigned char *, size_t,
	    unsigned char out[32]);
#define VAULT_SEALED_KEYBYTES	80	/* crypto_box_SEALBYTES + a key */
unsigned char *vault_evidence_seal_own(const unsigned char review_pk[32],
	    const unsigned char salt[VAULT_SALTBYTES], unsigned n,
	    const unsigned char *data, size_t len, size_t *outlen,
	    unsigned char key_sealed[VAULT_SEALED_KEYBYTES]);
unsigned char *vault_aead_seal(const unsigned char *key, const char *label,
	    const unsigned char salt[VAULT_SALTBYTES], const char *text,
	    size_t *outlen);
unsigned char *vault_copy_seal(const char *receipt_normalized,
	    const unsigned char salt[VAULT_SALTBYTES], const char *text,
	    size_t *outlen);
int	 vault_copy_open(const char *receipt_normalized,
	    const unsigned char salt[VAULT_SALTBYTES], const unsigned char *box,
	    size_t boxlen, struct sbuf *out);
int	 vault_aead_open(const unsigned char *key, const char *label,
	    const unsigned char salt[VAULT_SALTBYTES], const unsigned char *box,
	    size_t boxlen, struct sbuf *out);

/* totp.c: RFC 6238 one-time passwords and their base32 secrets. */
#define TOTP_PERIOD		30
#define TOTP_SECRET_BYTES	20
#define TOTP_SECRET_TEXT	32	/* base32 of 20 bytes */

void	 totp_base32(const unsigned char *, size_t, char *out, size_t outlen);
unsigned int totp_code(const unsigned char *secret, size_t, uint64_t step);
uint64_t totp_verify(const unsigned char *secret, size_t, const char *typed,
	    uint64_t now_unix, uint64_t last_step);
void	 totp_uri(struct sbuf *, const char *issuer, const char *account,
	    const char *secret_b32);

/* staffauth.c: staff tokens, login hashes, CSRF, TOTP secrets, passwords. */
#define STAFF_TOKEN_TEXT	64	/* 256-bit tokens, 64 hex digits */
#define STAFF_PASSWORD_MIN	12
#define STAFF_PASSWORD_MAX	128
#define STAFF_LOGIN_MAX		40
#define STAFF_TOTP_BOX_BYTES	(24 + 16 + TOTP_SECRET_BYTES)

void	 staff_token_new(char out[STAFF_TOKEN_TEXT + 1]);
int	 staff_token_hash(const char *, unsigned char out[VAULT_HASHBYTES]);
int	 staff_login_normalize(const char *, char *out, size_t outlen);
void	 staff_login_hash(const struct vault_keys *, const char *normalized,
	    unsigned char out[VAULT_HASHBYTES]);
void	 staff_csrf(const struct vault_keys *, const char *session_token,
	    char out[STAFF_TOKEN_TEXT + 1]);
int	 staff_csrf_check(const struct vault_keys *, const char *session_token,
	    const char *typed);
void	 staff_totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES]);
void	 staff_totp_seal(const struct vault_keys *,
	    const unsigned char secret[TOTP_SECRET_BYTES],
	    unsigned char out[STAFF_TOTP_BOX_BYTES]);
int	 staff_totp_open(const struct vault_keys *, const unsigned char *box,
	    size_t, unsigned char secret[TOTP_SECRET_BYTES]);
uint64_t staff_totp_step(const struct vault_keys *, const unsigned char *box,
	    size_t, const char *typed, uint64_t now, uint64_t last_step);
const char *staff_password_problem(const char *, size_t);

/* casebox.c: what the back office writes into a case, encrypted. */
#define CASEBOX_KEYBYTES	32
#define CASEBOX_NOTE		"recourse:case:note:v1"
#define CASEBOX_MESSAGE		"recourse:case:message:v1"
#define CASEBOX_REASONS		"recourse:case:reasons:v1"
#define CASEBOX_NARRATIVE	"recourse:case:narrative:v1"

int	 casebox_key(const unsigned char *review_sk,
	    const unsigned char *review_pk, const unsigned char *sealed,
	    size_t, unsigned char dk[CASEBOX_KEYBYTES]);
unsigned char *casebox_seal_to(const unsigned char pk[32], const char *,
	    size_t *outlen);
int	 casebox_open_sealed(const unsigned char pk[32],
	    const unsigned char sk[32], const unsigned char *, size_t,
	    struct sbuf *out);

/* audit.c: the audit chain's link hash. */
struct audit_event {
	uint64_t	 seq;
	uint64_t	 event_id;
	const char	*at;
	const char	*actor;
	const char	*action;
	const char	*object;
	const char	*detail;
};

void	 audit_link_hash(const unsigned char key[VAULT_KEYBYTES],
	    const unsigned char prev[VAULT_HASHBYTES], const struct audit_event *,
	    unsigned char out[VAULT_HASHBYTES]);

struct audit_verifier {
	unsigned char	 key[VAULT_KEYBYTES];
	unsigned char	 prev[VAULT_HASHBYTES];	/* the last good link */
	uint64_t	 next_seq;
	uint64_t	 verified;		/* links checked and good */
	const char	*broken;		/* NULL while the chain holds */
	uint64_t	 broken_seq;
	uint64_t	 broken_event;
};

void	 audit_verifier_init(struct audit_verifier *, const unsigned char *key);
int	 audit_verify_next(struct audit_verifier *, const struct audit_event *,
	    const unsigned char *stored, size_t);

/* baseurl.c: the back office's base URL and the links built on it. */
#define BASEURL_MAX	1024

int	 baseurl_parse(const char *in, char out[BASEURL_MAX + 1]);
void	 baseurl_setup_link(struct sbuf *, const char *base,
	    const char *token);

/* qrsvg.c: a QR code as inline SVG. */
int	 qrsvg_render(struct sbuf *, const char *text, const char *label);

/* ipaddr.c: client addresses parsed strictly, normalised, matched. */
#define IPADDR_LIST_MAX		32
#define IPADDR_KEY_MAX		46	/* INET6_ADDRSTRLEN */

struct ipaddr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 bytes[16];	/* the first 4 for AF_INET */
};

struct ipnet {
	struct ipaddr	 addr;
	int		 bits;
};

struct ipnet_list {
	struct ipnet	 net[IPADDR_LIST_MAX];
	size_t		 count;
};

int	 ipaddr_parse(const char *, struct ipaddr *);
int	 ipaddr_from_socket(int family, const void *addr, struct ipaddr *);
void	 ipaddr_client_key(const struct ipaddr *, char *, size_t);
int	 ipnet_list_parse(const char *, struct ipnet_list *);
int	 ipnet_list_has(const struct ipnet_list *, const struct ipaddr *);

#endif
