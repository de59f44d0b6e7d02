/* bvops (no command): load the fleet, then hand it to the console. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/awscred.h"
#include "aws/awstrace.h"
#include "cli/cmd.h"
#include "engine/alertbox.h"
#include "engine/engine.h"
#include "engine/incident.h"
#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "engine/watchdog.h"
#include "lib/xalloc.h"
#include "proc/awswork.h"
#include "proc/cfgedit.h"
#include "proc/debugmode.h"
#include "proc/doctor.h"
#include "proc/ers.h"
#include "proc/prockind.h"
#include "proc/shared.h"
#include "state/ersfrag.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/marks.h"
#include "state/procjournal.h"
#include "state/statedir.h"
#include "state/theme.h"
#include "transport/transport.h"
#include "ui/console.h"

#ifndef BVOPS_DATADIR
#define BVOPS_DATADIR "/usr/local/share/bvops"
#endif

/*
 * Where themes are looked for after the user's own folder: beside the
 * binary as installed (PREFIX/bin/bvops finds PREFIX/share/bvops/themes
 * whatever PREFIX the build was given, DESTDIR staging included), in a
 * source tree (build/bvops and build/asan/bvops both reach themes/), then
 * the data folder of the build. Fills dirs (NULL-terminated) with strings
 * the caller frees.
 */
static void cmd_theme_dirs(char *dirs[5])
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int k = 0;

	memset(dirs, 0, 5 * sizeof(*dirs));
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			dirs[k++] = xasprintf("%s/../share/bvops/themes", exe);
			dirs[k++] = xasprintf("%s/../themes", exe);
			dirs[k++] = xasprintf("%s/../../themes", exe);
		}
	}
	dirs[k] = xstrdup(BVOPS_DATADIR "/themes");
}

/* How long a procedure from the console waits for a node's /ping after
 * a restart, and for it to stop (ERS); the wizard counts them down. */
#define CONSOLE_WAIT_MS      180000
#define CONSOLE_STOP_WAIT_MS 60000

/* The console's procedures ('e', and r/b/a in P), in a wizard. */
struct console_edit {
	const struct fleet *f;
	const char *state_dir;
};

/* What the procedure's callbacks reach: the wizard, and the editor. */
struct console_wz {
	struct wizard *w;
	int (*edit)(void *ctx, const char *path, char *msg, size_t msgsize);
	char id[200];
};

static int cwz_edit(void *ctx, const char *path, char *msg, size_t msgsize)
{
	struct console_wz *z = ctx;
	int rc;

	wizard_say(z->w, "(the editor has the screen)");
	wizard_suspend(z->w);
	rc = z->edit(NULL, path, msg, msgsize);
	wizard_resume(z->w);
	return rc;
}

static int cwz_ask(void *ctx, const char *question)
{
	struct console_wz *z = ctx;

	return wizard_ask(z->w, question);
}

static int cwz_ask_line(void *ctx, const char *question, char *out, size_t size)
{
	struct console_wz *z = ctx;

	return wizard_ask_line(z->w, question, out, size);
}

static void cwz_say(void *ctx, const char *text)
{
	struct console_wz *z = ctx;

	wizard_say(z->w, text);
}

static void cwz_tick(void *ctx)
{
	struct console_wz *z = ctx;

	wizard_tick(z->w);
}

/* The wizard's countdowns: the waits a console procedure makes. */
static void cwz_limits(struct wizard *w)
{
	wizard_set_limit(w, "wait", CONSOLE_WAIT_MS);
	wizard_set_limit(w, "stop", CONSOLE_STOP_WAIT_MS);
}

static void cwz_started(void *ctx, const char *id, const char *lock)
{
	struct console_wz *z = ctx;

	if (id != z->id) /* a resume is handed our own copy */
		snprintf(z->id, sizeof(z->id), "%s", id);
	wizard_set_journal(z->w, z->id);
	wizard_set_lock(z->w, lock);
	wizard_set_running(z->w, true);
}

