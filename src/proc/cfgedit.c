#include "proc/cfgedit.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/cfgloc.h"
#include "engine/monitor.h"
#include "engine/quorum.h"
#include "lib/buf.h"
#include "lib/diff.h"
#include "lib/timefmt.h"
#include "lib/toml.h"
#include "lib/xalloc.h"
#include "proc/fleetlock.h"
#include "proc/nodewait.h"
#include "proc/procctx.h"
#include "proc/procstatus.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/procjournal.h"
#include "state/redact.h"
#include "state/statedir.h"
#include "transport/transport.h"

#define CFGEDIT_KIND "config-edit"

static const char *const cfgedit_steps[] = {"read",   "edit",    "backup",
					    "upload", "restart", "wait"};
#define CFGEDIT_NSTEPS (sizeof(cfgedit_steps) / sizeof(cfgedit_steps[0]))

/* One edit (or restore) under way. */
struct ce {
	const struct fleet *f;
	const struct fleet_node *n;
	const char *state_dir;
	const struct cfgedit_opts *o;
	const struct cfgedit_ui *ui;
	struct aws_client *a;
	char region[64];
	struct cfgloc loc;
	bool have_loc;
	struct fleetlock lock;
	bool locked;
	struct procjournal *j;
	char *old; /* the stored text when read */
	size_t oldlen;
	char etag[128];
	char version[256];
	char *text; /* the new text */
	size_t textlen;
	char what[300];
};

