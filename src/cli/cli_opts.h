/*
 * cli_opts: what every command gets from the command line before its own
 * arguments (the global options), and the exit codes every command
 * returns: SPEC's 0 ok, 1 the checked thing is not ok, 2 usage or input
 * error, 3 a remote/AWS failure. Only the command-line layer uses them.
 */
#ifndef BVOPS_CLI_OPTS_H
#define BVOPS_CLI_OPTS_H

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
	bool force;     /* --force: over another operator's session (audited) */
	bool offline;   /* --offline: act on this host's view alone */
	bool debug;     /* --debug: every AWS request traced */
	const char *profile; /* --profile NAME, or NULL */
	const char *region;  /* --region R, or NULL */
};

#endif
