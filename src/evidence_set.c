/*
 * The files a complainant sends at once, with a complaint or with a reply:
 * at most five and 10 MiB together, each checked by its bytes and stripped
 * of metadata, with its BLAKE2b-256 fingerprint, read from a form's uploads
 * or from a JSON "evidence" list.  The first problem is the field's message.
 */

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"

void
evidence_set_init(struct evidence_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
evidence_set_free(struct evidence_set *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		evidence_file_free(&s->file[i]);
	memset(s, 0, sizeof(*s));
}

/* Keeps the first problem only: it is the one the field shows. */
static int
refuse(struct evidence_set *s, const char *filename, size_t filename_len,
    const char *what)
{
	if (s->error != NULL)
		return (0);
	if (filename != NULL)
		(void)snprintf(s->error_text, sizeof(s->error_text),
		    "\"%.*s\" %s", (int)filename_len, filename, what);
	else
		(void)snprintf(s->error_text, sizeof(s->error_text), "%s",
		    what);
	s->error = s->error_text;
	return (0);
}

int
evidence_set_add(struct evidence_set *s, const char *filename,
    size_t filename_len, const unsigned char *data, size_t len)
{
	enum evidence_error	 e;

	if (s->n == EVIDENCE_MAX_FILES)
		return (refuse(s, NULL, 0, "Attach at most 5 files."));
	if (filename == NULL || !evidence_name_ok(filename, filename_len))
		return (refuse(s, NULL, 0, "A file's name cannot be used: it "
		    "is too long, names folders or holds control characters. "
		    "Rename the file and attach it again."));
	if (s->total + len > EVIDENCE_MAX_TOTAL)
		return (refuse(s, NULL, 0, "Your files come to more than 10 MB "
		    "together. Leave some out, or attach smaller pictures."));
	if ((e = evidence_check(data, len, &s->file[s->n])) != EVE_OK)
		return (refuse(s, filename, filename_len,
		    evidence_error_message(e)));
	vault_evidence_hash(s->file[s->n].data, s->file[s->n].len,
	    s->hash[s->n]);
	s->total += len;
	s->n++;
	return (1);
}

/* A form's "evidence" uploads, and whether it sent more than it takes. */
void
evidence_set_from_form(struct evidence_set *s, const struct formdata *fd)
{
	const struct formupload	*u;

	for (u = NULL; (u = formdata_upload_next(fd, "evidence", u)) != NULL; )
		(void)evidence_set_add(s, u->filename, u->filename_len,
		    (const unsigned char *)u->value, u->len);
	if (fd->uploads_dropped > 0)
		(void)refuse(s, NULL, 0, "Attach at most 5 files.");
}

/*
 * "evidence": [{"name": "...", "content_base64": "..."}] in 'doc', each
 * file decoded and checked as a form's would be.  The problems of the list
 * itself become the field's message.
 */
void
evidence_set_from_json(struct evidence_set *s, json_t *doc)
{
	json_t		*list, *item, *x;
	const char	*key, *b64, *name;
	unsigned char	*bin;
	size_t		 i, len, cap;

	if ((list = json_object_get(doc, "evidence")) == NULL ||
	    json_is_null(list))
		return;
	if (!json_is_array(list)) {
		(void)refuse(s, NULL, 0, "Must be an array of files, each "
		    "{\"name\", \"content_base64\"}.");
		return;
	}
	if (json_array_size(list) > EVIDENCE_MAX_FILES) {
		(void)refuse(s, NULL, 0, "Attach at most 5 files.");
		return;
	}
	json_array_foreach(list, i, item) {
		name = json_string_value(json_object_get(item, "name"));
		b64 = json_string_value(json_object_get(item,
		    "content_base64"));
		json_object_foreach(item, key, x)
			if (strcmp(key, "name") != 0 &&
			    strcmp(key, "content_base64") != 0)
				b64 = NULL;
		if (!json_is_object(item) || name == NULL || b64 == NULL) {
			(void)refuse(s, NULL, 0, "Each file is {\"name\": "
			    "string, \"content_base64\": string} and nothing "
			    "else.");
			return;
		}
		cap = json_string_length(json_object_get(item,
		    "content_base64")) / 4 * 3 + 3;
		if ((bin = malloc(cap)) == NULL)
			abort();
		/* A NUL inside the string would cut the file short. */
		if (strlen(b64) != json_string_length(json_object_get(item,
		    "content_base64")) || sodium_base642bin(bin, cap, b64,
		    strlen(b64), NULL, &len, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0) {
			sodium_memzero(bin, cap);
			free(bin);
			(void)refuse(s, NULL, 0, "A file's content_base64 is not "
			    "valid base64 (RFC 4648, with padding).");
			return;
		}
		(void)evidence_set_add(s, name, json_string_length(
		    json_object_get(item, "name")), bin, len);
		sodium_memzero(bin, len);
		free(bin);
	}
}

/*
 * The files as the complainant is shown them, numbered from 'first':
 * [{n, kind, size, blake2b}].
 */
json_t *
evidence_set_json(const struct evidence_set *s, unsigned first)
{
	json_t	*a;
	char	 hex[65];
	size_t	 i;

	a = json_array();
	for (i = 0; i < s->n; i++) {
		vault_hex(s->hash[i], 32, hex);
		json_array_append_new(a, json_pack("{s:I,s:s,s:I,s:s}", "n",
		    (json_int_t)(first + i), "kind",
		    evidence_kind_name(s->file[i].kind), "size",
		    (json_int_t)s->file[i].len, "blake2b", hex));
	}
	return (a);
}

/* What the database keeps of each file in clear: [{kind, size}]. */
char *
evidence_set_meta(const struct evidence_set *s)
{
	json_t	*a;
	char	*text;
	size_t	 i;

	a = json_array();
	for (i = 0; i < s->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:I}", "kind",
		    evidence_kind_name(s->file[i].kind), "size",
		    (json_int_t)s->file[i].len));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return (text);
}