static void ce_say(struct ce *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ce_say(struct ce *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	c->ui->say(c->ui->ctx, s);
	free(s);
}

static void ce_free(struct ce *c)
{
	if (c->locked) {
		char msg[300];

		fleetlock_release(c->a, &c->lock, msg, sizeof(msg));
	}
	procjournal_close(c->j);
	if (c->have_loc)
		cfgloc_free(&c->loc);
	aws_client_free(c->a);
	free(c->old);
	free(c->text);
}

/* Journal a step; when that fails nothing may happen next. */
static int ce_step(struct ce *c, const char *step, const char *state,
		   cJSON *data, const char *message, char *msg, size_t msgsize)
{
	int rc = 0;

	if (c->j != NULL)
		rc = procjournal_write(c->j, "step", step, c->n->name, state,
				       data, message, msg, msgsize);
	cJSON_Delete(data);
	return rc;
}

/*
 * While it runs, the procedure holds its node (holds.h): no bvops watch
 * of this host restarts or pages it while its config changes and it
 * restarts. Set once the lock is taken; lifted when the procedure ends,
 * and only if the hold is still this procedure's.
 */
static void ce_hold(struct ce *c)
{
	char msg[300] = "";

	if (c->j == NULL)
		return;
	procctx_hold(c->state_dir, c->n->name, procjournal_id(c->j), true, msg,
		     sizeof(msg));
	if (msg[0])
		ce_say(c, "warning: %s (the node is not held)\n", msg);
}

static void ce_unhold(struct ce *c)
{
	if (c->j == NULL || c->n == NULL)
		return;
	procctx_hold(c->state_dir, c->n->name, procjournal_id(c->j), false,
		     NULL, 0);
}

static void ce_end(struct ce *c, const char *outcome, const char *message)
{
	char msg[300];

	ce_unhold(c);

	if (c->j != NULL)
		procjournal_write(c->j, "end", NULL, NULL, outcome, NULL,
				  message, msg, sizeof(msg));
	eventlog_audit(c->state_dir, c->what, c->n->name,
		       message ? message : outcome, msg, sizeof(msg));
}

static int ce_connect(struct ce *c, char *msg, size_t msgsize)
{
	if (awscred_region(c->f->region, c->region, sizeof(c->region), msg,
			   msgsize) < 0)
		return -1;
	c->a = aws_client_new();
	if (cfgloc_resolve(c->a, c->region, c->n, &c->loc, msg, msgsize) < 0)
		return -1;
	c->have_loc = true;
	return 0;
}

static int ce_fetch(struct ce *c, char *msg, size_t msgsize)
{
	struct aws_s3_object o;

	if (aws_s3_get(c->a, c->loc.region, c->loc.bucket, c->loc.key, NULL,
		       false, &o, msg, msgsize) < 0)
		return -1;
	free(c->old);
	c->old = o.body;
	c->oldlen = o.len;
	o.body = NULL;
	snprintf(c->etag, sizeof(c->etag), "%s", o.etag ? o.etag : "");
	snprintf(c->version, sizeof(c->version), "%s",
		 o.version_id ? o.version_id : "");
	aws_s3_object_free(&o);
	return 0;
}

/* Take the fleet lock for procedure id (docs/procedures.md). */
static int ce_lock(struct ce *c, const char *id, char *msg, size_t msgsize)
{
	char where[800];

	if (procctx_lock(c->f, c->a, id, c->what, &c->lock, where,
			 sizeof(where), msg, msgsize) < 0)
		return -1;
	c->locked = true;
	if (c->ui->started != NULL)
		c->ui->started(c->ui->ctx, id, where);
	return 0;
}

/* A file's whole text (NULL with a message). */
static char *ce_read_file(const char *path, size_t *len, char *msg,
			  size_t msgsize)
{
	return buf_read_whole(path, (size_t)16 << 20, len, msg, msgsize);
}

/* Lines of a unified diff that change something. */
static size_t ce_changed_lines(const char *d)
{
	size_t n = 0;
	const char *p = d;

	while (p != NULL && *p) {
		if ((*p == '+' || *p == '-') && strncmp(p, "+++ ", 4) != 0 &&
		    strncmp(p, "--- ", 4) != 0)
			n++;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

/*
 * Show the diff from a to b, secrets redacted unless asked; says when a
 * change hides inside a redacted value, so nothing changes unseen.
 */
static void ce_show_diff(struct ce *c, const char *a, size_t alen,
			 const char *b, size_t blen, const char *aname,
			 const char *bname)
{
	char *raw = diff_unified(a, alen, b, blen, aname, bname, false);
	char *ra = NULL, *rb = NULL, *shown = NULL;
	size_t ral = 0, rbl = 0, count;

	if (!c->o->show_secrets) {
		char err[300];

		ra = redact_toml(a, alen, &ral, &count, err, sizeof(err));
		rb = redact_toml(b, blen, &rbl, &count, err, sizeof(err));
	}
	if (ra != NULL && rb != NULL)
		shown =
		    diff_unified(ra, ral, rb, rbl, aname, bname, c->ui->colour);
	else
		shown =
		    diff_unified(a, alen, b, blen, aname, bname, c->ui->colour);
	if (shown != NULL)
		c->ui->say(c->ui->ctx, shown);
	if (raw != NULL && ra != NULL && rb != NULL) {
		char *plain = diff_unified(ra, ral, rb, rbl, "a", "b", false);

		if (plain != NULL &&
		    ce_changed_lines(plain) < ce_changed_lines(raw))
			ce_say(c, "(secret values changed too: shown redacted "
				  "above; --show-secrets shows them)\n");
		free(plain);
	}
	free(raw);
	free(ra);
	free(rb);
	free(shown);
}

/* What restarting the node does to the fleet's quorum (quorum.h). */
static void ce_say_quorum(struct ce *c)
{
	const char *names[1] = {c->n->name};
	struct quorum_effect e;
	char text[1200];

	quorum_effect(c->f, names, 1, &e, text, sizeof(text));
	ce_say(c, "%s\n", text);
}

/*
 * Before a resume restarts the node: the quorum effect, then --yes or the
 * operator's y. false (msg says why) leaves the procedure open.
 */
static bool ce_confirm_restart(struct ce *c, char *msg, size_t msgsize)
{
	char q[300];
	int a;

	ce_say_quorum(c);
	if (c->o->yes)
		return true;
	snprintf(q, sizeof(q), "Restart %s now? [y/N] ", c->n->name);
	a = c->ui->ask(c->ui->ctx, q);
	snprintf(msg, msgsize,
		 "%s: not restarted (%s); the procedure stays open: resume "
		 "it to restart, or abandon it",
		 c->n->name,
		 a == 0 ? "no terminal to confirm on, and no --yes"
			: "not confirmed");
	return a == 'y';
}

/* Ask y/N, or take --yes; false when nobody said yes. */
static bool ce_confirm(struct ce *c, const char *question)
{
	if (c->o->yes)
		return true;
	return c->ui->ask(c->ui->ctx, question) == 'y';
}

/*
 * The editor loop on a private copy: until the text is valid TOML, or the
 * operator gives up (the file is then kept, and named). Returns 1 with
 * c->text set, 0 for "no change", -1 with msg (*keep: the kept file).
 */
static int ce_edit_loop(struct ce *c, char *kept, size_t keptsize, char *msg,
			size_t msgsize)
{
	char dir[] = "/tmp/bvops-edit-XXXXXX", path[200];
	int rc = -1;

	kept[0] = '\0';
	if (mkdtemp(dir) == NULL) {
		snprintf(msg, msgsize, "a private folder in /tmp: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s-config.toml", dir, c->n->name);
	if (buf_write_file(path, c->old, c->oldlen, false, msg, msgsize) < 0) {
		rmdir(dir);
		return -1;
	}
	for (;;) {
		struct toml_error err;
		struct toml_doc *doc;
		size_t len;
		char *text;

		if (c->ui->edit(c->ui->ctx, path, msg, msgsize) < 0)
			break;
		text = ce_read_file(path, &len, msg, msgsize);
		if (text == NULL)
			break;
		if (len == c->oldlen && memcmp(text, c->old, len) == 0) {
			free(text);
			rc = 0;
			break;
		}
		doc = toml_doc_parse(text, len, &err);
		if (doc != NULL) {
			toml_doc_free(doc);
			c->text = text;
			c->textlen = len;
			rc = 1;
			break;
		}
		free(text);
		ce_say(c, "%s:%u:%u: %s\n", path, err.line, err.col, err.msg);
		if (c->ui->ask(c->ui->ctx,
			       "Not valid TOML: nothing is uploaded. [e]dit "
			       "again, or [a]bort (your edit is kept)? ") ==
		    'e')
			continue;
		snprintf(kept, keptsize, "%s", path);
		snprintf(msg, msgsize,
			 "not valid TOML: nothing uploaded; your edit is kept "
			 "in %s",
			 path);
		return -2;
	}
	unlink(path);
	rmdir(dir);
	return rc;
}

/*
 * A step failed after the config changed: the procedure stays open, and
 * the operator is told the three ways on.
 */
static void ce_offer(struct ce *c)
{
	const char *id = c->j ? procjournal_id(c->j) : "?";

	ce_say(c,
	       "The new config is uploaded, but %s is not confirmed up. "
	       "Procedure %s stays open:\n"
	       "  bvops procedure resume %s      retry the restart and the "
	       "wait (asks first)\n"
	       "  bvops procedure rollback %s    put the old config back\n"
	       "  bvops procedure abandon %s     leave it as it is "
	       "(recorded)\n",
	       c->n->name, id, id, id, id);
}

/* Restart the node, then wait for its /ping; its journal on failure. */
static int ce_restart_wait(struct ce *c, char *msg, size_t msgsize)
{
	struct transport *t = transport_new(c->f);
	struct transport_result r;
	size_t idx = (size_t)(c->n - c->f->nodes);

	if (ce_step(c, "restart", "start", NULL, NULL, msg, msgsize) < 0) {
		transport_free(t);
		return -1;
	}
	ce_say(c, "restarting %s...\n", c->n->name);
	if (transport_run(t, c->n, FLEET_CMD_RESTART,
			  (long)c->f->health.restart_timeout_ms, 4096, &r, msg,
			  msgsize) < 0 ||
	    r.exit_status != 0) {
		if (r.exit_status != 0)
			snprintf(msg, msgsize,
				 "restart of %s failed (exit %d): %s",
				 c->n->name, r.exit_status,
				 r.err_len ? r.err : r.out);
		transport_result_free(&r);
		ce_step(c, "restart", "failed", NULL, msg, msg, msgsize);
		transport_free(t);
		return -1;
	}
	transport_result_free(&r);
	ce_step(c, "restart", "done", NULL, NULL, msg, msgsize);
	ce_step(c, "wait", "start", NULL, NULL, msg, msgsize);
	transport_free(t);
	if (nodewait_up_or_journal(c->f, idx, c->o->wait_ms, c->ui->say,
				   c->ui->ctx, msg, msgsize) == 0) {
		ce_step(c, "wait", "done", NULL, NULL, msg, msgsize);
		return 0;
	} else {
		char err[300] = "";

		ce_step(c, "wait", "failed", NULL, msg, err, sizeof(err));
		return -1;
	}
}

/*
 * From the diff on: confirm, back up, upload with If-Match, restart.
 * Returns an exit code.
 */
static int ce_apply(struct ce *c, char *msg, size_t msgsize)
{
	struct aws_s3_object put;
	char stamp[40], *bkey, q[600];
	time_t now = time(NULL);
	struct tm tm;
	cJSON *d;
	int rc, k;

	if (c->o->restart) {
		/* One question for both: say first what the restart does. */
		ce_say_quorum(c);
		snprintf(q, sizeof(q),
			 "Upload to s3://%s/%s and restart %s? "
			 "[y/N] ",
			 c->loc.bucket, c->loc.key, c->n->name);
	} else {
		snprintf(q, sizeof(q), "Upload to s3://%s/%s? [y/N] ",
			 c->loc.bucket, c->loc.key);
	}
	if (!ce_confirm(c, q)) {
		snprintf(msg, msgsize,
			 "not confirmed: nothing uploaded (answer y, or --yes "
			 "without a terminal)");
		ce_end(c, "abandoned", msg);
		return PROC_STOPPED;
	}
	/* The backup: a copy beside it, never over another one. */
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	bkey = xasprintf("backups/%s.%s", c->loc.key, stamp);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "key", bkey);
	if (ce_step(c, "backup", "start", d, NULL, msg, msgsize) < 0) {
		free(bkey);
		return PROC_REFUSED;
	}
	/* Never over another backup: a second one in the same second gets
	 * a suffix. */
	for (k = 2;; k++) {
		rc = aws_s3_put(c->a, c->loc.region, c->loc.bucket, bkey,
				c->old, c->oldlen, "application/toml", NULL,
				true, &put, msg, msgsize);
		if (rc != -2 || k > 9)
			break;
		free(bkey);
		bkey = xasprintf("backups/%s.%s-%d", c->loc.key, stamp, k);
	}
	if (rc < 0) {
		if (rc == -2)
			snprintf(msg, msgsize,
				 "backup s3://%s/%s exists already: nothing "
				 "uploaded",
				 c->loc.bucket, bkey);
		ce_step(c, "backup", "failed", NULL, msg, q, sizeof(q));
		ce_end(c, "failed", msg);
		free(bkey);
		return PROC_REMOTE;
	}
	aws_s3_object_free(&put);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "key", bkey);
	cJSON_AddStringToObject(d, "of_version", c->version);
	ce_step(c, "backup", "done", d, NULL, msg, msgsize);
	ce_say(c, "backup: s3://%s/%s%s%s\n", c->loc.bucket, bkey,
	       c->version[0] ? ", and the stored version " : "", c->version);
	free(bkey);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "if_match", c->etag);
	if (ce_step(c, "upload", "start", d, NULL, msg, msgsize) < 0)
		return PROC_REFUSED;
	rc = aws_s3_put(c->a, c->loc.region, c->loc.bucket, c->loc.key, c->text,
			c->textlen, "application/toml", c->etag, false, &put,
			msg, msgsize);
	if (rc == -2) {
		struct aws_s3_object now_o;
		char err[512];

		ce_say(c,
		       "s3://%s/%s changed since it was read: NOT "
		       "uploaded, nothing overwritten.\n",
		       c->loc.bucket, c->loc.key);
		if (aws_s3_get(c->a, c->loc.region, c->loc.bucket, c->loc.key,
			       NULL, false, &now_o, err, sizeof(err)) == 0) {
			ce_say(c, "Their change:\n");
			ce_show_diff(c, c->old, c->oldlen, now_o.body,
				     now_o.len, "as read", "stored now");
			ce_say(c, "Yours:\n");
			ce_show_diff(c, c->old, c->oldlen, c->text, c->textlen,
				     "as read", "your edit");
			aws_s3_object_free(&now_o);
		}
		snprintf(msg, msgsize,
			 "someone else changed %s's config meanwhile: not "
			 "uploaded (edit again on their version)",
			 c->n->name);
		ce_step(c, "upload", "failed", NULL, msg, err, sizeof(err));
		ce_end(c, "failed", msg);
		return PROC_STOPPED;
	}
	if (rc < 0) {
		char err[300];

		ce_step(c, "upload", "failed", NULL, msg, err, sizeof(err));
		ce_end(c, "failed", msg);
		return PROC_REMOTE;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "etag", put.etag ? put.etag : "");
	cJSON_AddStringToObject(d, "version",
				put.version_id ? put.version_id : "");
	ce_step(c, "upload", "done", d, NULL, msg, msgsize);
	ce_say(c, "uploaded s3://%s/%s%s%s\n", c->loc.bucket, c->loc.key,
	       put.version_id ? ", version " : "",
	       put.version_id ? put.version_id : "");
	aws_s3_object_free(&put);
	snprintf(q, sizeof(q), "Restart %s now so that it reads it? [y/N] ",
		 c->n->name);
	/* --restart was confirmed with the upload; --yes alone does not
	 * restart; else the operator is told the quorum effect and asked. */
	if (!c->o->restart && !c->o->yes)
		ce_say_quorum(c);
	if (!(c->o->restart ||
	      (!c->o->yes && c->ui->ask(c->ui->ctx, q) == 'y'))) {
		ce_say(c,
		       "%s was not restarted: it reads the new config when "
		       "it next starts\n",
		       c->n->name);
		ce_end(c, "done", "uploaded; not restarted");
		return PROC_OK;
	}
	if (ce_restart_wait(c, msg, msgsize) < 0) {
		ce_offer(c);
		return PROC_STOPPED;
	}
	ce_end(c, "done", "uploaded, restarted, up");
	return PROC_OK;
}

/* The common start: locate, lock, journal, read (and keep a local copy). */
static int ce_begin(struct ce *c, const char *kind, char *msg, size_t msgsize)
{
	const char *nodes[1] = {c->n->name};
	char *copy;
	cJSON *p, *d;

	if (ce_connect(c, msg, msgsize) < 0)
		return PROC_REMOTE;
	ce_say(c,
	       "Plan for %s (s3://%s/%s, %s): read it, %s, show the diff, %s"
	       "back it up, upload it only if unchanged meanwhile, then %s.\n",
	       c->n->name, c->loc.bucket, c->loc.key, c->loc.region,
	       strcmp(kind, CFGEDIT_KIND) == 0 ? "edit it" : "take the backup",
	       c->o->dry_run ? "(dry run: stop there) " : "ask, ",
	       c->o->restart ? "restart the node and wait for its /ping"
			     : "offer to restart the node");
	if (c->o->dry_run)
		return ce_fetch(c, msg, msgsize) < 0 ? PROC_REMOTE : 0;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "bucket", c->loc.bucket);
	cJSON_AddStringToObject(p, "key", c->loc.key);
	cJSON_AddStringToObject(p, "region", c->loc.region);
	c->j =
	    procjournal_begin(c->state_dir, c->f->name, kind, nodes, 1,
			      cfgedit_steps, CFGEDIT_NSTEPS, p, msg, msgsize);
	cJSON_Delete(p);
	if (c->j == NULL)
		return PROC_REFUSED;
	if (ce_lock(c, procjournal_id(c->j), msg, msgsize) < 0) {
		ce_end(c, "abandoned", msg);
		return PROC_STOPPED;
	}
	ce_hold(c);
	if (ce_step(c, "read", "start", NULL, NULL, msg, msgsize) < 0)
		return PROC_REFUSED;
	if (ce_fetch(c, msg, msgsize) < 0) {
		char err[300];

		ce_step(c, "read", "failed", NULL, msg, err, sizeof(err));
		ce_end(c, "failed", msg);
		return PROC_REMOTE;
	}
	/* The exact text as read, kept for resume and rollback. */
	copy = statedir_file(c->state_dir, "procedures", procjournal_id(c->j),
			     ".old.toml");
	if (buf_write_file(copy, c->old, c->oldlen, false, msg, msgsize) < 0) {
		free(copy);
		return PROC_REFUSED;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "etag", c->etag);
	cJSON_AddStringToObject(d, "version", c->version);
	cJSON_AddStringToObject(d, "copy", copy);
	free(copy);
	if (ce_step(c, "read", "done", d, NULL, msg, msgsize) < 0)
		return PROC_REFUSED;
	return 0;
}

