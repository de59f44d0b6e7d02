/* bvops status: one round of health checks, for people or as JSON. */
#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/nitro.h"
#include "cli/cmd.h"
#include "engine/health.h"
#include "engine/monitor.h"
#include "lib/clock.h"
#include "lib/duration.h"
#include "lib/termcolour.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "proc/keypolicy.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/fleet.h"
#include "state/holds.h"
#include "state/marks.h"
#include "state/sharedstatus.h"
#include "state/statedir.h"

/* The nitro status, fetched beside the health round (its own thread, so
 * the round's wall time stays about one timeout). */
struct status_nitro {
	const struct fleet *f;
	double *values;
	bool *have;
	int rc;
	char msg[512];
};

static void *status_nitro_fetch(void *arg)
{
	struct status_nitro *sn = arg;
	struct aws_client *a;
	char region[64];

	sn->rc = awscred_region(sn->f->region, region, sizeof(region), sn->msg,
				sizeof(sn->msg));
	if (sn->rc < 0)
		return NULL;
	/* Each node's metric as its identity reads it. */
	a = awsid_uniform(sn->f) ? awsid_client_fleet(sn->f) : NULL;
	sn->rc = nitro_fetch(a, region, sn->f, (int64_t)time(NULL), sn->values,
			     sn->have, sn->msg, sizeof(sn->msg));
	aws_client_free(a);
	return NULL;
}

/*
 * The fleet's shared state, read beside the health round as the nitro
 * status is: the state folder (a cache of it) brought up to date, and
 * each node's key policy read, the witness of its debug mode. Only for a
 * fleet that has a shared state: one without keeps to this host's files,
 * and status makes no state folder for it.
 */
struct status_shared {
	const struct fleet *f;
	enum shared_reach reach;
	int *policy; /* per node: 1 zero PCR8, 0 not, -1 unknown */
	char msg[600];
};

static void *status_shared_fetch(void *arg)
{
	struct status_shared *ss = arg;
	char *dir;
	size_t k;

	for (k = 0; k < ss->f->nnodes; k++)
		ss->policy[k] = -1;
	if (!shared_wanted(ss->f)) {
		ss->reach = SHARED_NONE;
		return NULL;
	}
	dir = statedir_open(ss->f->name, ss->msg, sizeof(ss->msg));
	if (dir == NULL) {
		ss->reach = SHARED_UNREACHABLE;
		return NULL;
	}
	ss->reach = shared_sync(ss->f, dir, ss->msg, sizeof(ss->msg));
	free(dir);
	for (k = 0; k < ss->f->nnodes && ss->reach == SHARED_OK; k++) {
		if (ss->f->nodes[k].kms_stack != NULL) {
			char why[400];

			ss->policy[k] = keypolicy_live(ss->f, &ss->f->nodes[k],
						       why, sizeof(why));
		}
	}
	return NULL;
}

/* Whether each node's AWS identity can be had, asked beside the round
 * (one STS call per distinct identity; none for a fleet without AWS). */
struct status_access {
	const struct fleet *f;
	struct awsid_access *v;
};

static void *status_access_fetch(void *arg)
{
	struct status_access *sa = arg;

	awsid_access_nodes(sa->f, false, sa->v);
	return NULL;
}

/* "aws": null for a node that needs no AWS, else who and whether. */
static void status_access_json(const struct awsid_access *ac, cJSON *n)
{
	cJSON *o;

	if (!ac->checked) {
		cJSON_AddNullToObject(n, "aws");
		return;
	}
	o = cJSON_AddObjectToObject(n, "aws");
	cJSON_AddStringToObject(o, "identity", ac->identity);
	cJSON_AddBoolToObject(o, "access", ac->ok);
	if (ac->ok) {
		cJSON_AddStringToObject(o, "account", ac->account);
		cJSON_AddStringToObject(o, "arn", ac->arn);
		cJSON_AddNullToObject(o, "error");
	} else {
		cJSON_AddNullToObject(o, "account");
		cJSON_AddNullToObject(o, "arn");
		cJSON_AddStringToObject(o, "error", ac->why);
	}
}

/* Microsecond precision is all a latency needs. */
static double status_round_ms(double ms)
{
	return round(ms * 1000.0) / 1000.0;
}

/* What bvops recorded of each node: debug mode (marks) and a hold
 * (maintenance, a procedure's, a stop). Read only: a fleet never seen
 * here has no state folder, and status makes none. */
struct status_marks {
	char *dir;       /* the state folder, NULL when there is none */
	struct holds hs; /* loaded when dir is there */
	bool have_holds;
};

