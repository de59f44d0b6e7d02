/* bvops debug enter NODE | exit NODE | status (docs/debug.md). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_opts.h"
#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/duration.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "proc/debugmode.h"
#include "proc/keypolicy.h"
#include "state/fleet.h"
#include "state/marks.h"

/* NODE and the options; CMD_BAD_ARGS when wrong. */
static int dbg_args(int argc, char **argv, const char **node,
		    struct debugmode_opts *d, bool *no_console, bool enter)
{
	const struct cliarg enter_opts[] = {
	    {"--no-console", CLIARG_FLAG, no_console, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};
	const struct cliarg exit_opts[] = {
	    {"--wait", CLIARG_DURATION, &d->wait_ms, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	d->wait_ms = 180000;
	if (cliargs_read(argc, argv, enter ? enter_opts : exit_opts, node, 1) <
	    0)
		return CMD_BAD_ARGS;
	return *node != NULL ? 0 : CMD_BAD_ARGS;
}

static int dbg_enter_exit(const struct cli_opts *o, int argc, char **argv,
			  bool enter)
{
	struct debugmode_opts d = {0};
	struct procedure_ui ui;
	const struct fleet_node *n = NULL;
	const char *name = NULL;
	bool no_console = false;
	struct fleet *f;
	char msg[2048] = "", *dir, *id = NULL;
	int rc;

	if (dbg_args(argc, argv, &name, &d, &no_console, enter) != 0)
		return CMD_BAD_ARGS;
	d.yes = o->yes;
	d.force = o->force;
	d.dry_run = o->dry_run;
	rc = cmd_procedure_setup(o, name, &f, &n, &dir);
	if (rc != 0)
		return rc;
	cmd_step_ui(&ui);
	rc = enter ? debugmode_enter(f, n, dir, &d, &ui, &id, msg, sizeof(msg))
		   : debugmode_exit(f, n, dir, &d, &ui, msg, sizeof(msg));
	rc = cmd_exit_code(rc);
	if (rc != CLI_EXIT_OK && msg[0])
		cmd_error("%s", msg);
	if (enter && rc == CLI_EXIT_OK && !o->dry_run && !no_console &&
	    n->transport == FLEET_TRANSPORT_SSM) {
		/* SSM runs commands to completion: nothing to follow. */
		printf("%s's console cannot be followed over ssm (it needs "
		       "transport \"ssh\" or \"local\", e.g. bvops on the "
		       "node); %s is in DEBUG MODE (procedure %s): bvops "
		       "debug exit %s\n",
		       n->name, n->name, id ? id : "?", n->name);
	} else if (enter && rc == CLI_EXIT_OK && !o->dry_run && !no_console) {
		/* Follow the console until Ctrl-C; the node stays in debug
		 * mode, and the operator is told so. */
		char *largv[] = {(char *)n->name, "--source", "console",
				 "--follow"};

		printf("Following %s's console (Ctrl-C stops following; the "
		       "node stays in debug mode)\n",
		       n->name);
		fflush(stdout);
		cmd_logs(o, 4, largv);
		printf(
		    "\n%s is still in DEBUG MODE (procedure %s): bvops debug "
		    "exit %s\n",
		    n->name, id ? id : "?", n->name);
	}
	free(id);
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_debug_enter(const struct cli_opts *o, int argc, char **argv)
{
	return dbg_enter_exit(o, argc, argv, true);
}

int cmd_debug_exit(const struct cli_opts *o, int argc, char **argv)
{
	return dbg_enter_exit(o, argc, argv, false);
}

static const char *dbg_mode(int v)
{
	return v == 1 ? "debug" : v == 0 ? "protected" : "unknown";
}

/*
 * Every node: what bvops recorded, the key policy's PCR8 (live) and the
 * enclave's own Flags; exit 1 when any node is in debug mode by any of
 * them, or they disagree.
 */
int cmd_debug_status(const struct cli_opts *o, int argc, char **argv)
{
	const struct fleet_node *none = NULL;
	struct fleet *f;
	char *dir;
	cJSON *arr = cJSON_CreateArray();
	size_t k;
	int rc;
	bool any = false;

	(void)argv;
	if (argc > 0) {
		cJSON_Delete(arr);
		return CMD_BAD_ARGS;
	}
	rc = cmd_procedure_setup(o, NULL, &f, &none, &dir);
	if (rc != 0) {
		cJSON_Delete(arr);
		return rc;
	}
	if (!o->json)
		printf("%-14s %-10s %-22s %-10s %-10s %s\n", "NODE", "RECORDED",
		       "SINCE", "POLICY", "ENCLAVE", "NOTE");
	for (k = 0; k < f->nnodes; k++) {
		const struct fleet_node *n = &f->nodes[k];
		char id[200] = "", since[40] = "-", pmsg[512] = "",
		     emsg[512] = "", note[1200] = "";
		int64_t since_ms = 0;
		bool rec =
		    marks_debug_get(dir, n->name, &since_ms, id, sizeof(id));
		int pol = n->kms_stack
			      ? keypolicy_live(f, n, pmsg, sizeof(pmsg))
			      : -1;
		int enc = n->transport != FLEET_TRANSPORT_NONE
			      ? debugmode_enclave(f, n, emsg, sizeof(emsg))
			      : -1;
		bool mismatch =
		    (pol >= 0 && pol != rec) || (enc >= 0 && enc != rec);

		if (rec)
			timefmt_iso8601(since_ms, false, since, sizeof(since));
		if (rec || pol == 1 || enc == 1 || mismatch)
			any = true;
		if (pol == 1 && !rec)
			snprintf(note, sizeof(note),
				 "the key policy has the zero PCR8 but bvops "
				 "did not record it (by hand, or a crashed "
				 "bvops): bvops debug exit %s",
				 n->name);
		else if (mismatch)
			snprintf(note, sizeof(note),
				 "MISMATCH: recorded %s, policy %s, enclave %s",
				 rec ? "debug" : "protected", dbg_mode(pol),
				 dbg_mode(enc));
		if (o->json) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(e, "node", n->name);
			cJSON_AddBoolToObject(e, "debug_mode", rec);
			if (rec)
				cJSON_AddStringToObject(e, "since", since);
			else
				cJSON_AddNullToObject(e, "since");
			if (id[0])
				cJSON_AddStringToObject(e, "procedure", id);
			cJSON_AddStringToObject(e, "policy", dbg_mode(pol));
			if (pol < 0 && pmsg[0])
				cJSON_AddStringToObject(e, "policy_error",
							pmsg);
			cJSON_AddStringToObject(e, "enclave", dbg_mode(enc));
			if (enc < 0 && emsg[0])
				cJSON_AddStringToObject(e, "enclave_error",
							emsg);
			cJSON_AddBoolToObject(e, "mismatch", mismatch);
			cJSON_AddItemToArray(arr, e);
		} else {
			printf("%-14s %-10s %-22s %-10s %-10s %s\n", n->name,
			       rec ? "DEBUG" : "protected", since,
			       dbg_mode(pol), dbg_mode(enc), note);
		}
	}
	if (o->json) {
		char *s = cJSON_PrintUnformatted(arr);

		if (s == NULL)
			abort(); /* cJSON only fails for want of memory */
		printf("%s\n", s);
		free(s);
	}
	cJSON_Delete(arr);
	free(dir);
	fleet_free(f);
	return any ? CLI_EXIT_NOT_OK : CLI_EXIT_OK;
}