static void cwz_ui(struct console_wz *z, struct wizard *w,
		   struct cfgedit_ui *ui)
{
	cmd_procedure_ui(ui); /* the operator's editor */
	z->w = w;
	z->edit = ui->edit;
	ui->ctx = z;
	ui->edit = cwz_edit;
	ui->ask = cwz_ask;
	ui->ask_line = cwz_ask_line;
	ui->say = cwz_say;
	ui->started = cwz_started;
	ui->tick = cwz_tick;
	ui->console = true;
	cwz_limits(w);
	ui->colour = false; /* the wizard colours the diff itself */
}

/* Is journal id still open (not ended)? */
static bool cwz_open(const char *state_dir, const char *id)
{
	struct procjournal_view v;
	char msg[300];
	bool open;

	if (id[0] == '\0' ||
	    procjournal_read(state_dir, id, &v, msg, sizeof(msg)) < 0)
		return false;
	open = v.outcome == NULL;
	procjournal_view_free(&v);
	return open;
}

static void cwz_dsay(void *ctx, const char *text);
static int cwz_dask(void *ctx, const char *question, char *out, size_t size);
static void cwz_dstarted(void *ctx, const char *id);
static void cwz_dtick(void *ctx);

/* The wizard as a procedure's operator (procedure.h). */
static void cwz_procedure_ui(struct wizard *w, struct procedure_ui *ui)
{
	*ui = (struct procedure_ui){.ctx = w,
				    .say = cwz_dsay,
				    .ask_line = cwz_dask,
				    .started = cwz_dstarted,
				    .tick = cwz_dtick,
				    .colour = false,
				    .console = true};
	cwz_limits(w);
}

/* One of the three ways on for an open procedure, by its kind's own
 * steps (prockind.h). */
static int cwz_act(struct console_edit *e, struct console_wz *z,
		   struct cfgedit_ui *ui, int action, char *msg, size_t msgsize)
{
	struct procedure_ui pui;
	struct prockind_run r = {.f = e->f,
				 .state_dir = e->state_dir,
				 .id = z->id,
				 .wait_ms = CONSOLE_WAIT_MS,
				 .edit_ui = ui,
				 .ui = &pui};
	const struct prockind *pk;
	char err[600];

	cwz_procedure_ui(z->w, &pui);
	wizard_set_lock(z->w, "taking it");
	pk = prockind_of(e->state_dir, z->id, err, sizeof(err));
	if (action == 'a') {
		if (wizard_ask(z->w, "Abandon it, leaving things as they are "
				     "(recorded)? [y/N] ") != 'y') {
			snprintf(msg, msgsize, "not abandoned");
			return CLI_EXIT_NOT_OK;
		}
		return pk != NULL ? pk->abandon(&r, msg, msgsize)
				  : prockind_abandon(&r, msg, msgsize);
	}
	if (pk == NULL) {
		snprintf(msg, msgsize, "%s", err);
		return CLI_EXIT_USAGE;
	}
	return pk->proceed(&r, action == 'b', msg, msgsize);
}

/* Until the procedure has ended or the operator leaves it open: say how
 * the last run went and offer retry, rollback, abandon. */
static void cwz_finish(struct console_edit *e, struct console_wz *z,
		       struct cfgedit_ui *ui, int rc, char *msg, size_t msgsize)
{
	for (;;) {
		int k;

		wizard_set_running(z->w, false);
		if (rc != CLI_EXIT_OK && msg[0])
			wizard_say(z->w, msg);
		wizard_set_lock(z->w, "let go");
		if (!cwz_open(e->state_dir, z->id)) {
			wizard_ask(z->w, rc == CLI_EXIT_OK
					     ? "Finished. Enter: back to the "
					       "console"
					     : "Stopped (the log says why). "
					       "Enter: back to the console");
			return;
		}
		k = wizard_ask(z->w, "The procedure is open: r retry, b roll "
				     "back, a abandon, q leave it open");
		if (k != 'r' && k != 'b' && k != 'a')
			return;
		msg[0] = '\0';
		rc = cwz_act(e, z, ui, k, msg, msgsize);
	}
}

