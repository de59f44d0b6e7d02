/*
 * The procedure engine with fake steps that leave marker files: a crash
 * (the process gone at once, as with kill -9) after every single journal
 * record in turn, and between every action and its record; then resume
 * and rollback must each reach the right end state. Also a failure
 * part-way, and the bound on parallel nodes.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc/procedure.h"

#define NNODES 3

static const char *const fake_nodes[NNODES] = {"node-0", "node-1", "node-2"};

struct fake {
	char dir[64]; /* the markers and the state dir */
	int crash_at; /* die at this event (0: never) */
	int events;   /* records written and actions taken */
	int inflight, max_inflight;
	pthread_mutex_t mu;
};

static void fake_event(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	if (++f->events == f->crash_at)
		/* Gone, as after a kill -9: no cleanup, and (under
		 * valgrind) no leak check of a child stopped mid-step. */
		kill(getpid(), SIGKILL);
	pthread_mutex_unlock(&f->mu);
}

static void fake_path(const struct fake *f, const char *node, const char *what,
		      char *out, size_t size)
{
	snprintf(out, size, "%s/%s.%s", f->dir, node, what);
}

static bool fake_has(const struct fake *f, const char *node, const char *what)
{
	char p[320];

	fake_path(f, node, what, p, sizeof(p));
	return access(p, F_OK) == 0;
}

/* The action: a marker, safe to repeat. */
static int fake_mark(struct fake *f, const char *node, const char *what,
		     char *msg, size_t msgsize)
{
	char p[320];
	FILE *fp;

	pthread_mutex_lock(&f->mu);
	if (++f->inflight > f->max_inflight)
		f->max_inflight = f->inflight;
	pthread_mutex_unlock(&f->mu);
	if (fake_has(f, node, "fail")) {
		snprintf(msg, msgsize, "%s refused", node);
		pthread_mutex_lock(&f->mu);
		f->inflight--;
		pthread_mutex_unlock(&f->mu);
		return -1;
	}
	fake_path(f, node, what, p, sizeof(p));
	fp = fopen(p, "w");
	if (fp != NULL)
		fclose(fp);
	pthread_mutex_lock(&f->mu);
	f->inflight--;
	pthread_mutex_unlock(&f->mu);
	fake_event(f); /* acted, not yet journaled */
	return fp ? 0 : -1;
}

static int fake_unmark(struct fake *f, const char *node, const char *what)
{
	char p[320];

	fake_path(f, node, what, p, sizeof(p));
	unlink(p);
	fake_event(f);
	return 0;
}

static int do_stop(void *ctx, const char *node,
		   const struct procjournal_view *v, cJSON *data, char *msg,
		   size_t msgsize)
{
	(void)v;
	cJSON_AddStringToObject(data, "was", "running");
	return fake_mark(ctx, node, "stopped", msg, msgsize);
}

static int undo_stop(void *ctx, const char *node, const cJSON *data, char *msg,
		     size_t msgsize)
{
	(void)data, (void)msg, (void)msgsize;
	return fake_unmark(ctx, node, "stopped");
}

static int do_edit(void *ctx, const char *node,
		   const struct procjournal_view *v, cJSON *data, char *msg,
		   size_t msgsize)
{
	const cJSON *d = procedure_data(v, "stop", node);

	(void)data;
	/* A later step sees the data of an earlier one. */
	if (d == NULL ||
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "was")),
		   "running") != 0) {
		snprintf(msg, msgsize, "no stop data for %s", node);
		return -1;
	}
	return fake_mark(ctx, node, "edited", msg, msgsize);
}

static int undo_edit(void *ctx, const char *node, const cJSON *data, char *msg,
		     size_t msgsize)
{
	(void)data, (void)msg, (void)msgsize;
	return fake_unmark(ctx, node, "edited");
}

static int do_check(void *ctx, const char *node,
		    const struct procjournal_view *v, cJSON *data, char *msg,
		    size_t msgsize)
{
	(void)v, (void)data;
	if (!fake_has(ctx, node, "edited")) {
		snprintf(msg, msgsize, "%s not edited", node);
		return -1;
	}
	fake_event(ctx);
	return 0;
}

static int do_start(void *ctx, const char *node,
		    const struct procjournal_view *v, cJSON *data, char *msg,
		    size_t msgsize)
{
	(void)v, (void)data;
	return fake_mark(ctx, node, "started", msg, msgsize);
}

static int undo_start(void *ctx, const char *node, const cJSON *data, char *msg,
		      size_t msgsize)
{
	(void)data, (void)msg, (void)msgsize;
	return fake_unmark(ctx, node, "started");
}

