/* bvops logs NODE: a node's journal or enclave console on stdout. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/logring.h"
#include "lib/sanitize.h"
#include "lib/xalloc.h"
#include "state/fleet.h"
#include "state/marks.h"
#include "state/statedir.h"
#include "transport/transport.h"

/* Without --follow: lines stop coming for this long, and we print. */
#define LOGS_QUIET_MS 700
/* ...and a source that says nothing at all gets this long once it runs
 * (a slow link or a busy node takes a while for its first line). */
#define LOGS_FIRST_LINE_MS 3000
#define LOGS_MAX_WAIT_MS   10000

static volatile sig_atomic_t logs_stop;

static void logs_on_signal(int sig)
{
	(void)sig;
	logs_stop = 1;
}

struct logs_state {
	struct logring ring; /* without --follow: the newest lines */
	int64_t last_line_at;
	uint64_t lines; /* seen so far */
	bool follow;
};

static void logs_print(FILE *out, const char *line, size_t len, bool cut)
{
	char *clean = xmalloc(len + 1);

	/* Sanitized text is never longer than the input. */
	sanitize_text(line, len, clean, len + 1, false);
	fputs(clean, out);
	if (!cut)
		fputc('\n', out);
	free(clean);
}

/* transport_line_fn: print (follow) or keep the newest (tail). */
static void logs_on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct logs_state *st = ctx;

	st->last_line_at = clock_mono_ms();
	st->lines++;
	if (st->follow) {
		logs_print(stdout, line, len, cut);
		fflush(stdout);
		return;
	}
	logring_push(&st->ring, clock_now_ms(), LOGRING_LINE, line, len, cut);
}

/*
 * --since-debug: what the node's console printed since debug mode was
 * entered, from the record a watch or a console kept (the last recording
 * in STATE/debug/NODE.console.log), sanitized. 0, or an exit code.
 */
static int logs_since_debug(const struct fleet *f, const char *node)
{
	char msg[512], *dir = statedir_path(f->name, NULL), *path, *text;
	const char *from, *p;
	size_t len;

	path = marks_debug_record_path(dir, node);
	text = buf_read_whole(path, (size_t)64 << 20, &len, msg, sizeof(msg));
	if (text == NULL) {
		fprintf(stderr,
			"bvops: no console record for %s (%s): one is kept "
			"from debug enter to debug exit while a bvops watch "
			"or console of the fleet runs\n",
			node, path);
		free(path);
		free(dir);
		return CLI_EXIT_NOT_OK;
	}
	/* The last recording: from its first line on. */
	from = text;
	for (p = text; (p = strstr(p, " -- recording ")) != NULL; p++) {
		const char *bol = p;

		while (bol > text && bol[-1] != '\n')
			bol--;
		from = bol;
	}
	for (p = from; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);

		logs_print(stdout, p, n, false);
		p += n + (nl ? 1 : 0);
	}
	free(text);
	free(path);
	free(dir);
	return CLI_EXIT_OK;
}

static int logs_usage(const char *why)
{
	cmd_error("%s", why);
	return CMD_BAD_ARGS;
}

