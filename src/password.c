/*
 * Argon2id hashing and checking of staff passwords on Kore's task threads,
 * so that the 64 MiB, ~100 ms computation never stalls a worker's other
 * requests.  The job lives apart from the request: a client that goes away
 * mid-hash leaves the job to free itself when the thread is done.
 */

#include <sodium.h>
#include <stddef.h>
#include <string.h>

#include "app.h"

#include <kore/tasks.h>

enum { PW_HASH, PW_VERIFY };

struct pwjob {
	struct kore_task	 task;		/* first: the thread gets &task */
	struct http_request	*req;		/* NULL once the request is gone */
	int			 op;
	int			 finished;
	int			 ok;
	size_t			 len;
	char			 password[STAFF_PASSWORD_MAX * 4 + 1];
	char			 hash[crypto_pwhash_STRBYTES];
};

/* Runs on a task thread: touches nothing but the job. */
static int
pw_thread(struct kore_task *t)
{
	struct pwjob	*j = (struct pwjob *)t;

	if (j->op == PW_HASH)
		j->ok = crypto_pwhash_str(j->hash, j->password, j->len,
		    crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	else
		j->ok = crypto_pwhash_str_verify(j->hash, j->password,
		    j->len) == 0;
	sodium_memzero(j->password, sizeof(j->password));
	return (KORE_RESULT_OK);
}

static void
pw_free(struct pwjob *j)
{
	kore_task_destroy(&j->task);
	sodium_memzero(j, sizeof(*j));
	kore_free(j);
}

/* Back on the worker's thread: wake the request, or clean up after it. */
static void
pw_callback(struct kore_task *t)
{
	struct pwjob	*j = (struct pwjob *)t;

	if (kore_task_state(t) != KORE_TASK_STATE_FINISHED)
		return;
	j->finished = 1;
	if (j->req != NULL)
		http_request_wakeup(j->req);
	else
		pw_free(j);
}

static struct pwjob *
pw_start(struct http_request *req, int op, const char *password, size_t len,
    const char *hash)
{
	struct pwjob	*j;

	j = kore_calloc(1, sizeof(*j));
	j->req = req;
	j->op = op;
	/* The callers refuse longer passwords before they get here. */
	j->len = len < sizeof(j->password) ? len : sizeof(j->password) - 1;
	memcpy(j->password, password, j->len);
	if (hash != NULL)
		(void)kore_strlcpy(j->hash, hash, sizeof(j->hash));
	kore_task_create(&j->task, pw_thread);
	kore_task_bind_callback(&j->task, pw_callback);
	http_request_sleep(req);
	kore_task_run(&j->task);
	return (j);
}

struct pwjob *
password_hash_start(struct http_request *req, const char *password,
    size_t len)
{
	return (pw_start(req, PW_HASH, password, len, NULL));
}

/*
 * With no stored hash (an unknown login) the password is checked against
 * a hash of a random password, so that the answer takes as long as for a
 * real account.
 */
struct pwjob *
password_verify_start(struct http_request *req, const char *password,
    size_t len, const char *stored)
{
	return (pw_start(req, PW_VERIFY, password, len,
	    stored != NULL ? stored : app.dummy_hash));
}

/* 1 when the job is done (check password_ok), 0 while it runs. */
int
password_done(const struct pwjob *j)
{
	return (j->finished);
}

int
password_ok(const struct pwjob *j)
{
	return (j->finished && j->ok);
}

const char *
password_result_hash(const struct pwjob *j)
{
	return (j->ok && j->op == PW_HASH ? j->hash : NULL);
}

/* Called when the request is done with the job (or gone). */
void
password_release(struct pwjob *j)
{
	if (j == NULL)
		return;
	if (j->finished) {
		pw_free(j);
		return;
	}
	j->req = NULL;		/* pw_callback frees it */
}
