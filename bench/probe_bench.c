/*
 * probe_bench: the health engine's cost.
 *
 *   probe_bench FLEET round ROUNDS   ROUNDS rounds of checks of every node
 *   probe_bench FLEET watch SECONDS  the engine thread on the fleet's own
 *                                    schedule for SECONDS
 *
 * Prints CPU microseconds per probe, wall milliseconds per round (round),
 * or the share of one core used (watch), and how many checks failed.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../src/fleet.h"
#include "../src/monitor.h"
#include "../src/probe.h"

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct fleet_diags d;
	struct fleet *f;
	struct monitor *m;
	char msg[256];
	long count;
	double cpu0, wall0;
	size_t k, failed = 0;

	if (argc != 4)
		return 2;
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
	wall0 = (double)probe_mono_ms();
	if (strcmp(argv[2], "round") == 0) {
		for (long r = 0; r < count; r++)
			if (monitor_round(m) < 0)
				return 3;
		printf("cpu_us_per_probe %.1f\nwall_ms_per_round %.1f\n",
		       (cpu_seconds() - cpu0) * 1e6 /
			       ((double)count * (double)f->nnodes),
		       ((double)probe_mono_ms() - wall0) / (double)count);
	} else {
		if (monitor_start(m, msg, sizeof(msg)) < 0)
			return 3;
		sleep((unsigned)count);
		monitor_stop(m);
		printf("cpu_percent %.2f\n", (cpu_seconds() - cpu0) * 100.0 /
						     (double)count);
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
