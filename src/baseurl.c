/*
 * The back office's base URL (RECOURSE_REVIEW_BASE_URL): checked once, and
 * the absolute links built on it (set-up links now, e-mail later).
 */

#include <string.h>

#include "recourse.h"

/*
 * A plain http(s) prefix without spaces, query or fragment: the link goes
 * to a person by mail or chat.  Trailing slashes are dropped so that paths
 * can be appended.  Returns 0 when 'in' is not such a URL.
 */
int
baseurl_parse(const char *in, char out[BASEURL_MAX + 1])
{
	size_t	 i, n;

	n = strlen(in);
	while (n > 0 && in[n - 1] == '/')
		n--;
	if (n > BASEURL_MAX ||
	    !((strncmp(in, "http://", 7) == 0 && n > 7) ||
	    (strncmp(in, "https://", 8) == 0 && n > 8)))
		return (0);
	for (i = 0; i < n; i++)
		if (in[i] <= ' ' || in[i] > '~' || in[i] == '?' ||
		    in[i] == '#' || in[i] == '"' || in[i] == '<' ||
		    in[i] == '>' || in[i] == '\\')
			return (0);
	memcpy(out, in, n);
	out[n] = '\0';
	return (1);
}

/* The one-time set-up link of a token, on the back office's base URL. */
void
baseurl_setup_link(struct sbuf *out, const char *base, const char *token)
{
	sbuf_printf(out, "%s/account/setup?token=%s", base, token);
}