static void console_edit_config(void *ctx, size_t node, struct wizard *w)
{
	struct console_edit *e = ctx;
	struct cfgedit_opts co = {.wait_ms = CONSOLE_WAIT_MS};
	struct console_wz z = {0};
	struct cfgedit_ui ui;
	char msg[2048] = "";
	int rc;

	cwz_ui(&z, w, &ui);
	if (e->state_dir == NULL) {
		snprintf(msg, sizeof(msg),
			 "no state folder: no journal, so no edit");
		rc = CLI_EXIT_USAGE;
	} else {
		rc = cfgedit_run(e->f, &e->f->nodes[node], e->state_dir, &co,
				 &ui, msg, sizeof(msg));
	}
	cwz_finish(e, &z, &ui, rc, msg, sizeof(msg));
}

/* The procedures view's r/b/a: as bvops procedure resume/rollback/abandon
 * would. */
static void console_run_procedure(void *ctx, const char *id, int action,
				  struct wizard *w)
{
	struct console_edit *e = ctx;
	struct console_wz z = {0};
	struct cfgedit_ui ui;
	char msg[2048] = "";
	int rc;

	cwz_ui(&z, w, &ui);
	snprintf(z.id, sizeof(z.id), "%s", id);
	if (e->state_dir == NULL) {
		rc = CLI_EXIT_USAGE;
		snprintf(msg, sizeof(msg), "no state folder");
	} else {
		rc = cwz_act(e, &z, &ui, action, msg, sizeof(msg));
	}
	cwz_finish(e, &z, &ui, rc, msg, sizeof(msg));
}

/* D and X: debug mode entered or left, in the wizard. */
static void cwz_dsay(void *ctx, const char *text)
{
	wizard_say(ctx, text);
}

static int cwz_dask(void *ctx, const char *question, char *out, size_t size)
{
	return wizard_ask_line(ctx, question, out, size);
}

static void cwz_dstarted(void *ctx, const char *id)
{
	wizard_set_journal(ctx, id);
	wizard_set_lock(ctx, "yours while it runs");
	wizard_set_running(ctx, true);
}

static void cwz_dtick(void *ctx)
{
	wizard_tick(ctx);
}

static bool console_debug_mode(void *ctx, size_t node, bool enter,
			       struct wizard *w)
{
	struct console_edit *e = ctx;
	struct debugmode_opts o = {.wait_ms = CONSOLE_WAIT_MS};
	struct procedure_ui ui;
	const struct fleet_node *n = &e->f->nodes[node];
	char msg[2048] = "", id[200];
	int64_t since;
	int rc;

	cwz_procedure_ui(w, &ui);
	if (e->state_dir == NULL) {
		rc = CLI_EXIT_USAGE;
		snprintf(msg, sizeof(msg), "no state folder: no journal");
	} else if (enter) {
		rc = debugmode_enter(e->f, n, e->state_dir, &o, &ui, NULL, msg,
				     sizeof(msg));
	} else {
		rc = debugmode_exit(e->f, n, e->state_dir, &o, &ui, msg,
				    sizeof(msg));
	}
	wizard_set_running(w, false);
	if (rc != CLI_EXIT_OK && msg[0])
		wizard_say(w, msg);
	wizard_set_lock(w, "let go");
	wizard_ask(w, rc == CLI_EXIT_OK
			  ? "Finished. Enter: back to the console"
			  : "Stopped (the log says why; P: the procedures). "
			    "Enter: back to the console");
	return e->state_dir != NULL &&
	       marks_debug_get(e->state_dir, n->name, &since, id, sizeof(id));
}

