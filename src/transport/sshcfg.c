/* sshcfg: a host as OpenSSH's configuration has it, through ssh -G. */
#include "transport/sshcfg.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/runcmd.h"
#include "lib/xalloc.h"

/* What ssh -G prints when the config sets no IdentityFile. */
static const char *const default_identities[] = {
    "~/.ssh/id_rsa",     "~/.ssh/id_ecdsa",      "~/.ssh/id_ecdsa_sk",
    "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss",
    "~/.ssh/id_dsa",
};

void sshcfg_free(struct sshcfg *c)
{
	size_t k;

	free(c->host);
	free(c->user);
	for (k = 0; k < c->nidentity; k++)
		free(c->identity[k]);
	free(c->known_hosts);
	free(c->proxy_command);
	memset(c, 0, sizeof(*c));
}

/* A word for sh -c: single-quoted. New string. */
static char *sshcfg_quote(const char *s)
{
	struct buf b;
	const char *p;

	buf_init(&b, 0);
	buf_append_char(&b, '\'');
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			buf_append_str(&b, "'\\''");
		else
			buf_append_char(&b, *p);
	buf_append_char(&b, '\'');
	return buf_take(&b, NULL);
}

/* A ProxyJump list as a proxy command, as OpenSSH makes one: the last hop
 * forwards to the node, the hops before it are its own -J, and the jump
 * hosts are read from the same config. */
static char *sshcfg_jump_command(const char *config, const char *jumps)
{
	const char *last = strrchr(jumps, ',');
	char *f = config != NULL ? sshcfg_quote(config) : NULL, *line;

	if (last == NULL)
		line = xasprintf("ssh%s%s -W %%h:%%p ssh://%s", f ? " -F " : "",
				 f ? f : "", jumps);
	else
		line = xasprintf("ssh%s%s -J %.*s -W %%h:%%p ssh://%s",
				 f ? " -F " : "", f ? f : "",
				 (int)(last - jumps), jumps, last + 1);
	free(f);
	return line;
}

void sshcfg_parse(const char *text, const char *home, const char *config,
		  struct sshcfg *out)
{
	char *copy = xstrdup(text), *line, *save = NULL, *jump = NULL;
	char *ids[16];
	size_t nids = 0, k;
	bool defaults;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');

		if (val == NULL)
			continue;
		*val++ = '\0';
		for (k = 0; line[k] != '\0'; k++)
			line[k] = (char)(line[k] | 0x20); /* keys: any case */
		if (strcmp(line, "hostname") == 0) {
			free(out->host);
			out->host = xstrdup(val);
		} else if (strcmp(line, "user") == 0) {
			free(out->user);
			out->user = xstrdup(val);
		} else if (strcmp(line, "port") == 0) {
			out->port = atoi(val);
		} else if (strcmp(line, "identityfile") == 0 &&
			   nids < sizeof(ids) / sizeof(ids[0])) {
			ids[nids++] = val;
		} else if (strcmp(line, "userknownhostsfile") == 0) {
			char *def = xasprintf("%s/.ssh/known_hosts "
					      "%s/.ssh/known_hosts2",
					      home, home);
			char *sp = strchr(val, ' ');

			if (strcmp(val, def) != 0) {
				if (sp != NULL)
					*sp = '\0';
				free(out->known_hosts);
				out->known_hosts = xstrdup(val);
			}
			free(def);
		} else if (strcmp(line, "proxycommand") == 0 &&
			   strcmp(val, "none") != 0) {
			free(out->proxy_command);
			out->proxy_command = xstrdup(val);
		} else if (strcmp(line, "proxyjump") == 0 &&
			   strcmp(val, "none") != 0) {
			jump = val;
		}
	}
	defaults =
	    nids == sizeof(default_identities) / sizeof(default_identities[0]);
	for (k = 0; defaults && k < nids; k++)
		defaults = strcmp(ids[k], default_identities[k]) == 0;
	for (k = 0; !defaults && k < nids && out->nidentity < SSHCFG_MAX_KEYS;
	     k++)
		out->identity[out->nidentity++] = xstrdup(ids[k]);
	if (out->proxy_command == NULL && jump != NULL)
		out->proxy_command = sshcfg_jump_command(config, jump);
	if (out->port <= 0 || out->port > 65535)
		out->port = 22;
	free(copy);
}

int sshcfg_resolve(const char *config, const char *host, const char *user,
		   int port, struct sshcfg *out, char *msg, size_t msgsize)
{
	char *argv[12], portarg[16], err[600];
	const char *home = getenv("HOME");
	struct passwd *pw = getpwuid(getuid());
	struct buf b;
	int n = 0, rc;

	memset(out, 0, sizeof(*out));
	argv[n++] = "ssh";
	if (config != NULL) {
		argv[n++] = "-F";
		argv[n++] = (char *)config;
	}
	argv[n++] = "-G";
	if (user != NULL) {
		argv[n++] = "-l";
		argv[n++] = (char *)user;
	}
	if (port > 0) {
		snprintf(portarg, sizeof(portarg), "%d", port);
		argv[n++] = "-p";
		argv[n++] = portarg;
	}
	argv[n++] = "--";
	argv[n++] = (char *)host;
	argv[n] = NULL;
	buf_init(&b, 256 << 10);
	rc = runcmd_capture(argv, 5000, &b, err, sizeof(err));
	if (rc == 127) {
		buf_free(&b);
		out->host = xstrdup(host);
		out->user = xstrdup(user ? user : pw ? pw->pw_name : "root");
		out->port = port > 0 ? port : 22;
		return 1;
	}
	if (rc != 0) {
		err[strcspn(err, "\n")] = '\0';
		snprintf(msg, msgsize, "ssh -G %s: %s", host,
			 err[0] ? err : "failed");
		buf_free(&b);
		return -1;
	}
	/* OpenSSH expands ~ from the password database, not $HOME. */
	if (pw != NULL)
		home = pw->pw_dir;
	sshcfg_parse(b.data ? b.data : "", home ? home : "", config, out);
	if (out->host == NULL)
		out->host = xstrdup(host);
	if (out->user == NULL)
		out->user = xstrdup(user ? user : pw ? pw->pw_name : "root");
	buf_free(&b);
	return 0;
}
