/*
 * bvops node restart|stop|start NODE [--wait D] [--yes] [--dry-run]
 * [--json]: the console's R, S and U for scripts and runbooks, with the
 * same guard: the quorum effect of one round of checks said and asked
 * before a restart or a stop, a stop held (no auto-restart, no paging)
 * before it runs and let go when the node is started again, an audit
 * line for each. --wait waits for /ping to answer 200 (restart, start)
 * or to stop answering (stop).
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "engine/nodeact.h"
#include "lib/clock.h"
#include "lib/duration.h"
#include "lib/xalloc.h"
#include "proc/nodewait.h"
#include "proc/procctx.h"
#include "proc/procedure.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/holds.h"
#include "state/shareddoc.h"
#include "state/statedir.h"
#include "transport/transport.h"

/* The hold a stop from the command line puts on its node. */
#define NODE_STOPPED_REASON "stopped on purpose with bvops node stop"

/* What one action did, for the text and the JSON. */
struct node_run {
	const char *node, *action;
	char *command;   /* as it runs on the node */
	bool ran;        /* the command was run (not a dry run) */
	int exit_status; /* its exit status, -1 killed or timed out */
	char *output;    /* stdout then stderr, as it came */
	char error[600]; /* why it could not run, or why the wait failed */
	bool waited, ok; /* --wait given; the node ended as asked */
	int64_t waited_ms;
};

static void node_say(void *ctx, const char *text)
{
	FILE *fp = ctx;

	fputs(text, fp);
}

static void node_json(const struct node_run *r, bool dry_run)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "node", r->node);
	cJSON_AddStringToObject(o, "action", r->action);
	cJSON_AddStringToObject(o, "command", r->command ? r->command : "");
	cJSON_AddBoolToObject(o, "dry_run", dry_run);
	if (r->ran)
		cJSON_AddNumberToObject(o, "exit_status", r->exit_status);
	else
		cJSON_AddNullToObject(o, "exit_status");
	cJSON_AddStringToObject(o, "output", r->output ? r->output : "");
	if (r->waited)
		cJSON_AddNumberToObject(o, "waited_ms", (double)r->waited_ms);
	else
		cJSON_AddNullToObject(o, "waited_ms");
	cJSON_AddBoolToObject(o, "ok", r->ok);
	if (r->error[0])
		cJSON_AddStringToObject(o, "error", r->error);
	else
		cJSON_AddNullToObject(o, "error");
	s = cJSON_Print(o);
	if (s == NULL)
		abort(); /* cJSON only fails for want of memory */
	printf("%s\n", s);
	free(s);
	cJSON_Delete(o);
}

/* Run it: the command on the node, then the wait if asked. */
static int node_act(const struct fleet *f, size_t idx, enum fleet_cmd cmd,
		    uint64_t wait_ms, FILE *say, struct node_run *r)
{
	struct transport *t = transport_new(f);
	struct transport_result res = {0};
	int64_t t0;
	int rc;

	rc = transport_run(t, &f->nodes[idx], cmd, NODEACT_TIMEOUT_MS, 65536,
			   &res, r->error, sizeof(r->error));
	transport_free(t);
	if (rc < 0)
		return CLI_EXIT_REMOTE;
	r->ran = true;
	r->exit_status = res.exit_status;
	r->output =
	    xasprintf("%s%s", res.out ? res.out : "", res.err ? res.err : "");
	if (r->exit_status != 0) {
		if (res.timed_out)
			snprintf(r->error, sizeof(r->error),
				 "%s of %s failed (timed out after %d s)",
				 r->action, r->node, NODEACT_TIMEOUT_MS / 1000);
		else
			snprintf(r->error, sizeof(r->error),
				 "%s of %s failed (exit %d)", r->action,
				 r->node, r->exit_status);
	}
	transport_result_free(&res);
	if (r->exit_status != 0)
		return CLI_EXIT_NOT_OK;
	if (wait_ms == 0) {
		r->ok = true;
		return CLI_EXIT_OK;
	}
	r->waited = true;
	t0 = clock_mono_ms();
	rc = cmd == FLEET_CMD_STOP
		 ? nodewait_down(f, idx, wait_ms, r->error, sizeof(r->error))
		 : nodewait_up_or_journal(f, idx, wait_ms, node_say, say,
					  r->error, sizeof(r->error));
	r->waited_ms = clock_mono_ms() - t0;
	r->ok = rc == 0;
	if (rc == 0)
		r->error[0] = '\0';
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_NOT_OK;
}

