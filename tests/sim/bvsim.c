/*
 * bvsim: simulates Builder Vault TSM nodes on 127.0.0.1, for tests, the
 * benchmark and the demo.
 *
 *   bvsim serve --dir DIR --nodes N [--base-port P] [--start-delay MS]
 *               [--flap NODE]
 *   bvsim ctl DIR NODE VERB [ARG]
 *
 * serve: one process, one poll loop. Each node has an HTTP server whose
 * /ping answers 200 while its enclave runs, 503 while it starts or is
 * unhealthy, and refuses connections while it is stopped. DIR/ports lists
 * "NAME PORT" per node (ports are chosen by the kernel unless --base-port);
 * DIR/control is a UNIX socket taking one command per connection.
 *
 * ctl: send one command, print the answer, exit 0 (ok) or 1 (error). This
 * is what a fleet file's [commands] run, so bvops drives the simulator
 * through the same code path as real nodes. Verbs:
 *   restart | stop | start | debug-restart | protected-restart
 *   state                      nitro-cli describe-enclaves style JSON
 *   fault 503|slow MS|hang|refuse|crash|none
 *   restart-mode ok|fail|start-limit   how later restarts go
 *   stop-mode ok|fail|ignore   later stops: work, fail (exit 1), or say
 *                              ok while the enclave keeps running
 *   start-mode ok|fail         later starts: work or fail (exit 1)
 *   journal [follow]           journalctl-like lines
 *   journalctl [ARGS]          as journalctl -u enclave.service would
 *                              answer one poll: -n N, --after-cursor=C,
 *                              --cursor=C, --show-cursor, --version
 *                              (short-iso lines; cursors s=bvsim;i=HEX)
 *   journal-version V          the systemd version journalctl says;
 *                              below 255 it skips the first entry after
 *                              --after-cursor with -u (systemd issue
 *                              30288, in its worst case: always)
 *   say N [WIDTH]              N numbered journal lines at once (padded
 *                              with '=' to WIDTH characters, then
 *                              "tail N")
 *   console                    nitro-cli console (debug mode only)
 *   doctor                     the facts bvops doctor reads, in sections
 *   doctor-fault F|none        one fault in them: allocator-small,
 *                              allocator-failed, hugepages, e26,
 *                              vsock-down, allowlist, start-limit,
 *                              disk-full, ssm-down, clock-skew, pcr-drift,
 *                              pcr8-drift (the EIF's signer)
 *   stats                      pings served and connections accepted
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SIM_LINES    200 /* journal and console lines kept per node */
#define SIM_LINE_MAX 200
#define SIM_BUF      4096

enum sim_enclave { SIM_STOPPED, SIM_STARTING, SIM_RUNNING };
enum sim_fault { FAULT_NONE, FAULT_503, FAULT_SLOW, FAULT_HANG, FAULT_REFUSE };

struct sim_ring {
	char lines[SIM_LINES][SIM_LINE_MAX];
	size_t start, len;
	uint64_t total; /* lines ever added: followers track this */
};

struct sim_node {
	char name[32];
	int port;
	int listen_fd; /* -1 while stopped or refusing */
	enum sim_enclave enclave;
	bool debug;
	int64_t ready_at; /* STARTING until then */
	enum sim_fault fault;
	int slow_ms;
	int restart_mode; /* 0 works, 1 fails, 2 systemd start limit */
	int stop_mode;    /* 0 works, 1 fails, 2 says ok, stops nothing */
	int start_mode;   /* 0 works, 1 fails */
	unsigned long pings, conns, restarts;
	unsigned long said;    /* numbered lines added by "say" */
	int jversion;          /* what journalctl --version says */
	char doctor_fault[32]; /* what bvops doctor is to find ("" none) */
	int64_t next_heartbeat;
	struct sim_ring journal, console;
};

enum conn_kind { CONN_HTTP, CONN_CONTROL };

struct sim_conn {
	int fd;
	enum conn_kind kind;
	int node; /* HTTP: which node; control: node followed, or -1 */
	char in[SIM_BUF];
	size_t in_len;
	int64_t answer_at; /* slow answer pending until then; 0: none */
	int answer_code;
	bool follow_journal, follow_console;
	bool console;  /* streams the console ring, not the journal */
	uint64_t seen; /* ring lines already sent */
};

