/*
 * Runs one parameterised statement asynchronously on Kore's pgsql layer and
 * reports how it ended: the caller's handler returns KORE_RESULT_RETRY while
 * db_run() says DB_PENDING, and maps DB_UNAVAILABLE to 503.
 */

#include <string.h>

#include "app.h"

#define DB_NAME		"db"
/* Retries of a statement that failed for a passing reason. */
#define DB_RETRIES	4

enum { PHASE_NEW, PHASE_SETUP, PHASE_WAIT, PHASE_DONE };

/*
 * Statements wait for a connection in a line of our own, first come first
 * served.  Kore's own queue wakes its oldest waiter when a connection is
 * freed, but a request arriving in between takes the connection and the
 * woken one goes to the back: under load some requests wait many turns
 * and the slowest answers grow far beyond the average.  Here each worker
 * runs at most pgsql_conn_max statements, and a freed slot is handed
 * straight to the head of the line.
 */
static TAILQ_HEAD(, db_query)	db_line = TAILQ_HEAD_INITIALIZER(db_line);
static u_int32_t		db_line_len;
static u_int32_t		db_slots_used;

static void
db_slot_release(struct db_query *q)
{
	struct db_query	*next;

	if (q->queued) {
		TAILQ_REMOVE(&db_line, q, line);
		db_line_len--;
		q->queued = 0;
	}
	if (!q->slot)
		return;
	q->slot = 0;
	db_slots_used--;
	while (db_slots_used < pgsql_conn_max &&
	    (next = TAILQ_FIRST(&db_line)) != NULL) {
		TAILQ_REMOVE(&db_line, next, line);
		db_line_len--;
		next->queued = 0;
		next->slot = 1;
		db_slots_used++;
		http_request_wakeup(next->req);
	}
}

/*
 * Takes a slot (DB_OK), joins the line (DB_PENDING), or, when the line is
 * already pgsql_queue_limit long, refuses (DB_UNAVAILABLE): better a quick
 * 503 than a wait no client will sit through.
 */
static enum db_status
db_slot_take(struct db_query *q, struct http_request *req)
{
	if (q->slot)
		return (DB_OK);
	if (!q->queued && db_slots_used < pgsql_conn_max &&
	    TAILQ_EMPTY(&db_line)) {
		q->slot = 1;
		db_slots_used++;
		return (DB_OK);
	}
	if (!q->queued) {
		if (db_line_len >= pgsql_queue_limit) {
			kore_log(LOG_NOTICE, "could not queue a statement: "
			    "%u waiting", db_line_len);
			q->phase = PHASE_DONE;
			return (DB_UNAVAILABLE);
		}
		q->req = req;
		q->queued = 1;
		TAILQ_INSERT_TAIL(&db_line, q, line);
		db_line_len++;
	}
	http_request_sleep(req);
	return (DB_PENDING);
}

void
db_init(struct db_query *q)
{
	memset(q, 0, sizeof(*q));
	q->phase = PHASE_NEW;
}

void
db_done(struct db_query *q)
{
	if (q->phase != PHASE_NEW) {
		db_forget_dead_socket(&q->sql);
		kore_pgsql_cleanup(&q->sql);
	}
	if (q->res != NULL)
		PQclear(q->res);
	db_slot_release(q);
	db_init(q);
}

/*
 * Class 08 (connection), 53 (resources), 57P0x (shutdown, starting up),
 * 40001/40P01 (serialisation, deadlock) and 57014 (statement timeout) are
 * passing conditions: the request may be retried later.  No SQLSTATE at all
 * means the connection broke.
 */
static int
db_transient(const char *st)
{
	if (st == NULL || *st == '\0')
		return (1);
	return (strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 ||
	    strncmp(st, "57P0", 4) == 0 || strcmp(st, "40001") == 0 ||
	    strcmp(st, "40P01") == 0 || strcmp(st, "57014") == 0);
}

/*
 * How often a failed statement may be retried at once.  After PostgreSQL
 * restarts, each pooled connection (up to pgsql_conn_max per worker) fails
 * one statement, instantly and without SQLSTATE, before Kore replaces it:
 * retrying past all of them hides the restart from users.  Serialisation
 * failures and deadlocks are worth a few quick retries.  A timeout, a
 * server starting up or out of resources is not retried: it would only
 * make the user wait longer for the same 503.  Every statement we run is
 * safe to repeat (intake is idempotent).
 */
static int
db_retry_limit(const char *st)
{
	if (st == NULL || *st == '\0' || strncmp(st, "08", 2) == 0 ||
	    strcmp(st, "57P01") == 0)
		return ((int)pgsql_conn_max + 1);
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0)
		return (DB_RETRIES);
	return (0);
}

/*
 * Kore returns a connection to its pool without asking whether it still
 * works, and never opens a new one while a pooled one is free: a connection
 * that died (PostgreSQL restarted) would fail every statement for ever.
 * Reconnect it here; this blocks for at most connect_timeout.
 */
int
db_conn_usable(struct kore_pgsql *sql)
{
	if (sql->conn == NULL || sql->conn->db == NULL)
		return (0);
	if (PQstatus(sql->conn->db) == CONNECTION_OK)
		return (1);
	PQreset(sql->conn->db);
	return (PQstatus(sql->conn->db) == CONNECTION_OK);
}

/*
 * When PostgreSQL closes the connection, libpq closes the socket too, but
 * Kore still has the statement marked as scheduled and would ask epoll to
 * forget fd -1 on cleanup, which makes it exit.  The descriptor has left
 * epoll with the close already.
 */
void
db_forget_dead_socket(struct kore_pgsql *sql)
{
	if (sql->conn != NULL && sql->conn->db != NULL &&
	    PQsocket(sql->conn->db) < 0)
		sql->flags &= ~KORE_PGSQL_SCHEDULED;
}

