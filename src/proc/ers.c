#include "proc/ers.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/diff.h"
#include "lib/sha256.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "proc/fleetlock.h"
#include "proc/keypolicy.h"
#include "proc/nodewait.h"
#include "proc/procctx.h"
#include "proc/procstatus.h"
#include "proc/shared.h"
#include "state/cfglint.h"
#include "state/ersfrag.h"
#include "state/eventlog.h"
#include "state/marks.h"
#include "state/procjournal.h"
#include "state/redact.h"
#include "state/shareddoc.h"
#include "transport/transport.h"

/* A fleet larger than this is refused rather than stopped at once. */
#define ERS_MAX_NODES  256
#define ERS_CONFIG_MAX ((size_t)4 << 20)

/* One node of the rollout. */
struct en {
	const struct fleet_node *n;
	size_t idx;
	struct aws_client *a; /* used by one step thread at a time */
	char region[64];
	char bucket[256];
	char key[512];
	char enclave[128];
	char etag[130];    /* of the text read for the plan */
	char version[200]; /* its version id, when versioned */
	char modified[64]; /* its Last-Modified (status) */
	char *before;      /* the config as read */
	char *after;       /* as the procedure leaves it */
	cJSON *record;     /* what the merge added (ersfrag_merge) */
	/* A revert: the version of the text before the apply, which the
	 * revert puts back when the config is as the apply left it. */
	char restore_version[200];
};

struct ers {
	const struct fleet *f;
	const char *state_dir;
	const struct ers_opts *o;
	const struct procedure_ui *ui;
	bool apply; /* ers-apply; else ers-revert */
	struct en *nodes;
	size_t n;
	char *frag_text;  /* the fragment, as given */
	char source[300]; /* "preset NAME" or the file's path */
	char id[200];
	struct aws_client *lock_a;
	struct fleetlock lock;
	bool locked;
	int64_t renewed_ms;
	pthread_mutex_t mu; /* the operator's output, from step threads */
	char note[1200];    /* for the audit: forced over whom, offline */
};

static void er_say(struct ers *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void er_say(struct ers *e, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->mu);
	e->ui->say(e->ui->ctx, s);
	pthread_mutex_unlock(&e->mu);
	free(s);
}

static void er_init(struct ers *e, const struct fleet *f, const char *state_dir,
		    const struct ers_opts *o, const struct procedure_ui *ui)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	e->state_dir = state_dir;
	e->o = o;
	e->ui = ui;
	pthread_mutex_init(&e->mu, NULL);
}

static void er_free(struct ers *e)
{
	size_t k;

	if (e->locked) {
		char msg[300];

		fleetlock_release(e->lock_a, &e->lock, msg, sizeof(msg));
	}
	for (k = 0; k < e->n; k++) {
		aws_client_free(e->nodes[k].a);
		free(e->nodes[k].before);
		free(e->nodes[k].after);
		cJSON_Delete(e->nodes[k].record);
	}
	free(e->nodes);
	free(e->frag_text);
	aws_client_free(e->lock_a);
	pthread_mutex_destroy(&e->mu);
}

static struct en *er_node(struct ers *e, const char *name)
{
	size_t k;

	for (k = 0; k < e->n; k++)
		if (strcmp(e->nodes[k].n->name, name) == 0)
			return &e->nodes[k];
	return NULL;
}

/* A diff for the operator, secrets redacted unless asked. */
static void er_diff(struct ers *e, const char *a, const char *b, const char *an,
		    const char *bn)
{
	char *ra = NULL, *rb = NULL, *shown;
	size_t ral = 0, rbl = 0, count;

	if (!e->o->show_secrets) {
		char err[300];

		ra = redact_toml(a, strlen(a), &ral, &count, err, sizeof(err));
		rb = redact_toml(b, strlen(b), &rbl, &count, err, sizeof(err));
	}
	if (ra != NULL && rb != NULL)
		shown = diff_unified(ra, ral, rb, rbl, an, bn, e->ui->colour);
	else
		shown = diff_unified(a, strlen(a), b, strlen(b), an, bn,
				     e->ui->colour);
	if (shown != NULL)
		er_say(e, "%s", shown);
	free(shown);
	free(ra);
	free(rb);
}

/* ---- marks: which nodes bvops left with the ERS configuration ---- */

static int er_mark(struct ers *e, const char *node, bool on, char *msg,
		   size_t msgsize)
{
	char *path = marks_ers_path(e->state_dir, node);
	struct stat st;
	cJSON *o = NULL;
	int rc = 0;

	/* A mark there already keeps its time: ERS is active since the
	 * first apply. In the fleet's shared state, as every mark is. */
	if (!on || stat(path, &st) != 0) {
		if (on) {
			char since[40];

			o = cJSON_CreateObject();
			timefmt_iso8601(clock_now_ms(), false, since,
					sizeof(since));
			cJSON_AddStringToObject(o, "node", node);
			cJSON_AddStringToObject(o, "since", since);
			cJSON_AddStringToObject(o, "procedure", e->id);
		}
		rc = shared_change(e->f, e->state_dir,
				   shareddoc_op_mark("ers", node, o), NULL, msg,
				   msgsize);
		cJSON_Delete(o);
	}
	free(path);
	return rc;
}

/* ---- the steps ---- */

static int er_cmd(struct ers *e, struct en *x, enum fleet_cmd cmd, char *msg,
		  size_t msgsize)
{
	struct transport *t = transport_new(e->f);
	struct transport_result r;
	int rc =
	    transport_run(t, x->n, cmd, (long)e->f->health.restart_timeout_ms,
			  4096, &r, msg, msgsize);

	if (rc == 0 && r.exit_status != 0) {
		snprintf(msg, msgsize, "%s of %s failed (exit %d): %.300s",
			 fleet_cmd_name(cmd), x->n->name, r.exit_status,
			 r.err_len ? r.err
			 : r.out   ? r.out
				   : "");
		rc = -1;
	}
	transport_result_free(&r);
	transport_free(t);
	return rc;
}

/* The key policy read again before a node is stopped or started: one in
 * debug mode that bvops did not record (put so by hand meanwhile) stops
 * the step on it. */
static int er_witness(struct ers *e, struct en *x, char *msg, size_t msgsize)
{
	char why[600];

	if (!keypolicy_unrecorded_debug(e->f, x->n, e->state_dir, why,
					sizeof(why)))
		return 0;
	snprintf(msg, msgsize, "%snot stopped or started", why);
	return -1;
}

static int er_stop(struct ers *e, struct en *x, char *msg, size_t msgsize)
{
	if (er_witness(e, x, msg, msgsize) < 0 ||
	    er_cmd(e, x, FLEET_CMD_STOP, msg, msgsize) < 0 ||
	    nodewait_down(e->f, x->idx, e->o->stop_wait_ms, msg, msgsize) < 0)
		return -1;
	er_say(e, "%s: stopped (no /ping answer, no enclave)\n", x->n->name);
	return 0;
}

/* say for nodewait: the nodes' threads take turns on the screen. */
static void er_say_line(void *ctx, const char *text)
{
	struct ers *e = ctx;

	pthread_mutex_lock(&e->mu);
	e->ui->say(e->ui->ctx, text);
	pthread_mutex_unlock(&e->mu);
}

static int er_up(struct ers *e, struct en *x, char *msg, size_t msgsize)
{
	return nodewait_up_or_journal(e->f, x->idx, e->o->wait_ms, er_say_line,
				      e, msg, msgsize);
}

