/*
 * bvops config edit | config restore, bvops procedure list | resume |
 * rollback | abandon, bvops lock status | break: the safe procedures
 * (docs/procedures.md) from the command line. The terminal is the
 * operator's: prompts on /dev/tty, the editor from $VISUAL or $EDITOR.
 */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/duration.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "proc/cfgedit.h"
#include "proc/debugmode.h"
#include "proc/ers.h"
#include "proc/fleetlock.h"
#include "proc/procedure.h"
#include "proc/prockind.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/procjournal.h"
#include "state/shareddoc.h"
#include "state/statedir.h"

/* Options shared by the procedure commands; CMD_BAD_ARGS when wrong. */
static int proc_args(int argc, char **argv, const char **word,
		     struct cfgedit_opts *co, bool backup_ok)
{
	const struct cliarg opts[] = {
	    {"--restart", CLIARG_FLAG, &co->restart, 0, 0},
	    {"--show-secrets", CLIARG_FLAG, &co->show_secrets, 0, 0},
	    {"--wait", CLIARG_DURATION, &co->wait_ms, 0, 0},
	    /* config restore only */
	    {backup_ok ? "--backup" : NULL, CLIARG_STRING, &co->backup, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	co->wait_ms = 180000;
	if (cliargs_read(argc, argv, opts, word, 1) < 0)
		return CMD_BAD_ARGS;
	return *word != NULL ? 0 : CMD_BAD_ARGS;
}

static int proc_config(const struct cli_opts *o, int argc, char **argv,
		       bool restore)
{
	struct cfgedit_opts co = {0};
	struct cfgedit_ui ui;
	const struct fleet_node *n = NULL;
	const char *name = NULL;
	struct fleet *f;
	char msg[2048] = "", *dir;
	int rc;

	if (proc_args(argc, argv, &name, &co, restore) < 0)
		return CMD_BAD_ARGS;
	co.dry_run = o->dry_run;
	co.yes = o->yes;
	rc = cmd_procedure_setup(o, name, &f, &n, &dir);
	if (rc != 0)
		return rc;
	cmd_procedure_ui(&ui);
	rc = restore ? cfgedit_restore(f, n, dir, &co, &ui, msg, sizeof(msg))
		     : cfgedit_run(f, n, dir, &co, &ui, msg, sizeof(msg));
	rc = cmd_exit_code(rc);
	/* On success everything was said on the way. */
	if (rc != CLI_EXIT_OK && msg[0])
		cmd_error("%s", msg);
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_config_edit(const struct cli_opts *o, int argc, char **argv)
{
	return proc_config(o, argc, argv, false);
}

int cmd_config_restore(const struct cli_opts *o, int argc, char **argv)
{
	return proc_config(o, argc, argv, true);
}

/*
 * The open procedures of other hosts (the shared state's), which this
 * host has no journal of: listed too, with whose they are and where they
 * stand; resume, rollback and abandon fetch their journals.
 */
static void proc_list_elsewhere(const struct fleet *f, const char *dir,
				bool json, cJSON *arr)
{
	char msg[300];
	cJSON *doc = shareddoc_load_files(dir, f->name, msg, sizeof(msg));
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "procedures"))
	{
		char *path, where[300];
		const char *owner =
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "owner"));
		const char *state =
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "state"));
		const char *step =
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "step"));

		if (e->string == NULL || strchr(e->string, '/') != NULL)
			continue;
		path = statedir_file(dir, "procedures", e->string, ".jsonl");
		if (access(path, F_OK) == 0) {
			free(path);
			continue;
		}
		free(path);
		snprintf(where, sizeof(where), "open on another host: %s%s%s",
			 state ? state : "?",
			 step && step[0] ? " at step " : "", step ? step : "");
		if (json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", e->string);
			cJSON_AddItemToObject(
			    o, "kind",
			    cJSON_Duplicate(cJSON_GetObjectItem(e, "kind"),
					    true));
			cJSON_AddStringToObject(o, "by", owner ? owner : "?");
			cJSON_AddItemToObject(
			    o, "started",
			    cJSON_Duplicate(cJSON_GetObjectItem(e, "since"),
					    true));
			cJSON_AddNullToObject(o, "outcome");
			cJSON_AddStringToObject(o, "where", where);
			cJSON_AddBoolToObject(o, "elsewhere", true);
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("%-44s %-16s %s\n", e->string,
			       owner ? owner : "?", where);
		}
	}
	cJSON_Delete(doc);
}