int cmd_logs(const struct cli_opts *o, int argc, char **argv)
{
	const char *node_name = NULL;
	enum fleet_cmd source = FLEET_CMD_JOURNAL;
	bool follow = false, since_debug = false;
	long lines = 10;
	struct logs_state st = {0};
	const struct fleet_node *node;
	struct fleet *f;
	struct transport *t;
	int k, rc = CLI_EXIT_OK, backoff = 1;
	char msg[512];
	const char *src = "journal";
	const struct cliarg opts[] = {
	    {"--follow", CLIARG_FLAG, &follow, 0, 0},
	    {"--source", CLIARG_STRING, &src, 0, 0},
	    {"--lines", CLIARG_COUNT, &lines, 1, 1000000},
	    {"--since-debug", CLIARG_FLAG, &since_debug, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	if (cliargs_parse(argc, argv, opts, &node_name, 1, msg, sizeof(msg)) <
	    0)
		return logs_usage(msg);
	if (strcmp(src, "journal") == 0)
		source = FLEET_CMD_JOURNAL;
	else if (strcmp(src, "console") == 0)
		source = FLEET_CMD_CONSOLE;
	else
		return logs_usage("--source is journal or console");
	if (node_name == NULL)
		return logs_usage("logs needs a NODE");
	rc = cmd_fleet_node(o, node_name, &f, &node);
	if (rc != 0)
		return rc;
	if (since_debug) {
		if (source != FLEET_CMD_CONSOLE || follow) {
			fleet_free(f);
			return logs_usage("--since-debug goes with --source "
					  "console, without --follow");
		}
		rc = logs_since_debug(f, node->name);
		fleet_free(f);
		return rc;
	}
	/* The newest N lines, whatever their size (up to the default
	 * byte bound). */
	logring_init(&st.ring, (size_t)lines, 0);
	st.follow = follow;
	signal(SIGINT, logs_on_signal);
	signal(SIGTERM, logs_on_signal);
	signal(SIGPIPE, SIG_IGN);
	t = transport_new(f);
	while (!logs_stop) {
		struct transport_stream *s =
		    transport_stream_open(t, node, source, msg, sizeof(msg));
		int64_t started = clock_mono_ms();
		int status, state = 0;
		bool running = false;
		int64_t running_at = 0;
		uint64_t lines_before = st.lines;

		if (s == NULL) {
			cmd_error("%s", msg);
			rc = node->transport == FLEET_TRANSPORT_NONE
				 ? CLI_EXIT_USAGE
				 : CLI_EXIT_REMOTE;
			break;
		}
		st.last_line_at = started;
		while (!logs_stop && state == 0) {
			short events;
			struct pollfd p = {
			    .fd = transport_stream_poll(s, &events)};
			int64_t now = clock_mono_ms();

			/* Quiet counts from when the command runs:
			 * connecting over ssh has its own timeout. */
			if (!running && transport_stream_running(s)) {
				running = true;
				running_at = now;
			}
			if (!follow && running && st.lines > lines_before &&
			    now - st.last_line_at >= LOGS_QUIET_MS)
				break;
			if (!follow && running && st.lines == lines_before &&
			    now - running_at >= LOGS_FIRST_LINE_MS)
				break;
			if (!follow && now - started >= LOGS_MAX_WAIT_MS)
				break;
			p.events = events;
			if (poll(&p, p.fd >= 0 ? 1 : 0, 100) < 0 &&
			    errno != EINTR)
				break;
			state = transport_stream_read(s, logs_on_line, &st);
		}
		if (state < 0) {
			const char *key = transport_stream_passphrase_key(s);

			fprintf(stderr, "bvops: %s\n",
				transport_stream_error(s));
			if (key != NULL) {
				char prompt[600], pass[512];

				snprintf(prompt, sizeof(prompt),
					 "Passphrase for %s: ", key);
				if (cmd_prompt_secret(prompt, pass,
						      sizeof(pass)) == 0) {
					transport_set_passphrase(t, key, pass);
					memset(pass, 0, sizeof(pass));
					transport_stream_close(s);
					continue;
				}
			}
			if (transport_stream_permanent(s) || !follow) {
				transport_stream_close(s);
				rc = CLI_EXIT_REMOTE;
				break;
			}
		}
		status = transport_stream_close(s);
		if (!follow) {
			if (state == 1 && status != 0) {
				fprintf(stderr,
					"bvops: %s: the %s command failed "
					"(exit %d)\n",
					node->name, fleet_cmd_name(source),
					status);
				rc = CLI_EXIT_REMOTE;
			}
			break;
		}
		if (logs_stop)
			break;
		/* The console ends whenever the enclave restarts and links
		 * drop: come back, and say that lines may be missing. */
		if (state >= 0)
			fprintf(stderr,
				"bvops: %s %s ended (exit %d); reconnecting in "
				"%d s\n",
				node->name, fleet_cmd_name(source), status,
				backoff);
		else
			fprintf(stderr, "bvops: reconnecting in %d s\n",
				backoff);
		for (k = 0; k < backoff * 10 && !logs_stop; k++)
			poll(NULL, 0, 100);
		backoff = backoff < 8 ? backoff * 2 : 10;
		if (!logs_stop)
			printf("-- %s %s reconnected; lines may be missing "
			       "--\n",
			       node->name, fleet_cmd_name(source));
	}
	transport_free(t);
	/* What a failed command said explains it: on stderr. The ring has
	 * sanitized the lines already. */
	for (uint64_t q = logring_first(&st.ring); q < st.ring.total; q++) {
		const struct logring_line *l = logring_at(&st.ring, q);
		FILE *out = rc == CLI_EXIT_OK ? stdout : stderr;

		fwrite(l->text, 1, l->len, out);
		if (!l->cut)
			fputc('\n', out);
	}
	logring_free(&st.ring);
	fleet_free(f);
	return rc;
}
