#include "proc/procedure.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "proc/shared.h"
#include "state/shareddoc.h"

#define PROCEDURE_WIDTH 8

/* One run (or rollback) of one step over its nodes. */
struct pr_batch {
	const struct procedure_def *def;
	const struct procedure_step *step;
	struct procjournal *j;
	const struct procjournal_view *v;
	bool undo;
	const char **nodes; /* the nodes this step still has to act on */
	size_t count;
	pthread_mutex_t mu;  /* guards next, the outcomes, and the journal */
	pthread_cond_t idle; /* signalled as each worker ends */
	size_t workers;      /* workers still running */
	size_t next;
	bool stop;       /* a node failed: start no other */
	bool journal_ok; /* false: a record could not be written */
	char **failed;   /* per node: the message, when it failed */
	bool *started;
	char jmsg[300];
	bool ended; /* a step returned PROCEDURE_END */
	char end_outcome[32];
	char *end_message;
};

/*
 * Fault injection for crash tests of whole procedures (docs/procedures.md):
 * with BVOPS_FAULT_AFTER_RECORDS=N in the environment, the process kills
 * itself (SIGKILL, as kill -9 would) once its Nth journal record is on
 * disk. Unset, it costs one getenv per record.
 */
static void pr_fault(void)
{
	static unsigned long written;
	const char *s = getenv("BVOPS_FAULT_AFTER_RECORDS");

	if (s != NULL && *s != '\0' && ++written == strtoul(s, NULL, 10))
		kill(getpid(), SIGKILL);
}

/* The record just written, copied up to the fleet's shared state (a
 * take-over from another host reads it there). */
static void pr_copy(const struct procjournal *j)
{
	long seq;
	const char *line = procjournal_last(j, &seq);

	if (line != NULL)
		shared_journal_copy(procjournal_state_dir(j), procjournal_id(j),
				    seq, line);
}

/*
 * The procedure's entry among the fleet's open procedures (shareddoc.h):
 * its kind, its nodes, who runs it now and where it stands (state
 * "running", "rolling back" or "stopped", and the step). Every watch on
 * every host reads it, to page one that is left open with its lock gone.
 * Cleared (state NULL) when it ends. Best effort: the journal is the
 * record.
 */
static void pr_index(const char *state_dir, const char *id,
		     const struct procjournal_view *v, const char *state,
		     const char *step)
{
	cJSON *e = NULL;
	char msg[300];

	if (state != NULL) {
		const cJSON *b = v->begin;

		e = cJSON_CreateObject();
		cJSON_AddStringToObject(
		    e, "kind",
		    cJSON_GetStringValue(cJSON_GetObjectItem(b, "kind"))
			? cJSON_GetStringValue(cJSON_GetObjectItem(b, "kind"))
			: "");
		cJSON_AddItemToObject(
		    e, "nodes",
		    cJSON_Duplicate(cJSON_GetObjectItem(b, "nodes"), true));
		cJSON_AddStringToObject(e, "state", state);
		cJSON_AddStringToObject(e, "step", step ? step : "");
	}
	shared_change(NULL, state_dir, shareddoc_op_proc(id, e), NULL, msg,
		      sizeof(msg));
	cJSON_Delete(e);
}

static void pr_progress(const struct procedure_def *def, const char *rec,
			const char *step, const char *node, const char *state,
			const char *message)
{
	if (def->progress != NULL)
		def->progress(def->ctx, rec, step, node, state, message);
	pr_fault();
}

/* A record written under b->mu, to be copied up after it is let go:
 * the nodes of a step copy theirs side by side. */
struct pr_rec {
	char *line;
	long seq;
};

static void pr_rec_send(struct pr_batch *b, struct pr_rec *r)
{
	if (r->line != NULL)
		shared_journal_copy(procjournal_state_dir(b->j),
				    procjournal_id(b->j), r->seq, r->line);
	free(r->line);
	r->line = NULL;
}

/* Journal a record and tell of it; under b->mu. 0, or -1. *r gets it,
 * for pr_rec_send once b->mu is let go. */
