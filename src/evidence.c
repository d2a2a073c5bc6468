/*
 * Evidence files: the type of an upload from its content alone (PNG, JPEG,
 * WebP, PDF, plain UTF-8 text), checked whole (no truncation, nothing after
 * its end, no second format hidden in it, no huge declared image), and for
 * images a copy without metadata: only the chunks and segments that draw
 * the picture are kept, so camera, GPS, comments and XMP go (pure).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recourse.h"

/* Markers of a file that is also HTML or PDF, searched case-blind. */
static const char *const polyglot_marks[] = { "<html", "<script", "<!doctype",
    "<body", "<iframe", "<svg", "<?xml-stylesheet", "%pdf-" };

static const struct {
	const char	*name, *mime, *label;
} kinds[] = {
	[EV_PNG] = { "png", "image/png", "PNG image" },
	[EV_JPEG] = { "jpeg", "image/jpeg", "JPEG image" },
	[EV_WEBP] = { "webp", "image/webp", "WebP image" },
	[EV_PDF] = { "pdf", "application/pdf", "PDF document" },
	[EV_TEXT] = { "text", "text/plain; charset=utf-8", "Text file" },
};

const char *
evidence_kind_name(enum evidence_kind k)
{
	return (k > EV_NONE && k <= EV_TEXT ? kinds[k].name : "");
}

const char *
evidence_kind_mime(enum evidence_kind k)
{
	return (k > EV_NONE && k <= EV_TEXT ? kinds[k].mime :
	    "application/octet-stream");
}

const char *
evidence_kind_label(enum evidence_kind k)
{
	return (k > EV_NONE && k <= EV_TEXT ? kinds[k].label : "File");
}

/* The extension a download of this kind gets. */
const char *
evidence_kind_ext(enum evidence_kind k)
{
	return (k == EV_JPEG ? "jpg" : k == EV_TEXT ? "txt" :
	    evidence_kind_name(k));
}

enum evidence_kind
evidence_kind_parse(const char *name)
{
	int	 k;

	for (k = EV_PNG; k <= EV_TEXT; k++)
		if (strcmp(name, kinds[k].name) == 0)
			return ((enum evidence_kind)k);
	return (EV_NONE);
}

const char *
evidence_error_message(enum evidence_error e)
{
	switch (e) {
	case EVE_OK:
		return (NULL);
	case EVE_EMPTY:
		return ("is empty.");
	case EVE_TYPE:
		return ("is not a PNG, JPEG or WebP picture, a PDF or a plain "
		    "text file.");
	case EVE_TRUNCATED:
		return ("is damaged or incomplete: send the whole file again.");
	case EVE_POLYGLOT:
		return ("holds more than one kind of file (a web page or a "
		    "PDF hidden in it, or data after its end). Take a "
		    "screenshot of it instead.");
	case EVE_DIMENSIONS:
		return ("is a picture too large to open (more than 20 000 "
		    "pixels a side or 50 million in all).");
	case EVE_TOO_LARGE:
		return ("is larger than 10 MB.");
	}
	return ("cannot be used.");
}

void
evidence_file_free(struct evidence_file *f)
{
	if (f->data != NULL) {
		explicit_bzero(f->data, f->len);
		free(f->data);
	}
	memset(f, 0, sizeof(*f));
}

/* A file name as sent: no folders, no traversal, no control characters. */
int
evidence_name_ok(const char *name, size_t len)
{
	size_t	 i;

	if (len == 0 || len > 255 || !utf8_valid(name, len))
		return (0);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strstr(name, "..") != NULL)
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == '/' || name[i] == '\\' || name[i] == ':')
			return (0);
	return (1);
}

static uint32_t
be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static uint32_t
le32(const unsigned char *p)
{
	return ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0]);
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static enum evidence_error
dimensions(uint64_t w, uint64_t h, struct evidence_file *out)
{
	if (w == 0 || h == 0)
		return (EVE_TRUNCATED);
	if (w > EVIDENCE_MAX_SIDE || h > EVIDENCE_MAX_SIDE ||
	    w * h > EVIDENCE_MAX_PIXELS)
		return (EVE_DIMENSIONS);
	out->width = (unsigned)w;
	out->height = (unsigned)h;
	return (EVE_OK);
}

