/*
 * The alert sinks' schedule on a fake clock: sinks_step() takes "now", so
 * the retries (after 1 s, then 2 s, three attempts in all) and the
 * command's time limit are checked to the millisecond, at once, instead
 * of by waiting for them. The command itself is real (sh -c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "engine/sink.h"
#include "state/fleet.h"

struct got {
	int n;
	struct sink_report last;
};

static void got_report(void *ctx, const struct sink_report *r)
{
	struct got *g = ctx;

	g->n++;
	g->last = *r;
}

static struct fleet *sink_fleet(const char *command, const char *timeout)
{
	char head[600];

	snprintf(head, sizeof(head),
		 "[alerts]\ncommand = \"%s\"\ncommand_timeout = \"%s\"",
		 command, timeout);
	return check_fleet3(head);
}

/* One fleet with a command sink, its sinks, what they reported. */
struct rig {
	struct fleet *f;
	struct sinks *s;
	struct got g;
};

static bool rig_open(struct rig *r, const char *command, const char *timeout)
{
	memset(r, 0, sizeof(*r));
	r->f = sink_fleet(command, timeout);
	if (r->f == NULL)
		return false;
	r->s = sinks_new(r->f, got_report, &r->g);
	return true;
}

static void rig_close(struct rig *r)
{
	sinks_free(r->s);
	fleet_free(r->f);
}

/* Step at the same fake time until the command in flight has ended (its
 * report came): the real wait is for the child to end, bounded. */
static bool step_until_report(struct sinks *s, int64_t now, struct got *g,
			      int want)
{
	int k;

	for (k = 0; k < 100 && g->n < want; k++) {
		sinks_step(s, now);
		if (g->n < want)
			check_wait_child(100);
	}
	return g->n == want;
}

TEST(sink_retries_after_one_then_two_seconds_on_the_fake_clock)
{
	struct rig r;
	struct sinks *s;

	CHECK(rig_open(&r, "exit 3", "10s"));
	if (r.f == NULL)
		return;
	s = r.s;
	sinks_send(s, 7, "{\"seq\":7}");
	CHECK(step_until_report(s, 100000, &r.g, 1));
	CHECK(r.g.last.seq == 7 && !r.g.last.ok && !r.g.last.final &&
	      r.g.last.attempt == 1);
	CHECK_STR(r.g.last.message, "exit 3");
	/* Nothing in flight (100: "look again") until a second has passed;
	 * in flight (20) from then on. */
	CHECK(sinks_step(s, 100999) == 100);
	CHECK(sinks_step(s, 100999) == 100 && r.g.n == 1);
	/* At 1 s the retry starts: in flight (20), or, on a quick machine,
	 * already ended within the same step (its report is in). */
	{
		int64_t next = sinks_step(s, 101000);

		CHECK(next == 20 || r.g.n == 2);
	}
	CHECK(step_until_report(s, 101000, &r.g, 2));
	CHECK(r.g.last.attempt == 2 && !r.g.last.final);
	/* The second back-off is two seconds. */
	CHECK(sinks_step(s, 102999) == 100);
	{
		int64_t next = sinks_step(s, 103000);

		CHECK(next == 20 || r.g.n == 3);
	}
	CHECK(step_until_report(s, 103000, &r.g, 3));
	CHECK(r.g.last.attempt == 3 && r.g.last.final && !r.g.last.ok);
	/* Three attempts in all: nothing left. */
	CHECK(sinks_idle(s));
	CHECK(sinks_step(s, 1000000) == 1000 && r.g.n == 3);
	rig_close(&r);
}

TEST(sink_command_time_limit_on_the_fake_clock)
{
	struct rig r;
	struct sinks *s;

	CHECK(rig_open(&r, "exec sleep 30", "5s"));
	if (r.f == NULL)
		return;
	s = r.s;
	sinks_send(s, 1, "{}");
	CHECK(sinks_step(s, 0) == 20);
	/* One ms before the limit it still runs; at the limit it is
	 * killed, and said so, without a real wait of 5 s. */
	CHECK(sinks_step(s, 4999) == 20 && r.g.n == 0);
	sinks_step(s, 5000);
	CHECK(r.g.n == 1 && !r.g.last.ok && !r.g.last.final);
	CHECK_STR(r.g.last.message, "timed out after 5000 ms (killed)");
	/* The next attempt waits its second. */
	CHECK(sinks_step(s, 5999) == 100);
	rig_close(&r);
}

