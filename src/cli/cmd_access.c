/*
 * bvops access [--json]: for the shared state and every node, who bvops
 * calls AWS as and whether it can read what a procedure will need
 * (access.h). Exit 0 when everything is there, 1 when something is
 * missing: run at the start of an incident, before it is needed.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "lib/sanitize.h"
#include "proc/access.h"
#include "state/fleet.h"

/* AWS's words and the fleet's names: made safe for the terminal. */
static void access_print(const char *s)
{
	char clean[1500];

	sanitize_text(s, strlen(s), clean, sizeof(clean), false);
	fputs(clean, stdout);
}

static void access_entry_print(const struct access_entry *e, int width)
{
	size_t k;

	access_print(e->name);
	printf("%*s  ", width - (int)strlen(e->name), "");
	if (!e->id.needed) {
		printf("as ");
		access_print(e->id.identity);
		printf(": ");
		access_print(e->note);
		printf("\n");
		return;
	}
	printf("as ");
	access_print(e->id.identity);
	if (!e->id.ok) {
		printf("\n  %-5s %-11s ", "FAIL", "identity");
		access_print(e->id.why);
		printf("\n");
		return;
	}
	printf(": account ");
	access_print(e->id.account);
	printf(", ");
	access_print(e->id.arn);
	printf("\n");
	for (k = 0; k < e->nprobes; k++) {
		printf("  %-5s %-11s ", e->probes[k].ok ? "ok" : "FAIL",
		       e->probes[k].name);
		access_print(e->probes[k].fact);
		printf("\n");
	}
}

static cJSON *access_entry_json(const struct access_entry *e)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	size_t k;

	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "identity", e->id.identity);
	cJSON_AddBoolToObject(o, "needs_aws", e->id.needed);
	if (e->id.needed && e->id.ok) {
		cJSON_AddBoolToObject(o, "access", true);
		cJSON_AddStringToObject(o, "account", e->id.account);
		cJSON_AddStringToObject(o, "arn", e->id.arn);
		cJSON_AddNullToObject(o, "error");
	} else {
		if (e->id.needed)
			cJSON_AddBoolToObject(o, "access", false);
		else
			cJSON_AddNullToObject(o, "access");
		cJSON_AddNullToObject(o, "account");
		cJSON_AddNullToObject(o, "arn");
		if (e->id.needed)
			cJSON_AddStringToObject(o, "error", e->id.why);
		else
			cJSON_AddNullToObject(o, "error");
	}
	arr = cJSON_AddArrayToObject(o, "probes");
	for (k = 0; k < e->nprobes; k++) {
		cJSON *p = cJSON_CreateObject();

		cJSON_AddStringToObject(p, "probe", e->probes[k].name);
		cJSON_AddBoolToObject(p, "ok", e->probes[k].ok);
		cJSON_AddStringToObject(p, e->probes[k].ok ? "fact" : "error",
					e->probes[k].fact);
		cJSON_AddItemToArray(arr, p);
	}
	return o;
}

int cmd_access(const struct cli_opts *o, int argc, char **argv)
{
	struct access_report r;
	struct fleet *f;
	size_t k;
	int rc, width = (int)strlen("shared state");

	rc = cmd_fleet_no_args(o, argc, argv, &f);
	if (rc != CLI_EXIT_OK)
		return rc;
	access_run(f, &r);
	if (o->json) {
		cJSON *root = cJSON_CreateObject(), *nodes;
		char *s;

		cJSON_AddStringToObject(root, "fleet", f->name);
		cJSON_AddItemToObject(root, "shared_state",
				      access_entry_json(&r.shared));
		nodes = cJSON_AddArrayToObject(root, "nodes");
		for (k = 0; k < r.n; k++)
			cJSON_AddItemToArray(nodes,
					     access_entry_json(&r.nodes[k]));
		cJSON_AddNumberToObject(root, "problems", (double)r.failed);
		s = cJSON_PrintUnformatted(root);
		if (s == NULL)
			abort(); /* cJSON only fails for want of memory */
		printf("%s\n", s);
		free(s);
		cJSON_Delete(root);
	} else {
		for (k = 0; k < r.n; k++)
			if ((int)strlen(r.nodes[k].name) > width)
				width = (int)strlen(r.nodes[k].name);
		access_entry_print(&r.shared, width);
		for (k = 0; k < r.n; k++)
			access_entry_print(&r.nodes[k], width);
		if (r.failed == 0)
			printf("Everything bvops reads is readable (what it "
			       "writes is not tried).\n");
		else
			printf("%zu problem%s: a procedure that needs %s is "
			       "refused.\n",
			       r.failed, r.failed == 1 ? "" : "s",
			       r.failed == 1 ? "it" : "them");
	}
	rc = r.failed > 0 ? CLI_EXIT_NOT_OK : CLI_EXIT_OK;
	access_report_free(&r);
	fleet_free(f);
	return rc;
}