/* CRC-32 of PNG chunks (ISO 3309), table made on first use. */
static uint32_t
crc32_png(const unsigned char *p, size_t n)
{
	static uint32_t	 table[256];
	static int	 made;
	uint32_t	 c;
	size_t		 i;
	int		 k;

	if (!made) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		made = 1;
	}
	c = 0xffffffffu;
	for (i = 0; i < n; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return (c ^ 0xffffffffu);
}

/* The chunks a picture needs; everything else is dropped. */
static int
png_keep(const unsigned char *type)
{
	static const char *const keep[] = { "IHDR", "PLTE", "IDAT", "IEND",
	    "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "pHYs", "bKGD" };
	size_t	 i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (memcmp(type, keep[i], 4) == 0)
			return (1);
	return (0);
}

static enum evidence_error
png_check(const unsigned char *in, size_t len, struct evidence_file *out)
{
	enum evidence_error	 e;
	size_t			 p = 8, o = 8, n, i;
	int			 idat = 0, end = 0;

	if ((out->data = malloc(len)) == NULL)
		abort();
	memcpy(out->data, in, 8);
	while (!end) {
		if (len - p < 12)
			return (EVE_TRUNCATED);
		n = be32(in + p);
		if (n > len - p - 12)
			return (EVE_TRUNCATED);
		for (i = 4; i < 8; i++)
			if (!((in[p + i] >= 'A' && in[p + i] <= 'Z') ||
			    (in[p + i] >= 'a' && in[p + i] <= 'z')))
				return (EVE_TRUNCATED);
		if (crc32_png(in + p + 4, n + 4) != be32(in + p + 8 + n))
			return (EVE_TRUNCATED);
		if (p == 8) {
			if (memcmp(in + p + 4, "IHDR", 4) != 0 || n != 13)
				return (EVE_TRUNCATED);
			if ((e = dimensions(be32(in + p + 8),
			    be32(in + p + 12), out)) != EVE_OK)
				return (e);
		}
		if (memcmp(in + p + 4, "IDAT", 4) == 0)
			idat = 1;
		end = memcmp(in + p + 4, "IEND", 4) == 0;
		if (png_keep(in + p + 4)) {
			memcpy(out->data + o, in + p, n + 12);
			o += n + 12;
		}
		p += n + 12;
	}
	if (!idat)
		return (EVE_TRUNCATED);
	if (p != len)
		return (EVE_POLYGLOT);
	out->len = o;
	return (EVE_OK);
}

/*
 * The segments that draw the picture, and the APPn that carry colour, not
 * metadata (JFIF, ICC, Adobe); everything else goes, JPGn and reserved
 * markers included.
 */
static int
jpeg_keep(int m, const unsigned char *body, size_t n)
{
	if ((m >= 0xc0 && m <= 0xcf && m != 0xc8) || m == 0xda || m == 0xdb ||
	    m == 0xdc || m == 0xdd)
		return (1);
	if (m == 0xe0)
		return (n >= 14 && memcmp(body, "JFIF\0", 5) == 0);
	if (m == 0xe2)
		return (n >= 12 && memcmp(body, "ICC_PROFILE\0", 12) == 0);
	if (m == 0xee)
		return (n >= 5 && memcmp(body, "Adobe", 5) == 0);
	return (0);
}

static enum evidence_error
jpeg_check(const unsigned char *in, size_t len, struct evidence_file *out)
{
	enum evidence_error	 e;
	size_t			 p = 2, o = 2, n, s;
	int			 m, frame = 0, scan = 0;

	if ((out->data = malloc(len)) == NULL)
		abort();
	out->data[0] = 0xff;
	out->data[1] = 0xd8;
	for (;;) {
		if (p >= len || in[p] != 0xff)
			return (EVE_TRUNCATED);
		while (p < len && in[p] == 0xff)
			p++;
		if (p >= len)
			return (EVE_TRUNCATED);
		m = in[p++];
		if (m == 0xd9) {			/* EOI */
			out->data[o++] = 0xff;
			out->data[o++] = 0xd9;
			break;
		}
		if (m == 0x00 || m == 0xd8 || (m >= 0xd0 && m <= 0xd7) ||
		    m == 0x01)
			return (EVE_TRUNCATED);		/* not here */
		if (len - p < 2 || (n = (size_t)in[p] << 8 | in[p + 1]) < 2 ||
		    n > len - p)
			return (EVE_TRUNCATED);
		/* Start of frame: its height and width. */
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (n < 7)
				return (EVE_TRUNCATED);
			if ((e = dimensions((uint64_t)in[p + 5] << 8 |
			    in[p + 6], (uint64_t)in[p + 3] << 8 | in[p + 4],
			    out)) != EVE_OK)
				return (e);
			frame = 1;
		}
		if (!jpeg_keep(m, in + p + 2, n - 2)) {
			p += n;
			continue;
		}
		out->data[o++] = 0xff;
		out->data[o++] = (unsigned char)m;
		if (m == 0xe0) {
			/* JFIF without its thumbnail: a copy of the picture
			 * as it was before any crop. */
			out->data[o++] = 0;
			out->data[o++] = 16;
			memcpy(out->data + o, in + p + 2, 14);
			out->data[o + 12] = out->data[o + 13] = 0;
			o += 14;
			p += n;
			continue;
		}
		memcpy(out->data + o, in + p, n);
		o += n;
		p += n;
		if (m != 0xda)
			continue;
		if (!frame)
			return (EVE_TRUNCATED);
		scan = 1;
		/* The scan's coded data, up to the next marker. */
		for (s = p; s + 1 < len; s++)
			if (in[s] == 0xff && in[s + 1] != 0x00 &&
			    !(in[s + 1] >= 0xd0 && in[s + 1] <= 0xd7) &&
			    in[s + 1] != 0xff)
				break;
		if (s + 1 >= len)
			return (EVE_TRUNCATED);
		memcpy(out->data + o, in + p, s - p);
		o += s - p;
		p = s;
	}
	if (!frame || !scan)
		return (EVE_TRUNCATED);
	if (p != len)
		return (EVE_POLYGLOT);
	out->len = o;
	return (EVE_OK);
}