TEST(sink_accepted_is_final_at_once)
{
	struct rig r;
	struct sinks *s;

	CHECK(rig_open(&r, "cat >/dev/null", "5s"));
	if (r.f == NULL)
		return;
	s = r.s;
	sinks_send(s, 2, "{\"seq\":2}");
	CHECK(step_until_report(s, 0, &r.g, 1));
	CHECK(r.g.last.ok && r.g.last.final && r.g.last.attempt == 1);
	CHECK(sinks_idle(s));
	rig_close(&r);
}

/* A webhook receiver that answers 200 and then a body without end, and
 * counts what it could send before the client let go. */
struct endless {
	int fd;
	int port;
	size_t sent;
};

static void *endless_serve(void *arg)
{
	struct endless *e = arg;
	static const char head[] =
	    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";
	char buf[4096], chunk[65536];
	int c = accept(e->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	memset(chunk, 'x', sizeof(chunk));
	if (recv(c, buf, sizeof(buf), 0) > 0 &&
	    send(c, head, sizeof(head) - 1, MSG_NOSIGNAL) > 0)
		while (e->sent < ((size_t)1 << 30)) {
			ssize_t n = send(c, chunk, sizeof(chunk), MSG_NOSIGNAL);

			if (n <= 0)
				break;
			e->sent += (size_t)n;
		}
	close(c);
	return NULL;
}

TEST(sink_webhook_answer_read_up_to_a_cap)
{
	struct endless e = {0};
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	char head[300];
	pthread_t th;
	struct rig r;
	int k;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e.fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(e.fd >= 0 && bind(e.fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	      listen(e.fd, 1) == 0 &&
	      getsockname(e.fd, (struct sockaddr *)&a, &alen) == 0);
	e.port = ntohs(a.sin_port);
	snprintf(head, sizeof(head),
		 "[alerts]\nwebhook = \"http://127.0.0.1:%d/hook\"", e.port);
	memset(&r, 0, sizeof(r));
	r.f = check_fleet3(head);
	CHECK(r.f != NULL);
	if (r.f == NULL) {
		close(e.fd);
		return;
	}
	r.s = sinks_new(r.f, got_report, &r.g);
	pthread_create(&th, NULL, endless_serve, &e);
	sinks_send(r.s, 3, "{\"seq\":3}");
	/* libcurl's sockets are the sinks' own: nothing to wait on from
	 * here, so a 1 ms tick, bounded to 10 s. */
	for (k = 0; k < 10000 && r.g.n == 0; k++) {
		struct timespec ts = {0, 1000000L};

		sinks_step(r.s, 0);
		if (r.g.n == 0)
			nanosleep(&ts, NULL);
	}
	pthread_join(th, NULL);
	/* Its 200 stands, and what was read stopped at the cap (the rest
	 * of what was sent sat in loopback's socket buffers). */
	CHECK(r.g.n == 1 && r.g.last.ok && r.g.last.final);
	CHECK_STR(r.g.last.message, "HTTP 200");
	CHECK(e.sent < ((size_t)32 << 20));
	close(e.fd);
	rig_close(&r);
}

TEST(sink_command_gets_no_aws_secrets)
{
	char cmd[300], path[] = "/tmp/bvops-sinkenv-XXXXXX", text[8192];
	struct rig r;
	size_t len;
	FILE *fp;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-key", 1);
	setenv("AWS_SESSION_TOKEN", "s3ss10n", 1);
	snprintf(cmd, sizeof(cmd), "env > %s", path);
	CHECK(rig_open(&r, cmd, "5s"));
	if (r.f != NULL) {
		sinks_send(r.s, 1, "{}");
		CHECK(step_until_report(r.s, 0, &r.g, 1) && r.g.last.ok);
		rig_close(&r);
	}
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	fp = fopen(path, "r");
	len = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
	text[len] = '\0';
	if (fp != NULL)
		fclose(fp);
	unlink(path);
	CHECK(strstr(text, "PATH=") != NULL);
	CHECK(strstr(text, "s3cr3t-key") == NULL);
	CHECK(strstr(text, "s3ss10n") == NULL);
}
