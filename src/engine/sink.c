#include "engine/sink.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/childenv.h"
#include "lib/sanitize.h"
#include "lib/xalloc.h"

#define SINK_WEBHOOK_TIMEOUT_MS 10000L

struct sink_item {
	uint64_t seq;
	char *json;
	int attempt;        /* attempts made */
	int64_t not_before; /* back-off */
};

struct sink_queue {
	struct sink_item *v;
	size_t head, n; /* ring of SINK_QUEUE_MAX */
};

#define SINK_BODY_MAX ((size_t)64 << 10)

struct sinks {
	size_t hook_body; /* bytes of the webhook's answer read */
	const struct fleet *f;
	sink_report_fn report;
	void *ctx;
	struct sink_queue cmdq, hookq;
	/* The command in flight. */
	pid_t pid;
	int in_fd, err_fd;
	size_t in_off;
	int64_t deadline;
	struct buf err;
	/* The webhook in flight. */
	CURLM *multi;
	CURL *easy;
	struct curl_slist *hdr;
	char curl_err[CURL_ERROR_SIZE];
};

static void sink_queue_init(struct sink_queue *q)
{
	q->v = xcalloc(SINK_QUEUE_MAX, sizeof(*q->v));
}

static struct sink_item *sink_queue_front(struct sink_queue *q)
{
	return q->n ? &q->v[q->head] : NULL;
}

static void sink_queue_pop(struct sink_queue *q)
{
	free(q->v[q->head].json);
	q->head = (q->head + 1) % SINK_QUEUE_MAX;
	q->n--;
}