static enum evidence_error
webp_check(const unsigned char *in, size_t len, struct evidence_file *out)
{
	enum evidence_error	 e = EVE_TRUNCATED;
	size_t			 p = 12, o = 12, n, padded;
	const unsigned char	*d;
	int			 image = 0, first = 1;

	if (le32(in + 4) > len - 8)
		return (EVE_TRUNCATED);
	if (le32(in + 4) < len - 8)
		return (EVE_POLYGLOT);
	if ((out->data = malloc(len)) == NULL)
		abort();
	memcpy(out->data, in, 12);
	while (p < len) {
		if (len - p < 8)
			return (EVE_TRUNCATED);
		n = le32(in + p + 4);
		if (n > len - p - 8)
			return (EVE_TRUNCATED);
		padded = n + (n & 1);
		if (padded > len - p - 8)
			return (EVE_TRUNCATED);
		d = in + p + 8;
		if (first) {
			/* The first chunk gives the size of the picture. */
			if (memcmp(in + p, "VP8X", 4) == 0 && n >= 10)
				e = dimensions(1 + ((uint64_t)d[4] |
				    (uint64_t)d[5] << 8 | (uint64_t)d[6] << 16),
				    1 + ((uint64_t)d[7] | (uint64_t)d[8] << 8 |
				    (uint64_t)d[9] << 16), out);
			else if (memcmp(in + p, "VP8 ", 4) == 0 && n >= 10 &&
			    d[3] == 0x9d && d[4] == 0x01 && d[5] == 0x2a)
				e = dimensions((d[6] | d[7] << 8) & 0x3fff,
				    (d[8] | d[9] << 8) & 0x3fff, out);
			else if (memcmp(in + p, "VP8L", 4) == 0 && n >= 5 &&
			    d[0] == 0x2f)
				e = dimensions(1 + ((d[1] | d[2] << 8) & 0x3fff),
				    1 + (((d[2] >> 6) | d[3] << 2 |
				    (d[4] & 0x0f) << 10) & 0x3fff), out);
			if (e != EVE_OK)
				return (e);
			first = 0;
		}
		if (memcmp(in + p, "VP8 ", 4) == 0 ||
		    memcmp(in + p, "VP8L", 4) == 0 ||
		    memcmp(in + p, "ANMF", 4) == 0)
			image = 1;
		if (memcmp(in + p, "VP8X", 4) == 0 ||
		    memcmp(in + p, "VP8 ", 4) == 0 ||
		    memcmp(in + p, "VP8L", 4) == 0 ||
		    memcmp(in + p, "ALPH", 4) == 0 ||
		    memcmp(in + p, "ANIM", 4) == 0 ||
		    memcmp(in + p, "ANMF", 4) == 0 ||
		    memcmp(in + p, "ICCP", 4) == 0) {
			memcpy(out->data + o, in + p, padded + 8);
			/* No Exif or XMP any more: their flags go too. */
			if (memcmp(in + p, "VP8X", 4) == 0)
				out->data[o + 8] &= (unsigned char)~0x0c;
			o += padded + 8;
		}
		p += padded + 8;
	}
	if (!image)
		return (EVE_TRUNCATED);
	put_le32(out->data + 4, (uint32_t)(o - 8));
	out->len = o;
	return (EVE_OK);
}