static const struct procedure_step fake_steps[] = {
    {.name = "stop", .do_step = do_stop, .undo = undo_stop},
    {.name = "edit", .do_step = do_edit, .undo = undo_edit},
    {.name = "check", .do_step = do_check},
    {.name = "start", .do_step = do_start, .undo = undo_start},
};

static void fake_progress(void *ctx, const char *rec, const char *step,
			  const char *node, const char *state,
			  const char *message)
{
	(void)rec, (void)step, (void)node, (void)state, (void)message;
	fake_event(ctx);
}

static void fake_init(struct fake *f, struct procedure_def *def, unsigned width)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/bvops-proc-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		abort();
	pthread_mutex_init(&f->mu, NULL);
	*def = (struct procedure_def){
	    .kind = "fake",
	    .steps = fake_steps,
	    .nsteps = sizeof(fake_steps) / sizeof(fake_steps[0]),
	    .ctx = f,
	    .progress = fake_progress,
	    .width = width,
	};
}

static void fake_cleanup(struct fake *f)
{
	check_rm_tree(f->dir);
	pthread_mutex_destroy(&f->mu);
}

/* The only journal's id (a new string), or NULL. */
static char *fake_id(const struct fake *f)
{
	char msg[300], **ids, *id = NULL;
	size_t n, k;

	if (procjournal_list(f->dir, &ids, &n, msg, sizeof(msg)) < 0)
		return NULL;
	for (k = 0; k < n; k++) {
		if (k == 0)
			id = ids[k];
		else
			free(ids[k]);
	}
	free(ids);
	return id;
}

static int fake_count(const struct fake *f, const char *what)
{
	int k, c = 0;

	for (k = 0; k < NNODES; k++)
		c += fake_has(f, fake_nodes[k], what);
	return c;
}

static char *fake_outcome(const struct fake *f, const char *id, char *where,
			  size_t size)
{
	struct procjournal_view v;
	char msg[300], *o;

	if (procjournal_read(f->dir, id, &v, msg, sizeof(msg)) < 0)
		return NULL;
	procedure_describe(&v, where, size);
	o = v.outcome ? strdup(v.outcome) : NULL;
	procjournal_view_free(&v);
	return o;
}

/* Run the procedure in a child that dies at event crash_at; returns
 * whether it died before ending. */
static bool fake_crash_run(struct fake *f, const struct procedure_def *def,
			   int crash_at)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char msg[1024], *id;

		f->crash_at = crash_at;
		procedure_start(def, f->dir, "fleet", fake_nodes, NNODES, NULL,
				&id, msg, sizeof(msg));
		_exit(3); /* ran to its end */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST(procedure_runs_every_step_on_every_node)
{
	struct procedure_def def;
	struct fake f;
	char msg[1024], *id, *o, where[300];

	fake_init(&f, &def, 2);
	CHECK(procedure_start(&def, f.dir, "fleet", fake_nodes, NNODES, NULL,
			      &id, msg, sizeof(msg)) == 0);
	CHECK(fake_count(&f, "stopped") == NNODES);
	CHECK(fake_count(&f, "edited") == NNODES);
	CHECK(fake_count(&f, "started") == NNODES);
	/* 1 begin + 4 steps x 3 nodes x 2 records + 1 end; 9 actions. */
	CHECK(f.events == 1 + 24 + 1 + 9 + 3);
	CHECK(f.max_inflight >= 1 && f.max_inflight <= 2);
	o = fake_outcome(&f, id, where, sizeof(where));
	CHECK(o != NULL && strcmp(o, "done") == 0);
	CHECK_STR(where, "done");
	free(o);
	/* An ended procedure is not resumed nor rolled back. */
	CHECK(procedure_resume(&def, f.dir, id, msg, sizeof(msg)) < 0 &&
	      strstr(msg, "has ended") != NULL);
	CHECK(procedure_rollback(&def, f.dir, id, msg, sizeof(msg)) < 0);
	free(id);
	fake_cleanup(&f);
}

/* A check that ends the procedure there when a node is marked "enough":
 * nothing later runs, and the journal ends with the step's outcome. */
static int do_enough(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	(void)v, (void)msg, (void)msgsize;
	if (!fake_has(ctx, node, "enough"))
		return 0;
	cJSON_AddStringToObject(
	    data, "end", fake_has(ctx, node, "badly") ? "failed" : "abandoned");
	cJSON_AddStringToObject(data, "end_message", "nothing to do");
	return PROCEDURE_END;
}