static int step_stop(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	struct ers *e = ctx;

	(void)v, (void)data;
	return er_stop(e, er_node(e, node), msg, msgsize);
}

static int step_stop_undo(void *ctx, const char *node, const cJSON *data,
			  char *msg, size_t msgsize)
{
	struct ers *e = ctx;
	struct en *x = er_node(e, node);

	(void)data;
	if (er_cmd(e, x, FLEET_CMD_START, msg, msgsize) < 0)
		return -1;
	return er_up(e, x, msg, msgsize);
}

static int step_backup(void *ctx, const char *node,
		       const struct procjournal_view *v, cJSON *data, char *msg,
		       size_t msgsize)
{
	struct ers *e = ctx;
	struct en *x = er_node(e, node);
	char *bkey = xasprintf("backups/%s.%s", x->key, e->id);
	struct aws_s3_object put;
	int rc;

	(void)v;
	rc = aws_s3_put(x->a, x->region, x->bucket, bkey, x->before,
			strlen(x->before), "application/toml", NULL, true, &put,
			msg, msgsize);
	if (rc == 0)
		aws_s3_object_free(&put);
	if (rc == -2) {
		/* There from a run before a crash: it must be this text. */
		struct aws_s3_object had = {0};

		rc = aws_s3_get(x->a, x->region, x->bucket, bkey, NULL, false,
				&had, msg, msgsize);
		if (rc == 0 && strcmp(had.body, x->before) != 0) {
			snprintf(msg, msgsize,
				 "s3://%s/%s holds another text: not "
				 "overwritten",
				 x->bucket, bkey);
			rc = -1;
		}
		aws_s3_object_free(&had);
	}
	if (rc == 0) {
		char *s3 = xasprintf("s3://%s/%s", x->bucket, bkey);

		cJSON_AddStringToObject(data, "s3", s3);
		cJSON_AddStringToObject(data, "of_version", x->version);
		er_say(e, "%s: backup %s%s%s\n", node, s3,
		       x->version[0] ? ", and the stored version " : "",
		       x->version);
		free(s3);
	}
	free(bkey);
	return rc;
}

/* The config now: 0 with *o filled, or -1. */
static int er_read(struct en *x, struct aws_s3_object *o, char *msg,
		   size_t msgsize)
{
	return aws_s3_get(x->a, x->region, x->bucket, x->key, NULL, false, o,
			  msg, msgsize);
}

/* Put text over the stored version etag; -2 when it changed. */
static int er_put(struct en *x, const char *text, const char *etag, cJSON *data,
		  char *msg, size_t msgsize)
{
	struct aws_s3_object put;
	int rc =
	    aws_s3_put(x->a, x->region, x->bucket, x->key, text, strlen(text),
		       "application/toml", etag, false, &put, msg, msgsize);

	if (rc < 0)
		return rc;
	if (data != NULL) {
		cJSON_AddStringToObject(data, "etag", put.etag ? put.etag : "");
		cJSON_AddStringToObject(data, "version",
					put.version_id ? put.version_id : "");
	}
	aws_s3_object_free(&put);
	return 0;
}

static int step_upload(void *ctx, const char *node,
		       const struct procjournal_view *v, cJSON *data, char *msg,
		       size_t msgsize)
{
	struct ers *e = ctx;
	struct en *x = er_node(e, node);
	struct aws_s3_object now;
	int rc = 0;

	(void)v;
	if (er_read(x, &now, msg, msgsize) < 0)
		return -1;
	if (strcmp(now.body, x->after) == 0) {
		er_say(e, "%s: the config is as planned already\n", node);
	} else if (strcmp(now.body, x->before) != 0) {
		er_say(e,
		       "%s: s3://%s/%s changed since the plan was made: NOT "
		       "uploaded. Their change:\n",
		       node, x->bucket, x->key);
		er_diff(e, x->before, now.body, "as planned on", "stored now");
		snprintf(msg, msgsize,
			 "%s's config changed since the plan was made: not "
			 "uploaded (roll back, then plan again)",
			 node);
		rc = -1;
	} else {
		rc = er_put(x, x->after, now.etag, data, msg, msgsize);
		if (rc == -2)
			snprintf(msg, msgsize,
				 "%s's config changed while it was uploaded: "
				 "not overwritten",
				 node);
		if (rc == 0)
			er_say(e, "%s: uploaded s3://%s/%s\n", node, x->bucket,
			       x->key);
	}
	aws_s3_object_free(&now);
	if (rc == 0)
		rc = er_mark(e, node, e->apply, msg, msgsize);
	return rc < 0 ? -1 : 0;
}

static int step_upload_undo(void *ctx, const char *node, const cJSON *data,
			    char *msg, size_t msgsize)
{
	struct ers *e = ctx;
	struct en *x = er_node(e, node);
	struct aws_s3_object now;
	char *back = NULL;
	size_t len, removed;
	int rc = 0;

	(void)data;
	if (er_read(x, &now, msg, msgsize) < 0)
		return -1;
	if (strcmp(now.body, x->before) == 0) {
		/* never uploaded, or put back before a crash */
	} else if (strcmp(now.body, x->after) == 0) {
		rc = er_put(x, x->before, now.etag, NULL, msg, msgsize);
		if (rc == 0)
			er_say(e, "%s: the config as it was, byte for byte\n",
			       node);
	} else if (e->apply && x->record != NULL &&
		   ersfrag_unmerge(now.body, now.len, x->record, &back, &len,
				   &removed, msg, msgsize) == 0) {
		/* Someone changed it since: take out only the fragment. */
		if (strcmp(back, now.body) != 0) {
			er_say(e,
			       "%s: changed since the upload; only the ERS "
			       "keys are taken out:\n",
			       node);
			er_diff(e, now.body, back, "stored now", "restored");
			rc = er_put(x, back, now.etag, NULL, msg, msgsize);
		}
	} else {
		snprintf(msg, msgsize,
			 "%s's config changed since the upload: not restored "
			 "over that change (its backup: s3://%s/backups/%s.%s)",
			 node, x->bucket, x->key, e->id);
		rc = -1;
	}
	if (rc == -2)
		snprintf(msg, msgsize,
			 "%s's config changed while it was restored: not "
			 "overwritten",
			 node);
	free(back);
	aws_s3_object_free(&now);
	if (rc == 0)
		rc = er_mark(e, node, !e->apply, msg, msgsize);
	return rc < 0 ? -1 : 0;
}

static int step_start(void *ctx, const char *node,
		      const struct procjournal_view *v, cJSON *data, char *msg,
		      size_t msgsize)
{
	struct ers *e = ctx;

	(void)v, (void)data;
	if (er_witness(e, er_node(e, node), msg, msgsize) < 0 ||
	    er_cmd(e, er_node(e, node), FLEET_CMD_START, msg, msgsize) < 0)
		return -1;
	er_say(e, "%s: started\n", node);
	return 0;
}

static int step_start_undo(void *ctx, const char *node, const cJSON *data,
			   char *msg, size_t msgsize)
{
	struct ers *e = ctx;

	(void)data;
	return er_stop(e, er_node(e, node), msg, msgsize);
}

static int step_wait(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	struct ers *e = ctx;

	(void)v, (void)data;
	return er_up(e, er_node(e, node), msg, msgsize);
}

static const struct procedure_step ers_steps[] = {
    {.name = "stop",
     .do_step = step_stop,
     .undo = step_stop_undo,
     .disrupts = true},
    {.name = "backup", .do_step = step_backup},
    {.name = "upload", .do_step = step_upload, .undo = step_upload_undo},
    {.name = "start",
     .do_step = step_start,
     .undo = step_start_undo,
     .undo_disrupts = true},
    {.name = "wait", .do_step = step_wait},
};