static int pr_record(struct pr_batch *b, const char *node, const char *state,
		     const cJSON *data, const char *message, struct pr_rec *r)
{
	const char *rec = b->undo ? "undo" : "step", *line;

	if (procjournal_write(b->j, rec, b->step->name, node, state, data,
			      message, b->jmsg, sizeof(b->jmsg)) < 0) {
		b->journal_ok = false;
		b->stop = true;
		return -1;
	}
	line = procjournal_last(b->j, &r->seq);
	r->line = line ? xstrdup(line) : NULL;
	pr_progress(b->def, rec, b->step->name, node, state, message);
	return 0;
}

/* Act on node k of the batch: journal, do (or undo), journal. */
static void pr_one(struct pr_batch *b, size_t k)
{
	const char *node = b->nodes[k];
	cJSON *data = cJSON_CreateObject();
	char msg[1024] = "";
	struct pr_rec r = {0};
	int rc;

	pthread_mutex_lock(&b->mu);
	/* Nothing acts unless its start is on disk. */
	rc = pr_record(b, node, "start", NULL, NULL, &r);
	pthread_mutex_unlock(&b->mu);
	pr_rec_send(b, &r);
	if (rc < 0) {
		cJSON_Delete(data);
		return;
	}
	b->started[k] = true;
	if (b->undo)
		rc = b->step->undo(b->def->ctx, node,
				   procedure_data(b->v, b->step->name, node),
				   msg, sizeof(msg));
	else
		rc = b->step->do_step(b->def->ctx, node, b->v, data, msg,
				      sizeof(msg));
	pthread_mutex_lock(&b->mu);
	if (rc == PROCEDURE_END && !b->undo) {
		const char *out =
		    cJSON_GetStringValue(cJSON_GetObjectItem(data, "end"));
		const char *why = cJSON_GetStringValue(
		    cJSON_GetObjectItem(data, "end_message"));
		bool failed = out != NULL && strcmp(out, "failed") == 0;

		b->ended = true;
		b->stop = true;
		snprintf(b->end_outcome, sizeof(b->end_outcome), "%s",
			 out ? out : "done");
		free(b->end_message);
		b->end_message = why ? xstrdup(why) : NULL;
		pr_record(b, node, failed ? "failed" : "done",
			  failed ? NULL : data, failed ? why : NULL, &r);
	} else if (rc < 0) {
		if (msg[0] == '\0')
			snprintf(msg, sizeof(msg), "failed");
		b->failed[k] = xstrdup(msg);
		b->stop = true;
		pr_record(b, node, "failed", NULL, msg, &r);
	} else {
		pr_record(b, node, "done", b->undo ? NULL : data, NULL, &r);
	}
	pthread_mutex_unlock(&b->mu);
	pr_rec_send(b, &r);
	cJSON_Delete(data);
}

static void *pr_worker(void *arg)
{
	struct pr_batch *b = arg;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&b->mu);
		if (b->stop || b->next >= b->count) {
			b->workers--;
			pthread_cond_signal(&b->idle);
			pthread_mutex_unlock(&b->mu);
			return NULL;
		}
		k = b->next++;
		pthread_mutex_unlock(&b->mu);
		pr_one(b, k);
	}
}

/* Until every worker has ended, the caller's tick once a second (the
 * workers may sit in a long wait: the screen's clock must not). */
static void pr_batch_wait(struct pr_batch *b)
{
	struct timespec at;

	pthread_mutex_lock(&b->mu);
	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_sec++;
	while (b->workers > 0) {
		if (pthread_cond_timedwait(&b->idle, &b->mu, &at) != ETIMEDOUT)
			continue;
		if (b->def->tick != NULL) {
			pthread_mutex_unlock(&b->mu);
			b->def->tick(b->def->ctx);
			pthread_mutex_lock(&b->mu);
		}
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec++;
	}
	pthread_mutex_unlock(&b->mu);
}

