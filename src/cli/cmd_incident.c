/*
 * bvops incident list | show ID [--text] | export ID FILE [--text]
 * [--force]: the incident records of the fleet (incident.h), as `bvops
 * watch` and the console keep them in the state folder. ID may be the
 * start of an id, or "latest".
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/duration.h"
#include "lib/timefmt.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/incident_file.h"
#include "state/statedir.h"

/* The fleet's state folder (the caller frees it), or NULL said. */
static char *incident_dir(const struct cli_opts *o)
{
	struct fleet *f = cmd_fleet_load(o);
	char msg[512], *dir;

	if (f == NULL)
		return NULL;
	dir = statedir_open(f->name, msg, sizeof(msg));
	if (dir == NULL)
		cmd_error("%s", msg);
	fleet_free(f);
	return dir;
}

int cmd_incident_list(const struct cli_opts *o, int argc, char **argv)
{
	struct incident_info *v;
	char msg[512], *dir;
	size_t n, k;

	(void)argv;
	if (argc > 0)
		return CMD_BAD_ARGS;
	dir = incident_dir(o);
	if (dir == NULL)
		return CLI_EXIT_USAGE;
	if (incident_list(dir, &v, &n, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		free(dir);
		return CLI_EXIT_USAGE;
	}
	if (o->json) {
		cJSON *a = cJSON_CreateArray();
		char *s;

		for (k = 0; k < n; k++) {
			cJSON *e = cJSON_CreateObject();
			char when[40];

			cJSON_AddStringToObject(e, "id", v[k].id);
			cJSON_AddStringToObject(e, "node", v[k].node);
			cJSON_AddStringToObject(e, "status", v[k].status);
			timefmt_iso8601(v[k].first_fail_ms, true, when,
					sizeof(when));
			cJSON_AddStringToObject(e, "first_failure", when);
			if (v[k].recovered_ms) {
				timefmt_iso8601(v[k].recovered_ms, true, when,
						sizeof(when));
				cJSON_AddStringToObject(e, "recovered", when);
			} else {
				cJSON_AddNullToObject(e, "recovered");
			}
			cJSON_AddStringToObject(e, "cause", v[k].cause);
			cJSON_AddItemToArray(a, e);
		}
		s = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (s == NULL)
			abort(); /* cJSON only fails for want of memory */
		printf("%s\n", s);
		free(s);
	} else if (n == 0) {
		printf("no incidents recorded (in %s/incidents)\n", dir);
	} else {
		printf("%-40s %-18s %-9s %s\n", "ID", "STATUS", "OUTAGE",
		       "CAUSE");
		for (k = 0; k < n; k++) {
			char dur[40] = "-";

			if (v[k].recovered_ms >= v[k].first_fail_ms &&
			    v[k].recovered_ms > 0)
				duration_human((uint64_t)(v[k].recovered_ms -
							  v[k].first_fail_ms),
					       dur, sizeof(dur));
			printf("%-40s %-18s %-9s %s\n", v[k].id, v[k].status,
			       dur, v[k].cause);
		}
	}
	free(v);
	free(dir);
	return CLI_EXIT_OK;
}

/* ID [FILE] with --text and --force; returns CMD_BAD_ARGS when wrong. */
static int incident_args(int argc, char **argv, int want, const char **id,
			 const char **file, bool *text, bool *force)
{
	const struct cliarg opts[] = {
	    {"--text", CLIARG_FLAG, text, 0, 0},
	    /* export only */
	    {force != NULL ? "--force" : NULL, CLIARG_FLAG, force, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};
	const char *words[2] = {NULL, NULL};
	int n = cliargs_read(argc, argv, opts, words, want);

	if (n != want)
		return CMD_BAD_ARGS;
	*id = words[0];
	if (want > 1)
		*file = words[1];
	return 0;
}

int cmd_incident_show(const struct cli_opts *o, int argc, char **argv)
{
	const char *prefix = NULL, *file = NULL;
	bool text = false;
	char msg[512], id[200], *dir, *out;

	if (incident_args(argc, argv, 1, &prefix, &file, &text, NULL) < 0)
		return CMD_BAD_ARGS;
	dir = incident_dir(o);
	if (dir == NULL)
		return CLI_EXIT_USAGE;
	if (incident_resolve(dir, prefix, id, sizeof(id), msg, sizeof(msg)) <
		0 ||
	    (out = incident_render(dir, id, !text, msg, sizeof(msg))) == NULL) {
		cmd_error("%s", msg);
		free(dir);
		return CLI_EXIT_USAGE;
	}
	fputs(out, stdout);
	free(out);
	free(dir);
	return CLI_EXIT_OK;
}

int cmd_incident_export(const struct cli_opts *o, int argc, char **argv)
{
	const char *prefix = NULL, *file = NULL;
	bool text = false, force = false;
	char msg[512], id[200], *dir;

	if (incident_args(argc, argv, 2, &prefix, &file, &text, &force) < 0)
		return CMD_BAD_ARGS;
	dir = incident_dir(o);
	if (dir == NULL)
		return CLI_EXIT_USAGE;
	if (incident_resolve(dir, prefix, id, sizeof(id), msg, sizeof(msg)) <
		0 ||
	    incident_export(dir, id, file, !text, force, msg, sizeof(msg)) <
		0) {
		cmd_error("%s", msg);
		free(dir);
		return CLI_EXIT_USAGE;
	}
	printf("incident %s written to %s\n", id, file);
	free(dir);
	return CLI_EXIT_OK;
}
