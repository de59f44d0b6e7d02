#include "proc/debugmode.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/aws_cfn.h"
#include "aws/aws_kms.h"
#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/diff.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "proc/cfgedit.h"
#include "proc/fleetlock.h"
#include "proc/keypolicy.h"
#include "proc/nodewait.h"
#include "proc/procctx.h"
#include "proc/procedure.h"
#include "proc/procstatus.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/kmspolicy.h"
#include "state/marks.h"
#include "state/procjournal.h"
#include "state/shareddoc.h"
#include "state/statedir.h"
#include "transport/transport.h"

/* One debug-mode procedure under way. */
struct dm {
	const struct fleet *f;
	const struct fleet_node *n;
	const char *state_dir;
	const struct debugmode_opts *o;
	const struct procedure_ui *ui;
	struct aws_client *a;      /* the node's identity */
	struct aws_client *lock_a; /* the fleet's: the lock */
	char region[64];           /* the key's (the node's config region) */
	char key[256];
	char bucket[256];
	char enclave[128];
	char *original; /* the policy before debug mode, exactly */
	char *debug;    /* enter: the debug policy; exit: the text to replace */
	char id[200];
	struct fleetlock lock;
	bool locked;
	int64_t renewed_ms; /* the lock, last renewed */
	char note[1200];    /* for the audit: forced over whom, offline */
};

static void dm_say(struct dm *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void dm_say(struct dm *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	d->ui->say(d->ui->ctx, s);
	free(s);
}

static void dm_free(struct dm *d)
{
	if (d->locked) {
		char msg[300];

		fleetlock_release(d->lock_a, &d->lock, msg, sizeof(msg));
	}
	aws_client_free(d->a);
	aws_client_free(d->lock_a);
	free(d->original);
	free(d->debug);
}

/* STATE/debug/NAME.json, or STATE/debug/backups/ID.policy.json. */
static char *dm_path(const struct dm *d, bool backup, const char *name)
{
	return backup ? statedir_file(d->state_dir, "debug/backups", name,
				      ".policy.json")
		      : statedir_file(d->state_dir, "debug", name, ".json");
}

static int dm_mkdirs(const char *state_dir, char *msg, size_t msgsize)
{
	char *a = statedir_file(state_dir, "debug", NULL, NULL);
	char *b = statedir_file(state_dir, "debug/backups", NULL, NULL);
	int rc = 0;

	if ((mkdir(a, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(b, 0700) < 0 && errno != EEXIST)) {
		snprintf(msg, msgsize, "%s: %s", b, strerror(errno));
		rc = -1;
	}
	free(a);
	free(b);
	return rc;
}

/* The region and the key: the node's config location, then its stack. */
/* Every AWS call of the procedure is the node's: refuse before anything
 * when its identity cannot be had, and say whose it is. */
static int dm_access(struct dm *d, char *msg, size_t msgsize)
{
	const struct fleet_node *one[1] = {d->n};
	char who[1024];

	if (awsid_require(d->f, one, 1, who, sizeof(who), msg, msgsize) < 0) {
		return -1;
	}
	if (who[0] && (d->o->dry_run || !awsid_uniform(d->f)))
		dm_say(d, "AWS calls as:\n%s", who);
	return 0;
}

static int dm_connect(struct dm *d, char *msg, size_t msgsize)
{
	struct cfgloc loc;

	if (dm_access(d, msg, msgsize) < 0)
		return -1;
	d->a = awsid_client_node(d->f, d->n);
	if (keypolicy_node_key(d->f, d->n, d->a, d->region, sizeof(d->region),
			       d->key, sizeof(d->key), &loc, msg, msgsize) < 0)
		return -1;
	snprintf(d->bucket, sizeof(d->bucket), "%s", loc.bucket);
	snprintf(d->enclave, sizeof(d->enclave), "%s", loc.enclave);
	cfgloc_free(&loc);
	return 0;
}

static void dm_diff(struct dm *d, const char *a, const char *b, const char *an,
		    const char *bn)
{
	char *t =
	    diff_unified(a, strlen(a), b, strlen(b), an, bn, d->ui->colour);

	dm_say(d, "%s", t);
	free(t);
}

/* The operator types the node's name (or --yes). */
static bool dm_confirm(struct dm *d, const char *what, char *msg,
		       size_t msgsize)
{
	return d->o->yes ||
	       procctx_confirm_name(d->ui, "the node's name", d->n->name, what,
				    msg, msgsize);
}

/* ---- the steps ---- */

static const char *dm_param(const struct procjournal_view *v, const char *name)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(v->begin, "params"), name));
}

