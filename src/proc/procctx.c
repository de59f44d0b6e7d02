#include "proc/procctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/awscred.h"
#include "aws/awsid.h"
#include "engine/quorum.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "proc/keypolicy.h"
#include "proc/procstatus.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/marks.h"
#include "state/procjournal.h"
#include "state/shareddoc.h"
#include "state/sharedstatus.h"
#include "state/statedir.h"

int64_t procctx_lock_ttl_ms(void)
{
	return lockdoc_ttl_ms();
}

/* Lift the holds of ended procedure v on its nodes. */
static void procctx_unhold_all(const struct fleet *f, const char *dir,
			       const char *id, const struct procjournal_view *v)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, cJSON_GetObjectItem(v->begin, "nodes"))
	{
		if (cJSON_IsString(n))
			procctx_hold(f, dir, n->valuestring, id, false, NULL,
				     0);
	}
}

/*
 * The lock at w is held (h) by a procedure of this host whose journal (in
 * dir) has ended: it was killed after its end record, before it let go,
 * and nothing runs under it. Let it go, and that procedure's holds, with
 * an audit record. true when it was.
 */
static bool procctx_let_go_ended(const struct fleet *f, struct aws_client *a,
				 const struct fleetlock_where *w,
				 const struct fleetlock_holder *h,
				 const char *dir)
{
	struct procjournal_view v;
	char host[WHOAMI_HOST_MAX], msg[300];
	bool ended = false;

	whoami_host(host, sizeof(host));
	if (!h->held || strcmp(h->host, host) != 0 ||
	    procjournal_read(dir, h->id, &v, msg, sizeof(msg)) < 0)
		return false;
	if (v.outcome != NULL &&
	    fleetlock_break(a, w, h->id, msg, sizeof(msg)) == 0) {
		char what[400];

		ended = true;
		procctx_unhold_all(f, dir, h->id, &v);
		snprintf(what, sizeof(what),
			 "procedure %s had ended (%s) but not let go of the "
			 "lock: let go",
			 h->id, v.outcome);
		eventlog_audit(dir, "lock take-over", "", what, msg,
			       sizeof(msg));
	}
	procjournal_view_free(&v);
	return ended;
}

bool procctx_ended(const struct fleet *f, const char *state_dir, const char *id,
		   char *msg, size_t msgsize)
{
	struct procjournal_view v;
	struct fleetlock_where w;
	struct fleetlock_holder h;
	struct aws_client *a;
	char region[64], err[300];

	if (procjournal_read(state_dir, id, &v, err, sizeof(err)) < 0)
		return false;
	if (v.outcome == NULL) {
		procjournal_view_free(&v);
		return false;
	}
	snprintf(msg, msgsize, "%s has ended (%s): nothing to do", id,
		 v.outcome);
	procctx_unhold_all(f, state_dir, id, &v);
	procjournal_view_free(&v);
	/* Its lock too, if it still has it: best effort. */
	a = awsid_client_fleet(f);
	if (awscred_region(f->region, region, sizeof(region), err,
			   sizeof(err)) == 0 &&
	    fleetlock_where_fleet(f, a, region, &w, err, sizeof(err)) == 0 &&
	    fleetlock_read(a, &w, &h, err, sizeof(err)) == 0 && h.held &&
	    strcmp(h.id, id) == 0)
		procctx_let_go_ended(f, a, &w, &h, state_dir);
	aws_client_free(a);
	return true;
}