/* Per-node progress, and the lock kept renewed between records. */
static void er_progress(void *ctx, const char *rec, const char *step,
			const char *node, const char *state,
			const char *message)
{
	struct ers *e = ctx;
	char msg[300];

	if (e->locked && procctx_lock_keep(e->lock_a, &e->lock, &e->renewed_ms,
					   msg, sizeof(msg)) < 0)
		er_say(e, "WARNING: the fleet lock could not be renewed: %s\n",
		       msg);
	/* The steps say what they did; the engine's word is the failure. */
	if (step == NULL || node == NULL || state == NULL ||
	    strcmp(state, "failed") != 0)
		return;
	er_say(e, "%s: %s%s FAILED: %s\n", node,
	       strcmp(rec, "undo") == 0 ? "undo of " : "", step,
	       message ? message : "");
}

/* The screen's clock while a step runs. */
static void er_tick(void *ctx)
{
	struct ers *e = ctx;

	if (e->ui->tick != NULL)
		e->ui->tick(e->ui->ctx);
}

static void er_def(struct ers *e, struct procedure_def *def)
{
	*def = (struct procedure_def){
	    .kind = e->apply ? "ers-apply" : "ers-revert",
	    .steps = ers_steps,
	    .nsteps = sizeof(ers_steps) / sizeof(ers_steps[0]),
	    .ctx = e,
	    .progress = er_progress,
	    .tick = er_tick,
	    /* Every node at once: the rollout takes as long as its slowest
	     * node, not as long as the fleet is large. */
	    .width = (unsigned)(e->n ? e->n : 1),
	};
}

bool ers_kind(const char *kind)
{
	return kind != NULL && (strcmp(kind, "ers-apply") == 0 ||
				strcmp(kind, "ers-revert") == 0);
}

/* ---- plan ---- */

/* The fragment of o: a preset or a file. */
static int er_fragment(struct ers *e, struct ersfrag *fr, char *msg,
		       size_t msgsize)
{
	const char *text;
	char *file = NULL;
	size_t len;
	int rc;

	if (e->o->preset != NULL) {
		text = ersfrag_preset_text(e->o->preset);
		if (text == NULL) {
			snprintf(msg, msgsize,
				 "no preset '%s' (there are %s and %s)",
				 e->o->preset, ersfrag_preset_names[0],
				 ersfrag_preset_names[1]);
			return -1;
		}
		snprintf(e->source, sizeof(e->source), "preset %s",
			 e->o->preset);
		len = strlen(text);
	} else {
		file =
		    buf_read_whole(e->o->fragment, 1 << 20, &len, msg, msgsize);
		if (file == NULL)
			return -1;
		text = file;
		snprintf(e->source, sizeof(e->source), "%s", e->o->fragment);
	}
	rc = ersfrag_parse(e->o->preset ? e->source : e->o->fragment, text, len,
			   fr, msg, msgsize);
	if (rc == 0)
		e->frag_text = xstrdup(fr->text);
	free(file);
	return rc;
}

/* One node's config located and read, on its own thread. */
struct er_reader {
	struct en *x;
	const char *region; /* the fleet's */
	int rc;
	char msg[1024];
};

static void *er_read_one(void *arg)
{
	struct er_reader *r = arg;
	struct en *x = r->x;
	struct cfgloc loc;
	struct aws_s3_object o;

	r->rc = -1;
	if (cfgloc_resolve(x->a, r->region, x->n, &loc, r->msg,
			   sizeof(r->msg)) < 0)
		return NULL;
	snprintf(x->region, sizeof(x->region), "%s", loc.region);
	snprintf(x->bucket, sizeof(x->bucket), "%s", loc.bucket);
	snprintf(x->key, sizeof(x->key), "%s", loc.key);
	snprintf(x->enclave, sizeof(x->enclave), "%s", loc.enclave);
	cfgloc_free(&loc);
	if (aws_s3_get(x->a, x->region, x->bucket, x->key, NULL, false, &o,
		       r->msg, sizeof(r->msg)) < 0)
		return NULL;
	if (o.len > ERS_CONFIG_MAX || strlen(o.body) != o.len) {
		snprintf(r->msg, sizeof(r->msg),
			 "s3://%s/%s: not a text of at most 4 MiB", x->bucket,
			 x->key);
		aws_s3_object_free(&o);
		return NULL;
	}
	x->before = o.body;
	o.body = NULL;
	snprintf(x->etag, sizeof(x->etag), "%s", o.etag ? o.etag : "");
	snprintf(x->version, sizeof(x->version), "%s",
		 o.version_id ? o.version_id : "");
	snprintf(x->modified, sizeof(x->modified), "%s",
		 o.last_modified ? o.last_modified : "");
	aws_s3_object_free(&o);
	r->rc = 0;
	return NULL;
}

/*
 * Locate and read every node's config, every node at once (the plan of a
 * large fleet takes as long as its slowest node). 0, or -1 with the
 * first failure's message.
 */
/* A rollout's every node: refuse before anything when one's identity
 * cannot be had (each named), and say whose each is. */
static int er_access(struct ers *e, char *msg, size_t msgsize)
{
	char who[4096];

	if (awsid_require(e->f, NULL, 0, who, sizeof(who), msg, msgsize) < 0) {
		return -1;
	}
	if (who[0] && (e->o->dry_run || !awsid_uniform(e->f)))
		er_say(e, "AWS calls as:\n%s", who);
	return 0;
}

static int er_read_all(struct ers *e, char *msg, size_t msgsize)
{
	struct er_reader *r;
	pthread_t *th;
	bool *started;
	char region[64];
	size_t k;
	int rc = 0;

	if (e->f->nnodes > ERS_MAX_NODES) {
		snprintf(msg, msgsize,
			 "%zu nodes: more than bvops rolls out at once (%d)",
			 e->f->nnodes, ERS_MAX_NODES);
		return -1;
	}
	if (awscred_region(e->f->region, region, sizeof(region), msg, msgsize) <
	    0)
		return -1;
	e->nodes = xcalloc(e->f->nnodes + 1, sizeof(*e->nodes));
	r = xcalloc(e->f->nnodes + 1, sizeof(*r));
	th = xcalloc(e->f->nnodes + 1, sizeof(*th));
	started = xcalloc(e->f->nnodes + 1, sizeof(*started));
	for (k = 0; k < e->f->nnodes; k++) {
		struct en *x = &e->nodes[e->n++];

		x->n = &e->f->nodes[k];
		x->idx = k;
		x->a = awsid_client_node(e->f, x->n);
		r[k].x = x;
		r[k].region = region;
		started[k] =
		    pthread_create(&th[k], NULL, er_read_one, &r[k]) == 0;
		if (!started[k])
			er_read_one(&r[k]); /* no thread: here, then */
	}
	for (k = 0; k < e->f->nnodes; k++) {
		if (started[k])
			pthread_join(th[k], NULL);
		if (r[k].rc < 0 && rc == 0) {
			snprintf(msg, msgsize, "%s", r[k].msg);
			rc = -1;
		}
	}
	free(r);
	free(th);
	free(started);
	return rc;
}

/* Config objects in the nodes' buckets that no node of the fleet file
 * names: they would be left out of the rollout. */