/* Put text as the key policy, then read it back: it must be text. */
static int dm_put_verify(struct dm *d, const char *text, char *msg,
			 size_t msgsize)
{
	char *back;
	int same;

	if (aws_kms_put_key_policy(d->a, d->region, d->key, text, msg,
				   msgsize) < 0) {
		/* No answer, or a 5xx after the retries: it may have been
		 * put all the same. Read back; only what KMS holds counts. */
		char why[600];

		snprintf(why, sizeof(why), "%s", msg);
		back = aws_kms_get_key_policy(d->a, d->region, d->key, msg,
					      msgsize);
		same = back != NULL && strcmp(back, text) == 0;
		free(back);
		if (!same) {
			snprintf(msg, msgsize, "%s", why);
			return -1;
		}
		dm_say(d,
		       "the key policy's put had no answer (%s); read back, "
		       "it is the one put\n",
		       why);
		return 0;
	}
	back = aws_kms_get_key_policy(d->a, d->region, d->key, msg, msgsize);
	if (back == NULL)
		return -1;
	same = strcmp(back, text) == 0;
	free(back);
	if (!same) {
		snprintf(msg, msgsize,
			 "the key policy read back is not the one put: "
			 "look at it (aws kms get-key-policy --key-id %s)",
			 d->key);
		return -1;
	}
	return 0;
}

static int enter_backup(void *ctx, const char *node,
			const struct procjournal_view *v, cJSON *data,
			char *msg, size_t msgsize)
{
	struct dm *d = ctx;
	char *path = dm_path(d, true, d->id);
	struct aws_s3_object put;
	size_t len;
	char *had;
	int rc;

	(void)node, (void)v;
	if (dm_mkdirs(d->state_dir, msg, msgsize) < 0) {
		free(path);
		return -1;
	}
	/* Safe to repeat: a backup already there must be this text. */
	had = buf_read_whole(path, (size_t)1 << 20, &len, msg, msgsize);
	if (had != NULL) {
		rc = strcmp(had, d->original) == 0 ? 0 : -1;
		if (rc < 0)
			snprintf(msg, msgsize, "%s holds another text", path);
		free(had);
	} else {
		rc = buf_write_file(path, d->original, strlen(d->original),
				    true, msg, msgsize);
	}
	cJSON_AddStringToObject(data, "file", path);
	free(path);
	if (rc < 0)
		return -1;
	if (d->bucket[0]) {
		char *key = xasprintf("backups/kms-policy/%s.%s.json",
				      d->enclave, d->id);
		char *tags =
		    xasprintf("bvops=kms-policy-backup&node=%s", d->n->name);

		rc = aws_s3_put_tagged(d->a, d->region, d->bucket, key,
				       d->original, strlen(d->original),
				       "application/json", tags, &put, msg,
				       msgsize);
		if (rc == 0)
			aws_s3_object_free(&put);
		if (rc == -2)
			rc = 0; /* there from a run before the crash */
		if (rc == 0) {
			char *s3 = xasprintf("s3://%s/%s", d->bucket, key);

			cJSON_AddStringToObject(data, "s3", s3);
			dm_say(d, "backup of the policy: %s\n", s3);
			free(s3);
		}
		free(key);
		free(tags);
	}
	return rc;
}

static int enter_policy(void *ctx, const char *node,
			const struct procjournal_view *v, cJSON *data,
			char *msg, size_t msgsize)
{
	struct dm *d = ctx;
	char *cur =
	    aws_kms_get_key_policy(d->a, d->region, d->key, msg, msgsize);
	int rc = -1;

	(void)node, (void)v, (void)data;
	if (cur == NULL)
		return -1;
	if (strcmp(cur, d->debug) == 0) {
		rc = 0; /* put before a crash */
	} else if (strcmp(cur, d->original) != 0) {
		snprintf(msg, msgsize,
			 "the key policy changed since it was read: not "
			 "changed (%s again)",
			 d->ui->console ? "D" : "run bvops debug enter");
	} else if (dm_put_verify(d, d->debug, msg, msgsize) == 0) {
		dm_say(d, "key policy: PCR8 is now 96 zeros (read back)\n");
		rc = 0;
	}
	free(cur);
	return rc;
}

