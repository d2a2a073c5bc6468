/*
 * The HTML writer: every byte of data reaches a page through one of these
 * functions, each escaping for its context (text, quoted attribute, URL).
 */

#include <string.h>

#include "recourse.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

/* Literal markup from the program itself, never from data. */
void
html_raw(struct sbuf *b, const char *s)
{
	sbuf_adds(b, s);
}

/*
 * Escapes the five significant characters, keeps tab and newlines, and
 * replaces NUL, other controls and malformed UTF-8 with U+FFFD so that a
 * browser never has to guess.  The same escaping is safe in text and in
 * double- or single-quoted attributes.
 */
static void
html_escape(struct sbuf *b, const char *s, size_t len)
{
	size_t		 i, n, run;
	uint32_t	 cp;
	unsigned char	 c;

	for (i = 0; i < len; i += n) {
		/* Copy runs of harmless bytes in one go. */
		for (run = i; run < len; run++) {
			c = (unsigned char)s[run];
			if (c >= 0x80 || c < 0x20 || c == 0x7f || c == '&' ||
			    c == '<' || c == '>' || c == '"' || c == '\'')
				break;
		}
		if (run > i) {
			sbuf_add(b, s + i, run - i);
			n = run - i;
			continue;
		}
		c = (unsigned char)s[i];
		n = 1;
		switch (c) {
		case '&': sbuf_adds(b, "&amp;"); continue;
		case '<': sbuf_adds(b, "&lt;"); continue;
		case '>': sbuf_adds(b, "&gt;"); continue;
		case '"': sbuf_adds(b, "&quot;"); continue;
		case '\'': sbuf_adds(b, "&#39;"); continue;
		case '\t': case '\n': sbuf_addc(b, (char)c); continue;
		case '\r':
			/* CRLF and lone CR both become one newline. */
			if (i + 1 < len && s[i + 1] == '\n')
				n = 2;
			sbuf_addc(b, '\n');
			continue;
		}
		if (c < 0x80) {
			sbuf_adds(b, REPLACEMENT);
			continue;
		}
		if ((n = utf8_next(s, len, i, &cp)) == 0) {
			n = 1;
			sbuf_adds(b, REPLACEMENT);
			continue;
		}
		/* C1 controls are as invisible and surprising as C0 ones. */
		if (cp >= 0x80 && cp < 0xa0)
			sbuf_adds(b, REPLACEMENT);
		else
			sbuf_add(b, s + i, n);
	}
}

void
html_text(struct sbuf *b, const char *s, size_t len)
{
	html_escape(b, s, len);
}

void
html_texts(struct sbuf *b, const char *s)
{
	if (s != NULL)
		html_escape(b, s, strlen(s));
}

void
html_attr(struct sbuf *b, const char *s, size_t len)
{
	html_escape(b, s, len);
}

void
html_attrs(struct sbuf *b, const char *s)
{
	if (s != NULL)
		html_escape(b, s, strlen(s));
}

/*
 * A URL may be a path on this site or an http(s) or mailto address; anything
 * else (javascript:, data:, //host, a scheme hidden behind whitespace or
 * entities) is refused.
 */
int
html_url_safe(const char *u)
{
	const char	*p;

	if (u == NULL || *u == '\0')
		return (0);
	/*
	 * Browsers drop tab, CR and LF anywhere in a URL and read a leading
	 * backslash as a slash, so "/\t/host" and "\\host" mean "//host".
	 */
	if (strpbrk(u, "\t\r\n") != NULL || u[0] == '\\')
		return (0);
	if (u[0] == '/')
		return (u[1] != '/' && u[1] != '\\');
	if (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0 ||
	    strncmp(u, "mailto:", 7) == 0)
		return (1);
	/* Relative references without a scheme: no colon before a slash. */
	for (p = u; *p != '\0' && *p != '/' && *p != '?' && *p != '#'; p++)
		if (*p == ':' || (unsigned char)*p < 0x21)
			return (0);
	return (1);
}

/*
 * Writes a URL for an href or src attribute: unsafe URLs become "#", bytes
 * outside the URL-safe set are percent-encoded, then the result is
 * attribute-escaped (it still may contain & and ').
 */
void
html_url(struct sbuf *b, const char *u)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct sbuf		 tmp;
	const unsigned char	*p;

	if (!html_url_safe(u)) {
		sbuf_addc(b, '#');
		return;
	}
	sbuf_init(&tmp);
	for (p = (const unsigned char *)u; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\' || *p == '`' || *p == '\'') {
			sbuf_addc(&tmp, '%');
			sbuf_addc(&tmp, hex[*p >> 4]);
			sbuf_addc(&tmp, hex[*p & 15]);
		} else
			sbuf_addc(&tmp, (char)*p);
	}
	html_escape(b, tmp.data, tmp.len);
	sbuf_free(&tmp);
}

/* Percent-encodes a query-string value (RFC 3986 unreserved kept). */
void
html_query_escape(struct sbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || strchr("-._~", *v) != NULL)
			sbuf_addc(b, *v);
		else
			sbuf_printf(b, "%%%02X", (unsigned char)*v);
	}
}

/* A size for people: bytes, KB or MB (of 1 000 and 1 000 000). */
void
html_size(struct sbuf *b, long long n)
{
	if (n < 1000)
		sbuf_printf(b, "%lld bytes", n);
	else if (n < 1000000)
		sbuf_printf(b, "%.1f\xc2\xa0KB", n / 1000.0);
	else
		sbuf_printf(b, "%.1f\xc2\xa0MB", n / 1000000.0);
}