int procctx_lock(const struct fleet *f, struct aws_client *a, const char *id,
		 const char *what, struct fleetlock *out, char *where,
		 size_t wsize, char *msg, size_t msgsize)
{
	struct fleetlock_where w;
	struct fleetlock_holder h;
	char region[64], who[800], *dir;
	int rc;

	/* Every procedure finds the lock from the fleet's region. */
	if (awscred_region(f->region, region, sizeof(region), msg, msgsize) <
		0 ||
	    fleetlock_where_fleet(f, a, region, &w, msg, msgsize) < 0)
		return -1;
	rc = fleetlock_take(a, &w, id, what, procctx_lock_ttl_ms(), out, &h,
			    msg, msgsize);
	dir = statedir_path(f->name, NULL);
	if (rc == FLEETLOCK_HELD && procctx_let_go_ended(f, a, &w, &h, dir))
		rc = fleetlock_take(a, &w, id, what, procctx_lock_ttl_ms(), out,
				    &h, msg, msgsize);
	free(dir);
	if (rc != FLEETLOCK_TAKEN) {
		char why[1200];

		if (rc == FLEETLOCK_HELD) {
			lockdoc_describe(&h, who, sizeof(who));
			snprintf(why, sizeof(why), "the fleet is locked by %s",
				 who);
		} else {
			snprintf(why, sizeof(why), "%s", msg);
		}
		dir = statedir_path(f->name, NULL);
		procedure_refused(dir, id, why);
		free(dir);
	}
	switch (rc) {
	case FLEETLOCK_TAKEN:
		if (where != NULL) {
			char until[40];

			timefmt_iso8601(clock_now_ms() + procctx_lock_ttl_ms(),
					false, until, sizeof(until));
			snprintf(where, wsize,
				 "yours until %s unless renewed (s3://%s/%s)",
				 until, w.bucket, w.key);
		}
		return 0;
	case FLEETLOCK_HELD:
		lockdoc_describe(&h, who, sizeof(who));
		snprintf(msg, msgsize,
			 "the fleet is locked by %s: nothing done (bvops lock "
			 "break, only if that procedure is dead)",
			 who);
		return -1;
	default: return -1;
	}
}

int procctx_lock_keep(struct aws_client *a, struct fleetlock *l,
		      int64_t *renewed_ms, char *msg, size_t msgsize)
{
	int64_t now = clock_mono_ms();

	if (*renewed_ms != 0 && now - *renewed_ms < l->ttl_ms / 3)
		return 0;
	if (fleetlock_renew(a, l, msg, msgsize) < 0)
		return -1;
	*renewed_ms = now;
	return 0;
}

int procctx_hold(const struct fleet *f, const char *state_dir, const char *node,
		 const char *id, bool on, char *msg, size_t msgsize)
{
	char reason[300], err[300];

	if (msg == NULL) {
		msg = err;
		msgsize = sizeof(err);
	}
	snprintf(reason, sizeof(reason), "procedure %s", id);
	/* Its own hold only: a maintenance or another procedure's hold on
	 * the same node stays as it is. */
	return shared_change(
	    f, state_dir,
	    on ? shareddoc_op_hold_add(node, HOLD_PROCEDURE, id, reason, 0)
	       : shareddoc_op_hold_remove(node, HOLD_PROCEDURE, id, false),
	    NULL, msg, msgsize);
}

int procctx_hold_all(const struct fleet *f, const char *state_dir,
		     const char *const *nodes, size_t n, const char *id,
		     bool on, char *msg, size_t msgsize)
{
	cJSON **ops = xcalloc(n + 1, sizeof(cJSON *));
	char reason[300], err[300];
	size_t k;
	int rc;

	if (msg == NULL) {
		msg = err;
		msgsize = sizeof(err);
	}
	snprintf(reason, sizeof(reason), "procedure %s", id);
	for (k = 0; k < n; k++)
		ops[k] = on ? shareddoc_op_hold_add(nodes[k], HOLD_PROCEDURE,
						    id, reason, 0)
			    : shareddoc_op_hold_remove(nodes[k], HOLD_PROCEDURE,
						       id, false);
	rc = shared_change(f, state_dir, shareddoc_op_batch(ops, n), NULL, msg,
			   msgsize);
	free(ops);
	return rc;
}

void procctx_say_quorum(const struct fleet *f, const char *const *nodes,
			size_t n, const struct procedure_ui *ui)
{
	struct quorum_effect e;
	char text[1200];

	quorum_effect(f, nodes, n, &e, text, sizeof(text));
	strncat(text, "\n", sizeof(text) - strlen(text) - 1);
	ui->say(ui->ctx, text);
}

