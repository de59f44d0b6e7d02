#include "proc/cfgedit.h"

#include <cJSON.h>
#include <dirent.h>
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
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "engine/monitor.h"
#include "engine/quorum.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/diff.h"
#include "lib/timefmt.h"
#include "lib/toml.h"
#include "lib/xalloc.h"
#include "proc/fleetlint.h"
#include "proc/fleetlock.h"
#include "proc/keypolicy.h"
#include "proc/nodewait.h"
#include "proc/procctx.h"
#include "proc/procedure.h"
#include "proc/procstatus.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/procjournal.h"
#include "state/redact.h"
#include "state/statedir.h"
#include "transport/transport.h"

#define CFGEDIT_KIND    "config-edit"
#define CFGEDIT_RESTORE "config-restore"

/* One edit (or restore) under way. */
struct ce {
	const struct fleet *f;
	const struct fleet_node *n;
	const char *state_dir;
	const struct cfgedit_opts *o;
	const struct cfgedit_ui *ui;
	struct aws_client *a;      /* the node's identity */
	struct aws_client *lock_a; /* the fleet's: the lock */
	char region[64];
	struct cfgloc loc;
	bool have_loc;
	struct fleetlock lock;
	bool locked;
	char id[128];     /* the procedure's, once begun ("" for a dry run) */
	const char *kind; /* CFGEDIT_KIND or CFGEDIT_RESTORE */
	int64_t renewed_ms;
	bool resumed;    /* a resume: ask again what this run has not */
	bool confirmed;  /* the upload was confirmed in this run */
	bool restart_ok; /* a resume: the restart was confirmed before it */
	bool uploaded;   /* the edit is in S3 (the ways on are offered) */
	enum proc_status status; /* how a step that stopped it ended */
	char *old;               /* the stored text when read */
	size_t oldlen;
	char etag[128];
	char version[256];
	char *text; /* the new text */
	size_t textlen;
	char text_label[600]; /* the diff's name for it: "your edit", a key */
	bool edit_kept;       /* an invalid edit kept, and the operator told */
	char what[300];
	char note[1200]; /* for the audit: forced over whom, offline */
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

		fleetlock_release(c->lock_a, &c->lock, msg, sizeof(msg));
	}
	if (c->have_loc)
		cfgloc_free(&c->loc);
	aws_client_free(c->a);
	aws_client_free(c->lock_a);
	free(c->old);
	free(c->text);
}

/*
 * While it runs, the procedure holds its node (holds.h): no bvops watch
 * of this host restarts or pages it while its config changes and it
 * restarts. Set once the lock is taken; lifted when the procedure ends,
 * and only if the hold is still this procedure's.
 */
static void ce_hold(struct ce *c, bool on)
{
	char msg[300] = "";

	if (c->id[0] == '\0' || c->n == NULL)
		return;
	procctx_hold(c->f, c->state_dir, c->n->name, c->id, on, msg,
		     sizeof(msg));
	if (on && msg[0])
		ce_say(c, "warning: %s (the node is not held)\n", msg);
}

/* A step that ends the procedure here: its outcome in data for the
 * engine (procedure.h), and how this call ends for the caller. */
static int ce_end_here(struct ce *c, cJSON *data, const char *outcome,
		       const char *message, enum proc_status st)
{
	cJSON_AddStringToObject(data, "end", outcome);
	if (message != NULL && message[0])
		cJSON_AddStringToObject(data, "end_message", message);
	c->status = st;
	return PROCEDURE_END;
}

