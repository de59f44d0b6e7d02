#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "probe.h"
#include "template.h"
#include "xalloc.h"

struct transport_stream {
	pid_t pid;
	int fd; /* the command's stdout and stderr, merged */
	char line[TRANSPORT_LINE_MAX];
	size_t len;
	bool ended;
};

/* The command line for cmd on n, or NULL with a message. */
static char *transport_command(const struct fleet_node *n, enum fleet_cmd cmd,
			       char *msg, size_t msgsize)
{
	char index[32], why[160];
	struct template_vars vars;
	char *line;

	switch (n->transport) {
	case FLEET_TRANSPORT_NONE:
		snprintf(msg, msgsize,
			 "node %s has no transport (transport = \"none\"): "
			 "health checks only; set transport in the fleet file "
			 "to act on it",
			 n->name);
		return NULL;
	case FLEET_TRANSPORT_SSH:
	case FLEET_TRANSPORT_SSM:
		snprintf(msg, msgsize,
			 "node %s: transport \"%s\" is not available in this "
			 "version (use \"local\" when bvops runs on the node)",
			 n->name, fleet_transport_name(n->transport));
		return NULL;
	case FLEET_TRANSPORT_LOCAL: break;
	}
	if (n->commands[cmd] == NULL) {
		snprintf(msg, msgsize, "node %s has no %s command", n->name,
			 fleet_cmd_name(cmd));
		return NULL;
	}
	snprintf(index, sizeof(index), "%lld", (long long)n->index);
	vars.node = n->name;
	vars.index = index;
	vars.enclave = n->enclave_name;
	line = template_expand(n->commands[cmd], &vars, why, sizeof(why));
	if (line == NULL)
		snprintf(msg, msgsize, "node %s: %s command: %s", n->name,
			 fleet_cmd_name(cmd), why);
	return line;
}

/* fork + exec /bin/sh -c line in a new process group; out/err may be the
 * same pipe. Returns the pid, or -1. */
static pid_t transport_spawn(const char *line, int out_fd, int err_fd,
			     int close1, int close2)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	setpgid(0, 0);
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		_exit(127);
	close(close1);
	if (close2 >= 0)
		close(close2);
	{
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
	}
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", line, (char *)NULL);
	_exit(127);
}

/* Kill the process group: TERM, a moment of grace, then KILL. */
static int transport_reap(pid_t pid, bool kill_it)
{
	int status = 0, k;

	if (kill_it) {
		kill(-pid, SIGTERM);
		for (k = 0; k < 50; k++) {
			struct timespec ts = {0, 20000000L};

			if (waitpid(pid, &status, WNOHANG) == pid)
				goto reaped;
			nanosleep(&ts, NULL);
		}
		kill(-pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
reaped:
	if (kill_it)
		kill(-pid, SIGKILL); /* anything the shell left behind */
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int transport_run(const struct fleet_node *n, enum fleet_cmd cmd,
		  long timeout_ms, size_t max_output,
		  struct transport_result *r, char *msg, size_t msgsize)
{
	int out[2], err[2];
	char *line = transport_command(n, cmd, msg, msgsize);
	struct buf ob, eb;
	int64_t deadline;
	pid_t pid;
	bool open_out = true, open_err = true;

	memset(r, 0, sizeof(*r));
	if (line == NULL)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		free(line);
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		free(line);
		return -1;
	}
	pid = transport_spawn(line, out[1], err[1], out[0], err[0]);
	free(line);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		close(out[0]);
		close(err[0]);
		return -1;
	}
	buf_init(&ob, max_output);
	buf_init(&eb, max_output);
	deadline = probe_mono_ms() + timeout_ms;
	while (open_out || open_err) {
		struct pollfd p[2] = {
		    {.fd = open_out ? out[0] : -1, .events = POLLIN},
		    {.fd = open_err ? err[0] : -1, .events = POLLIN}};
		int64_t left = deadline - probe_mono_ms();
		int k;

		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			break;
		for (k = 0; k < 2; k++) {
			char chunk[8192];
			ssize_t got;
			struct buf *b = k == 0 ? &ob : &eb;

			if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(p[k].fd, chunk, sizeof(chunk));
			if (got <= 0) {
				if (k == 0)
					open_out = false;
				else
					open_err = false;
				continue;
			}
			if (buf_append(b, chunk, (size_t)got) < 0)
				r->truncated = true;
		}
	}
	close(out[0]);
	close(err[0]);
	r->exit_status = transport_reap(pid, r->timed_out);
	if (r->timed_out)
		r->exit_status = -1;
	r->out = buf_take(&ob, &r->out_len);
	r->err = buf_take(&eb, &r->err_len);
	return 0;
}

void transport_result_free(struct transport_result *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

struct transport_stream *transport_stream_open(const struct fleet_node *n,
					       enum fleet_cmd cmd, char *msg,
					       size_t msgsize)
{
	char *line = transport_command(n, cmd, msg, msgsize);
	struct transport_stream *s;
	int fds[2];

	if (line == NULL)
		return NULL;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		free(line);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->pid = transport_spawn(line, fds[1], fds[1], fds[0], -1);
	free(line);
	close(fds[1]);
	if (s->pid < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		close(fds[0]);
		free(s);
		return NULL;
	}
	s->fd = fds[0];
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	return s;
}

int transport_stream_fd(const struct transport_stream *s)
{
	return s->fd;
}

/* Hand over the buffered line: CR before the newline is dropped. */
static void transport_flush_line(struct transport_stream *s,
				 transport_line_fn fn, void *ctx, bool cut)
{
	size_t len = s->len;

	if (!cut && len > 0 && s->line[len - 1] == '\r')
		len--;
	fn(ctx, s->line, len, cut);
	s->len = 0;
}

int transport_stream_read(struct transport_stream *s, transport_line_fn fn,
			  void *ctx)
{
	char chunk[65536];
	ssize_t got;

	if (s->ended)
		return 1;
	for (;;) {
		ssize_t k;

		got = read(s->fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got <= 0)
			break;
		for (k = 0; k < got; k++) {
			if (chunk[k] == '\n') {
				transport_flush_line(s, fn, ctx, false);
				continue;
			}
			/* A line too long to keep comes in pieces. */
			if (s->len == sizeof(s->line))
				transport_flush_line(s, fn, ctx, true);
			s->line[s->len++] = chunk[k];
		}
	}
	if (s->len > 0)
		transport_flush_line(s, fn, ctx, false);
	s->ended = true;
	return got < 0 ? -1 : 1;
}

int transport_stream_close(struct transport_stream *s)
{
	int status;

	if (s == NULL)
		return -1;
	close(s->fd);
	/* Whatever still runs of it goes; an exited command keeps its
	 * status. */
	status = transport_reap(s->pid, true);
	free(s);
	return status;
}