static int node_command(const struct cli_opts *o, int argc, char **argv,
			enum fleet_cmd cmd)
{
	const char *name = NULL, *action = fleet_cmd_name(cmd);
	uint64_t wait_ms = 0;
	const struct cliarg opts[] = {
	    {"--wait", CLIARG_DURATION, &wait_ms, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};
	struct node_run r = {.action = action};
	struct procedure_ui ui;
	const struct fleet_node *n;
	char msg[1024], question[300], over[1024], *dir = NULL;
	bool offline = false;
	struct fleet *f;
	size_t idx;
	int rc;

	if (cliargs_read(argc, argv, opts, &name, 1) < 0)
		return CMD_BAD_ARGS;
	if (name == NULL) {
		fprintf(stderr, "bvops: node %s needs a NODE\n", action);
		return CMD_BAD_ARGS;
	}
	rc = cmd_fleet_node(o, name, &f, &n);
	if (rc != 0)
		return rc;
	if (f->read_only || o->read_only) {
		fprintf(stderr, "bvops: %s is read-only: %s is not %s\n",
			f->read_only ? f->path : "this run", name,
			cmd == FLEET_CMD_STOP ? "stopped"
					      : "restarted or started");
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	idx = (size_t)(n - f->nodes);
	r.node = n->name;
	r.command = transport_command(n, cmd, msg, sizeof(msg));
	if (r.command == NULL) {
		cmd_error("%s", msg);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	cmd_step_ui(&ui);
	ui.ctx = o->json ? stderr : stdout; /* JSON alone on stdout */
	ui.say = node_say;
	/* The state folder first: a stop that cannot be held, or an action
	 * that cannot be audited, is refused before anything runs. */
	dir = statedir_open(f->name, msg, sizeof(msg));
	if (dir == NULL) {
		cmd_error("%s: nothing done", msg);
		free(r.command);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	rc = cmd_shared_ready(f, dir, &offline);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (o->dry_run) {
		char claims[2048];

		if (procctx_claims(dir, name, claims, sizeof(claims)) > 0)
			printf("%s", claims);
		if (cmd != FLEET_CMD_START)
			procctx_say_quorum(f, &r.node, 1, &ui);
		if (o->json)
			node_json(&r, true);
		else
			printf("dry run: would run on %s: %s\n", name,
			       r.command);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (!procctx_guard(f, dir, &r.node, 1, action, true, o->yes, o->force,
			   &ui, over, sizeof(over), msg, sizeof(msg))) {
		cmd_error("%s", msg);
		rc = CLI_EXIT_NOT_OK;
		goto out;
	}
	snprintf(question, sizeof(question), "%c%s %s now? [y/N] ",
		 action[0] - ('a' - 'A'), action + 1, name);
	if (cmd == FLEET_CMD_START
		? !o->yes && !cmd_confirm(question)
		: !procctx_confirm_disruption(f, &r.node, 1, o->yes, &ui,
					      question, msg, sizeof(msg))) {
		if (cmd == FLEET_CMD_START)
			snprintf(msg, sizeof(msg),
				 "not confirmed: nothing done (answer y, or "
				 "--yes in scripts)");
		cmd_error("%s", msg);
		rc = CLI_EXIT_NOT_OK;
		goto out;
	}
	/* Held before it goes down: its fall is never an outage. A stop
	 * that cannot be held is not done. */
	if (cmd == FLEET_CMD_STOP &&
	    shared_change(f, dir,
			  shareddoc_op_hold_add(name, HOLD_STOP, "",
						NODE_STOPPED_REASON, 0),
			  NULL, msg, sizeof(msg)) < 0) {
		cmd_error("%s: the stop cannot be recorded as held (%s): "
			  "nothing done",
			  name, msg);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	rc = node_act(f, idx, cmd, wait_ms, ui.ctx, &r);
	{
		bool ran_ok = r.ran && r.exit_status == 0;
		char *result = xasprintf(
		    "%s%s%s%s", r.error[0] ? r.error : "done (exit 0)",
		    over[0] ? "; forced over: " : "", over,
		    offline ? "; offline: this host's view only" : "");

		eventlog_audit(dir, action, name, result, msg, sizeof(msg));
		free(result);
		/* A failed stop lets its hold go; a start or restart that
		 * ran ends a stop's hold. */
		if ((cmd == FLEET_CMD_STOP && !ran_ok) ||
		    (cmd != FLEET_CMD_STOP && ran_ok))
			shared_change(f, dir,
				      shareddoc_op_hold_remove(name, HOLD_STOP,
							       "", false),
				      NULL, msg, sizeof(msg));
	}
	if (o->json) {
		node_json(&r, false);
	} else {
		if (r.output != NULL && r.output[0])
			fputs(r.output, stdout);
		if (r.error[0])
			cmd_error("%s", r.error);
		else if (r.waited)
			printf("%s: %s done, %s after %lld ms\n", name, action,
			       cmd == FLEET_CMD_STOP ? "stopped" : "up",
			       (long long)r.waited_ms);
		else
			printf("%s: %s done (exit 0)\n", name, action);
	}
out:
	free(r.command);
	free(r.output);
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_node_restart(const struct cli_opts *o, int argc, char **argv)
{
	return node_command(o, argc, argv, FLEET_CMD_RESTART);
}

int cmd_node_stop(const struct cli_opts *o, int argc, char **argv)
{
	return node_command(o, argc, argv, FLEET_CMD_STOP);
}

int cmd_node_start(const struct cli_opts *o, int argc, char **argv)
{
	return node_command(o, argc, argv, FLEET_CMD_START);
}
