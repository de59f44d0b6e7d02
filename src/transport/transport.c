#include "transport/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/awscred.h"
#include "aws/awsid.h"
#include "lib/buf.h"
#include "lib/childenv.h"
#include "lib/clock.h"
#include "lib/template.h"
#include "lib/xalloc.h"
#include "transport/ssh.h"
#include "transport/ssmcmd.h"
#include "transport/ssmpoll.h"

/* One node's ssh connection, found by the node's name. */
struct transport_conn {
	char *node;
	struct ssh_conn *conn;
};

struct transport {
	const struct fleet *fleet; /* may be NULL */
	struct transport_conn *conns;
	size_t nconns;
	char *key_path, *passphrase;
	/* ssm: the region, found once; run's client; the streams' thread */
	char region[64];
	struct aws_client *aws;
	struct ssmpoll *ssm;
};

struct transport_stream {
	struct transport *t;
	pid_t pid;               /* local: the command */
	int fd;                  /* local: its stdout and stderr, merged */
	struct ssh_chan *ch;     /* ssh: the command's channel */
	struct ssmpoll_job *job; /* ssm: fd is its output */
	bool permanent;          /* retrying will not help */
	bool pending;            /* the read budget ran out with more there */
	char error[512];
	char line[TRANSPORT_LINE_MAX];
	size_t len;
	bool ended;
};

struct transport *transport_new(const struct fleet *f)
{
	struct transport *t = xcalloc(1, sizeof(*t));

	t->fleet = f;
	if (f != NULL)
		ssmcmd_limit_set((int)f->ssm.max_in_flight);
	return t;
}