static struct sim_node *nodes;
static int nnodes;
static struct sim_conn *conns;
static int nconns, conns_cap;
static int control_fd = -1;
static int start_delay_ms = 300;
static int flap_node = -1;
static int64_t flap_next;
static volatile sig_atomic_t stop_flag;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ring_add(struct sim_ring *r, const char *fmt, ...)
{
	char *slot;
	va_list ap;
	time_t t = time(NULL);
	struct tm tm;
	size_t n;

	if (r->len == SIM_LINES) {
		r->start = (r->start + 1) % SIM_LINES;
		r->len--;
	}
	slot = r->lines[(r->start + r->len) % SIM_LINES];
	gmtime_r(&t, &tm);
	n = strftime(slot, SIM_LINE_MAX, "%Y-%m-%dT%H:%M:%S+0000 ", &tm);
	va_start(ap, fmt);
	vsnprintf(slot + n, SIM_LINE_MAX - n, fmt, ap);
	va_end(ap);
	r->len++;
	r->total++;
}

/* Line number 'seq' (0-based over all time), or NULL if gone or not yet. */
static const char *ring_line(const struct sim_ring *r, uint64_t seq)
{
	uint64_t first = r->total - r->len;

	if (seq < first || seq >= r->total)
		return NULL;
	return r->lines[(r->start + (seq - first)) % SIM_LINES];
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int listen_on(int port, int *bound)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 512) < 0 || set_nonblock(fd) < 0) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&a, &len);
	*bound = ntohs(a.sin_port);
	return fd;
}

/*
 * Closed now, removed from the table only by conns_compact() at the top
 * of the loop: a command may close other connections while its own is
 * being read, and nothing may move under it (a moved entry once closed a
 * descriptor number a node's new listening socket had been given).
 */
static void conn_close(int i)
{
	if (conns[i].fd >= 0)
		close(conns[i].fd);
	conns[i].fd = -1;
	conns[i].answer_at = 0;
	conns[i].follow_journal = conns[i].follow_console = false;
}

static void conns_compact(void)
{
	int i, kept = 0;

	for (i = 0; i < nconns; i++)
		if (conns[i].fd >= 0)
			conns[kept++] = conns[i];
	nconns = kept;
}

/* Close the node's port and every connection to it: "connection
 * refused" from now on, as when the TSM process is gone. */
static void node_close_port(struct sim_node *n)
{
	int i;

	if (n->listen_fd >= 0) {
		close(n->listen_fd);
		n->listen_fd = -1;
	}
	for (i = nconns - 1; i >= 0; i--)
		if (conns[i].kind == CONN_HTTP && &nodes[conns[i].node] == n)
			conn_close(i);
}

static void node_open_port(struct sim_node *n)
{
	int bound;

	if (n->listen_fd < 0 && n->fault != FAULT_REFUSE) {
		n->listen_fd = listen_on(n->port, &bound);
		if (n->listen_fd < 0)
			fprintf(stderr, "bvsim: %s cannot listen on %d: %s\n",
				n->name, n->port, strerror(errno));
	}
}

static void node_stop(struct sim_node *n, const char *why)
{
	int i;

	n->enclave = SIM_STOPPED;
	node_close_port(n);
	/* nitro-cli console ends with the enclave: followers get what is
	 * left, then the connection closes. */
	for (i = 0; i < nconns; i++)
		if (conns[i].kind == CONN_CONTROL && conns[i].follow_console &&
		    &nodes[conns[i].node] == n)
			conns[i].follow_console = false;
	ring_add(&n->journal, "%s systemd[1]: enclave.service: %s", n->name,
		 why);
	ring_add(&n->console, "[   0.000000] reboot: Power down");
}

static void node_start(struct sim_node *n, bool debug)
{
	n->enclave = SIM_STARTING;
	n->debug = debug;
	n->ready_at = now_ms() + start_delay_ms;
	node_open_port(n);
	ring_add(&n->journal,
		 "%s systemd[1]: Starting enclave.service - Builder Vault TSM "
		 "enclave%s...",
		 n->name, debug ? " (debug mode)" : "");
	ring_add(&n->journal,
		 "%s restart-enclave.sh[1042]: Started enclave %s with "
		 "EnclaveCID 16, flags %s",
		 n->name, n->name, debug ? "DEBUG_MODE" : "NONE");
	if (debug)
		ring_add(&n->console,
			 "[    0.000000] Linux version 4.14 "
			 "(nitro enclave) booting %s",
			 n->name);
}

static void node_tick(struct sim_node *n, int64_t now)
{
	if (n->enclave == SIM_STARTING && now >= n->ready_at) {
		n->enclave = SIM_RUNNING;
		ring_add(&n->journal,
			 "%s tsm[1099]: SDK server listening on :8080",
			 n->name);
		ring_add(&n->journal, "%s systemd[1]: Started enclave.service.",
			 n->name);
		if (n->debug)
			ring_add(&n->console,
				 "tsm: player %s ready, MPC server on :9000",
				 n->name);
	}
	if (n->enclave == SIM_RUNNING && now >= n->next_heartbeat) {
		n->next_heartbeat = now + 1000;
		ring_add(&n->journal, "%s tsm[1099]: heartbeat ok, %lu pings",
			 n->name, n->pings);
		if (n->debug)
			ring_add(&n->console, "tsm: heartbeat session=%lu",
				 n->pings);
	}
}