bool procctx_confirm_disruption(const struct fleet *f, const char *const *nodes,
				size_t n, bool yes,
				const struct procedure_ui *ui,
				const char *question, char *msg, size_t msgsize)
{
	char answer[64];

	procctx_say_quorum(f, nodes, n, ui);
	if (yes)
		return true;
	if (ui->ask_line(ui->ctx, question, answer, sizeof(answer)) < 0) {
		snprintf(msg, msgsize,
			 "no terminal to confirm on: nothing done (--yes "
			 "stands for the answer)");
		return false;
	}
	if (answer[0] != 'y' && answer[0] != 'Y') {
		snprintf(msg, msgsize, "not confirmed: nothing done");
		return false;
	}
	return true;
}

bool procctx_confirm_continue(const struct fleet *f,
			      const struct procedure_def *def,
			      const struct procjournal_view *v, bool rollback,
			      bool yes, const struct procedure_ui *ui,
			      const char *id, char *msg, size_t msgsize)
{
	size_t max = (size_t)cJSON_GetArraySize(
		   cJSON_GetObjectItem(v->begin, "nodes")),
	       n;
	const char **names = xcalloc(max + 1, sizeof(*names));
	bool go = true;

	n = procedure_disrupted(def, v, rollback, names, max);
	if (n > 0) {
		char q[400];

		snprintf(q, sizeof(q),
			 "%s %s, stopping or restarting %s%s? [y/N] ",
			 rollback ? "Roll back" : "Resume", id, names[0],
			 n > 1 ? " and others" : "");
		go = procctx_confirm_disruption(f, names, n, yes, ui, q, msg,
						msgsize);
	}
	free(names);
	return go;
}

bool procctx_confirm_name(const struct procedure_ui *ui, const char *label,
			  const char *name, const char *what, char *msg,
			  size_t msgsize)
{
	char q[400], answer[256];

	snprintf(q, sizeof(q), "Type %s (%s) to %s: ", label, name, what);
	if (ui->ask_line(ui->ctx, q, answer, sizeof(answer)) < 0) {
		snprintf(msg, msgsize,
			 "no terminal to confirm on: nothing changed (--yes "
			 "stands for the typed name)");
		return false;
	}
	if (strcmp(answer, name) != 0) {
		snprintf(msg, msgsize,
			 "not confirmed (typed \"%.60s\"): nothing changed",
			 answer);
		return false;
	}
	return true;
}

/* "ann@ops-1" into who and "ops-1" into host, from an owner. */
static void procctx_owner_split(const char *owner, char *who, size_t wsize,
				char *host, size_t hsize)
{
	const char *at = strrchr(owner, '@');

	snprintf(who, wsize, "%.*s",
		 at ? (int)(at - owner) : (int)strlen(owner), owner);
	snprintf(host, hsize, "%s", at ? at + 1 : "?");
}

size_t procctx_claims(const char *state_dir, const char *node, char *out,
		      size_t size)
{
	char me[WHOAMI_OWNER_MAX], err[300];
	struct marks_debug md;
	struct holds h;
	size_t count = 0, len = 0;
	int64_t now = clock_now_ms();

	out[0] = '\0';
	whoami_owner(me, sizeof(me));
	if (marks_debug_read(state_dir, node, &md) && md.owner[0] != '\0' &&
	    strcmp(md.owner, me) != 0) {
		char who[WHOAMI_USER_MAX + 8], host[WHOAMI_HOST_MAX + 8];
		char since[40];

		procctx_owner_split(md.owner, who, sizeof(who), host,
				    sizeof(host));
		timefmt_iso8601(md.since_ms, false, since, sizeof(since));
		len +=
		    (size_t)snprintf(out + len, len < size ? size - len : 0,
				     "%s is in %s's debug session, since %s, "
				     "from %s (procedure %s)\n",
				     node, who, since, host,
				     md.procedure[0] ? md.procedure : "?");
		count++;
	}
	if (holds_load(state_dir, &h, err, sizeof(err)) == 0) {
		size_t k;

		for (k = 0; k < h.n; k++) {
			const struct hold *x = &h.v[k];
			char what[600];

			if (strcmp(x->node, node) != 0 ||
			    (x->until_ms != 0 && x->until_ms <= now) ||
			    strcmp(x->owner, me) == 0)
				continue;
			holds_describe(x, what, sizeof(what));
			len += (size_t)snprintf(
			    out + len, len < size ? size - len : 0,
			    "%s is held by another operator: "
			    "%s\n",
			    node, what);
			count++;
		}
		holds_free(&h);
	}
	return count;
}

