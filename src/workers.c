/*
 * Each Kore worker's connections: a tick that lets Kore enforce connection
 * timeouts on a quiet worker, a check that the descriptor limit covers the
 * configured connections, and a count of the requests each worker answered.
 */

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

static u_int64_t		requests;
static volatile sig_atomic_t	report;

static void
tick(void *arg, u_int64_t now)
{
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
 * In the parent, after Kore read the configuration: every worker gets
 * worker_rlimit_nofiles descriptors, which must hold worker_max_connections
 * clients and the database connections.  Kore's default (768 plus what is
 * open at start) is below its own default of 1024 connections: a worker
 * that runs out refuses nothing, it keeps the accept lock and spins on
 * accept() failing while every new connection waits.
 */
void
workers_check_limits(void)
{
	struct rlimit	 rl;
	u_int64_t	 need;

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
}

/* Every answer the module makes (rt_security_headers). */
void
workers_count_request(void)
{
	requests++;
}
