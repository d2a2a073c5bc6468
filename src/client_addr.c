/*
 * The client's address, used only to derive a short-lived throttle
 * pseudonym: the peer's, or the one in X-Real-IP when the peer is a proxy
 * named in RECOURSE_TRUSTED_PROXIES.  It is never logged or stored.
 */

#include <arpa/inet.h>

#include "app.h"

/*
 * Returns the client's address as one canonical text (IPv6 as its /64),
 * or NULL having answered 400 when a trusted proxy sent an X-Real-IP that
 * is not an address: falling back to the proxy's own address would put
 * every client behind it on one allowance, and nginx always sends a valid
 * one, so this is a broken set-up to fix, not a client to guess at.
 */
const char *
rt_client_address(struct http_request *req)
{
	static char	 buf[IPADDR_KEY_MAX];
	struct ipaddr	 peer, real;
	const char	*header;
	const void	*sa;

	buf[0] = '\0';
	sa = req->owner->family == AF_INET ?
	    (const void *)&req->owner->addr.ipv4.sin_addr :
	    (const void *)&req->owner->addr.ipv6.sin6_addr;
	/* A unix socket has no address: its clients share one allowance. */
	if (!ipaddr_from_socket(req->owner->family, sa, &peer))
		return (buf);
	if (ipnet_list_has(&app.trusted_proxies, &peer) &&
	    http_request_header(req, "x-real-ip", &header)) {
		if (!ipaddr_parse(header, &real)) {
			kore_log(LOG_NOTICE, "a trusted proxy sent an "
			    "X-Real-IP that is not an address");
			rt_error(req, 400, "Bad request", "The proxy in front "
			    "of this service sent an invalid client address.");
			return (NULL);
		}
		peer = real;
	}
	ipaddr_client_key(&peer, buf, sizeof(buf));
	return (buf);
}