int cmd_procedure_list(const struct cli_opts *o, int argc, char **argv)
{
	const struct fleet_node *n = NULL;
	struct fleet *f;
	char msg[512], **ids, *dir;
	size_t k, count;
	cJSON *arr = cJSON_CreateArray();
	int rc = 0;

	(void)argv;
	if (argc > 0) {
		cJSON_Delete(arr);
		return CMD_BAD_ARGS;
	}
	/* Listing observes: nothing is created on disk, and a read-only
	 * fleet is listed too. A state folder that is there is checked as
	 * every command checks it. */
	(void)n;
	f = cmd_fleet_load(o);
	if (f == NULL) {
		cJSON_Delete(arr);
		return CLI_EXIT_USAGE;
	}
	dir = statedir_path(f->name, NULL);
	if (access(dir, F_OK) == 0) {
		free(dir);
		dir = statedir_open(f->name, msg, sizeof(msg));
		if (dir == NULL) {
			cmd_error("%s", msg);
			fleet_free(f);
			cJSON_Delete(arr);
			return CLI_EXIT_USAGE;
		}
	}
	if (access(dir, F_OK) == 0 && shared_wanted(f)) {
		/* Every host's: the shared state read, this host's open
		 * journals brought up to date with their shared copies. */
		char why[600];

		shared_sync(f, dir, why, sizeof(why));
		if (procjournal_list(dir, &ids, &count, msg, sizeof(msg)) ==
		    0) {
			for (k = 0; k < count; k++) {
				struct procjournal_view v;

				if (procjournal_read(dir, ids[k], &v, msg,
						     sizeof(msg)) == 0) {
					if (v.outcome == NULL)
						shared_journal_update(
						    dir, ids[k], why,
						    sizeof(why));
					procjournal_view_free(&v);
				}
				free(ids[k]);
			}
			free(ids);
		}
	}
	if (access(dir, F_OK) != 0) {
		ids = NULL;
		count = 0;
	} else if (procjournal_list(dir, &ids, &count, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		rc = CLI_EXIT_USAGE;
		count = 0;
	}
	if (!o->json && count == 0 && rc == 0)
		printf("no procedure journaled (in %s/procedures)\n", dir);
	else if (!o->json && rc == 0)
		printf("%-44s %-16s %s\n", "ID", "BY", "WHERE IT STANDS");
	for (k = 0; k < count; k++) {
		struct procjournal_view v;
		char where[400], by[300];

		if (procjournal_read(dir, ids[k], &v, msg, sizeof(msg)) < 0) {
			/* JSON mode is JSON only: the error is the entry's. */
			if (o->json) {
				cJSON *e = cJSON_CreateObject();

				cJSON_AddStringToObject(e, "id", ids[k]);
				cJSON_AddStringToObject(e, "error", msg);
				cJSON_AddItemToArray(arr, e);
			} else {
				printf("%-44s %s\n", ids[k], msg);
			}
			free(ids[k]);
			continue;
		}
		procedure_describe(&v, where, sizeof(where));
		snprintf(
		    by, sizeof(by), "%s@%s",
		    cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "user")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "host")));
		if (o->json) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(e, "id", ids[k]);
			cJSON_AddItemToObject(
			    e, "kind",
			    cJSON_Duplicate(
				cJSON_GetObjectItem(v.begin, "kind"), true));
			cJSON_AddStringToObject(e, "by", by);
			cJSON_AddItemToObject(
			    e, "started",
			    cJSON_Duplicate(
				cJSON_GetObjectItem(v.begin, "time"), true));
			if (v.outcome)
				cJSON_AddStringToObject(e, "outcome",
							v.outcome);
			else
				cJSON_AddNullToObject(e, "outcome");
			cJSON_AddStringToObject(e, "where", where);
			prockind_describe(&v, where, sizeof(where));
			cJSON_AddStringToObject(e, "what", where);
			cJSON_AddItemToArray(arr, e);
		} else {
			printf("%-44s %-16s %s\n", ids[k], by, where);
		}
		procjournal_view_free(&v);
		free(ids[k]);
	}
	if (access(dir, F_OK) == 0)
		proc_list_elsewhere(f, dir, o->json, arr);
	if (o->json) {
		char *s = cJSON_PrintUnformatted(arr);

		if (s == NULL)
			abort(); /* cJSON only fails for want of memory */
		printf("%s\n", s);
		free(s);
	}
	cJSON_Delete(arr);
	free(ids);
	free(dir);
	fleet_free(f);
	return rc;
}

