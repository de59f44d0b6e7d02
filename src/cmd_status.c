/* bvops status: one round of health checks, for people or as JSON. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "monitor.h"
#include "probe.h"

static void status_iso8601(int64_t ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Microsecond precision is all a latency needs. */
static double status_round_ms(double ms)
{
	return round(ms * 1000.0) / 1000.0;
}

static int status_json(const struct fleet *f, const struct monitor *m,
		       int64_t started)
{
	cJSON *root = cJSON_CreateObject(), *nodes;
	char when[32], *text;
	size_t k;

	status_iso8601(started, when, sizeof(when));
	cJSON_AddStringToObject(root, "fleet", f->name);
	cJSON_AddStringToObject(root, "checked_at", when);
	nodes = cJSON_AddArrayToObject(root, "nodes");
	for (k = 0; k < f->nnodes; k++) {
		const struct health_node *h = monitor_node(m, k);
		cJSON *n = cJSON_CreateObject();

		cJSON_AddStringToObject(n, "name", f->nodes[k].name);
		cJSON_AddNumberToObject(n, "index", (double)f->nodes[k].index);
		cJSON_AddStringToObject(n, "role",
					fleet_role_name(f->nodes[k].role));
		cJSON_AddStringToObject(n, "status",
					health_status_name(h->status));
		if (h->last.http_code != 0) {
			cJSON_AddNumberToObject(n, "http_code",
						h->last.http_code);
			cJSON_AddNumberToObject(
			    n, "latency_ms",
			    status_round_ms(h->last.latency_ms));
			cJSON_AddNullToObject(n, "error");
		} else {
			cJSON_AddNullToObject(n, "http_code");
			cJSON_AddNullToObject(n, "latency_ms");
			cJSON_AddStringToObject(n, "error",
						h->last.error[0] ? h->last.error
								 : "no answer");
		}
		cJSON_AddItemToArray(nodes, n);
	}
	text = cJSON_PrintUnformatted(root);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(root);
	return 0;
}

static void status_table(const struct fleet *f, const struct monitor *m)
{
	bool color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	size_t k, width = 4;

	for (k = 0; k < f->nnodes; k++)
		if (strlen(f->nodes[k].name) > width)
			width = strlen(f->nodes[k].name);
	printf("%-*s %5s  %-7s  %-7s %4s %10s  %s\n", (int)width, "NODE",
	       "INDEX", "ROLE", "STATUS", "HTTP", "LATENCY", "ERROR");
	for (k = 0; k < f->nnodes; k++) {
		const struct health_node *h = monitor_node(m, k);
		const char *st = health_status_name(h->status);
		char code[8] = "-", lat[24] = "-";

		if (h->last.http_code != 0) {
			snprintf(code, sizeof(code), "%d", h->last.http_code);
			snprintf(lat, sizeof(lat), "%.1f ms",
				 h->last.latency_ms);
		}
		printf("%-*s %5lld  %-7s  ", (int)width, f->nodes[k].name,
		       (long long)f->nodes[k].index,
		       fleet_role_name(f->nodes[k].role));
		/* Colour is extra: the word says it all without it. */
		if (color)
			printf("\033[%sm%-7s\033[0m",
			       h->status == HEALTH_UP ? "32" : "1;31", st);
		else
			printf("%-7s", st);
		printf(" %4s %10s  %s\n", code, lat,
		       h->last.http_code == 0 ? h->last.error : "");
	}
}

int cmd_status(const struct cli_opts *o, int argc, char **argv)
{
	struct fleet *f;
	struct monitor *m;
	char msg[256];
	int64_t started;
	int rc = CLI_EXIT_OK;

	rc = cmd_fleet_no_args(o, argc, argv, &f);
	if (rc != CLI_EXIT_OK)
		return rc;
	m = monitor_new(f, msg, sizeof(msg));
	if (m == NULL) {
		fprintf(stderr, "bvops: %s\n", msg);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	started = probe_now_ms();
	if (monitor_round(m) < 0) {
		fprintf(stderr, "bvops: the health checks did not finish\n");
		rc = CLI_EXIT_REMOTE;
	} else {
		if (o->json)
			status_json(f, m, started);
		else
			status_table(f, m);
		for (size_t k = 0; k < f->nnodes; k++)
			if (monitor_node(m, k)->status != HEALTH_UP)
				rc = CLI_EXIT_NOT_OK;
	}
	monitor_free(m);
	fleet_free(f);
	return rc;
}