static void er_warn_strays(struct ers *e)
{
	size_t k, j, i;

	for (k = 0; k < e->n; k++) {
		char **keys, msg[300];
		bool truncated, seen = false;

		for (j = 0; j < k; j++)
			if (strcmp(e->nodes[j].bucket, e->nodes[k].bucket) == 0)
				seen = true;
		if (seen || aws_s3_list_keys(e->nodes[k].a, e->nodes[k].region,
					     e->nodes[k].bucket, &keys,
					     &truncated, msg, sizeof(msg)) < 0)
			continue;
		for (i = 0; keys[i] != NULL; i++) {
			size_t len = strlen(keys[i]);
			bool ours = false;

			if (len < 12 ||
			    strcmp(keys[i] + len - 12, "/config.toml") != 0 ||
			    strncmp(keys[i], "backups/", 8) == 0)
				continue;
			for (j = 0; j < e->n; j++)
				if (strcmp(e->nodes[j].bucket,
					   e->nodes[k].bucket) == 0 &&
				    strcmp(e->nodes[j].key, keys[i]) == 0)
					ours = true;
			if (!ours)
				er_say(e,
				       "WARNING: s3://%s/%s is in no node of "
				       "%s: it is left as it is (add its node "
				       "to the fleet file if it is one)\n",
				       e->nodes[k].bucket, keys[i], e->f->path);
		}
		for (i = 0; keys[i] != NULL; i++)
			free(keys[i]);
		free(keys);
	}
}

static size_t er_changed(const struct ers *e)
{
	size_t k, c = 0;

	for (k = 0; k < e->n; k++)
		c += strcmp(e->nodes[k].before, e->nodes[k].after) != 0;
	return c;
}

/* bvops config lint over the configs as the rollout leaves them: said
 * with the plan, before the fleet's name is asked for. */
static void er_lint(struct ers *e)
{
	struct cfglint_input *in = xcalloc(e->n + 1, sizeof(*in));
	char **wheres = xcalloc(e->n + 1, sizeof(*wheres));
	struct buf b;
	size_t k;

	for (k = 0; k < e->n; k++) {
		const struct en *x = &e->nodes[k];

		wheres[k] = xasprintf("s3://%s/%s", x->bucket, x->key);
		in[k] = (struct cfglint_input){.node = x->n->name,
					       .index = x->n->index,
					       .where = wheres[k],
					       .text = x->after,
					       .len = strlen(x->after)};
	}
	buf_init(&b, 0);
	if (cfglint_run(in, e->n, &b) > 0) {
		char *text = buf_take(&b, NULL);

		er_say(e,
		       "WARNING: bvops config lint finds, in the configs as "
		       "they will be:\n%s",
		       text);
		free(text);
	}
	buf_free(&b);
	for (k = 0; k < e->n; k++)
		free(wheres[k]);
	free(wheres);
	free(in);
}

static void er_plan(struct ers *e)
{
	size_t k, stat = 0;

	for (k = 0; k < e->n; k++)
		stat += e->nodes[k].n->role == FLEET_ROLE_STATIC;
	er_say(e,
	       "ERS %s on fleet %s: %zu nodes (%zu static, %zu dynamic); "
	       "fragment: %s\n",
	       e->apply ? "apply" : "revert", e->f->name, e->n, stat,
	       e->n - stat, e->source);
	for (k = 0; k < e->n; k++) {
		const struct en *x = &e->nodes[k];
		size_t added = (size_t)cJSON_GetArraySize(
		    cJSON_GetObjectItem(x->record, "added"));

		er_say(e, "  %-12s %-7s s3://%s/%s: %s\n", x->n->name,
		       fleet_role_name(x->n->role), x->bucket, x->key,
		       strcmp(x->before, x->after) == 0 ? "no change"
		       : e->apply ? (added == 1 ? "1 key added" : "keys added")
				  : "ERS keys taken out");
	}
	er_say(e,
	       "Order (each step on every node at once; the next starts "
	       "when it is done on all):\n"
	       "  1 stop    stop every node, then wait until none answers "
	       "/ping and enclave_state shows no enclave (%llu s)\n"
	       "  2 backup  copy each config as read to "
	       "backups/ENCLAVE/config.toml.ID (its version id recorded)\n"
	       "  3 upload  each new config, only over the version read "
	       "(If-Match)\n"
	       "  4 start   start every node\n"
	       "  5 wait    until every /ping answers 200 (%llu s)\n"
	       "Auto-restart and paging are held for these nodes until it "
	       "ends.\n",
	       (unsigned long long)(e->o->stop_wait_ms / 1000),
	       (unsigned long long)(e->o->wait_ms / 1000));
	for (k = 0; k < e->n; k++) {
		const struct en *x = &e->nodes[k];
		char *an, *bn;

		if (strcmp(x->before, x->after) == 0)
			continue;
		an = xasprintf("%s s3://%s/%s", x->n->name, x->bucket, x->key);
		bn = xasprintf("%s %s", x->n->name,
			       e->apply ? "with ERS" : "without ERS");
		er_diff(e, x->before, x->after, an, bn);
		free(an);
		free(bn);
	}
	er_lint(e);
}

/* The operator types the fleet's name (or --yes). */
static bool er_confirm(struct ers *e, const char *what, char *msg,
		       size_t msgsize)
{
	return e->o->yes ||
	       procctx_confirm_name(e->ui, "the fleet's name", e->f->name, what,
				    msg, msgsize);
}

static cJSON *er_params(const struct ers *e)
{
	cJSON *p = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(p, "nodes");
	char hex[2 * SHA256_LEN + 1];
	size_t k;

	cJSON_AddStringToObject(p, "fragment", e->frag_text);
	cJSON_AddStringToObject(p, "source", e->source);
	for (k = 0; k < e->n; k++) {
		const struct en *x = &e->nodes[k];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "node", x->n->name);
		cJSON_AddStringToObject(o, "region", x->region);
		cJSON_AddStringToObject(o, "bucket", x->bucket);
		cJSON_AddStringToObject(o, "key", x->key);
		cJSON_AddStringToObject(o, "enclave", x->enclave);
		cJSON_AddStringToObject(o, "etag", x->etag);
		cJSON_AddStringToObject(o, "version", x->version);
		/* Never the texts themselves (a config holds keys and
		 * passwords): their hashes; S3's versions keep the texts, and
		 * the text after is made again from the one before. */
		sha256_hex(x->before, strlen(x->before), hex);
		cJSON_AddStringToObject(o, "before_sha256", hex);
		sha256_hex(x->after, strlen(x->after), hex);
		cJSON_AddStringToObject(o, "after_sha256", hex);
		cJSON_AddStringToObject(o, "restore_version",
					x->restore_version);
		cJSON_AddItemToObject(o, "record",
				      x->record ? cJSON_Duplicate(x->record, 1)
						: cJSON_CreateObject());
		cJSON_AddItemToArray(arr, o);
	}
	return p;
}

/* text, if its SHA-256 is want (hex): taken; else freed. */
static bool er_hash_is(char **text, const char *want)
{
	char hex[2 * SHA256_LEN + 1];

	if (*text == NULL)
		return false;
	sha256_hex(*text, strlen(*text), hex);
	if (strcmp(hex, want) == 0)
		return true;
	free(*text);
	*text = NULL;
	return false;
}

/* s3://bucket/key (version: that one; NULL the latest) as text, or NULL. */
static char *er_fetch(struct en *x, const char *key, const char *version)
{
	struct aws_s3_object o;
	char msg[300], *text = NULL;

	if (aws_s3_get(x->a, x->region, x->bucket, key, version, false, &o, msg,
		       sizeof(msg)) == 0 &&
	    o.len <= ERS_CONFIG_MAX && strlen(o.body) == o.len) {
		text = o.body;
		o.body = NULL;
	}
	aws_s3_object_free(&o);
	return text;
}

