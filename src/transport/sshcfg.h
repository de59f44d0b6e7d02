/*
 * sshcfg: what OpenSSH's own configuration (~/.ssh/config, or a file of
 * the fleet's) says of a host, resolved by OpenSSH itself (`ssh -G`)
 * rather than by a parser of ours: Host aliases, Match, Include and all.
 * Only what the config set is kept: OpenSSH's defaults are left to bvops's
 * own. Owns the strings of a struct sshcfg.
 */
#ifndef BVOPS_SSHCFG_H
#define BVOPS_SSHCFG_H

#include <stddef.h>

#define SSHCFG_MAX_KEYS 4

struct sshcfg {
	char *host;                      /* HostName (or the host given) */
	char *user;                      /* User (ssh's: the local one) */
	int port;                        /* Port (22 when none) */
	char *identity[SSHCFG_MAX_KEYS]; /* IdentityFile, when set */
	size_t nidentity;
	char *known_hosts;   /* the first UserKnownHostsFile, when set */
	char *proxy_command; /* ProxyCommand, or one for ProxyJump */
};

/*
 * Resolve host (with user and port when the fleet gives them: NULL, 0
 * otherwise) through `ssh [-F config] -G`. 0 with *out filled; 1 when
 * there is no ssh command (out holds what was given, and 22); -1 with
 * ssh's own message (a bad config names its file and line).
 */
int sshcfg_resolve(const char *config, const char *host, const char *user,
		   int port, struct sshcfg *out, char *msg, size_t msgsize);
void sshcfg_free(struct sshcfg *c);

/* Parse ssh -G's output (text, NUL-terminated) into *out; home is the
 * user's home, to tell OpenSSH's defaults from what the config set;
 * config (may be NULL) the file a ProxyJump's own ssh is to read. */
void sshcfg_parse(const char *text, const char *home, const char *config,
		  struct sshcfg *out);

#endif
