#include "proc/awswork.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "aws/nitro.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "proc/cfgedit.h"
#include "proc/fleetlock.h"
#include "proc/keypolicy.h"
#include "proc/shared.h"
#include "state/marks.h"
#include "state/redact.h"
#include "state/sharedstatus.h"

struct awswork_config {
	enum awswork_state state;
	bool wanted; /* a request not yet taken by the worker */
	char *text;
};

struct awswork {
	const struct fleet *f;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct aws_client *client; /* the worker's; cancelled by stop */
	/* Per node, made on first use: its identity's (also cancelled). */
	struct aws_client **nc;
	char *state_dir;
	unsigned long version;
	int notify_fd;
	bool stop;
	/* What it does: the nitro status, the shared state (with the fleet
	 * lock, read every awswork_shared_poll_ms()), the key policies, the
	 * identities. */
	bool nitro_on, lock_on, policy_on, access_on;
	/* Under lock: */
	bool lock_wanted, policy_wanted;
	double *nitro;
	bool *have;
	struct awswork_config *cfg;
	/* Each node's key policy PCR8 (keypolicy_live): 1 debug, 0 not, -1
	 * unknown or not looked at (no kms_stack). Looked at on start and
	 * every AWSWORK_POLICY_MS. */
	int *policy;
	/* Each node's AWS identity: can it be had (awsid_access_nodes)? */
	struct awsid_access *access;
	struct fleetlock_holder lock_h;
	char nitro_error[512];
};

/* How often the identities are asked again: all well, or one not. */
#define AWSWORK_ACCESS_MS       300000
#define AWSWORK_ACCESS_RETRY_MS 30000

/* How often the nodes' key policies (debug mode's witness) are read. */
#define AWSWORK_POLICY_MS 180000

long awswork_shared_poll_ms(void)
{
	const char *s = getenv("BVOPS_SHARED_POLL_MS");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v <= 0 ? 5000 : v < 200 ? 200 : v;
}

static void awswork_notify(struct awswork *w)
{
	uint64_t one = 1;

	if (write(w->notify_fd, &one, sizeof(one)) < 0) {
		/* Full counter: the screen wakes anyway. */
	}
}

/* The region for the fleet's first calls, or "" with a message. */
static int awswork_region(struct awswork *w, char *region, size_t size,
			  char *msg, size_t msgsize)
{
	return awscred_region(w->f->region, region, size, msg, msgsize);
}

static void awswork_do_nitro(struct awswork *w, struct aws_client *a)
{
	size_t n = w->f->nnodes;
	double *v = xcalloc(n + 1, sizeof(*v));
	bool *h = xcalloc(n + 1, sizeof(*h));
	char region[64], msg[512] = "";
	int rc;

	rc = awswork_region(w, region, sizeof(region), msg, sizeof(msg));
	if (rc == 0)
		rc = nitro_fetch(awsid_uniform(w->f) ? a : NULL, region, w->f,
				 (int64_t)time(NULL), v, h, msg, sizeof(msg));
	pthread_mutex_lock(&w->lock);
	memcpy(w->nitro, v, n * sizeof(*v));
	memcpy(w->have, h, n * sizeof(*h));
	snprintf(w->nitro_error, sizeof(w->nitro_error), "%s",
		 rc < 0 ? msg : "");
	w->version++;
	pthread_mutex_unlock(&w->lock);
	free(v);
	free(h);
	awswork_notify(w);
}

