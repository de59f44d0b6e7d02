/* bvops hostkey NODE [--trust]: the explicit way to trust a node's key. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "state/fleet.h"
#include "transport/ssh.h"
#include "transport/transport.h"

/* Connect as far as the host key and no further. NULL with a message
 * printed when the node cannot be reached. */
static struct ssh_conn *hostkey_fetch(const struct fleet *f,
				      const struct fleet_node *n)
{
	struct ssh_config cfg = {0};
	struct sshcfg keep;
	struct ssh_conn *c;
	char msg[800];

	if (transport_ssh_settings(f, n, &cfg, &keep, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		return NULL;
	}
	cfg.hostkey_only = true;
	c = ssh_conn_open(&cfg, clock_mono_ms());
	sshcfg_free(&keep);
	while (ssh_conn_step(c, clock_mono_ms()) == SSH_CONNECTING) {
		short events;
		struct pollfd p = {.fd = ssh_conn_poll(c, &events)};

		p.events = events;
		poll(&p, p.fd >= 0 ? 1 : 0, 100);
	}
	if (ssh_conn_state(c) == SSH_FAILED) {
		cmd_error("%s", ssh_conn_error(c));
		ssh_conn_free(c);
		return NULL;
	}
	return c;
}

int cmd_hostkey(const struct cli_opts *o, int argc, char **argv)
{
	const char *name = NULL;
	bool trust = false;
	const struct fleet_node *n;
	struct ssh_conn *c;
	struct fleet *f;
	char *path, msg[512];
	int rc = CLI_EXIT_OK;
	const struct cliarg opts[] = {
	    {"--trust", CLIARG_FLAG, &trust, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	if (cliargs_read(argc, argv, opts, &name, 1) < 0)
		return CMD_BAD_ARGS;
	if (name == NULL) {
		fprintf(stderr, "bvops: hostkey needs a NODE\n");
		return CMD_BAD_ARGS;
	}
	f = cmd_fleet_load(o);
	if (f == NULL)
		return CLI_EXIT_USAGE;
	n = fleet_node_find(f, name);
	if (n == NULL || n->transport != FLEET_TRANSPORT_SSH) {
		fprintf(stderr,
			n == NULL ? "bvops: no node '%s' in %s\n"
				  : "bvops: node %s does not use ssh (%s)\n",
			name, f->path);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	c = hostkey_fetch(f, n);
	if (c == NULL) {
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	path = xstrdup(ssh_conn_known_hosts_path(c));
	switch (ssh_conn_hostkey_status(c)) {
	case SSH_HOSTKEY_KNOWN:
		if (*ssh_conn_hostkey_note(c) != '\0')
			printf("%s: %s\n%s: known (%s)\n", n->name,
			       ssh_conn_fingerprint(c), n->name,
			       ssh_conn_hostkey_note(c));
		else
			printf("%s: %s\n%s: known (in %s)\n", n->name,
			       ssh_conn_fingerprint(c), n->name, path);
		break;
	case SSH_HOSTKEY_CHANGED:
		printf("%s: %s\n", n->name, ssh_conn_fingerprint(c));
		fprintf(stderr,
			"bvops: %s: HOST KEY CHANGED: %s holds another key "
			"for this host. If the node was rebuilt, remove the "
			"old line first (ssh-keygen -R HOST -f %s); bvops "
			"never replaces a key by itself\n",
			n->name, path, path);
		rc = CLI_EXIT_NOT_OK;
		break;
	case SSH_HOSTKEY_REVOKED:
		printf("%s: %s\n", n->name, ssh_conn_fingerprint(c));
		fprintf(stderr,
			"bvops: %s: HOST KEY REVOKED: %s marks this key "
			"@revoked; bvops never trusts it (the node needs a new "
			"host key)\n",
			n->name, path);
		rc = CLI_EXIT_NOT_OK;
		break;
	case SSH_HOSTKEY_UNKNOWN:
		printf("%s: %s\n%s: not trusted yet%s%s\n", n->name,
		       ssh_conn_fingerprint(c), n->name,
		       *ssh_conn_hostkey_note(c) ? ": " : "",
		       ssh_conn_hostkey_note(c));
		if (!trust) {
			rc = CLI_EXIT_NOT_OK;
			break;
		}
		if (o->dry_run) {
			printf("would add to %s: %s\n", path,
			       ssh_conn_known_hosts_line(c));
			break;
		}
		if (!o->yes && !cmd_confirm("Trust this key? [y/N] ")) {
			fprintf(stderr, "bvops: not trusted (answer 'y', or "
					"--yes in scripts)\n");
			rc = CLI_EXIT_NOT_OK;
			break;
		}
		if (ssh_known_hosts_add(path, ssh_conn_known_hosts_line(c), msg,
					sizeof(msg)) < 0) {
			cmd_error("%s", msg);
			rc = CLI_EXIT_USAGE;
			break;
		}
		printf("%s: added to %s\n", n->name, path);
		break;
	}
	free(path);
	ssh_conn_free(c);
	fleet_free(f);
	return rc;
}
