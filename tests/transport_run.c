/*
 * transport_run FLEET NODE COMMAND TIMEOUT_MS [--stream]: run one of a
 * node's [commands] to completion through the real transport and print
 * what came back, for tests/ssh.sh and tests/ssm.sh. With --stream it
 * goes through the streams the console's node actions use, and NODE may
 * be "all": every node's at once, read in one poll loop; then it also
 * prints the most ssm commands that were in flight at once.
 * Exit 0 when it ran (whatever its status), 3 when it could not.
 */
#include <libssh2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "state/fleet.h"
#include "transport/ssmcmd.h"
#include "transport/transport.h"

static void on_line(void *ctx, const char *line, size_t len, bool cut)
{
	printf("%s: %.*s%s\n", (const char *)ctx, (int)len, line,
	       cut ? " [cut]" : "");
}

/* Every chosen node's command as a stream, all at once. */
static int run_streams(struct fleet *f, const char *which, int cmd, long ms)
{
	struct transport *t = transport_new(f);
	struct transport_stream **s = calloc(f->nnodes, sizeof(void *));
	int *state = calloc(f->nnodes, sizeof(*state));
	int64_t deadline = clock_mono_ms() + ms;
	size_t k, open = 0;
	char msg[512];
	int most = 0, rc = 0;

	for (k = 0; k < f->nnodes; k++) {
		if (strcmp(which, "all") != 0 &&
		    strcmp(which, f->nodes[k].name) != 0)
			continue;
		s[k] = transport_stream_open(
		    t, &f->nodes[k], (enum fleet_cmd)cmd, msg, sizeof(msg));
		if (s[k] == NULL) {
			fprintf(stderr, "%s\n", msg);
			rc = 3;
			continue;
		}
		open++;
	}
	while (open > 0 && clock_mono_ms() < deadline) {
		struct pollfd p[64];
		size_t np = 0;

		for (k = 0; k < f->nnodes && np < 64; k++) {
			short ev;

			if (s[k] == NULL || state[k] != 0)
				continue;
			p[np].fd = transport_stream_poll(s[k], &ev);
			p[np++].events = ev;
		}
		poll(p, np, 100);
		for (k = 0; k < f->nnodes; k++) {
			if (s[k] == NULL || state[k] != 0)
				continue;
			state[k] = transport_stream_read(s[k], on_line,
							 f->nodes[k].name);
			if (state[k] != 0)
				open--;
		}
	}
	ssmcmd_in_flight(&most);
	for (k = 0; k < f->nnodes; k++) {
		if (s[k] == NULL)
			continue;
		if (state[k] < 0)
			printf("%s: error: %s\n", f->nodes[k].name,
			       transport_stream_error(s[k]));
		printf("%s: exit=%d\n", f->nodes[k].name,
		       transport_stream_close(s[k]));
	}
	printf("most_in_flight=%d\n", most);
	transport_free(t);
	free(s);
	free(state);
	return rc;
}

int main(int argc, char **argv)
{
	struct fleet_diags d;
	struct fleet *f;
	const struct fleet_node *n;
	struct transport_result r;
	struct transport *t;
	char msg[512];
	int cmd, rc = 0;

	if (argc != 5 && argc != 6) {
		fprintf(stderr,
			"usage: transport_run FLEET NODE CMD MS [--stream]\n");
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
	if (argc == 6 && cmd < FLEET_CMD_COUNT) {
		rc = run_streams(f, argv[2], cmd, atol(argv[4]));
		fleet_free(f);
		libssh2_exit();
		return rc;
	}
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
		printf("exit=%d timed_out=%d truncated=%d\n", r.exit_status,
		       r.timed_out, r.truncated);
		printf("out=%s", r.out);
		printf("err=%s", r.err);
		transport_result_free(&r);
	}
	transport_free(t);
	fleet_free(f);
	libssh2_exit();
	return rc;
}