static int enter_policy_undo(void *ctx, const char *node, const cJSON *data,
			     char *msg, size_t msgsize)
{
	struct dm *d = ctx;
	char *cur =
	    aws_kms_get_key_policy(d->a, d->region, d->key, msg, msgsize);
	int rc = -1;

	(void)node, (void)data;
	if (cur == NULL)
		return -1;
	if (strcmp(cur, d->original) == 0) {
		rc = 0;
	} else if (strcmp(cur, d->debug) != 0) {
		dm_say(d, "the key policy changed since debug mode was "
			  "entered:\n");
		dm_diff(d, d->debug, cur, "as bvops put it", "now");
		snprintf(msg, msgsize,
			 "someone changed the key policy: not restored over "
			 "their change (%s shows it and asks)",
			 d->ui->console ? "X" : "bvops debug exit");
	} else if (dm_put_verify(d, d->original, msg, msgsize) == 0) {
		dm_say(d, "key policy: the original, byte for byte\n");
		rc = 0;
	}
	free(cur);
	return rc;
}

static int dm_run(struct dm *d, enum fleet_cmd cmd, char *msg, size_t msgsize)
{
	struct transport *t = transport_new(d->f);
	struct transport_result r;
	int rc;

	dm_say(d, "%s: %s...\n", d->n->name, fleet_cmd_name(cmd));
	rc = transport_run(t, d->n, cmd, (long)d->f->health.restart_timeout_ms,
			   4096, &r, msg, msgsize);
	if (rc == 0 && r.exit_status != 0) {
		snprintf(msg, msgsize, "%s of %s failed (exit %d): %s",
			 fleet_cmd_name(cmd), d->n->name, r.exit_status,
			 r.err_len ? r.err : r.out);
		rc = -1;
	}
	transport_result_free(&r);
	transport_free(t);
	return rc;
}

static int enter_restart(void *ctx, const char *node,
			 const struct procjournal_view *v, cJSON *data,
			 char *msg, size_t msgsize)
{
	(void)node, (void)v, (void)data;
	return dm_run(ctx, FLEET_CMD_DEBUG_RESTART, msg, msgsize);
}

static int enter_restart_undo(void *ctx, const char *node, const cJSON *data,
			      char *msg, size_t msgsize)
{
	(void)node, (void)data;
	return dm_run(ctx, FLEET_CMD_PROTECTED_RESTART, msg, msgsize);
}

static int enter_mark(void *ctx, const char *node,
		      const struct procjournal_view *v, cJSON *data, char *msg,
		      size_t msgsize)
{
	struct dm *d = ctx;
	const cJSON *backup = procedure_data(v, "backup", d->n->name);
	const char *s3 =
	    cJSON_GetStringValue(cJSON_GetObjectItem(backup, "s3"));
	char since[40];
	cJSON *o = cJSON_CreateObject();
	int rc;

	(void)node;
	{
		/* The console's record from now until debug exit (kept by a
		 * watch or a console of the fleet): named in the journal. */
		char *rec = marks_debug_record_path(d->state_dir, d->n->name);

		cJSON_AddStringToObject(data, "console_record", rec);
		free(rec);
	}
	timefmt_iso8601(clock_now_ms(), false, since, sizeof(since));
	cJSON_AddStringToObject(o, "node", d->n->name);
	cJSON_AddStringToObject(o, "since", since);
	cJSON_AddStringToObject(o, "procedure", d->id);
	cJSON_AddStringToObject(o, "key", d->key);
	cJSON_AddStringToObject(o, "region", d->region);
	cJSON_AddStringToObject(o, "backup", s3 ? s3 : "");
	/* In the fleet's shared state: every operator sees whose session
	 * it is, and can end it when its owner is gone. */
	rc = shared_change(d->f, d->state_dir,
			   shareddoc_op_mark("debug", d->n->name, o), NULL, msg,
			   msgsize);
	cJSON_Delete(o);
	return rc;
}

static int dm_unmark(void *ctx, const char *node, char *msg, size_t msgsize)
{
	struct dm *d = ctx;

	(void)node;
	return shared_change(d->f, d->state_dir,
			     shareddoc_op_mark("debug", d->n->name, NULL), NULL,
			     msg, msgsize);
}

static int enter_mark_undo(void *ctx, const char *node, const cJSON *data,
			   char *msg, size_t msgsize)
{
	(void)data;
	return dm_unmark(ctx, node, msg, msgsize);
}

static int exit_policy(void *ctx, const char *node,
		       const struct procjournal_view *v, cJSON *data, char *msg,
		       size_t msgsize)
{
	struct dm *d = ctx;
	char *cur =
	    aws_kms_get_key_policy(d->a, d->region, d->key, msg, msgsize);
	int rc = -1;

	(void)node, (void)v, (void)data;
	if (cur == NULL)
		return -1;
	if (strcmp(cur, d->original) == 0) {
		dm_say(d, "key policy: already the original\n");
		rc = 0;
	} else if (strcmp(cur, d->debug) != 0) {
		snprintf(msg, msgsize,
			 "the key policy changed again since it was shown: "
			 "not restored (%s again)",
			 d->ui->console ? "X" : "run bvops debug exit");
	} else if (dm_put_verify(d, d->original, msg, msgsize) == 0) {
		dm_say(d, "key policy: the original, byte for byte (read "
			  "back)\n");
		rc = 0;
	}
	free(cur);
	return rc;
}