static void status_marks_open(const struct fleet *f, struct status_marks *sm)
{
	char msg[300], *path = statedir_path(f->name, NULL);

	memset(sm, 0, sizeof(*sm));
	if (access(path, F_OK) == 0)
		sm->dir = statedir_open(f->name, msg, sizeof(msg));
	free(path);
	if (sm->dir != NULL)
		sm->have_holds =
		    holds_load(sm->dir, &sm->hs, msg, sizeof(msg)) == 0;
}

static void status_marks_close(struct status_marks *sm)
{
	if (sm->have_holds)
		holds_free(&sm->hs);
	free(sm->dir);
}

/* Debug mode as recorded (whose, since when). */
static bool status_debug_on(const struct status_marks *sm,
			    const struct fleet_node *node,
			    struct marks_debug *md)
{
	return sm->dir != NULL && marks_debug_read(sm->dir, node->name, md);
}

/* "ann's session from ops-1" into out. */
static void status_whose(const char *owner, char *out, size_t size)
{
	const char *at = strrchr(owner, '@');

	if (owner[0] == '\0')
		snprintf(out, size, "recorded by bvops");
	else
		snprintf(out, size, "%.*s's session from %s",
			 at ? (int)(at - owner) : (int)strlen(owner), owner,
			 at ? at + 1 : "?");
}

/* The hold in force on node now, or NULL. */
static const struct hold *status_hold(const struct status_marks *sm,
				      const struct fleet_node *node)
{
	return sm->have_holds
		   ? holds_active(&sm->hs, node->name, clock_now_ms())
		   : NULL;
}

/* "debug_mode", "debug_since", "debug" and "hold" of node n; policy is
 * the key policy's witness (1 zeros, 0 not, -1 not read). */
static void status_debug(const struct status_marks *sm,
			 const struct fleet_node *node, int policy, cJSON *n)
{
	struct marks_debug md;
	bool on = status_debug_on(sm, node, &md);
	const struct hold *h = status_hold(sm, node);
	char when[40];

	cJSON_AddBoolToObject(n, "debug_mode", on || policy == 1);
	if (on) {
		timefmt_iso8601(md.since_ms, false, when, sizeof(when));
		cJSON_AddStringToObject(n, "debug_since", when);
	} else {
		cJSON_AddNullToObject(n, "debug_since");
	}
	if (on || policy == 1) {
		cJSON *d = cJSON_AddObjectToObject(n, "debug");
		const char *at = strrchr(md.owner, '@');

		cJSON_AddBoolToObject(d, "recorded", on);
		if (on && md.owner[0]) {
			char who[200];

			snprintf(who, sizeof(who), "%.*s",
				 at ? (int)(at - md.owner)
				    : (int)strlen(md.owner),
				 md.owner);
			cJSON_AddStringToObject(d, "by", who);
			cJSON_AddStringToObject(d, "host", at ? at + 1 : "");
		} else {
			cJSON_AddNullToObject(d, "by");
			cJSON_AddNullToObject(d, "host");
		}
		if (on)
			cJSON_AddStringToObject(d, "since", when);
		else
			cJSON_AddNullToObject(d, "since");
		if (on && md.procedure[0])
			cJSON_AddStringToObject(d, "procedure", md.procedure);
		else
			cJSON_AddNullToObject(d, "procedure");
		if (policy < 0)
			cJSON_AddNullToObject(d, "key_policy");
		else
			cJSON_AddStringToObject(d, "key_policy",
						policy ? "debug" : "protected");
	} else {
		cJSON_AddNullToObject(n, "debug");
	}
	if (h != NULL) {
		cJSON *o = cJSON_AddObjectToObject(n, "hold");

		cJSON_AddStringToObject(o, "kind", holds_kind_name(h->kind));
		cJSON_AddStringToObject(o, "reason", h->reason);
		cJSON_AddStringToObject(o, "by", h->owner);
		if (h->until_ms > 0) {
			timefmt_iso8601(h->until_ms, false, when, sizeof(when));
			cJSON_AddStringToObject(o, "until", when);
		} else {
			cJSON_AddNullToObject(o, "until");
		}
	} else {
		cJSON_AddNullToObject(n, "hold");
	}
}

/* The NOTE column: DEBUG MODE (whose, since when) and the hold, in
 * words. */
static void status_note(const struct status_marks *sm,
			const struct fleet_node *node, int policy, char *out,
			size_t size)
{
	struct marks_debug md;
	const struct hold *h = status_hold(sm, node);
	size_t len = 0;

	out[0] = '\0';
	if (status_debug_on(sm, node, &md)) {
		char d[40], whose[300], when[40];

		duration_human((uint64_t)(clock_now_ms() - md.since_ms), d,
			       sizeof(d));
		status_whose(md.owner, whose, sizeof(whose));
		timefmt_iso8601(md.since_ms, false, when, sizeof(when));
		len = (size_t)snprintf(out, size,
				       "DEBUG MODE for %s (%s, since %s)%s", d,
				       whose, when,
				       policy == 0 ? ", yet the key policy's "
						     "PCR8 is not zeros"
						   : "");
	} else if (policy == 1) {
		len = (size_t)snprintf(out, size,
				       "DEBUG MODE (not recorded by bvops: "
				       "the key policy's PCR8 is zeros)");
	}
	if (h != NULL && len + 3 < size) {
		char what[400];

		holds_describe(h, what, sizeof(what));
		snprintf(out + len, size - len, "%s%s", len ? "; " : "", what);
	}
}