static int find_node(const char *name)
{
	int k;

	for (k = 0; k < nnodes; k++)
		if (strcmp(nodes[k].name, name) == 0)
			return k;
	return -1;
}

static void conn_send(struct sim_conn *c, const char *s, size_t len)
{
	/* Small answers on loopback: a blocking write is fine. */
	while (len > 0) {
		ssize_t w = send(c->fd, s, len, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = {.fd = c->fd, .events = POLLOUT};

			poll(&p, 1, 1000);
			continue;
		}
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

static void conn_printf(struct sim_conn *c, const char *fmt, ...)
{
	char buf[SIM_BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		conn_send(c, buf,
			  (size_t)n < sizeof(buf) ? (size_t)n
						  : sizeof(buf) - 1);
}

static void http_answer(struct sim_conn *c, int code)
{
	conn_printf(c,
		    "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
		    "Content-Length: %d\r\n\r\n%s",
		    code,
		    code == 200   ? "OK"
		    : code == 404 ? "Not Found"
				  : "Service Unavailable",
		    code == 200 ? 3 : 12,
		    code == 200 ? "OK\n" : "unavailable\n");
}

/* One request in c->in: answer now, later (slow), or never (hang). */
static void http_request(struct sim_conn *c)
{
	struct sim_node *n = &nodes[c->node];
	int code;

	if (strncmp(c->in, "GET /ping ", 10) != 0 &&
	    strncmp(c->in, "GET /ping?", 10) != 0) {
		http_answer(c, 404);
		return;
	}
	n->pings++;
	code = n->enclave == SIM_RUNNING && n->fault != FAULT_503 ? 200 : 503;
	if (n->fault == FAULT_HANG) {
		c->answer_at = INT64_MAX;
		return;
	}
	if (n->fault == FAULT_SLOW) {
		/* now_ms() truncates: one more ms makes the delay at least
		 * slow_ms, never 299.x ms for "slow 300". */
		c->answer_at = now_ms() + n->slow_ms + 1;
		c->answer_code = code;
		return;
	}
	http_answer(c, code);
}

static void describe_enclaves(struct sim_conn *c, struct sim_node *n)
{
	if (n->enclave == SIM_STOPPED) {
		conn_printf(c, "[]\n");
		return;
	}
	conn_printf(c,
		    "[\n  {\n    \"EnclaveName\": \"%s\",\n"
		    "    \"EnclaveID\": \"i-0sim%04d-enc18c0ffee\",\n"
		    "    \"ProcessID\": %d,\n    \"EnclaveCID\": 16,\n"
		    "    \"NumberOfCPUs\": 2,\n    \"CPUIDs\": [1, 3],\n"
		    "    \"MemoryMiB\": 4096,\n    \"State\": \"RUNNING\",\n"
		    "    \"Flags\": \"%s\"\n  }\n]\n",
		    n->name, (int)(n - nodes), 1042 + (int)(n - nodes),
		    n->debug ? "DEBUG_MODE" : "NONE");
}

/* What a Marketplace node shows bvops doctor, healthy but for
 * n->doctor_fault. */
static void sim_doctor(struct sim_conn *c, struct sim_node *n)
{
	const char *f = n->doctor_fault;
	bool running = n->enclave != SIM_STOPPED;
	const char *pcr = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

	conn_printf(c, "== describe-enclaves ==\n");
	if (!running)
		conn_printf(c, "[]\n");
	else
		conn_printf(c,
			    "[{\"EnclaveName\": \"%s\", \"EnclaveCID\": 16, "
			    "\"NumberOfCPUs\": 2, \"MemoryMiB\": 4096, "
			    "\"State\": \"RUNNING\", \"Flags\": \"%s\", "
			    "\"Measurements\": {\"HashAlgorithm\": \"Sha384\", "
			    "\"PCR0\": \"%s\"}}]\n",
			    n->name, n->debug ? "DEBUG_MODE" : "NONE",
			    strcmp(f, "pcr-drift") == 0 ? "ffff0000ffff0000ffff"
							: pcr);
	conn_printf(c, "== allocator ==\n---\nmemory_mib: %d\ncpu_count: 2\n",
		    strcmp(f, "allocator-small") == 0 ? 2048 : 4096);
	conn_printf(c,
		    "== allocator-unit ==\nActiveState=active\n"
		    "SubState=exited\nResult=%s\nExecMainStatus=%d\n",
		    strcmp(f, "allocator-failed") == 0 ? "exit-code"
						       : "success",
		    strcmp(f, "allocator-failed") == 0 ? 1 : 0);
	conn_printf(c,
		    "== hugepages ==\nHugePages_Total:    %d\n"
		    "HugePages_Free:     %d\nHugepagesize:       2048 kB\n",
		    strcmp(f, "hugepages") == 0 ? 0 : 2048, running ? 0 : 2048);
	conn_printf(c, "== errors ==\n");
	if (strcmp(f, "e26") == 0)
		conn_printf(c,
			    "Action: Run Enclave\nSubactions:\n"
			    "  Failed to run enclave\n  [ E26 ] Insufficient "
			    "memory requested.\n");
	conn_printf(c, "== explain ==\n");
	if (strcmp(f, "e26") == 0)
		conn_printf(c,
			    "-- E26\nInsufficient memory requested: give "
			    "the enclave more memory than its EIF needs "
			    "(--memory), within allocator.yaml's memory_mib\n");
	conn_printf(c, "== vsock-proxy ==\n");
	if (strcmp(f, "vsock-down") != 0)
		conn_printf(c, "1234 /usr/bin/vsock-proxy 8000 "
			       "kms.eu-west-1.amazonaws.com 443\n");
	conn_printf(c,
		    "== vsock-allowlist ==\nallowlist:\n- {address: "
		    "%s, port: 443}\n",
		    strcmp(f, "allowlist") == 0
			? "kms.us-west-2.amazonaws.com"
			: "kms.eu-west-1.amazonaws.com");
	conn_printf(c,
		    "== enclave-unit ==\nActiveState=%s\nSubState=%s\n"
		    "Result=%s\nNRestarts=%d\nStartLimitBurst=5\n",
		    strcmp(f, "start-limit") == 0 ? "failed"
		    : running                     ? "active"
						  : "inactive",
		    strcmp(f, "start-limit") == 0 ? "failed"
		    : running                     ? "running"
						  : "dead",
		    strcmp(f, "start-limit") == 0 ? "start-limit-hit"
						  : "success",
		    strcmp(f, "start-limit") == 0 ? 5 : 0);
	conn_printf(c,
		    "== disk ==\nFilesystem 1024-blocks Used Available "
		    "Capacity Mounted on\n/dev/nvme0n1p1 8123456 4000000 "
		    "4123456 %d%% /\n",
		    strcmp(f, "disk-full") == 0 ? 97 : 49);
	conn_printf(c, "== ssm-agent ==\n%s\n",
		    strcmp(f, "ssm-down") == 0 ? "inactive" : "active");
	conn_printf(c, "== clock ==\n%lld\n",
		    (long long)time(NULL) +
			(strcmp(f, "clock-skew") == 0 ? 600 : 0));
	/* PCR8: the signing certificate's hash, as the demo's key policy
	 * pins it. */
	conn_printf(c,
		    "== describe-eif ==\n{\"EifVersion\": 4, "
		    "\"Measurements\": {\"HashAlgorithm\": \"Sha384\", "
		    "\"PCR0\": \"%s\", \"PCR8\": \"%s\"}}\n",
		    pcr,
		    strcmp(f, "pcr8-drift") == 0
			? "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
			  "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
			: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
			  "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");
}

/* The position a cursor names ("s=bvsim;i=HEX"), or -1. */
static long long sim_cursor_seq(const char *c)
{
	const char *i = strstr(c, ";i=");

	return i ? strtoll(i + 3, NULL, 16) : -1;
}

/* One journalctl run over the node's journal (see the verbs above). */
static void sim_journalctl(struct sim_conn *c, struct sim_node *n, int argc,
			   char **argv)
{
	const struct sim_ring *r = &n->journal;
	uint64_t first = r->total - r->len, start, end;
	long long lines = -1, seq = -1;
	bool show_cursor = false, unit = false, after = false;
	int k;

	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--version") == 0) {
			conn_printf(c, "systemd %d (%d-1)\n+PAM +AUDIT\n",
				    n->jversion, n->jversion);
			return;
		} else if (strcmp(argv[k], "-u") == 0 && k + 1 < argc) {
			unit = true;
			k++;
		} else if (strcmp(argv[k], "-n") == 0 && k + 1 < argc) {
			lines = atoll(argv[++k]);
		} else if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) {
			k++;
		} else if (strcmp(argv[k], "--show-cursor") == 0) {
			show_cursor = true;
		} else if (strncmp(argv[k], "--after-cursor=", 15) == 0) {
			seq = sim_cursor_seq(argv[k] + 15);
			after = true;
		} else if (strncmp(argv[k], "--cursor=", 9) == 0) {
			seq = sim_cursor_seq(argv[k] + 9);
		}
	}
	if (seq >= 0) {
		start = (uint64_t)seq + (after ? 1 : 0);
		if (after && unit && n->jversion < 255)
			start++;
		if (start < first)
			start = first;
		end = lines >= 0 && start + (uint64_t)lines < r->total
			  ? start + (uint64_t)lines
			  : r->total;
	} else {
		start = lines >= 0 && r->total - first > (uint64_t)lines
			    ? r->total - (uint64_t)lines
			    : first;
		end = r->total;
	}
	for (uint64_t q = start; q < end; q++)
		conn_printf(c, "%s\n", ring_line(r, q));
	if (show_cursor && end > start)
		conn_printf(c, "-- cursor: s=bvsim;i=%llx\n",
			    (unsigned long long)(end - 1));
}