static int exit_restart(void *ctx, const char *node,
			const struct procjournal_view *v, cJSON *data,
			char *msg, size_t msgsize)
{
	(void)node, (void)v, (void)data;
	return dm_run(ctx, FLEET_CMD_PROTECTED_RESTART, msg, msgsize);
}

static int exit_wait(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	struct dm *d = ctx;
	size_t idx = (size_t)(d->n - d->f->nodes);

	(void)node, (void)v, (void)data;
	return nodewait_up_or_journal(d->f, idx, d->o->wait_ms, d->ui->say,
				      d->ui->ctx, msg, msgsize);
}

static int exit_clear(void *ctx, const char *node,
		      const struct procjournal_view *v, cJSON *data, char *msg,
		      size_t msgsize)
{
	(void)v, (void)data;
	return dm_unmark(ctx, node, msg, msgsize);
}

static const struct procedure_step enter_steps[] = {
    {.name = "backup", .do_step = enter_backup},
    {.name = "policy", .do_step = enter_policy, .undo = enter_policy_undo},
    {.name = "restart",
     .do_step = enter_restart,
     .undo = enter_restart_undo,
     .disrupts = true,
     .undo_disrupts = true},
    {.name = "mark", .do_step = enter_mark, .undo = enter_mark_undo},
};

/* Leaving debug mode undoes nothing: protection is never taken away
 * again by a rollback. */
static const struct procedure_step exit_steps[] = {
    {.name = "policy", .do_step = exit_policy},
    {.name = "restart", .do_step = exit_restart, .disrupts = true},
    {.name = "wait", .do_step = exit_wait},
    {.name = "clear", .do_step = exit_clear},
};

/* The lock kept renewed between records, as every procedure does. */
static void dm_progress(void *ctx, const char *rec, const char *step,
			const char *node, const char *state,
			const char *message)
{
	struct dm *d = ctx;
	char msg[300];

	(void)rec, (void)step, (void)node, (void)state, (void)message;
	if (d->locked && procctx_lock_keep(d->lock_a, &d->lock, &d->renewed_ms,
					   msg, sizeof(msg)) < 0)
		dm_say(d, "WARNING: the fleet lock could not be renewed: %s\n",
		       msg);
}

/* The screen's clock while a step runs. */
static void dm_tick(void *ctx)
{
	struct dm *d = ctx;

	if (d->ui->tick != NULL)
		d->ui->tick(d->ui->ctx);
}

static void dm_def(struct dm *d, bool enter, struct procedure_def *def)
{
	*def = (struct procedure_def){
	    .ctx = d, .width = 1, .progress = dm_progress, .tick = dm_tick};
	if (enter) {
		def->kind = "debug-enter";
		def->steps = enter_steps;
		def->nsteps = sizeof(enter_steps) / sizeof(enter_steps[0]);
	} else {
		def->kind = "debug-exit";
		def->steps = exit_steps;
		def->nsteps = sizeof(exit_steps) / sizeof(exit_steps[0]);
	}
}

bool debugmode_kind(const char *kind)
{
	return kind != NULL && (strcmp(kind, "debug-enter") == 0 ||
				strcmp(kind, "debug-exit") == 0);
}

/* ---- lock, hold, run ---- */

static int dm_lock(struct dm *d, char *msg, size_t msgsize)
{
	char what[300];

	snprintf(what, sizeof(what), "debug mode %s", d->n->name);
	if (d->lock_a == NULL)
		d->lock_a = awsid_client_fleet(d->f);
	if (procctx_lock(d->f, d->lock_a, d->id, what, &d->lock, NULL, 0, msg,
			 msgsize) < 0)
		return -1;
	d->locked = true;
	d->renewed_ms = clock_mono_ms();
	return 0;
}

/* The node is held (no watch restarts it) while the procedure runs. */
static void dm_hold(struct dm *d, bool on)
{
	procctx_hold(d->f, d->state_dir, d->n->name, d->id, on, NULL, 0);
}

