#include "engine/alertbox.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"

struct alertbox_item {
	char *text;
	struct alertbox_meta meta;
};

struct alertbox {
	pthread_mutex_t lock;
	struct alertbox_item v[ALERTBOX_KEEP];
	size_t start, n;
	uint64_t version;
};

struct alertbox *alertbox_new(void)
{
	struct alertbox *b = xcalloc(1, sizeof(*b));

	pthread_mutex_init(&b->lock, NULL);
	return b;
}

void alertbox_free(struct alertbox *b)
{
	size_t k;

	if (b == NULL)
		return;
	for (k = 0; k < ALERTBOX_KEEP; k++)
		free(b->v[k].text);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void alertbox_push(void *box, const char *json, const char *text, bool quiet)
{
	struct alertbox *b = box;
	struct alertbox_item *it;
	struct alertbox_meta meta = {.acked = quiet};
	cJSON *o;

	/* Only alerts: delivery reports and errors have their own lines
	 * in the event log. */
	if (strncmp(json, "{\"seq\":", 7) != 0)
		return;
	/* Its node and time, for the list's ages and its jump to the node. */
	o = cJSON_Parse(json);
	if (o != NULL) {
		const char *node =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "node"));

		snprintf(meta.node, sizeof(meta.node), "%s", node ? node : "");
		meta.at_ms = timefmt_iso8601_parse(
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "time")));
		cJSON_Delete(o);
	}
	if (meta.at_ms == 0)
		meta.at_ms = clock_now_ms();
	pthread_mutex_lock(&b->lock);
	if (b->n == ALERTBOX_KEEP) {
		it = &b->v[b->start];
		b->start = (b->start + 1) % ALERTBOX_KEEP;
		b->n--;
	} else {
		it = &b->v[(b->start + b->n) % ALERTBOX_KEEP];
	}
	free(it->text);
	it->text = xstrdup(text);
	/* A held node's news is listed, already acknowledged: no bell, no
	 * banner. */
	it->meta = meta;
	b->n++;
	b->version++;
	pthread_mutex_unlock(&b->lock);
}

uint64_t alertbox_version(struct alertbox *b)
{
	uint64_t v;

	pthread_mutex_lock(&b->lock);
	v = b->version;
	pthread_mutex_unlock(&b->lock);
	return v;
}

size_t alertbox_count(struct alertbox *b, size_t *unacked)
{
	size_t k, n;

	pthread_mutex_lock(&b->lock);
	n = b->n;
	*unacked = 0;
	for (k = 0; k < b->n; k++)
		if (!b->v[(b->start + k) % ALERTBOX_KEEP].meta.acked)
			(*unacked)++;
	pthread_mutex_unlock(&b->lock);
	return n;
}

/* Slot of the i-th newest; the caller holds the lock. */
static struct alertbox_item *alertbox_at(struct alertbox *b, size_t i)
{
	if (i >= b->n)
		return NULL;
	return &b->v[(b->start + b->n - 1 - i) % ALERTBOX_KEEP];
}

bool alertbox_get(struct alertbox *b, size_t i, char *out, size_t size,
		  struct alertbox_meta *meta)
{
	struct alertbox_item *it;
	bool ok = false;

	pthread_mutex_lock(&b->lock);
	it = alertbox_at(b, i);
	if (it != NULL) {
		snprintf(out, size, "%s", it->text);
		*meta = it->meta;
		ok = true;
	}
	pthread_mutex_unlock(&b->lock);
	return ok;
}

void alertbox_ack(struct alertbox *b, size_t i)
{
	pthread_mutex_lock(&b->lock);
	if (i == SIZE_MAX) {
		size_t k;

		for (k = 0; k < ALERTBOX_KEEP; k++)
			b->v[k].meta.acked = true;
	} else if (alertbox_at(b, i) != NULL) {
		alertbox_at(b, i)->meta.acked = true;
	}
	b->version++;
	pthread_mutex_unlock(&b->lock);
}
