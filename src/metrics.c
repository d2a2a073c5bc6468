/*
 * Request counters shared by every worker of an instance: each answer's
 * route group, status and latency, counted in memory mapped before the
 * workers fork, and written out in the Prometheus text format.
 */

#include <sys/mman.h>
#include <sys/queue.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "app.h"

/*
 * Route groups: a fixed set named after the handler a route calls, never
 * after the path, which may hold a case reference or a set-up token.
 */
static const char *const groups[] = { "public_form", "track", "api_public",
    "review", "admin", "staff_api", "account", "static", "health",
    "metrics", "other" };
#define NROUTEGROUPS		(sizeof(groups) / sizeof(groups[0]))
#define G_OTHER		(NROUTEGROUPS - 1)

static const struct {
	const char	*handler;
	unsigned	 group;
} handler_groups[] = {
	{ "rt_home", 0 }, { "rt_privacy", 0 }, { "rt_complaint_form", 0 },
	{ "rt_complaint_post", 0 },
	{ "rt_track", 1 }, { "rt_track_reply", 1 }, { "rt_track_appeal", 1 },
	{ "rt_api_complaints", 2 }, { "rt_api_track", 2 },
	{ "rt_api_taxonomy", 2 }, { "rt_openapi", 2 },
	{ "rt_review_home", 3 }, { "rt_review_case", 3 }, { "rt_refusals", 3 },
	{ "rt_admin", 4 },
	{ "rt_api_cases", 5 }, { "rt_api_case", 5 },
	{ "rt_account", 6 }, { "rt_account_password", 6 },
	{ "rt_account_tokens", 6 }, { "rt_login", 6 }, { "rt_logout", 6 },
	{ "rt_setup", 6 },
	{ "rt_asset", 7 },
	{ "rt_healthz", 8 }, { "rt_readyz", 8 },
	{ "rt_metrics", 9 },
};

/* Statuses counted on their own; any other is counted as "other". */
static const int codes[] = { 200, 201, 204, 301, 302, 303, 304, 400, 401,
    403, 404, 405, 406, 408, 409, 410, 411, 413, 414, 415, 422, 429, 500,
    501, 502, 503, 504 };
#define NCODES		(sizeof(codes) / sizeof(codes[0]) + 1)

/* Upper bounds of the latency buckets, in microseconds; then +Inf. */
static const u_int64_t bounds_us[] = { 1000, 2500, 5000, 10000, 25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000 };
static const char *const bounds_text[] = { "0.001", "0.0025", "0.005",
    "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10" };
#define NBOUNDS		(sizeof(bounds_us) / sizeof(bounds_us[0]))

#define WORKER_SLOTS	64

/*
 * One mapping for the whole instance.  Each bucket counts the answers whose
 * latency fell in it alone (not cumulatively), so that one atomic add
 * records an answer and a reader sums the buckets into a consistent count.
 */
struct metrics_shared {
	u_int64_t	bucket[NROUTEGROUPS][NCODES][NBOUNDS + 1];
	u_int64_t	sum_us[NROUTEGROUPS][NCODES];
	u_int64_t	by_worker[WORKER_SLOTS];
};

static struct metrics_shared	*shm;

/*
 * Kore calls a route's handler through its runtime (kore_runtime_call):
 * each handler's call is replaced by one to metered(), which times the
 * handler from its first call to the call that answers, over every
 * KORE_RESULT_RETRY in between.  The replacement is allocated as Kore
 * allocates its own, since a module reload frees and rebuilds them.
 */
struct metered {
	struct kore_runtime_call	 call;	/* first: Kore frees this */
	int				(*handler)(struct http_request *);
	unsigned			 group;
};

/* Requests that returned KORE_RESULT_RETRY: when they began. */
struct inflight {
	struct http_request	*req;
	u_int64_t		 start;
	void			(*chained)(struct http_request *);
	LIST_ENTRY(inflight)	 link;
};

#define INFLIGHT_BUCKETS	256
static LIST_HEAD(, inflight)	inflight[INFLIGHT_BUCKETS];