/* Run (resume or roll back) journal d->id under the lock. */
static int dm_go(struct dm *d, bool enter, bool rollback, char *msg,
		 size_t msgsize)
{
	struct procedure_def def;
	char what[300];
	int rc;

	dm_def(d, enter, &def);
	if (dm_lock(d, msg, msgsize) < 0)
		return PROC_STOPPED;
	dm_hold(d, true);
	if (d->ui->started != NULL)
		d->ui->started(d->ui->ctx, d->id);
	rc = rollback
		 ? procedure_rollback(&def, d->state_dir, d->id, msg, msgsize)
		 : procedure_resume(&def, d->state_dir, d->id, msg, msgsize);
	snprintf(what, sizeof(what), "%s%s %s", def.kind,
		 rollback ? " rollback" : "", d->n->name);
	{
		char *result =
		    xasprintf("%s%s", rc == 0 ? "done" : msg, d->note);
		char err[300];

		eventlog_audit(d->state_dir, what, d->n->name, result, err,
			       sizeof(err));
		free(result);
	}
	if (rc == 0) {
		dm_hold(d, false);
		return PROC_OK;
	}
	{
		char *ways = procctx_ways_on(d->ui->console, d->id,
					     "retry from where it stopped",
					     "undo what was done");

		dm_say(d, "Procedure %s stays open:\n%s", d->id, ways);
		free(ways);
	}
	return PROC_STOPPED;
}

static cJSON *dm_params(const struct dm *d)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "node", d->n->name);
	cJSON_AddStringToObject(p, "region", d->region);
	cJSON_AddStringToObject(p, "key", d->key);
	cJSON_AddStringToObject(p, "bucket", d->bucket);
	cJSON_AddStringToObject(p, "enclave", d->enclave);
	cJSON_AddStringToObject(p, "original", d->original);
	cJSON_AddStringToObject(p, "debug", d->debug);
	return p;
}

static int dm_begin(struct dm *d, bool enter, char *msg, size_t msgsize)
{
	struct procedure_def def;
	const char *nodes[1] = {d->n->name};
	cJSON *p = dm_params(d);
	char *id;
	int rc;

	dm_def(d, enter, &def);
	rc = procedure_begin(&def, d->state_dir, d->f->name, nodes, 1, p, &id,
			     msg, msgsize);
	cJSON_Delete(p);
	if (rc < 0)
		return -1;
	snprintf(d->id, sizeof(d->id), "%s", id);
	free(id);
	return 0;
}

int debugmode_enter(const struct fleet *f, const struct fleet_node *n,
		    const char *state_dir, const struct debugmode_opts *o,
		    const struct procedure_ui *ui, char **id, char *msg,
		    size_t msgsize)
{
	struct dm d = {
	    .f = f, .n = n, .state_dir = state_dir, .o = o, .ui = ui};
	struct kmspolicy_pcr8 p;
	size_t len;
	int rc;

	if (id != NULL)
		*id = NULL;
	if (dm_connect(&d, msg, msgsize) < 0) {
		dm_free(&d);
		return PROC_REMOTE;
	}
	d.original = aws_kms_get_key_policy(d.a, d.region, d.key, msg, msgsize);
	if (d.original == NULL) {
		dm_free(&d);
		return PROC_REMOTE;
	}
	if (kmspolicy_find_pcr8(d.original, strlen(d.original), &p, msg,
				msgsize) < 0) {
		dm_free(&d);
		return PROC_STOPPED;
	}
	if (p.is_zero) {
		snprintf(msg, msgsize,
			 "%s's key policy already has the zero PCR8: it is in "
			 "debug mode (%s%s)",
			 n->name,
			 ui->console ? "X in the details of "
				     : "bvops debug exit ",
			 n->name);
		dm_free(&d);
		return PROC_STOPPED;
	}
	d.debug = kmspolicy_set_pcr8(d.original, strlen(d.original),
				     KMSPOLICY_ZERO_PCR, &len, msg, msgsize);
	if (d.debug == NULL) {
		dm_free(&d);
		return PROC_STOPPED;
	}
	dm_say(&d,
	       "Plan for %s: back up the key policy of %s (%s of stack %s, "
	       "%s), set its PCR8 condition (under %s, in %s) to 96 zeros, "
	       "read it back, run debug_restart, then follow its console.\n",
	       n->name, d.key, f->debug.kms_logical_id, n->kms_stack, d.region,
	       p.op, p.sid);
	dm_diff(&d, d.original, d.debug, "key policy now", "in debug mode");
	if (p.warning[0])
		dm_say(&d, "WARNING: %s\n", p.warning);
	dm_say(&d,
	       "In debug mode the enclave's attestation is all zeros: its "
	       "key no longer proves which code runs. Leave it with bvops "
	       "debug exit %s.\n",
	       n->name);
	if (o->dry_run) {
		char claims[2048];

		if (procctx_claims(state_dir, n->name, claims, sizeof(claims)) >
		    0)
			dm_say(&d, "%s", claims);
		dm_say(&d, "dry run: nothing changed\n");
		dm_free(&d);
		return PROC_OK;
	}
	{
		const char *names[1] = {n->name};

		rc = procctx_before(f, state_dir, names, 1, "debug enter",
				    false, o->yes, o->force, ui, d.note,
				    sizeof(d.note), msg, msgsize);
		if (rc != PROC_OK) {
			dm_free(&d);
			return rc;
		}
		procctx_say_quorum(f, names, 1, ui);
	}
	if (!dm_confirm(&d, "put it in debug mode", msg, msgsize)) {
		dm_free(&d);
		return PROC_STOPPED;
	}
	if (dm_begin(&d, true, msg, msgsize) < 0) {
		dm_free(&d);
		return PROC_REFUSED;
	}
	if (id != NULL)
		*id = xstrdup(d.id);
	rc = dm_go(&d, true, false, msg, msgsize);
	if (rc == PROC_OK)
		dm_say(&d,
		       "%s is in DEBUG MODE (procedure %s). %s%s restores "
		       "protected mode.\n",
		       n->name, d.id,
		       ui->console ? "X in the details of "
				   : "bvops debug exit ",
		       n->name);
	dm_free(&d);
	return rc;
}

