/*
 * probe_bench: the health engine's cost.
 *
 *   probe_bench FLEET round ROUNDS   ROUNDS rounds of checks of every node
 *   probe_bench FLEET watch SECONDS  the engine thread on the fleet's own
 *                                    schedule for SECONDS
 *   probe_bench FLEET streams SECONDS [WARMUP]
 *                                    the same with every node's journal
 *                                    streaming into its ring, as in
 *                                    `bvops watch` or the console's L
 *
 * Prints CPU microseconds per probe, wall milliseconds per round (round),
 * or the share of one core used by this process, its threads only
 * (watch, streams), how many checks failed, and for watch and streams the
 * checks' latency (median, 99th percentile, worst, as libcurl measured
 * it on the engine thread) and the longest gap between two checks of a
 * node (the schedule's interval when the engine keeps up), leaving out
 * the checks of the first WARMUP seconds (2).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/probe.h"
#include "lib/clock.h"
#include "state/fleet.h"
#include "transport/transport.h"

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Latency and gaps from every node's recent checks. */
static void report_checks(const struct fleet *f, struct monitor *m,
			  int64_t since_ms)
{
	size_t cap = f->nnodes * HEALTH_HISTORY + 1, n = 0, k, i;
	double *lat = calloc(cap, sizeof(*lat)), worst_gap = 0;

	for (k = 0; k < f->nnodes; k++) {
		const struct health_node *h = monitor_node(m, k);
		int64_t prev = 0;

		for (i = h->history_len; i-- > 0;) {
			const struct health_check *c = health_node_recent(h, i);

			if (c == NULL || c->at_ms < since_ms)
				continue;
			if (c->latency_ms >= 0)
				lat[n++] = c->latency_ms;
			if (prev != 0 && (double)(c->at_ms - prev) > worst_gap)
				worst_gap = (double)(c->at_ms - prev);
			prev = c->at_ms;
		}
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("checks %zu\n", n);
	if (n > 0)
		printf("latency_ms_p50 %.2f\nlatency_ms_p99 %.2f\n"
		       "latency_ms_max %.2f\n",
		       lat[n / 2], lat[n * 99 / 100], lat[n - 1]);
	printf("worst_gap_ms %.0f\n", worst_gap);
	free(lat);
}

struct streams_ctx {
	struct logstreams *ls;
};

static void streams_step(void *ctx)
{
	logstreams_step(((struct streams_ctx *)ctx)->ls);
}

/* Lines that reached the rings. */
static uint64_t streams_lines(const struct fleet *f, struct logstreams *ls)
{
	uint64_t total = 0;
	size_t k;

	logstreams_lock(ls);
	for (k = 0; k < f->nnodes; k++)
		total += logstreams_view(ls, k, LOGSTREAM_JOURNAL).ring->total;
	logstreams_unlock(ls);
	return total;
}

int main(int argc, char **argv)
{
	struct fleet_diags d;
	struct fleet *f;
	struct monitor *m;
	char msg[256];
	long count;
	double cpu0, wall0;
	long warmup_ms;
	size_t k, failed = 0;

	if (argc != 4 && argc != 5)
		return 2;
	/* Checks in the first seconds (streams starting) are left out. */
	warmup_ms = argc == 5 ? atol(argv[4]) * 1000 : 2000;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	f = fleet_load(argv[1], &d);
	if (f == NULL) {
		for (k = 0; k < d.n; k++)
			fprintf(stderr, "%s\n", d.lines[k]);
		return 2;
	}
	m = monitor_new(f, msg, sizeof(msg));
	if (m == NULL)
		return 3;
	count = atol(argv[3]);
	cpu0 = cpu_seconds();
	wall0 = (double)clock_mono_ms();
	if (strcmp(argv[2], "round") == 0) {
		for (long r = 0; r < count; r++)
			if (monitor_round(m) < 0)
				return 3;
		printf("cpu_us_per_probe %.1f\nwall_ms_per_round %.1f\n",
		       (cpu_seconds() - cpu0) * 1e6 /
			   ((double)count * (double)f->nnodes),
		       ((double)clock_mono_ms() - wall0) / (double)count);
	} else {
		bool streams = strcmp(argv[2], "streams") == 0;
		struct transport *t = NULL;
		struct streams_ctx sc = {0};
		int64_t since = clock_now_ms();

		if (streams) {
			struct monitor_hook hook = {0};

			t = transport_new(f);
			sc.ls = logstreams_new(f, t, 1000);
			for (k = 0; k < f->nnodes; k++)
				logstreams_watch(sc.ls, k, LOGSTREAM_JOURNAL,
						 true);
			hook.fd = logstreams_fd(sc.ls);
			hook.step = streams_step;
			hook.ctx = &sc;
			monitor_set_hook(m, &hook);
		}
		if (monitor_start(m, msg, sizeof(msg)) < 0)
			return 3;
		sleep((unsigned)count);
		monitor_stop(m);
		printf("cpu_percent %.2f\n",
		       (cpu_seconds() - cpu0) * 100.0 / (double)count);
		report_checks(f, m, since + warmup_ms);
		if (streams) {
			printf("lines %llu\n",
			       (unsigned long long)streams_lines(f, sc.ls));
			logstreams_free(sc.ls);
			transport_free(t);
		}
	}
	for (k = 0; k < f->nnodes; k++)
		if (monitor_node(m, k)->status != HEALTH_UP)
			failed++;
	printf("nodes_not_up %zu\n", failed);
	monitor_free(m);
	fleet_free(f);
	curl_global_cleanup();
	return 0;
}
