/* Client addresses: strict parsing, one key per client whatever the spelling, and trusted-proxy lists with CIDR ranges. */

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "recourse.h"

#define N(t)	(sizeof(t) / sizeof((t)[0]))

static void
check_key(const char *text, const char *want)
{
	struct ipaddr	 a;
	char		 key[IPADDR_KEY_MAX];

	if (!ipaddr_parse(text, &a))
		fail_msg("%s: refused, want %s", text, want);
	ipaddr_client_key(&a, key, sizeof(key));
	if (strcmp(key, want) != 0)
		fail_msg("%s: key %s, want %s", text, key, want);
}

/* Every spelling of one client gives the same key. */
static void
test_spellings_share_a_key(void **state)
{
	static const struct { const char *in, *key; } t[] = {
		{ "203.0.113.7", "203.0.113.7" },
		{ "::ffff:203.0.113.7", "203.0.113.7" },
		{ "::FFFF:203.0.113.7", "203.0.113.7" },
		{ "0:0:0:0:0:ffff:cb00:7107", "203.0.113.7" },
		{ "0000:0000:0000:0000:0000:FFFF:CB00:7107", "203.0.113.7" },
		{ "2001:db8::1", "2001:db8::" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::" },
		{ "2001:db8:0:0:ffff:ffff:ffff:ffff", "2001:db8::" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::" },
		{ "::1", "::" },
		{ "127.0.0.1", "127.0.0.1" },
	};
	size_t	 i;

	for (i = 0; i < N(t); i++)
		check_key(t[i].in, t[i].key);
}

/* Anything inet_pton would not take is not an address. */
static void
test_malformed_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "203.0.113.07", "0203.0.113.7", "203.0.113", "1.2.3.4.5",
		"203.0.113.256", "0x cb.0.113.7", "0xcb.0.113.7", "203.0.113.7 ",
		" 203.0.113.7", "203.0.113.7\n", "203.0.113.7,198.51.100.1",
		"fe80::1%eth0", "2001:db8::/64", "203.0.113.7/32", "2001:db8:::1",
		"2001:db8::1::2", "example.org", "unknown", "-1.0.0.0",
		"1.2.3.4:80", "[2001:db8::1]",
	};
	struct ipaddr	 a;
	size_t		 i;

	for (i = 0; i < N(bad); i++)
		if (ipaddr_parse(bad[i], &a))
			fail_msg("\"%s\" was taken for an address", bad[i]);
}

/* A socket peer in IPv4-mapped form is the IPv4 address. */
static void
test_socket_peer(void **state)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	struct ipaddr	 a, b;

	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6), 1);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &a4), 1);
	assert_true(ipaddr_from_socket(AF_INET6, &a6, &a));
	assert_true(ipaddr_from_socket(AF_INET, &a4, &b));
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_false(ipaddr_from_socket(AF_UNIX, &a4, &a));
}

static int
list_has(const struct ipnet_list *l, const char *text)
{
	struct ipaddr	 a;

	if (!ipaddr_parse(text, &a))
		fail_msg("%s: not an address", text);
	return (ipnet_list_has(l, &a));
}

static void
test_proxy_list(void **state)
{
	struct ipnet_list	 l;

	assert_true(ipnet_list_parse("127.0.0.1, 10.1.0.0/16,::1,"
	    "2001:db8:aa::/48 , 192.0.2.128/25", &l));
	assert_int_equal(l.count, 5);
	assert_true(list_has(&l, "127.0.0.1"));
	assert_true(list_has(&l, "::ffff:127.0.0.1"));
	assert_false(list_has(&l, "127.0.0.2"));
	assert_true(list_has(&l, "10.1.255.3"));
	assert_false(list_has(&l, "10.2.0.1"));
	assert_true(list_has(&l, "::1"));
	assert_false(list_has(&l, "::2"));
	assert_true(list_has(&l, "2001:db8:aa:ffff::1"));
	assert_false(list_has(&l, "2001:db8:ab::1"));
	assert_true(list_has(&l, "192.0.2.129"));
	assert_false(list_has(&l, "192.0.2.127"));

	/* A mapped range is the IPv4 range. */
	assert_true(ipnet_list_parse("::ffff:10.0.0.0/104", &l));
	assert_true(list_has(&l, "10.200.0.1"));
	assert_false(list_has(&l, "11.0.0.1"));

	/* /0 is everything of that family, and nothing of the other. */
	assert_true(ipnet_list_parse("0.0.0.0/0", &l));
	assert_true(list_has(&l, "198.51.100.1"));
	assert_false(list_has(&l, "2001:db8::1"));
}

/* Empty (the default) trusts nobody; a bad entry is refused whole. */
static void
test_proxy_list_edges(void **state)
{
	static const char *const bad[] = {
		"localhost", "127.0.0.1,", ",127.0.0.1", "127.0.0.1,,::1",
		"127.0.0.1/33", "::1/129", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/-1",
		"10.0.0.0/8/8", "::ffff:10.0.0.0/95", "127.0.0.01", "127.0.0.1 ::1",
	};
	struct ipnet_list	 l;
	char			 many[2048];
	size_t			 i;

	assert_true(ipnet_list_parse(NULL, &l));
	assert_int_equal(l.count, 0);
	assert_true(ipnet_list_parse("", &l));
	assert_int_equal(l.count, 0);
	assert_true(ipnet_list_parse("  ", &l));
	assert_int_equal(l.count, 0);
	assert_false(list_has(&l, "127.0.0.1"));
	for (i = 0; i < N(bad); i++)
		if (ipnet_list_parse(bad[i], &l) || l.count != 0)
			fail_msg("\"%s\" was taken for a proxy list", bad[i]);

	many[0] = '\0';
	for (i = 0; i < IPADDR_LIST_MAX; i++)
		(void)snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%s10.0.0.%zu", i ? "," : "", i);
	assert_true(ipnet_list_parse(many, &l));
	assert_int_equal(l.count, IPADDR_LIST_MAX);
	(void)snprintf(many + strlen(many), sizeof(many) - strlen(many),
	    ",10.0.1.1");
	assert_false(ipnet_list_parse(many, &l));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings_share_a_key),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_socket_peer),
		cmocka_unit_test(test_proxy_list),
		cmocka_unit_test(test_proxy_list_edges),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
