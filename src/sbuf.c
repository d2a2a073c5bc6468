/*
 * A growable byte buffer: the one place output and scratch text are built.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recourse.h"

void
sbuf_init(struct sbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
sbuf_free(struct sbuf *b)
{
	free(b->data);
	sbuf_init(b);
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
}

/* Keeps one spare byte so that sbuf_cstr() never needs to grow. */
static void
sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t	 want;
	char	*p;

	if (more >= SIZE_MAX / 2 - b->len)
		abort();
	want = b->len + more + 1;
	if (want <= b->cap)
		return;
	if (want < b->cap * 2)
		want = b->cap * 2;
	if (want < 256)
		want = 256;
	if ((p = realloc(b->data, want)) == NULL)
		abort();
	b->data = p;
	b->cap = want;
}

void
sbuf_add(struct sbuf *b, const void *p, size_t len)
{
	if (len == 0)
		return;
	sbuf_reserve(b, len);
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_reserve(b, 1);
	b->data[b->len++] = c;
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sbuf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The contents as a C string; valid until the next change. */
const char *
sbuf_cstr(struct sbuf *b)
{
	sbuf_reserve(b, 0);
	b->data[b->len] = '\0';
	return (b->data);
}
