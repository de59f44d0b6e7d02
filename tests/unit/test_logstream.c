/* Log streams: watched streams run, end, come back with the gap marked;
 * health marks land in every ring of the node. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "engine/logstream.h"
#include "engine/nodeact.h"

static struct fleet *one_node(const char *journal)
{
	static char text[1024];
	struct fleet_diags d;
	struct fleet *f;

	snprintf(text, sizeof(text),
		 "[fleet]\nname = \"t\"\n[commands]\njournal = \"%s\"\n"
		 "restart = \"echo restarted {node}; exit 4\"\n"
		 "[[node]]\nname = \"n0\"\nindex = 0\n"
		 "ping_url = \"http://127.0.0.1:1/ping\"\n"
		 "transport = \"local\"\n",
		 journal);
	f = fleet_parse("t.toml", text, strlen(text), &d);
	fleet_diags_free(&d);
	return f;
}

/* Step until the ring holds a line with text, at most ms. */
static bool step_until(struct logstreams *ls, const char *text, int ms)
{
	int k;

	for (k = 0; k < ms / 20; k++) {
		struct pollfd p = {.fd = logstreams_fd(ls), .events = POLLIN};
		struct logstream_view v;
		bool found;

		poll(&p, 1, 20);
		logstreams_step(ls);
		logstreams_lock(ls);
		v = logstreams_view(ls, 0, LOGSTREAM_JOURNAL);
		found = logring_find(v.ring, logring_first(v.ring), text,
				     false) >= 0;
		logstreams_unlock(ls);
		if (found)
			return true;
	}
	return false;
}

TEST(logstream_runs_reconnects_and_marks)
{
	struct fleet *f = one_node("printf 'one\\\\ntwo\\\\n'");
	struct transport *t;
	struct logstreams *ls;

	if (!CHECK(f != NULL))
		return;
	t = transport_new(f);
	ls = logstreams_new(f, t, 100);
	logstreams_step(ls);
	CHECK(logstreams_view(ls, 0, LOGSTREAM_JOURNAL).state ==
	      LOGSTREAM_IDLE);
	logstreams_watch(ls, 0, LOGSTREAM_JOURNAL, true);
	CHECK(step_until(ls, "two", 3000));
	CHECK(
	    step_until(ls, "n0 journal ended (exit 0); retrying in 1 s", 3000));
	CHECK(step_until(ls, "-- n0 journal reconnected; lines may be missing",
			 4000));
	logstreams_mark(ls, 0, "-- HEALTH n0: up -> down --");
	logstreams_lock(ls);
	CHECK(logring_find(logstreams_view(ls, 0, LOGSTREAM_CONSOLE).ring, 0,
			   "HEALTH n0", false) >= 0);
	logstreams_unlock(ls);
	logstreams_watch(ls, 0, LOGSTREAM_JOURNAL, false);
	logstreams_step(ls);
	CHECK(logstreams_view(ls, 0, LOGSTREAM_JOURNAL).state ==
	      LOGSTREAM_IDLE);
	logstreams_free(ls);
	transport_free(t);
	fleet_free(f);
}

TEST(logstream_a_command_that_ends_at_once_backs_off)
{
	/* As nitro-cli console does for an enclave not in debug mode. */
	struct fleet *f =
	    one_node("echo 'E44 not started in debug mode'; exit 1");
	struct transport *t;
	struct logstreams *ls;

	if (!CHECK(f != NULL))
		return;
	t = transport_new(f);
	ls = logstreams_new(f, t, 100);
	logstreams_watch(ls, 0, LOGSTREAM_JOURNAL, true);
	CHECK(step_until(ls, "n0 journal ended (exit 1); retrying in 1 s --",
			 3000));
	/* It said a line, yet lasted no time: the wait grows, and says so. */
	CHECK(step_until(ls,
			 "ended (exit 1); retrying in 2 s (it keeps ending at "
			 "once: each wait doubles, up to 30 s) --",
			 4000));
	CHECK(
	    step_until(ls, "ended (exit 1); retrying in 4 s (it keeps", 5000));
	logstreams_free(ls);
	transport_free(t);
	fleet_free(f);
}

TEST(logstream_no_transport_stops_with_reason)
{
	struct fleet *f = one_node("journalctl -f");
	struct transport *t;
	struct logstreams *ls;

	if (!CHECK(f != NULL))
		return;
	f->nodes[0].transport = FLEET_TRANSPORT_NONE;
	t = transport_new(f);
	ls = logstreams_new(f, t, 100);
	logstreams_watch(ls, 0, LOGSTREAM_JOURNAL, true);
	CHECK(step_until(ls, "has no transport", 1000));
	CHECK(logstreams_view(ls, 0, LOGSTREAM_JOURNAL).state ==
	      LOGSTREAM_STOPPED);
	logstreams_free(ls);
	transport_free(t);
	fleet_free(f);
}

