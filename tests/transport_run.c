/*
 * transport_run FLEET NODE COMMAND TIMEOUT_MS: run one of a node's
 * [commands] to completion through the real transport (as the console's
 * node actions do) and print what came back, for tests/ssh.sh.
 * Exit 0 when it ran (whatever its status), 3 when it could not.
 */
#include <libssh2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/fleet.h"
#include "../src/transport.h"

int main(int argc, char **argv)
{
	struct fleet_diags d;
	struct fleet *f;
	const struct fleet_node *n;
	struct transport_result r;
	struct transport *t;
	char msg[512];
	int cmd, rc = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: transport_run FLEET NODE CMD MS\n");
		return 2;
	}
	libssh2_init(0);
	f = fleet_load(argv[1], &d);
	if (f == NULL) {
		fprintf(stderr, "%s\n", d.n ? d.lines[0] : "bad fleet");
		fleet_diags_free(&d);
		return 2;
	}
	fleet_diags_free(&d);
	n = fleet_node_find(f, argv[2]);
	for (cmd = 0; cmd < FLEET_CMD_COUNT; cmd++)
		if (strcmp(fleet_cmd_name((enum fleet_cmd)cmd), argv[3]) == 0)
			break;
	if (n == NULL || cmd == FLEET_CMD_COUNT) {
		fprintf(stderr, "no such node or command\n");
		fleet_free(f);
		return 2;
	}
	t = transport_new(f);
	if (transport_run(t, n, (enum fleet_cmd)cmd, atol(argv[4]), 1 << 20, &r,
			  msg, sizeof(msg)) < 0) {
		fprintf(stderr, "%s\n", msg);
		rc = 3;
	} else {
		printf("exit=%d timed_out=%d\n", r.exit_status, r.timed_out);
		printf("out=%s", r.out);
		printf("err=%s", r.err);
		transport_result_free(&r);
	}
	transport_free(t);
	fleet_free(f);
	libssh2_exit();
	return rc;
}
