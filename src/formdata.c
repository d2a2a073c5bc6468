/*
 * Form bodies (multipart/form-data and application/x-www-form-urlencoded)
 * parsed into name/value pairs, byte-exact: Kore's own parser drops values
 * with control characters and truncates at NUL, which free text cannot bear.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recourse.h"

int	 formdata_log_reads;

#define FORMDATA_LOG_MAX	64

struct formdata_log {
	char	*name[FORMDATA_LOG_MAX];
	size_t	 count;
};

#define FORMDATA_NAME_MAX	64
#define FORMDATA_BOUNDARY_MAX	70	/* RFC 2046 */

static char *
dupmem(const char *p, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return (s);
}

static enum formdata_result
formdata_add(struct formdata *fd, const char *name, size_t namelen,
    const char *value, size_t len)
{
	struct formfield	*f;

	if (namelen == 0 || namelen > FORMDATA_NAME_MAX)
		return (FORMDATA_MALFORMED);
	if (fd->count == FORMDATA_MAX_FIELDS)
		return (FORMDATA_TOO_MANY);
	f = &fd->field[fd->count++];
	f->name = dupmem(name, namelen);
	f->value = dupmem(value, len);
	f->len = len;
	return (FORMDATA_OK);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Decodes %XX and '+' in place; returns the new length or -1. */
static long
urldecode(char *s, size_t len)
{
	size_t	 i, o;
	int	 hi, lo;

	for (i = 0, o = 0; i < len; i++) {
		if (s[i] == '+')
			s[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				return (-1);
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return (-1);
			s[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			s[o++] = s[i];
	}
	return ((long)o);
}

static enum formdata_result
parse_urlencoded(struct formdata *fd, const char *body, size_t len)
{
	enum formdata_result	 r;
	const char		*p, *end, *amp, *eq;
	char			*name, *value;
	long			 nlen, vlen;

	p = body;
	end = body + len;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		name = dupmem(p, (size_t)(eq - p));
		value = eq < amp ? dupmem(eq + 1, (size_t)(amp - eq - 1)) :
		    dupmem("", 0);
		nlen = urldecode(name, strlen(name));
		vlen = urldecode(value, eq < amp ? (size_t)(amp - eq - 1) : 0);
		r = (nlen < 0 || vlen < 0) ? FORMDATA_MALFORMED :
		    formdata_add(fd, name, (size_t)nlen, value, (size_t)vlen);
		free(name);
		free(value);
		if (r != FORMDATA_OK)
			return (r);
		p = amp + 1;
	}
	return (FORMDATA_OK);
}

/* Finds a parameter such as boundary= in a header value. */
static int
header_param(const char *hv, size_t hvlen, const char *param, char *out,
    size_t outsz)
{
	const char	*p, *end, *v;
	size_t		 plen, n;

	plen = strlen(param);
	end = hv + hvlen;
	for (p = hv; p < end; p++) {
		if (*p != ';')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) <= plen || strncasecmp(p, param, plen) ||
		    p[plen] != '=')
			continue;
		v = p + plen + 1;
		if (v < end && *v == '"') {
			v++;
			for (n = 0; v + n < end && v[n] != '"'; n++)
				;
			if (v + n == end)
				return (0);
		} else {
			for (n = 0; v + n < end && v[n] != ';' &&
			    v[n] != ' ' && v[n] != '\r'; n++)
				;
		}
		if (n >= outsz)
			return (0);
		memcpy(out, v, n);
		out[n] = '\0';
		return (1);
	}
	return (0);
}

static enum formdata_result
parse_part(struct formdata *fd, const char *part, size_t len)
{
	const char	*hend, *line, *eol, *content;
	char		 name[FORMDATA_NAME_MAX + 1];
	char		 file[FORMDATA_FILENAME_MAX + 2];
	struct formupload *u;
	int		 have_name, is_file, file_ok = 0;

	if ((hend = memmem(part, len, "\r\n\r\n", 4)) == NULL)
		return (FORMDATA_MALFORMED);
	content = hend + 4;
	have_name = is_file = 0;
	for (line = part; line < hend; line = eol + 2) {
		if ((eol = memmem(line, (size_t)(hend + 2 - line), "\r\n",
		    2)) == NULL)
			eol = hend;
		if ((size_t)(eol - line) > 20 &&
		    strncasecmp(line, "content-disposition:", 20) == 0) {
			if (!header_param(line, (size_t)(eol - line), "name",
			    name, sizeof(name)))
				return (FORMDATA_MALFORMED);
			have_name = 1;
			/* Any filename at all marks an upload. */
			file_ok = header_param(line, (size_t)(eol - line),
			    "filename", file, sizeof(file));
			is_file = file_ok || memmem(line, (size_t)(eol - line),
			    "filename=", 9) != NULL;
		}
	}
	if (!have_name)
		return (FORMDATA_MALFORMED);
	/*
	 * Uploads never pass for a field of the same name: they are kept
	 * apart for formdata_upload().  A browser sends an empty part with an
	 * empty name for a file input left empty: no upload at all.
	 */
	if (is_file) {
		if (file_ok && file[0] == '\0' && content == part + len)
			return (FORMDATA_OK);
		if (fd->nupload == FORMDATA_MAX_UPLOADS) {
			fd->uploads_dropped++;
			return (FORMDATA_OK);
		}
		u = &fd->upload[fd->nupload++];
		u->name = dupmem(name, strlen(name));
		u->len = (size_t)(part + len - content);
		u->value = dupmem(content, u->len);
		if (file_ok && strlen(file) <= FORMDATA_FILENAME_MAX) {
			u->filename_len = strlen(file);
			u->filename = dupmem(file, u->filename_len);
		}
		return (FORMDATA_OK);
	}
	return (formdata_add(fd, name, strlen(name), content,
	    (size_t)(part + len - content)));
}