/* Run the batch at most width at once. 0 when every node succeeded. */
static int pr_batch_run(struct pr_batch *b)
{
	unsigned width = b->def->width ? b->def->width : PROCEDURE_WIDTH;
	size_t nthreads = b->count < width ? b->count : width, k;
	pthread_t *t = xcalloc(nthreads ? nthreads : 1, sizeof(*t));
	int rc = 0;

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->idle, NULL);
	b->journal_ok = true;
	b->failed = xcalloc(b->count ? b->count : 1, sizeof(*b->failed));
	b->started = xcalloc(b->count ? b->count : 1, sizeof(*b->started));
	b->workers = nthreads;
	for (k = 0; k < nthreads; k++)
		if (pthread_create(&t[k], NULL, pr_worker, b) != 0)
			abort(); /* only for want of resources */
	pr_batch_wait(b);
	for (k = 0; k < nthreads; k++)
		pthread_join(t[k], NULL);
	pthread_cond_destroy(&b->idle);
	pthread_mutex_destroy(&b->mu);
	free(t);
	if (b->ended && b->journal_ok)
		rc = PROCEDURE_END;
	else if (b->stop)
		rc = -1;
	return rc;
}

static void pr_batch_free(struct pr_batch *b)
{
	size_t k;

	for (k = 0; k < b->count; k++)
		free(b->failed[k]);
	free(b->failed);
	free(b->started);
	free(b->nodes);
	free(b->end_message);
}

/* The newest record of rec for (step, node), or NULL. */
static const cJSON *pr_find(const struct procjournal_view *v, const char *rec,
			    const char *step, const char *node)
{
	const cJSON *o, *found = NULL;

	cJSON_ArrayForEach(o, v->records)
	{
		const char *r =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "rec"));
		const char *s =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "step"));
		const char *n =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "node"));

		if (r != NULL && s != NULL && n != NULL &&
		    strcmp(r, rec) == 0 && strcmp(s, step) == 0 &&
		    strcmp(n, node) == 0)
			found = o;
	}
	return found;
}

static const char *pr_state(const cJSON *r)
{
	return r ? cJSON_GetStringValue(cJSON_GetObjectItem(r, "state")) : NULL;
}

const char *procedure_state(const struct procjournal_view *v, const char *rec,
			    const char *step, const char *node)
{
	return pr_state(pr_find(v, rec, step, node));
}

const cJSON *procedure_data(const struct procjournal_view *v, const char *step,
			    const char *node)
{
	const cJSON *r = pr_find(v, "step", step, node);
	const char *st = pr_state(r);

	if (st == NULL || strcmp(st, "done") != 0)
		return NULL;
	return cJSON_GetObjectItem(r, "data");
}

/* "failed on node-2 (why); done on node-1; not started on node-3" */
static void pr_report(const struct pr_batch *b, const char *verb, char *msg,
		      size_t msgsize)
{
	size_t k, len;
	bool any = false;

	if (!b->journal_ok) {
		snprintf(msg, msgsize,
			 "the journal could not be written (%s): stopped "
			 "before %s %s",
			 b->jmsg, verb, b->step->name);
		return;
	}
	len = (size_t)snprintf(msg, msgsize, "%s %s stopped:", verb,
			       b->step->name);
	for (k = 0; k < b->count && len < msgsize; k++) {
		const char *what = b->failed[k]    ? "failed"
				   : b->started[k] ? "done"
						   : "not started";

		len += (size_t)snprintf(
		    msg + len, msgsize - len, "%s %s on %s%s%s%s",
		    any ? ";" : "", what, b->nodes[k], b->failed[k] ? " (" : "",
		    b->failed[k] ? b->failed[k] : "", b->failed[k] ? ")" : "");
		any = true;
	}
}

/* The nodes the begin record names (pointers into v). */
static const char **pr_nodes(const struct procjournal_view *v, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItem(v->begin, "nodes"), *e;
	const char **out =
	    xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out));

	*n = 0;
	cJSON_ArrayForEach(e, arr)
	{
		if (cJSON_IsString(e))
			out[(*n)++] = e->valuestring;
	}
	return out;
}

