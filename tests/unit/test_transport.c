/* The local transport: results, limits, timeouts, process groups. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "transport/transport.h"

static struct fleet_node local_node(const char *journal, const char *restart)
{
	struct fleet_node n;

	memset(&n, 0, sizeof(n));
	n.name = "node-0";
	n.index = 0;
	n.transport = FLEET_TRANSPORT_LOCAL;
	n.enclave_name = "enc.0";
	n.commands[FLEET_CMD_JOURNAL] = (char *)journal;
	n.commands[FLEET_CMD_RESTART] = (char *)restart;
	return n;
}

TEST(transport_local_run_collects_output_and_status)
{
	struct fleet_node n =
	    local_node(NULL, "echo out {node} {enclave}; echo err >&2; exit 3");
	struct transport_result r;
	char msg[256];

	CHECK(transport_run(NULL, &n, FLEET_CMD_RESTART, 5000, 4096, &r, msg,
			    sizeof(msg)) == 0);
	CHECK(r.exit_status == 3 && !r.timed_out && !r.truncated);
	CHECK_STR(r.out, "out node-0 enc.0\n");
	CHECK_STR(r.err, "err\n");
	transport_result_free(&r);
}

TEST(transport_local_run_bounds_output)
{
	struct fleet_node n = local_node(NULL, "head -c 100000 /dev/zero");
	struct transport_result r;
	char msg[256];

	CHECK(transport_run(NULL, &n, FLEET_CMD_RESTART, 5000, 1000, &r, msg,
			    sizeof(msg)) == 0);
	CHECK(r.out_len <= 1000 && r.truncated && r.exit_status == 0);
	transport_result_free(&r);
}

TEST(transport_local_timeout_kills_the_process_group)
{
	char pidfile[] = "/tmp/bvops-test-XXXXXX", cmd[256], msg[256];
	struct transport_result r;
	struct fleet_node n;
	FILE *f;
	int fd = mkstemp(pidfile), pid = 0, k;

	if (!CHECK(fd >= 0))
		return;
	close(fd);
	snprintf(cmd, sizeof(cmd), "tail -f /dev/null & echo $! > %s; wait",
		 pidfile);
	n = local_node(NULL, cmd);
	CHECK(transport_run(NULL, &n, FLEET_CMD_RESTART, 300, 4096, &r, msg,
			    sizeof(msg)) == 0);
	CHECK(r.timed_out && r.exit_status == -1);
	transport_result_free(&r);
	f = fopen(pidfile, "r");
	CHECK(f != NULL && fscanf(f, "%d", &pid) == 1 && pid > 0);
	if (f != NULL)
		fclose(f);
	unlink(pidfile);
	/* The grandchild went with the group (allow init to reap it). */
	for (k = 0; k < 100 && pid > 0 && kill(pid, 0) == 0; k++) {
		struct timespec ts = {0, 20000000L};

		nanosleep(&ts, NULL);
	}
	CHECK(pid > 0 && kill(pid, 0) < 0 && errno == ESRCH);
}

struct lines {
	int n;
	char last[64];
	size_t longest;
	int cut;
};

static void on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct lines *l = ctx;

	l->n++;
	if (len > l->longest)
		l->longest = len;
	l->cut += cut;
	snprintf(l->last, sizeof(l->last), "%.*s", (int)(len < 60 ? len : 60),
		 line);
}

TEST(transport_stream_splits_lines_safely)
{
	struct fleet_node n = local_node(
	    "printf 'a\\r\\nb\\nno newline'; head -c 40000 /dev/zero | "
	    "tr '\\\\0' x; echo",
	    NULL);
	char msg[256];
	struct transport_stream *s = transport_stream_open(
	    NULL, &n, FLEET_CMD_JOURNAL, msg, sizeof(msg));
	struct lines l = {0};
	int state = 0, k;

	if (!CHECK(s != NULL))
		return;
	for (k = 0; k < 500 && state == 0; k++) {
		struct timespec ts = {0, 10000000L};

		state = transport_stream_read(s, on_line, &l);
		if (state == 0)
			nanosleep(&ts, NULL);
	}
	CHECK(state == 1);
	CHECK(transport_stream_close(s) == 0);
	/* "a" (CR dropped), "b", then "no newline" + 40000 x in pieces. */
	CHECK(l.n == 2 + (40010 + TRANSPORT_LINE_MAX - 1) / TRANSPORT_LINE_MAX);
	CHECK(l.longest == TRANSPORT_LINE_MAX);
	CHECK(l.cut == 2);
}

TEST(transport_none_and_remote_say_why)
{
	struct fleet_node n = local_node("journalctl", NULL);
	struct transport_result r;
	char msg[256];

	n.transport = FLEET_TRANSPORT_NONE;
	CHECK(transport_run(NULL, &n, FLEET_CMD_JOURNAL, 1000, 100, &r, msg,
			    sizeof(msg)) < 0);
	CHECK(strstr(msg, "has no transport (transport = \"none\")") != NULL);
	n.transport = FLEET_TRANSPORT_SSM;
	n.commands[FLEET_CMD_CONSOLE] = "nitro-cli console";
	CHECK(transport_stream_open(NULL, &n, FLEET_CMD_CONSOLE, msg,
				    sizeof(msg)) == NULL);
	CHECK(strstr(msg, "live console streaming needs transport \"ssh\" "
			  "or \"local\"") != NULL);
	CHECK(transport_stream_open(NULL, &n, FLEET_CMD_JOURNAL, msg,
				    sizeof(msg)) == NULL);
	CHECK(strstr(msg, "no ssm without a transport") != NULL);
	n.transport = FLEET_TRANSPORT_SSH;
	CHECK(transport_stream_open(NULL, &n, FLEET_CMD_JOURNAL, msg,
				    sizeof(msg)) == NULL);
	CHECK(strstr(msg, "needs ssh = \"user@host[:port]\"") != NULL);
	n.transport = FLEET_TRANSPORT_LOCAL;
	n.enclave_name = NULL;
	n.commands[FLEET_CMD_JOURNAL] = "nitro-cli console --enclave-name "
					"{enclave}";
	CHECK(transport_stream_open(NULL, &n, FLEET_CMD_JOURNAL, msg,
				    sizeof(msg)) == NULL);
	CHECK(strstr(msg, "needs {enclave}") != NULL);
}