static int		metered_request(void *, struct http_request *);
static struct kore_runtime	metered_runtime;

static u_int64_t
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((u_int64_t)ts.tv_sec * 1000000 + (u_int64_t)ts.tv_nsec / 1000);
}

static unsigned
code_index(int status)
{
	unsigned	 i;

	for (i = 0; i < NCODES - 1; i++)
		if (codes[i] == status)
			return (i);
	return (NCODES - 1);
}

static void
observe(unsigned group, int status, u_int64_t us)
{
	unsigned	 c, b;

	c = code_index(status);
	for (b = 0; b < NBOUNDS && us > bounds_us[b]; b++)
		;
	__atomic_fetch_add(&shm->bucket[group][c][b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shm->sum_us[group][c], us, __ATOMIC_RELAXED);
	if (worker != NULL && worker->id < WORKER_SLOTS)
		__atomic_fetch_add(&shm->by_worker[worker->id], 1,
		    __ATOMIC_RELAXED);
}

static struct inflight *
inflight_find(struct http_request *req, unsigned *slot)
{
	struct inflight	*e;

	*slot = (unsigned)(((uintptr_t)req >> 4) % INFLIGHT_BUCKETS);
	LIST_FOREACH(e, &inflight[*slot], link)
		if (e->req == req)
			return (e);
	return (NULL);
}

/*
 * Kore frees a request that is still waiting when its client goes: the
 * entry goes with it (unanswered, it is not counted), and whatever free
 * callback the handler had set runs as it would have.
 */
static void
inflight_onfree(struct http_request *req)
{
	struct inflight	*e;
	unsigned	 slot;
	void		(*chained)(struct http_request *) = NULL;

	if ((e = inflight_find(req, &slot)) != NULL) {
		chained = e->chained;
		LIST_REMOVE(e, link);
		kore_free(e);
	}
	req->onfree = chained;
	if (chained != NULL)
		chained(req);
}

static int
metered_request(void *addr, struct http_request *req)
{
	struct metered	*m = addr;
	struct inflight	*e;
	u_int64_t	 start;
	unsigned	 slot;
	int		 r;

	e = inflight_find(req, &slot);
	start = e != NULL ? e->start : now_us();
	r = m->handler(req);
	if (r == KORE_RESULT_RETRY) {
		if (e == NULL) {
			e = kore_calloc(1, sizeof(*e));
			e->req = req;
			e->start = start;
			LIST_INSERT_HEAD(&inflight[slot], e, link);
		}
		/* The handler may have set (or reset) its own callback. */
		if (req->onfree != inflight_onfree) {
			e->chained = req->onfree;
			req->onfree = inflight_onfree;
		}
		return (r);
	}
	if (shm != NULL)
		observe(m->group, req->status, now_us() - start);
	if (e != NULL) {
		if (req->onfree == inflight_onfree)
			req->onfree = e->chained;
		LIST_REMOVE(e, link);
		kore_free(e);
	}
	return (r);
}

static unsigned
group_of(const char *handler)
{
	size_t	 i;

	for (i = 0; i < sizeof(handler_groups) / sizeof(handler_groups[0]);
	    i++)
		if (strcmp(handler_groups[i].handler, handler) == 0)
			return (handler_groups[i].group);
	return (G_OTHER);
}

/*
 * Puts metered() in front of every native handler not yet behind it:
 * at start, and again after a module reload has rebuilt the calls.
 */
static void
metrics_wrap(void)
{
	struct kore_server		*srv;
	struct kore_domain		*dom;
	struct kore_module_handle	*hdlr;
	struct metered			*m;

	LIST_FOREACH(srv, &kore_servers, list) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			TAILQ_FOREACH(hdlr, &dom->handlers, list) {
				if (hdlr->rcall == NULL || hdlr->rcall->runtime
				    != &kore_native_runtime)
					continue;
				m = kore_malloc(sizeof(*m));
				m->handler = (int (*)(struct http_request *))
				    hdlr->rcall->addr;
				m->group = group_of(hdlr->func);
				m->call.addr = m;
				m->call.runtime = &metered_runtime;
				kore_free(hdlr->rcall);
				hdlr->rcall = &m->call;
			}
		}
	}
}