/* Handle one control command line; may turn c into a follower. */
static void control_command(struct sim_conn *c, char *line)
{
	char *argv[16] = {0};
	int argc = 0, k;
	struct sim_node *n;

	for (char *tok = strtok(line, " \t\r\n"); tok && argc < 16;
	     tok = strtok(NULL, " \t\r\n"))
		argv[argc++] = tok;
	if (argc < 2 || (k = find_node(argv[0])) < 0) {
		conn_printf(c,
			    "error: usage: NODE VERB [ARG] (unknown node "
			    "'%s')\n",
			    argc ? argv[0] : "");
		return;
	}
	n = &nodes[k];
	if (strcmp(argv[1], "restart") == 0 ||
	    strcmp(argv[1], "protected-restart") == 0 ||
	    strcmp(argv[1], "debug-restart") == 0) {
		bool debug = strcmp(argv[1], "debug-restart") == 0;

		n->restarts++;
		if (n->restart_mode == 1) {
			conn_printf(c, "error: Job for enclave.service failed "
				       "because the control process exited "
				       "with error code.\n");
			return;
		}
		if (n->restart_mode == 2) {
			conn_printf(c, "error: Job for enclave.service failed "
				       "because start of the service was "
				       "attempted too often. enclave.service: "
				       "Start request repeated too quickly.\n");
			return;
		}
		if (n->enclave != SIM_STOPPED)
			node_stop(n, "Stopping for restart");
		node_start(n, debug);
		conn_printf(c, "ok %s %s\n", n->name, argv[1]);
	} else if (strcmp(argv[1], "stop") == 0) {
		if (n->stop_mode == 1) {
			conn_printf(c, "error: Job for enclave.service failed: "
				       "the stop timed out (timeout).\n");
			return;
		}
		if (n->enclave != SIM_STOPPED && n->stop_mode == 0)
			node_stop(n, "Stopped enclave.service.");
		conn_printf(c, "ok %s stopped\n", n->name);
	} else if (strcmp(argv[1], "start") == 0) {
		if (n->start_mode == 1) {
			conn_printf(c, "error: Job for enclave.service failed "
				       "because the control process exited "
				       "with error code.\n");
			return;
		}
		if (n->enclave == SIM_STOPPED)
			node_start(n, n->debug);
		conn_printf(c, "ok %s started\n", n->name);
	} else if (strcmp(argv[1], "state") == 0) {
		describe_enclaves(c, n);
	} else if (strcmp(argv[1], "doctor") == 0) {
		sim_doctor(c, n);
	} else if (strcmp(argv[1], "doctor-fault") == 0 && argc >= 3) {
		snprintf(n->doctor_fault, sizeof(n->doctor_fault), "%s",
			 strcmp(argv[2], "none") == 0 ? "" : argv[2]);
		conn_printf(c, "ok %s doctor-fault %s\n", n->name, argv[2]);
	} else if (strcmp(argv[1], "journalctl") == 0) {
		sim_journalctl(c, n, argc, argv);
	} else if (strcmp(argv[1], "journal-version") == 0 && argc >= 3) {
		n->jversion = atoi(argv[2]);
		conn_printf(c, "ok %s journal-version %d\n", n->name,
			    n->jversion);
	} else if (strcmp(argv[1], "say") == 0 && argc >= 3) {
		int count = atoi(argv[2]);
		int width = argc >= 4 ? atoi(argv[3]) : 0;
		char pad[SIM_LINE_MAX];

		if (width < 0 || width >= SIM_LINE_MAX)
			width = SIM_LINE_MAX - 1;
		memset(pad, '=', (size_t)width);
		pad[width] = '\0';
		for (int q = 0; q < count; q++) {
			char tail[32] = "";

			/* A padded line ends with its number again: where a
			 * wrapped line's tail went can be seen. */
			if (width > 0)
				snprintf(tail, sizeof(tail), " tail %lu",
					 n->said + 1);
			ring_add(&n->journal,
				 "%s tsm[1099]: said line %lu %s%s", n->name,
				 ++n->said, pad, tail);
		}
		conn_printf(c, "ok %s said %d\n", n->name, count);
	} else if (strcmp(argv[1], "stats") == 0) {
		conn_printf(c, "pings %lu conns %lu restarts %lu\n", n->pings,
			    n->conns, n->restarts);
	} else if (strcmp(argv[1], "restart-mode") == 0 && argc >= 3) {
		n->restart_mode = strcmp(argv[2], "fail") == 0          ? 1
				  : strcmp(argv[2], "start-limit") == 0 ? 2
									: 0;
		conn_printf(c, "ok %s restart-mode %s\n", n->name, argv[2]);
	} else if (strcmp(argv[1], "stop-mode") == 0 && argc >= 3) {
		n->stop_mode = strcmp(argv[2], "fail") == 0     ? 1
			       : strcmp(argv[2], "ignore") == 0 ? 2
								: 0;
		conn_printf(c, "ok %s stop-mode %s\n", n->name, argv[2]);
	} else if (strcmp(argv[1], "start-mode") == 0 && argc >= 3) {
		n->start_mode = strcmp(argv[2], "fail") == 0 ? 1 : 0;
		conn_printf(c, "ok %s start-mode %s\n", n->name, argv[2]);
	} else if (strcmp(argv[1], "fault") == 0 && argc >= 3) {
		const char *f = argv[2];

		n->fault = strcmp(f, "503") == 0      ? FAULT_503
			   : strcmp(f, "slow") == 0   ? FAULT_SLOW
			   : strcmp(f, "hang") == 0   ? FAULT_HANG
			   : strcmp(f, "refuse") == 0 ? FAULT_REFUSE
						      : FAULT_NONE;
		n->slow_ms = argc >= 4 ? atoi(argv[3]) : 3000;
		if (strcmp(f, "crash") == 0)
			node_stop(n, "Main process exited, code=killed, "
				     "status=11/SEGV");
		else if (n->fault == FAULT_REFUSE)
			node_close_port(n);
		else if (n->enclave != SIM_STOPPED)
			node_open_port(n);
		/* What the service would log: incidents show these lines. */
		if (n->fault == FAULT_503)
			ring_add(&n->journal,
				 "%s tsm[1099]: database connection lost, "
				 "answering 503",
				 n->name);
		else if (n->fault == FAULT_NONE)
			ring_add(&n->journal,
				 "%s tsm[1099]: database connection restored",
				 n->name);
		conn_printf(c, "ok %s fault %s\n", n->name, f);
	} else if (strcmp(argv[1], "journal") == 0) {
		c->follow_journal = argc >= 3 && strcmp(argv[2], "follow") == 0;
		c->node = k;
		c->seen = n->journal.total - n->journal.len;
		return; /* lines go out from the main loop */
	} else if (strcmp(argv[1], "console") == 0) {
		if (n->enclave == SIM_STOPPED || !n->debug) {
			conn_printf(c, "error: [ E44 ] Enclave console "
				       "connection failure. The enclave was "
				       "not started in debug mode.\n");
			return;
		}
		conn_printf(c, "Connecting to the console for enclave "
			       "16...\nSuccessfully connected to the "
			       "console.\n");
		c->follow_console = true;
		c->console = true;
		c->node = k;
		c->seen = n->console.total;
		return;
	} else {
		conn_printf(c, "error: unknown verb '%s'\n", argv[1]);
	}
}

