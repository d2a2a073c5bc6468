/*
 * A QR code drawn as inline SVG (libqrencode for the modules): one <path>,
 * so the page's strict Content-Security-Policy needs no image source.
 */

#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "recourse.h"

/* The white border, in modules, that the standard asks for. */
#define QRSVG_QUIET	4

/*
 * Appends an <svg> with role="img" and 'label' as its accessible name, or
 * returns 0 (nothing appended) when 'text' cannot be encoded.  Each run
 * of dark modules in a row is one rectangle of the path, in module units;
 * the page's CSS sets the size and the white background.
 */
int
qrsvg_render(struct sbuf *out, const char *text, const char *label)
{
	QRcode		*qr;
	int		 x, y, run, w, size;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL)
		return (0);
	w = qr->width;
	size = w + 2 * QRSVG_QUIET;
	sbuf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"qr\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "shape-rendering=\"crispEdges\" aria-label=\"", size, size);
	html_attrs(out, label);
	sbuf_adds(out, "\"><path fill=\"#000\" d=\"");
	for (y = 0; y < w; y++) {
		for (x = 0; x < w; x += run) {
			run = 0;
			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			sbuf_printf(out, "M%d %dh%dv1h-%dz", x + QRSVG_QUIET,
			    y + QRSVG_QUIET, run, run);
		}
	}
	sbuf_adds(out, "\"/></svg>");
	QRcode_free(qr);
	return (1);
}