/*
 * Node x's texts again, from what its journal keeps (its hashes): the
 * config as read, from its S3 version (else from the procedure's backup
 * of it, else as stored now), then the text after, made again as the
 * plan made it (the fragment merged in, or what the apply added taken
 * out; else the version the revert restores). Each must be the text the
 * plan hashed. 0, or -1 with a message.
 */
static int er_texts_again(struct ers *e, struct en *x, const cJSON *o,
			  const char *id, char *msg, size_t msgsize)
{
	const char *bsha =
	    cJSON_GetStringValue(cJSON_GetObjectItem(o, "before_sha256"));
	const char *asha =
	    cJSON_GetStringValue(cJSON_GetObjectItem(o, "after_sha256"));
	char *bkey = xasprintf("backups/%s.%s", x->key, id), why[600];
	size_t len, removed;

	if (bsha == NULL || asha == NULL) {
		snprintf(msg, msgsize,
			 "%s: its journal keeps no hashes of %s's config "
			 "(from an older bvops): roll it back by hand from "
			 "s3://%s/backups/",
			 id, x->n->name, x->bucket);
		free(bkey);
		return -1;
	}
	if (x->version[0])
		x->before = er_fetch(x, x->key, x->version);
	if (!er_hash_is(&x->before, bsha))
		x->before = er_fetch(x, bkey, NULL);
	if (!er_hash_is(&x->before, bsha))
		x->before = er_fetch(x, x->key, NULL);
	free(bkey);
	if (!er_hash_is(&x->before, bsha)) {
		snprintf(msg, msgsize,
			 "%s's config as read for %s cannot be read back "
			 "(version %s, the backup, the object now: none is "
			 "it): roll back by hand from s3://%s/backups/",
			 x->n->name, id, x->version[0] ? x->version : "none",
			 x->bucket);
		return -1;
	}
	if (e->apply) {
		struct ersfrag fr;
		cJSON *rec = cJSON_CreateObject();

		if (ersfrag_parse("the fragment", e->frag_text,
				  strlen(e->frag_text), &fr, why,
				  sizeof(why)) == 0) {
			if (ersfrag_merge(x->before, strlen(x->before), &fr,
					  &x->after, &len, rec, why,
					  sizeof(why)) != 0)
				x->after = NULL;
			ersfrag_free(&fr);
		}
		cJSON_Delete(rec);
	} else if (ersfrag_unmerge(x->before, strlen(x->before), x->record,
				   &x->after, &len, &removed, why,
				   sizeof(why)) != 0) {
		x->after = NULL;
	}
	if (!er_hash_is(&x->after, asha) && x->restore_version[0])
		x->after = er_fetch(x, x->key, x->restore_version);
	if (!er_hash_is(&x->after, asha)) {
		snprintf(msg, msgsize,
			 "%s's config as %s planned it cannot be made again "
			 "(its hash differs): roll back by hand from "
			 "s3://%s/backups/",
			 x->n->name, id, x->bucket);
		return -1;
	}
	return 0;
}

/* Rebuild the rollout from journal id's begin record. */
static int er_from_journal(struct ers *e, const struct procjournal_view *v,
			   const char *id, char *msg, size_t msgsize)
{
	const cJSON *p = cJSON_GetObjectItem(v->begin, "params");
	const cJSON *arr = cJSON_GetObjectItem(p, "nodes"), *o;
	const char *kind =
	    cJSON_GetStringValue(cJSON_GetObjectItem(v->begin, "kind"));
	const char *s;

	e->apply = kind != NULL && strcmp(kind, "ers-apply") == 0;
	s = cJSON_GetStringValue(cJSON_GetObjectItem(p, "fragment"));
	e->frag_text = xstrdup(s ? s : "");
	s = cJSON_GetStringValue(cJSON_GetObjectItem(p, "source"));
	snprintf(e->source, sizeof(e->source), "%s", s ? s : "?");
	e->nodes =
	    xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*e->nodes));
	cJSON_ArrayForEach(o, arr)
	{
		const char *name =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "node"));
		const struct fleet_node *n =
		    name ? fleet_node_find(e->f, name) : NULL;
		struct en *x = &e->nodes[e->n];

		if (n == NULL) {
			snprintf(msg, msgsize,
				 "its node %s is not in %s (or its journal "
				 "is damaged)",
				 name ? name : "?", e->f->path);
			return -1;
		}
		x->n = n;
		x->idx = (size_t)(n - e->f->nodes);
		x->a = awsid_client_node(e->f, x->n);
		e->n++;