static void
metrics_tick(void *arg, u_int64_t now)
{
	metrics_wrap();
}

/* In the parent, before the workers fork: the shared counters. */
void
metrics_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fatal("mmap: %s", errno_s);
	shm = p;
}

/* In each worker. */
void
metrics_start(void)
{
	size_t	 i;

	for (i = 0; i < INFLIGHT_BUCKETS; i++)
		LIST_INIT(&inflight[i]);
	metered_runtime = kore_native_runtime;
	metered_runtime.http_request = metered_request;
	metrics_wrap();
	/* A reload (SIGHUP) rebuilds the calls: wrap them again. */
	kore_timer_add(metrics_tick, 1000, NULL, 0);
}

static u_int64_t
load(const u_int64_t *p)
{
	return (__atomic_load_n(p, __ATOMIC_RELAXED));
}

static void
code_text(unsigned c, char *out, size_t size)
{
	if (c < NCODES - 1)
		(void)snprintf(out, size, "%d", codes[c]);
	else
		(void)snprintf(out, size, "other");
}

#define DURATION	"recourse_http_request_duration_seconds"

/* One group and status: its count, and its histogram into 'hist'. */
static void
write_series(struct sbuf *b, struct sbuf *hist, unsigned g, unsigned c)
{
	u_int64_t	 n[NBOUNDS + 1], total, cum, sum;
	unsigned	 k;
	char		 lab[64];

	for (k = 0, total = 0; k <= NBOUNDS; k++)
		total += n[k] = load(&shm->bucket[g][c][k]);
	if (total == 0)
		return;
	sum = load(&shm->sum_us[g][c]);
	(void)snprintf(lab, sizeof(lab), "group=\"%s\",code=\"", groups[g]);
	code_text(c, lab + strlen(lab), sizeof(lab) - strlen(lab));
	sbuf_printf(b, "recourse_http_requests_total{%s\"} %llu\n", lab,
	    (unsigned long long)total);
	for (k = 0, cum = 0; k <= NBOUNDS; k++) {
		cum += n[k];
		sbuf_printf(hist, DURATION "_bucket{%s\",le=\"%s\"} %llu\n",
		    lab, k < NBOUNDS ? bounds_text[k] : "+Inf",
		    (unsigned long long)cum);
	}
	sbuf_printf(hist, DURATION "_sum{%s\"} %llu.%06llu\n", lab,
	    (unsigned long long)(sum / 1000000),
	    (unsigned long long)(sum % 1000000));
	sbuf_printf(hist, DURATION "_count{%s\"} %llu\n", lab,
	    (unsigned long long)total);
}

/* The request counters and latency histograms, in the text format. */
void
metrics_write_http(struct sbuf *b)
{
	u_int64_t	 total;
	unsigned	 g, c, k;
	struct sbuf	 hist;

	if (shm == NULL)
		return;
	sbuf_init(&hist);
	sbuf_adds(b, "# HELP recourse_http_requests_total Requests answered, "
	    "by route group and status.\n"
	    "# TYPE recourse_http_requests_total counter\n");
	sbuf_adds(&hist, "# HELP " DURATION " Time from a request's handler "
	    "first running to its answer.\n"
	    "# TYPE " DURATION " histogram\n");
	for (g = 0; g < NROUTEGROUPS; g++)
		for (c = 0; c < NCODES; c++)
			write_series(b, &hist, g, c);
	sbuf_add(b, hist.data, hist.len);
	sbuf_free(&hist);

	sbuf_adds(b, "# HELP recourse_worker_requests_total Requests answered "
	    "by each worker of this instance.\n"
	    "# TYPE recourse_worker_requests_total counter\n");
	for (k = 1; k < WORKER_SLOTS; k++) {
		if ((total = load(&shm->by_worker[k])) == 0)
			continue;
		sbuf_printf(b, "recourse_worker_requests_total{worker=\"%u\"} "
		    "%llu\n", k, (unsigned long long)total);
	}
}