static const struct procedure_step enough_steps[] = {
    {.name = "stop", .do_step = do_stop, .undo = undo_stop},
    {.name = "enough", .do_step = do_enough},
    {.name = "start", .do_step = do_start, .undo = undo_start},
};

TEST(procedure_a_step_may_end_it_early)
{
	static const char *const how[] = {"abandoned", "failed"};
	struct procedure_def def;
	struct fake f;
	char msg[1024], *id, where[300], p[320];
	size_t k;

	for (k = 0; k < 2; k++) {
		FILE *fp;
		char *o;

		fake_init(&f, &def, 1);
		def.steps = enough_steps;
		def.nsteps = 3;
		fake_path(&f, "node-1", "enough", p, sizeof(p));
		fp = fopen(p, "w");
		if (fp != NULL)
			fclose(fp);
		if (k == 1) {
			fake_path(&f, "node-1", "badly", p, sizeof(p));
			fp = fopen(p, "w");
			if (fp != NULL)
				fclose(fp);
		}
		msg[0] = '\0';
		CHECK(procedure_start(&def, f.dir, "fleet", fake_nodes, NNODES,
				      NULL, &id, msg,
				      sizeof(msg)) == PROCEDURE_END);
		CHECK_STR(msg, "nothing to do");
		CHECK(fake_count(&f, "stopped") == NNODES);
		CHECK(fake_count(&f, "started") == 0); /* no later step */
		o = fake_outcome(&f, id, where, sizeof(where));
		CHECK(o != NULL && strcmp(o, how[k]) == 0);
		free(o);
		/* Ended: nothing to resume. */
		CHECK(procedure_resume(&def, f.dir, id, msg, sizeof(msg)) < 0 &&
		      strstr(msg, "has ended") != NULL);
		free(id);
		fake_cleanup(&f);
	}
}

TEST(procedure_width_one_is_one_at_a_time)
{
	struct procedure_def def;
	struct fake f;
	char msg[1024], *id;

	fake_init(&f, &def, 1);
	CHECK(procedure_start(&def, f.dir, "fleet", fake_nodes, NNODES, NULL,
			      &id, msg, sizeof(msg)) == 0);
	CHECK(f.max_inflight == 1);
	free(id);
	fake_cleanup(&f);
}

TEST(procedure_failure_stops_then_retry_or_rollback)
{
	struct procedure_def def;
	struct fake fakes[2];
	char msg[1024], *id, where[300], p[320];
	int k;

	for (k = 0; k < 2; k++) {
		struct fake *x = &fakes[k];
		FILE *fp;
		char *o;

		fake_init(x, &def, 8);
		/* node-1 refuses its first action. */
		fake_path(x, "node-1", "fail", p, sizeof(p));
		fp = fopen(p, "w");
		CHECK(fp != NULL);
		if (fp)
			fclose(fp);
		CHECK(procedure_start(&def, x->dir, "fleet", fake_nodes, NNODES,
				      NULL, &id, msg, sizeof(msg)) < 0);
		CHECK(strstr(msg, "failed on node-1 (node-1 refused)") != NULL);
		CHECK(strstr(msg, "step stop stopped") != NULL);
		CHECK(fake_count(x, "edited") == 0); /* no later step */
		o = fake_outcome(x, id, where, sizeof(where));
		CHECK(o == NULL);
		free(o);
		CHECK_STR(where, "failed at stop on node-1");
		if (k == 0) {
			/* Retry once the cause is gone. */
			unlink(p);
			CHECK(procedure_resume(&def, x->dir, id, msg,
					       sizeof(msg)) == 0);
			CHECK(fake_count(x, "started") == NNODES);
		} else {
			CHECK(procedure_rollback(&def, x->dir, id, msg,
						 sizeof(msg)) == 0);
			CHECK(fake_count(x, "stopped") == 0);
			o = fake_outcome(x, id, where, sizeof(where));
			CHECK(o != NULL && strcmp(o, "rolled_back") == 0);
			free(o);
		}
		free(id);
		fake_cleanup(x);
	}
}

TEST(procedure_abandon_says_where)
{
	struct procedure_def def;
	struct fake f;
	char msg[1024], *id, *o, where[300];

	fake_init(&f, &def, 8);
	/* Dies right after the stop step started on its first node. */
	CHECK(fake_crash_run(&f, &def, 2));
	id = fake_id(&f);
	CHECK(id != NULL);
	if (id == NULL)
		return;
	CHECK(procedure_abandon(f.dir, id, msg, sizeof(msg)) == 0);
	CHECK(strstr(msg, "abandoned as it stood: interrupted at stop on") !=
	      NULL);
	o = fake_outcome(&f, id, where, sizeof(where));
	CHECK(o != NULL && strcmp(o, "abandoned") == 0);
	free(o);
	CHECK(procedure_abandon(f.dir, id, msg, sizeof(msg)) < 0);
	free(id);
	fake_cleanup(&f);
}

