#include "engine/autorestart.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/health.h"
#include "lib/xalloc.h"

enum autorestart_state {
	AR_WATCHING,   /* counting failures */
	AR_RESTARTING, /* the restart command runs */
	AR_GRACE,      /* after a restart: failures not counted */
	AR_GAVE_UP,    /* max_restarts reached: an operator re-arms */
	AR_START_LIMIT /* systemd refused: an operator clears */
};

struct ar_node {
	enum autorestart_state st;
	unsigned fails;       /* consecutive failed checks counted */
	int64_t seen_at;      /* the last check looked at (its at_ms) */
	int64_t grace_until;  /* monotonic */
	int64_t next_allowed; /* back-off: no attempt before */
	int64_t backoff_ms;   /* the next back-off */
	int64_t *attempts;    /* monotonic times, newest last */
	size_t nattempts;
	uint64_t act;   /* the restart in flight */
	bool held_said; /* a guard's alert was sent this episode */
	char hold[200]; /* why it is held, or "" */
};

struct autorestart {
	const struct fleet *f;
	struct monitor *m;
	struct nodeacts *acts;
	autorestart_emit_fn emit;
	void *ctx;
	struct ar_node *n;
	bool many_said; /* the grouped alert of this episode went out */
};

struct autorestart *autorestart_new(const struct fleet *f, struct monitor *m,
				    struct nodeacts *acts,
				    autorestart_emit_fn emit, void *ctx)
{
	struct autorestart *ar = xcalloc(1, sizeof(*ar));
	size_t k;

	ar->f = f;
	ar->m = m;
	ar->acts = acts;
	ar->emit = emit;
	ar->ctx = ctx;
	ar->n = xcalloc(f->nnodes + 1, sizeof(*ar->n));
	for (k = 0; k < f->nnodes; k++) {
		ar->n[k].backoff_ms = (int64_t)f->health.restart_backoff_ms;
		ar->n[k].attempts = xcalloc((size_t)f->health.max_restarts + 1,
					    sizeof(int64_t));
	}
	return ar;
}

void autorestart_free(struct autorestart *ar)
{
	size_t k;

	if (ar == NULL)
		return;
	for (k = 0; k < ar->f->nnodes; k++)
		free(ar->n[k].attempts);
	free(ar->n);
	free(ar);
}