static void conn_add(int fd, enum conn_kind kind, int node)
{
	if (nconns == conns_cap) {
		conns_cap = conns_cap ? conns_cap * 2 : 64;
		conns = realloc(conns, (size_t)conns_cap * sizeof(*conns));
		if (conns == NULL)
			abort();
	}
	memset(&conns[nconns], 0, sizeof(conns[0]));
	conns[nconns].fd = fd;
	conns[nconns].kind = kind;
	conns[nconns].node = node;
	nconns++;
}

/* Read from connection i; returns false if it was closed. */
static bool conn_read(int i)
{
	struct sim_conn *c = &conns[i];
	ssize_t r;
	char *end;

	if (c->fd < 0)
		return false;
	r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, 0);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return true; /* nothing after all */
	if (r <= 0 || c->in_len + (size_t)r >= sizeof(c->in) - 1) {
		conn_close(i);
		return false;
	}
	c->in_len += (size_t)r;
	c->in[c->in_len] = '\0';
	if (c->kind == CONN_CONTROL) {
		end = strchr(c->in, '\n');
		if (end == NULL)
			return true;
		*end = '\0';
		control_command(c, c->in);
		if (!c->follow_journal && !c->follow_console && c->node < 0) {
			conn_close(i);
			return false;
		}
		c->in_len = 0;
		return true;
	}
	/* HTTP: answer each complete request (keep-alive). */
	while ((end = strstr(c->in, "\r\n\r\n")) != NULL && c->answer_at == 0) {
		size_t used = (size_t)(end + 4 - c->in);

		http_request(c);
		memmove(c->in, c->in + used, c->in_len - used + 1);
		c->in_len -= used;
	}
	return true;
}