static enum formdata_result
parse_multipart(struct formdata *fd, const char *ctype, const char *body,
    size_t len)
{
	enum formdata_result	 r;
	char			 boundary[FORMDATA_BOUNDARY_MAX + 1];
	char			 delim[FORMDATA_BOUNDARY_MAX + 5];
	const char		*p, *end, *next;
	size_t			 dlen;

	if (!header_param(ctype, strlen(ctype), "boundary", boundary,
	    sizeof(boundary)) || boundary[0] == '\0')
		return (FORMDATA_MALFORMED);
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	end = body + len;

	/* The first delimiter may open the body without a CRLF before it. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((p = memmem(body, len, delim, dlen)) != NULL)
		p += dlen;
	else
		return (FORMDATA_MALFORMED);

	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return (FORMDATA_OK);
		/* Transport padding, then CRLF, starts a part. */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return (FORMDATA_MALFORMED);
		p += 2;
		if ((next = memmem(p, (size_t)(end - p), delim, dlen)) == NULL)
			return (FORMDATA_MALFORMED);
		if ((r = parse_part(fd, p, (size_t)(next - p))) != FORMDATA_OK)
			return (r);
		p = next + dlen;
	}
}

enum formdata_result
formdata_parse(struct formdata *fd, const char *ctype, const char *body,
    size_t len)
{
	enum formdata_result	 r;

	memset(fd, 0, sizeof(*fd));
	if (formdata_log_reads && (fd->log = calloc(1, sizeof(*fd->log))) ==
	    NULL)
		return (FORMDATA_MALFORMED);
	if (ctype == NULL) {
		formdata_free(fd);
		return (FORMDATA_BAD_TYPE);
	}
	if (strncasecmp(ctype, "multipart/form-data", 19) == 0)
		r = parse_multipart(fd, ctype, body, len);
	else if (strncasecmp(ctype, "application/x-www-form-urlencoded",
	    33) == 0)
		r = parse_urlencoded(fd, body, len);
	else
		r = FORMDATA_BAD_TYPE;
	if (r != FORMDATA_OK)
		formdata_free(fd);
	return (r);
}

/*
 * Records that the reader used the field 'name' (asked for it, or took it
 * while going through every field), once, when the log is on.
 */
void
formdata_mark(const struct formdata *fd, const char *name)
{
	struct formdata_log	*log = fd->log;
	size_t			 i;

	if (log == NULL)
		return;
	for (i = 0; i < log->count; i++)
		if (strcmp(log->name[i], name) == 0)
			return;
	if (log->count < FORMDATA_LOG_MAX &&
	    (log->name[log->count] = strdup(name)) != NULL)
		log->count++;
}

/* The names used so far, comma-separated, in the order first used. */
void
formdata_reads(const struct formdata *fd, struct sbuf *out)
{
	size_t	 i;

	if (fd->log == NULL)
		return;
	for (i = 0; i < fd->log->count; i++) {
		if (i > 0)
			sbuf_addc(out, ',');
		sbuf_adds(out, fd->log->name[i]);
	}
}

/* The first field of that name: repeated fields never override it. */
const struct formfield *
formdata_get(const struct formdata *fd, const char *name)
{
	size_t	 i;

	formdata_mark(fd, name);
	for (i = 0; i < fd->count; i++)
		if (strcmp(fd->field[i].name, name) == 0)
			return (&fd->field[i]);
	return (NULL);
}

/*
 * The next field called 'name' after 'prev' (NULL: the first), for a name
 * sent several times, such as a group of checkboxes.
 */
const struct formfield *
formdata_next(const struct formdata *fd, const char *name,
    const struct formfield *prev)
{
	size_t	 i;

	formdata_mark(fd, name);
	i = prev == NULL ? 0 : (size_t)(prev - fd->field) + 1;
	for (; i < fd->count; i++)
		if (strcmp(fd->field[i].name, name) == 0)
			return (&fd->field[i]);
	return (NULL);
}

/* The next file sent as 'name' after 'prev' (NULL: the first), or NULL. */
const struct formupload *
formdata_upload_next(const struct formdata *fd, const char *name,
    const struct formupload *prev)
{
	size_t	 i;

	formdata_mark(fd, name);
	i = prev == NULL ? 0 : (size_t)(prev - fd->upload) + 1;
	for (; i < fd->nupload; i++)
		if (strcmp(fd->upload[i].name, name) == 0)
			return (&fd->upload[i]);
	return (NULL);
}

/* The first file sent as 'name', or NULL. */
const struct formupload *
formdata_upload(const struct formdata *fd, const char *name)
{
	return (formdata_upload_next(fd, name, NULL));
}

void
formdata_free(struct formdata *fd)
{
	size_t	 i;

	/* Files too may be someone's account of what happened. */
	for (i = 0; i < fd->nupload; i++) {
		free(fd->upload[i].name);
		explicit_bzero(fd->upload[i].value, fd->upload[i].len);
		free(fd->upload[i].value);
		free(fd->upload[i].filename);
	}
	memset(fd->upload, 0, sizeof(fd->upload));
	fd->nupload = 0;

	/* Values may be someone's account of what happened: wipe them. */
	for (i = 0; i < fd->count; i++) {
		free(fd->field[i].name);
		explicit_bzero(fd->field[i].value, fd->field[i].len);
		free(fd->field[i].value);
	}
	fd->count = 0;
	if (fd->log != NULL) {
		for (i = 0; i < fd->log->count; i++)
			free(fd->log->name[i]);
		free(fd->log);
		fd->log = NULL;
	}
}
