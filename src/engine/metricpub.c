#include "engine/metricpub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_cw.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "lib/xalloc.h"

struct metricpub {
	const struct fleet *f;
	struct monitor *m;
	metricpub_report_fn report;
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct aws_client *client;
	char last[512]; /* what was last reported: "" success, else error */
	bool reported;
};

/* One PutMetricData of every node whose status is known. */
static void metricpub_publish(struct metricpub *p)
{
	struct monitor_snapshot s;
	struct aws_cw_datum *d;
	char region[64], msg[512] = "";
	size_t k, n = 0;
	int rc;

	monitor_snapshot(p->m, &s);
	d = xcalloc(s.n + 1, sizeof(*d));
	for (k = 0; k < s.n && k < p->f->nnodes; k++) {
		if (s.nodes[k].status == HEALTH_UNKNOWN)
			continue;
		d[n].dim_names[0] = "Fleet";
		d[n].dim_values[0] = p->f->name;
		d[n].dim_names[1] = "Node";
		d[n].dim_values[1] = p->f->nodes[k].name;
		d[n].ndims = 2;
		d[n].value = s.nodes[k].status == HEALTH_UP ? 1 : 0;
		n++;
	}
	rc = awscred_region(p->f->region, region, sizeof(region), msg,
			    sizeof(msg));
	if (rc == 0 && n > 0)
		rc = aws_cw_put_data(
		    p->client, region, p->f->metrics.namespace_,
		    p->f->metrics.metric, d, n, msg, sizeof(msg));
	free(d);
	monitor_snapshot_free(&s);
	if (n == 0 && rc == 0)
		return; /* nothing known yet: nothing said */
	pthread_mutex_lock(&p->lock);
	if (p->stop) {
		/* Cancelled on the way out: not a failure worth saying. */
		pthread_mutex_unlock(&p->lock);
		return;
	}
	pthread_mutex_unlock(&p->lock);
	if (rc == 0) {
		if (!p->reported || p->last[0] != '\0') {
			char line[600];

			snprintf(
			    line, sizeof(line),
			    "%s %s/%s to CloudWatch (%s) every %llu s",
			    p->reported ? "publishing again" : "publishing",
			    p->f->metrics.namespace_, p->f->metrics.metric,
			    region,
			    (unsigned long long)(p->f->metrics.interval_ms /
						 1000));
			p->report(p->ctx, true, line);
		}
		p->last[0] = '\0';
	} else if (strcmp(p->last, msg) != 0) {
		p->report(p->ctx, false, msg);
		snprintf(p->last, sizeof(p->last), "%s", msg);
	}
	p->reported = true;
}

static void *metricpub_main(void *arg)
{
	struct metricpub *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec until;
		uint64_t ms = p->f->metrics.interval_ms;

		pthread_mutex_unlock(&p->lock);
		metricpub_publish(p);
		pthread_mutex_lock(&p->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(ms / 1000);
		until.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!p->stop &&
		       pthread_cond_timedwait(&p->wake, &p->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct metricpub *metricpub_start(const struct fleet *f, struct monitor *m,
				  metricpub_report_fn report, void *ctx)
{
	struct metricpub *p;
	pthread_condattr_t ca;

	if (!f->metrics.enabled)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->f = f;
	p->m = m;
	p->report = report;
	p->ctx = ctx;
	/* bvops's own metric: the fleet's, as its watch is. */
	p->client = awsid_client_fleet(f);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, metricpub_main, p) != 0)
		abort(); /* only for want of resources */
	return p;
}

void metricpub_stop(struct metricpub *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	aws_client_cancel(p->client);
	pthread_join(p->thread, NULL);
	aws_client_free(p->client);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