/* The shared state, as status found it: "shared_state" of the JSON. */
static void status_shared_json(const struct fleet *f,
			       const struct status_marks *sm, cJSON *root)
{
	struct shared_status st;
	cJSON *o = cJSON_AddObjectToObject(root, "shared_state");
	char where[700];

	if (sm->dir == NULL || !shared_wanted(f)) {
		cJSON_AddStringToObject(o, "state", "none");
		return;
	}
	sharedstatus_read(sm->dir, &st);
	shared_describe_where(&st, where, sizeof(where));
	cJSON_AddStringToObject(
	    o, "state", sharedstatus_unreachable(&st) ? "unreachable" : "ok");
	cJSON_AddStringToObject(o, "where", where);
	if (st.unreachable_since_ms > 0) {
		char when[40];

		timefmt_iso8601(st.unreachable_since_ms, false, when,
				sizeof(when));
		cJSON_AddStringToObject(o, "unreachable_since", when);
		cJSON_AddStringToObject(o, "error", st.error);
	} else {
		cJSON_AddNullToObject(o, "unreachable_since");
		cJSON_AddNullToObject(o, "error");
	}
	cJSON_AddNumberToObject(o, "pending",
				(double)sharedstatus_pending(sm->dir));
}

static int status_json(const struct fleet *f, const struct monitor *m,
		       int64_t started, const struct status_nitro *sn,
		       const struct status_marks *sm,
		       const struct status_shared *ss,
		       const struct status_access *sa)
{
	cJSON *root = cJSON_CreateObject(), *nodes;
	char when[32], *text;
	size_t k;

	timefmt_iso8601(started, false, when, sizeof(when));
	cJSON_AddStringToObject(root, "fleet", f->name);
	cJSON_AddStringToObject(root, "checked_at", when);
	nodes = cJSON_AddArrayToObject(root, "nodes");
	for (k = 0; k < f->nnodes; k++) {
		const struct health_node *h = monitor_node(m, k);
		cJSON *n = cJSON_CreateObject();

		cJSON_AddStringToObject(n, "name", f->nodes[k].name);
		cJSON_AddNumberToObject(n, "index", (double)f->nodes[k].index);
		cJSON_AddStringToObject(n, "role",
					fleet_role_name(f->nodes[k].role));
		cJSON_AddStringToObject(n, "status",
					health_status_name(h->status));
		if (h->last.http_code != 0) {
			cJSON_AddNumberToObject(n, "http_code",
						h->last.http_code);
			cJSON_AddNumberToObject(
			    n, "latency_ms",
			    status_round_ms(h->last.latency_ms));
			cJSON_AddNullToObject(n, "error");
		} else {
			cJSON_AddNullToObject(n, "http_code");
			cJSON_AddNullToObject(n, "latency_ms");
			cJSON_AddStringToObject(n, "error",
						h->last.error[0] ? h->last.error
								 : "no answer");
		}
		if (sn->have[k])
			cJSON_AddNumberToObject(n, "nitro_status",
						sn->values[k]);
		else
			cJSON_AddNullToObject(n, "nitro_status");
		status_debug(sm, &f->nodes[k], ss->policy[k], n);
		status_access_json(&sa->v[k], n);
		cJSON_AddItemToArray(nodes, n);
	}
	if (f->nitro.enabled && sn->rc < 0)
		cJSON_AddStringToObject(root, "nitro_error", sn->msg);
	status_shared_json(f, sm, root);
	text = cJSON_PrintUnformatted(root);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(root);
	return 0;
}

