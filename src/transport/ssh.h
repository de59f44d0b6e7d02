/*
 * ssh: connections to nodes and commands run on them, over libssh2,
 * non-blocking and driven by the caller's loop (no threads, no sleeps).
 *
 * Owns each connection's socket (or its ProxyCommand child, in its own
 * process group), its libssh2 session and every channel opened on it: one
 * connection per node carries all of that node's commands. Host keys are
 * checked against an OpenSSH known_hosts file with OpenSSH's rule for
 * ports ("[host]:port" unless the port is 22); an unknown or changed key
 * refuses the connection with its SHA256 fingerprint. Authentication tries
 * ssh-agent, then key files. libssh2_init() must have run (cli.c does).
 */
#ifndef BVOPS_SSH_H
#define BVOPS_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Borrowed strings, copied by ssh_conn_open(). */
struct ssh_config {
	const char *label; /* the node's name, for messages */
	const char *user, *host;
	int port;
	const char *proxy_command; /* NULL: a TCP connection */
	const char *known_hosts;   /* path; NULL: ~/.ssh/known_hosts */
	const char *identity;      /* NULL: identities, else ~/.ssh/id_ed25519,
				      id_ecdsa, id_rsa */
	const char *identities[4]; /* the ssh config's IdentityFiles */
	size_t nidentities;
	const char *passphrase; /* for an encrypted key file; may be NULL */
	bool agent;
	long connect_timeout_ms; /* TCP and the handshake */
	long auth_timeout_ms;    /* signing in, after the handshake */
	long keepalive_ms;
	/* Stop after the handshake and report the host key, trusted or
	 * not (bvops hostkey). */
	bool hostkey_only;
};

enum ssh_state { SSH_CONNECTING, SSH_READY, SSH_FAILED };

enum ssh_failure {
	SSH_FAIL_NONE,
	SSH_FAIL_NETWORK,    /* connect, proxy, timeout, link lost */
	SSH_FAIL_HOSTKEY,    /* unknown or changed host key */
	SSH_FAIL_AUTH,       /* no key accepted */
	SSH_FAIL_PASSPHRASE, /* only an encrypted key is left */
};

enum ssh_hostkey_status {
	SSH_HOSTKEY_KNOWN,
	SSH_HOSTKEY_UNKNOWN,
	SSH_HOSTKEY_CHANGED,
	SSH_HOSTKEY_REVOKED, /* marked @revoked in known_hosts: never trusted */
};

struct ssh_conn;

/* Start connecting. Never NULL: a failure to start is a failed
 * connection, with its message. */
struct ssh_conn *ssh_conn_open(const struct ssh_config *cfg, int64_t now_ms);
/* Drop the connection and everything on it (channels still held by
 * callers turn failed). */
void ssh_conn_free(struct ssh_conn *c);

/* Move the connection on; call whenever its descriptor is ready and at
 * least every few hundred ms (timeouts, keepalives). */
enum ssh_state ssh_conn_step(struct ssh_conn *c, int64_t now_ms);
/* What to wait for: returns the descriptor (-1 when none) and sets
 * *events to POLLIN and/or POLLOUT. */
int ssh_conn_poll(const struct ssh_conn *c, short *events);
enum ssh_state ssh_conn_state(const struct ssh_conn *c);
enum ssh_failure ssh_conn_failure(const struct ssh_conn *c);
/* Why it failed; "" while it has not. */
const char *ssh_conn_error(const struct ssh_conn *c);
/* The key file that needs a passphrase (SSH_FAIL_PASSPHRASE), or NULL. */
const char *ssh_conn_passphrase_key(const struct ssh_conn *c);
/* Channels open on it. */
size_t ssh_conn_channels(const struct ssh_conn *c);

/* After the handshake: the server's key as "SHA256:..." and as a
 * known_hosts line for it; NULL before. */
const char *ssh_conn_fingerprint(const struct ssh_conn *c);
const char *ssh_conn_known_hosts_line(const struct ssh_conn *c);
enum ssh_hostkey_status ssh_conn_hostkey_status(const struct ssh_conn *c);
/* How a known key was trusted when not by its own line (a certificate),
 * or why a certificate did not vouch for an unknown one; "" otherwise.
 * Borrowed from c. */
const char *ssh_conn_hostkey_note(const struct ssh_conn *c);
/* The known_hosts file the connection checks against (expanded). */
const char *ssh_conn_known_hosts_path(const struct ssh_conn *c);

/*
 * Append line to the known_hosts file at path (created 0600, its folder
 * 0700, when missing). Returns 0, or -1 with a message.
 */
int ssh_known_hosts_add(const char *path, const char *line, char *msg,
			size_t msgsize);
/* ~/.ssh/known_hosts, or path with a leading ~/ expanded; new string. */
char *ssh_path_expand(const char *path);

enum ssh_key_kind {
	SSH_KEY_UNKNOWN,
	SSH_KEY_RSA,
	SSH_KEY_ECDSA,
	SSH_KEY_ED25519,
	SSH_KEY_OTHER,
};

/*
 * What a private key file's text holds (OpenSSH or PEM format), and
 * whether a passphrase protects it: read from the text itself, as the
 * public part of an OpenSSH key is never encrypted. Untrusted input:
 * bounded, never reads past size.
 */
enum ssh_key_kind ssh_key_parse(const char *text, size_t size, bool *encrypted);

struct ssh_chan;

/* Run command on c as soon as it is ready. The channel belongs to the
 * caller (ssh_chan_free), the connection keeps carrying it. */
struct ssh_chan *ssh_chan_open(struct ssh_conn *c, const char *command);

/* Output as it comes: stream 0 is stdout, 1 stderr. */
typedef void (*ssh_data_fn)(void *ctx, int stream, const char *data,
			    size_t len);

/*
 * Move the command on (steps its connection too). Returns 0 while it
 * runs, 1 once it has ended (exit status from ssh_chan_exit_status), -1
 * when it or its connection failed (ssh_chan_error says why).
 */
int ssh_chan_step(struct ssh_chan *ch, int64_t now_ms, ssh_data_fn fn,
		  void *ctx);
int ssh_chan_exit_status(const struct ssh_chan *ch); /* -1: by a signal */
/* The last step stopped reading at its budget, with more there. */
bool ssh_chan_pending(const struct ssh_chan *ch);
/* The most bytes the next steps read (0: the default, 1 MiB). */
void ssh_chan_read_max(struct ssh_chan *ch, size_t bytes);
/* The command has started (or already ended). */
bool ssh_chan_running(const struct ssh_chan *ch);
const char *ssh_chan_error(const struct ssh_chan *ch);
/* Why, when its connection failed: SSH_FAIL_NONE for the channel's own
 * failures. */
enum ssh_failure ssh_chan_failure(const struct ssh_chan *ch);
/* The key file that needs a passphrase (SSH_FAIL_PASSPHRASE), or NULL. */
const char *ssh_chan_passphrase_key(const struct ssh_chan *ch);
/* The connection's descriptor and events, as ssh_conn_poll. */
int ssh_chan_poll(const struct ssh_chan *ch, short *events);
/* Stop the command (closing its channel) and free it. */
void ssh_chan_free(struct ssh_chan *ch);

#endif