static enum evidence_error
pdf_check(const unsigned char *in, size_t len, struct evidence_file *out)
{
	size_t	 end = len;

	if (len < 8 || in[5] < '1' || in[5] > '2' || in[6] != '.')
		return (EVE_TRUNCATED);
	/* Its last line is %%EOF, maybe followed by white space. */
	while (end > 0 && (in[end - 1] == '\n' || in[end - 1] == '\r' ||
	    in[end - 1] == ' ' || in[end - 1] == '\t' || in[end - 1] == 0))
		end--;
	if (end < 5 || memcmp(in + end - 5, "%%EOF", 5) != 0)
		return (EVE_TRUNCATED);
	if ((out->data = malloc(len)) == NULL)
		abort();
	memcpy(out->data, in, len);
	out->len = len;
	return (EVE_OK);
}

static enum evidence_error
text_check(const unsigned char *in, size_t len, struct evidence_file *out)
{
	size_t	 i;

	if (!utf8_valid((const char *)in, len))
		return (EVE_TYPE);
	for (i = 0; i < len; i++)
		if ((in[i] < 0x20 && in[i] != '\t' && in[i] != '\n' &&
		    in[i] != '\r' && in[i] != '\f') || in[i] == 0x7f)
			return (EVE_TYPE);
	if ((out->data = malloc(len)) == NULL)
		abort();
	memcpy(out->data, in, len);
	out->len = len;
	return (EVE_OK);
}

/* Whether a second format shows anywhere in the bytes. */
static int
polyglot(const unsigned char *in, size_t len, int pdf_too)
{
	size_t	 i, k, m;

	for (k = 0; k < sizeof(polyglot_marks) / sizeof(polyglot_marks[0]);
	    k++) {
		m = strlen(polyglot_marks[k]);
		if (!pdf_too && polyglot_marks[k][0] == '%')
			continue;
		for (i = 0; i + m <= len; i++)
			if ((in[i] == '<' || in[i] == '%') &&
			    strncasecmp((const char *)in + i,
			    polyglot_marks[k], m) == 0)
				return (1);
	}
	return (0);
}

enum evidence_error
evidence_check(const unsigned char *in, size_t len, struct evidence_file *out)
{
	enum evidence_error	 e;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return (EVE_EMPTY);
	if (len > EVIDENCE_MAX_TOTAL)
		return (EVE_TOO_LARGE);
	if (len >= 8 && memcmp(in, "\x89PNG\r\n\x1a\n", 8) == 0)
		out->kind = EV_PNG;
	else if (len >= 3 && in[0] == 0xff && in[1] == 0xd8 && in[2] == 0xff)
		out->kind = EV_JPEG;
	else if (len >= 12 && memcmp(in, "RIFF", 4) == 0 &&
	    memcmp(in + 8, "WEBP", 4) == 0)
		out->kind = EV_WEBP;
	else if (len >= 5 && memcmp(in, "%PDF-", 5) == 0)
		out->kind = EV_PDF;
	else
		out->kind = EV_TEXT;
	if (out->kind != EV_PDF && polyglot(in, len, 1))
		e = EVE_POLYGLOT;
	else switch (out->kind) {
	case EV_PNG:
		e = png_check(in, len, out);
		break;
	case EV_JPEG:
		e = jpeg_check(in, len, out);
		break;
	case EV_WEBP:
		e = webp_check(in, len, out);
		break;
	case EV_PDF:
		e = pdf_check(in, len, out);
		break;
	default:
		e = text_check(in, len, out);
		break;
	}
	if (e != EVE_OK)
		evidence_file_free(out);
	return (e);
}