/* Keep the new text beside the journal (resume needs it). */
static int ce_keep_new(struct ce *c, char *msg, size_t msgsize)
{
	char *path;
	cJSON *d;
	int rc;

	if (c->j == NULL)
		return 0;
	path = statedir_file(c->state_dir, "procedures", procjournal_id(c->j),
			     ".new.toml");
	rc = buf_write_file(path, c->text, c->textlen, false, msg, msgsize);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "copy", path);
	free(path);
	if (rc == 0)
		rc = ce_step(c, "edit", "done", d, NULL, msg, msgsize);
	else
		cJSON_Delete(d);
	return rc;
}

int cfgedit_run(const struct fleet *f, const struct fleet_node *n,
		const char *state_dir, const struct cfgedit_opts *o,
		const struct cfgedit_ui *ui, char *msg, size_t msgsize)
{
	struct ce c = {
	    .f = f, .n = n, .state_dir = state_dir, .o = o, .ui = ui};
	char kept[300], name[300];
	int rc;

	snprintf(c.what, sizeof(c.what), "config edit %s", n->name);
	rc = ce_begin(&c, CFGEDIT_KIND, msg, msgsize);
	if (rc != 0) {
		ce_free(&c);
		return rc;
	}
	if (ce_step(&c, "edit", "start", NULL, NULL, msg, msgsize) < 0) {
		ce_free(&c);
		return PROC_REFUSED;
	}
	rc = ce_edit_loop(&c, kept, sizeof(kept), msg, msgsize);
	if (rc <= 0) {
		if (rc == 0) {
			snprintf(msg, msgsize, "no change: nothing uploaded");
			ce_say(&c, "%s\n", msg);
		}
		ce_end(&c, "abandoned", msg);
		ce_free(&c);
		return rc == 0 ? PROC_OK : PROC_REFUSED;
	}
	/* The editor may have taken long: the lock must still be ours. */
	if (c.locked && fleetlock_renew(c.a, &c.lock, msg, msgsize) < 0) {
		c.locked = false;
		ce_end(&c, "abandoned", msg);
		ce_free(&c);
		return PROC_STOPPED;
	}
	if (ce_keep_new(&c, msg, msgsize) < 0) {
		ce_free(&c);
		return PROC_REFUSED;
	}
	snprintf(name, sizeof(name), "s3://%s/%s", c.loc.bucket, c.loc.key);
	ce_show_diff(&c, c.old, c.oldlen, c.text, c.textlen, name, "your edit");
	if (o->dry_run) {
		ce_say(&c, "dry run: nothing uploaded\n");
		ce_free(&c);
		return PROC_OK;
	}
	rc = ce_apply(&c, msg, msgsize);
	ce_free(&c);
	return rc;
}