static void transport_wipe(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void transport_free(struct transport *t)
{
	size_t k;

	if (t == NULL)
		return;
	for (k = 0; k < t->nconns; k++) {
		ssh_conn_free(t->conns[k].conn);
		free(t->conns[k].node);
	}
	free(t->conns);
	ssmpoll_free(t->ssm);
	aws_client_free(t->aws);
	free(t->key_path);
	transport_wipe(t->passphrase);
	free(t);
}

void transport_set_passphrase(struct transport *t, const char *key_path,
			      const char *passphrase)
{
	free(t->key_path);
	transport_wipe(t->passphrase);
	t->key_path = xstrdup(key_path);
	t->passphrase = xstrdup(passphrase);
}

void transport_step(struct transport *t)
{
	int64_t now = clock_mono_ms();
	size_t k;

	for (k = 0; k < t->nconns; k++)
		ssh_conn_step(t->conns[k].conn, now);
}

int transport_ssh_settings(const struct fleet *f, const struct fleet_node *n,
			   struct ssh_config *cfg, struct sshcfg *keep,
			   char *msg, size_t msgsize)
{
	char *user = NULL, *host = NULL;
	int port = 0;
	const char *config = f != NULL ? f->ssh.config : NULL;

	memset(keep, 0, sizeof(*keep));
	if (n->ssh == NULL ||
	    fleet_ssh_target_parse(n->ssh, &user, &host, &port) < 0) {
		snprintf(msg, msgsize,
			 "node %s: transport \"ssh\" needs ssh = "
			 "\"[user@]host[:port]\"",
			 n->name);
		return -1;
	}
	if (config != NULL && strcmp(config, "none") == 0) {
		struct passwd *pw = getpwuid(getuid());

		keep->host = host;
		keep->user =
		    user != NULL ? user : xstrdup(pw ? pw->pw_name : "root");
		keep->port = port > 0 ? port : 22;
	} else {
		char *path = config != NULL ? ssh_path_expand(config) : NULL;
		char why[600];
		int rc = sshcfg_resolve(path, host, user, port, keep, why,
					sizeof(why));

		free(path);
		free(user);
		free(host);
		if (rc < 0) {
			snprintf(msg, msgsize, "node %s: %s", n->name, why);
			return -1;
		}
	}
	cfg->label = n->name;
	cfg->user = keep->user;
	cfg->host = keep->host;
	cfg->port = keep->port;
	/* The fleet's own settings first, as ssh's command line comes
	 * before its config. */
	cfg->proxy_command = n->ssh_proxy_command != NULL ? n->ssh_proxy_command
							  : keep->proxy_command;
	cfg->agent = true;
	if (f != NULL) {
		cfg->known_hosts = f->ssh.known_hosts;
		cfg->identity = f->ssh.identity;
		cfg->agent = f->ssh.agent;
		cfg->connect_timeout_ms = (long)f->ssh.connect_timeout_ms;
		cfg->auth_timeout_ms = (long)f->ssh.auth_timeout_ms;
		cfg->keepalive_ms = (long)f->ssh.keepalive_ms;
	}
	if (cfg->known_hosts == NULL)
		cfg->known_hosts = keep->known_hosts;
	for (size_t k = 0; k < keep->nidentity && k < 4; k++)
		cfg->identities[cfg->nidentities++] = keep->identity[k];
	return 0;
}

/* The node's connection: the live one, or a new one in place of a
 * failed one (its channels, if any are left, see the failure). */
static struct ssh_conn *transport_conn(struct transport *t,
				       const struct fleet_node *n, char *msg,
				       size_t msgsize)
{
	struct ssh_config cfg = {0};
	struct sshcfg keep;
	struct transport_conn *slot = NULL;
	size_t k;

	if (n->ssh == NULL ||
	    fleet_ssh_target_parse(n->ssh, NULL, NULL, NULL) < 0) {
		snprintf(msg, msgsize,
			 "node %s: transport \"ssh\" needs ssh = "
			 "\"user@host[:port]\"",
			 n->name);
		return NULL;
	}
	if (t == NULL) {
		snprintf(msg, msgsize, "node %s: no ssh without a transport",
			 n->name);
		return NULL;
	}
	for (k = 0; k < t->nconns; k++)
		if (strcmp(t->conns[k].node, n->name) == 0)
			slot = &t->conns[k];
	if (slot != NULL && ssh_conn_state(slot->conn) != SSH_FAILED)
		return slot->conn;
	if (transport_ssh_settings(t->fleet, n, &cfg, &keep, msg, msgsize) < 0)
		return NULL;
	cfg.passphrase = t->passphrase;
	if (slot == NULL) {
		t->conns =
		    xrealloc(t->conns, (t->nconns + 1) * sizeof(*t->conns));
		slot = &t->conns[t->nconns++];
		slot->node = xstrdup(n->name);
	} else {
		ssh_conn_free(slot->conn);
	}
	slot->conn = ssh_conn_open(&cfg, clock_mono_ms());
	sshcfg_free(&keep);
	return slot->conn;
}

char *transport_command(const struct fleet_node *n, enum fleet_cmd cmd,
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
	case FLEET_TRANSPORT_SSM:
	case FLEET_TRANSPORT_SSH:
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

/*
 * /bin/sh -c line in a new process group, stdin from /dev/null, the
 * signal mask and SIGPIPE as a shell expects them (bvops watch blocks its
 * signals for sigwait: a child must not inherit that, or it would not die
 * of our SIGTERM); out/err may be the same pipe, every other descriptor
 * is close-on-exec. posix_spawn, not fork: a fleet of a thousand streams
 * starts without copying the engine's page tables a thousand times.
 * Returns the pid, or -1.
 */
static pid_t transport_spawn(const char *line, int out_fd, int err_fd)
{
	char *argv[] = {"sh", "-c", (char *)line, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	char **env;
	pid_t pid;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
					  POSIX_SPAWN_SETSIGMASK |
					  POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	env = childenv_new();
	rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, env);
	free(env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* Kill the process group: TERM, a moment of grace, then KILL. */
static int transport_reap(pid_t pid, bool kill_it)
{
	int status = 0, k;

	if (kill_it) {
		long waited_us = 0, step_us = 500;

		kill(-pid, SIGTERM);
		/* A second of grace, looked at often at first: most commands
		 * die of TERM within a millisecond. */
		for (k = 0; waited_us < 1000000; k++) {
			struct timespec ts = {0, step_us * 1000L};

			if (waitpid(pid, &status, WNOHANG) == pid)
				goto reaped;
			nanosleep(&ts, NULL);
			waited_us += step_us;
			step_us = step_us * 2 > 20000 ? 20000 : step_us * 2;
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

/* transport_run over the local shell. */
static int transport_run_local(const char *line, long timeout_ms,
			       size_t max_output, struct transport_result *r,
			       char *msg, size_t msgsize)
{
	int out[2], err[2];
	struct buf ob, eb;
	int64_t deadline;
	pid_t pid;
	bool open_out = true, open_err = true;

	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return -1;
	}
	pid = transport_spawn(line, out[1], err[1]);
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
	deadline = clock_mono_ms() + timeout_ms;
	while (open_out || open_err) {
		struct pollfd p[2] = {
		    {.fd = open_out ? out[0] : -1, .events = POLLIN},
		    {.fd = open_err ? err[0] : -1, .events = POLLIN}};
		int64_t left = deadline - clock_mono_ms();
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

struct transport_run_bufs {
	struct buf b[2];
	bool truncated;
};

/* ssh_data_fn: keep stdout and stderr apart, each bounded. */
static void transport_run_data(void *ctx, int stream, const char *data,
			       size_t len)
{
	struct transport_run_bufs *rb = ctx;

	if (buf_append(&rb->b[stream ? 1 : 0], data, len) < 0)
		rb->truncated = true;
}

/* transport_run over ssh: the channel driven here until done. */
static int transport_run_ssh(struct transport *t, const struct fleet_node *n,
			     const char *line, long timeout_ms,
			     size_t max_output, struct transport_result *r,
			     char *msg, size_t msgsize)
{
	struct ssh_conn *c = transport_conn(t, n, msg, msgsize);
	struct transport_run_bufs rb;
	struct ssh_chan *ch;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int state = 0;

	if (c == NULL)
		return -1;
	ch = ssh_chan_open(c, line);
	buf_init(&rb.b[0], max_output);
	buf_init(&rb.b[1], max_output);
	rb.truncated = false;
	while ((state = ssh_chan_step(ch, clock_mono_ms(), transport_run_data,
				      &rb)) == 0) {
		short events;
		struct pollfd p = {.fd = ssh_chan_poll(ch, &events)};
		int64_t left = deadline - clock_mono_ms();

		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		p.events = events;
		poll(&p, p.fd >= 0 ? 1 : 0, left < 100 ? (int)left : 100);
	}
	if (state < 0) {
		snprintf(msg, msgsize, "%s", ssh_chan_error(ch));
		ssh_chan_free(ch);
		buf_free(&rb.b[0]);
		buf_free(&rb.b[1]);
		return -1;
	}
	r->exit_status = r->timed_out ? -1 : ssh_chan_exit_status(ch);
	r->truncated = rb.truncated;
	ssh_chan_free(ch);
	r->out = buf_take(&rb.b[0], &r->out_len);
	r->err = buf_take(&rb.b[1], &r->err_len);
	return 0;
}

/* The region ssm commands go to (the fleet's, else AWS's usual
 * places), found once. */
static const char *transport_region(struct transport *t, char *msg,
				    size_t msgsize)
{
	if (t->region[0] == '\0' &&
	    awscred_region(t->fleet ? t->fleet->region : NULL, t->region,
			   sizeof(t->region), msg, msgsize) < 0) {
		t->region[0] = '\0';
		return NULL;
	}
	return t->region;
}

int transport_run(struct transport *t, const struct fleet_node *n,
		  enum fleet_cmd cmd, long timeout_ms, size_t max_output,
		  struct transport_result *r, char *msg, size_t msgsize)
{
	char *line = transport_command(n, cmd, msg, msgsize);
	int rc;

	memset(r, 0, sizeof(*r));
	if (line == NULL)
		return -1;
	if (n->transport == FLEET_TRANSPORT_SSH) {
		rc = transport_run_ssh(t, n, line, timeout_ms, max_output, r,
				       msg, msgsize);
	} else if (n->transport == FLEET_TRANSPORT_SSM && t == NULL) {
		snprintf(msg, msgsize, "node %s: no ssm without a transport",
			 n->name);
		rc = -1;
	} else if (n->transport == FLEET_TRANSPORT_SSM) {
		const char *region = transport_region(t, msg, msgsize);

		if (t->aws == NULL)
			t->aws = t->fleet != NULL ? awsid_client_fleet(t->fleet)
						  : aws_client_new();
		rc = region == NULL
			 ? -1
			 : ssmcmd_run(t->aws, n->name, region, n->instance_id,
				      line, timeout_ms, max_output, r, msg,
				      msgsize);
	} else
		rc = transport_run_local(line, timeout_ms, max_output, r, msg,
					 msgsize);
	free(line);
	return rc;
}

/*
 * A stream over ssm: a job of the transport's ssm thread. The journal is
 * polled with the journal_poll command; a console cannot be (SSM has
 * nothing live); anything else runs to completion.
 */
static struct transport_stream *transport_stream_ssm(struct transport *t,
						     const struct fleet_node *n,
						     enum fleet_cmd cmd,
						     const char *line,
						     char *msg, size_t msgsize)
{
	struct ssmpoll_target tg = {.node = n->name,
				    .instance_id = n->instance_id};
	struct transport_stream *s;
	char *poll_line = NULL;
	int fd = -1;

	if (cmd == FLEET_CMD_CONSOLE) {
		snprintf(msg, msgsize,
			 "node %s: the enclave console cannot be streamed "
			 "over ssm (SSM runs commands to completion): live "
			 "console streaming needs transport \"ssh\" or "
			 "\"local\"",
			 n->name);
		return NULL;
	}
	if (t == NULL) {
		snprintf(msg, msgsize, "node %s: no ssm without a transport",
			 n->name);
		return NULL;
	}
	tg.region = transport_region(t, msg, msgsize);
	if (tg.region == NULL)
		return NULL;
	if (cmd == FLEET_CMD_JOURNAL) {
		poll_line =
		    transport_command(n, FLEET_CMD_JOURNAL_POLL, msg, msgsize);
		if (poll_line == NULL)
			return NULL;
	}
	if (t->ssm == NULL)
		t->ssm = ssmpoll_new();
	s = xcalloc(1, sizeof(*s));
	s->t = t;
	s->job =
	    poll_line != NULL
		? ssmpoll_journal(
		      t->ssm, &tg, poll_line,
		      t->fleet ? (int64_t)t->fleet->ssm.poll_interval_ms : 2000,
		      &fd)
		: ssmpoll_command(t->ssm, &tg, line, 120000, &fd);
	free(poll_line);
	if (s->job == NULL) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->fd = fd;
	return s;
}

struct transport_stream *transport_stream_open(struct transport *t,
					       const struct fleet_node *n,
					       enum fleet_cmd cmd, char *msg,
					       size_t msgsize)
{
	char *line = transport_command(n, cmd, msg, msgsize);
	struct transport_stream *s;
	int fds[2];

	if (line == NULL)
		return NULL;
	if (n->transport == FLEET_TRANSPORT_SSM) {
		s = transport_stream_ssm(t, n, cmd, line, msg, msgsize);
		free(line);
		return s;
	}
	if (n->transport == FLEET_TRANSPORT_SSH) {
		struct ssh_conn *c = transport_conn(t, n, msg, msgsize);

		if (c == NULL) {
			free(line);
			return NULL;
		}
		s = xcalloc(1, sizeof(*s));
		s->t = t;
		s->fd = -1;
		s->ch = ssh_chan_open(c, line);
		free(line);
		return s;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(msg, msgsize, "cannot run: %s", strerror(errno));
		free(line);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->t = t;
	s->pid = transport_spawn(line, fds[1], fds[1]);
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

int transport_stream_poll(const struct transport_stream *s, short *events)
{
	if (s->ch != NULL)
		return ssh_chan_poll(s->ch, events);
	*events = POLLIN;
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

struct transport_feed {
	struct transport_stream *s;
	transport_line_fn fn;
	void *ctx;
};

/* Split bytes into lines; a line too long to keep comes in pieces. */
static void transport_feed(struct transport_stream *s, const char *data,
			   size_t len, transport_line_fn fn, void *ctx)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;

		/* A whole line already here goes out without a copy. */
		if (nl != NULL && s->len == 0 && take <= sizeof(s->line)) {
			if (take > 0 && data[take - 1] == '\r')
				fn(ctx, data, take - 1, false);
			else
				fn(ctx, data, take, false);
			data += take + 1;
			len -= take + 1;
			continue;
		}
		while (take > 0) {
			size_t room = sizeof(s->line) - s->len;
			size_t n = take < room ? take : room;

			if (room == 0) {
				transport_flush_line(s, fn, ctx, true);
				continue;
			}
			memcpy(s->line + s->len, data, n);
			s->len += n;
			data += n;
			len -= n;
			take -= n;
		}
		if (nl != NULL) {
			transport_flush_line(s, fn, ctx, false);
			data++;
			len--;
		}
	}
}

/* ssh_data_fn: both streams into the same lines. */
static void transport_feed_ssh(void *ctx, int stream, const char *data,
			       size_t len)
{
	struct transport_feed *f = ctx;

	(void)stream;
	transport_feed(f->s, data, len, f->fn, f->ctx);
}

int transport_stream_read(struct transport_stream *s, transport_line_fn fn,
			  void *ctx)
{
	return transport_stream_read_max(s, fn, ctx, TRANSPORT_READ_BUDGET);
}

int transport_stream_read_max(struct transport_stream *s, transport_line_fn fn,
			      void *ctx, size_t max)
{
	char chunk[65536];
	ssize_t got;

	s->pending = false;
	if (max == 0)
		max = 1;
	if (s->ended)
		return s->error[0] ? -1 : 1;
	if (s->ch != NULL) {
		struct transport_feed f = {s, fn, ctx};
		int rc;

		ssh_chan_read_max(s->ch, max);
		rc = ssh_chan_step(s->ch, clock_mono_ms(), transport_feed_ssh,
				   &f);

		if (rc == 0) {
			/* libssh2 may hold more than the socket shows. */
			s->pending = ssh_chan_pending(s->ch);
			return 0;
		}
		if (s->len > 0)
			transport_flush_line(s, fn, ctx, false);
		s->ended = true;
		if (rc < 0) {
			enum ssh_failure why = ssh_chan_failure(s->ch);

			snprintf(s->error, sizeof(s->error), "%s",
				 ssh_chan_error(s->ch));
			s->permanent = why == SSH_FAIL_HOSTKEY ||
				       why == SSH_FAIL_AUTH ||
				       why == SSH_FAIL_PASSPHRASE;
			return -1;
		}
		return 1;
	}
	for (size_t budget = 0;; budget += (size_t)got) {
		/* A flood must not hold the engine: come back for more. */
		if (budget >= max) {
			s->pending = true;
			return 0;
		}
		got = read(s->fd, chunk,
			   max - budget < sizeof(chunk) ? max - budget
							: sizeof(chunk));
		if (got < 0 && errno == EINTR) {
			got = 0;
			continue;
		}
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got <= 0)
			break;
		transport_feed(s, chunk, (size_t)got, fn, ctx);
	}
	if (s->len > 0)
		transport_flush_line(s, fn, ctx, false);
	s->ended = true;
	if (got < 0) {
		snprintf(s->error, sizeof(s->error), "reading the output: %s",
			 strerror(errno));
		return -1;
	}
	if (s->job != NULL) {
		ssmpoll_job_status(s->job, s->error, sizeof(s->error));
		if (s->error[0])
			return -1;
	}
	return 1;
}

bool transport_stream_running(const struct transport_stream *s)
{
	if (s->job != NULL)
		return ssmpoll_job_running(s->job);
	return s->ch == NULL || ssh_chan_running(s->ch);
}

const char *transport_stream_error(const struct transport_stream *s)
{
	return s->error;
}

const char *transport_stream_passphrase_key(const struct transport_stream *s)
{
	return s->ch != NULL ? ssh_chan_passphrase_key(s->ch) : NULL;
}

bool transport_stream_pending(const struct transport_stream *s)
{
	return s->pending;
}

bool transport_stream_permanent(const struct transport_stream *s)
{
	return s->permanent;
}

void transport_stream_stop(struct transport_stream *s)
{
	if (s != NULL && s->ch == NULL && s->job == NULL && s->pid > 0)
		kill(-s->pid, SIGTERM);
}

int transport_stream_close(struct transport_stream *s)
{
	int status;

	if (s == NULL)
		return -1;
	if (s->ch != NULL) {
		status =
		    s->ended && !s->error[0] ? ssh_chan_exit_status(s->ch) : -1;
		ssh_chan_free(s->ch);
	} else if (s->job != NULL) {
		char why[8];

		status = s->ended ? ssmpoll_job_status(s->job, why, sizeof(why))
				  : -1;
		ssmpoll_job_close(s->job);
		close(s->fd);
	} else {
		close(s->fd);
		/* Whatever still runs of it goes; an exited command keeps
		 * its status. */
		status = transport_reap(s->pid, true);
	}
	free(s);
	return status;
}