TEST(nodeact_runs_on_the_engine_and_reports)
{
	struct fleet *f = one_node("true");
	struct transport *t;
	struct nodeacts *na;
	struct nodeact_result r;
	uint64_t id;
	int k;

	if (!CHECK(f != NULL))
		return;
	t = transport_new(f);
	na = nodeacts_new(f, t);
	id = nodeacts_start(na, 0, FLEET_CMD_RESTART);
	CHECK(nodeacts_get(na, id, &r) && !r.done);
	for (k = 0; k < 250 && nodeacts_get(na, id, &r) && !r.done; k++) {
		struct timespec ts = {0, 20000000L};

		nodeacts_step(na);
		nanosleep(&ts, NULL);
	}
	CHECK(r.done && r.exit_status == 4 && r.error[0] == '\0');
	CHECK_STR(r.output, "restarted n0");
	f->nodes[0].transport = FLEET_TRANSPORT_NONE;
	id = nodeacts_start(na, 0, FLEET_CMD_STOP);
	nodeacts_step(na);
	CHECK(nodeacts_get(na, id, &r) && r.done && r.exit_status == -1);
	CHECK(strstr(r.error, "has no transport") != NULL);
	nodeacts_free(na);
	transport_free(t);
	fleet_free(f);
}

/* n nodes; node k's journal is journal_of(k). */
static struct fleet *many_nodes(size_t n, const char *flood, const char *quiet)
{
	struct fleet_diags d;
	struct fleet *f;
	size_t k, cap = 4096 + n * 400, len;
	char *text = malloc(cap);

	len = (size_t)snprintf(text, cap, "[fleet]\nname = \"t\"\n");
	for (k = 0; k < n; k++)
		len += (size_t)snprintf(
		    text + len, cap - len,
		    "[[node]]\nname = \"n%zu\"\nindex = %zu\n"
		    "ping_url = \"http://127.0.0.1:1/ping\"\n"
		    "transport = \"local\"\n[node.commands]\njournal = "
		    "\"%s\"\n",
		    k, k, k + 1 < n ? flood : quiet);
	f = fleet_parse("t.toml", text, len, &d);
	fleet_diags_free(&d);
	free(text);
	return f;
}

/*
 * 40 floods and one node that says one line: every step reads a bounded
 * amount (the engine keeps its turns), every flood gets its share, and
 * the quiet node's line arrives while the floods go on.
 */
TEST(logstream_floods_share_bounded_steps)
{
	enum { N = 41 };
	struct fleet *f =
	    many_nodes(N, "exec yes flood-line",
		       "echo the-quiet-line; exec tail -f /dev/null");
	struct transport *t;
	struct logstreams *ls;
	uint64_t last_total = 0, most = 0;
	bool quiet_seen = false, all_fed = false;
	size_t k;
	int step;

	if (!CHECK(f != NULL))
		return;
	t = transport_new(f);
	ls = logstreams_new(f, t, 100);
	for (k = 0; k < N; k++)
		logstreams_watch(ls, k, LOGSTREAM_JOURNAL, true);
	for (step = 0; step < 400 && !(quiet_seen && all_fed); step++) {
		struct pollfd p = {.fd = logstreams_fd(ls), .events = POLLIN};
		uint64_t total = 0;
		size_t fed = 0;

		poll(&p, 1, 20);
		logstreams_step(ls);
		logstreams_lock(ls);
		for (k = 0; k < N; k++) {
			struct logstream_view v =
			    logstreams_view(ls, k, LOGSTREAM_JOURNAL);

			total += v.ring->total;
			if (k + 1 < N && v.ring->total > 2)
				fed++;
			if (k + 1 == N &&
			    logring_find(v.ring, logring_first(v.ring),
					 "the-quiet-line", false) >= 0)
				quiet_seen = true;
		}
		logstreams_unlock(ls);
		if (total - last_total > most)
			most = total - last_total;
		last_total = total;
		all_fed = fed == N - 1;
	}
	CHECK(quiet_seen);
	CHECK(all_fed);
	/* "flood-line\n" is 11 bytes: a step of at most 512 KiB (plus a
	 * line cut at each stream's slice) is under 50,000 lines. */
	CHECK(most > 0 && most < 50000);
	logstreams_free(ls);
	transport_free(t);
	fleet_free(f);
}
