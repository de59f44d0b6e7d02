#include "transport/ssmpoll.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "transport/ssmcmd.h"
#include "transport/ssmjournal.h"

#define SSMPOLL_PENDING_MAX ((size_t)8 << 20) /* unread output kept */
#define SSMPOLL_FAILS       3 /* journal polls failed in a row: give up */
#define SSMPOLL_MAX_OUTPUT  65536

enum ssmpoll_phase { PH_RUN, PH_VERSION, PH_POLL };

struct ssmpoll_job {
	struct ssmpoll *p;
	struct ssmpoll_job *next;
	/* The thread's own: */
	char *node, *region, *instance_id, *line;
	bool journal;
	enum ssmpoll_phase phase;
	struct ssmcmd *cmd;
	struct ssmjournal j;
	int64_t interval_ms, due;
	int fails;
	int wfd;
	struct buf pending; /* written when the reader makes room */
	bool finishing;     /* ended: close wfd once pending is out */
	/* Shared, under p->lock: */
	bool closed, ended, sent;
	int exit_status;
	char error[1024];
};

struct ssmpoll {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool started, stop;
	struct aws_client *aws;
	struct ssmpoll_job *jobs;
};

struct ssmpoll *ssmpoll_new(void)
{
	struct ssmpoll *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->aws = aws_client_new();
	return p;
}

static void ssmpoll_job_free(struct ssmpoll_job *j, struct aws_client *a)
{
	ssmcmd_free(j->cmd, a);
	ssmjournal_free(&j->j);
	buf_free(&j->pending);
	if (j->wfd >= 0)
		close(j->wfd);
	free(j->node);
	free(j->region);
	free(j->instance_id);
	free(j->line);
	free(j);
}

/* Out to the reader what it has room for; the rest waits. */
static void ssmpoll_flush(struct ssmpoll_job *j)
{
	while (j->wfd >= 0 && j->pending.len > 0) {
		ssize_t n = send(j->wfd, j->pending.data, j->pending.len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			buf_reset(&j->pending); /* the reader went away */
			break;
		}
		memmove(j->pending.data, j->pending.data + n,
			j->pending.len - (size_t)n);
		j->pending.len -= (size_t)n;
	}
	if (j->finishing && j->pending.len == 0 && j->wfd >= 0) {
		close(j->wfd);
		j->wfd = -1;
	}
}

static void ssmpoll_put(struct ssmpoll_job *j, const char *s, size_t len)
{
	if (buf_append(&j->pending, s, len) < 0) {
		static const char lost[] = "-- bvops: output dropped: the "
					   "reader fell behind --\n";

		buf_reset(&j->pending);
		buf_append(&j->pending, lost, sizeof(lost) - 1);
	}
}

/* The job is over: status and error for the reader, then the end. */
static void ssmpoll_end(struct ssmpoll_job *j, int status, const char *error)
{
	pthread_mutex_lock(&j->p->lock);
	j->exit_status = status;
	snprintf(j->error, sizeof(j->error), "%s", error ? error : "");
	j->ended = true;
	pthread_mutex_unlock(&j->p->lock);
	j->finishing = true;
	ssmpoll_flush(j);
}

static void ssmpoll_on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct ssmpoll_job *j = ctx;

	ssmpoll_put(j, line, len);
	if (cut)
		ssmpoll_put(j, " [line cut]", 11);
	ssmpoll_put(j, "\n", 1);
}

/* The first line of s, for a message. */
static void ssmpoll_first_line(const char *s, char *out, size_t size)
{
	size_t n = strcspn(s, "\n");

	snprintf(out, size, "%.*s", (int)(n < 300 ? n : 300), s);
}

/* A journal poll (or the version look) ended. */
static void ssmpoll_journal_done(struct ssmpoll_job *j, int64_t now, int rc,
				 struct transport_result *r, const char *msg)
{
	char why[1024];

	if (j->phase == PH_VERSION) {
		/* No answer: compat, right on every version. */
		if (rc == 0)
			ssmjournal_version(&j->j, r->out);
		j->phase = PH_POLL;
		j->due = now;
		return;
	}
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", msg);
	} else {
		char first[320];
		int more = ssmjournal_take(&j->j, r->out, r->out_len,
					   r->truncated, ssmpoll_on_line, j);

		if (j->j.last_exit <= 0 && r->exit_status == 0) {
			j->fails = 0;
			j->due = more ? now : now + j->interval_ms;
			return;
		}
		ssmpoll_first_line(r->err, first, sizeof(first));
		snprintf(why, sizeof(why),
			 "node %s: the journal poll exited %d%s%s", j->node,
			 j->j.last_exit > 0 ? j->j.last_exit : r->exit_status,
			 first[0] ? ": " : "", first);
	}
	if (++j->fails >= SSMPOLL_FAILS) {
		ssmpoll_end(j, -1, why);
		return;
	}
	j->due = now + j->interval_ms * (1L << j->fails);
}

