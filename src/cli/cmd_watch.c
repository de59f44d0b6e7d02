/*
 * bvops watch: the engine without the screen, for systemd on a
 * monitoring host or on a node (docs/watch.md). Health checks, alerts,
 * auto-restart, one event per line on stdout; SIGTERM/SIGINT end it
 * cleanly, SIGHUP reloads the fleet file (a bad file keeps the old one).
 */
#include <cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "engine/engine.h"
#include "engine/health.h"
#include "engine/incident.h"
#include "engine/logstream.h"
#include "engine/metricpub.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "engine/watchdog.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "proc/awswork.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/statedir.h"
#include "transport/transport.h"

/* At exit, alerts still being delivered get this long. */
#define WATCH_DRAIN_MS 3000

struct watch_out {
	pthread_mutex_t lock; /* the engine thread and main both print */
	bool json;
	bool journal; /* stdout is journald's stream: lines carry <N> */
};

/*
 * Whether stdout is the journal's stream (systemd sets JOURNAL_STREAM to
 * its "device:inode"): then each line starts with its syslog priority,
 * which journald takes off and records (journalctl -p warning).
 */
static bool watch_stdout_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(STDOUT_FILENO, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

/* An event's syslog priority, from its kind: err for what needs an
 * operator, warning for a node in trouble, notice for one back. */
static int watch_priority(const char *json)
{
	static const struct {
		const char *kind;
		int prio;
	} prios[] = {
	    {"many_down", 3},
	    {"restart_failed", 3},
	    {"restart_gave_up", 3},
	    {"start_limit", 3},
	    {"log_error", 3},
	    {"down", 4},
	    {"flapping", 4},
	    {"grouped", 4},
	    {"debug_mode", 4},
	    {"ers_active", 4},
	    {"restart_attempt", 4},
	    {"restart_held", 4},
	    {"up", 5},
	    {"restart_done", 5},
	    {"reload", 5},
	    {"procedure_orphaned", 3},
	};
	cJSON *j = cJSON_Parse(json);
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(j, "kind"));
	const cJSON *ok = cJSON_GetObjectItem(j, "ok");
	int prio = 6;
	size_t k;

	for (k = 0; kind != NULL && k < sizeof(prios) / sizeof(prios[0]); k++)
		if (strcmp(kind, prios[k].kind) == 0)
			prio = prios[k].prio;
	if (cJSON_IsFalse(ok) && prio > 3)
		prio = 3;
	cJSON_Delete(j);
	return prio;
}

static void watch_print(void *ctx, const char *json, const char *text,
			bool quiet)
{
	struct watch_out *o = ctx;
	char prefix[8] = "";

	(void)quiet; /* every line is shown; paging is the watchdog's */
	if (o->journal)
		snprintf(prefix, sizeof(prefix), "<%d>", watch_priority(json));
	pthread_mutex_lock(&o->lock);
	printf("%s%s\n", prefix, o->json ? json : text);
	fflush(stdout);
	pthread_mutex_unlock(&o->lock);
}

/* A line of watch's own (started, reloaded, stopped). */
static void watch_say(struct watch_out *o, const char *kind, bool ok,
		      const char *fleet, const char *message)
{
	cJSON *j = cJSON_CreateObject();
	char *json, *text;

	cJSON_AddStringToObject(j, "kind", kind);
	cJSON_AddStringToObject(j, "fleet", fleet);
	cJSON_AddBoolToObject(j, "ok", ok);
	cJSON_AddStringToObject(j, "message", message);
	json = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (json == NULL)
		abort(); /* cJSON only fails for want of memory */
	text = xasprintf("%s %s: %s", fleet, kind, message);
	watch_print(o, json, text, false);
	free(json);
	free(text);
}

/* One fleet's engine: everything that runs between two reloads. */
struct watch_engine {
	struct fleet *f;
	struct engine *engine;
	struct metricpub *pub; /* NULL without [metrics] */
	struct awswork *aws;   /* the shared state and the key policies */
	int lock_fd;           /* watch.lock, held while it runs; -1 */
	char *state_dir;
	struct watch_out *out;
};

/* After each turn of the engine: say a failure to write an incident. */
static void watch_after_step(void *ctx, struct engine *engine)
{
	struct watch_engine *e = ctx;
	const char *err = engine->inc ? incidents_error(engine->inc) : "";

	if (err[0])
		watch_say(e->out, "log_error", false, e->f->name, err);
}