/*
 * Procedure id may be another host's: the shared state read, and its
 * journal made this host's from the shared copy when this host has none
 * (said, and audited as a take-over). CLI_EXIT_OK, or an exit code with
 * the message said.
 */
static int proc_take_over(const struct fleet *f, const char *dir,
			  const char *id)
{
	struct procjournal_view v;
	char msg[1200], me[WHOAMI_OWNER_MAX];
	int rc = cmd_shared_ready(f, dir, NULL);

	if (rc != CLI_EXIT_OK)
		return rc;
	rc = shared_journal_fetch(dir, id, msg, sizeof(msg));
	if (rc < 0) {
		cmd_error("%s", msg);
		return CLI_EXIT_USAGE;
	}
	if (rc == 0) {
		/* This host's: what another host added since, if any. */
		shared_journal_update(dir, id, msg, sizeof(msg));
		return CLI_EXIT_OK;
	}
	if (procjournal_read(dir, id, &v, msg, sizeof(msg)) < 0)
		return CLI_EXIT_OK;
	whoami_owner(me, sizeof(me));
	{
		const char *user =
		    cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "user"));
		const char *host =
		    cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "host"));
		char *what = xasprintf(
		    "%s, begun by %s on %s: its journal read from the shared "
		    "state, taken over by %s",
		    id, user ? user : "?", host ? host : "?", me);

		printf("procedure %s\n", what);
		eventlog_audit(dir, "procedure take-over", NULL, what, msg,
			       sizeof(msg));
		free(what);
	}
	procjournal_view_free(&v);
	return CLI_EXIT_OK;
}

/* bvops procedure resume | rollback ID: the journal's kind's own steps
 * (prockind.h). */
