#include "nodewait.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "monitor.h"
#include "probe.h"
#include "transport.h"
#include "xalloc.h"

int nodewait_up(const struct fleet *f, size_t idx, uint64_t wait_ms, char *msg,
		size_t msgsize)
{
	struct monitor *m = monitor_new(f, msg, msgsize);
	int64_t until = probe_mono_ms() + (int64_t)wait_ms;
	int rc = -1;

	while (m != NULL && probe_mono_ms() < until) {
		struct timespec ts = {0, 0};
		int64_t iv = (int64_t)f->health.interval_ms;

		monitor_round(m);
		if (monitor_node(m, idx)->last.http_code == 200) {
			rc = 0;
			break;
		}
		iv = iv > 1000 ? 1000 : iv;
		ts.tv_sec = iv / 1000;
		ts.tv_nsec = (iv % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	if (rc < 0 && m != NULL)
		snprintf(msg, msgsize,
			 "%s did not answer /ping with 200 within %llu s",
			 f->nodes[idx].name,
			 (unsigned long long)(wait_ms / 1000));
	monitor_free(m);
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
