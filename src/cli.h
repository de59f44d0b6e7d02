/*
 * cli: command-line parsing and the command table.
 *
 * Owns nothing beyond one call. Global options (-f, --theme, --yes,
 * --dry-run, --json) may stand anywhere before "--"; the first words that
 * name a command in the table pick it; each command reads its own
 * remaining arguments. Exit codes are SPEC's: 0 ok, 1 the checked thing is
 * not ok, 2 usage or input error, 3 a remote/AWS failure.
 */
#ifndef BVOPS_CLI_H
#define BVOPS_CLI_H

#include <stdbool.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_NOT_OK = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_REMOTE = 3,
};

struct cli_opts {
	const char *fleet_path; /* -f FLEET, or NULL */
	const char *theme;      /* --theme NAME, or NULL */
	bool yes;
	bool dry_run;
	bool json;
	bool read_only; /* --read-only: an observer's console */
};

/* Run bvops with these arguments; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
