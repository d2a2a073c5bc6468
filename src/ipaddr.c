/*
 * Client addresses parsed strictly and normalised (pure): one spelling per
 * client, so that a throttle keyed on the address cannot be dodged by
 * writing the same address another way, and the list of trusted proxies.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "recourse.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* An IPv6 address that is an IPv4 one in disguise counts as that one. */
static void
ipaddr_set6(struct ipaddr *a, const unsigned char b[16])
{
	memset(a, 0, sizeof(*a));
	if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
		a->family = AF_INET;
		memcpy(a->bytes, b + 12, 4);
	} else {
		a->family = AF_INET6;
		memcpy(a->bytes, b, 16);
	}
}

/*
 * Parses an address as inet_pton does (dotted quad without leading zeros,
 * or IPv6 text; no spaces, no zone, no prefix).  Returns 0 for anything
 * else.
 */
int
ipaddr_parse(const char *text, struct ipaddr *out)
{
	unsigned char	 b[16];

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, b) == 1) {
		out->family = AF_INET;
		memcpy(out->bytes, b, 4);
		return (1);
	}
	if (inet_pton(AF_INET6, text, b) == 1) {
		ipaddr_set6(out, b);
		return (1);
	}
	return (0);
}

/* A socket's peer: 'addr' is a struct in_addr or in6_addr. */
int
ipaddr_from_socket(int family, const void *addr, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->bytes, addr, 4);
		return (1);
	}
	if (family == AF_INET6) {
		ipaddr_set6(out, addr);
		return (1);
	}
	return (0);
}

/*
 * The text that stands for the client: an IPv4 address whole, an IPv6
 * address reduced to its /64, which one subscriber usually holds entirely
 * and could otherwise take a new address from for every attempt.
 */
void
ipaddr_client_key(const struct ipaddr *a, char *buf, size_t size)
{
	unsigned char	 b[16];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (a->family == AF_INET) {
		(void)inet_ntop(AF_INET, a->bytes, buf, (socklen_t)size);
	} else if (a->family == AF_INET6) {
		memcpy(b, a->bytes, 8);
		memset(b + 8, 0, 8);
		(void)inet_ntop(AF_INET6, b, buf, (socklen_t)size);
	}
}

/* A prefix length: 0 to max, decimal, no sign, no leading zero. */
static int
prefix_bits(const char *s, int max)
{
	char	*end;
	long	 n;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0'))
		return (-1);
	n = strtol(s, &end, 10);
	if (*end != '\0' || n > max)
		return (-1);
	return ((int)n);
}

/* One list entry, "address" or "address/bits", already trimmed. */
static int
ipnet_parse(char *text, struct ipnet *out)
{
	char	*slash;
	int	 bits, v6;

	if ((slash = strchr(text, '/')) != NULL)
		*slash++ = '\0';
	v6 = strchr(text, ':') != NULL;
	if (!ipaddr_parse(text, &out->addr))
		return (0);
	if (slash == NULL) {
		out->bits = out->addr.family == AF_INET ? 32 : 128;
		return (1);
	}
	if ((bits = prefix_bits(slash, v6 ? 128 : 32)) < 0)
		return (0);
	/* ::ffff:10.0.0.0/104 is 10.0.0.0/8. */
	if (v6 && out->addr.family == AF_INET) {
		if (bits < 96)
			return (0);
		bits -= 96;
	}
	out->bits = bits;
	return (1);
}

/*
 * Parses a comma-separated list of addresses and CIDR ranges (spaces
 * around entries allowed); empty means none.  Returns 0 when an entry is
 * not valid or there are more than IPADDR_LIST_MAX.
 */
int
ipnet_list_parse(const char *spec, struct ipnet_list *out)
{
	char	*copy, *p, *entry, *end;
	int	 ok = 1;

	memset(out, 0, sizeof(*out));
	if (spec == NULL || spec[strspn(spec, " \t")] == '\0')
		return (1);
	if ((copy = strdup(spec)) == NULL)
		return (0);
	for (p = copy; ok && p != NULL; ) {
		entry = p;
		if ((p = strchr(p, ',')) != NULL)
			*p++ = '\0';
		entry += strspn(entry, " \t");
		end = entry + strlen(entry);
		while (end > entry && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		ok = out->count < IPADDR_LIST_MAX &&
		    ipnet_parse(entry, &out->net[out->count]);
		if (ok)
			out->count++;
	}
	free(copy);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return (ok);
}

static int
ipnet_has(const struct ipnet *n, const struct ipaddr *a)
{
	int		 full, rest;
	unsigned char	 mask;

	if (n->addr.family != a->family)
		return (0);
	full = n->bits / 8;
	rest = n->bits % 8;
	if (memcmp(n->addr.bytes, a->bytes, (size_t)full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = (unsigned char)(0xff << (8 - rest));
	return ((n->addr.bytes[full] & mask) == (a->bytes[full] & mask));
}

/* Whether the address is in one of the list's ranges. */
int
ipnet_list_has(const struct ipnet_list *l, const struct ipaddr *a)
{
	size_t	 i;

	for (i = 0; i < l->count; i++)
		if (ipnet_has(&l->net[i], a))
			return (1);
	return (0);
}