static struct procjournal *pr_open(const struct procedure_def *def,
				   const char *state_dir, const char *id,
				   struct procjournal_view *v, char *msg,
				   size_t msgsize)
{
	const char *kind;
	struct procjournal *j;

	if (procjournal_read(state_dir, id, v, msg, msgsize) < 0)
		return NULL;
	kind = cJSON_GetStringValue(cJSON_GetObjectItem(v->begin, "kind"));
	if (kind == NULL || strcmp(kind, def->kind) != 0) {
		snprintf(msg, msgsize, "%s is a %s, not a %s", id,
			 kind ? kind : "procedure of no kind", def->kind);
	} else if (v->outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
			 v->outcome);
	} else if ((j = procjournal_open(state_dir, id, msg, msgsize)) !=
		   NULL) {
		return j;
	}
	procjournal_view_free(v);
	return NULL;
}

static void pr_end(const struct procedure_def *def, struct procjournal *j,
		   const char *outcome, const char *message)
{
	char msg[300];

	if (procjournal_write(j, "end", NULL, NULL, outcome, NULL, message, msg,
			      sizeof(msg)) == 0) {
		pr_copy(j);
		pr_progress(def, "end", NULL, NULL, outcome, message);
	}
}

/* Every step from the first not done everywhere, in order. */
static int pr_forward(const struct procedure_def *def, const char *state_dir,
		      struct procjournal *j, char *msg, size_t msgsize)
{
	size_t s;

	for (s = 0; s < def->nsteps; s++) {
		struct procjournal_view v;
		struct pr_batch b = {
		    .def = def, .step = &def->steps[s], .j = j};
		const char **all;
		size_t n, k;
		int rc;

		/* Read back what is on disk: the truth after a crash, and
		 * the data of the steps before this one. */
		if (procjournal_read(state_dir, procjournal_id(j), &v, msg,
				     msgsize) < 0)
			return -1;
		all = pr_nodes(&v, &n);
		b.nodes = xcalloc(n + 1, sizeof(*b.nodes));
		for (k = 0; k < n; k++) {
			const char *st =
			    pr_state(pr_find(&v, "step", b.step->name, all[k]));

			if (st == NULL || strcmp(st, "done") != 0)
				b.nodes[b.count++] = all[k];
		}
		free(all);
		b.v = &v;
		if (b.count)
			pr_index(state_dir, procjournal_id(j), &v, "running",
				 b.step->name);
		rc = b.count ? pr_batch_run(&b) : 0;
		if (rc < 0)
			pr_report(&b, "step", msg, msgsize);
		if (rc == PROCEDURE_END) {
			pr_end(def, j, b.end_outcome, b.end_message);
			if (b.end_message != NULL)
				snprintf(msg, msgsize, "%s", b.end_message);
		}
		if (b.count)
			pr_batch_free(&b);
		else
			free(b.nodes);
		procjournal_view_free(&v);
		if (rc != 0)
			return rc;
	}
	pr_end(def, j, "done", NULL);
	return 0;
}

int procedure_begin(const struct procedure_def *def, const char *state_dir,
		    const char *fleet, const char *const *nodes, size_t nnodes,
		    const cJSON *params, char **id, char *msg, size_t msgsize)
{
	const char **names = xcalloc(def->nsteps + 1, sizeof(*names));
	struct procjournal *j;
	size_t k;

	*id = NULL;
	for (k = 0; k < def->nsteps; k++)
		names[k] = def->steps[k].name;
	j = procjournal_begin(state_dir, fleet, def->kind, nodes, nnodes, names,
			      def->nsteps, params, msg, msgsize);
	free(names);
	if (j == NULL)
		return -1;
	*id = xstrdup(procjournal_id(j));
	pr_copy(j);
	procjournal_close(j);
	pr_progress(def, "begin", NULL, NULL, NULL, NULL);
	return 0;
}

int procedure_start(const struct procedure_def *def, const char *state_dir,
		    const char *fleet, const char *const *nodes, size_t nnodes,
		    const cJSON *params, char **id, char *msg, size_t msgsize)
{
	if (procedure_begin(def, state_dir, fleet, nodes, nnodes, params, id,
			    msg, msgsize) < 0)
		return -1;
	return procedure_resume(def, state_dir, *id, msg, msgsize);
}