int cfgedit_restore(const struct fleet *f, const struct fleet_node *n,
		    const char *state_dir, const struct cfgedit_opts *o,
		    const struct cfgedit_ui *ui, char *msg, size_t msgsize)
{
	struct ce c = {
	    .f = f, .n = n, .state_dir = state_dir, .o = o, .ui = ui};
	struct aws_s3_object b;
	char key[600], name[700];
	int rc;

	snprintf(c.what, sizeof(c.what), "config restore %s", n->name);
	rc = ce_begin(&c, "config-restore", msg, msgsize);
	if (rc != 0) {
		ce_free(&c);
		return rc;
	}
	if (o->backup != NULL) {
		snprintf(key, sizeof(key), "%s", o->backup);
	} else {
		/* The newest backup: their names sort by time. */
		snprintf(msg, msgsize,
			 "give the backup to restore with --backup KEY (they "
			 "are under s3://%s/backups/%s.*)",
			 c.loc.bucket, c.loc.key);
		ce_end(&c, "abandoned", msg);
		ce_free(&c);
		return PROC_REFUSED;
	}
	if (aws_s3_get(c.a, c.loc.region, c.loc.bucket, key, NULL, false, &b,
		       msg, msgsize) < 0) {
		ce_end(&c, "failed", msg);
		ce_free(&c);
		return PROC_REMOTE;
	}
	c.text = b.body;
	c.textlen = b.len;
	b.body = NULL;
	aws_s3_object_free(&b);
	{
		struct toml_error err;
		struct toml_doc *doc = toml_doc_parse(c.text, c.textlen, &err);

		if (doc == NULL) {
			snprintf(msg, msgsize,
				 "s3://%s/%s:%u:%u: %s: not restored",
				 c.loc.bucket, key, err.line, err.col, err.msg);
			ce_end(&c, "abandoned", msg);
			ce_free(&c);
			return PROC_REFUSED;
		}
		toml_doc_free(doc);
	}
	ce_step(&c, "edit", "start", NULL, "restore", msg, msgsize);
	if (ce_keep_new(&c, msg, msgsize) < 0) {
		ce_free(&c);
		return PROC_REFUSED;
	}
	snprintf(name, sizeof(name), "s3://%s/%s", c.loc.bucket, c.loc.key);
	ce_show_diff(&c, c.old, c.oldlen, c.text, c.textlen, name, key);
	if (o->dry_run) {
		ce_say(&c, "dry run: nothing restored\n");
		ce_free(&c);
		return PROC_OK;
	}
	rc = ce_apply(&c, msg, msgsize);
	ce_free(&c);
	return rc;
}