/*
 * The crash matrix: the full run has 38 events (records and actions);
 * die at each in turn, then resume in one copy and roll back in another.
 */
TEST(procedure_crash_at_every_record_then_resume_or_rollback)
{
	int at, total = 38, bad_resume = 0, bad_rollback = 0, not_crashed = 0;

	for (at = 1; at < total; at++) {
		int mode;

		for (mode = 0; mode < 2; mode++) {
			struct procedure_def def;
			struct fake f;
			char msg[1024], *id, *o, where[300];
			int rc;

			/* Width 1: the order of events is the same each
			 * run, so each at names one exact point. */
			fake_init(&f, &def, 1);
			if (!fake_crash_run(&f, &def, at))
				not_crashed++;
			id = fake_id(&f);
			if (id == NULL) {
				not_crashed++;
				fake_cleanup(&f);
				continue;
			}
			o = fake_outcome(&f, id, where, sizeof(where));
			if (o != NULL)
				not_crashed++; /* it must not have ended */
			free(o);
			f.crash_at = 0;
			if (mode == 0) {
				rc = procedure_resume(&def, f.dir, id, msg,
						      sizeof(msg));
				o = fake_outcome(&f, id, where, sizeof(where));
				if (rc != 0 || o == NULL ||
				    strcmp(o, "done") != 0 ||
				    fake_count(&f, "stopped") != NNODES ||
				    fake_count(&f, "edited") != NNODES ||
				    fake_count(&f, "started") != NNODES) {
					fprintf(stderr,
						"crash at %d: resume: %s\n", at,
						msg);
					bad_resume++;
				}
			} else {
				rc = procedure_rollback(&def, f.dir, id, msg,
							sizeof(msg));
				o = fake_outcome(&f, id, where, sizeof(where));
				if (rc != 0 || o == NULL ||
				    strcmp(o, "rolled_back") != 0 ||
				    fake_count(&f, "stopped") != 0 ||
				    fake_count(&f, "edited") != 0 ||
				    fake_count(&f, "started") != 0) {
					fprintf(stderr,
						"crash at %d: rollback: %s\n",
						at, msg);
					bad_rollback++;
				}
			}
			free(o);
			free(id);
			fake_cleanup(&f);
		}
	}
	CHECK(not_crashed == 0);
	CHECK(bad_resume == 0);
	CHECK(bad_rollback == 0);
}

/* A rollback itself killed at every point, then run again. */
TEST(procedure_rollback_crash_then_rollback_again)
{
	int at, bad = 0;

	/* A full run, then a rollback of 9 undos x 3 events + 1 end. */
	for (at = 1; at < 28; at++) {
		struct procedure_def def;
		struct fake f;
		char msg[1024], *id, *o, where[300];
		pid_t pid;
		int status;

		fake_init(&f, &def, 1);
		if (procedure_start(&def, f.dir, "fleet", fake_nodes, NNODES,
				    NULL, &id, msg, sizeof(msg)) < 0) {
			bad++;
			fake_cleanup(&f);
			continue;
		}
		/* procedure_start ended it: take a journal that stopped
		 * before its end, as a failed start would. */
		{
			char path[300], cmd[700];

			snprintf(path, sizeof(path), "%s/procedures/%s.jsonl",
				 f.dir, id);
			snprintf(cmd, sizeof(cmd), "sed -i '$d' '%s'", path);
			if (system(cmd) != 0)
				bad++;
		}
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			f.events = 0;
			f.crash_at = at;
			procedure_rollback(&def, f.dir, id, msg, sizeof(msg));
			_exit(3);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			bad++;
		if (procedure_rollback(&def, f.dir, id, msg, sizeof(msg)) != 0)
			bad++;
		o = fake_outcome(&f, id, where, sizeof(where));
		if (o == NULL || strcmp(o, "rolled_back") != 0 ||
		    fake_count(&f, "stopped") + fake_count(&f, "edited") +
			    fake_count(&f, "started") !=
			0) {
			fprintf(stderr, "rollback crash at %d: %s\n", at, msg);
			bad++;
		}
		free(o);
		free(id);
		fake_cleanup(&f);
	}
	CHECK(bad == 0);
}