static void status_table(const struct fleet *f, const struct monitor *m,
			 const struct status_nitro *sn,
			 const struct status_marks *sm,
			 const struct status_shared *ss,
			 const struct status_access *sa)
{
	bool color = termcolour_wanted(STDOUT_FILENO);
	size_t k, width = 4;

	for (k = 0; k < f->nnodes; k++)
		if (strlen(f->nodes[k].name) > width)
			width = strlen(f->nodes[k].name);
	printf("%-*s %5s  %-7s  %-7s %4s %10s  %s%s\n", (int)width, "NODE",
	       "INDEX", "ROLE", "STATUS", "HTTP", "LATENCY",
	       f->nitro.enabled ? "NITRO  " : "", "ERROR / NOTE");
	for (k = 0; k < f->nnodes; k++) {
		const struct health_node *h = monitor_node(m, k);
		const char *st = health_status_name(h->status);
		char code[8] = "-", lat[24] = "-", note[1800];

		if (h->last.http_code != 0) {
			snprintf(code, sizeof(code), "%d", h->last.http_code);
			snprintf(lat, sizeof(lat), "%.1f ms",
				 h->last.latency_ms);
		}
		printf("%-*s %5lld  %-7s  ", (int)width, f->nodes[k].name,
		       (long long)f->nodes[k].index,
		       fleet_role_name(f->nodes[k].role));
		/* Colour is extra: the word says it all without it. */
		if (color)
			printf("\033[%sm%-7s\033[0m",
			       h->status == HEALTH_UP ? "32" : "1;31", st);
		else
			printf("%-7s", st);
		printf(" %4s %10s  ", code, lat);
		if (f->nitro.enabled && sn->have[k])
			printf("%5g  ", sn->values[k]);
		else if (f->nitro.enabled)
			printf("%5s  ", "-");
		status_note(sm, &f->nodes[k], ss->policy[k], note,
			    sizeof(note));
		if (sa->v[k].checked && !sa->v[k].ok) {
			size_t len = strlen(note);

			snprintf(note + len, sizeof(note) - len, "%s%s",
				 len ? "; " : "", sa->v[k].why);
		}
		printf("%s%s%s\n", h->last.http_code == 0 ? h->last.error : "",
		       h->last.http_code == 0 && note[0] ? "; " : "", note);
	}
}

int cmd_status(const struct cli_opts *o, int argc, char **argv)
{
	struct status_nitro sn = {0};
	struct status_shared ss = {0};
	struct status_access sa = {0};
	pthread_t nitro_thread, shared_thread, access_thread;
	bool nitro_started = false, shared_started, access_started;
	struct fleet *f;
	struct monitor *m;
	char msg[256];
	int64_t started;
	int rc = CLI_EXIT_OK;

	rc = cmd_fleet_no_args(o, argc, argv, &f);
	if (rc != CLI_EXIT_OK)
		return rc;
	m = monitor_new(f, msg, sizeof(msg));
	if (m == NULL) {
		cmd_error("%s", msg);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	sn.f = f;
	sn.values = xcalloc(f->nnodes + 1, sizeof(*sn.values));
	sn.have = xcalloc(f->nnodes + 1, sizeof(*sn.have));
	if (f->nitro.enabled)
		nitro_started = pthread_create(&nitro_thread, NULL,
					       status_nitro_fetch, &sn) == 0;
	ss.f = f;
	ss.policy = xcalloc(f->nnodes + 1, sizeof(*ss.policy));
	shared_started =
	    pthread_create(&shared_thread, NULL, status_shared_fetch, &ss) == 0;
	sa.f = f;
	sa.v = xcalloc(f->nnodes + 1, sizeof(*sa.v));
	access_started =
	    pthread_create(&access_thread, NULL, status_access_fetch, &sa) == 0;
	started = clock_now_ms();
	rc = monitor_round(m);
	if (nitro_started)
		pthread_join(nitro_thread, NULL);
	if (shared_started)
		pthread_join(shared_thread, NULL);
	if (access_started)
		pthread_join(access_thread, NULL);
	if (f->nitro.enabled && sn.rc < 0 && !o->json)
		fprintf(stderr, "bvops: nitro status: %s\n", sn.msg);
	if (rc < 0) {
		fprintf(stderr, "bvops: the health checks did not finish\n");
		rc = CLI_EXIT_REMOTE;
	} else {
		struct status_marks sm;

		rc = CLI_EXIT_OK;
		status_marks_open(f, &sm);
		if (o->json)
			status_json(f, m, started, &sn, &sm, &ss, &sa);
		else
			status_table(f, m, &sn, &sm, &ss, &sa);
		if (!o->json && sm.dir != NULL && ss.reach != SHARED_NONE) {
			struct shared_status st;
			char line[900];

			sharedstatus_read(sm.dir, &st);
			sharedstatus_describe(&st, sharedstatus_pending(sm.dir),
					      clock_now_ms(), line,
					      sizeof(line));
			if (line[0])
				printf("NOTE: %s\n", line);
		}
		status_marks_close(&sm);
		for (size_t k = 0; k < f->nnodes; k++)
			if (monitor_node(m, k)->status != HEALTH_UP)
				rc = CLI_EXIT_NOT_OK;
	}
	free(sn.values);
	free(sn.have);
	free(ss.policy);
	free(sa.v);
	monitor_free(m);
	fleet_free(f);
	return rc;
}