/*
 * The original policy as the journal has it, against the backup the
 * debug mark names (s3://BUCKET/KEY, written when the session began):
 * they must be the same bytes, else nothing is restored.
 */
static int dm_check_backup(struct dm *d, char *msg, size_t msgsize)
{
	struct marks_debug md;
	struct aws_s3_object o;
	char bucket[256];
	const char *p, *slash;
	int rc = 0;

	if (!marks_debug_read(d->state_dir, d->n->name, &md) ||
	    strncmp(md.backup, "s3://", 5) != 0)
		return 0; /* no backup named: the journal alone */
	p = md.backup + 5;
	slash = strchr(p, '/');
	if (slash == NULL || (size_t)(slash - p) >= sizeof(bucket))
		return 0;
	snprintf(bucket, sizeof(bucket), "%.*s", (int)(slash - p), p);
	if (aws_s3_get(d->a, d->region, bucket, slash + 1, NULL, false, &o, msg,
		       msgsize) < 0)
		return -1;
	if (o.len != strlen(d->original) ||
	    memcmp(o.body, d->original, o.len) != 0) {
		snprintf(msg, msgsize,
			 "the backup %s is not the original the journal of "
			 "%s holds: nothing restored (look at both)",
			 md.backup, md.procedure);
		rc = -1;
	} else {
		dm_say(d, "the original key policy, as backed up in %s\n",
		       md.backup);
	}
	aws_s3_object_free(&o);
	return rc;
}

/*
 * The original policy of node's debug mode now: the debug-enter journal
 * that STATE/debug/NODE.json names, else the newest debug-enter of node
 * with no finished debug-exit after it (a crash before the mark). An
 * older session's original is never used: it may be stale.
 */
static int dm_find_enter(struct dm *d, char *msg, size_t msgsize)
{
	char **ids, rec_id[200] = "";
	size_t count, k;
	int64_t since;
	int rc = -1;
	bool stop = false;

	marks_debug_get(d->state_dir, d->n->name, &since, rec_id,
			sizeof(rec_id));
	/* Another host's session: its journal, from the shared state. */
	if (rec_id[0] != '\0' &&
	    shared_journal_fetch(d->state_dir, rec_id, msg, msgsize) == 1)
		dm_say(d,
		       "%s's debug session (procedure %s) was entered on "
		       "another host: its journal read from the shared "
		       "state\n",
		       d->n->name, rec_id);
	if (procjournal_list(d->state_dir, &ids, &count, msg, msgsize) < 0)
		return -1;
	for (k = 0; k < count; k++) {
		struct procjournal_view v;

		if (rc < 0 && !stop &&
		    (rec_id[0] == '\0' || strcmp(ids[k], rec_id) == 0) &&
		    procjournal_read(d->state_dir, ids[k], &v, msg, msgsize) ==
			0) {
			const char *kind = cJSON_GetStringValue(
			    cJSON_GetObjectItem(v.begin, "kind"));
			const char *node = dm_param(&v, "node");
			bool ours = node && strcmp(node, d->n->name) == 0;

			if (ours && kind && strcmp(kind, "debug-exit") == 0 &&
			    v.outcome && strcmp(v.outcome, "done") == 0)
				stop = true;
			else if (ours && kind &&
				 strcmp(kind, "debug-enter") == 0 &&
				 dm_param(&v, "original") &&
				 dm_param(&v, "debug")) {
				d->original = xstrdup(dm_param(&v, "original"));
				d->debug = xstrdup(dm_param(&v, "debug"));
				rc = 0;
			}
			procjournal_view_free(&v);
		}
		free(ids[k]);
	}
	free(ids);
	if (rc < 0)
		snprintf(msg, msgsize,
			 "bvops has no record of %s's original key policy "
			 "(no debug-enter since its last exit): it cannot "
			 "restore what it never saw; restore it by hand",
			 d->n->name);
	if (rc == 0 && dm_check_backup(d, msg, msgsize) < 0)
		rc = -1;
	return rc;
}