static int proc_continue(const struct cli_opts *o, int argc, char **argv,
			 bool rollback)
{
	struct cfgedit_opts co = {0};
	struct cfgedit_ui ui;
	struct procedure_ui pui;
	const struct fleet_node *n = NULL;
	const struct prockind *pk;
	const char *id = NULL;
	struct fleet *f;
	char msg[2048] = "", *dir;
	int rc;

	if (proc_args(argc, argv, &id, &co, false) < 0)
		return CMD_BAD_ARGS;
	rc = cmd_procedure_setup(o, NULL, &f, &n, &dir);
	if (rc != 0)
		return rc;
	rc = proc_take_over(f, dir, id);
	if (rc != CLI_EXIT_OK) {
		free(dir);
		fleet_free(f);
		return rc;
	}
	pk = prockind_of(dir, id, msg, sizeof(msg));
	if (pk == NULL) {
		rc = CLI_EXIT_USAGE;
	} else {
		struct prockind_run r = {.f = f,
					 .state_dir = dir,
					 .id = id,
					 .yes = o->yes,
					 .force = o->force,
					 .restart = co.restart,
					 .wait_ms = co.wait_ms,
					 .edit_ui = &ui,
					 .ui = &pui};

		cmd_procedure_ui(&ui);
		cmd_step_ui(&pui);
		rc = cmd_exit_code(pk->proceed(&r, rollback, msg, sizeof(msg)));
	}
	if (rc != CLI_EXIT_OK && msg[0])
		cmd_error("%s", msg);
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_procedure_resume(const struct cli_opts *o, int argc, char **argv)
{
	return proc_continue(o, argc, argv, false);
}

int cmd_procedure_rollback(const struct cli_opts *o, int argc, char **argv)
{
	return proc_continue(o, argc, argv, true);
}

int cmd_procedure_abandon(const struct cli_opts *o, int argc, char **argv)
{
	const struct fleet_node *n = NULL;
	struct fleet *f;
	char *dir;
	int rc;

	if (argc != 1 || argv[0][0] == '-')
		return CMD_BAD_ARGS;
	rc = cmd_procedure_setup(o, NULL, &f, &n, &dir);
	if (rc != 0)
		return rc;
	rc = proc_take_over(f, dir, argv[0]);
	if (rc != CLI_EXIT_OK) {
		/* nothing to abandon */
	} else if (!o->yes && !cmd_confirm("Abandon it, leaving things as they "
					   "are? [y/N] ")) {
		fprintf(stderr, "bvops: nothing done (answer 'y', or --yes)\n");
		rc = CLI_EXIT_NOT_OK;
	} else {
		struct prockind_run r = {
		    .f = f, .state_dir = dir, .id = argv[0], .yes = o->yes};
		char msg[2048] = "", err[600];
		const struct prockind *pk =
		    prockind_of(dir, argv[0], err, sizeof(err));

		/* A kind this bvops does not know is abandoned all the same. */
		rc = pk != NULL ? pk->abandon(&r, msg, sizeof(msg))
				: prockind_abandon(&r, msg, sizeof(msg));
		rc = cmd_exit_code(rc);
		if (rc == CLI_EXIT_OK)
			printf("%s: %s\n", argv[0], msg);
		else
			cmd_error("%s", msg);
	}
	free(dir);
	fleet_free(f);
	return rc;
}

/* bvops lock [status] | break ID */
static int proc_lock(const struct cli_opts *o, const char *break_id)
{
	bool do_break = break_id != NULL;
	const struct fleet_node *n = NULL;
	struct fleetlock_where w;
	struct fleetlock_holder h = {0};
	struct aws_client *a = NULL;
	struct fleet *f;
	char msg[1024], region[64], *dir;
	int rc;

	rc = cmd_procedure_setup(o, NULL, &f, &n, &dir);
	if (rc != 0)
		return rc;
	if (awscred_region(f->region, region, sizeof(region), msg,
			   sizeof(msg)) == 0) {
		a = awsid_client_fleet(f);
		if (fleetlock_where_fleet(f, a, region, &w, msg, sizeof(msg)) ==
			0 &&
		    fleetlock_read(a, &w, &h, msg, sizeof(msg)) == 0)
			msg[0] = '\0';
	}
	if (a == NULL || msg[0] != '\0') {
		cmd_error("%s", msg);
		rc = CLI_EXIT_REMOTE;
	} else {
		char who[800];

		lockdoc_describe(&h, who, sizeof(who));
		if (!do_break) {
			printf("s3://%s/%s: %s\n", w.bucket, w.key,
			       h.held ? who : "not held");
			rc = h.held ? CLI_EXIT_NOT_OK : CLI_EXIT_OK;
		} else if (!h.held) {
			printf("s3://%s/%s is not held: nothing to break\n",
			       w.bucket, w.key);
		} else if (strcmp(h.id, break_id) != 0) {
			cmd_error("the lock is held by %s, not by %s: nothing "
				  "broken (bvops lock break breaks only the "
				  "lock it names)",
				  who, break_id);
			rc = CLI_EXIT_NOT_OK;
		} else if (o->dry_run) {
			printf("would break the lock held by %s\n", who);
		} else if (!o->yes &&
			   !cmd_confirm("Break it? Only if that "
					"procedure is dead. [y/N] ")) {
			fprintf(stderr, "bvops: nothing done\n");
			rc = CLI_EXIT_NOT_OK;
		} else if (fleetlock_break(a, &w, break_id, msg, sizeof(msg)) <
			   0) {
			cmd_error("%s", msg);
			rc = CLI_EXIT_REMOTE;
		} else {
			printf("broke the lock held by %s\n", who);
			eventlog_audit(dir, "lock break", NULL, who, msg,
				       sizeof(msg));
		}
	}
	aws_client_free(a);
	free(dir);
	fleet_free(f);
	return rc;
}

int cmd_lock_status(const struct cli_opts *o, int argc, char **argv)
{
	(void)argv;
	return argc > 0 ? CMD_BAD_ARGS : proc_lock(o, NULL);
}

int cmd_lock_break(const struct cli_opts *o, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "bvops: lock break needs the ID of the lock to "
				"break (bvops lock status shows it)\n");
		return CMD_BAD_ARGS;
	}
	return proc_lock(o, argv[0]);
}
