/* bvops (no command): load the fleet, then hand it to the console. */
#include <stdio.h>
#include <stdlib.h>

#include "../ui/console.h"
#include "cmd.h"
#include "fleet.h"

/* Load the fleet the options name; prints every problem. NULL on error. */
struct fleet *cmd_fleet_load(const struct cli_opts *o)
{
	char *path = fleet_path_resolve(o->fleet_path);
	struct fleet_diags diags;
	struct fleet *f = fleet_load(path, &diags);
	size_t k;

	for (k = 0; k < diags.n; k++)
		fprintf(stderr, "%s\n", diags.lines[k]);
	if (f == NULL && diags.n > 1)
		fprintf(stderr, "bvops: %zu problems in %s\n", diags.n, path);
	fleet_diags_free(&diags);
	free(path);
	return f;
}

int cmd_console(const struct cli_opts *o, int argc, char **argv)
{
	struct console_options co = {.theme = o->theme};
	struct fleet *f;
	int rc;

	if (argc > 0) {
		fprintf(stderr, "bvops: unexpected '%s'\n", argv[0]);
		return CMD_BAD_ARGS;
	}
	f = cmd_fleet_load(o);
	if (f == NULL)
		return CLI_EXIT_USAGE;
	rc = console_run(f, &co);
	fleet_free(f);
	return rc;
}