/* Location, version and the redacted text; or the message. */
static char *awswork_fetch_config(struct awswork *w, struct aws_client *a,
				  size_t k, bool *ok)
{
	const struct fleet_node *n = &w->f->nodes[k];
	char region[64], msg[1024], err[256];
	struct aws_s3_object o;
	struct cfgloc loc;
	struct buf b;
	size_t len, count;
	char *red;

	*ok = false;
	if (awswork_region(w, region, sizeof(region), msg, sizeof(msg)) < 0)
		return xstrdup(msg);
	/* As the node's identity; the worker's own client when it is the
	 * fleet's (quitting cancels that one). */
	if (!awsid_uniform(w->f)) {
		pthread_mutex_lock(&w->lock);
		if (w->nc[k] == NULL)
			w->nc[k] = awsid_client_node(w->f, n);
		a = w->nc[k];
		pthread_mutex_unlock(&w->lock);
	}
	if (cfgloc_resolve(a, region, n, &loc, msg, sizeof(msg)) < 0)
		return xstrdup(msg);
	buf_init(&b, 0);
	cfgloc_describe(n, &loc, &b);
	if (aws_s3_get(a, loc.region, loc.bucket, loc.key, NULL, false, &o, msg,
		       sizeof(msg)) < 0) {
		buf_printf(&b, "\n%s\n", msg);
		cfgloc_free(&loc);
		return buf_take(&b, NULL);
	}
	buf_printf(&b, "version: %s\n", o.version_id ? o.version_id : "-");
	red = redact_toml(o.body, o.len, &len, &count, err, sizeof(err));
	if (red == NULL) {
		buf_printf(&b,
			   "\nThe object does not parse as TOML (%s): not "
			   "shown, as its secrets cannot be found safely.\n"
			   "bvops config get %s --raw shows it as stored.\n",
			   err, n->name);
	} else {
		*ok = true;
		buf_printf(&b, "redacted: %zu value%s\n\n", count,
			   count == 1 ? "" : "s");
		buf_append(&b, red, len);
		free(red);
	}
	aws_s3_object_free(&o);
	cfgloc_free(&loc);
	return buf_take(&b, NULL);
}

/* The shared state brought up to date (this host's copy: what every
 * screen reads), and who holds the fleet's lock as it found it. */
static void awswork_do_shared(struct awswork *w)
{
	struct fleetlock_holder h;
	struct shared_status st;
	char msg[600];

	memset(&h, 0, sizeof(h));
	shared_sync(w->f, w->state_dir, msg, sizeof(msg));
	sharedstatus_read(w->state_dir, &st);
	/* Unreadable counts as nobody: the console says only what it saw. */
	if (st.have_lock && !sharedstatus_unreachable(&st))
		h = st.lock;
	pthread_mutex_lock(&w->lock);
	w->version++; /* the state folder may have changed */
	w->lock_h = h;
	awswork_notify(w);
	pthread_mutex_unlock(&w->lock);
}

/* Every node's key policy: is its PCR8 the debug zeros? */
static void awswork_do_policies(struct awswork *w)
{
	size_t k;

	for (k = 0; k < w->f->nnodes; k++) {
		int v = -1;

		if (w->f->nodes[k].kms_stack != NULL) {
			char msg[512];

			v = keypolicy_live(w->f, &w->f->nodes[k], msg,
					   sizeof(msg));
		}
		pthread_mutex_lock(&w->lock);
		if (v != w->policy[k]) {
			w->policy[k] = v;
			w->version++;
			awswork_notify(w);
		}
		pthread_mutex_unlock(&w->lock);
		if (w->state_dir != NULL && w->f->nodes[k].kms_stack != NULL)
			marks_witness_set(w->state_dir, w->f->nodes[k].name, v);
	}
}

/* Every node's identity; true when one cannot be had. */
static bool awswork_do_access(struct awswork *w)
{
	size_t n = w->f->nnodes, k;
	struct awsid_access *v = xcalloc(n + 1, sizeof(*v));
	bool bad = false;

	awsid_access_nodes(w->f, false, v);
	for (k = 0; k < n; k++)
		bad |= v[k].checked && !v[k].ok;
	pthread_mutex_lock(&w->lock);
	memcpy(w->access, v, n * sizeof(*v));
	w->version++;
	awswork_notify(w);
	pthread_mutex_unlock(&w->lock);
	free(v);
	return bad;
}

