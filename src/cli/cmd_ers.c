/* bvops ers apply | revert | status (docs/ers.md). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_opts.h"
#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/duration.h"
#include "proc/ers.h"
#include "proc/procedure.h"
#include "state/ersfrag.h"
#include "state/fleet.h"

/* The options every ers command takes; CMD_BAD_ARGS when wrong. */
static int ers_args(int argc, char **argv, struct ers_opts *e)
{
	const struct cliarg opts[] = {
	    {"--fragment", CLIARG_STRING, &e->fragment, 0, 0},
	    {"--preset", CLIARG_STRING, &e->preset, 0, 0},
	    {"--show-secrets", CLIARG_FLAG, &e->show_secrets, 0, 0},
	    {"--wait", CLIARG_DURATION, &e->wait_ms, 0, 0},
	    {"--stop-wait", CLIARG_DURATION, &e->stop_wait_ms, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	e->wait_ms = 180000;
	e->stop_wait_ms = 60000;
	if (cliargs_read(argc, argv, opts, NULL, 0) < 0)
		return CMD_BAD_ARGS;
	if (e->fragment != NULL && e->preset != NULL) {
		fprintf(stderr, "bvops: --fragment or --preset, not both\n");
		return CMD_BAD_ARGS;
	}
	return 0;
}

static int ers_run(const struct cli_opts *o, int argc, char **argv, bool apply)
{
	struct ers_opts e = {0};
	struct procedure_ui ui;
	const struct fleet_node *none = NULL;
	struct fleet *f;
	char msg[8192] = "", *dir;
	int rc;

	if (ers_args(argc, argv, &e) != 0)
		return CMD_BAD_ARGS;
	if (apply && e.fragment == NULL && e.preset == NULL) {
		fprintf(stderr,
			"bvops: ers apply needs --fragment FILE or --preset "
			"NAME (presets: %s, %s)\n",
			ersfrag_preset_names[0], ersfrag_preset_names[1]);
		return CMD_BAD_ARGS;
	}
	e.yes = o->yes;
	e.force = o->force;
	e.dry_run = o->dry_run;
	rc = cmd_procedure_setup(o, NULL, &f, &none, &dir);
	if (rc != 0)
		return rc;
	cmd_step_ui(&ui);
	rc = apply ? ers_apply(f, dir, &e, &ui, NULL, msg, sizeof(msg))
		   : ers_revert(f, dir, &e, &ui, NULL, msg, sizeof(msg));
	rc = cmd_exit_code(rc);
	if (rc != CLI_EXIT_OK && msg[0])
		cmd_error("%s", msg);
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_ers_apply(const struct cli_opts *o, int argc, char **argv)
{
	return ers_run(o, argc, argv, true);
}

int cmd_ers_revert(const struct cli_opts *o, int argc, char **argv)
{
	return ers_run(o, argc, argv, false);
}

static const char *ers_str(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));

	return s ? s : "-";
}

int cmd_ers_status(const struct cli_opts *o, int argc, char **argv)
{
	struct ers_opts e = {0};
	const struct fleet_node *none = NULL;
	struct fleet *f;
	char msg[2048] = "", *dir;
	cJSON *out = NULL, *n;
	const cJSON *p;
	int rc;

	if (ers_args(argc, argv, &e) != 0)
		return CMD_BAD_ARGS;
	rc = cmd_procedure_setup(o, NULL, &f, &none, &dir);
	if (rc != 0)
		return rc;
	rc = cmd_exit_code(ers_status(f, dir, &e, &out, msg, sizeof(msg)));
	if (rc == CLI_EXIT_USAGE || rc == CLI_EXIT_REMOTE)
		cmd_error("%s", msg);
	if (o->json && rc != CLI_EXIT_USAGE) {
		char *s = cJSON_PrintUnformatted(out);

		if (s == NULL)
			abort(); /* cJSON only fails for want of memory */
		printf("%s\n", s);
		free(s);
	} else if (rc != CLI_EXIT_USAGE && rc != CLI_EXIT_REMOTE) {
		const char *fleet = ers_str(out, "fleet");

		printf("ERS on fleet %s: %s (compared with %s)\n", f->name,
		       strcmp(fleet, "ers") == 0    ? "ACTIVE on every node"
		       : strcmp(fleet, "none") == 0 ? "on no node"
						    : "MIXED: the nodes differ",
		       ers_str(out, "fragment"));
		printf("%-14s %-8s %-8s %-22s %-22s %s\n", "NODE", "ROLE",
		       "CONFIG", "CONFIG CHANGED", "STARTED BY BVOPS",
		       "STARTED SINCE");
		cJSON_ArrayForEach(n, cJSON_GetObjectItem(out, "nodes"))
		{
			const char *c = ers_str(n, "config");

			printf("%-14s %-8s %-8s %-22s %-22s %s\n",
			       ers_str(n, "node"), ers_str(n, "role"),
			       strcmp(c, "ers") == 0 ? "ERS" : c,
			       ers_str(n, "config_changed"),
			       ers_str(n, "started"),
			       ers_str(n, "started_after_change"));
		}
		p = cJSON_GetObjectItem(out, "procedure");
		if (p != NULL && cJSON_IsTrue(cJSON_GetObjectItem(p, "open")))
			printf("%s %s is OPEN: %s (bvops procedure resume %s "
			       "| rollback %s)\n",
			       ers_str(p, "kind"), ers_str(p, "id"),
			       ers_str(p, "state"), ers_str(p, "id"),
			       ers_str(p, "id"));
		else if (p != NULL)
			printf("last: %s %s, %s\n", ers_str(p, "kind"),
			       ers_str(p, "id"), ers_str(p, "state"));
	}
	cJSON_Delete(out);
	free(dir);
	fleet_free(f);
	return rc;
}
