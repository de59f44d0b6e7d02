/*
 * cmd_procui: what every procedure command shares on the command line:
 * the fleet, node and state folder they start from, and the terminal
 * side of a procedure (the operator's editor, questions on /dev/tty, one
 * line per step). The terminal is the operator's: prompts on /dev/tty,
 * the editor from $VISUAL or $EDITOR.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "lib/childenv.h"
#include "lib/termcolour.h"
#include "lib/xalloc.h"
#include "proc/cfgedit.h"
#include "proc/procedure.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/statedir.h"

/* The operator's editor on path: $VISUAL, else $EDITOR, else vi. */
static int proc_edit(void *ctx, const char *path, char *msg, size_t msgsize)
{
	const char *ed = getenv("VISUAL");
	char **env;
	pid_t pid;
	int status;

	(void)ctx;
	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	env = childenv_new(); /* before the fork: the child only execs */
	pid = fork();
	if (pid < 0) {
		free(env);
		snprintf(msg, msgsize, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE,
		       SIG_DFL); /* ignored by bvops, not its children */
		/* The editor may be "code --wait": the shell splits it. */
		execle("/bin/sh", "sh", "-c", "exec $BVOPS_EDITOR \"$1\"", "sh",
		       path, (char *)NULL, env);
		_exit(127);
	}
	free(env);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, msgsize, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(
		    msg, msgsize,
		    "the editor (%s) failed (status %d): nothing uploaded; "
		    "the text is in %s",
		    ed, WIFEXITED(status) ? WEXITSTATUS(status) : -1, path);
		return -1;
	}
	return 0;
}

static int proc_ask(void *ctx, const char *question)
{
	char answer[64];

	(void)ctx;
	if (cmd_ask(question, answer, sizeof(answer)) < 0)
		return 0;
	return answer[0];
}

static void proc_say(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stdout);
	fflush(stdout);
}

static int proc_ask_line(void *ctx, const char *question, char *out,
			 size_t size)
{
	(void)ctx;
	return cmd_ask(question, out, size);
}

void cmd_procedure_ui(struct cfgedit_ui *ui)
{
	const char *ed = getenv("VISUAL");

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	setenv("BVOPS_EDITOR", ed && *ed ? ed : "vi", 1);
	*ui = (struct cfgedit_ui){.edit = proc_edit,
				  .ask = proc_ask,
				  .ask_line = proc_ask_line,
				  .say = proc_say,
				  .colour = termcolour_wanted(STDOUT_FILENO)};
}
static void dbg_say(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stdout);
	fflush(stdout);
}

static int dbg_ask_line(void *ctx, const char *question, char *out, size_t size)
{
	(void)ctx;
	return cmd_ask(question, out, size);
}

void cmd_step_ui(struct procedure_ui *ui)
{
	*ui = (struct procedure_ui){.say = dbg_say,
				    .ask_line = dbg_ask_line,
				    .colour = termcolour_wanted(STDOUT_FILENO)};
}

/* Fleet, node (when name), state folder; an exit code when it fails. */
int cmd_procedure_setup(const struct cli_opts *o, const char *name,
			struct fleet **f, const struct fleet_node **n,
			char **dir)
{
	char msg[512];

	int rc = name != NULL ? cmd_fleet_node(o, name, f, n) : 0;

	if (rc != 0)
		return rc;
	if (name == NULL && (*f = cmd_fleet_load(o)) == NULL)
		return CLI_EXIT_USAGE;
	if ((*f)->read_only) {
		fprintf(stderr,
			"bvops: %s is a read-only fleet: nothing is "
			"changed from it\n",
			(*f)->path);
		fleet_free(*f);
		return CLI_EXIT_USAGE;
	}
	*dir = statedir_open((*f)->name, msg, sizeof(msg));
	if (*dir == NULL) {
		cmd_error("%s", msg);
		fleet_free(*f);
		return CLI_EXIT_USAGE;
	}
	return 0;
}