static void *awswork_main(void *arg)
{
	struct awswork *w = arg;
	struct aws_client *a = w->client;
	int64_t next_nitro = 0, next_lock = 0, next_policy = 0, next_access = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		int64_t now = clock_mono_ms();
		size_t k, want = SIZE_MAX;
		struct timespec until;

		for (k = 0; k < w->f->nnodes && want == SIZE_MAX; k++)
			if (w->cfg[k].wanted)
				want = k;
		if (want != SIZE_MAX) {
			char *text;
			bool ok;

			w->cfg[want].wanted = false;
			pthread_mutex_unlock(&w->lock);
			text = awswork_fetch_config(w, a, want, &ok);
			pthread_mutex_lock(&w->lock);
			free(w->cfg[want].text);
			w->cfg[want].text = text;
			if (!w->cfg[want].wanted)
				w->cfg[want].state =
				    ok ? AWSWORK_DONE : AWSWORK_FAILED;
			w->version++;
			awswork_notify(w);
			continue;
		}
		if (w->nitro_on && now >= next_nitro) {
			pthread_mutex_unlock(&w->lock);
			awswork_do_nitro(w, a);
			next_nitro =
			    clock_mono_ms() + (int64_t)w->f->nitro.interval_ms;
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (w->policy_on && (now >= next_policy || w->policy_wanted)) {
			w->policy_wanted = false;
			pthread_mutex_unlock(&w->lock);
			awswork_do_policies(w);
			next_policy = clock_mono_ms() + AWSWORK_POLICY_MS;
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (w->access_on && now >= next_access) {
			bool bad;

			pthread_mutex_unlock(&w->lock);
			bad = awswork_do_access(w);
			next_access =
			    clock_mono_ms() +
			    (bad ? AWSWORK_ACCESS_RETRY_MS : AWSWORK_ACCESS_MS);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (w->lock_on && (now >= next_lock || w->lock_wanted)) {
			w->lock_wanted = false;
			pthread_mutex_unlock(&w->lock);
			awswork_do_shared(w);
			next_lock = clock_mono_ms() + awswork_shared_poll_ms();
			pthread_mutex_lock(&w->lock);
			continue;
		}
		/* Sleep until the next fetch is due or a request comes. */
		clock_gettime(CLOCK_REALTIME, &until);
		{
			int64_t ms = w->nitro_on ? next_nitro - now : 3600000;

			if (w->lock_on && next_lock - now < ms)
				ms = next_lock - now;
			if (w->policy_on && next_policy - now < ms)
				ms = next_policy - now;
			if (w->access_on && next_access - now < ms)
				ms = next_access - now;
			if (ms < 0)
				ms = 0;

			until.tv_sec += (time_t)(ms / 1000);
			until.tv_nsec += (long)(ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
		}
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct awswork *awswork_start(const struct fleet *f,
			      const struct awswork_opts *o)
{
	struct awswork *w = xcalloc(1, sizeof(*w));

	w->f = f;
	w->nitro_on = o->nitro && f->nitro.enabled;
	w->state_dir = o->state_dir ? xstrdup(o->state_dir) : NULL;
	w->nitro = xcalloc(f->nnodes + 1, sizeof(*w->nitro));
	w->have = xcalloc(f->nnodes + 1, sizeof(*w->have));
	w->cfg = xcalloc(f->nnodes + 1, sizeof(*w->cfg));
	w->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->client = awsid_client_fleet(f);
	w->nc = xcalloc(f->nnodes + 1, sizeof(struct aws_client *));
	/* Only a fleet with a shared state has one (and a lock) to keep
	 * in step with. */
	w->lock_on = o->state_dir != NULL && shared_wanted(f);
	w->policy = xcalloc(f->nnodes + 1, sizeof(*w->policy));
	w->access = xcalloc(f->nnodes + 1, sizeof(*w->access));
	for (size_t k = 0; k < f->nnodes; k++) {
		if (o->access && awsid_node_needs_aws(f, &f->nodes[k]))
			w->access_on = true;
		if (f->nodes[k].kms_stack != NULL)
			w->policy_on = true;
		w->policy[k] = -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, awswork_main, w) != 0)
		abort(); /* no thread: out of resources */
	return w;
}

void awswork_stop(struct awswork *w)
{
	size_t k;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	aws_client_cancel(w->client);
	pthread_mutex_lock(&w->lock);
	for (k = 0; k < w->f->nnodes; k++)
		if (w->nc[k] != NULL)
			aws_client_cancel(w->nc[k]);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	aws_client_free(w->client);
	for (k = 0; k < w->f->nnodes; k++)
		aws_client_free(w->nc[k]);
	free(w->nc);
	for (k = 0; k < w->f->nnodes; k++)
		free(w->cfg[k].text);
	free(w->cfg);
	free(w->nitro);
	free(w->have);
	free(w->policy);
	free(w->access);
	free(w->state_dir);
	if (w->notify_fd >= 0)
		close(w->notify_fd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}

int awswork_notify_fd(const struct awswork *w)
{
	return w->notify_fd;
}

unsigned long awswork_version(struct awswork *w)
{
	unsigned long v;

	pthread_mutex_lock(&w->lock);
	v = w->version;
	pthread_mutex_unlock(&w->lock);
	return v;
}

bool awswork_nitro(struct awswork *w, size_t k, double *value)
{
	bool have = false;

	pthread_mutex_lock(&w->lock);
	if (k < w->f->nnodes && w->have[k]) {
		have = true;
		*value = w->nitro[k];
	}
	pthread_mutex_unlock(&w->lock);
	return have;
}

void awswork_nitro_error(struct awswork *w, char *out, size_t size)
{
	pthread_mutex_lock(&w->lock);
	snprintf(out, size, "%s", w->nitro_error);
	pthread_mutex_unlock(&w->lock);
}

bool awswork_access(struct awswork *w, size_t k, struct awsid_access *out)
{
	bool have = false;

	pthread_mutex_lock(&w->lock);
	if (k < w->f->nnodes && w->access[k].checked) {
		*out = w->access[k];
		have = true;
	}
	pthread_mutex_unlock(&w->lock);
	return have;
}

void awswork_config_request(struct awswork *w, size_t k)
{
	pthread_mutex_lock(&w->lock);
	if (k < w->f->nnodes) {
		w->cfg[k].wanted = true;
		w->cfg[k].state = AWSWORK_BUSY;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
}

enum awswork_state awswork_config(struct awswork *w, size_t k, char **text)
{
	enum awswork_state st = AWSWORK_NONE;

	*text = NULL;
	pthread_mutex_lock(&w->lock);
	if (k < w->f->nnodes) {
		st = w->cfg[k].state;
		if ((st == AWSWORK_DONE || st == AWSWORK_FAILED) &&
		    w->cfg[k].text != NULL)
			*text = xstrdup(w->cfg[k].text);
	}
	pthread_mutex_unlock(&w->lock);
	return st;
}

bool awswork_lock(struct awswork *w, struct fleetlock_holder *h)
{
	pthread_mutex_lock(&w->lock);
	*h = w->lock_h;
	pthread_mutex_unlock(&w->lock);
	return h->held;
}

void awswork_lock_request(struct awswork *w)
{
	pthread_mutex_lock(&w->lock);
	w->lock_wanted = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

int awswork_policy(struct awswork *w, size_t k)
{
	int v;

	pthread_mutex_lock(&w->lock);
	v = w->policy[k];
	pthread_mutex_unlock(&w->lock);
	return v;
}

void awswork_policy_request(struct awswork *w)
{
	pthread_mutex_lock(&w->lock);
	w->policy_wanted = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}
