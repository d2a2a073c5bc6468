/*
 * Every file of one report, from its figures: the published document
 * (report.json) and its JSON Schema, a CSV per table, and the report as a
 * page (report.html) that lists the others with their hashes, each signed;
 * the same figures and key give the same bytes.  Shared by recourse-reporter's
 * builds and its command line.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "report.h"

#define KEY_FILE	"recourse-report.pub"

static struct report_file *
add(struct report_set *set, const char *name, const char *type, char *body,
    size_t len)
{
	struct report_file	*f;

	if ((set->file = reallocarray(set->file, set->n + 1,
	    sizeof(*set->file))) == NULL)
		abort();
	f = &set->file[set->n++];
	memset(f, 0, sizeof(*f));
	(void)snprintf(f->name, sizeof(f->name), "%s", name);
	f->type = type;
	f->body = body;
	f->len = len;
	return (f);
}

/* A file's SHA-256 and signature. */
static void
seal(struct report_set *set, size_t i, const struct report_signer *signer)
{
	crypto_hash_sha256(set->file[i].sha256,
	    (const unsigned char *)set->file[i].body, set->file[i].len);
	report_sign(signer, KEY_FILE, set->file[i].body, set->file[i].len,
	    set->file[i].signature);
}

/*
 * Builds the files of the report of 'figures' into 'set' (emptied first)
 * and signs each with 'signer'.  'about' (or NULL) is copied into the
 * document's "report" member; 'schema' is the JSON Schema's text.  Returns
 * the document (the caller frees it) for callers that read it further.
 */
json_t *
report_files(const json_t *figures, const json_t *about, const char *schema,
    const struct report_signer *signer, struct report_set *set)
{
	json_t		*doc, *list;
	const json_t	*t;
	char		*text, name[96], hex[65];
	size_t		 i, len;

	report_set_free(set);
	doc = report_model(figures, about);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(6) | JSON_ENSURE_ASCII);
	len = strlen(text);
	/* A text file ends with a line break. */
	if ((text = realloc(text, len + 2)) == NULL)
		abort();
	text[len++] = '\n';
	text[len] = '\0';
	add(set, "report.json", "application/json", text, len);
	if ((text = strdup(schema)) == NULL)
		abort();
	add(set, "report.schema.json", "application/schema+json", text,
	    strlen(text));
	json_array_foreach(json_object_get(doc, "tables"), i, t) {
		(void)snprintf(name, sizeof(name), "%s.csv",
		    json_string_value(json_object_get(t, "id")));
		text = report_csv(t, &len);
		add(set, name, "text/csv; charset=utf-8; header=present", text,
		    len);
	}
	text = report_dsa_csv(doc, &len);
	add(set, "dsa.csv", "text/csv; charset=utf-8; header=present", text,
	    len);
	for (i = 0; i < set->n; i++)
		seal(set, i, signer);
	/* The page lists every other file with its hash: it comes last. */
	list = json_array();
	for (i = 0; i < set->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), set->file[i].sha256, 32);
		json_array_append_new(list, json_pack("{s:s,s:I,s:s}", "name",
		    set->file[i].name, "size", (json_int_t)set->file[i].len,
		    "sha256", hex));
	}
	text = report_html_document(doc, list);
	json_decref(list);
	add(set, "report.html", "text/html; charset=utf-8", text,
	    strlen(text));
	seal(set, set->n - 1, signer);
	return (doc);
}

void
report_set_free(struct report_set *set)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		free(set->file[i].body);
	free(set->file);
	memset(set, 0, sizeof(*set));
}