static int ce_connect(struct ce *c, char *msg, size_t msgsize)
{
	const struct fleet_node *one[1] = {c->n};
	char who[1024];

	/* Refuse before anything when the node's identity cannot be had. */
	if (awsid_require(c->f, one, 1, who, sizeof(who), msg, msgsize) < 0) {
		return -1;
	}
	if (who[0] && ((c->o != NULL && c->o->dry_run) || !awsid_uniform(c->f)))
		ce_say(c, "AWS calls as:\n%s", who);
	if (awscred_region(c->f->region, c->region, sizeof(c->region), msg,
			   msgsize) < 0)
		return -1;
	c->a = awsid_client_node(c->f, c->n);
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

	if (c->lock_a == NULL)
		c->lock_a = awsid_client_fleet(c->f);
	if (procctx_lock(c->f, c->lock_a, id, c->what, &c->lock, where,
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
			ce_say(c, c->ui->console
				      ? "(secret values changed too: shown "
					"redacted above)\n"
				      : "(secret values changed too: shown "
					"redacted above; --show-secrets shows "
					"them)\n");
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
		 a == 0 && !c->ui->console
		     ? "no terminal to confirm on, and no --yes"
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
 * Where the editor's copy lives: STATE/procedures/ID.edit/ (0700), named
 * in the journal by the read step, so that after a kill the edit is found
 * again and offered (or removed) by a resume. A dry run has no journal: a
 * folder of its own beside the journals, removed when it ends. New string.
 */
static char *ce_edit_dir(const struct ce *c)
{
	return c->id[0] != '\0'
		   ? statedir_file(c->state_dir, "procedures", c->id, ".edit")
		   : statedir_file(c->state_dir, "procedures", "dry-run-XXXXXX",
				   NULL);
}

/* The copy inside dir: NODE-config.toml. New string. */
static char *ce_edit_file(const struct ce *c, const char *dir)
{
	return xasprintf("%s/%s-config.toml", dir, c->n->name);
}

/* Make dir, private; one there already must be ours and not a link. */
static int ce_edit_dir_make(char *dir, bool temp, char *msg, size_t msgsize)
{
	struct stat st;
	char *parent = xstrdup(dir), *slash = strrchr(parent, '/');

	if (slash != NULL) {
		*slash = '\0';
		if (mkdir(parent, 0700) < 0 && errno != EEXIST) {
			snprintf(msg, msgsize, "%s: %s", parent,
				 strerror(errno));
			free(parent);
			return -1;
		}
	}
	free(parent);
	if (temp) {
		if (mkdtemp(dir) != NULL)
			return 0;
	} else if (mkdir(dir, 0700) == 0 ||
		   (errno == EEXIST && lstat(dir, &st) == 0 &&
		    S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
		    (st.st_mode & 077) == 0)) {
		return 0;
	} else if (errno == EEXIST) {
		snprintf(msg, msgsize,
			 "%s is not a private folder of yours: not used for "
			 "the editor's copy",
			 dir);
		return -1;
	}
	snprintf(msg, msgsize, "%s: %s", dir, strerror(errno));
	return -1;
}

/* Remove the editor's copy and its folder. */
static void ce_edit_dir_remove(const struct ce *c, const char *dir)
{
	char *path = ce_edit_file(c, dir);

	unlink(path);
	free(path);
	rmdir(dir);
}

/*
 * The editor loop on the private copy (the text read, or an edit kept
 * from an interrupted run when the file is there already): until the text
 * is valid TOML, or the operator gives up (the file is then kept, and
 * named). Returns 1 with c->text set, 0 for "no change", -1 with msg.
 */
static int ce_edit_loop(struct ce *c, char *msg, size_t msgsize)
{
	char *dir = ce_edit_dir(c), *path;
	struct stat st;
	int rc = -1;

	if (ce_edit_dir_make(dir, c->id[0] == '\0', msg, msgsize) < 0) {
		free(dir);
		return -1;
	}
	path = ce_edit_file(c, dir);
	if (lstat(path, &st) != 0 &&
	    buf_write_file(path, c->old, c->oldlen, false, msg, msgsize) < 0) {
		rmdir(dir);
		free(path);
		free(dir);
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
		snprintf(msg, msgsize,
			 "not valid TOML: nothing uploaded; your edit is kept "
			 "in %s",
			 path);
		c->edit_kept = true;
		free(path);
		free(dir);
		return -2;
	}
	free(path);
	ce_edit_dir_remove(c, dir);
	free(dir);
	return rc;
}

/*
 * The plain texts a procedure kept beside its journal (the config read,
 * the edit, the editor's copy) are needed only while it can be resumed or
 * rolled back: removed once it has ended. An edit the operator was told
 * is kept stays (keep_edit).
 */
static void ce_texts_forget(const char *state_dir, const char *id,
			    bool keep_edit)
{
	static const char *const suffix[] = {".old.toml", ".new.toml"};
	char *dir;
	size_t i;

	for (i = 0; i < 2; i++) {
		char *path =
		    statedir_file(state_dir, "procedures", id, suffix[i]);

		unlink(path);
		free(path);
	}
	if (keep_edit)
		return;
	dir = statedir_file(state_dir, "procedures", id, ".edit");
	{
		char *inner = xasprintf("%s/", dir);
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			char *path;

			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			path = xasprintf("%s%s", inner, e->d_name);
			unlink(path);
			free(path);
		}
		if (d != NULL)
			closedir(d);
		free(inner);
	}
	rmdir(dir);
	free(dir);
}

void cfgedit_texts_forget(const char *state_dir, const char *id, bool keep_edit)
{
	ce_texts_forget(state_dir, id, keep_edit);
}

/*
 * A step failed after the config changed: the procedure stays open, and
 * the operator is told the three ways on.
 */
static void ce_offer(struct ce *c)
{
	char *ways = procctx_ways_on(c->ui->console, c->id,
				     "retry the restart and the wait (asks "
				     "first)",
				     "put the old config back");

	ce_say(c,
	       "The new config is uploaded, but %s is not confirmed up. "
	       "Procedure %s stays open:\n%s",
	       c->n->name, c->id, ways);
	free(ways);
}

/* The diff of the edit against the text read, named as it was shown. */
static void ce_show_edit(struct ce *c, const char *label_old)
{
	char name[700];

	if (label_old == NULL) {
		snprintf(name, sizeof(name), "s3://%s/%s", c->loc.bucket,
			 c->loc.key);
		label_old = name;
	}
	ce_show_diff(c, c->old, c->oldlen, c->text, c->textlen, label_old,
		     c->text_label);
}

/* bvops config lint with the edit in place of the stored text: what it
 * finds about this node is said before the upload is asked for. */
static void ce_lint(struct ce *c)
{
	const char *only[1] = {c->n->name};
	struct fleetlint_opts lo = {.region = c->region,
				    .as_node = c->n->name,
				    .text = c->text,
				    .len = c->textlen,
				    .only = only,
				    .nonly = 1};
	struct buf out, errs;
	size_t problems, unread;
	char *text;

	buf_init(&out, 0);
	buf_init(&errs, 0);
	problems = fleetlint_run(c->f, NULL, &lo, &out, &errs, &unread);
	buf_free(&errs);
	text = buf_take(&out, NULL);
	if (problems > 0)
		ce_say(c,
		       "WARNING: bvops config lint finds, with this edit "
		       "(against the other nodes' configs%s):\n%s",
		       unread ? ", some not read" : "", text);
	free(text);
}

/*
 * The upload's confirmation, once per run (a resume asks again, after
 * showing the edit once more). With --restart one question covers both,
 * after what the restart does to the quorum.
 */
static bool ce_confirm_upload(struct ce *c, char *msg, size_t msgsize)
{
	char q[800];

	if (c->confirmed)
		return true;
	if (c->resumed)
		ce_show_edit(c, "stored when read");
	ce_lint(c);
	if (c->o->restart) {
		ce_say_quorum(c);
		snprintf(q, sizeof(q),
			 "Upload to s3://%s/%s and restart %s? [y/N] ",
			 c->loc.bucket, c->loc.key, c->n->name);
	} else {
		snprintf(q, sizeof(q), "Upload to s3://%s/%s? [y/N] ",
			 c->loc.bucket, c->loc.key);
	}
	if (!ce_confirm(c, q)) {
		snprintf(msg, msgsize, "%s",
			 c->ui->console ? "not confirmed: nothing uploaded"
					: "not confirmed: nothing uploaded "
					  "(answer y, or --yes without a "
					  "terminal)");
		return false;
	}
	c->confirmed = true;
	return true;
}

/* ---- the steps (procedure.h), one node: c->n ---- */

/* Read the stored config, and keep the exact text beside the journal
 * for resume and rollback. */
static int step_read(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	struct ce *c = ctx;
	char *copy;

	(void)node, (void)v;
	if (ce_fetch(c, msg, msgsize) < 0)
		return ce_end_here(c, data, "failed", msg, PROC_REMOTE);
	copy = statedir_file(c->state_dir, "procedures", c->id, ".old.toml");
	if (buf_write_file(copy, c->old, c->oldlen, false, msg, msgsize) < 0) {
		free(copy);
		c->status = PROC_REFUSED;
		return -1;
	}
	cJSON_AddStringToObject(data, "etag", c->etag);
	cJSON_AddStringToObject(data, "version", c->version);
	cJSON_AddStringToObject(data, "copy", copy);
	free(copy);
	if (strcmp(c->kind, CFGEDIT_KIND) == 0) {
		char *dir = ce_edit_dir(c);

		cJSON_AddStringToObject(data, "edit_dir", dir);
		free(dir);
	}
	return 0;
}

/* A restore's text: the backup, checked before it goes anywhere. */
static int ce_take_backup(struct ce *c, char *msg, size_t msgsize)
{
	struct aws_s3_object b;
	struct toml_error err;
	struct toml_doc *doc;

	if (c->o->backup == NULL) {
		snprintf(msg, msgsize,
			 "give the backup to restore with --backup KEY (they "
			 "are under s3://%s/backups/%s.*)",
			 c->loc.bucket, c->loc.key);
		return PROC_REFUSED;
	}
	if (aws_s3_get(c->a, c->loc.region, c->loc.bucket, c->o->backup, NULL,
		       false, &b, msg, msgsize) < 0)
		return PROC_REMOTE;
	doc = toml_doc_parse(b.body, b.len, &err);
	if (doc == NULL) {
		snprintf(msg, msgsize, "s3://%s/%s:%u:%u: %s: not restored",
			 c->loc.bucket, c->o->backup, err.line, err.col,
			 err.msg);
		aws_s3_object_free(&b);
		return PROC_REFUSED;
	}
	toml_doc_free(doc);
	c->text = b.body;
	c->textlen = b.len;
	b.body = NULL;
	aws_s3_object_free(&b);
	return PROC_OK;
}

/*
 * A resume of an edit killed while the editor ran: the editor's copy is
 * still in its private folder. It is shown (redacted) and offered: [u]se
 * it (the editor opens on it again, then as usual), [d]iscard it, or keep
 * it for later (no answer: nobody at a terminal). 1 with c->text, 0 when
 * there is nothing to go on with (msg says why: no edit, discarded), -2
 * kept for later (msg), -1 on an error (msg).
 */
static int ce_kept_edit_offer(struct ce *c, char *msg, size_t msgsize)
{
	char *dir = ce_edit_dir(c), *path = ce_edit_file(c, dir), *text;
	size_t len;
	int answer, rc;

	text = ce_read_file(path, &len, msg, msgsize);
	if (text == NULL ||
	    (len == c->oldlen && memcmp(text, c->old, len) == 0)) {
		free(text);
		ce_edit_dir_remove(c, dir);
		snprintf(msg, msgsize,
			 "interrupted before the edit was saved: nothing was "
			 "uploaded; start again with %s%s",
			 c->ui->console ? "e in the details of "
					: "bvops config edit ",
			 c->n->name);
		free(path);
		free(dir);
		return 0;
	}
	ce_say(c,
	       "The run before was interrupted while %s's config was being "
	       "edited. Its edit is kept in %s:\n",
	       c->n->name, path);
	ce_show_diff(c, c->old, c->oldlen, text, len, "as read",
		     "the kept edit");
	free(text);
	answer = c->ui->ask(c->ui->ctx,
			    "[u]se it (the editor opens on it), [d]iscard it, "
			    "or [k]eep it for later? ");
	if (answer == 'u') {
		rc = ce_edit_loop(c, msg, msgsize);
		if (rc == 0)
			snprintf(msg, msgsize, "no change: nothing uploaded");
		else if (rc == -2)
			rc = -1;
	} else if (answer == 'd') {
		ce_edit_dir_remove(c, dir);
		snprintf(msg, msgsize,
			 "the kept edit was discarded: nothing uploaded");
		rc = 0;
	} else {
		snprintf(msg, msgsize,
			 "the kept edit stays in %s; %s%s offers it again (or "
			 "rollback removes it)",
			 path,
			 c->ui->console ? "resuming procedure "
					: "bvops procedure resume ",
			 c->id);
		rc = -2;
	}
	free(path);
	free(dir);
	return rc;
}

/* The edit (or the backup to restore), saved beside the journal. An edit
 * cut short by a crash is offered back, never guessed at. */
static int step_edit(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	struct ce *c = ctx;
	char *path;
	int rc;

	if (procedure_state(v, "step", "edit", node) != NULL) {
		/* Killed at the upload's question: the edit was saved. */
		size_t len;

		path = statedir_file(c->state_dir, "procedures", c->id,
				     ".new.toml");
		free(c->text);
		c->text = ce_read_file(path, &len, msg, msgsize);
		if (c->text != NULL) {
			c->textlen = len;
			cJSON_AddStringToObject(data, "copy", path);
			free(path);
			return 0;
		}
		free(path);
		rc = ce_kept_edit_offer(c, msg, msgsize);
		if (rc == 1)
			goto edited;
		if (rc == 0)
			return ce_end_here(c, data, "abandoned", msg,
					   PROC_STOPPED);
		if (rc == -2) {
			c->status = PROC_STOPPED;
			return -1;
		}
		return ce_end_here(c, data, "abandoned", msg, PROC_REFUSED);
	}
	if (strcmp(c->kind, CFGEDIT_RESTORE) == 0) {
		rc = ce_take_backup(c, msg, msgsize);
		if (rc != PROC_OK)
			return ce_end_here(
			    c, data, rc == PROC_REMOTE ? "failed" : "abandoned",
			    msg, (enum proc_status)rc);
	} else {
		rc = ce_edit_loop(c, msg, msgsize);
		if (rc == 0) {
			snprintf(msg, msgsize, "no change: nothing uploaded");
			ce_say(c, "%s\n", msg);
			return ce_end_here(c, data, "abandoned", msg, PROC_OK);
		}
		if (rc < 0)
			return ce_end_here(c, data, "abandoned", msg,
					   PROC_REFUSED);
	}
edited:
	/* The editor may have taken long: the lock must still be ours. */
	if (c->locked &&
	    fleetlock_renew(c->lock_a, &c->lock, msg, msgsize) < 0) {
		c->locked = false;
		return ce_end_here(c, data, "abandoned", msg, PROC_STOPPED);
	}
	c->renewed_ms = clock_mono_ms();
	path = statedir_file(c->state_dir, "procedures", c->id, ".new.toml");
	rc = buf_write_file(path, c->text, c->textlen, false, msg, msgsize);
	cJSON_AddStringToObject(data, "copy", path);
	free(path);
	if (rc < 0) {
		c->status = PROC_REFUSED;
		return -1;
	}
	ce_show_edit(c, NULL);
	/* Asked before the backup starts, so that "no" changes nothing. */
	if (!ce_confirm_upload(c, msg, msgsize))
		return ce_end_here(c, data, "abandoned", msg, PROC_STOPPED);
	return 0;
}

/* After the confirmation: the text read, backed up beside it, never over
 * another backup (a second one in the same second gets a suffix). */
static int step_backup(void *ctx, const char *node,
		       const struct procjournal_view *v, cJSON *data, char *msg,
		       size_t msgsize)
{
	struct ce *c = ctx;
	struct aws_s3_object put;
	char stamp[40], *bkey;
	time_t now = time(NULL);
	struct tm tm;
	int rc, k;

	(void)node, (void)v;
	if (!ce_confirm_upload(c, msg, msgsize))
		return ce_end_here(c, data, "abandoned", msg, PROC_STOPPED);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	bkey = xasprintf("backups/%s.%s", c->loc.key, stamp);
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
		free(bkey);
		return ce_end_here(c, data, "failed", msg, PROC_REMOTE);
	}
	aws_s3_object_free(&put);
	cJSON_AddStringToObject(data, "key", bkey);
	cJSON_AddStringToObject(data, "of_version", c->version);
	ce_say(c, "backup: s3://%s/%s%s%s\n", c->loc.bucket, bkey,
	       c->version[0] ? ", and the stored version " : "", c->version);
	free(bkey);
	return 0;
}

/* Upload the edit only if the stored text is still the one read
 * (If-Match): someone else's change is shown, never overwritten. */
static int step_upload(void *ctx, const char *node,
		       const struct procjournal_view *v, cJSON *data, char *msg,
		       size_t msgsize)
{
	struct ce *c = ctx;
	struct aws_s3_object put, now_o;
	int rc;

	if (!ce_confirm_upload(c, msg, msgsize))
		return ce_end_here(c, data, "abandoned", msg, PROC_STOPPED);
	if (procedure_state(v, "step", "upload", node) != NULL) {
		/* The upload may have happened before the crash: look. */
		if (aws_s3_get(c->a, c->loc.region, c->loc.bucket, c->loc.key,
			       NULL, false, &now_o, msg, msgsize) < 0) {
			c->status = PROC_REMOTE;
			return -1;
		}
		if (now_o.len == c->textlen &&
		    memcmp(now_o.body, c->text, c->textlen) == 0) {
			cJSON_AddStringToObject(data, "etag",
						now_o.etag ? now_o.etag : "");
			cJSON_AddStringToObject(data, "found", "on resume");
			aws_s3_object_free(&now_o);
			ce_say(c, "the edit was already uploaded\n");
			c->uploaded = true;
			return 0;
		}
		aws_s3_object_free(&now_o);
	}
	rc = aws_s3_put(c->a, c->loc.region, c->loc.bucket, c->loc.key, c->text,
			c->textlen, "application/toml", c->etag, false, &put,
			msg, msgsize);
	if (rc == -2) {
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
		return ce_end_here(c, data, "failed", msg, PROC_STOPPED);
	}
	if (rc < 0)
		return ce_end_here(c, data, "failed", msg, PROC_REMOTE);
	cJSON_AddStringToObject(data, "etag", put.etag ? put.etag : "");
	cJSON_AddStringToObject(data, "version",
				put.version_id ? put.version_id : "");
	ce_say(c, "uploaded s3://%s/%s%s%s\n", c->loc.bucket, c->loc.key,
	       put.version_id ? ", version " : "",
	       put.version_id ? put.version_id : "");
	aws_s3_object_free(&put);
	c->uploaded = true;
	return 0;
}

/* Put the text read back, only if the stored one is still the edit. */
static int undo_upload(void *ctx, const char *node, const cJSON *data,
		       char *msg, size_t msgsize)
{
	struct ce *c = ctx;
	struct aws_s3_object now_o, put;
	int rc;

	(void)node, (void)data;
	if (c->old == NULL)
		return 0;
	if (aws_s3_get(c->a, c->loc.region, c->loc.bucket, c->loc.key, NULL,
		       false, &now_o, msg, msgsize) < 0) {
		c->status = PROC_REMOTE;
		return -1;
	}
	if (now_o.len == c->oldlen &&
	    memcmp(now_o.body, c->old, c->oldlen) == 0) {
		ce_say(c, "s3://%s/%s is as it was read: nothing to undo\n",
		       c->loc.bucket, c->loc.key);
		aws_s3_object_free(&now_o);
		return 0;
	}
	if (c->text == NULL || now_o.len != c->textlen ||
	    memcmp(now_o.body, c->text, c->textlen) != 0) {
		ce_say(c,
		       "s3://%s/%s holds neither the text read nor the "
		       "edit: someone changed it since. Not rolled back:\n",
		       c->loc.bucket, c->loc.key);
		ce_show_diff(c, c->old, c->oldlen, now_o.body, now_o.len,
			     "as read", "stored now");
		snprintf(msg, msgsize,
			 "changed by someone else: not rolled back");
		aws_s3_object_free(&now_o);
		c->status = PROC_STOPPED;
		return -1;
	}
	ce_show_diff(c, now_o.body, now_o.len, c->old, c->oldlen, "stored now",
		     "as it was");
	rc = aws_s3_put(c->a, c->loc.region, c->loc.bucket, c->loc.key, c->old,
			c->oldlen, "application/toml", now_o.etag, false, &put,
			msg, msgsize);
	aws_s3_object_free(&now_o);
	if (rc < 0) {
		c->status = rc == -2 ? PROC_STOPPED : PROC_REMOTE;
		return -1;
	}
	aws_s3_object_free(&put);
	ce_say(c, "s3://%s/%s is back to the text read at the start\n",
	       c->loc.bucket, c->loc.key);
	return 0;
}

/* Restart the node so that it reads the new config: with --restart (or
 * a resume that asked), else the operator is told the quorum effect and
 * asked; --yes alone never restarts. */
static int step_restart(void *ctx, const char *node,
			const struct procjournal_view *v, cJSON *data,
			char *msg, size_t msgsize)
{
	struct ce *c = ctx;
	struct transport *t;
	struct transport_result r;
	int rc;

	(void)node, (void)v;
	if (!c->o->restart && !c->restart_ok) {
		char q[300];

		snprintf(q, sizeof(q),
			 "Restart %s now so that it reads it? [y/N] ",
			 c->n->name);
		if (!c->o->yes)
			ce_say_quorum(c);
		if (c->o->yes || c->ui->ask(c->ui->ctx, q) != 'y') {
			ce_say(c,
			       "%s was not restarted: it reads the new config "
			       "when it next starts\n",
			       c->n->name);
			return ce_end_here(c, data, "done",
					   "uploaded; not restarted", PROC_OK);
		}
	}
	{
		/* The key policy, read again just before: a node put in
		 * debug mode meanwhile (by hand) is not restarted. */
		char why[600];

		if (keypolicy_unrecorded_debug(c->f, c->n, c->state_dir, why,
					       sizeof(why))) {
			snprintf(msg, msgsize,
				 "%snot restarted (resume once "
				 "debug mode is left)",
				 why);
			return -1;
		}
	}
	ce_say(c, "restarting %s...\n", c->n->name);
	t = transport_new(c->f);
	rc = transport_run(t, c->n, FLEET_CMD_RESTART,
			   (long)c->f->health.restart_timeout_ms, 4096, &r, msg,
			   msgsize);
	if (rc == 0 && r.exit_status != 0) {
		snprintf(msg, msgsize, "restart of %s failed (exit %d): %s",
			 c->n->name, r.exit_status, r.err_len ? r.err : r.out);
		rc = -1;
	}
	transport_result_free(&r); /* zeroed by transport_run even on -1 */
	transport_free(t);
	if (rc < 0)
		c->status = PROC_STOPPED;
	return rc;
}

/* Wait for /ping; the node's journal when it does not come back. */
static int step_wait(void *ctx, const char *node,
		     const struct procjournal_view *v, cJSON *data, char *msg,
		     size_t msgsize)
{
	struct ce *c = ctx;
	size_t idx = (size_t)(c->n - c->f->nodes);

	(void)node, (void)v;
	if (nodewait_up_or_journal(c->f, idx, c->o->wait_ms, c->ui->say,
				   c->ui->ctx, msg, msgsize) < 0) {
		c->status = PROC_STOPPED;
		return -1;
	}
	return ce_end_here(c, data, "done",
			   c->resumed ? "resumed: restarted, up"
				      : "uploaded, restarted, up",
			   PROC_OK);
}

static const struct procedure_step cfgedit_steps[] = {
    {.name = "read", .do_step = step_read},
    {.name = "edit", .do_step = step_edit},
    {.name = "backup", .do_step = step_backup},
    {.name = "upload", .do_step = step_upload, .undo = undo_upload},
    {.name = "restart", .do_step = step_restart, .disrupts = true},
    {.name = "wait", .do_step = step_wait},
};

/* The lock kept renewed between records, as every procedure does. */
static void ce_progress(void *ctx, const char *rec, const char *step,
			const char *node, const char *state,
			const char *message)
{
	struct ce *c = ctx;
	char msg[300];

	(void)rec, (void)step, (void)node, (void)state, (void)message;
	if (c->locked && procctx_lock_keep(c->lock_a, &c->lock, &c->renewed_ms,
					   msg, sizeof(msg)) < 0)
		ce_say(c, "WARNING: the fleet lock could not be renewed: %s\n",
		       msg);
}

/* The screen's clock while a step runs. */
static void ce_tick(void *ctx)
{
	struct ce *c = ctx;

	if (c->ui->tick != NULL)
		c->ui->tick(c->ui->ctx);
}

static void ce_def(struct ce *c, struct procedure_def *def)
{
	*def = (struct procedure_def){
	    .kind = c->kind,
	    .steps = cfgedit_steps,
	    .nsteps = sizeof(cfgedit_steps) / sizeof(cfgedit_steps[0]),
	    .ctx = c,
	    .progress = ce_progress,
	    .tick = ce_tick,
	    .width = 1,
	};
}

bool cfgedit_kind(const char *kind)
{
	return kind != NULL && (strcmp(kind, CFGEDIT_KIND) == 0 ||
				strcmp(kind, CFGEDIT_RESTORE) == 0);
}

/*
 * Run (resume or roll back) the journal c->id on the engine, under the
 * lock, and say how it ended: the audit record when it has ended, the
 * hold lifted, the ways on when the edit is uploaded but the node not up.
 */
static int ce_go(struct ce *c, bool rollback, char *msg, size_t msgsize)
{
	struct procedure_def def;
	int rc;

	ce_def(c, &def);
	c->status = PROC_OK;
	rc = rollback
		 ? procedure_rollback(&def, c->state_dir, c->id, msg, msgsize)
		 : procedure_resume(&def, c->state_dir, c->id, msg, msgsize);
	if (rc == 0 || rc == PROCEDURE_END) {
		const char *result = rollback         ? "the config as it was"
				     : msg[0] != '\0' ? msg
						      : "done";
		char err[300];

		char *line = xasprintf("%s%s", result, c->note);

		ce_hold(c, false);
		ce_texts_forget(c->state_dir, c->id, c->edit_kept);
		eventlog_audit(c->state_dir, c->what, c->n->name, line, err,
			       sizeof(err));
		free(line);
		return rc == 0 ? PROC_OK : c->status;
	}
	if (c->uploaded && !rollback)
		ce_offer(c);
	return c->status != PROC_OK ? c->status : PROC_STOPPED;
}

static void ce_pui_say(void *ctx, const char *text)
{
	const struct cfgedit_ui *ui = ctx;

	ui->say(ui->ctx, text);
}

static int ce_pui_ask_line(void *ctx, const char *question, char *out,
			   size_t size)
{
	const struct cfgedit_ui *ui = ctx;

	return ui->ask_line != NULL ? ui->ask_line(ui->ctx, question, out, size)
				    : -1;
}

/* The shared state read and other operators' claims on the node guarded
 * (procctx_before), in this procedure's operator's words. */
static int ce_before(struct ce *c, const char *action, char *msg,
		     size_t msgsize)
{
	const char *names[1] = {c->n->name};
	struct procedure_ui pui = {.ctx = (void *)c->ui,
				   .say = ce_pui_say,
				   .ask_line = ce_pui_ask_line,
				   .console = c->ui->console};

	return procctx_before(c->f, c->state_dir, names, 1, action, true,
			      c->o->yes, c->o->force, &pui, c->note,
			      sizeof(c->note), msg, msgsize);
}

/* Begin: locate, say the plan, journal, lock, hold. A dry run stops
 * after reading. */
static int ce_begin(struct ce *c, char *msg, size_t msgsize)
{
	const char *nodes[1] = {c->n->name};
	struct procedure_def def;
	char *id;
	cJSON *p;

	if (ce_connect(c, msg, msgsize) < 0)
		return PROC_REMOTE;
	ce_say(c,
	       "Plan for %s (s3://%s/%s, %s): read it, %s, show the diff, %s"
	       "back it up, upload it only if unchanged meanwhile, then %s.\n",
	       c->n->name, c->loc.bucket, c->loc.key, c->loc.region,
	       strcmp(c->kind, CFGEDIT_KIND) == 0 ? "edit it"
						  : "take the backup",
	       c->o->dry_run ? "(dry run: stop there) " : "ask, ",
	       c->o->restart ? "restart the node and wait for its /ping"
			     : "offer to restart the node");
	if (c->o->dry_run)
		return ce_fetch(c, msg, msgsize) < 0 ? PROC_REMOTE : PROC_OK;
	{
		int rc = ce_before(c,
				   strcmp(c->kind, CFGEDIT_KIND) == 0
				       ? "config edit"
				       : "config restore",
				   msg, msgsize);

		if (rc != PROC_OK)
			return rc;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "bucket", c->loc.bucket);
	cJSON_AddStringToObject(p, "key", c->loc.key);
	cJSON_AddStringToObject(p, "region", c->loc.region);
	ce_def(c, &def);
	if (procedure_begin(&def, c->state_dir, c->f->name, nodes, 1, p, &id,
			    msg, msgsize) < 0) {
		cJSON_Delete(p);
		return PROC_REFUSED;
	}
	cJSON_Delete(p);
	snprintf(c->id, sizeof(c->id), "%s", id);
	free(id);
	if (ce_lock(c, c->id, msg, msgsize) < 0) {
		char err[300];

		procedure_abandon(c->state_dir, c->id, err, sizeof(err));
		eventlog_audit(c->state_dir, c->what, c->n->name, msg, err,
			       sizeof(err));
		return PROC_STOPPED;
	}
	c->renewed_ms = clock_mono_ms();
	ce_hold(c, true);
	return PROC_OK;
}

/* A dry run: the same questions and diff, no journal, nothing written. */
static int ce_dry_run(struct ce *c, char *msg, size_t msgsize)
{
	int rc;

	if (strcmp(c->kind, CFGEDIT_RESTORE) == 0) {
		rc = ce_take_backup(c, msg, msgsize);
		if (rc != PROC_OK)
			return rc;
	} else {
		rc = ce_edit_loop(c, msg, msgsize);
		if (rc == 0) {
			snprintf(msg, msgsize, "no change: nothing uploaded");
			ce_say(c, "%s\n", msg);
			return PROC_OK;
		}
		if (rc < 0)
			return PROC_REFUSED;
	}
	ce_show_edit(c, NULL);
	ce_say(c, "dry run: nothing %s\n",
	       strcmp(c->kind, CFGEDIT_RESTORE) == 0 ? "restored" : "uploaded");
	return PROC_OK;
}

static int ce_start(const struct fleet *f, const struct fleet_node *n,
		    const char *state_dir, const struct cfgedit_opts *o,
		    const struct cfgedit_ui *ui, const char *kind, char *msg,
		    size_t msgsize)
{
	struct ce c = {.f = f,
		       .n = n,
		       .state_dir = state_dir,
		       .o = o,
		       .ui = ui,
		       .kind = kind};
	int rc;

	snprintf(c.what, sizeof(c.what), "%s %s",
		 strcmp(kind, CFGEDIT_KIND) == 0 ? "config edit"
						 : "config restore",
		 n->name);
	snprintf(c.text_label, sizeof(c.text_label), "%s",
		 strcmp(kind, CFGEDIT_KIND) == 0 ? "your edit"
		 : o->backup                     ? o->backup
						 : "the backup");
	rc = ce_begin(&c, msg, msgsize);
	if (rc == PROC_OK)
		rc = o->dry_run ? ce_dry_run(&c, msg, msgsize)
				: ce_go(&c, false, msg, msgsize);
	ce_free(&c);
	return rc;
}

int cfgedit_run(const struct fleet *f, const struct fleet_node *n,
		const char *state_dir, const struct cfgedit_opts *o,
		const struct cfgedit_ui *ui, char *msg, size_t msgsize)
{
	return ce_start(f, n, state_dir, o, ui, CFGEDIT_KIND, msg, msgsize);
}

int cfgedit_restore(const struct fleet *f, const struct fleet_node *n,
		    const char *state_dir, const struct cfgedit_opts *o,
		    const struct cfgedit_ui *ui, char *msg, size_t msgsize)
{
	return ce_start(f, n, state_dir, o, ui, CFGEDIT_RESTORE, msg, msgsize);
}

/* ---- resume and rollback ---- */

/* The text of a data field of the "done" record of step. */
static const char *ce_data(const struct procjournal_view *v, const char *node,
			   const char *step, const char *field)
{
	const cJSON *d = procedure_data(v, step, node);

	return cJSON_GetStringValue(d ? cJSON_GetObjectItem(d, field) : NULL);
}

/* Set up c from journal id (read into *v): the node, the location, the
 * texts kept beside it; then the lock. 0, or an enum proc_status. */
static int ce_open(struct ce *c, struct procjournal_view *v, const char *id,
		   char *msg, size_t msgsize)
{
	const cJSON *nodes, *first;
	const char *kind, *oldp, *newp, *name;

	if (procjournal_read(c->state_dir, id, v, msg, msgsize) < 0)
		return PROC_REFUSED;
	kind = cJSON_GetStringValue(cJSON_GetObjectItem(v->begin, "kind"));
	nodes = cJSON_GetObjectItem(v->begin, "nodes");
	first = cJSON_GetArrayItem(nodes, 0);
	name = cJSON_GetStringValue(first);
	if (!cfgedit_kind(kind)) {
		snprintf(msg, msgsize, "%s is not a config edit", id);
		return PROC_STOPPED;
	}
	if (v->outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
			 v->outcome);
		return PROC_STOPPED;
	}
	if (name == NULL || (c->n = fleet_node_find(c->f, name)) == NULL) {
		snprintf(msg, msgsize, "%s: its node is not in %s", id,
			 c->f->path);
		return PROC_STOPPED;
	}
	c->kind =
	    strcmp(kind, CFGEDIT_KIND) == 0 ? CFGEDIT_KIND : CFGEDIT_RESTORE;
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->what, sizeof(c->what), "%s %s", kind, c->n->name);
	snprintf(c->text_label, sizeof(c->text_label), "the edit");
	if (ce_connect(c, msg, msgsize) < 0)
		return PROC_STOPPED;
	{
		int rc = ce_before(c, "resume or roll back", msg, msgsize);

		if (rc != PROC_OK)
			return rc;
	}
	oldp = ce_data(v, name, "read", "copy");
	newp = ce_data(v, name, "edit", "copy");
	if (oldp != NULL &&
	    (c->old = ce_read_file(oldp, &c->oldlen, msg, msgsize)) == NULL)
		return PROC_STOPPED;
	if (newp != NULL &&
	    (c->text = ce_read_file(newp, &c->textlen, msg, msgsize)) == NULL)
		return PROC_STOPPED;
	snprintf(c->etag, sizeof(c->etag), "%s",
		 ce_data(v, name, "read", "etag")
		     ? ce_data(v, name, "read", "etag")
		     : "");
	snprintf(c->version, sizeof(c->version), "%s",
		 ce_data(v, name, "read", "version")
		     ? ce_data(v, name, "read", "version")
		     : "");
	c->uploaded = procedure_data(v, "upload", name) != NULL;
	if (ce_lock(c, id, msg, msgsize) < 0)
		return PROC_STOPPED;
	c->renewed_ms = clock_mono_ms();
	return PROC_OK;
}