#define ER_COPY(field)                                                         \
	snprintf(x->field, sizeof(x->field), "%s",                             \
		 cJSON_GetStringValue(cJSON_GetObjectItem(o, #field))          \
		     ? cJSON_GetStringValue(cJSON_GetObjectItem(o, #field))    \
		     : "")
		ER_COPY(region);
		ER_COPY(bucket);
		ER_COPY(key);
		ER_COPY(enclave);
		ER_COPY(etag);
		ER_COPY(version);
		ER_COPY(restore_version);
#undef ER_COPY
		x->record =
		    cJSON_Duplicate(cJSON_GetObjectItem(o, "record"), 1);
		if (er_texts_again(e, x, o, id, msg, msgsize) < 0)
			return -1;
	}
	return 0;
}

/* ---- run ---- */

static void er_hold_all(struct ers *e, bool on)
{
	const char **names = xcalloc(e->n + 1, sizeof(*names));
	size_t k;

	for (k = 0; k < e->n; k++)
		names[k] = e->nodes[k].n->name;
	procctx_hold_all(e->f, e->state_dir, names, e->n, e->id, on, NULL, 0);
	free(names);
}

/* Run (resume or roll back) journal e->id under the lock. */
static int er_go(struct ers *e, bool rollback, char *msg, size_t msgsize)
{
	struct procedure_def def;
	char what[300], where[700], audit[600];
	int rc;

	er_def(e, &def);
	snprintf(what, sizeof(what), "ERS %s (%zu nodes)",
		 e->apply ? "apply" : "revert", e->n);
	e->lock_a = awsid_client_fleet(e->f);
	if (procctx_lock(e->f, e->lock_a, e->id, what, &e->lock, where,
			 sizeof(where), msg, msgsize) < 0)
		return PROC_STOPPED;
	e->locked = true;
	e->renewed_ms = clock_mono_ms();
	er_hold_all(e, true);
	er_say(e, "Procedure %s; the fleet lock is %s\n", e->id, where);
	if (e->ui->started != NULL)
		e->ui->started(e->ui->ctx, e->id);
	rc = rollback
		 ? procedure_rollback(&def, e->state_dir, e->id, msg, msgsize)
		 : procedure_resume(&def, e->state_dir, e->id, msg, msgsize);
	snprintf(what, sizeof(what), "%s%s", def.kind,
		 rollback ? " rollback" : "");
	snprintf(audit, sizeof(audit), "%s", rc == 0 ? "done" : msg);
	{
		char *result = xasprintf("%s%s", audit, e->note);
		char err[300];

		eventlog_audit(e->state_dir, what, NULL, result, err,
			       sizeof(err));
		free(result);
	}
	if (rc == 0) {
		er_hold_all(e, false);
		return PROC_OK;
	}
	{
		char *ways = procctx_ways_on(
		    e->ui->console, e->id,
		    "retry the nodes that failed, then go on",
		    "restore every config and start every node");

		er_say(e,
		       "Procedure %s stays open; every node is held from "
		       "auto-restart until it ends:\n%s",
		       e->id, ways);
		free(ways);
	}
	return PROC_STOPPED;
}

static int er_begin_go(struct ers *e, char **id, char *msg, size_t msgsize)
{
	struct procedure_def def;
	const char **names = xcalloc(e->n + 1, sizeof(*names));
	cJSON *p = er_params(e);
	char *pid;
	size_t k;
	int rc;

	for (k = 0; k < e->n; k++)
		names[k] = e->nodes[k].n->name;
	er_def(e, &def);
	rc = procedure_begin(&def, e->state_dir, e->f->name, names, e->n, p,
			     &pid, msg, msgsize);
	cJSON_Delete(p);
	free(names);
	if (rc < 0)
		return PROC_REFUSED;
	snprintf(e->id, sizeof(e->id), "%s", pid);
	if (id != NULL)
		*id = pid;
	else
		free(pid);
	rc = er_go(e, false, msg, msgsize);
	if (rc != PROC_OK && !e->locked) {
		/* The lock was not ours: nothing was done, and the journal
		 * says so rather than staying open. */
		char err[300];

		procedure_abandon(e->state_dir, e->id, err, sizeof(err));
	}
	return rc;
}

static void er_newest(const char *state_dir, char *out, size_t size,
		      struct procjournal_view *v, bool *found);

/* After the plan: stop at a dry run, else the typed fleet name, then the
 * procedure. An exit code. */
static int er_confirm_go(struct ers *e, const char *what, char **id, char *msg,
			 size_t msgsize)
{
	if (e->o->dry_run) {
		er_say(e, "dry run: nothing changed\n");
		return PROC_OK;
	}
	{
		const char **names = xcalloc(e->n + 1, sizeof(*names));
		size_t k;
		int rc;

		for (k = 0; k < e->n; k++)
			names[k] = e->nodes[k].n->name;
		rc = procctx_before(e->f, e->state_dir, names, e->n,
				    e->apply ? "ERS apply" : "ERS revert", true,
				    e->o->yes, e->o->force, e->ui, e->note,
				    sizeof(e->note), msg, msgsize);
		if (rc == PROC_OK)
			procctx_say_quorum(e->f, names, e->n, e->ui);
		free(names);
		if (rc != PROC_OK)
			return rc;
	}
	if (!er_confirm(e, what, msg, msgsize))
		return PROC_STOPPED;
	return er_begin_go(e, id, msg, msgsize);
}

int ers_apply(const struct fleet *f, const char *state_dir,
	      const struct ers_opts *o, const struct procedure_ui *ui,
	      char **id, char *msg, size_t msgsize)
{
	struct ers e;
	struct ersfrag fr;
	struct buf conflicts;
	size_t k;
	int rc;

	if (id != NULL)
		*id = NULL;
	er_init(&e, f, state_dir, o, ui);
	e.apply = true;
	{
		struct procjournal_view v;
		char last[200];
		bool found, open;

		er_newest(state_dir, last, sizeof(last), &v, &found);
		open = found && v.outcome == NULL;
		if (open) {
			char where[300];

			procedure_describe(&v, where, sizeof(where));
			snprintf(msg, msgsize,
				 "the ERS procedure %s is not finished (%s): "
				 "bvops procedure resume | rollback | abandon "
				 "%s first",
				 last, where, last);
		}
		if (found)
			procjournal_view_free(&v);
		if (open) {
			er_free(&e);
			return PROC_STOPPED;
		}
	}
	if (er_fragment(&e, &fr, msg, msgsize) < 0) {
		er_free(&e);
		return PROC_REFUSED;
	}
	if (er_access(&e, msg, msgsize) < 0 ||
	    er_read_all(&e, msg, msgsize) < 0) {
		ersfrag_free(&fr);
		er_free(&e);
		return PROC_REMOTE;
	}
	buf_init(&conflicts, 0);
	for (k = 0; k < e.n; k++) {
		struct en *x = &e.nodes[k];
		size_t len;
		char why[4096];

		x->record = cJSON_CreateObject();
		rc = ersfrag_merge(x->before, strlen(x->before), &fr, &x->after,
				   &len, x->record, why, sizeof(why));
		if (rc != 0)
			buf_printf(&conflicts, "  %s (s3://%s/%s):\n    %s\n",
				   x->n->name, x->bucket, x->key, why);
	}
	ersfrag_free(&fr);
	if (conflicts.len > 0) {
		er_say(&e,
		       "The fragment conflicts with what these configs "
		       "hold; nothing changed:\n%s",
		       conflicts.data);
		snprintf(msg, msgsize,
			 "the ERS fragment conflicts with existing values "
			 "(above): nothing changed");
		buf_free(&conflicts);
		er_free(&e);
		return PROC_STOPPED;
	}
	buf_free(&conflicts);
	er_plan(&e);
	er_warn_strays(&e);
	if (er_changed(&e) == 0) {
		er_say(&e, "Every node's config has the ERS configuration "
			   "already: nothing to do.\n");
		er_free(&e);
		return PROC_OK;
	}
	rc = er_confirm_go(&e, "stop every node and add ERS", id, msg, msgsize);
	if (rc == PROC_OK && !o->dry_run)
		er_say(&e,
		       "ERS is ACTIVE on all %zu nodes (procedure %s). When "
		       "the recovery is done: %s\n",
		       e.n, e.id,
		       ui->console ? "V, then r revert" : "bvops ers revert");
	er_free(&e);
	return rc;
}

/* ---- revert ---- */

/* The newest ERS journal: its id in out (or "" when none). */
static void er_newest(const char *state_dir, char *out, size_t size,
		      struct procjournal_view *v, bool *found)
{
	char **ids, msg[300];
	size_t count, k;

	*found = false;
	out[0] = '\0';
	if (procjournal_list(state_dir, &ids, &count, msg, sizeof(msg)) < 0)
		return;
	/* Newest first, by the journals' own sequence (not the second in
	 * their ids: two begun in one second keep their order). */
	for (k = 0; k < count && !*found; k++) {
		if (strstr(ids[k], "-ers-") != NULL &&
		    procjournal_read(state_dir, ids[k], v, msg, sizeof(msg)) ==
			0) {
			const char *kind = cJSON_GetStringValue(
			    cJSON_GetObjectItem(v->begin, "kind"));

			/* A revert rolled back (or never started) changed
			 * nothing: the apply before it is still what is on
			 * the nodes. */
			if (kind != NULL && strcmp(kind, "ers-revert") == 0 &&
			    v->outcome != NULL &&
			    (strcmp(v->outcome, "rolled_back") == 0 ||
			     (strcmp(v->outcome, "abandoned") == 0 &&
			      v->last == NULL))) {
				procjournal_view_free(v);
				continue;
			}
			if (ers_kind(kind)) {
				snprintf(out, size, "%s", ids[k]);
				*found = true;
			} else {
				procjournal_view_free(v);
			}
		}
	}
	for (k = 0; k < count; k++)
		free(ids[k]);
	free(ids);
}

int ers_revert(const struct fleet *f, const char *state_dir,
	       const struct ers_opts *o, const struct procedure_ui *ui,
	       char **id, char *msg, size_t msgsize)
{
	struct ers e, applied;
	struct procjournal_view v;
	struct ersfrag fr;
	struct buf conflicts;
	char last[200];
	bool found, have_fr = false, from_journal = false;
	size_t k;
	int rc;

	if (id != NULL)
		*id = NULL;
	er_init(&e, f, state_dir, o, ui);
	er_init(&applied, f, state_dir, o, ui);
	er_newest(state_dir, last, sizeof(last), &v, &found);
	if (found && v.outcome == NULL) {
		char where[300];
		bool was_apply =
		    strcmp(cJSON_GetStringValue(
			       cJSON_GetObjectItem(v.begin, "kind")),
			   "ers-apply") == 0;

		procedure_describe(&v, where, sizeof(where));
		procjournal_view_free(&v);
		er_free(&applied);
		er_free(&e);
		if (!was_apply) {
			snprintf(msg, msgsize,
				 "the revert %s is not finished (%s): bvops "
				 "procedure resume %s",
				 last, where, last);
			return PROC_STOPPED;
		}
		/* An interrupted apply: revert is its rollback. */
		{
			struct ers r;
			char q[300];

			er_init(&r, f, state_dir, o, ui);
			er_say(&r,
			       "The apply %s did not finish (%s). Reverting "
			       "rolls it back: every node stopped, every "
			       "config it changed put back as it was, every "
			       "node started and waited for.\n",
			       last, where);
			snprintf(q, sizeof(q), "roll back %s", last);
			if (o->dry_run) {
				er_say(&r, "dry run: nothing changed\n");
				er_free(&r);
				return PROC_OK;
			}
			if (!er_confirm(&r, q, msg, msgsize)) {
				er_free(&r);
				return PROC_STOPPED;
			}
			er_free(&r);
		}
		if (id != NULL)
			*id = xstrdup(last);
		return ers_continue(f, state_dir, last, true, o, ui, msg,
				    msgsize);
	}
	if (found &&
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "kind")),
		   "ers-apply") == 0 &&
	    strcmp(v.outcome, "done") == 0) {
		from_journal =
		    er_from_journal(&applied, &v, last, msg, msgsize) == 0;
		if (!from_journal) {
			procjournal_view_free(&v);
			er_free(&applied);
			er_free(&e);
			return PROC_REFUSED;
		}
		snprintf(e.source, sizeof(e.source), "what %s added", last);
		e.frag_text = xstrdup(applied.frag_text);
	}
	if (found)
		procjournal_view_free(&v);
	if (!from_journal) {
		if (o->preset == NULL && o->fragment == NULL) {
			snprintf(msg, msgsize,
				 "no ERS apply by bvops to revert (none since "
				 "the last revert): for one made by hand, give "
				 "the fragment (--fragment FILE or --preset "
				 "NAME)");
			er_free(&applied);
			er_free(&e);
			return PROC_REFUSED;
		}
		if (er_fragment(&e, &fr, msg, msgsize) < 0) {
			er_free(&applied);
			er_free(&e);
			return PROC_REFUSED;
		}
		have_fr = true;
	}
	if (er_access(&e, msg, msgsize) < 0 ||
	    er_read_all(&e, msg, msgsize) < 0) {
		if (have_fr)
			ersfrag_free(&fr);
		er_free(&applied);
		er_free(&e);
		return PROC_REMOTE;
	}
	buf_init(&conflicts, 0);
	for (k = 0; k < e.n; k++) {
		struct en *x = &e.nodes[k];
		struct en *a =
		    from_journal ? er_node(&applied, x->n->name) : NULL;
		size_t len, removed;
		char why[4096];

		if (from_journal && a == NULL) {
			x->after = xstrdup(x->before);
			continue; /* not in that apply */
		}
		if (a != NULL && strcmp(x->before, a->after) == 0) {
			/* Unchanged since the apply: exactly as it was. */
			x->after = xstrdup(a->before);
			x->record = cJSON_Duplicate(a->record, 1);
			snprintf(x->restore_version, sizeof(x->restore_version),
				 "%s", a->version);
			continue;
		}
		x->record =
		    a ? cJSON_Duplicate(a->record, 1) : ersfrag_record(&fr);
		rc = ersfrag_unmerge(x->before, strlen(x->before), x->record,
				     &x->after, &len, &removed, why,
				     sizeof(why));
		if (rc != 0) {
			buf_printf(&conflicts, "  %s (s3://%s/%s):\n    %s\n",
				   x->n->name, x->bucket, x->key, why);
			x->after = xstrdup(x->before);
		} else if (a != NULL) {
			er_say(&e,
			       "%s: its config changed since %s; those "
			       "changes are kept:\n",
			       x->n->name, last);
			er_diff(&e, a->after, x->before, "after the apply",
				"stored now");
		}
	}
	if (have_fr)
		ersfrag_free(&fr);
	er_free(&applied);
	if (conflicts.len > 0) {
		er_say(&e,
		       "These configs changed what the apply added; nothing "
		       "changed:\n%s",
		       conflicts.data);
		snprintf(msg, msgsize,
			 "ERS keys changed since they were added (above): "
			 "nothing changed");
		buf_free(&conflicts);
		er_free(&e);
		return PROC_STOPPED;
	}
	buf_free(&conflicts);
	er_plan(&e);
	if (er_changed(&e) == 0) {
		char err[300];

		er_say(&e, "No node's config has the ERS configuration: "
			   "nothing to revert.\n");
		for (k = 0; k < e.n && !o->dry_run; k++)
			er_mark(&e, e.nodes[k].n->name, false, err,
				sizeof(err));
		er_free(&e);
		return PROC_OK;
	}
	rc = er_confirm_go(&e, "stop every node and take ERS out", id, msg,
			   msgsize);
	if (rc == PROC_OK && !o->dry_run)
		er_say(&e,
		       "ERS configuration taken out of all %zu nodes; every "
		       "node is up (procedure %s).\n",
		       e.n, e.id);
	er_free(&e);
	return rc;
}

