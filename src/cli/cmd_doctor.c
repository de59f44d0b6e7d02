/*
 * bvops doctor NODE [--json]: the node's checks (doctor.h), each ok, warn
 * or FAIL with the fact and the fix. Exit 0 when nothing fails, 1 when a
 * check fails, 3 when the node could not be reached.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awscred.h"
#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/sanitize.h"
#include "proc/doctor.h"
#include "state/fleet.h"
#include "transport/transport.h"

/* One row: "  LEVEL NAME  TEXT" (or the fix under it). Node output is
 * untrusted: the text is made safe before it is shown. */
static void doctor_put(const char *level, const char *name, const char *text)
{
	char clean[1200];

	sanitize_text(text, strlen(text), clean, sizeof(clean), false);
	printf("  %-5s %-16s %s\n", level, name, clean);
}

int cmd_doctor(const struct cli_opts *o, int argc, char **argv)
{
	const char *name = NULL;
	const struct cliarg opts[] = {{NULL, CLIARG_FLAG, NULL, 0, 0}};
	struct doctor_report r;
	const struct fleet_node *n;
	struct transport *t;
	struct fleet *f;
	char region[64] = "", msg[1024];
	size_t k, counts[3] = {0, 0, 0};
	int rc;

	if (cliargs_read(argc, argv, opts, &name, 1) < 0)
		return CMD_BAD_ARGS;
	if (name == NULL) {
		fprintf(stderr, "bvops: doctor needs a NODE\n");
		return CMD_BAD_ARGS;
	}
	f = cmd_fleet_load(o);
	if (f == NULL)
		return CLI_EXIT_USAGE;
	n = fleet_node_find(f, name);
	if (n == NULL) {
		fprintf(stderr, "bvops: no node '%s' in %s\n", name, f->path);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	/* The KMS endpoint the allowlist must name: the fleet's region. */
	if (awscred_region(f->region, region, sizeof(region), msg,
			   sizeof(msg)) < 0)
		region[0] = '\0';
	t = transport_new(f);
	rc = doctor_run(t, f, n, region, &r, msg, sizeof(msg));
	transport_free(t);
	if (rc < 0) {
		cmd_error("%s: %s", name, msg);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	for (k = 0; k < r.n; k++)
		counts[r.v[k].level]++;
	if (o->json) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
		char *s;

		cJSON_AddStringToObject(root, "node", name);
		for (k = 0; k < r.n; k++) {
			cJSON *c = cJSON_CreateObject();

			cJSON_AddStringToObject(c, "check", r.v[k].name);
			cJSON_AddStringToObject(
			    c, "level",
			    r.v[k].level == DOCTOR_FAIL
				? "fail"
				: doctor_level_name(r.v[k].level));
			cJSON_AddStringToObject(c, "fact", r.v[k].fact);
			if (r.v[k].fix[0])
				cJSON_AddStringToObject(c, "fix", r.v[k].fix);
			else
				cJSON_AddNullToObject(c, "fix");
			cJSON_AddItemToArray(arr, c);
		}
		cJSON_AddItemToObject(root, "checks", arr);
		cJSON_AddNumberToObject(root, "ok", (double)counts[DOCTOR_OK]);
		cJSON_AddNumberToObject(root, "warn",
					(double)counts[DOCTOR_WARN]);
		cJSON_AddNumberToObject(root, "fail",
					(double)counts[DOCTOR_FAIL]);
		s = cJSON_Print(root);
		if (s == NULL)
			abort(); /* cJSON only fails for want of memory */
		printf("%s\n", s);
		free(s);
		cJSON_Delete(root);
	} else {
		printf("%s (%s)\n", name, fleet_transport_name(n->transport));
		for (k = 0; k < r.n; k++) {
			doctor_put(doctor_level_name(r.v[k].level), r.v[k].name,
				   r.v[k].fact);
			if (r.v[k].fix[0]) {
				char fix[500];

				snprintf(fix, sizeof(fix), "fix: %s",
					 r.v[k].fix);
				doctor_put("", "", fix);
			}
		}
		printf("%zu ok, %zu warn, %zu fail\n", counts[DOCTOR_OK],
		       counts[DOCTOR_WARN], counts[DOCTOR_FAIL]);
	}
	doctor_report_free(&r);
	fleet_free(f);
	return counts[DOCTOR_FAIL] > 0 ? CLI_EXIT_NOT_OK : CLI_EXIT_OK;
}