/* d in a node's details: bvops doctor, in the wizard. */
static void console_doctor(void *ctx, size_t node, struct wizard *w)
{
	struct console_edit *e = ctx;
	const struct fleet_node *n = &e->f->nodes[node];
	struct doctor_report r;
	struct transport *t = transport_new(e->f);
	char region[64] = "", msg[1024];
	int rc;

	if (awscred_region(e->f->region, region, sizeof(region), msg,
			   sizeof(msg)) < 0)
		region[0] = '\0';
	wizard_say(w, "Running the node's doctor command (it changes "
		      "nothing)...");
	rc = doctor_run(t, e->f, n, region, &r, msg, sizeof(msg));
	transport_free(t);
	if (rc < 0) {
		wizard_say(w, msg);
		wizard_ask(w, "Stopped. Enter: back to the details");
		return;
	}
	{
		char *text = doctor_report_text(&r);

		wizard_say(w, text);
		free(text);
	}
	doctor_report_free(&r);
	wizard_ask(w, "Enter: back to the details");
}

/*
 * V: the ERS rollout in the wizard. Apply (a preset or a fragment file)
 * when bvops recorded none, revert when it did; the plan, the typed
 * fleet name, the steps' cells; on a failure r retry, b roll back, a
 * abandon, as for every procedure.
 */
/* The ERS fragment, asked for: a preset or a file into o (file holds
 * its path). false when the operator went back. */
static bool cwz_fragment(struct wizard *w, struct ers_opts *o, char *file,
			 size_t size)
{
	int k = wizard_ask(w, "1 enable-ers-export (older TSM), 2 "
			      "generate-recovery-data (v72-style), f a "
			      "fragment file, q back");

	if (k == '1' || k == '2')
		o->preset = ersfrag_preset_names[k - '1'];
	else if (k == 'f' &&
		 wizard_ask_line(w, "Fragment file: ", file, size) == 0 &&
		 file[0] != '\0')
		o->fragment = file;
	else
		return false;
	return true;
}

static void console_ers(void *ctx, struct wizard *w)
{
	struct console_edit *e = ctx;
	struct ers_opts o = {.wait_ms = CONSOLE_WAIT_MS,
			     .stop_wait_ms = CONSOLE_STOP_WAIT_MS};
	struct procedure_ui ui;
	struct console_wz z = {0};
	struct cfgedit_ui cui;
	char msg[8192] = "", file[1024];
	char *id = NULL;
	int64_t since;
	bool active, apply;
	int rc, k;

	cwz_procedure_ui(w, &ui);
	cwz_ui(&z, w, &cui);
	if (e->state_dir == NULL) {
		wizard_ask(w, "No state folder: no journal, so no rollout. "
			      "Enter: back");
		return;
	}
	active = marks_ers_count(e->state_dir, &since) > 0;
	wizard_say(w, active ? "bvops left the ERS configuration on this "
			       "fleet's nodes: revert takes out exactly what "
			       "it added."
			     : "No ERS configuration recorded on this fleet: "
			       "apply adds it to every node (static and "
			       "dynamic), all of them stopped first.");
	k = wizard_ask(w, active ? "r revert, a apply again, q back"
				 : "a apply, r revert one made by hand, q "
				   "back");
	if (k != 'a' && k != 'r')
		return;
	apply = k == 'a';
	if ((apply || !active) && !cwz_fragment(w, &o, file, sizeof(file)))
		return;
	rc = apply
		 ? ers_apply(e->f, e->state_dir, &o, &ui, &id, msg, sizeof(msg))
		 : ers_revert(e->f, e->state_dir, &o, &ui, &id, msg,
			      sizeof(msg));
	if (!apply && active && rc == PROC_REFUSED &&
	    strstr(msg, "no ERS apply by bvops to revert") != NULL) {
		/* Marked on, yet no apply recorded to take out: what was
		 * added is named by the operator, as for one made by hand. */
		wizard_say(w, "No ERS apply is recorded to take out: name what "
			      "was added.");
		if (cwz_fragment(w, &o, file, sizeof(file))) {
			msg[0] = '\0';
			rc = ers_revert(e->f, e->state_dir, &o, &ui, &id, msg,
					sizeof(msg));
		}
	}
	if (id != NULL)
		snprintf(z.id, sizeof(z.id), "%s", id);
	free(id);
	cwz_finish(e, &z, &cui, rc, msg, sizeof(msg));
}

