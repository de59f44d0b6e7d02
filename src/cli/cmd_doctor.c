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

int cmd_doctor(const struct cli_opts *o, int argc, char **argv)
{
	const char *name = NULL;
	const struct cliarg opts[] = {{NULL, CLIARG_FLAG, NULL, 0, 0}};
	struct doctor_report r;
	const struct fleet_node *n;
	struct transport *t;
	struct fleet *f;
	char region[64] = "", msg[1024];
	size_t counts[3] = {0, 0, 0};
	int rc;

	if (cliargs_read(argc, argv, opts, &name, 1) < 0)
		return CMD_BAD_ARGS;
	if (name == NULL) {
		fprintf(stderr, "bvops: doctor needs a NODE\n");
		return CMD_BAD_ARGS;
	}
	rc = cmd_fleet_node(o, name, &f, &n);
	if (rc != 0)
		return rc;
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
	doctor_count(&r, counts);
	if (o->json) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
		char *s;

		cJSON_AddStringToObject(root, "node", name);
		for (size_t k = 0; k < r.n; k++) {
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
		char *text = doctor_report_text(&r), *p = text, clean[1200];

		printf("%s (%s)\n", name, fleet_transport_name(n->transport));
		/* The node's words are untrusted: each line made safe; the
		 * checks indented, the counts (the last line) not. */
		for (;;) {
			char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			sanitize_text(p, len, clean, sizeof(clean), false);
			printf("%s%s\n", nl ? "  " : "", clean);
			if (nl == NULL)
				break;
			p = nl + 1;
		}
		free(text);
	}
	doctor_report_free(&r);
	fleet_free(f);
	return counts[DOCTOR_FAIL] > 0 ? CLI_EXIT_NOT_OK : CLI_EXIT_OK;
}
