/*
 * cli: command-line parsing and the command table.
 *
 * Owns nothing beyond one call. Global options (-f, --theme, --yes,
 * --dry-run, --json) may stand anywhere before "--"; the first words that
 * name a command in the table pick it; each command reads its own
 * remaining arguments. Options and exit codes: cli_opts.h.
 */
#ifndef BVOPS_CLI_H
#define BVOPS_CLI_H

/* Run bvops with these arguments; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
