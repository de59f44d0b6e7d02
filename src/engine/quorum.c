#include "engine/quorum.h"

#include <stdio.h>
#include <string.h>

#include "engine/monitor.h"

/* "node-1", "node-1 and node-2", "node-0, node-1 and 2 more". */
static void quorum_names(const char *const *nodes, size_t n, char *out,
			 size_t size)
{
	if (n == 0)
		snprintf(out, size, "no node");
	else if (n == 1)
		snprintf(out, size, "%s", nodes[0]);
	else if (n == 2)
		snprintf(out, size, "%s and %s", nodes[0], nodes[1]);
	else
		snprintf(out, size, "%s, %s and %zu more", nodes[0], nodes[1],
			 n - 2);
}

static bool quorum_named(const char *const *nodes, size_t n, const char *name)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(nodes[k], name) == 0)
			return true;
	return false;
}

void quorum_effect(const struct fleet *f, const char *const *nodes, size_t n,
		   struct quorum_effect *e, char *out, size_t size)
{
	char msg[300], names[400];
	struct monitor *m = monitor_new(f, msg, sizeof(msg));

	memset(e, 0, sizeof(*e));
	e->total = f->nnodes;
	e->quorum = f->quorum;
	quorum_names(nodes, n, names, sizeof(names));
	if (m != NULL && monitor_round(m) == 0) {
		e->checked = true;
		for (size_t k = 0; k < f->nnodes; k++) {
			/* One check decides, as in bvops status. */
			if (monitor_node(m, k)->last.http_code != 200)
				continue;
			e->up_now++;
			if (!quorum_named(nodes, n, f->nodes[k].name))
				e->up_during++;
		}
	}
	monitor_free(m);
	e->below = !e->checked || (int64_t)e->up_during < e->quorum;
	if (!e->checked)
		snprintf(out, size,
			 "WARNING: the fleet's health could not be checked "
			 "(%s): bvops cannot tell whether it keeps its quorum "
			 "of %lld while %s %s down.",
			 m == NULL ? msg : "no round of checks",
			 (long long)e->quorum, names, n == 1 ? "is" : "are");
	else if (e->below)
		snprintf(out, size,
			 "WARNING: health now: %zu of %zu nodes up; while %s "
			 "%s down only %zu %s up, below the quorum of %lld: "
			 "the fleet cannot sign until %s back.",
			 e->up_now, e->total, names, n == 1 ? "is" : "are",
			 e->up_during, e->up_during == 1 ? "is" : "are",
			 (long long)e->quorum, n == 1 ? "it is" : "they are");
	else
		snprintf(out, size,
			 "Health now: %zu of %zu nodes up; while %s %s down "
			 "%zu %s up, quorum %lld: the fleet can still sign.",
			 e->up_now, e->total, names, n == 1 ? "is" : "are",
			 e->up_during, e->up_during == 1 ? "is" : "are",
			 (long long)e->quorum);
}