int cfgedit_resume(const struct fleet *f, const char *state_dir, const char *id,
		   const struct cfgedit_opts *o, const struct cfgedit_ui *ui,
		   char *msg, size_t msgsize)
{
	struct ce c = {
	    .f = f, .state_dir = state_dir, .o = o, .ui = ui, .resumed = true};
	struct procjournal_view v = {0};
	int rc = ce_open(&c, &v, id, msg, msgsize);

	/* Uploaded already: what is left restarts the node, so ask first
	 * (a resume before the upload asks for the upload instead). */
	if (rc == PROC_OK && c.uploaded &&
	    procedure_data(&v, "restart", c.n->name) == NULL) {
		if (!ce_confirm_restart(&c, msg, msgsize))
			rc = PROC_STOPPED;
		else
			c.restart_ok = true;
	}
	if (rc == PROC_OK)
		rc = ce_go(&c, false, msg, msgsize);
	procjournal_view_free(&v);
	ce_free(&c);
	return rc;
}

int cfgedit_rollback(const struct fleet *f, const char *state_dir,
		     const char *id, const struct cfgedit_opts *o,
		     const struct cfgedit_ui *ui, char *msg, size_t msgsize)
{
	struct ce c = {.f = f, .state_dir = state_dir, .o = o, .ui = ui};
	struct procjournal_view v = {0};
	int rc = ce_open(&c, &v, id, msg, msgsize);

	procjournal_view_free(&v);
	if (rc == PROC_OK)
		rc = ce_go(&c, true, msg, msgsize);
	ce_free(&c);
	return rc;
}
