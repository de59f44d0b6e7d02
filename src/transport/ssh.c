#include "transport/ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/childenv.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "transport/hostcert.h"
#include "transport/knownhosts.h"

enum ssh_phase {
	PHASE_TCP,       /* non-blocking connect() in progress */
	PHASE_HANDSHAKE, /* key exchange */
	PHASE_HOSTCERT,  /* ssh-keyscan -c fetching the host's certificates */
	PHASE_AUTH_LIST, /* which methods the server takes */
	PHASE_AGENT,     /* trying the agent's identities */
	PHASE_KEYS,      /* trying key files */
	PHASE_READY,
	PHASE_FAILED,
};

#define SSH_MAX_KEYS 4

struct ssh_conn {
	char *label, *user, *host, *proxy_command, *known_hosts, *passphrase;
	char *keys[SSH_MAX_KEYS];
	size_t nkeys, key_at;
	bool agent_wanted, hostkey_only;
	int port;
	long keepalive_ms;

	enum ssh_phase phase;
	enum ssh_failure failure;
	char error[512];
	int fd;
	pid_t proxy_pid; /* 0: none */
	int proxy_err;   /* the proxy's stderr, for messages */
	LIBSSH2_SESSION *session;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_key;
	size_t agent_tried;
	int64_t deadline; /* of the phase in progress (connect, then auth) */
	long auth_timeout_ms;
	int64_t last_recv; /* the link answered */
	bool rsa_refused;
	char *passphrase_key; /* an encrypted key we could not use */
	char *fingerprint, *known_line;
	enum ssh_hostkey_status hostkey;
	char hostkey_note[300]; /* how a key was trusted, or why not */
	char keytype[64];       /* of the key the server showed */
	/* A certificate check: the key the server showed, and ssh-keyscan's
	 * answer (bounded) while it runs. */
	unsigned char *server_key;
	size_t server_key_len;
	pid_t scan_pid; /* 0: none */
	int scan_fd;
	struct buf scan_out;

	struct ssh_chan *chans; /* open on this connection */
	size_t nchans;
	LIBSSH2_CHANNEL **zombies; /* closed by callers, still closing */
	size_t nzombies;
};

enum chan_phase {
	CHAN_OPEN,
	CHAN_EXEC,
	CHAN_RUN,
	CHAN_CLOSE,
	CHAN_DONE,
	CHAN_FAILED,
};

struct ssh_chan {
	struct ssh_conn *conn; /* NULL once the connection is gone */
	struct ssh_chan *next;
	LIBSSH2_CHANNEL *ch;
	char *command;
	enum chan_phase phase;
	enum ssh_failure failure; /* the connection's, when it took us down */
	char *passphrase_key;
	bool pending;    /* stopped at the read budget */
	size_t read_max; /* bytes one step reads at most; 0: 1 MiB */
	int exit_status;
	char error[512];
};