int procedure_resume(const struct procedure_def *def, const char *state_dir,
		     const char *id, char *msg, size_t msgsize)
{
	struct procjournal_view v;
	struct procjournal *j = pr_open(def, state_dir, id, &v, msg, msgsize);
	int rc;

	if (j == NULL)
		return -1;
	pr_index(state_dir, id, &v, "running", "");
	rc = pr_forward(def, state_dir, j, msg, msgsize);
	pr_index(state_dir, id, &v, rc < 0 ? "stopped" : NULL, "");
	procjournal_view_free(&v);
	procjournal_close(j);
	return rc;
}

int procedure_rollback(const struct procedure_def *def, const char *state_dir,
		       const char *id, char *msg, size_t msgsize)
{
	struct procjournal_view v;
	struct procjournal *j = pr_open(def, state_dir, id, &v, msg, msgsize);
	char err[300];
	size_t s;
	int rc = 0;

	if (j == NULL)
		return -1;
	pr_index(state_dir, id, &v, "rolling back", "");
	procjournal_view_free(&v);
	for (s = def->nsteps; s-- > 0 && rc == 0;) {
		struct pr_batch b = {
		    .def = def, .step = &def->steps[s], .j = j, .undo = true};
		const char **all;
		size_t n, k;

		if (def->steps[s].undo == NULL)
			continue;
		if (procjournal_read(state_dir, id, &v, msg, msgsize) < 0) {
			rc = -1;
			break;
		}
		all = pr_nodes(&v, &n);
		b.nodes = xcalloc(n + 1, sizeof(*b.nodes));
		/* Undo what was started (it may have acted) and is not
		 * undone yet. */
		for (k = 0; k < n; k++) {
			const char *did =
			    pr_state(pr_find(&v, "step", b.step->name, all[k]));
			const char *undid =
			    pr_state(pr_find(&v, "undo", b.step->name, all[k]));

			if (did != NULL &&
			    (undid == NULL || strcmp(undid, "done") != 0))
				b.nodes[b.count++] = all[k];
		}
		free(all);
		b.v = &v;
		if (b.count) {
			rc = pr_batch_run(&b);
			if (rc < 0)
				pr_report(&b, "undo of", msg, msgsize);
			pr_batch_free(&b);
		} else {
			free(b.nodes);
		}
		procjournal_view_free(&v);
	}
	if (rc == 0) {
		pr_end(def, j, "rolled_back", "every step undone");
		pr_index(state_dir, id, NULL, NULL, NULL);
	} else if (procjournal_read(state_dir, id, &v, err, sizeof(err)) == 0) {
		pr_index(state_dir, id, &v, "stopped", "");
		procjournal_view_free(&v);
	}
	procjournal_close(j);
	return rc;
}

/* Is r the newest record of its kind for its (step, node)? */
static bool pr_newest(const struct procjournal_view *v, const cJSON *r)
{
	const char *rec = cJSON_GetStringValue(cJSON_GetObjectItem(r, "rec"));
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(r, "step"));
	const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(r, "node"));

	return rec == NULL || s == NULL || n == NULL ||
	       pr_find(v, rec, s, n) == r;
}