/* The console's --debug trace: appended to path (0600). */
static FILE *console_trace_open(const char *path)
{
	int fd = open(
	    path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	return fd >= 0 ? fdopen(fd, "a") : NULL;
}

int cmd_console(const struct cli_opts *o, int argc, char **argv)
{
	struct engine_opts eo = {0};
	struct engine *engine;
	struct console_edit edit;
	char *save_dir, *state_dir;
	struct console_options co = {0};
	struct theme theme;
	char msg[1024], *dirs[5], *trace_path = NULL;
	FILE *trace = NULL;
	struct fleet *f;
	int rc, k;

	rc = cmd_fleet_no_args(o, argc, argv, &f);
	if (rc != CLI_EXIT_OK)
		return rc;
	cmd_theme_dirs(dirs);
	rc = theme_load(o->theme ? o->theme : "dark", (const char *const *)dirs,
			&theme, msg, sizeof(msg));
	for (k = 0; k < 5; k++)
		free(dirs[k]);
	if (rc < 0 && o->theme != NULL) {
		cmd_error("%s", msg);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	/* Without --theme a missing default is no error: draw in mono. */
	co.theme = rc == 0 ? &theme : NULL;
	co.read_only = o->read_only || f->read_only;
	/* Incidents are recorded here unless a watch on this host does. */
	state_dir = statedir_open(f->name, msg, sizeof(msg));
	co.alerts = alertbox_new();
	eo.state_dir = state_dir;
	eo.print = alertbox_push;
	eo.print_ctx = co.alerts;
	engine = engine_new(f, &eo, msg, sizeof(msg));
	if (engine == NULL) {
		cmd_error("%s", msg);
		alertbox_free(co.alerts);
		free(state_dir);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	co.state_dir = state_dir;
	edit.f = f;
	edit.state_dir = state_dir;
	co.edit_config = console_edit_config;
	co.run_procedure = console_run_procedure;
	co.debug_mode = console_debug_mode;
	co.ers = console_ers;
	co.doctor = console_doctor;
	co.edit_ctx = &edit;
	if (engine_start(engine, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		rc = CLI_EXIT_REMOTE;
	} else {
		save_dir = statedir_path(f->name, "logs");
		co.ls = engine->ls;
		co.acts = engine->acts;
		co.save_dir = save_dir;
		/* The fleet's folder, and only one that passed its checks. */
		co.holds_dir = state_dir;
		/* A fleet without a shared state says so on every screen at
		 * once (one with one is looked at by the worker). */
		if (state_dir != NULL && !shared_wanted(f))
			shared_sync(f, state_dir, msg, sizeof(msg));
		/* --debug: curses owns the screen, so the trace goes to a
		 * file of the state folder. */
		if (o->debug && state_dir != NULL) {
			trace_path = xasprintf("%s/aws-debug.log", state_dir);
			trace = console_trace_open(trace_path);
			awstrace_set(trace);
		}
		co.aws = awswork_start(
		    f, &(struct awswork_opts){.state_dir = state_dir,
					      .nitro = true,
					      .access = true});
		rc = console_run(f, engine->m, &co) == 0 ? CLI_EXIT_OK
							 : CLI_EXIT_USAGE;
		awswork_stop(co.aws);
		free(save_dir);
	}
	engine_free(engine);
	if (trace != NULL) {
		awstrace_set(NULL);
		fclose(trace);
		fprintf(stderr, "bvops: the AWS requests traced are in %s\n",
			trace_path);
	}
	free(trace_path);
	free(state_dir);
	alertbox_free(co.alerts);
	fleet_free(f);
	return rc;
}