/* ---- continue, abandon ---- */

int ers_continue(const struct fleet *f, const char *state_dir, const char *id,
		 bool rollback, const struct ers_opts *o,
		 const struct procedure_ui *ui, char *msg, size_t msgsize)
{
	struct ers e;
	struct procjournal_view v;
	int rc;

	if (procjournal_read(state_dir, id, &v, msg, msgsize) < 0)
		return PROC_REFUSED;
	if (v.outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
			 v.outcome);
		procjournal_view_free(&v);
		return PROC_STOPPED;
	}
	er_init(&e, f, state_dir, o, ui);
	{
		/* Before anything is read of the nodes: whose they are. */
		const cJSON *n;
		const char **names =
		    xcalloc((size_t)cJSON_GetArraySize(
				cJSON_GetObjectItem(v.begin, "nodes")) +
				1,
			    sizeof(*names));
		size_t count = 0;

		cJSON_ArrayForEach(n, cJSON_GetObjectItem(v.begin, "nodes"))
		{
			if (cJSON_IsString(n))
				names[count++] = n->valuestring;
		}
		rc = procctx_before(f, state_dir, names, count,
				    rollback ? "roll back" : "resume", true,
				    o->yes, o->force, ui, e.note,
				    sizeof(e.note), msg, msgsize);
		free(names);
		if (rc != PROC_OK) {
			procjournal_view_free(&v);
			er_free(&e);
			return rc;
		}
	}
	rc = er_from_journal(&e, &v, id, msg, msgsize);
	if (rc < 0) {
		procjournal_view_free(&v);
		er_free(&e);
		return PROC_REFUSED;
	}
	snprintf(e.id, sizeof(e.id), "%s", id);
	{
		struct procedure_def def;

		/* Only when what is left stops nodes. */
		er_def(&e, &def);
		if (!procctx_confirm_continue(f, &def, &v, rollback, o->yes, ui,
					      id, msg, msgsize)) {
			procjournal_view_free(&v);
			er_free(&e);
			return PROC_STOPPED;
		}
	}
	procjournal_view_free(&v);
	rc = er_go(&e, rollback, msg, msgsize);
	if (rc == PROC_OK)
		er_say(&e, "%s: %s\n", id,
		       rollback  ? "rolled back: every config as it was, "
				   "every node up"
		       : e.apply ? "done: ERS is ACTIVE on every node"
				 : "done: the ERS configuration is out of "
				   "every node");
	er_free(&e);
	return rc;
}