/* One step of job j (the thread, no lock held). */
static void ssmpoll_step(struct ssmpoll *p, struct ssmpoll_job *j, int64_t now)
{
	struct transport_result r;
	char msg[1024];
	int64_t next = now;
	int rc;

	if (j->cmd == NULL) {
		char *line = NULL;

		if (j->phase == PH_VERSION)
			line = xasprintf("%s --version", j->line);
		else if (j->phase == PH_POLL)
			line = ssmjournal_command(&j->j, j->line);
		j->cmd = ssmcmd_new(
		    j->node, j->region, j->instance_id, line ? line : j->line,
		    j->journal ? 60000 : j->interval_ms,
		    j->journal ? (size_t)SSMCMD_OUT_FITS : SSMPOLL_MAX_OUTPUT);
		free(line);
	}
	if (ssmcmd_step(j->cmd, p->aws, now, &next) == 0) {
		if (ssmcmd_id(j->cmd)[0] && !j->sent) {
			pthread_mutex_lock(&p->lock);
			j->sent = true;
			pthread_mutex_unlock(&p->lock);
		}
		j->due = next;
		return;
	}
	rc = ssmcmd_result(j->cmd, &r, msg, sizeof(msg));
	ssmcmd_free(j->cmd, NULL);
	j->cmd = NULL;
	if (j->journal) {
		ssmpoll_journal_done(j, clock_mono_ms(), rc, &r, msg);
	} else if (rc < 0) {
		ssmpoll_end(j, -1, msg);
	} else {
		ssmpoll_put(j, r.out, r.out_len);
		if (r.out_len > 0 && r.out[r.out_len - 1] != '\n')
			ssmpoll_put(j, "\n", 1);
		ssmpoll_put(j, r.err, r.err_len);
		if (r.timed_out)
			snprintf(msg, sizeof(msg),
				 "node %s: the command timed out on %s",
				 j->node, j->instance_id);
		ssmpoll_end(j, r.exit_status, r.timed_out ? msg : NULL);
	}
	transport_result_free(&r);
}

static void *ssmpoll_main(void *arg)
{
	struct ssmpoll *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		int64_t now = clock_mono_ms(), earliest = now + 1000;
		struct ssmpoll_job **jp = &p->jobs, *due = NULL, *gone = NULL;
		bool waiting_output = false;

		while (*jp != NULL) {
			struct ssmpoll_job *j = *jp;

			if (j->closed) {
				*jp = j->next;
				j->next = gone;
				gone = j;
				continue;
			}
			if (j->pending.len > 0)
				waiting_output = true;
			if (!j->ended && due == NULL && j->due <= now)
				due = j;
			else if (!j->ended && j->due < earliest)
				earliest = j->due;
			jp = &j->next;
		}
		pthread_mutex_unlock(&p->lock);
		while (gone != NULL) {
			struct ssmpoll_job *j = gone;

			gone = j->next;
			ssmpoll_job_free(j, p->aws);
		}
		pthread_mutex_lock(&p->lock);
		for (struct ssmpoll_job *j = p->jobs; j != NULL; j = j->next)
			ssmpoll_flush(j);
		pthread_mutex_unlock(&p->lock);
		/* A job is freed only by this thread: stepping it without
		 * the lock is safe. */
		if (due != NULL)
			ssmpoll_step(p, due, now);
		pthread_mutex_lock(&p->lock);
		if (due == NULL && !p->stop) {
			struct timespec ts;
			int64_t wait = earliest - clock_mono_ms();

			if (waiting_output && wait > 20)
				wait = 20;
			if (wait > 0) {
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_sec += wait / 1000;
				ts.tv_nsec += (wait % 1000) * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&p->wake, &p->lock, &ts);
			}
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void ssmpoll_free(struct ssmpoll *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (p->started) {
		aws_client_cancel(p->aws);
		pthread_join(p->thread, NULL);
	}
	while (p->jobs != NULL) {
		struct ssmpoll_job *j = p->jobs;

		p->jobs = j->next;
		ssmpoll_job_free(j, NULL);
	}
	aws_client_free(p->aws);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static struct ssmpoll_job *ssmpoll_add(struct ssmpoll *p,
				       const struct ssmpoll_target *t,
				       const char *line, bool journal,
				       int64_t ms, int *fd)
{
	struct ssmpoll_job *j;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	j = xcalloc(1, sizeof(*j));
	j->p = p;
	j->node = xstrdup(t->node);
	j->region = xstrdup(t->region);
	j->instance_id = xstrdup(t->instance_id);
	j->line = xstrdup(line);
	j->journal = journal;
	j->phase = journal ? PH_VERSION : PH_RUN;
	j->interval_ms = ms;
	j->wfd = sv[1];
	j->exit_status = -1;
	ssmjournal_init(&j->j);
	buf_init(&j->pending, SSMPOLL_PENDING_MAX);
	*fd = sv[0];
	pthread_mutex_lock(&p->lock);
	j->next = p->jobs;
	p->jobs = j;
	if (!p->started) {
		if (pthread_create(&p->thread, NULL, ssmpoll_main, p) != 0)
			abort(); /* no thread: as fatal as no memory */
		p->started = true;
	}
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return j;
}

struct ssmpoll_job *ssmpoll_command(struct ssmpoll *p,
				    const struct ssmpoll_target *t,
				    const char *line, long timeout_ms, int *fd)
{
	return ssmpoll_add(p, t, line, false, timeout_ms, fd);
}

struct ssmpoll_job *ssmpoll_journal(struct ssmpoll *p,
				    const struct ssmpoll_target *t,
				    const char *poll_line, int64_t interval_ms,
				    int *fd)
{
	return ssmpoll_add(p, t, poll_line, true, interval_ms, fd);
}

int ssmpoll_job_status(struct ssmpoll_job *j, char *err, size_t errsize)
{
	int status;

	pthread_mutex_lock(&j->p->lock);
	status = j->ended ? j->exit_status : -1;
	snprintf(err, errsize, "%s", j->error);
	pthread_mutex_unlock(&j->p->lock);
	return status;
}

bool ssmpoll_job_running(struct ssmpoll_job *j)
{
	bool sent;

	pthread_mutex_lock(&j->p->lock);
	sent = j->sent;
	pthread_mutex_unlock(&j->p->lock);
	return sent;
}

void ssmpoll_job_close(struct ssmpoll_job *j)
{
	struct ssmpoll *p = j->p;

	pthread_mutex_lock(&p->lock);
	j->closed = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}