int debugmode_exit(const struct fleet *f, const struct fleet_node *n,
		   const char *state_dir, const struct debugmode_opts *o,
		   const struct procedure_ui *ui, char *msg, size_t msgsize)
{
	struct dm d = {
	    .f = f, .n = n, .state_dir = state_dir, .o = o, .ui = ui};
	char *cur;
	int rc;

	if (dm_connect(&d, msg, msgsize) < 0) {
		dm_free(&d);
		return PROC_REMOTE;
	}
	if (!o->dry_run) {
		const char *names[1] = {n->name};

		rc = procctx_before(f, state_dir, names, 1, "debug exit", false,
				    o->yes, o->force, ui, d.note,
				    sizeof(d.note), msg, msgsize);
		if (rc != PROC_OK) {
			dm_free(&d);
			return rc;
		}
	} else {
		char why[600];

		shared_sync(f, state_dir, why, sizeof(why));
	}
	if (dm_find_enter(&d, msg, msgsize) < 0) {
		dm_free(&d);
		return PROC_STOPPED;
	}
	cur = aws_kms_get_key_policy(d.a, d.region, d.key, msg, msgsize);
	if (cur == NULL) {
		dm_free(&d);
		return PROC_REMOTE;
	}
	dm_say(&d,
	       "Plan for %s: restore the exact original key policy of %s, "
	       "read it back, run protected_restart, wait for /ping, then "
	       "clear its debug mode.\n",
	       n->name, d.key);
	if (strcmp(cur, d.debug) != 0 && strcmp(cur, d.original) != 0) {
		/* Someone changed it while in debug mode: show, then ask. */
		dm_say(&d, "The key policy was changed since bvops put it in "
			   "debug mode:\n");
		dm_diff(&d, d.debug, cur, "as bvops put it", "now");
		dm_say(&d, "Restoring the original would do this:\n");
		dm_diff(&d, cur, d.original, "now", "the original");
		if (o->dry_run || !dm_confirm(&d,
					      "restore the original over "
					      "that change",
					      msg, msgsize)) {
			free(cur);
			dm_free(&d);
			return o->dry_run ? PROC_OK : PROC_STOPPED;
		}
		free(d.debug);
		d.debug = cur; /* what the policy step replaces */
		cur = NULL;
	} else {
		dm_diff(&d, cur, d.original, "now", "the original");
	}
	free(cur);
	if (o->dry_run) {
		dm_say(&d, "dry run: nothing changed\n");
		dm_free(&d);
		return PROC_OK;
	}
	{
		const char *names[1] = {n->name};
		char q[300];

		snprintf(q, sizeof(q),
			 "Restore the original policy and restart %s in "
			 "protected mode? [y/N] ",
			 n->name);
		if (!procctx_confirm_disruption(f, names, 1, o->yes, ui, q, msg,
						msgsize)) {
			dm_free(&d);
			return PROC_STOPPED;
		}
	}
	if (dm_begin(&d, false, msg, msgsize) < 0) {
		dm_free(&d);
		return PROC_REFUSED;
	}
	rc = dm_go(&d, false, false, msg, msgsize);
	if (rc == PROC_OK)
		dm_say(&d, "%s is back in protected mode.\n", n->name);
	dm_free(&d);
	return rc;
}

