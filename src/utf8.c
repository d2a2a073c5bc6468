/*
 * Strict UTF-8 decoding (RFC 3629): no overlongs, no surrogates, nothing
 * above U+10FFFF, so that every stored or echoed text is well formed.
 */

#include "recourse.h"

/*
 * Decodes the code point at s[i]; returns its length in bytes, or 0 when the
 * bytes there are not well-formed UTF-8.
 */
size_t
utf8_next(const char *str, size_t len, size_t i, uint32_t *cp)
{
	const unsigned char	*s = (const unsigned char *)str;
	uint32_t		 c, min;
	size_t			 n, k;

	c = s[i];
	if (c < 0x80) {
		*cp = c;
		return (1);
	} else if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (0);

	if (len - i < n)
		return (0);
	for (k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

int
utf8_valid(const char *s, size_t len)
{
	size_t		 i, n;
	uint32_t	 cp;

	for (i = 0; i < len; i += n)
		if ((n = utf8_next(s, len, i, &cp)) == 0)
			return (0);
	return (1);
}

/* Code points in a string already known to be valid. */
size_t
utf8_count(const char *s, size_t len)
{
	size_t	 i, count;

	for (count = 0, i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return (count);
}