/* The journal's text of a data field of the last record of step. */
static const char *ce_data(const struct procjournal_view *v, const char *step,
			   const char *field)
{
	const cJSON *r = procjournal_find(v, step, NULL);
	const cJSON *d = r ? cJSON_GetObjectItem(r, "data") : NULL;
	const cJSON *x = d ? cJSON_GetObjectItem(d, field) : NULL;

	return cJSON_GetStringValue(x);
}

static const char *ce_state(const struct procjournal_view *v, const char *step)
{
	const cJSON *r = procjournal_find(v, step, NULL);
	const cJSON *s = r ? cJSON_GetObjectItem(r, "state") : NULL;

	return cJSON_GetStringValue(s);
}

static int ce_from_journal(struct ce *c, const struct procjournal_view *v,
			   const char *id, char *msg, size_t msgsize);

/* Read journal id into *v and set c up from it; an exit code. */
static int ce_open(struct ce *c, struct procjournal_view *v, const char *id,
		   char *msg, size_t msgsize)
{
	if (procjournal_read(c->state_dir, id, v, msg, msgsize) < 0)
		return PROC_REFUSED;
	if (ce_from_journal(c, v, id, msg, msgsize) < 0) {
		procjournal_view_free(v);
		ce_free(c);
		return PROC_STOPPED;
	}
	return 0;
}

