/*
 * cmd: the commands themselves, one function each, called by cli with the
 * arguments that follow the command's words. Each returns an exit code
 * (enum cli_exit) and prints its own errors.
 */
#ifndef BVOPS_CMD_H
#define BVOPS_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli_opts.h"
#include "proc/procstatus.h"

/* Returned by a command whose arguments are wrong: cli prints the
 * command's usage line and exits 2. */
#define CMD_BAD_ARGS (-1)

struct fleet;
struct fleet_node;
/* "bvops: MESSAGE" on stderr, each line made safe for the terminal first
 * (messages carry AWS's words, node names, values from SSM). */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Before a command acts on fleet f (state folder dir): its shared state
 * read (shared.h). CLI_EXIT_OK to go on (*offline, may be NULL: on this
 * host's view alone, as --offline allows, said on stderr), or
 * CLI_EXIT_REMOTE with the message said (unreachable, no --offline).
 */
int cmd_shared_ready(const struct fleet *f, const char *dir, bool *offline);

/* The exit code (enum cli_exit) for how a procedure ended. */
int cmd_exit_code(enum proc_status st);

/* The fleet that -f, BVOPS_FLEET or the XDG path names; every problem is
 * printed to stderr. Returns a fleet the caller frees, or NULL. */
struct fleet *cmd_fleet_load(const struct cli_opts *o);
/* The fleet (the caller frees it) and the node named in it: 0, or an exit
 * code with the message said ("no node 'x' in FILE"). */
int cmd_fleet_node(const struct cli_opts *o, const char *name, struct fleet **f,
		   const struct fleet_node **n);
/*
 * For commands with no arguments of their own: refuse any, then load the
 * fleet into *f (the caller frees it). Returns CLI_EXIT_OK, or the code
 * to exit with.
 */
int cmd_fleet_no_args(const struct cli_opts *o, int argc, char **argv,
		      struct fleet **f);

/*
 * Ask for a secret on the controlling terminal, without echo. Returns 0
 * with the answer in out, or -1 when there is no terminal to ask on.
 */
int cmd_prompt_secret(const char *prompt, char *out, size_t size);
/* Ask for a line on the terminal (echoed); -1 without one. */
int cmd_ask(const char *prompt, char *out, size_t size);
/* Ask a yes/no question on the terminal; false without one. */
bool cmd_confirm(const char *question);

int cmd_console(const struct cli_opts *o, int argc, char **argv);
int cmd_status(const struct cli_opts *o, int argc, char **argv);
int cmd_access(const struct cli_opts *o, int argc, char **argv);
int cmd_watch(const struct cli_opts *o, int argc, char **argv);
int cmd_maintenance(const struct cli_opts *o, int argc, char **argv);
int cmd_rearm(const struct cli_opts *o, int argc, char **argv);
int cmd_node_restart(const struct cli_opts *o, int argc, char **argv);
int cmd_node_stop(const struct cli_opts *o, int argc, char **argv);
int cmd_node_start(const struct cli_opts *o, int argc, char **argv);
int cmd_doctor(const struct cli_opts *o, int argc, char **argv);
int cmd_incident_list(const struct cli_opts *o, int argc, char **argv);
int cmd_incident_show(const struct cli_opts *o, int argc, char **argv);
int cmd_incident_export(const struct cli_opts *o, int argc, char **argv);
int cmd_logs(const struct cli_opts *o, int argc, char **argv);
int cmd_hostkey(const struct cli_opts *o, int argc, char **argv);
int cmd_config_get(const struct cli_opts *o, int argc, char **argv);
int cmd_config_edit(const struct cli_opts *o, int argc, char **argv);
int cmd_config_restore(const struct cli_opts *o, int argc, char **argv);
/* The terminal as a procedure's ui (procedure.h): stdout, /dev/tty. */
struct procedure_ui;
struct fleet_node;
void cmd_step_ui(struct procedure_ui *ui);
int cmd_debug_enter(const struct cli_opts *o, int argc, char **argv);
int cmd_debug_exit(const struct cli_opts *o, int argc, char **argv);
int cmd_debug_status(const struct cli_opts *o, int argc, char **argv);
int cmd_ers_apply(const struct cli_opts *o, int argc, char **argv);
int cmd_ers_revert(const struct cli_opts *o, int argc, char **argv);
int cmd_ers_status(const struct cli_opts *o, int argc, char **argv);
/* Fleet (writable), node (when name), state folder; an exit code (with
 * the message printed) when it fails. */
int cmd_procedure_setup(const struct cli_opts *o, const char *name,
			struct fleet **f, const struct fleet_node **n,
			char **dir);
int cmd_procedure_list(const struct cli_opts *o, int argc, char **argv);
int cmd_procedure_resume(const struct cli_opts *o, int argc, char **argv);
int cmd_procedure_rollback(const struct cli_opts *o, int argc, char **argv);
int cmd_procedure_abandon(const struct cli_opts *o, int argc, char **argv);
int cmd_lock_status(const struct cli_opts *o, int argc, char **argv);
int cmd_lock_break(const struct cli_opts *o, int argc, char **argv);
struct cfgedit_ui;
/* The terminal as a procedure's operator: $VISUAL/$EDITOR, /dev/tty
 * prompts, stdout. */
void cmd_procedure_ui(struct cfgedit_ui *ui);
int cmd_config_validate(const struct cli_opts *o, int argc, char **argv);
int cmd_config_lint(const struct cli_opts *o, int argc, char **argv);
int cmd_discover(const struct cli_opts *o, int argc, char **argv);

#endif
