/* What the commands share: finding and loading the fleet, prompts, saying
 * an error. */
#include "cli/cmd.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/sanitize.h"
#include "lib/xalloc.h"
#include "proc/shared.h"
#include "state/fleet.h"
#include "state/sharedstatus.h"

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

int cmd_fleet_node(const struct cli_opts *o, const char *name, struct fleet **f,
		   const struct fleet_node **n)
{
	*f = cmd_fleet_load(o);
	if (*f == NULL)
		return CLI_EXIT_USAGE;
	*n = fleet_node_find(*f, name);
	if (*n == NULL) {
		fprintf(stderr, "bvops: no node '%s' in %s\n", name,
			(*f)->path);
		fleet_free(*f);
		*f = NULL;
		return CLI_EXIT_USAGE;
	}
	return 0;
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

/* Read one line from the terminal, echo off when secret. */
static int cmd_tty_line(const char *prompt, char *out, size_t size, bool secret)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	struct termios old, quiet;
	size_t len = 0;
	bool restore = false;

	if (fd < 0)
		return -1;
	/* Echo off before the prompt shows, and nothing typed is thrown
	 * away: an answer typed as soon as the prompt appears counts. */
	if (secret && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		restore = tcsetattr(fd, TCSANOW, &quiet) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		if (restore)
			tcsetattr(fd, TCSANOW, &old);
		close(fd);
		return -1;
	}
	while (len + 1 < size) {
		char ch;

		if (read(fd, &ch, 1) != 1 || ch == '\n')
			break;
		out[len++] = ch;
	}
	out[len] = '\0';
	if (restore) {
		tcsetattr(fd, TCSANOW, &old);
		if (write(fd, "\n", 1) < 0) {
			/* nothing more to say on a terminal that went away */
		}
	}
	close(fd);
	return 0;
}

int cmd_ask(const char *prompt, char *out, size_t size)
{
	return cmd_tty_line(prompt, out, size, false);
}

int cmd_prompt_secret(const char *prompt, char *out, size_t size)
{
	return cmd_tty_line(prompt, out, size, true);
}

bool cmd_confirm(const char *question)
{
	char answer[16];

	if (cmd_tty_line(question, answer, sizeof(answer), false) < 0)
		return false;
	return strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0;
}

int cmd_shared_ready(const struct fleet *f, const char *dir, bool *offline)
{
	char msg[1200];
	bool off = false;

	if (shared_ready(f, dir, &off, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		return CLI_EXIT_REMOTE;
	}
	if (off) {
		struct shared_status st;
		char what[900];

		sharedstatus_read(dir, &st);
		sharedstatus_describe(&st, 0, clock_now_ms(), what,
				      sizeof(what));
		fprintf(stderr,
			"bvops: %s\nbvops: --offline: acting on this host's "
			"view alone; audited, and copied up when the shared "
			"state is back\n",
			what);
	}
	if (offline != NULL)
		*offline = off;
	return CLI_EXIT_OK;
}

int cmd_exit_code(enum proc_status st)
{
	switch (st) {
	case PROC_OK: return CLI_EXIT_OK;
	case PROC_STOPPED: return CLI_EXIT_NOT_OK;
	case PROC_REFUSED: return CLI_EXIT_USAGE;
	case PROC_REMOTE: return CLI_EXIT_REMOTE;
	}
	return CLI_EXIT_NOT_OK;
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;
	char *text, *line, *p;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	fputs("bvops: ", stderr);
	for (line = text; line != NULL; line = p) {
		char safe[2048];

		p = strchr(line, '\n');
		if (p != NULL)
			*p++ = '\0';
		sanitize_text(line, strlen(line), safe, sizeof(safe), false);
		fputs(safe, stderr);
		if (p != NULL && *p != '\0')
			fputc('\n', stderr);
		else
			p = NULL;
	}
	fputc('\n', stderr);
	free(text);
}
