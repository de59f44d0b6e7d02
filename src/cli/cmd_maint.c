/*
 * bvops maintenance NODE [--reason TEXT] [--for DURATION] | --end,
 * bvops rearm NODE: the operator's controls over auto-restart, for every
 * bvops process of the fleet (holds.h). During maintenance checks go on,
 * but the node is never restarted automatically and its alerts page no
 * one; a re-arm takes a node out of "gave up" or "start limit".
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/clock.h"
#include "lib/duration.h"
#include "lib/xalloc.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/holds.h"
#include "state/shareddoc.h"
#include "state/statedir.h"

/* Holds that stay once maintenance ended: their owners lift them (an
 * other operator's maintenance too, unless forced). */
static void maint_still_held(const char *dir, const char *name, bool hint)
{
	struct holds h;
	char msg[300], what[600];
	int64_t now = clock_now_ms();
	size_t k;

	if (holds_load(dir, &h, msg, sizeof(msg)) < 0)
		return;
	for (k = 0; k < h.n; k++)
		if (strcmp(h.v[k].node, name) == 0 &&
		    (h.v[k].until_ms == 0 || h.v[k].until_ms > now)) {
			holds_describe(&h.v[k], what, sizeof(what));
			printf("%s is still held by %s%s\n", name, what,
			       hint && h.v[k].kind == HOLD_MAINTENANCE
				   ? " (--force lifts it)"
				   : "");
		}
	holds_free(&h);
}

/* The common part: the node, the state folder and the shared state,
 * confirmation. An --end lifts this operator's maintenance only (each
 * operator's is their own); --force lifts everybody's. */
static int maint_apply(const struct cli_opts *o, const char *name,
		       const char *what, const char *reason, int64_t for_ms,
		       bool rearm)
{
	struct fleet *f = cmd_fleet_load(o);
	char msg[1024], question[600], *dir = NULL;
	int rc = CLI_EXIT_OK;
	bool changed = false, offline = false, end = !rearm && reason == NULL;
	cJSON *op;

	if (f == NULL)
		return CLI_EXIT_USAGE;
	if (fleet_node_find(f, name) == NULL) {
		fprintf(stderr, "bvops: no node '%s' in %s\n", name, f->path);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	dir = statedir_open(f->name, msg, sizeof(msg));
	if (dir == NULL) {
		cmd_error("%s", msg);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	rc = cmd_shared_ready(f, dir, &offline);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (o->dry_run) {
		printf("would %s\n", what);
		goto out;
	}
	snprintf(question, sizeof(question), "%s? [y/N] ", what);
	if (!o->yes && !cmd_confirm(question)) {
		fprintf(stderr, "bvops: nothing done (answer 'y', or --yes in "
				"scripts)\n");
		rc = CLI_EXIT_NOT_OK;
		goto out;
	}
	op = rearm            ? shareddoc_op_rearm(name)
	     : reason != NULL ? shareddoc_op_maint(name, reason, for_ms)
			      : shareddoc_op_maint_end(name, o->force);
	if (shared_change(f, dir, op, &changed, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		rc = CLI_EXIT_REMOTE;
	} else if (end && !changed) {
		printf("%s is not in your maintenance: nothing to end\n", name);
		maint_still_held(dir, name, !o->force);
	} else {
		char *result = xasprintf(
		    "%s%s%s", reason ? reason : "ok",
		    end && o->force ? "; --force: every operator's" : "",
		    offline ? "; offline: this host's view only" : "");

		printf("%s: done\n", what);
		if (end)
			maint_still_held(dir, name, false);
		eventlog_audit(dir,
			       rearm            ? "rearm"
			       : reason != NULL ? "maintenance start"
						: "maintenance end",
			       name, result, msg, sizeof(msg));
		free(result);
	}
out:
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_maintenance(const struct cli_opts *o, int argc, char **argv)
{
	const char *name = NULL, *reason = "maintenance", *dur = NULL;
	bool end = false;
	uint64_t for_ms = 0;
	char what[400];
	const struct cliarg opts[] = {
	    {"--end", CLIARG_FLAG, &end, 0, 0},
	    {"--reason", CLIARG_STRING, &reason, 0, 0},
	    {"--for", CLIARG_STRING, &dur, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	if (cliargs_read(argc, argv, opts, &name, 1) < 0)
		return CMD_BAD_ARGS;
	if (name == NULL) {
		fprintf(stderr, "bvops: maintenance needs a NODE\n");
		return CMD_BAD_ARGS;
	}
	if (dur != NULL &&
	    duration_parse(dur, &for_ms, what, sizeof(what)) < 0) {
		fprintf(stderr, "bvops: --for: %s\n", what);
		return CMD_BAD_ARGS;
	}
	if (end)
		snprintf(what, sizeof(what), "end the maintenance of %s", name);
	else
		snprintf(what, sizeof(what),
			 "put %s in maintenance (%s)%s%s: no automatic "
			 "restart, no paging",
			 name, reason, dur ? " for " : " until ended",
			 dur ? dur : "");
	return maint_apply(o, name, what, end ? NULL : reason, (int64_t)for_ms,
			   false);
}

int cmd_rearm(const struct cli_opts *o, int argc, char **argv)
{
	char what[200];

	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "bvops: rearm takes one NODE\n");
		return CMD_BAD_ARGS;
	}
	snprintf(what, sizeof(what), "re-arm auto-restart on %s", argv[0]);
	return maint_apply(o, argv[0], what, NULL, 0, true);
}