static enum db_status
db_fail(struct db_query *q, const char *what)
{
	const char	*st = NULL;
	int		 transient;

	const char	*msg;

	msg = q->sql.error;
	if (q->sql.result != NULL) {
		st = PQresultErrorField(q->sql.result, PG_DIAG_SQLSTATE);
		/*
		 * Only the primary message: DETAIL may quote row values
		 * ("Key (...)=(...) already exists", "Failing row contains").
		 */
		msg = PQresultErrorField(q->sql.result,
		    PG_DIAG_MESSAGE_PRIMARY);
	}
	transient = db_transient(st);
	kore_log(LOG_NOTICE, "could not %s: %s%s%s", what,
	    st ? st : "no sqlstate", msg ? ": " : "", msg ? msg : "");
	db_forget_dead_socket(&q->sql);
	kore_pgsql_cleanup(&q->sql);
	q->phase = PHASE_DONE;
	return (transient ? DB_UNAVAILABLE : DB_FAILED);
}

enum db_status
db_run(struct db_query *q, struct http_request *req, const char *sql,
    int nparams, const char *const *values, const int *lengths,
    const int *formats)
{
	enum db_status	 st;
	int		 limit;

	for (;;) {
		switch (q->phase) {
		case PHASE_NEW:
			if ((st = db_slot_take(q, req)) != DB_OK)
				return (st);
			kore_pgsql_init(&q->sql);
			kore_pgsql_bind_request(&q->sql, req);
			q->phase = PHASE_SETUP;
			/* FALLTHROUGH */
		case PHASE_SETUP:
			if (!kore_pgsql_setup(&q->sql, DB_NAME,
			    KORE_PGSQL_ASYNC)) {
				/* Queued for a free connection: woken later. */
				if (q->sql.state == KORE_PGSQL_STATE_INIT)
					return (DB_PENDING);
				st = db_fail(q, "connect to the database");
				db_slot_release(q);
				return (st);
			}
			if (!db_conn_usable(&q->sql)) {
				st = db_fail(q, "reconnect to the database");
				db_slot_release(q);
				return (st);
			}
/* Kore's prototype lacks const; it only reads the arrays. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
			if (!kore_pgsql_query_param_fields(&q->sql, sql, 0,
			    nparams, (const char **)values, (int *)lengths,
			    (int *)formats))
				goto failed;
#pragma GCC diagnostic pop
			q->phase = PHASE_WAIT;
			return (DB_PENDING);
		case PHASE_WAIT:
			switch (q->sql.state) {
			case KORE_PGSQL_STATE_WAIT:
				return (DB_PENDING);
			case KORE_PGSQL_STATE_RESULT:
				/* Keep the first result set; the caller reads it. */
				if (q->res == NULL) {
					q->res = q->sql.result;
					q->sql.result = NULL;
				}
				kore_pgsql_continue(&q->sql);
				continue;
			case KORE_PGSQL_STATE_DONE:
				kore_pgsql_continue(&q->sql);
				continue;
			case KORE_PGSQL_STATE_COMPLETE:
				kore_pgsql_cleanup(&q->sql);
				q->phase = PHASE_DONE;
				/*
				 * Kore reads the connection on every event; when
				 * our handler ran late, a second read replaced
				 * the result with the end of the statement and
				 * the rows are gone.  A statement marked
				 * repeatable (intake finds its replay) runs
				 * again; any other answers 503, since it may
				 * have done its work already.
				 */
				if (q->res == NULL && q->repeatable &&
				    q->retries < DB_RETRIES) {
					kore_log(LOG_NOTICE, "lost a result; "
					    "retrying the statement");
					q->retries++;
					q->phase = PHASE_NEW;
					return (db_run(q, req, sql, nparams,
					    values, lengths, formats));
				}
				db_slot_release(q);
				return (q->res != NULL ? DB_OK : DB_UNAVAILABLE);
			case KORE_PGSQL_STATE_ERROR:
				goto failed;
			default:
				return (DB_PENDING);
			}
		case PHASE_DONE:
			return (q->res != NULL ? DB_OK : DB_FAILED);
		}
	}

failed:
	limit = db_retry_limit(q->sql.result != NULL ?
	    PQresultErrorField(q->sql.result, PG_DIAG_SQLSTATE) : NULL);
	st = db_fail(q, "run a statement");
	if (st == DB_UNAVAILABLE && q->retries < limit) {
		q->retries++;
		if (q->res != NULL) {
			PQclear(q->res);
			q->res = NULL;
		}
		q->phase = PHASE_NEW;
		return (db_run(q, req, sql, nparams, values, lengths, formats));
	}
	db_slot_release(q);
	return (st);
}

int
db_rows(const struct db_query *q)
{
	return (q->res != NULL ? PQntuples(q->res) : 0);
}

const char *
db_value(const struct db_query *q, int row, int col)
{
	return (PQgetvalue(q->res, row, col));
}

int
db_isnull(const struct db_query *q, int row, int col)
{
	return (PQgetisnull(q->res, row, col));
}

/* A bytea column (text format, hex) as newly allocated bytes, or NULL. */
unsigned char *
db_bytea(const struct db_query *q, int row, int col, size_t *len)
{
	unsigned char	*tmp, *out;

	*len = 0;
	if (PQgetisnull(q->res, row, col))
		return (NULL);
	tmp = PQunescapeBytea((const unsigned char *)PQgetvalue(q->res, row,
	    col), len);
	if (tmp == NULL)
		return (NULL);
	out = kore_malloc(*len + 1);
	memcpy(out, tmp, *len);
	PQfreemem(tmp);
	return (out);
}