bool procctx_guard(const struct fleet *f, const char *state_dir,
		   const char *const *nodes, size_t n, const char *action,
		   bool witness, bool yes, bool force,
		   const struct procedure_ui *ui, char *over, size_t osize,
		   char *msg, size_t msgsize)
{
	struct buf all;
	size_t k, count = 0;
	bool go;

	over[0] = '\0';
	buf_init(&all, 64 << 10);
	for (k = 0; k < n; k++) {
		const struct fleet_node *node = fleet_node_find(f, nodes[k]);
		char lines[2048];

		count +=
		    procctx_claims(state_dir, nodes[k], lines, sizeof(lines));
		buf_append_str(&all, lines);
		/* The key policy is the witness: a debug mode nobody
		 * recorded is somebody's all the same. */
		if (witness && node != NULL &&
		    keypolicy_unrecorded_debug(f, node, state_dir, lines,
					       sizeof(lines))) {
			count++;
			buf_append_str(&all, lines);
		}
	}
	if (count == 0) {
		buf_free(&all);
		return true;
	}
	ui->say(ui->ctx, all.data);
	/* One line for the audit: what was gone over. */
	snprintf(over, osize, "%s", all.data);
	for (k = 0; over[k] != '\0'; k++)
		if (over[k] == '\n')
			over[k] = over[k + 1] ? ';' : '\0';
	if (force) {
		ui->say(ui->ctx, "--force: going ahead over another "
				 "operator's session (audited)\n");
		go = true;
	} else if (yes) {
		snprintf(msg, msgsize,
			 "%s: another operator's session or hold: nothing "
			 "done (--yes alone does not override it; --force "
			 "does, and is audited)",
			 action);
		go = false;
	} else {
		char what[300];

		snprintf(what, sizeof(what), "%s all the same", action);
		go = procctx_confirm_name(
		    ui, n == 1 ? "the node's name" : "the fleet's name",
		    n == 1 ? nodes[0] : f->name, what, msg, msgsize);
	}
	buf_free(&all);
	if (!go)
		over[0] = '\0';
	return go;
}

int procctx_before(const struct fleet *f, const char *state_dir,
		   const char *const *nodes, size_t n, const char *action,
		   bool witness, bool yes, bool force,
		   const struct procedure_ui *ui, char *note, size_t nsize,
		   char *msg, size_t msgsize)
{
	char over[1024];
	bool offline = false;

	note[0] = '\0';
	if (shared_ready(f, state_dir, &offline, msg, msgsize) < 0)
		return PROC_REMOTE;
	if (offline) {
		struct shared_status st;
		char what[900];

		sharedstatus_read(state_dir, &st);
		sharedstatus_describe(&st, 0, clock_now_ms(), what,
				      sizeof(what));
		ui->say(ui->ctx, what);
		ui->say(ui->ctx, "\n--offline: going ahead on this host's "
				 "view alone (audited, copied up later)\n");
	}
	if (!procctx_guard(f, state_dir, nodes, n, action, witness, yes, force,
			   ui, over, sizeof(over), msg, msgsize))
		return PROC_STOPPED;
	snprintf(note, nsize, "%s%s%s", over[0] ? "; forced over: " : "", over,
		 offline ? "; offline: this host's view only" : "");
	return PROC_OK;
}

char *procctx_ways_on(bool console, const char *id, const char *retry,
		      const char *undo)
{
	if (console)
		return xasprintf("  r  %s\n"
				 "  b  %s\n"
				 "  a  leave it as it is (recorded)\n"
				 "(now, or later from P, the procedures)\n",
				 retry, undo);
	return xasprintf("  bvops procedure resume %s      %s\n"
			 "  bvops procedure rollback %s    %s\n"
			 "  bvops procedure abandon %s     leave it as it is "
			 "(recorded)\n",
			 id, retry, id, undo, id);
}
