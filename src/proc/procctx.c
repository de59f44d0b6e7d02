#include "proc/procctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/awscred.h"
#include "engine/quorum.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/procjournal.h"
#include "state/statedir.h"

int64_t procctx_lock_ttl_ms(void)
{
	const char *s = getenv("BVOPS_LOCK_TTL_MS");
	long long v = s != NULL ? atoll(s) : 0;

	/* For tests of the renewal only; never below a second. */
	if (v <= 0)
		return PROCCTX_LOCK_TTL_MS;
	return v < 1000 ? 1000 : (int64_t)v;
}

/* Lift the holds of ended procedure v on its nodes. */
static void procctx_unhold_all(const char *dir, const char *id,
			       const struct procjournal_view *v)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, cJSON_GetObjectItem(v->begin, "nodes"))
	{
		if (cJSON_IsString(n))
			procctx_hold(dir, n->valuestring, id, false, NULL, 0);
	}
}

/*
 * The lock at w is held (h) by a procedure of this host whose journal (in
 * dir) has ended: it was killed after its end record, before it let go,
 * and nothing runs under it. Let it go, and that procedure's holds, with
 * an audit record. true when it was.
 */
static bool procctx_let_go_ended(struct aws_client *a,
				 const struct fleetlock_where *w,
				 const struct fleetlock_holder *h,
				 const char *dir)
{
	struct procjournal_view v;
	char host[256] = "", msg[300];
	bool ended = false;

	gethostname(host, sizeof(host) - 1);
	if (!h->held || strcmp(h->host, host) != 0 ||
	    procjournal_read(dir, h->id, &v, msg, sizeof(msg)) < 0)
		return false;
	if (v.outcome != NULL && fleetlock_break(a, w, msg, sizeof(msg)) == 0) {
		char what[400];

		ended = true;
		procctx_unhold_all(dir, h->id, &v);
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
	procctx_unhold_all(state_dir, id, &v);
	procjournal_view_free(&v);
	/* Its lock too, if it still has it: best effort. */
	a = aws_client_new();
	if (awscred_region(f->region, region, sizeof(region), err,
			   sizeof(err)) == 0 &&
	    fleetlock_where_fleet(f, a, region, &w, err, sizeof(err)) == 0 &&
	    fleetlock_read(a, &w, &h, err, sizeof(err)) == 0 && h.held &&
	    strcmp(h.id, id) == 0)
		procctx_let_go_ended(a, &w, &h, state_dir);
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
	if (rc == FLEETLOCK_HELD && procctx_let_go_ended(a, &w, &h, dir))
		rc = fleetlock_take(a, &w, id, what, procctx_lock_ttl_ms(), out,
				    &h, msg, msgsize);
	free(dir);
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
		fleetlock_describe(&h, who, sizeof(who));
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

void procctx_hold(const char *state_dir, const char *node, const char *id,
		  bool on, char *msg, size_t msgsize)
{
	char reason[300], err[300];

	if (msg == NULL) {
		msg = err;
		msgsize = sizeof(err);
	}
	snprintf(reason, sizeof(reason), "procedure %s", id);
	/* Its own hold only: a maintenance or another procedure's hold on
	 * the same node stays as it is. */
	if (on)
		holds_add(state_dir, node, HOLD_PROCEDURE, id, reason, 0, msg,
			  msgsize);
	else
		holds_remove(state_dir, node, HOLD_PROCEDURE, id, NULL, msg,
			     msgsize);
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
