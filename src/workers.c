/*
 * Each Kore worker's connections: a tick that lets Kore enforce connection
 * timeouts on a quiet worker, new connections spread evenly over the
 * workers, a check that the descriptor limit covers the configured
 * connections, and a count of the requests each worker answered.
 */

#include <sys/mman.h>
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

/*
 * Kore's worker loop (kore_worker_entry in worker.c) checks connection
 * timeouts (kore_connection_check_timeout: http_header_timeout,
 * http_body_timeout and the keep-alive idle timer) at most every 500 ms,
 * but only after epoll_wait returns, and it waits until the next kore_timer
 * is due, or for ever when there is none and no request is in progress
 * (netwait is 100 ms only while http_request_count > 0).  A worker holding
 * only idle connections therefore sleeps until some socket event or timer
 * wakes it: a silent connection or a stalled body was closed after a minute
 * or more on the public side, and in time on the back office only because
 * its audit sealer's timer wakes it every second.  A repeating timer in
 * every worker bounds the wait: each connection is closed at most about a
 * second (this tick plus Kore's 500 ms between checks) after its timeout.
 */
#define TICK_MS		500

/*
 * Descriptors a worker needs besides its client connections: the listener,
 * the message pipes to the parent, epoll, the log, task socket pairs.
 */
#define FD_SPARE	64

/*
 * Kore hands new connections to whichever worker holds its accept lock,
 * and a worker keeps the lock until it is full (or has taken
 * worker_accept_threshold in one go); when it lets go, every worker races
 * for it, and one of them tends to win again and again.  Keep-alive
 * connections stay where they landed: all 8 on one worker, 64 split
 * anywhere from 32/32 to 64/0, and a worker with more has its own database
 * connections and its own line for them, so the slowest answers come from
 * the fuller one.  (worker_accept_threshold 1 only makes the race more
 * frequent: 63/1 was still seen.)
 *
 * So each worker publishes how many connections it holds, in memory shared
 * by all workers, and one that holds SPREAD_SLACK more than the least
 * loaded lowers its own worker_max_connections to what it holds: Kore then
 * makes it give up the accept lock and not take it again.  The check runs
 * on every accepted connection (the listener's connect callback, which then
 * sets the connection up for HTTP exactly as Kore does), on the tick and on
 * each answer; a worker that stops accepting tells the others to look
 * again, so that one of them always may.
 */
#define SPREAD_SLACK	1
#define SPREAD_SLOTS	256

static volatile u_int32_t	*held;		/* by worker id, shared */
static u_int32_t		 conn_limit;	/* as configured */

static u_int64_t		requests;
static volatile sig_atomic_t	report;

/* Publishes what this worker holds; caps it when it holds too many. */
static void
spread(u_int32_t mine)
{
	u_int32_t	id, n, least = UINT32_MAX;

	if (held == NULL || worker == NULL || worker->id >= SPREAD_SLOTS)
		return;
	held[worker->id] = mine;
	n = worker_count - KORE_WORKER_BASE;
	for (id = 1; id <= n && id < SPREAD_SLOTS; id++)
		if (id != worker->id && held[id] < least)
			least = held[id];
	if (least == UINT32_MAX)
		return;		/* the only worker */
	if (mine >= least + SPREAD_SLACK && mine < conn_limit) {
		if (worker_max_connections != mine)
			kore_msg_send(KORE_MSG_WORKER_ALL, MSG_SPREAD, NULL, 0);
		worker_max_connections = mine;
	} else
		worker_max_connections = conn_limit;
}

static void
on_spread(struct kore_msg *msg, const void *data)
{
	spread(worker_active_connections);
}

/*
 * The listener's connect callback (bind ... workers_accepted): sets the
 * connection up for HTTP as Kore does for a listener without a callback
 * (kore_connection_accept), then counts it; Kore adds it to
 * worker_active_connections only after this returns.
 */
void
workers_accepted(struct connection *c)
{
	c->proto = CONN_PROTO_HTTP;
	if (http_keepalive_time != 0)
		c->idle_timer.length = http_keepalive_time * 1000;
	net_recv_queue(c, http_header_max, NETBUF_CALL_CB_ALWAYS,
	    http_header_recv);
	spread(worker_active_connections + 1);
}

static void
tick(void *arg, u_int64_t now)
{
	spread(worker_active_connections);
	if (report) {
		report = 0;
		kore_log(LOG_NOTICE, "worker %u answered %llu requests",
		    worker != NULL ? worker->id : 0,
		    (unsigned long long)requests);
	}
}

/* SIGUSR2 asks each worker for its request count (make bench sends it). */
static void
on_report(int sig)
{
	report = 1;
}

/*
 * In the parent, after Kore read the configuration and before it starts the
 * workers: the shared table of connections held.  Every worker gets
 * worker_rlimit_nofiles descriptors, which must hold worker_max_connections
 * clients and the database connections.  Kore's default (768 plus what is
 * open at start) is below its own default of 1024 connections: a worker
 * that runs out refuses nothing, it keeps the accept lock and spins on
 * accept() failing while every new connection waits.
 */
void
workers_init(void)
{
	struct rlimit	 rl;
	u_int64_t	 need;
	void		*p;

	p = mmap(NULL, SPREAD_SLOTS * sizeof(*held), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fatal("mmap: %s", errno_s);
	held = p;

	need = (u_int64_t)worker_max_connections + pgsql_conn_max + FD_SPARE;
	if (worker_rlimit_nofiles < need)
		fatal("worker_rlimit_nofiles %u is below worker_max_connections"
		    " + pgsql_conn_max + %d = %llu", worker_rlimit_nofiles,
		    FD_SPARE, (unsigned long long)need);
	/* Without privileges the workers cannot raise their hard limit. */
	if (geteuid() != 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_max != RLIM_INFINITY && rl.rlim_max < worker_rlimit_nofiles)
		fatal("the hard limit of open files (%llu) is below "
		    "worker_rlimit_nofiles %u", (unsigned long long)rl.rlim_max,
		    worker_rlimit_nofiles);
}

/* In each worker. */
void
workers_start(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_report;
	if (sigfillset(&sa.sa_mask) == -1 ||
	    sigaction(SIGUSR2, &sa, NULL) == -1)
		fatal("sigaction: %s", errno_s);
	kore_timer_add(tick, TICK_MS, NULL, 0);
	conn_limit = worker_max_connections;
	if (!kore_msg_register(MSG_SPREAD, on_spread))
		fatal("could not register the spread message");
	spread(worker_active_connections);
}

/* Every answer the module makes (rt_security_headers). */
void
workers_count_request(void)
{
	requests++;
	spread(worker_active_connections);
}