/* Set up c from a journal: the node, the location, the texts. */
static int ce_from_journal(struct ce *c, const struct procjournal_view *v,
			   const char *id, char *msg, size_t msgsize)
{
	const cJSON *nodes = cJSON_GetObjectItem(v->begin, "nodes");
	const cJSON *kind = cJSON_GetObjectItem(v->begin, "kind");
	const cJSON *first = cJSON_GetArrayItem(nodes, 0);
	const char *oldp = ce_data(v, "read", "copy");
	const char *newp = ce_data(v, "edit", "copy");

	if (!cJSON_IsString(kind) ||
	    strncmp(kind->valuestring, "config-", 7) != 0) {
		snprintf(msg, msgsize, "%s is not a config edit", id);
		return -1;
	}
	if (v->outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
			 v->outcome);
		return -1;
	}
	if (!cJSON_IsString(first) ||
	    (c->n = fleet_node_find(c->f, first->valuestring)) == NULL) {
		snprintf(msg, msgsize, "%s: its node is not in %s", id,
			 c->f->path);
		return -1;
	}
	snprintf(c->what, sizeof(c->what), "%s %s", kind->valuestring,
		 c->n->name);
	if (ce_connect(c, msg, msgsize) < 0)
		return -1;
	if (oldp != NULL &&
	    (c->old = ce_read_file(oldp, &c->oldlen, msg, msgsize)) == NULL)
		return -1;
	if (newp != NULL &&
	    (c->text = ce_read_file(newp, &c->textlen, msg, msgsize)) == NULL)
		return -1;
	snprintf(c->etag, sizeof(c->etag), "%s",
		 ce_data(v, "read", "etag") ? ce_data(v, "read", "etag") : "");
	snprintf(c->version, sizeof(c->version), "%s",
		 ce_data(v, "read", "version") ? ce_data(v, "read", "version")
					       : "");
	c->j = procjournal_open(c->state_dir, id, msg, msgsize);
	if (c->j == NULL)
		return -1;
	if (ce_lock(c, id, msg, msgsize) < 0)
		return -1;
	return 0;
}