/* How publishing to CloudWatch goes (the publisher's thread). */
static void watch_metrics_report(void *ctx, bool ok, const char *message)
{
	struct watch_engine *e = ctx;

	watch_say(e->out, "metrics", ok, e->f->name, message);
}

static int watch_engine_start(struct watch_engine *e, struct watch_out *o,
			      char *msg, size_t msgsize)
{
	struct engine_opts eo = {0};

	e->out = o;
	e->lock_fd = -1;
	e->state_dir = statedir_open(e->f->name, msg, msgsize);
	if (e->state_dir == NULL)
		watch_say(o, "log_error", false, e->f->name, msg);
	eo.state_dir = e->state_dir;
	eo.watch = true;
	eo.print = watch_print;
	eo.print_ctx = o;
	eo.after_step = watch_after_step;
	eo.after_ctx = e;
	e->engine = engine_new(e->f, &eo, msg, msgsize);
	if (e->engine == NULL)
		return -1;
	/* Consoles on this host leave incidents to this watch. */
	if (e->state_dir != NULL) {
		e->lock_fd = incidents_watch_lock(e->state_dir);
		if (e->lock_fd < 0)
			watch_say(o, "warning", false, e->f->name,
				  "another bvops watch of this fleet runs on "
				  "this host");
	}
	if (engine_start(e->engine, msg, msgsize) < 0)
		return -1;
	e->pub = metricpub_start(e->f, e->engine->m, watch_metrics_report, e);
	/* Another operator's holds, debug sessions and open procedures,
	 * seen within seconds: the engine reads this host's copy. */
	if (e->state_dir != NULL)
		e->aws = awswork_start(
		    e->f, &(struct awswork_opts){.state_dir = e->state_dir});
	return 0;
}

static void watch_engine_stop(struct watch_engine *e)
{
	awswork_stop(e->aws);
	metricpub_stop(e->pub);
	if (e->engine != NULL)
		engine_stop(e->engine, WATCH_DRAIN_MS);
	engine_free(e->engine);
	if (e->lock_fd >= 0)
		close(e->lock_fd);
	free(e->state_dir);
	{
		struct fleet *f = e->f; /* the caller's to free */

		memset(e, 0, sizeof(*e));
		e->f = f;
	}
}

int cmd_watch(const struct cli_opts *o, int argc, char **argv)
{
	struct watch_out out = {.json = o->json,
				.journal = watch_stdout_is_journal()};
	struct watch_engine e = {0};
	sigset_t sigs;
	char msg[1024], line[200];
	int sig = 0, rc = CLI_EXIT_OK;

	rc = cmd_fleet_no_args(o, argc, argv, &e.f);
	if (rc != CLI_EXIT_OK)
		return rc;
	pthread_mutex_init(&out.lock, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Signals wait for sigwait here: every thread started after this
	 * inherits the mask, so none of them is interrupted. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (watch_engine_start(&e, &out, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		watch_engine_stop(&e);
		fleet_free(e.f);
		return CLI_EXIT_REMOTE;
	}
	snprintf(line, sizeof(line), "watching %zu nodes", e.f->nnodes);
	watch_say(&out, "started", true, e.f->name, line);
	while (sigwait(&sigs, &sig) == 0) {
		struct fleet *nf;
		struct fleet_diags diags;
		char *path;

		if (sig != SIGHUP)
			break;
		path = fleet_path_resolve(o->fleet_path);
		nf = fleet_load(path, &diags);
		if (nf == NULL) {
			snprintf(msg, sizeof(msg),
				 "%s is not valid, still watching the fleet "
				 "as it was: %s",
				 path, diags.n ? diags.lines[0] : "");
			watch_say(&out, "reload", false, e.f->name, msg);
			fleet_diags_free(&diags);
			free(path);
			continue;
		}
		fleet_diags_free(&diags);
		watch_engine_stop(&e);
		fleet_free(e.f);
		e.f = nf;
		if (watch_engine_start(&e, &out, msg, sizeof(msg)) < 0) {
			cmd_error("%s", msg);
			rc = CLI_EXIT_REMOTE;
			free(path);
			break;
		}
		snprintf(msg, sizeof(msg), "%s reloaded: watching %zu nodes",
			 path, e.f->nnodes);
		watch_say(&out, "reload", true, e.f->name, msg);
		free(path);
	}
	watch_engine_stop(&e);
	if (rc == CLI_EXIT_OK)
		watch_say(&out, "stopped", true, e.f->name,
			  sig == SIGINT ? "interrupted" : "terminated");
	fleet_free(e.f);
	pthread_mutex_destroy(&out.lock);
	return rc;
}