static void conn_fail(struct ssh_conn *c, enum ssh_failure why, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
static void conn_keyscan_end(struct ssh_conn *c);
static void conn_hostkey_prefer_known(struct ssh_conn *c);

static void conn_fail(struct ssh_conn *c, enum ssh_failure why, const char *fmt,
		      ...)
{
	va_list ap;

	if (c->phase == PHASE_FAILED)
		return;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	c->phase = PHASE_FAILED;
	c->failure = why;
}

/* libssh2's last error, as text. */
static const char *conn_lib_error(struct ssh_conn *c)
{
	char *text = NULL;

	if (c->session == NULL)
		return "no session";
	libssh2_session_last_error(c->session, &text, NULL, 0);
	return text != NULL && *text ? text : "unknown error";
}

char *ssh_path_expand(const char *path)
{
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0')
		home = "/";
	if (path == NULL)
		return xasprintf("%s/.ssh/known_hosts", home);
	if (strncmp(path, "~/", 2) == 0)
		return xasprintf("%s/%s", home, path + 2);
	return xstrdup(path);
}

/* Every recv of the session goes through here: a link that answers
 * anything is alive. */
static LIBSSH2_RECV_FUNC(conn_recv)
{
	struct ssh_conn *c = *abstract;
	ssize_t got = recv(socket, buffer, length, flags);

	if (got > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		c->last_recv = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	} else if (got < 0) {
		return -errno; /* what libssh2 expects of a recv callback */
	}
	return got;
}

/* Single-quote s for /bin/sh. */
static void conn_quote(struct buf *b, const char *s)
{
	buf_append(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			buf_append(b, "'\\''", 4);
		else
			buf_append(b, s, 1);
	}
	buf_append(b, "'", 1);
}

/* ProxyCommand with %h %p %r %% replaced (values quoted). */
static char *conn_proxy_line(const struct ssh_conn *c)
{
	struct buf b;
	const char *s;
	char port[16];

	buf_init(&b, 0);
	snprintf(port, sizeof(port), "%d", c->port);
	for (s = c->proxy_command; *s; s++) {
		if (*s != '%' || s[1] == '\0') {
			buf_append(&b, s, 1);
			continue;
		}
		s++;
		if (*s == 'h')
			conn_quote(&b, c->host);
		else if (*s == 'p')
			buf_append(&b, port, strlen(port));
		else if (*s == 'r')
			conn_quote(&b, c->user);
		else if (*s == '%')
			buf_append(&b, "%", 1);
		else
			buf_append(&b, s - 1, 2);
	}
	return buf_take(&b, NULL);
}

/* Start the proxy on one end of a socket pair; ours is the other. */
static int conn_start_proxy(struct ssh_conn *c)
{
	int sv[2], errp[2];
	char **env;
	char *line;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	line = conn_proxy_line(c);
	env = childenv_new(); /* before the fork: the child only execs */
	c->proxy_pid = fork();
	if (c->proxy_pid == 0) {
		setpgid(0, 0);
		if (dup2(sv[1], STDIN_FILENO) < 0 ||
		    dup2(sv[1], STDOUT_FILENO) < 0 ||
		    dup2(errp[1], STDERR_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		{
			/* bvops watch blocks its signals for sigwait; the
			 * command must not inherit that. */
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		execle("/bin/sh", "sh", "-c", line, (char *)NULL, env);
		_exit(127);
	}
	free(env);
	free(line);
	close(sv[1]);
	close(errp[1]);
	if (c->proxy_pid < 0) {
		c->proxy_pid = 0;
		close(sv[0]);
		close(errp[0]);
		return -1;
	}
	c->fd = sv[0];
	c->proxy_err = errp[0];
	fcntl(c->proxy_err, F_SETFL, O_NONBLOCK);
	return 0;
}

/* The proxy's last words, for a message ("" when it said nothing). */
static void conn_proxy_said(struct ssh_conn *c, char *out, size_t size)
{
	char text[400];
	ssize_t got;
	size_t k;

	out[0] = '\0';
	if (c->proxy_err < 0)
		return;
	got = read(c->proxy_err, text, sizeof(text) - 1);
	if (got <= 0)
		return;
	text[got] = '\0';
	for (k = 0; k < (size_t)got; k++)
		if ((unsigned char)text[k] < 0x20)
			text[k] = ' ';
	snprintf(out, size, " (proxy command said: %s)", text);
}

static int conn_start_tcp(struct ssh_conn *c)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	char port[16];
	int rc;

	snprintf(port, sizeof(port), "%d", c->port);
	rc = getaddrinfo(c->host, port, &hints, &ai);
	if (rc != 0) {
		conn_fail(c, SSH_FAIL_NETWORK, "%s: cannot resolve %s: %s",
			  c->label, c->host, gai_strerror(rc));
		return -1;
	}
	c->fd = socket(ai->ai_family,
		       SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0 || (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
			  errno != EINPROGRESS)) {
		conn_fail(c, SSH_FAIL_NETWORK,
			  "%s: cannot connect to %s:%d: %s", c->label, c->host,
			  c->port, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

static void conn_add_key(struct ssh_conn *c, const char *path)
{
	if (c->nkeys < SSH_MAX_KEYS)
		c->keys[c->nkeys++] = ssh_path_expand(path);
}

struct ssh_conn *ssh_conn_open(const struct ssh_config *cfg, int64_t now_ms)
{
	struct ssh_conn *c = xcalloc(1, sizeof(*c));

	c->label = xstrdup(cfg->label ? cfg->label : cfg->host);
	c->user = xstrdup(cfg->user);
	c->host = xstrdup(cfg->host);
	c->port = cfg->port;
	c->proxy_command =
	    cfg->proxy_command ? xstrdup(cfg->proxy_command) : NULL;
	c->known_hosts = ssh_path_expand(cfg->known_hosts);
	c->passphrase = cfg->passphrase ? xstrdup(cfg->passphrase) : NULL;
	c->agent_wanted = cfg->agent;
	c->hostkey_only = cfg->hostkey_only;
	c->keepalive_ms = cfg->keepalive_ms > 0 ? cfg->keepalive_ms : 2000;
	c->auth_timeout_ms =
	    cfg->auth_timeout_ms > 0 ? cfg->auth_timeout_ms : 10000;
	c->deadline =
	    now_ms +
	    (cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000);
	c->last_recv = now_ms;
	c->fd = -1;
	c->proxy_err = -1;
	c->scan_fd = -1;
	buf_init(&c->scan_out, 64 << 10);
	c->hostkey = SSH_HOSTKEY_UNKNOWN;
	if (cfg->identity != NULL) {
		conn_add_key(c, cfg->identity);
	} else if (cfg->nidentities > 0) {
		size_t k;

		for (k = 0; k < cfg->nidentities && k < 4; k++)
			conn_add_key(c, cfg->identities[k]);
	} else {
		conn_add_key(c, "~/.ssh/id_ed25519");
		conn_add_key(c, "~/.ssh/id_ecdsa");
		conn_add_key(c, "~/.ssh/id_rsa");
	}
	c->phase = PHASE_TCP;
	if (c->proxy_command != NULL) {
		if (conn_start_proxy(c) < 0)
			conn_fail(c, SSH_FAIL_NETWORK,
				  "%s: cannot start the proxy command: %s",
				  c->label, strerror(errno));
		else
			c->phase = PHASE_HANDSHAKE;
	} else {
		conn_start_tcp(c);
	}
	if (c->phase == PHASE_FAILED)
		return c;
	c->session = libssh2_session_init_ex(NULL, NULL, NULL, c);
	if (c->session == NULL) {
		conn_fail(c, SSH_FAIL_NETWORK,
			  "%s: cannot start an SSH session", c->label);
		return c;
	}
	conn_hostkey_prefer_known(c);
	libssh2_session_set_blocking(c->session, 0);
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_RECV,
				     (void *)conn_recv);
	libssh2_keepalive_config(c->session, 1,
				 (unsigned)(c->keepalive_ms + 999) / 1000);
	return c;
}

static void chan_fail(struct ssh_chan *ch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A channel's own trouble leaves the link up; anything else (the socket,
 * the transport, the crypto) takes the whole connection down, so the next
 * command reconnects instead of failing on a dead session. */
static bool conn_error_is_fatal(int code)
{
	switch (code) {
	case LIBSSH2_ERROR_CHANNEL_OUTOFORDER:
	case LIBSSH2_ERROR_CHANNEL_FAILURE:
	case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED:
	case LIBSSH2_ERROR_CHANNEL_UNKNOWN:
	case LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED:
	case LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED:
	case LIBSSH2_ERROR_CHANNEL_CLOSED:
	case LIBSSH2_ERROR_CHANNEL_EOF_SENT:
	case LIBSSH2_ERROR_CHANNEL_WINDOW_FULL:
	case LIBSSH2_ERROR_REQUEST_DENIED: return false;
	default: return true;
	}
}

/* Fail ch for a libssh2 error; a link-level one fails its connection. */
static void chan_fail_lib(struct ssh_chan *ch, const char *doing)
{
	struct ssh_conn *c = ch->conn;
	int code = libssh2_session_last_errno(c->session);

	if (conn_error_is_fatal(code)) {
		conn_fail(c, SSH_FAIL_NETWORK,
			  "%s: the link to %s:%d broke while %s (%s)", c->label,
			  c->host, c->port, doing, conn_lib_error(c));
		chan_fail(ch, "%s", c->error);
		ch->failure = SSH_FAIL_NETWORK;
		return;
	}
	chan_fail(ch, "%s: %s: %s", c->label, doing, conn_lib_error(c));
}

static void chan_fail(struct ssh_chan *ch, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ch->error, sizeof(ch->error), fmt, ap);
	va_end(ap);
	ch->phase = CHAN_FAILED;
}

void ssh_conn_free(struct ssh_conn *c)
{
	struct ssh_chan *ch;
	size_t k;

	if (c == NULL)
		return;
	for (ch = c->chans; ch != NULL; ch = ch->next) {
		if (ch->phase != CHAN_DONE && ch->phase != CHAN_FAILED) {
			chan_fail(ch, "%s",
				  c->error[0] ? c->error : "connection closed");
			ch->failure =
			    c->failure ? c->failure : SSH_FAIL_NETWORK;
		}
		ch->conn = NULL;
		ch->ch = NULL; /* freed with the session */
	}
	if (c->agent != NULL) {
		libssh2_agent_disconnect(c->agent);
		libssh2_agent_free(c->agent);
	}
	if (c->session != NULL) {
		/* No goodbye: with the socket shut, every send and receive
		 * fails at once, so freeing in blocking mode cannot hang on a
		 * dead link (non-blocking, libssh2 would stop half-way). */
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
		libssh2_session_set_blocking(c->session, 1);
		libssh2_session_free(c->session);
	}
	if (c->fd >= 0)
		close(c->fd);
	if (c->proxy_err >= 0)
		close(c->proxy_err);
	if (c->proxy_pid > 0) {
		int status;

		kill(-c->proxy_pid, SIGTERM);
		kill(-c->proxy_pid, SIGKILL);
		while (waitpid(c->proxy_pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	conn_keyscan_end(c);
	buf_free(&c->scan_out);
	free(c->server_key);
	for (k = 0; k < c->nkeys; k++)
		free(c->keys[k]);
	if (c->passphrase != NULL) {
		memset(c->passphrase, 0, strlen(c->passphrase));
		free(c->passphrase);
	}
	free(c->zombies);
	free(c->passphrase_key);
	free(c->fingerprint);
	free(c->known_line);
	free(c->label);
	free(c->user);
	free(c->host);
	free(c->proxy_command);
	free(c->known_hosts);
	free(c);
}

/* SSH wire format: a big-endian uint32 (lengths of strings). */
static uint32_t ssh_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The name a known_hosts file gives this host: OpenSSH's rule. */
static char *conn_known_name(const struct ssh_conn *c)
{
	if (c->port == 22)
		return xstrdup(c->host);
	return xasprintf("[%s]:%d", c->host, c->port);
}

/*
 * Ask first for the host key types known_hosts holds for this host, as
 * OpenSSH does: a host with rsa, ecdsa and ed25519 keys whose ed25519 key
 * is the one recorded would otherwise show its ecdsa key (libssh2's first
 * choice) and be refused as unknown. The other types follow, so that a
 * changed key is still seen and named.
 */
static void conn_hostkey_prefer_known(struct ssh_conn *c)
{
	char types[8][KNOWNHOSTS_TYPE_MAX], *name = conn_known_name(c);
	size_t n = knownhosts_key_types(c->known_hosts, name, types, 8), i;
	const char **algs = NULL;
	int nalgs, k;
	struct buf pref;

	free(name);
	if (n == 0)
		return;
	nalgs = libssh2_session_supported_algs(c->session,
					       LIBSSH2_METHOD_HOSTKEY, &algs);
	if (nalgs <= 0)
		return;
	buf_init(&pref, 4096);
	for (i = 0; i < n; i++)
		for (k = 0; k < nalgs; k++)
			if (strcmp(types[i], algs[k]) == 0)
				buf_printf(&pref, "%s%s", pref.len ? "," : "",
					   algs[k]);
	for (k = 0; k < nalgs; k++) {
		bool known = false;

		for (i = 0; i < n; i++)
			known = known || strcmp(types[i], algs[k]) == 0;
		/* Certificates only when asked for: libssh2 1.10 cannot
		 * verify one in the key exchange. */
		if (!known && !hostcert_type_is_cert(algs[k]))
			buf_printf(&pref, "%s%s", pref.len ? "," : "", algs[k]);
	}
	if (pref.len > 0)
		libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY,
					    pref.data);
	buf_free(&pref);
	libssh2_free(c->session, algs);
}

static int conn_key_typemask(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

/*
 * Read known_hosts line by line: libssh2's own reader gives up on the
 * first line it does not understand (a certificate authority, a key type
 * it lacks), OpenSSH skips those, and so do we.
 */
static void conn_known_hosts_read(LIBSSH2_KNOWNHOSTS *kh, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[8192];

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#' || line[0] == '@')
			continue;
		libssh2_knownhost_readline(kh, line, len,
					   LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	fclose(fp);
}

/* Unknown: refused (but for bvops hostkey), with why a certificate did
 * not vouch for it when one was looked at (why may be NULL). */
static void conn_hostkey_unknown(struct ssh_conn *c, const char *name,
				 const char *why)
{
	c->hostkey = SSH_HOSTKEY_UNKNOWN;
	snprintf(c->hostkey_note, sizeof(c->hostkey_note), "%s",
		 why ? why : "");
	if (!c->hostkey_only)
		conn_fail(
		    c, SSH_FAIL_HOSTKEY,
		    "%s: unknown host key for %s: %s %s is not in %s%s%s; "
		    "refusing. Check the fingerprint, then trust it with "
		    "'bvops hostkey %s --trust'",
		    c->label, name, c->keytype, c->fingerprint, c->known_hosts,
		    why ? ", and " : "", why ? why : "", c->label);
}

/*
 * ssh-keyscan -c: the host's certificates, which libssh2 (1.10) cannot
 * take in a key exchange. It runs beside the connection, its answer read
 * as it comes (ssh_conn_poll watches it), within the connect timeout. The
 * certificates are public: what makes one count is the CA's signature and
 * that it certifies the very key this connection's exchange proved.
 */
static int conn_keyscan_start(struct ssh_conn *c)
{
	int out[2];
	char port[16], secs[24];
	int64_t left = c->deadline - clock_mono_ms();
	char **env;

	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	snprintf(port, sizeof(port), "%d", c->port);
	snprintf(secs, sizeof(secs), "%lld",
		 (long long)(left > 1000 ? left / 1000 : 1));
	env = childenv_new();
	c->scan_pid = fork();
	if (c->scan_pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		if (dup2(out[1], STDOUT_FILENO) < 0 || devnull < 0 ||
		    dup2(devnull, STDIN_FILENO) < 0 ||
		    dup2(devnull, STDERR_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		{
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		execle("/bin/sh", "sh", "-c",
		       "exec ssh-keyscan -c -T \"$1\" -p \"$2\" -- \"$3\"",
		       "sh", secs, port, c->host, (char *)NULL, env);
		_exit(127);
	}
	free(env);
	close(out[1]);
	if (c->scan_pid < 0) {
		c->scan_pid = 0;
		close(out[0]);
		return -1;
	}
	c->scan_fd = out[0];
	fcntl(c->scan_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void conn_keyscan_end(struct ssh_conn *c)
{
	if (c->scan_fd >= 0)
		close(c->scan_fd);
	c->scan_fd = -1;
	if (c->scan_pid > 0) {
		int status;

		kill(-c->scan_pid, SIGKILL);
		while (waitpid(c->scan_pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	c->scan_pid = 0;
}

/* Read what ssh-keyscan says; true once it has said all (or too much). */
static bool conn_keyscan_done(struct ssh_conn *c)
{
	char chunk[4096];

	for (;;) {
		ssize_t got = read(c->scan_fd, chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (got <= 0 ||
		    buf_append(&c->scan_out, chunk, (size_t)got) < 0) {
			conn_keyscan_end(c);
			return true;
		}
	}
}

/* Whether one certificate line of ssh-keyscan vouches for the server's
 * key; *why says why not (kept only when it says more than before). */
static bool conn_cert_vouches(struct ssh_conn *c, const char *name,
			      const char *b64, size_t b64len, char *why,
			      size_t whysize)
{
	unsigned char *blob = xmalloc(b64len);
	long n = base64_decode(b64, b64len, blob, b64len);
	struct hostcert hc;
	char msg[300];
	bool ok = false;

	if (n <= 0 ||
	    hostcert_parse(blob, (size_t)n, &hc, msg, sizeof(msg)) < 0) {
		free(blob);
		return false;
	}
	if (hc.plain_len != c->server_key_len ||
	    memcmp(hc.plain, c->server_key, hc.plain_len) != 0) {
		if (why[0] == '\0')
			snprintf(why, whysize,
				 "its certificates certify other keys than "
				 "the %s key it showed",
				 c->keytype);
	} else if (!knownhosts_key_marked(c->known_hosts, "@cert-authority",
					  name, hc.ca, hc.ca_len)) {
		snprintf(why, whysize,
			 "its certificate \"%s\" is signed by a CA that no "
			 "@cert-authority line lists for %s",
			 hc.key_id, name);
	} else if (knownhosts_key_marked(c->known_hosts, "@revoked", name,
					 hc.ca, hc.ca_len)) {
		snprintf(why, whysize,
			 "its certificate \"%s\" is signed by a CA marked "
			 "@revoked",
			 hc.key_id);
	} else if (hostcert_check(&hc, c->host, time(NULL), msg, sizeof(msg)) <
		   0) {
		snprintf(why, whysize, "its %.290s", msg);
	} else {
		snprintf(c->hostkey_note, sizeof(c->hostkey_note),
			 "certificate \"%s\", signed by a @cert-authority of "
			 "%s",
			 hc.key_id, c->known_hosts);
		ok = true;
	}
	hostcert_free(&hc);
	free(blob);
	return ok;
}

/* ssh-keyscan has answered: does a certificate vouch for the key? */
static void conn_cert_decide(struct ssh_conn *c)
{
	char *name = conn_known_name(c), why[300] = "";
	char *line = c->scan_out.data, *next;
	bool ok = false;

	for (; !ok && line != NULL && *line != '\0'; line = next) {
		char *f[3] = {NULL, NULL, NULL}, *save = NULL, *b64 = NULL;
		int k;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		/* "TYPE BASE64" (ssh-keyscan -c names no host), or "HOST
		 * TYPE BASE64". */
		for (k = 0; k < 3; k++)
			if ((f[k] = strtok_r(k ? NULL : line, " \t", &save)) ==
			    NULL)
				break;
		if (f[0] == NULL || f[0][0] == '#')
			continue;
		if (hostcert_type_is_cert(f[0]))
			b64 = f[1];
		else if (f[1] != NULL && hostcert_type_is_cert(f[1]))
			b64 = f[2];
		if (b64 == NULL)
			continue;
		ok = conn_cert_vouches(c, name, b64, strlen(b64), why,
				       sizeof(why));
	}
	if (ok)
		c->hostkey = SSH_HOSTKEY_KNOWN;
	else
		conn_hostkey_unknown(
		    c, name,
		    why[0] ? why
			   : "a @cert-authority line lists a CA for it, but "
			     "it offered no host certificate");
	free(name);
}

/* The key's fingerprint and known_hosts line; checks it. */
static void conn_check_hostkey(struct ssh_conn *c)
{
	size_t len;
	int type;
	const char *key = libssh2_session_hostkey(c->session, &len, &type);
	const unsigned char *hash = (const unsigned char *)libssh2_hostkey_hash(
	    c->session, LIBSSH2_HOSTKEY_HASH_SHA256);
	char fp[BASE64_ENCODED_SIZE(32)], *b64, *name, keytype[64] = "?";
	LIBSSH2_KNOWNHOSTS *kh;
	int rc;

	if (key == NULL || hash == NULL) {
		conn_fail(c, SSH_FAIL_HOSTKEY,
			  "%s: the server sent no host key", c->label);
		return;
	}
	base64_encode(hash, 32, fp, false);
	c->fingerprint = xasprintf("SHA256:%s", fp);
	/* The key blob starts with its type name. */
	if (len > 4) {
		size_t n = ssh_be32((const unsigned char *)key);

		if (n < sizeof(keytype) && n + 4 <= len) {
			memcpy(keytype, key + 4, n);
			keytype[n] = '\0';
		}
	}
	snprintf(c->keytype, sizeof(c->keytype), "%s", keytype);
	b64 = xmalloc(BASE64_ENCODED_SIZE(len));
	base64_encode((const unsigned char *)key, len, b64, true);
	name = conn_known_name(c);
	c->known_line = xasprintf("%s %s %s", name, keytype, b64);
	free(b64);

	kh = libssh2_knownhost_init(c->session);
	if (kh == NULL) {
		free(name);
		conn_fail(c, SSH_FAIL_HOSTKEY, "%s: cannot check host keys",
			  c->label);
		return;
	}
	/* A revoked key is refused whatever else the file says of it, as
	 * OpenSSH does: a plain line for it must not bring it back. */
	if (knownhosts_key_marked(c->known_hosts, "@revoked", name,
				  (const unsigned char *)key, len)) {
		libssh2_knownhost_free(kh);
		c->hostkey = SSH_HOSTKEY_REVOKED;
		if (!c->hostkey_only)
			conn_fail(c, SSH_FAIL_HOSTKEY,
				  "%s: HOST KEY REVOKED for %s: the server "
				  "shows %s key %s, which %s marks @revoked; "
				  "refusing (it must never be trusted again: "
				  "the node needs a new host key)",
				  c->label, name, keytype, c->fingerprint,
				  c->known_hosts);
		free(name);
		return;
	}
	conn_known_hosts_read(kh, c->known_hosts);
	rc = libssh2_knownhost_check(kh, name, key, len,
				     LIBSSH2_KNOWNHOST_TYPE_PLAIN |
					 LIBSSH2_KNOWNHOST_KEYENC_RAW |
					 conn_key_typemask(type),
				     NULL);
	libssh2_knownhost_free(kh);
	if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
		c->hostkey = SSH_HOSTKEY_KNOWN;
	} else if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
		c->hostkey = SSH_HOSTKEY_CHANGED;
		if (!c->hostkey_only)
			conn_fail(
			    c, SSH_FAIL_HOSTKEY,
			    "%s: HOST KEY CHANGED for %s: the server "
			    "shows %s key %s, which is not the one in %s; "
			    "refusing (someone may be in the middle; if "
			    "the node was rebuilt, remove its old line "
			    "and trust the new key with 'bvops hostkey "
			    "%s --trust')",
			    c->label, name, keytype, c->fingerprint,
			    c->known_hosts, c->label);
	} else if (knownhosts_key_marked(c->known_hosts, "@cert-authority",
					 name, NULL, 0)) {
		/* A CA is trusted for this host: its certificate may vouch
		 * for the key (checked once ssh-keyscan has fetched it). */
		c->server_key = xmalloc(len);
		memcpy(c->server_key, key, len);
		c->server_key_len = len;
		if (c->proxy_command != NULL)
			conn_hostkey_unknown(
			    c, name,
			    "a @cert-authority line lists a CA for it, but "
			    "host certificates are fetched with ssh-keyscan, "
			    "which cannot go through ssh_proxy_command");
		else if (conn_keyscan_start(c) < 0)
			conn_hostkey_unknown(
			    c, name,
			    "a @cert-authority line lists a CA "
			    "for it, but ssh-keyscan could not "
			    "be started to fetch its "
			    "certificate");
		else
			c->phase = PHASE_HOSTCERT;
	} else {
		conn_hostkey_unknown(c, name, NULL);
	}
	free(name);
}

enum ssh_key_kind ssh_key_parse(const char *data, size_t size, bool *encrypted)
{
	static const char begin_openssh[] =
	    "-----BEGIN OPENSSH PRIVATE KEY-----";
	char text[16384];
	unsigned char raw[12288];
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	long n;
	const unsigned char *p, *end;
	enum ssh_key_kind kind = SSH_KEY_UNKNOWN;
	int k;

	*encrypted = false;
	memcpy(text, data, len);
	text[len] = '\0';
	if (strstr(text, "-----BEGIN RSA PRIVATE KEY-----") != NULL)
		kind = SSH_KEY_RSA;
	else if (strstr(text, "-----BEGIN EC PRIVATE KEY-----") != NULL)
		kind = SSH_KEY_ECDSA;
	if (kind != SSH_KEY_UNKNOWN) {
		*encrypted = strstr(text, "ENCRYPTED") != NULL;
		return kind;
	}
	if (strncmp(text, begin_openssh, sizeof(begin_openssh) - 1) != 0)
		return kind;
	{
		const char *b = text + sizeof(begin_openssh) - 1;
		const char *e = strstr(b, "-----END");

		n = base64_decode(b, e ? (size_t)(e - b) : strlen(b), raw,
				  sizeof(raw));
	}
	/* "openssh-key-v1\0", string cipher, string kdf, string kdfopts,
	 * uint32 nkeys, string pubkey (string type, ...). */
	if (n < 15 || memcmp(raw, "openssh-key-v1", 15) != 0)
		return kind;
	p = raw + 15;
	end = raw + n;
	for (k = 0; k < 5; k++) {
		uint32_t field;

		if (end - p < 4)
			return kind;
		field = ssh_be32(p);
		p += 4;
		if (k == 0)
			*encrypted = !(field == 4 && end - p >= 4 &&
				       memcmp(p, "none", 4) == 0);
		if (k == 3) /* nkeys: a number, not a string */
			continue;
		if (k == 4) {
			/* The public key blob: its first string. */
			uint32_t tl;

			if (end - p < 4)
				return kind;
			tl = ssh_be32(p);
			p += 4;
			if ((size_t)(end - p) < tl)
				return kind;
			if (tl == 7 && memcmp(p, "ssh-rsa", 7) == 0)
				return SSH_KEY_RSA;
			if (tl == 11 && memcmp(p, "ssh-ed25519", 11) == 0)
				return SSH_KEY_ED25519;
			if (tl > 6 && memcmp(p, "ecdsa-", 6) == 0)
				return SSH_KEY_ECDSA;
			return SSH_KEY_OTHER;
		}
		if ((size_t)(end - p) < field)
			return kind;
		p += field;
	}
	return kind;
}

/* ssh_key_parse on a file; -1 when it cannot be read. */
static int key_inspect(const char *path, enum ssh_key_kind *kind,
		       bool *encrypted)
{
	char text[16384];
	FILE *fp = fopen(path, "r");
	size_t len;

	*kind = SSH_KEY_UNKNOWN;
	*encrypted = false;
	if (fp == NULL)
		return -1;
	len = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	*kind = ssh_key_parse(text, len, encrypted);
	return 0;
}

/*
 * Does the agent at path answer a request for identities within ms?
 * libssh2 talks to the agent with blocking calls and no timeout: a hung
 * agent would freeze the engine thread, so bvops asks it first.
 */
static bool agent_answers(const char *path, int ms)
{
	static const unsigned char request[5] = {0, 0, 0, 1, 11};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd p;
	unsigned char answer[5];
	bool ok = false;
	int fd;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	p.fd = fd;
	p.events = POLLIN;
	/* 12: SSH2_AGENT_IDENTITIES_ANSWER. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    send(fd, request, sizeof(request), MSG_NOSIGNAL) == 5 &&
	    poll(&p, 1, ms) == 1 && recv(fd, answer, 5, 0) == 5 &&
	    answer[4] == 12)
		ok = true;
	close(fd);
	return ok;
}

/* Try the agent's identities one by one. 1: in, 0: wait, -1: none took. */
static int conn_auth_agent(struct ssh_conn *c)
{
	if (c->agent == NULL) {
		if (!agent_answers(getenv("SSH_AUTH_SOCK"), 1000))
			return -1; /* gone or hung: on to the key files */
		c->agent = libssh2_agent_init(c->session);
		if (c->agent == NULL)
			return -1;
		if (libssh2_agent_connect(c->agent) != 0 ||
		    libssh2_agent_list_identities(c->agent) != 0)
			return -1;
		if (libssh2_agent_get_identity(c->agent, &c->agent_key, NULL) !=
		    0)
			return -1;
	}
	for (;;) {
		int rc =
		    libssh2_agent_userauth(c->agent, c->user, c->agent_key);

		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc == 0)
			return 1;
		/* An RSA identity the server refused: said at the end, as
		 * for a key file (libssh2 1.10 signs it with SHA-1). */
		if (c->agent_key->blob_len > 11 &&
		    memcmp(c->agent_key->blob, "\0\0\0\7ssh-rsa", 11) == 0)
			c->rsa_refused = true;
		c->agent_tried++;
		if (libssh2_agent_get_identity(c->agent, &c->agent_key,
					       c->agent_key) != 0)
			return -1;
	}
}

/* Try key files in order. 1: in, 0: wait, -1: none took. */
static int conn_auth_keys(struct ssh_conn *c)
{
	for (; c->key_at < c->nkeys; c->key_at++) {
		const char *path = c->keys[c->key_at];
		char pub[4096];
		enum ssh_key_kind kind;
		bool encrypted;
		int rc;

		if (key_inspect(path, &kind, &encrypted) < 0)
			continue;
		if (encrypted && c->passphrase == NULL) {
			if (c->passphrase_key == NULL)
				c->passphrase_key = xstrdup(path);
			continue;
		}
		snprintf(pub, sizeof(pub), "%s.pub", path);
		rc = libssh2_userauth_publickey_fromfile_ex(
		    c->session, c->user, (unsigned)strlen(c->user),
		    access(pub, R_OK) == 0 ? pub : NULL, path,
		    encrypted ? c->passphrase : NULL);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc == 0)
			return 1;
		if (kind == SSH_KEY_RSA)
			c->rsa_refused = true;
		if (encrypted && rc == LIBSSH2_ERROR_FILE) {
			conn_fail(c, SSH_FAIL_PASSPHRASE,
				  "%s: wrong passphrase for %s", c->label,
				  path);
			return -1;
		}
	}
	return -1;
}

static void conn_auth_failed(struct ssh_conn *c)
{
	char *name = conn_known_name(c);

	if (c->rsa_refused)
		conn_fail(c, SSH_FAIL_AUTH,
			  "%s: %s@%s refused the RSA key: this build's "
			  "libssh2 signs RSA keys only with the old ssh-rsa "
			  "(SHA-1) algorithm, which current OpenSSH servers "
			  "refuse; use an ed25519 or ecdsa key (ssh-keygen -t "
			  "ed25519) or an agent holding one",
			  c->label, c->user, name);
	else if (c->passphrase_key != NULL)
		conn_fail(c, SSH_FAIL_PASSPHRASE,
			  "%s: key %s needs a passphrase", c->label,
			  c->passphrase_key);
	else
		conn_fail(c, SSH_FAIL_AUTH,
			  "%s: %s@%s accepted none of our keys (tried the "
			  "agent's %zu and %zu key files; the first was %s)",
			  c->label, c->user, name, c->agent_tried, c->nkeys,
			  c->nkeys ? c->keys[0] : "none");
	free(name);
}

static void conn_advance(struct ssh_conn *c, int64_t now)
{
	int rc;

	switch (c->phase) {
	case PHASE_TCP: {
		struct pollfd p = {.fd = c->fd, .events = POLLOUT};
		int err = 0;
		socklen_t len = sizeof(err);

		if (poll(&p, 1, 0) <= 0)
			return;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			conn_fail(c, SSH_FAIL_NETWORK,
				  "%s: cannot connect to %s:%d: %s", c->label,
				  c->host, c->port, strerror(err));
			return;
		}
		c->phase = PHASE_HANDSHAKE;
	}
		/* fall through */
	case PHASE_HANDSHAKE:
		rc = libssh2_session_handshake(c->session, c->fd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return;
		if (rc != 0) {
			char said[512];

			conn_proxy_said(c, said, sizeof(said));
			conn_fail(c, SSH_FAIL_NETWORK,
				  "%s: SSH handshake with %s:%d failed: %s%s",
				  c->label, c->host, c->port, conn_lib_error(c),
				  said);
			return;
		}
		conn_check_hostkey(c);
		/* fall through */
	case PHASE_HOSTCERT:
		if (c->phase == PHASE_HOSTCERT) {
			if (!conn_keyscan_done(c))
				return;
			conn_cert_decide(c);
		}
		if (c->phase == PHASE_FAILED)
			return;
		if (c->hostkey_only) {
			c->phase = PHASE_READY;
			return;
		}
		c->phase = PHASE_AUTH_LIST;
		/* Signing in has its own time, from here. */
		c->deadline = now + c->auth_timeout_ms;
		/* fall through */
	case PHASE_AUTH_LIST: {
		char *methods = libssh2_userauth_list(
		    c->session, c->user, (unsigned)strlen(c->user));

		if (methods == NULL) {
			if (libssh2_userauth_authenticated(c->session)) {
				c->phase = PHASE_READY;
				return;
			}
			if (libssh2_session_last_errno(c->session) ==
			    LIBSSH2_ERROR_EAGAIN)
				return;
			conn_fail(c, SSH_FAIL_NETWORK, "%s: %s", c->label,
				  conn_lib_error(c));
			return;
		}
		if (strstr(methods, "publickey") == NULL) {
			conn_fail(c, SSH_FAIL_AUTH,
				  "%s: the server takes only \"%s\"; bvops "
				  "signs in with keys",
				  c->label, methods);
			return;
		}
		c->phase = c->agent_wanted && getenv("SSH_AUTH_SOCK") != NULL
			       ? PHASE_AGENT
			       : PHASE_KEYS;
	}
		if (c->phase == PHASE_KEYS)
			goto keys;
		/* fall through */
	case PHASE_AGENT:
		rc = conn_auth_agent(c);
		if (rc == 0)
			return;
		if (rc == 1) {
			c->phase = PHASE_READY;
			return;
		}
		c->phase = PHASE_KEYS;
		/* fall through */
	case PHASE_KEYS:
	keys:
		rc = conn_auth_keys(c);
		if (rc == 0 || c->phase == PHASE_FAILED)
			return;
		if (rc == 1) {
			c->phase = PHASE_READY;
			c->last_recv = now;
			return;
		}
		conn_auth_failed(c);
		return;
	case PHASE_READY:
	case PHASE_FAILED: return;
	}
}

/* Finish closing channels their owners dropped. */
static void conn_reap_zombies(struct ssh_conn *c)
{
	size_t k = 0;

	while (k < c->nzombies) {
		LIBSSH2_CHANNEL *z = c->zombies[k];

		if (libssh2_channel_free(z) == LIBSSH2_ERROR_EAGAIN) {
			k++;
			continue;
		}
		c->zombies[k] = c->zombies[--c->nzombies];
	}
}

enum ssh_state ssh_conn_step(struct ssh_conn *c, int64_t now_ms)
{
	if (c->phase != PHASE_READY && c->phase != PHASE_FAILED) {
		conn_advance(c, now_ms);
		if (c->phase != PHASE_READY && c->phase != PHASE_FAILED &&
		    now_ms >= c->deadline)
			conn_fail(
			    c, SSH_FAIL_NETWORK,
			    c->phase >= PHASE_AUTH_LIST
				? "%s: %s:%d did not finish signing us in "
				  "within the auth timeout"
				: "%s: no SSH connection to %s:%d within "
				  "the connect timeout",
			    c->label, c->host, c->port);
	}
	if (c->phase == PHASE_READY && !c->hostkey_only) {
		int next;

		libssh2_keepalive_send(c->session, &next);
		conn_reap_zombies(c);
		/* Keepalives are answered: silence this long is a dead link
		 * (only judged while commands run on it). */
		if (c->nchans > 0 &&
		    now_ms - c->last_recv > 3 * c->keepalive_ms + 1000)
			conn_fail(c, SSH_FAIL_NETWORK,
				  "%s: no answer from %s:%d for %lld s: the "
				  "link is down",
				  c->label, c->host, c->port,
				  (long long)(now_ms - c->last_recv) / 1000);
	}
	return ssh_conn_state(c);
}

int ssh_conn_poll(const struct ssh_conn *c, short *events)
{
	int dir;

	*events = 0;
	if (c->fd < 0 || c->phase == PHASE_FAILED)
		return -1;
	if (c->phase == PHASE_TCP) {
		*events = POLLOUT;
		return c->fd;
	}
	if (c->phase == PHASE_HOSTCERT) {
		*events = POLLIN;
		return c->scan_fd;
	}
	*events = POLLIN;
	dir = c->session ? libssh2_session_block_directions(c->session) : 0;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		*events |= POLLOUT;
	return c->fd;
}

enum ssh_state ssh_conn_state(const struct ssh_conn *c)
{
	return c->phase == PHASE_READY    ? SSH_READY
	       : c->phase == PHASE_FAILED ? SSH_FAILED
					  : SSH_CONNECTING;
}

enum ssh_failure ssh_conn_failure(const struct ssh_conn *c)
{
	return c->failure;
}

const char *ssh_conn_error(const struct ssh_conn *c)
{
	return c->error;
}

const char *ssh_conn_passphrase_key(const struct ssh_conn *c)
{
	return c->failure == SSH_FAIL_PASSPHRASE ? c->passphrase_key : NULL;
}

size_t ssh_conn_channels(const struct ssh_conn *c)
{
	return c->nchans;
}

const char *ssh_conn_fingerprint(const struct ssh_conn *c)
{
	return c->fingerprint;
}

const char *ssh_conn_known_hosts_line(const struct ssh_conn *c)
{
	return c->known_line;
}

enum ssh_hostkey_status ssh_conn_hostkey_status(const struct ssh_conn *c)
{
	return c->hostkey;
}

const char *ssh_conn_hostkey_note(const struct ssh_conn *c)
{
	return c->hostkey_note;
}

const char *ssh_conn_known_hosts_path(const struct ssh_conn *c)
{
	return c->known_hosts;
}

int ssh_known_hosts_add(const char *path, const char *line, char *msg,
			size_t msgsize)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	FILE *fp;
	int fd;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700); /* fails harmlessly when it exists */
	}
	free(dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || (fp = fdopen(fd, "a")) == NULL) {
		snprintf(msg, msgsize, "cannot write %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(fp, "%s\n", line);
	if (fclose(fp) != 0) {
		snprintf(msg, msgsize, "cannot write %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct ssh_chan *ssh_chan_open(struct ssh_conn *c, const char *command)
{
	struct ssh_chan *ch = xcalloc(1, sizeof(*ch));
	struct timespec ts;

	ch->conn = c;
	ch->command = xstrdup(command);
	ch->phase = CHAN_OPEN;
	ch->exit_status = -1;
	ch->next = c->chans;
	c->chans = ch;
	/* The silence clock starts with the first command on an idle link. */
	if (c->nchans++ == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		c->last_recv = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	return ch;
}

/* Read what the channel has; 1 at EOF. */
static int chan_read(struct ssh_chan *ch, ssh_data_fn fn, void *ctx)
{
	char data[32768];
	bool more = true;
	size_t budget = 0, most = ch->read_max ? ch->read_max : (size_t)1 << 20;

	ch->pending = false;

	/* A flood must not hold the engine: come back for more. */
	while (more && budget < most) {
		int stream;

		more = false;
		for (stream = 0; stream < 2 && budget < most; stream++) {
			size_t want = most - budget < sizeof(data)
					  ? most - budget
					  : sizeof(data);
			ssize_t got = libssh2_channel_read_ex(
			    ch->ch, stream ? SSH_EXTENDED_DATA_STDERR : 0, data,
			    want);

			if (got > 0) {
				fn(ctx, stream, data, (size_t)got);
				budget += (size_t)got;
				more = true;
			} else if (got < 0 && got != LIBSSH2_ERROR_EAGAIN) {
				chan_fail_lib(ch,
					      "reading the command's output");
				return -1;
			}
		}
	}
	ch->pending = more;
	return libssh2_channel_eof(ch->ch) ? 1 : 0;
}

void ssh_chan_read_max(struct ssh_chan *ch, size_t bytes)
{
	ch->read_max = bytes;
}

bool ssh_chan_pending(const struct ssh_chan *ch)
{
	return ch->pending;
}

int ssh_chan_step(struct ssh_chan *ch, int64_t now_ms, ssh_data_fn fn,
		  void *ctx)
{
	struct ssh_conn *c = ch->conn;
	int rc;

	if (ch->phase == CHAN_DONE)
		return 1;
	if (ch->phase == CHAN_FAILED)
		return -1;
	if (ssh_conn_step(c, now_ms) == SSH_FAILED) {
		chan_fail(ch, "%s", c->error);
		ch->failure = c->failure;
		if (c->failure == SSH_FAIL_PASSPHRASE && c->passphrase_key)
			ch->passphrase_key = xstrdup(c->passphrase_key);
		return -1;
	}
	if (c->phase != PHASE_READY)
		return 0;
	switch (ch->phase) {
	case CHAN_OPEN:
		ch->ch = libssh2_channel_open_session(c->session);
		if (ch->ch == NULL) {
			if (libssh2_session_last_errno(c->session) ==
			    LIBSSH2_ERROR_EAGAIN)
				return 0;
			chan_fail_lib(ch, "opening a channel");
			return -1;
		}
		ch->phase = CHAN_EXEC;
		/* fall through */
	case CHAN_EXEC:
		rc = libssh2_channel_exec(ch->ch, ch->command);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (rc != 0) {
			chan_fail_lib(ch, "starting the command");
			return -1;
		}
		ch->phase = CHAN_RUN;
		/* fall through */
	case CHAN_RUN:
		rc = chan_read(ch, fn, ctx);
		if (rc <= 0)
			return rc;
		ch->phase = CHAN_CLOSE;
		/* fall through */
	case CHAN_CLOSE:
		rc = libssh2_channel_close(ch->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		rc = libssh2_channel_wait_closed(ch->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 0;
		{
			char *sig = NULL;

			libssh2_channel_get_exit_signal(ch->ch, &sig, NULL,
							NULL, NULL, NULL, NULL);
			ch->exit_status =
			    sig != NULL
				? -1
				: libssh2_channel_get_exit_status(ch->ch);
			libssh2_free(c->session, sig);
		}
		ch->phase = CHAN_DONE;
		return 1;
	case CHAN_DONE: return 1;
	case CHAN_FAILED: return -1;
	}
	return -1;
}

int ssh_chan_exit_status(const struct ssh_chan *ch)
{
	return ch->exit_status;
}

bool ssh_chan_running(const struct ssh_chan *ch)
{
	return ch->phase == CHAN_RUN || ch->phase == CHAN_CLOSE ||
	       ch->phase == CHAN_DONE;
}

const char *ssh_chan_error(const struct ssh_chan *ch)
{
	return ch->error;
}

enum ssh_failure ssh_chan_failure(const struct ssh_chan *ch)
{
	return ch->failure;
}

const char *ssh_chan_passphrase_key(const struct ssh_chan *ch)
{
	return ch->passphrase_key;
}

int ssh_chan_poll(const struct ssh_chan *ch, short *events)
{
	*events = 0;
	if (ch->conn == NULL)
		return -1;
	return ssh_conn_poll(ch->conn, events);
}

void ssh_chan_free(struct ssh_chan *ch)
{
	struct ssh_conn *c;

	if (ch == NULL)
		return;
	c = ch->conn;
	if (c != NULL) {
		struct ssh_chan **pp;

		for (pp = &c->chans; *pp != NULL; pp = &(*pp)->next)
			if (*pp == ch) {
				*pp = ch->next;
				break;
			}
		c->nchans--;
		/* Closing takes a round trip: the connection finishes it. */
		if (ch->ch != NULL && c->phase == PHASE_READY &&
		    libssh2_channel_free(ch->ch) == LIBSSH2_ERROR_EAGAIN) {
			c->zombies =
			    xrealloc(c->zombies, (c->nzombies + 1) *
						     sizeof(LIBSSH2_CHANNEL *));
			c->zombies[c->nzombies++] = ch->ch;
		}
	}
	free(ch->command);
	free(ch->passphrase_key);
	free(ch);
}