int cfgedit_resume(const struct fleet *f, const char *state_dir, const char *id,
		   const struct cfgedit_opts *o, const struct cfgedit_ui *ui,
		   char *msg, size_t msgsize)
{
	struct ce c = {.f = f, .state_dir = state_dir, .o = o, .ui = ui};
	struct procjournal_view v;
	const char *up;
	int rc = PROC_OK;

	rc = ce_open(&c, &v, id, msg, msgsize);
	if (rc != 0)
		return rc;
	up = ce_state(&v, "upload");
	if (c.text == NULL) {
		/* Stopped before the edit was saved: nothing uploaded. */
		snprintf(msg, msgsize,
			 "interrupted before the edit was saved: nothing was "
			 "uploaded; start again with bvops config edit %s",
			 c.n->name);
		ce_end(&c, "abandoned", msg);
		rc = PROC_STOPPED;
	} else if (up == NULL || strcmp(up, "done") != 0) {
		struct aws_s3_object now_o;

		/* The upload may have happened before the crash: look. */
		if (aws_s3_get(c.a, c.loc.region, c.loc.bucket, c.loc.key, NULL,
			       false, &now_o, msg, msgsize) < 0) {
			rc = PROC_REMOTE;
		} else if (now_o.len == c.textlen &&
			   memcmp(now_o.body, c.text, c.textlen) == 0) {
			cJSON *d = cJSON_CreateObject();

			cJSON_AddStringToObject(d, "etag",
						now_o.etag ? now_o.etag : "");
			ce_step(&c, "upload", "done", d,
				"found uploaded on resume", msg, msgsize);
			ce_say(&c, "the edit was already uploaded\n");
			if (!ce_confirm_restart(&c, msg, msgsize))
				rc = PROC_STOPPED;
			else if (ce_restart_wait(&c, msg, msgsize) == 0)
				ce_end(&c, "done", "resumed: restarted, up");
			else {
				rc = PROC_STOPPED;
				ce_offer(&c);
			}
		} else {
			ce_show_diff(&c, c.old, c.oldlen, c.text, c.textlen,
				     "stored when read", "the edit");
			rc = ce_apply(&c, msg, msgsize);
		}
		aws_s3_object_free(&now_o);
	} else if (!ce_confirm_restart(&c, msg, msgsize)) {
		rc = PROC_STOPPED;
	} else {
		rc = ce_restart_wait(&c, msg, msgsize) == 0 ? PROC_OK
							    : PROC_STOPPED;
		if (rc == PROC_OK)
			ce_end(&c, "done", "resumed: restarted, up");
		else
			ce_offer(&c);
	}
	procjournal_view_free(&v);
	ce_free(&c);
	return rc;
}

