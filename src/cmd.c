/* What the commands share: finding and loading the fleet. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "fleet.h"

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

int cmd_fleet_no_args(const struct cli_opts *o, int argc, char **argv,
		      struct fleet **f)
{
	if (argc > 0) {
		fprintf(stderr, "bvops: unexpected '%s'\n", argv[0]);
		return CMD_BAD_ARGS;
	}
	*f = cmd_fleet_load(o);
	return *f != NULL ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}
