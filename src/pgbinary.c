/*
 * PostgreSQL's binary formats for what we send as binary parameters, for
 * the module and the tools alike.
 */

#include <arpa/inet.h>

#include <stdint.h>

#include "recourse.h"

/*
 * A bytea[] in PostgreSQL's binary array format (network byte order):
 * dimensions, no nulls, element type bytea (OID 17), then each element's
 * length and bytes.  Files go to the server as they are, never as hex.
 */
void
pg_bytea_array(struct sbuf *b, unsigned char *const *items, const size_t *lens,
    size_t n)
{
	uint32_t	 head[5];
	uint32_t	 len;
	size_t		 i;

	head[0] = htonl(n > 0 ? 1 : 0);
	head[1] = htonl(0);
	head[2] = htonl(17);
	head[3] = htonl((uint32_t)n);
	head[4] = htonl(1);
	sbuf_add(b, (const char *)head, n > 0 ? sizeof(head) :
	    3 * sizeof(head[0]));
	for (i = 0; i < n; i++) {
		len = htonl((uint32_t)lens[i]);
		sbuf_add(b, (const char *)&len, sizeof(len));
		sbuf_add(b, (const char *)items[i], lens[i]);
	}
}