int cfgedit_rollback(const struct fleet *f, const char *state_dir,
		     const char *id, const struct cfgedit_opts *o,
		     const struct cfgedit_ui *ui, char *msg, size_t msgsize)
{
	struct ce c = {.f = f, .state_dir = state_dir, .o = o, .ui = ui};
	struct procjournal_view v;
	struct aws_s3_object now_o, put;
	int rc = PROC_OK, prc;

	rc = ce_open(&c, &v, id, msg, msgsize);
	if (rc != 0)
		return rc;
	procjournal_view_free(&v);
	if (c.old == NULL ||
	    aws_s3_get(c.a, c.loc.region, c.loc.bucket, c.loc.key, NULL, false,
		       &now_o, msg, msgsize) < 0) {
		if (c.old == NULL)
			snprintf(msg, msgsize,
				 "%s: nothing was read, nothing "
				 "to undo",
				 id);
		ce_end(&c, "rolled_back", "nothing to undo");
		ce_free(&c);
		return c.old == NULL ? PROC_OK : PROC_REMOTE;
	}
	if (now_o.len == c.oldlen && memcmp(now_o.body, c.old, c.oldlen) == 0) {
		ce_say(&c, "s3://%s/%s is as it was read: nothing to undo\n",
		       c.loc.bucket, c.loc.key);
		ce_end(&c, "rolled_back", "nothing had been uploaded");
	} else if (c.text == NULL || now_o.len != c.textlen ||
		   memcmp(now_o.body, c.text, c.textlen) != 0) {
		ce_say(&c,
		       "s3://%s/%s holds neither the text read nor the "
		       "edit: someone changed it since. Not rolled back:\n",
		       c.loc.bucket, c.loc.key);
		ce_show_diff(&c, c.old, c.oldlen, now_o.body, now_o.len,
			     "as read", "stored now");
		snprintf(msg, msgsize,
			 "changed by someone else: not rolled "
			 "back");
		rc = PROC_STOPPED;
	} else {
		ce_show_diff(&c, now_o.body, now_o.len, c.old, c.oldlen,
			     "stored now", "as it was");
		if (procjournal_write(c.j, "undo", "upload", c.n->name, "start",
				      NULL, NULL, msg, msgsize) < 0) {
			aws_s3_object_free(&now_o);
			ce_free(&c);
			return PROC_REFUSED;
		}
		prc = aws_s3_put(c.a, c.loc.region, c.loc.bucket, c.loc.key,
				 c.old, c.oldlen, "application/toml",
				 now_o.etag, false, &put, msg, msgsize);
		if (prc < 0) {
			char err[300];

			procjournal_write(c.j, "undo", "upload", c.n->name,
					  "failed", NULL, msg, err,
					  sizeof(err));
			rc = prc == -2 ? PROC_STOPPED : PROC_REMOTE;
		} else {
			aws_s3_object_free(&put);
			procjournal_write(c.j, "undo", "upload", c.n->name,
					  "done", NULL, NULL, msg, msgsize);
			ce_say(&c,
			       "s3://%s/%s is back to the text read at "
			       "the start\n",
			       c.loc.bucket, c.loc.key);
			ce_end(&c, "rolled_back", "the config as it was");
		}
	}
	aws_s3_object_free(&now_o);
	ce_free(&c);
	return rc;
}