int debugmode_continue(const struct fleet *f, const char *state_dir,
		       const char *id, bool rollback,
		       const struct debugmode_opts *o,
		       const struct procedure_ui *ui, char *msg, size_t msgsize)
{
	struct dm d = {.f = f, .state_dir = state_dir, .o = o, .ui = ui};
	struct procjournal_view v;
	const char *kind, *node;
	bool enter;
	int rc;

	if (procjournal_read(state_dir, id, &v, msg, msgsize) < 0)
		return PROC_REFUSED;
	kind = cJSON_GetStringValue(cJSON_GetObjectItem(v.begin, "kind"));
	node = dm_param(&v, "node");
	enter = kind && strcmp(kind, "debug-enter") == 0;
	if (v.outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
			 v.outcome);
		procjournal_view_free(&v);
		return PROC_STOPPED;
	}
	if (node == NULL || (d.n = fleet_node_find(f, node)) == NULL ||
	    dm_param(&v, "original") == NULL || dm_param(&v, "debug") == NULL) {
		snprintf(msg, msgsize, "%s: its node is not in %s", id,
			 f->path);
		procjournal_view_free(&v);
		return PROC_REFUSED;
	}
	if (!enter && rollback && v.last != NULL) {
		/* Nothing of a debug exit is undone: its policy step put the
		 * original back, and rolling that back would take protection
		 * away again. "Rolled back" would not be true either: the
		 * enclave may run DEBUG_MODE under the production policy
		 * until its protected restart is done. */
		snprintf(msg, msgsize,
			 "%s is a debug exit: bvops never takes protection "
			 "away again, so it is not rolled back. %s may run in "
			 "DEBUG_MODE under the original policy until its "
			 "protected restart: %s finishes it",
			 id, node,
			 ui->console ? "r (resume)" : "bvops procedure resume");
		procjournal_view_free(&v);
		return PROC_STOPPED;
	}
	snprintf(d.region, sizeof(d.region), "%s",
		 dm_param(&v, "region") ? dm_param(&v, "region") : "");
	snprintf(d.key, sizeof(d.key), "%s",
		 dm_param(&v, "key") ? dm_param(&v, "key") : "");
	snprintf(d.bucket, sizeof(d.bucket), "%s",
		 dm_param(&v, "bucket") ? dm_param(&v, "bucket") : "");
	snprintf(d.enclave, sizeof(d.enclave), "%s",
		 dm_param(&v, "enclave") ? dm_param(&v, "enclave") : "");
	d.original = xstrdup(dm_param(&v, "original"));
	d.debug = xstrdup(dm_param(&v, "debug"));
	snprintf(d.id, sizeof(d.id), "%s", id);
	{
		const char *names[1] = {d.n->name};

		rc = procctx_before(f, state_dir, names, 1,
				    rollback ? "roll back" : "resume", false,
				    o->yes, o->force, ui, d.note,
				    sizeof(d.note), msg, msgsize);
		if (rc != PROC_OK) {
			procjournal_view_free(&v);
			dm_free(&d);
			return rc;
		}
	}
	{
		struct procedure_def def;

		/* Only when what is left restarts the node. */
		dm_def(&d, enter, &def);
		if (!procctx_confirm_continue(f, &def, &v, rollback, o->yes, ui,
					      id, msg, msgsize)) {
			procjournal_view_free(&v);
			dm_free(&d);
			return PROC_STOPPED;
		}
	}
	procjournal_view_free(&v);
	d.a = awsid_client_node(f, d.n);
	rc = dm_go(&d, enter, rollback, msg, msgsize);
	dm_free(&d);
	return rc;
}

/* 1 DEBUG_MODE, 0 not, -1 with a message: describe-enclaves' answer. */
static int dm_flags(const char *out, char *msg, size_t msgsize)
{
	cJSON *arr = cJSON_Parse(out);
	const char *flags = cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "Flags"));
	int rc = -1;

	if (!cJSON_IsArray(arr))
		snprintf(msg, msgsize, "enclave_state: not a JSON array");
	else if (cJSON_GetArraySize(arr) == 0)
		snprintf(msg, msgsize, "no enclave runs");
	else if (flags == NULL)
		snprintf(msg, msgsize, "enclave_state: no Flags");
	else
		rc = strcasecmp(flags, "DEBUG_MODE") == 0 ||
			     strcasecmp(flags, "Debug") == 0
			 ? 1
			 : 0;
	cJSON_Delete(arr);
	return rc;
}

int debugmode_enclave(const struct fleet *f, const struct fleet_node *n,
		      char *msg, size_t msgsize)
{
	struct transport *t = transport_new(f);
	struct transport_result r;
	int rc = -1;

	if (transport_run(t, n, FLEET_CMD_ENCLAVE_STATE, 10000, 65536, &r, msg,
			  msgsize) == 0) {
		if (r.exit_status == 0)
			rc = dm_flags(r.out, msg, msgsize);
		else
			snprintf(msg, msgsize, "enclave_state failed (exit %d)",
				 r.exit_status);
		transport_result_free(&r);
	}
	transport_free(t);
	return rc;
}
