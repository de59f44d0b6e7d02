#include "proc/nodewait.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/probe.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "transport/transport.h"

static void nw_done(void *ctx, size_t node, const struct health_check *r)
{
	(void)node;
	*(struct health_check *)ctx = *r;
}

/* One check of node idx's /ping: *r says what came back. */
static int nw_check(struct probe *p, struct health_check *r)
{
	memset(r, 0, sizeof(*r));
	if (!probe_start(p, 0))
		return -1;
	while (probe_running(p) > 0)
		if (probe_wait(p, 200) < 0 || probe_collect(p, nw_done, r) < 0)
			return -1;
	return probe_collect(p, nw_done, r);
}

static void nw_pause(const struct fleet *f)
{
	int64_t iv = (int64_t)f->health.interval_ms;
	struct timespec ts;

	iv = iv > 1000 ? 1000 : iv < 50 ? 50 : iv;
	ts.tv_sec = iv / 1000;
	ts.tv_nsec = (iv % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static struct probe *nw_probe(const struct fleet *f, size_t idx, char *msg,
			      size_t msgsize)
{
	const char *url[1] = {f->nodes[idx].ping_url};

	return probe_new(url, 1, (long)f->health.timeout_ms, msg, msgsize);
}

int nodewait_up(const struct fleet *f, size_t idx, uint64_t wait_ms, char *msg,
		size_t msgsize)
{
	struct probe *p = nw_probe(f, idx, msg, msgsize);
	int64_t until = clock_mono_ms() + (int64_t)wait_ms;
	struct health_check r = {0};
	int rc = -1;

	while (p != NULL && clock_mono_ms() < until) {
		if (nw_check(p, &r) == 0 && r.http_code == 200) {
			rc = 0;
			break;
		}
		nw_pause(f);
	}
	if (rc < 0 && p != NULL)
		snprintf(msg, msgsize,
			 "%s did not answer /ping with 200 within %llu s (%s)",
			 f->nodes[idx].name,
			 (unsigned long long)(wait_ms / 1000),
			 r.http_code  ? "it answers an HTTP error"
			 : r.error[0] ? r.error
				      : "no answer");
	probe_free(p);
	return rc;
}

/* enclave_state's answer: 1 an empty JSON array (no enclave), 0 one
 * runs, -1 unknown (why in msg). */
static int nw_no_enclave(const struct fleet *f, const struct fleet_node *n,
			 char *msg, size_t msgsize)
{
	struct transport *t = transport_new(f);
	struct transport_result r;
	int rc = -1;

	if (transport_run(t, n, FLEET_CMD_ENCLAVE_STATE, 10000, 65536, &r, msg,
			  msgsize) == 0) {
		cJSON *arr = r.exit_status == 0 ? cJSON_Parse(r.out) : NULL;

		if (cJSON_IsArray(arr))
			rc = cJSON_GetArraySize(arr) == 0 ? 1 : 0;
		else
			snprintf(msg, msgsize, "enclave_state: %s",
				 r.exit_status ? "failed" : "not a JSON array");
		if (rc == 0)
			snprintf(msg, msgsize,
				 "enclave_state still shows an enclave");
		cJSON_Delete(arr);
		transport_result_free(&r);
	}
	transport_free(t);
	return rc;
}

int nodewait_down(const struct fleet *f, size_t idx, uint64_t wait_ms,
		  char *msg, size_t msgsize)
{
	const struct fleet_node *n = &f->nodes[idx];
	struct probe *p = nw_probe(f, idx, msg, msgsize);
	int64_t until = clock_mono_ms() + (int64_t)wait_ms;
	struct health_check r = {0};
	char why[300] = "";
	int rc = -1;

	while (p != NULL) {
		if (nw_check(p, &r) == 0 && r.http_code != 0) {
			snprintf(why, sizeof(why),
				 "/ping still answers (HTTP %d)", r.http_code);
		} else if (n->commands[FLEET_CMD_ENCLAVE_STATE] == NULL ||
			   nw_no_enclave(f, n, why, sizeof(why)) == 1) {
			rc = 0; /* no enclave, or nothing more to ask */
			break;
		}
		if (clock_mono_ms() >= until)
			break;
		nw_pause(f);
	}
	if (rc < 0 && p != NULL)
		snprintf(msg, msgsize, "%s is not stopped after %llu s: %s",
			 n->name, (unsigned long long)(wait_ms / 1000), why);
	probe_free(p);
	return rc;
}

char *nodewait_journal_tail(const struct fleet *f, const struct fleet_node *n,
			    int max)
{
	struct transport *t = transport_new(f);
	struct transport_result r;
	char err[300], *out = NULL;

	/* The journal command follows (-f): it is cut after 3 s, and what
	 * it printed by then is the tail. */
	if (transport_run(t, n, FLEET_CMD_JOURNAL, 3000, 65536, &r, err,
			  sizeof(err)) == 0 ||
	    r.out != NULL) {
		const char *p = r.out ? r.out + r.out_len : NULL;
		int lines = 0;

		while (p != NULL && p > r.out && lines <= max)
			if (*--p == '\n')
				lines++;
		if (p != NULL)
			out = xstrdup(p == r.out ? p : p + 1);
	}
	transport_result_free(&r);
	transport_free(t);
	return out;
}

int nodewait_up_or_journal(const struct fleet *f, size_t idx, uint64_t wait_ms,
			   void (*say)(void *ctx, const char *text), void *ctx,
			   char *msg, size_t msgsize)
{
	const struct fleet_node *n = &f->nodes[idx];
	char *text, *tail;

	if (nodewait_up(f, idx, wait_ms, msg, msgsize) == 0) {
		text = xasprintf("%s is up: /ping answers 200\n", n->name);
		say(ctx, text);
		free(text);
		return 0;
	}
	tail = nodewait_journal_tail(f, n, 15);
	if (tail != NULL) {
		text = xasprintf("the last lines of %s's journal:\n%s\n",
				 n->name, tail);
		say(ctx, text);
		free(text);
	}
	free(tail);
	return -1;
}