/* Send followers their new lines; dump-and-close for plain journal. */
static void control_flush(void)
{
	int i;

	for (i = nconns - 1; i >= 0; i--) {
		struct sim_conn *c = &conns[i];
		struct sim_ring *r;
		const char *line;

		if (c->kind != CONN_CONTROL || c->node < 0 || c->fd < 0)
			continue;
		r = c->console ? &nodes[c->node].console
			       : &nodes[c->node].journal;
		while ((line = ring_line(r, c->seen)) != NULL) {
			conn_printf(c, "%s\n", line);
			c->seen++;
		}
		if (c->seen < r->total - r->len)
			c->seen = r->total - r->len;
		/* A dump ends now; the console ends with the enclave. */
		bool done = (!c->follow_journal && !c->follow_console) ||
			    (c->follow_console &&
			     (nodes[c->node].enclave == SIM_STOPPED ||
			      !nodes[c->node].debug));

		if (done)
			conn_close(i);
	}
}

static int write_ports(const char *dir)
{
	char path[4096], tmp[4200];
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "%s/ports", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	for (k = 0; k < nnodes; k++)
		fprintf(f, "%s %d\n", nodes[k].name, nodes[k].port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path); /* readers see all of it or nothing */
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int serve(const char *dir, int base_port)
{
	struct sockaddr_un ua;
	struct pollfd *pfds = NULL;
	int k, i;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	for (k = 0; k < nnodes; k++) {
		struct sim_node *n = &nodes[k];

		snprintf(n->name, sizeof(n->name), "node-%d", k);
		n->jversion = 252; /* Debian 12, Amazon Linux 2023 */
		n->port = base_port ? base_port + k : 0;
		n->listen_fd = listen_on(n->port, &n->port);
		if (n->listen_fd < 0) {
			fprintf(stderr, "bvsim: cannot listen for %s: %s\n",
				n->name, strerror(errno));
			return 1;
		}
		n->enclave = SIM_STARTING;
		n->ready_at = 0;
		ring_add(&n->journal, "%s systemd[1]: Started enclave.service.",
			 n->name);
	}
	memset(&ua, 0, sizeof(ua));
	ua.sun_family = AF_UNIX;
	snprintf(ua.sun_path, sizeof(ua.sun_path), "%s/control", dir);
	unlink(ua.sun_path);
	control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (control_fd < 0 ||
	    bind(control_fd, (struct sockaddr *)&ua, sizeof(ua)) < 0 ||
	    listen(control_fd, 64) < 0 || set_nonblock(control_fd) < 0) {
		fprintf(stderr, "bvsim: control socket %s: %s\n", ua.sun_path,
			strerror(errno));
		return 1;
	}
	if (write_ports(dir) < 0) {
		fprintf(stderr, "bvsim: cannot write %s/ports\n", dir);
		return 1;
	}
	flap_next = now_ms() + 15000;
	while (!stop_flag) {
		int64_t now = now_ms(), next = now + 250;
		int np = 0, wait;

		for (k = 0; k < nnodes; k++)
			node_tick(&nodes[k], now);
		if (flap_node >= 0 && now >= flap_next) {
			struct sim_node *n = &nodes[flap_node];

			/* Unhealthy for 8 s every 30 s: something to see. */
			n->fault =
			    n->fault == FAULT_503 ? FAULT_NONE : FAULT_503;
			flap_next =
			    now + (n->fault == FAULT_503 ? 8000 : 22000);
			ring_add(&n->journal, "%s tsm[1099]: %s", n->name,
				 n->fault == FAULT_503
				     ? "database connection lost, "
				       "answering 503"
				     : "database connection restored");
		}
		for (i = 0; i < nconns; i++) {
			struct sim_conn *c = &conns[i];

			if (c->answer_at != 0 && c->answer_at != INT64_MAX &&
			    now >= c->answer_at) {
				http_answer(c, c->answer_code);
				c->answer_at = 0;
			}
			if (c->answer_at != 0 && c->answer_at < next)
				next = c->answer_at;
		}
		control_flush();
		conns_compact();
		pfds = realloc(pfds,
			       (size_t)(nnodes + nconns + 1) * sizeof(*pfds));
		if (pfds == NULL)
			abort();
		pfds[np++] =
		    (struct pollfd){.fd = control_fd, .events = POLLIN};
		for (k = 0; k < nnodes; k++)
			pfds[np++] = (struct pollfd){.fd = nodes[k].listen_fd,
						     .events = POLLIN};
		for (i = 0; i < nconns; i++)
			pfds[np++] = (struct pollfd){.fd = conns[i].fd,
						     .events = POLLIN};
		wait = next > now ? (int)(next - now) : 0;
		if (poll(pfds, (nfds_t)np, wait) < 0 && errno != EINTR)
			break;
		if (pfds[0].revents & POLLIN) {
			int fd;

			while ((fd = accept4(control_fd, NULL, NULL,
					     SOCK_CLOEXEC | SOCK_NONBLOCK)) >=
			       0)
				conn_add(fd, CONN_CONTROL, -1);
		}
		for (k = 0; k < nnodes; k++) {
			int fd;

			if (!(pfds[1 + k].revents & POLLIN) ||
			    nodes[k].listen_fd < 0)
				continue;
			while ((fd = accept4(nodes[k].listen_fd, NULL, NULL,
					     SOCK_CLOEXEC | SOCK_NONBLOCK)) >=
			       0) {
				nodes[k].conns++;
				conn_add(fd, CONN_HTTP, k);
			}
		}
		/* Connections in pfds are the first np-1-nnodes of conns;
		 * walk backwards since reading may close (swap-remove). */
		for (i = np - 2 - nnodes; i >= 0; i--)
			if (i < nconns &&
			    (pfds[1 + nnodes + i].revents & (POLLIN | POLLHUP)))
				conn_read(i);
	}
	free(pfds);
	return 0;
}

static int ctl(const char *dir, int argc, char **argv)
{
	struct sockaddr_un ua;
	char line[1024] = "", buf[4096];
	int fd, k, status = 0;
	ssize_t r;
	bool first = true;

	memset(&ua, 0, sizeof(ua));
	ua.sun_family = AF_UNIX;
	snprintf(ua.sun_path, sizeof(ua.sun_path), "%s/control", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ua, sizeof(ua)) < 0) {
		fprintf(stderr, "bvsim: cannot reach the simulator at %s: %s\n",
			ua.sun_path, strerror(errno));
		return 1;
	}
	for (k = 0; k < argc; k++) {
		strncat(line, argv[k], sizeof(line) - strlen(line) - 2);
		strncat(line, k + 1 < argc ? " " : "\n",
			sizeof(line) - strlen(line) - 1);
	}
	if (write(fd, line, strlen(line)) < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if (first && r >= 6 && strncmp(buf, "error:", 6) == 0)
			status = 1;
		first = false;
		fwrite(buf, 1, (size_t)r, status ? stderr : stdout);
		fflush(status ? stderr : stdout);
	}
	close(fd);
	return status;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int base_port = 0, k;

	if (argc >= 4 && strcmp(argv[1], "ctl") == 0)
		return ctl(argv[2], argc - 3, argv + 3);
	if (argc < 2 || strcmp(argv[1], "serve") != 0) {
		fprintf(stderr, "usage: bvsim serve --dir DIR --nodes N "
				"[--base-port P] [--start-delay MS] "
				"[--flap NODE]\n"
				"       bvsim ctl DIR NODE VERB [ARG]\n");
		return 2;
	}
	nnodes = 3;
	for (k = 2; k + 1 < argc; k += 2) {
		if (strcmp(argv[k], "--dir") == 0)
			dir = argv[k + 1];
		else if (strcmp(argv[k], "--nodes") == 0)
			nnodes = atoi(argv[k + 1]);
		else if (strcmp(argv[k], "--base-port") == 0)
			base_port = atoi(argv[k + 1]);
		else if (strcmp(argv[k], "--start-delay") == 0)
			start_delay_ms = atoi(argv[k + 1]);
		else if (strcmp(argv[k], "--flap") == 0)
			flap_node = atoi(argv[k + 1]);
	}
	if (dir == NULL || nnodes < 1 || nnodes > 20000) {
		fprintf(stderr, "bvsim: need --dir and 1..20000 --nodes\n");
		return 2;
	}
	nodes = calloc((size_t)nnodes, sizeof(*nodes));
	if (nodes == NULL)
		return 1;
	k = serve(dir, base_port);
	for (int i = 0; i < nconns; i++)
		close(conns[i].fd);
	free(conns);
	free(nodes);
	return k;
}
