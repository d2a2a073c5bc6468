/*
 * report.h: the quarterly transparency report's pure parts: which counts
 * may be published (statistical disclosure control), and later the
 * report's model and its files.
 *
 * Pure: no Kore, no libpq, no allocation a caller must know about beyond
 * what each function says.
 */
#ifndef RECOURSE_REPORT_H
#define RECOURSE_REPORT_H

#include <stddef.h>

#include <jansson.h>

/* ------------------------------------------------------------------ */
/* Statistical disclosure control (report_sdc.c)                       */
/* ------------------------------------------------------------------ */

/*
 * A count from 1 to SDC_SMALL_MAX is published as "fewer than 10" (small);
 * a count hidden to protect a small one (complementary) is at least
 * SDC_HIDDEN_MIN, so that its mark says nothing a reader could use beyond
 * that.  Zero is published.
 */
#define SDC_SMALL_MAX	9
#define SDC_HIDDEN_MIN	10

enum sdc_mark {
	SDC_SHOWN,	/* published as it is */
	SDC_SMALL,	/* 1-9, published as "fewer than 10" */
	SDC_HIDDEN,	/* hidden to protect a small count */
};

/*
 * A table of counts as published, totals included: rows x cols values,
 * row-major.  With row_totals, column 0 holds each row's total; with
 * col_totals, row 0 holds each column's total (and, with both, cell 0,0
 * the grand total).  A table with neither has no equations: its small
 * counts need no partner.
 *
 * Some tables cannot be protected: a row whose total is small and which
 * holds two counts or more bounds each below 9 whatever is hidden.  Their
 * builder merges such rows (into "other ...") or withholds the table.
 */
struct sdc_table {
	size_t			 rows, cols;
	int			 row_totals;
	int			 col_totals;
	const long long		*value;
	enum sdc_mark		*mark;		/* rows x cols, filled in */
	int			 keep_total;	/* other tables publish the
						   grand total: never hide it */
};

/* The protection every hidden count keeps, given all of its table. */
struct sdc_interval {
	long long	 lo, hi;	/* hi is SDC_UNBOUNDED when unbounded */
};
#define SDC_UNBOUNDED	(-1LL)

int	 sdc_protect(struct sdc_table *);
void	 sdc_interval(const struct sdc_table *, size_t row, size_t col,
	    struct sdc_interval *);
size_t	 sdc_exposed(const struct sdc_table *);

/* ------------------------------------------------------------------ */
/* The report as published (report_model.c)                           */
/* ------------------------------------------------------------------ */

/* How every file marks a hidden count. */
#define REPORT_MARK_SMALL	"<10"	/* 1 to 9: "fewer than 10" */
#define REPORT_MARK_HIDDEN	"x"	/* hidden to protect a small one */

json_t	*report_model(const json_t *figures, const json_t *about);
const json_t *report_table_in(const json_t *tables, const char *id);

/* report_fairness.c: answers about oneself counted, for the builder. */
void	 report_fairness_count(json_t *acc, const json_t *answers,
	    const char *outcome, int on_time);
json_t	*report_fairness_figures(const json_t *acc, const json_t *options);

/* report_svg.c: a table's bar chart as inline SVG (needs recourse.h). */
struct sbuf;
int	 report_svg_drawable(const json_t *table);
void	 report_svg_bars(struct sbuf *, const json_t *table, const char *id);

/* report_html.c: the report in HTML, for its signed file and the pages. */
const char *report_text_of(const json_t *, const char *key);
void	 report_quarter_words(struct sbuf *, const char *quarter);
void	 report_html_body(struct sbuf *, const json_t *doc, const json_t *info,
	    const char *base, const char *key, const json_t *versions);
char	*report_html_document(const json_t *doc, const json_t *files);

/* report_csv.c: one table as RFC 4180 CSV (the caller frees it). */
char	*report_csv(const json_t *table, size_t *len);
char	*report_dsa_csv(const json_t *doc, size_t *len);

/* ------------------------------------------------------------------ */
/* Signatures anyone can check (report_sign.c)                         */
/* ------------------------------------------------------------------ */

/*
 * Each published file has a detached Ed25519 signature in signify's
 * format (OpenBSD signify, Debian's signify-openbsd), so that a reader
 * verifies it with a common tool: a line "untrusted comment: ...", then
 * base64 of "Ed", the key's 8-byte number and the 64-byte signature.  The
 * public key file is the same with the 32-byte key.  The secret key file
 * (report.sec) is the key number then libsodium's 64-byte secret key.
 */
#define REPORT_KEYNUM_BYTES	8
#define REPORT_SECRET_FILE_BYTES	(REPORT_KEYNUM_BYTES + 64)
#define REPORT_SIGN_TEXT_MAX	256

struct report_signer {
	unsigned char	 keynum[REPORT_KEYNUM_BYTES];
	unsigned char	 sk[64];
	unsigned char	 pk[32];
};

void	 report_sign_keypair(struct report_signer *);
int	 report_signer_load(struct report_signer *, const unsigned char *,
	    size_t);
void	 report_signer_secret(const struct report_signer *,
	    unsigned char out[REPORT_SECRET_FILE_BYTES]);
void	 report_signer_wipe(struct report_signer *);
void	 report_sign_public(const struct report_signer *, const char *name,
	    char out[REPORT_SIGN_TEXT_MAX]);
void	 report_sign(const struct report_signer *, const char *key_file,
	    const void *, size_t, char out[REPORT_SIGN_TEXT_MAX]);
int	 report_verify(const char *public_text, const char *signature_text,
	    const void *, size_t);

/* ------------------------------------------------------------------ */
/* Consented narratives: what a reviewer must redact (report_scrub.c)   */
/* ------------------------------------------------------------------ */

enum scrub_kind { SCRUB_EMAIL, SCRUB_PHONE, SCRUB_NAME, SCRUB_URL,
	SCRUB_POSTCODE, SCRUB_DIGITS };
#define SCRUB_MAX_FLAGS	64

struct scrub_flags {
	struct {
		size_t		 start, end;	/* byte offsets */
		enum scrub_kind	 kind;
	}		 f[SCRUB_MAX_FLAGS];
	size_t		 n;
	int		 more;		/* more than SCRUB_MAX_FLAGS found */
};

void	 report_scrub(const char *, size_t, const char *const *known,
	    size_t nknown, struct scrub_flags *);
const char *report_scrub_kind(enum scrub_kind);
const char *report_scrub_code(enum scrub_kind);
const char *report_scrub_code_words(const char *code);
json_t	*report_scrub_json(const char *, size_t, const char *name,
	    int *more);

/* ------------------------------------------------------------------ */
/* Every file of a report (report_files.c)                             */
/* ------------------------------------------------------------------ */

struct report_file {
	char		 name[96];
	const char	*type;		/* its media type */
	char		*body;		/* NUL-terminated too */
	size_t		 len;
	unsigned char	 sha256[32];
	char		 signature[REPORT_SIGN_TEXT_MAX];
};

struct report_set {
	struct report_file	*file;
	size_t			 n;
};

json_t	*report_files(const json_t *figures, const json_t *about,
	    const char *schema, const struct report_signer *,
	    struct report_set *);
void	 report_set_free(struct report_set *);

#endif