void procedure_describe(const struct procjournal_view *v, char *out,
			size_t size)
{
	const cJSON *o, *at = NULL;
	const char *rec, *s, *n, *st;

	if (v->outcome != NULL) {
		snprintf(out, size, "%s",
			 strcmp(v->outcome, "rolled_back") == 0 ? "rolled back"
								: v->outcome);
		return;
	}
	/* Where it stopped: a failure still standing, else the last step
	 * started and not finished, else the last record. */
	cJSON_ArrayForEach(o, v->records)
	{
		st = cJSON_GetStringValue(cJSON_GetObjectItem(o, "state"));
		if (st == NULL || !pr_newest(v, o))
			continue;
		/* A failure wins over a start; a later one over an earlier. */
		if (strcmp(st, "failed") == 0 ||
		    (strcmp(st, "start") == 0 &&
		     (at == NULL || strcmp(pr_state(at), "failed") != 0)))
			at = o;
	}
	if (at == NULL)
		at = v->last;
	if (at == NULL) {
		snprintf(out, size, "interrupted before its first step");
		return;
	}
	rec = cJSON_GetStringValue(cJSON_GetObjectItem(at, "rec"));
	s = cJSON_GetStringValue(cJSON_GetObjectItem(at, "step"));
	n = cJSON_GetStringValue(cJSON_GetObjectItem(at, "node"));
	st = cJSON_GetStringValue(cJSON_GetObjectItem(at, "state"));
	if (st != NULL && strcmp(st, "done") == 0) {
		snprintf(out, size, "after %s%s on %s, before the next step",
			 rec && strcmp(rec, "undo") == 0 ? "the undo of " : "",
			 s ? s : "?", n ? n : "the fleet");
		return;
	}
	snprintf(out, size, "%s at %s%s on %s",
		 st && strcmp(st, "failed") == 0 ? "failed" : "interrupted",
		 rec && strcmp(rec, "undo") == 0 ? "undo of " : "", s ? s : "?",
		 n ? n : "the fleet");
}

int procedure_abandon(const char *state_dir, const char *id, char *msg,
		      size_t msgsize)
{
	struct procjournal_view v;
	struct procjournal *j;
	char where[400], why[500];
	int rc;

	if (procjournal_read(state_dir, id, &v, msg, msgsize) < 0)
		return -1;
	if (v.outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
			 v.outcome);
		procjournal_view_free(&v);
		return -1;
	}
	procedure_describe(&v, where, sizeof(where));
	procjournal_view_free(&v);
	j = procjournal_open(state_dir, id, msg, msgsize);
	if (j == NULL)
		return -1;
	snprintf(why, sizeof(why), "abandoned as it stood: %s", where);
	rc = procjournal_write(j, "end", NULL, NULL, "abandoned", NULL, why,
			       msg, msgsize);
	if (rc == 0) {
		pr_copy(j);
		pr_index(state_dir, id, NULL, NULL, NULL);
	}
	procjournal_close(j);
	if (rc == 0)
		snprintf(msg, msgsize, "%s", why);
	return rc;
}

void procedure_refused(const char *state_dir, const char *id, const char *why)
{
	struct procjournal_view v;
	struct procjournal *j;
	char msg[300], *text;

	if (procjournal_read(state_dir, id, &v, msg, sizeof(msg)) < 0)
		return;
	if (v.outcome != NULL || v.last != NULL) {
		procjournal_view_free(&v);
		return;
	}
	procjournal_view_free(&v);
	j = procjournal_open(state_dir, id, msg, sizeof(msg));
	if (j == NULL)
		return;
	text = xasprintf("not started: %s", why);
	if (procjournal_write(j, "end", NULL, NULL, "abandoned", NULL, text,
			      msg, sizeof(msg)) == 0)
		pr_copy(j);
	free(text);
	procjournal_close(j);
}

size_t procedure_disrupted(const struct procedure_def *def,
			   const struct procjournal_view *v, bool rollback,
			   const char **out, size_t max)
{
	const cJSON *node;
	size_t n = 0, k;

	cJSON_ArrayForEach(node, cJSON_GetObjectItem(v->begin, "nodes"))
	{
		const char *name = cJSON_GetStringValue(node);
		bool hit = false;

		for (k = 0; name != NULL && k < def->nsteps && !hit; k++) {
			const struct procedure_step *st = &def->steps[k];
			const char *done =
			    procedure_state(v, "step", st->name, name);
			const char *undone =
			    procedure_state(v, "undo", st->name, name);

			if (!rollback)
				hit =
				    st->disrupts &&
				    (done == NULL || strcmp(done, "done") != 0);
			else
				hit = st->undo != NULL && st->undo_disrupts &&
				      done != NULL &&
				      (undone == NULL ||
				       strcmp(undone, "done") != 0);
		}
		if (hit && n < max)
			out[n++] = name;
	}
	return n;
}