static void ar_alert(struct autorestart *ar, size_t k, enum alert_kind kind,
		     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void ar_alert(struct autorestart *ar, size_t k, enum alert_kind kind,
		     const char *fmt, ...)
{
	struct alert a;
	va_list ap;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.node = k;
	if (k < ar->f->nnodes) {
		const struct health_node *h = monitor_node(ar->m, k);

		a.http_code = h->last.http_code;
		snprintf(a.error, sizeof(a.error), "%s", h->last.error);
		a.consecutive_failures = ar->n[k].fails;
	}
	va_start(ap, fmt);
	vsnprintf(a.detail, sizeof(a.detail), fmt, ap);
	va_end(ap);
	ar->emit(ar->ctx, &a);
}

/* Attempts still inside restart_window. */
static size_t ar_recent(struct autorestart *ar, struct ar_node *n, int64_t now)
{
	int64_t from = now - (int64_t)ar->f->health.restart_window_ms;
	size_t i, keep = 0;

	for (i = 0; i < n->nattempts; i++)
		if (n->attempts[i] > from)
			n->attempts[keep++] = n->attempts[i];
	n->nattempts = keep;
	return keep;
}

/* A new check result for node k: count it. */
static void ar_count(struct autorestart *ar, size_t k, int64_t now)
{
	struct ar_node *n = &ar->n[k];
	const struct health_node *h = monitor_node(ar->m, k);

	if (h->last.at_ms == 0 || h->last.at_ms == n->seen_at)
		return;
	n->seen_at = h->last.at_ms;
	if (n->st == AR_GRACE && now < n->grace_until)
		return; /* booting: not counted */
	if (health_check_ok(&h->last)) {
		n->fails = 0;
		if (n->st == AR_WATCHING)
			n->held_said = false;
		/* Healthy again: the next trouble starts from the base. */
		if (h->status == HEALTH_UP)
			n->backoff_ms =
			    (int64_t)ar->f->health.restart_backoff_ms;
	} else {
		n->fails++;
	}
}

/* Down, or failing long enough to be due a restart: one stray failed
 * check is not a node failing. */
static bool ar_failing(const struct autorestart *ar,
		       const struct health_node *h)
{
	return h->status == HEALTH_DOWN ||
	       h->consecutive_failures >= (unsigned)ar->f->health.restart_after;
}

/* "node-0, node-2": the failing nodes, cut to size. */
static void ar_failing_names(struct autorestart *ar, char *out, size_t size)
{
	size_t k, used = 0;

	out[0] = '\0';
	for (k = 0; k < ar->f->nnodes && used + 1 < size; k++) {
		if (!ar_failing(ar, monitor_node(ar->m, k)))
			continue;
		used +=
		    (size_t)snprintf(out + used, size - used, "%s%s",
				     used ? ", " : "", ar->f->nodes[k].name);
		if (used >= size)
			used = size - 1;
	}
}

/* A node other than k whose last check failed, not yet failing. */
static bool ar_other_suspect(const struct autorestart *ar, size_t k)
{
	size_t j;

	for (j = 0; j < ar->f->nnodes; j++) {
		const struct health_node *h = monitor_node(ar->m, j);

		if (j != k && ar->n[j].st == AR_WATCHING &&
		    !ar_failing(ar, h) && h->last.at_ms != 0 &&
		    !health_check_ok(&h->last))
			return true;
	}
	return false;
}

/* Nodes up now, and nodes failing (a failed last check or down). */
static void ar_census(struct autorestart *ar, size_t *up, size_t *failing)
{
	size_t k;

	*up = *failing = 0;
	for (k = 0; k < ar->f->nnodes; k++) {
		const struct health_node *h = monitor_node(ar->m, k);

		if (h->status == HEALTH_UP)
			(*up)++;
		if (ar_failing(ar, h))
			(*failing)++;
	}
}

static bool ar_start_limited(const char *s)
{
	return strcasestr(s, "start request repeated too quickly") != NULL ||
	       strcasestr(s, "attempted too often") != NULL ||
	       strcasestr(s, "start-limit-hit") != NULL;
}

/* The restart in flight on k finished? */
static void ar_check_restart(struct autorestart *ar, size_t k, int64_t now)
{
	struct ar_node *n = &ar->n[k];
	struct nodeact_result r;

	if (!nodeacts_get(ar->acts, n->act, &r) || !r.done)
		return;
	if (r.exit_status == 0) {
		n->st = AR_GRACE;
		n->grace_until = now + (int64_t)ar->f->health.restart_grace_ms;
		n->fails = 0;
		ar_alert(ar, k, ALERT_RESTART_DONE,
			 "restart command done; grace period %llu s",
			 (unsigned long long)(ar->f->health.restart_grace_ms /
					      1000));
		return;
	}
	if (ar_start_limited(r.output) || ar_start_limited(r.error)) {
		n->st = AR_START_LIMIT;
		ar_alert(ar, k, ALERT_START_LIMIT,
			 "systemd refused the restart (start limit hit): "
			 "no more automatic restarts until an operator "
			 "clears it (systemctl reset-failed, then re-arm)");
		return;
	}
	n->st = AR_WATCHING;
	n->next_allowed = now + n->backoff_ms;
	ar_alert(ar, k, ALERT_RESTART_FAILED,
		 "restart failed (%s%s%.200s); next attempt in %lld s at the "
		 "earliest",
		 r.error[0] ? r.error
			    : (r.exit_status >= 0 ? "exit status" : "killed"),
		 r.error[0] ? "" : ": ", r.error[0] ? "" : r.output,
		 (long long)(n->backoff_ms / 1000));
	n->backoff_ms *= 2;
	if (n->backoff_ms > (int64_t)ar->f->health.restart_backoff_max_ms)
		n->backoff_ms = (int64_t)ar->f->health.restart_backoff_max_ms;
}

/* A guard holds node k's due restart: say so once per episode. */
static void ar_held(struct autorestart *ar, size_t k, const char *why)
{
	if (ar->n[k].held_said)
		return;
	ar->n[k].held_said = true;
	ar_alert(ar, k, ALERT_RESTART_HELD, "restart due but held: %s", why);
}

void autorestart_step(struct autorestart *ar, int64_t now)
{
	const struct fleet *f = ar->f;
	size_t k, up, failing, in_flight = 0;
	size_t can_lose;

	if (f->health.restart_after <= 0)
		return;
	for (k = 0; k < f->nnodes; k++) {
		ar_count(ar, k, now);
		if (ar->n[k].st == AR_RESTARTING)
			ar_check_restart(ar, k, now);
		if (ar->n[k].st == AR_GRACE && now >= ar->n[k].grace_until)
			ar->n[k].st = AR_WATCHING;
		if (ar->n[k].st == AR_RESTARTING)
			in_flight++;
	}
	ar_census(ar, &up, &failing);
	can_lose =
	    f->nnodes > (size_t)f->quorum ? f->nnodes - (size_t)f->quorum : 0;
	if (failing > can_lose && failing > 1) {
		/* A shared cause (or bvops cut off) is likelier than many
		 * dead nodes: one alert, no restart. */
		if (!ar->many_said) {
			char names[300];

			ar_failing_names(ar, names, sizeof(names));
			ar_alert(ar, ALERT_NODE_NONE, ALERT_MANY_DOWN,
				 "%zu of %zu nodes failing (%s), more than the "
				 "%zu the fleet can lose and keep its quorum "
				 "of %lld: no automatic restart",
				 failing, f->nnodes, names, can_lose,
				 (long long)f->quorum);
		}
		ar->many_said = true;
		return;
	}
	if (failing == 0)
		ar->many_said = false;
	for (k = 0; k < f->nnodes && in_flight == 0; k++) {
		struct ar_node *n = &ar->n[k];
		const struct health_node *h = monitor_node(ar->m, k);
		size_t up_after = up - (h->status == HEALTH_UP ? 1 : 0);

		if (n->st != AR_WATCHING ||
		    n->fails < (unsigned)f->health.restart_after ||
		    now < n->next_allowed)
			continue;
		if (n->hold[0]) {
			ar_held(ar, k, n->hold);
			continue;
		}
		/* Another node's last check failed too: wait for its next
		 * one, to tell a stray failure from many nodes going down
		 * at once. */
		if (ar_other_suspect(ar, k))
			continue;
		/* Restarting a node still counted up takes it down: never
		 * below the quorum. A node already down can only come back. */
		if (h->status == HEALTH_UP && up_after < (size_t)f->quorum) {
			char why[120];

			snprintf(why, sizeof(why),
				 "%zu nodes would be up, below the quorum of "
				 "%lld",
				 up_after, (long long)f->quorum);
			ar_held(ar, k, why);
			continue;
		}
		if (ar_recent(ar, n, now) >= (size_t)f->health.max_restarts) {
			n->st = AR_GAVE_UP;
			ar_alert(
			    ar, k, ALERT_RESTART_GAVE_UP,
			    "%lld restarts within %llu s did not help: "
			    "automatic restart is off for this node "
			    "until an operator re-arms it",
			    (long long)f->health.max_restarts,
			    (unsigned long long)(f->health.restart_window_ms /
						 1000));
			continue;
		}
		n->attempts[n->nattempts++] = now;
		n->act = nodeacts_start_timeout(
		    ar->acts, k, FLEET_CMD_RESTART,
		    (int64_t)f->health.restart_timeout_ms);
		n->st = AR_RESTARTING;
		in_flight++;
		ar_alert(
		    ar, k, ALERT_RESTART_ATTEMPT,
		    "%u consecutive failed checks: restart %zu of at "
		    "most %lld within %llu s",
		    n->fails, n->nattempts, (long long)f->health.max_restarts,
		    (unsigned long long)(f->health.restart_window_ms / 1000));
	}
}

void autorestart_hold(struct autorestart *ar, size_t node, const char *reason)
{
	if (node >= ar->f->nnodes)
		return;
	snprintf(ar->n[node].hold, sizeof(ar->n[node].hold), "%s",
		 reason ? reason : "");
	ar->n[node].held_said = false;
}

void autorestart_rearm(struct autorestart *ar, size_t node)
{
	struct ar_node *n;

	if (node >= ar->f->nnodes)
		return;
	n = &ar->n[node];
	if (n->st == AR_GAVE_UP || n->st == AR_START_LIMIT)
		n->st = AR_WATCHING;
	n->nattempts = 0;
	n->fails = 0;
	n->next_allowed = 0;
	n->backoff_ms = (int64_t)ar->f->health.restart_backoff_ms;
	n->held_said = false;
}