/* ---- status ---- */

/* An HTTP date ("Sat, 28 Nov 2026 00:26:12 GMT") in ms, or 0. */
static int64_t er_http_date(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return end != NULL ? (int64_t)timegm(&tm) * 1000 : 0;
}

/* When bvops last started or restarted node (ms), from its journals. */
static int64_t er_last_start(const char *state_dir, const char *node)
{
	char **ids, msg[300];
	size_t count, k;
	int64_t best = 0;

	if (procjournal_list(state_dir, &ids, &count, msg, sizeof(msg)) < 0)
		return 0;
	for (k = 0; k < count; k++) {
		struct procjournal_view v;

		if (procjournal_read(state_dir, ids[k], &v, msg, sizeof(msg)) ==
		    0) {
			const cJSON *r;

			cJSON_ArrayForEach(r, v.records)
			{
				const char *step = cJSON_GetStringValue(
				    cJSON_GetObjectItem(r, "step"));
				const char *n = cJSON_GetStringValue(
				    cJSON_GetObjectItem(r, "node"));
				const char *st = cJSON_GetStringValue(
				    cJSON_GetObjectItem(r, "state"));
				const char *t = cJSON_GetStringValue(
				    cJSON_GetObjectItem(r, "time"));
				int64_t ms;

				if (step == NULL || n == NULL || st == NULL ||
				    t == NULL || strcmp(n, node) != 0 ||
				    strcmp(st, "done") != 0 ||
				    (strcmp(step, "start") != 0 &&
				     strcmp(step, "restart") != 0))
					continue;
				ms = timefmt_iso8601_parse(t);
				if (ms > best)
					best = ms;
			}
			procjournal_view_free(&v);
		}
		free(ids[k]);
	}
	free(ids);
	return best;
}

int ers_status(const struct fleet *f, const char *state_dir,
	       const struct ers_opts *o, cJSON **out, char *msg, size_t msgsize)
{
	static const struct procedure_ui quiet = {0};
	struct ers e;
	struct ersfrag fr;
	struct procjournal_view v;
	char last[200];
	bool found, have_fr = false;
	cJSON *arr;
	size_t k, with = 0, without = 0, partial = 0;
	int rc = PROC_OK;

	*out = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(*out, "nodes");
	er_init(&e, f, state_dir, o, &quiet);
	er_newest(state_dir, last, sizeof(last), &v, &found);
	if (found) {
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(v.begin, "params"), "fragment"));
		cJSON *p = cJSON_AddObjectToObject(*out, "procedure");
		char where[300];

		procedure_describe(&v, where, sizeof(where));
		cJSON_AddStringToObject(p, "id", last);
		cJSON_AddStringToObject(
		    p, "kind",
		    cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "kind")));
		cJSON_AddStringToObject(p, "state", where);
		cJSON_AddBoolToObject(p, "open", v.outcome == NULL);
		if (v.outcome == NULL)
			rc = PROC_STOPPED;
		if (o->preset == NULL && o->fragment == NULL && s != NULL &&
		    ersfrag_parse("the last ERS procedure's fragment", s,
				  strlen(s), &fr, msg, msgsize) == 0) {
			have_fr = true;
			snprintf(e.source, sizeof(e.source),
				 "the fragment of %s", last);
		}
		procjournal_view_free(&v);
	}
	if (!have_fr && (o->preset != NULL || o->fragment != NULL)) {
		if (er_fragment(&e, &fr, msg, msgsize) < 0) {
			er_free(&e);
			return PROC_REFUSED;
		}
		have_fr = true;
	}
	if (!have_fr) {
		/* Nothing recorded: the first preset found decides. */
		if (ersfrag_parse(
			"preset", ersfrag_preset_text(ersfrag_preset_names[0]),
			strlen(ersfrag_preset_text(ersfrag_preset_names[0])),
			&fr, msg, msgsize) < 0) {
			er_free(&e);
			return PROC_REFUSED;
		}
		snprintf(e.source, sizeof(e.source), "preset %s",
			 ersfrag_preset_names[0]);
	}
	cJSON_AddStringToObject(*out, "fragment", e.source);
	if (er_access(&e, msg, msgsize) < 0 ||
	    er_read_all(&e, msg, msgsize) < 0) {
		ersfrag_free(&fr);
		er_free(&e);
		cJSON_AddStringToObject(*out, "error", msg);
		return PROC_REMOTE;
	}
	for (k = 0; k < e.n; k++) {
		struct en *x = &e.nodes[k];
		cJSON *o2 = cJSON_CreateObject();
		int has = ersfrag_present(x->before, strlen(x->before), &fr);
		int64_t changed = er_http_date(x->modified);
		int64_t started = er_last_start(state_dir, x->n->name);
		char iso[40];

		if (has == 0 && e.source[0] == 'p' && !found) {
			/* Try the other preset too. */
			struct ersfrag other;
			char err[300];
			const char *t =
			    ersfrag_preset_text(ersfrag_preset_names[1]);

			if (ersfrag_parse("preset", t, strlen(t), &other, err,
					  sizeof(err)) == 0) {
				has = ersfrag_present(
				    x->before, strlen(x->before), &other);
				ersfrag_free(&other);
			}
		}
		cJSON_AddStringToObject(o2, "node", x->n->name);
		cJSON_AddStringToObject(o2, "role",
					fleet_role_name(x->n->role));
		cJSON_AddStringToObject(o2, "config",
					has == 1   ? "ers"
					: has == 0 ? "none"
					: has == 2 ? "partial"
						   : "invalid");
		if (changed > 0) {
			timefmt_iso8601(changed, false, iso, sizeof(iso));
			cJSON_AddStringToObject(o2, "config_changed", iso);
		}
		if (started > 0) {
			timefmt_iso8601(started, false, iso, sizeof(iso));
			cJSON_AddStringToObject(o2, "started", iso);
		}
		/* S3 keeps whole seconds: a start in the same second as
		 * the upload counts as after it. */
		cJSON_AddStringToObject(o2, "started_after_change",
					started == 0 || changed == 0 ? "unknown"
					: started / 1000 >= changed / 1000
					    ? "yes"
					    : "no");
		{
			char *mark = marks_ers_path(state_dir, x->n->name);

			cJSON_AddBoolToObject(o2, "marked",
					      access(mark, F_OK) == 0);
			free(mark);
		}
		cJSON_AddItemToArray(arr, o2);
		with += has == 1;
		without += has == 0;
		partial += has != 1 && has != 0;
	}
	if (partial == 0 && without == 0)
		cJSON_AddStringToObject(*out, "fleet", "ers");
	else if (partial == 0 && with == 0)
		cJSON_AddStringToObject(*out, "fleet", "none");
	else
		cJSON_AddStringToObject(*out, "fleet", "mixed");
	if (partial > 0 || (with > 0 && without > 0))
		rc = PROC_STOPPED;
	ersfrag_free(&fr);
	er_free(&e);
	return rc;
}