static void sink_report(struct sinks *s, const struct sink_item *it,
			const char *sink, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void sink_report(struct sinks *s, const struct sink_item *it,
			const char *sink, bool ok, const char *fmt, ...)
{
	struct sink_report r;
	va_list ap;

	memset(&r, 0, sizeof(r));
	r.seq = it->seq;
	r.sink = sink;
	r.ok = ok;
	r.attempt = it->attempt;
	r.final = ok || it->attempt >= SINK_ATTEMPTS;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	if (s->report != NULL)
		s->report(s->ctx, &r);
}

/* After one attempt: done, or again after a back-off. */
static void sink_settle(struct sinks *s, struct sink_queue *q, bool ok,
			int64_t now)
{
	struct sink_item *it = sink_queue_front(q);

	if (ok || it->attempt >= SINK_ATTEMPTS) {
		sink_queue_pop(q);
		return;
	}
	(void)s;
	it->not_before = now + 1000L * (1L << (it->attempt - 1));
}

static void sink_push(struct sinks *s, struct sink_queue *q, const char *name,
		      uint64_t seq, const char *json)
{
	struct sink_item *it;

	if (q->n == SINK_QUEUE_MAX) {
		/* Full (a sink that never accepts): the oldest goes. */
		struct sink_item *old = sink_queue_front(q);

		old->attempt = SINK_ATTEMPTS;
		sink_report(s, old, name, false, "dropped: %d alerts waiting",
			    SINK_QUEUE_MAX);
		sink_queue_pop(q);
	}
	it = &q->v[(q->head + q->n) % SINK_QUEUE_MAX];
	memset(it, 0, sizeof(*it));
	it->seq = seq;
	it->json = xstrdup(json);
	q->n++;
}

struct sinks *sinks_new(const struct fleet *f, sink_report_fn report, void *ctx)
{
	struct sinks *s = xcalloc(1, sizeof(*s));

	s->f = f;
	s->report = report;
	s->ctx = ctx;
	s->pid = -1;
	s->in_fd = s->err_fd = -1;
	sink_queue_init(&s->cmdq);
	sink_queue_init(&s->hookq);
	buf_init(&s->err, 4096);
	if (f->alerts.webhook != NULL)
		s->multi = curl_multi_init();
	return s;
}

static void sink_command_close(struct sinks *s)
{
	if (s->in_fd >= 0)
		close(s->in_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	s->in_fd = s->err_fd = -1;
	s->pid = -1;
}

static void sink_webhook_close(struct sinks *s)
{
	if (s->easy != NULL) {
		curl_multi_remove_handle(s->multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	curl_slist_free_all(s->hdr);
	s->hdr = NULL;
}

void sinks_free(struct sinks *s)
{
	if (s == NULL)
		return;
	if (s->pid > 0) {
		kill(-s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	sink_command_close(s);
	sink_webhook_close(s);
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	while (s->cmdq.n)
		sink_queue_pop(&s->cmdq);
	while (s->hookq.n)
		sink_queue_pop(&s->hookq);
	free(s->cmdq.v);
	free(s->hookq.v);
	buf_free(&s->err);
	free(s);
}

void sinks_send(struct sinks *s, uint64_t seq, const char *json)
{
	if (s->f->alerts.command != NULL)
		sink_push(s, &s->cmdq, "command", seq, json);
	if (s->f->alerts.webhook != NULL)
		sink_push(s, &s->hookq, "webhook", seq, json);
}

bool sinks_idle(const struct sinks *s)
{
	return s->cmdq.n == 0 && s->hookq.n == 0;
}

/* Start the front command: sh -c in its own process group. */
static int sink_command_start(struct sinks *s, int64_t now)
{
	int in[2], err[2];
	char **env;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	env = childenv_new(); /* before the fork: the child only execs */
	pid = fork();
	if (pid < 0) {
		free(env);
		close(in[0]);
		close(in[1]);
		close(err[0]);
		close(err[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		setpgid(0, 0);
		dup2(in[0], 0);
		dup2(null >= 0 ? null : err[1], 1);
		dup2(err[1], 2);
		signal(SIGPIPE, SIG_DFL);
		{
			/* bvops watch blocks its signals for sigwait; the
			 * command must not inherit that. */
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		execle("/bin/sh", "sh", "-c", s->f->alerts.command,
		       (char *)NULL, env);
		_exit(127);
	}
	free(env);
	setpgid(pid, pid);
	close(in[0]);
	close(err[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	s->pid = pid;
	s->in_fd = in[1];
	s->err_fd = err[0];
	s->in_off = 0;
	s->deadline = now + (int64_t)s->f->alerts.command_timeout_ms;
	buf_reset(&s->err);
	return 0;
}

static void sink_command_step(struct sinks *s, int64_t now)
{
	struct sink_item *it = sink_queue_front(&s->cmdq);
	char chunk[512];
	int status;
	pid_t r;

	if (it == NULL)
		return;
	if (s->pid < 0) {
		if (now < it->not_before)
			return;
		it->attempt++;
		if (sink_command_start(s, now) < 0) {
			sink_report(s, it, "command", false, "cannot start: %s",
				    strerror(errno));
			sink_settle(s, &s->cmdq, false, now);
			return;
		}
	}
	/* Feed stdin (the JSON and a newline), then close it so the
	 * command sees the end; a command that does not read is fine. */
	if (s->in_fd >= 0) {
		size_t len = strlen(it->json);
		bool done = false;

		while (!done) {
			const char *p =
			    s->in_off < len ? it->json + s->in_off : "\n";
			size_t n = s->in_off < len ? len - s->in_off : 1;
			ssize_t w = write(s->in_fd, p, n);

			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (w > 0)
				s->in_off += (size_t)w;
			/* All written, or EPIPE: it closed its stdin. */
			done = w <= 0 || s->in_off > len;
		}
		if (done) {
			close(s->in_fd);
			s->in_fd = -1;
		}
	}
	for (;;) {
		ssize_t n = read(s->err_fd, chunk, sizeof(chunk));

		if (n <= 0)
			break;
		if (buf_append(&s->err, chunk, (size_t)n) < 0)
			break;
	}
	r = waitpid(s->pid, &status, WNOHANG);
	if (r == 0 && now < s->deadline)
		return;
	if (r == 0) {
		kill(-s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		sink_report(s, it, "command", false,
			    "timed out after %lld ms (killed)",
			    (long long)s->f->alerts.command_timeout_ms);
		sink_command_close(s);
		sink_settle(s, &s->cmdq, false, now);
		return;
	}
	{
		bool ok =
		    r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
		char e[256];

		/* The command's own words, last line first in mind: keep
		 * the start, made safe to print. */
		sanitize_text(s->err.data ? s->err.data : "", s->err.len, e,
			      sizeof(e), false);
		e[strcspn(e, "\n")] = '\0';

		if (ok)
			sink_report(s, it, "command", true, "accepted");
		else if (r > 0 && WIFEXITED(status))
			sink_report(s, it, "command", false, "exit %d%s%.200s",
				    WEXITSTATUS(status), e[0] ? ": " : "", e);
		else
			sink_report(
			    s, it, "command", false, "killed by signal %d",
			    r > 0 && WIFSIGNALED(status) ? WTERMSIG(status)
							 : 0);
		sink_command_close(s);
		sink_settle(s, &s->cmdq, ok, now);
	}
}

/* A webhook's answer is thrown away, read up to SINK_BODY_MAX; past
 * that the transfer stops and the status code stands. */
static size_t sink_discard(char *d, size_t sz, size_t n, void *ctx)
{
	struct sinks *s = ctx;

	(void)d;
	s->hook_body += sz * n;
	return s->hook_body > SINK_BODY_MAX ? 0 : sz * n;
}

static void sink_webhook_step(struct sinks *s, int64_t now)
{
	struct sink_item *it = sink_queue_front(&s->hookq);
	int running = 0, left;
	CURLMsg *msg;

	if (it == NULL || s->multi == NULL)
		return;
	if (s->easy == NULL) {
		if (now < it->not_before)
			return;
		it->attempt++;
		s->easy = curl_easy_init();
		s->hdr =
		    curl_slist_append(NULL, "Content-Type: application/json");
		curl_easy_setopt(s->easy, CURLOPT_URL, s->f->alerts.webhook);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, it->json);
		curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdr);
		curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS,
				 SINK_WEBHOOK_TIMEOUT_MS);
		curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, sink_discard);
		curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
		s->hook_body = 0;
		curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->curl_err);
		s->curl_err[0] = '\0';
		curl_multi_add_handle(s->multi, s->easy);
	}
	curl_multi_perform(s->multi, &running);
	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		long code = 0;
		bool ok, answered;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
		answered = msg->data.result == CURLE_OK ||
			   (msg->data.result == CURLE_WRITE_ERROR &&
			    s->hook_body > SINK_BODY_MAX);
		ok = answered && code >= 200 && code < 300;
		if (ok)
			sink_report(s, it, "webhook", true, "HTTP %ld", code);
		else if (answered)
			sink_report(s, it, "webhook", false, "HTTP %ld", code);
		else
			sink_report(s, it, "webhook", false, "%s",
				    s->curl_err[0]
					? s->curl_err
					: curl_easy_strerror(msg->data.result));
		sink_webhook_close(s);
		sink_settle(s, &s->hookq, ok, now);
		break;
	}
}

int64_t sinks_step(struct sinks *s, int64_t now_ms)
{
	sink_command_step(s, now_ms);
	sink_webhook_step(s, now_ms);
	/* Something in flight: look again soon. */
	if (s->pid > 0 || s->easy != NULL)
		return 20;
	return sinks_idle(s) ? 1000 : 100;
}
