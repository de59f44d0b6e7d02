#include "state/holds.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"

#define HOLDS_FILE_MAX ((size_t)1 << 20)

/* What the older file's one-entry-per-node reasons meant. */
#define HOLDS_LEGACY_PROCEDURE "procedure "
#define HOLDS_LEGACY_STOP      "stopped on purpose from the console"

static const char *const holds_kinds[] = {
    [HOLD_MAINTENANCE] = "maintenance",
    [HOLD_PROCEDURE] = "procedure",
    [HOLD_STOP] = "stop",
    [HOLD_OTHER] = "other",
};

const char *holds_kind_name(enum hold_kind kind)
{
	return kind <= HOLD_OTHER ? holds_kinds[kind] : "other";
}

static enum hold_kind holds_kind_parse(const char *s)
{
	int k;

	for (k = 0; s != NULL && k < HOLD_OTHER; k++)
		if (strcmp(s, holds_kinds[k]) == 0)
			return (enum hold_kind)k;
	return HOLD_OTHER;
}

static const char *holds_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static char *holds_read(const char *path, char *msg, size_t msgsize)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL) {
		if (errno == ENOENT)
			return xstrdup("{}");
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, HOLDS_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) < 0) {
			snprintf(msg, msgsize, "%s: too large", path);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	fclose(f);
	return buf_take(&b, NULL);
}

/* One hold from its JSON object (kind and id given for legacy entries). */
static void holds_fill(struct hold *x, const char *node, const cJSON *it)
{
	const char *reason = holds_str(it, "reason");

	memset(x, 0, sizeof(*x));
	snprintf(x->node, sizeof(x->node), "%s", node ? node : "");
	x->kind = holds_kind_parse(holds_str(it, "kind"));
	snprintf(x->id, sizeof(x->id), "%s",
		 holds_str(it, "id") ? holds_str(it, "id") : "");
	snprintf(x->reason, sizeof(x->reason), "%s", reason ? reason : "");
	snprintf(x->owner, sizeof(x->owner), "%s",
		 holds_str(it, "owner") ? holds_str(it, "owner") : "");
	x->since_ms = timefmt_iso8601_parse(holds_str(it, "since"));
	x->until_ms = timefmt_iso8601_parse(holds_str(it, "until"));
}

/*
 * The older file kept one entry per node under "maintenance", its reason
 * telling whose it was: moved into "holds" as what it meant.
 */
void holds_migrate_json(cJSON *j)
{
	cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(j, "maintenance");
	cJSON *all = cJSON_GetObjectItemCaseSensitive(j, "holds"), *it;

	if (old == NULL)
		return;
	if (!cJSON_IsObject(all)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "holds");
		all = cJSON_AddObjectToObject(j, "holds");
	}
	cJSON_ArrayForEach(it, old)
	{
		const char *reason = holds_str(it, "reason");
		cJSON *e, *arr;

		if (!cJSON_IsObject(it) || it->string == NULL)
			continue;
		e = cJSON_Duplicate(it, true);
		if (reason != NULL &&
		    strncmp(reason, HOLDS_LEGACY_PROCEDURE,
			    strlen(HOLDS_LEGACY_PROCEDURE)) == 0) {
			cJSON_AddStringToObject(e, "kind", "procedure");
			cJSON_AddStringToObject(
			    e, "id", reason + strlen(HOLDS_LEGACY_PROCEDURE));
		} else if (reason != NULL &&
			   strcmp(reason, HOLDS_LEGACY_STOP) == 0) {
			cJSON_AddStringToObject(e, "kind", "stop");
			cJSON_AddStringToObject(e, "id", "");
		} else {
			cJSON_AddStringToObject(e, "kind", "maintenance");
			cJSON_AddStringToObject(e, "id", "");
		}
		arr = cJSON_GetObjectItemCaseSensitive(all, it->string);
		if (!cJSON_IsArray(arr)) {
			cJSON_DeleteItemFromObjectCaseSensitive(all,
								it->string);
			arr = cJSON_AddArrayToObject(all, it->string);
		}
		cJSON_AddItemToArray(arr, e);
	}
	cJSON_Delete(old);
}

int holds_parse(const char *path, const char *text, struct holds *h, char *msg,
		size_t msgsize)
{
	cJSON *j = cJSON_Parse(text), *all, *r, *node, *it;
	size_t k = 0, cap = 0;

	memset(h, 0, sizeof(*h));
	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(msg, msgsize, "%s: not a JSON object", path);
		cJSON_Delete(j);
		return -1;
	}
	holds_migrate_json(j);
	all = cJSON_GetObjectItemCaseSensitive(j, "holds");
	r = cJSON_GetObjectItemCaseSensitive(j, "rearm");
	cJSON_ArrayForEach(node, all)
	{
		if (cJSON_IsArray(node))
			cap += (size_t)cJSON_GetArraySize(node);
	}
	h->v = xcalloc(cap + 1, sizeof(*h->v));
	cJSON_ArrayForEach(node, all)
	{
		if (!cJSON_IsArray(node))
			continue;
		cJSON_ArrayForEach(it, node)
		{
			if (cJSON_IsObject(it) && k < cap)
				holds_fill(&h->v[k++], node->string, it);
		}
	}
	h->n = k;
	k = 0;
	h->r = xcalloc((size_t)cJSON_GetArraySize(r) + 1, sizeof(*h->r));
	cJSON_ArrayForEach(it, r)
	{
		snprintf(h->r[k].node, sizeof(h->r[k].node), "%s",
			 it->string ? it->string : "");
		h->r[k].at_ms = timefmt_iso8601_parse(
		    cJSON_IsString(it) ? it->valuestring : NULL);
		k++;
	}
	h->nr = k;
	cJSON_Delete(j);
	return 0;
}

int holds_load(const char *dir, struct holds *h, char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/holds.json", dir);
	char *text = holds_read(path, msg, msgsize);
	int rc = -1;

	memset(h, 0, sizeof(*h));
	if (text != NULL)
		rc = holds_parse(path, text, h, msg, msgsize);
	free(text);
	free(path);
	return rc;
}

void holds_free(struct holds *h)
{
	free(h->v);
	free(h->r);
	memset(h, 0, sizeof(*h));
}

static bool holds_in_force(const struct hold *x, int64_t now_ms)
{
	return x->until_ms == 0 || x->until_ms > now_ms;
}

const struct hold *holds_active(const struct holds *h, const char *node,
				int64_t now_ms)
{
	size_t k;

	for (k = 0; k < h->n; k++)
		if (strcmp(h->v[k].node, node) == 0 &&
		    holds_in_force(&h->v[k], now_ms))
			return &h->v[k];
	return NULL;
}

const struct hold *holds_find(const struct holds *h, const char *node,
			      enum hold_kind kind, const char *id,
			      int64_t now_ms)
{
	size_t k;

	for (k = 0; k < h->n; k++)
		if (strcmp(h->v[k].node, node) == 0 && h->v[k].kind == kind &&
		    strcmp(h->v[k].id, id ? id : "") == 0 &&
		    holds_in_force(&h->v[k], now_ms))
			return &h->v[k];
	return NULL;
}

size_t holds_count(const struct holds *h, const char *node, int64_t now_ms)
{
	size_t k, n = 0;

	for (k = 0; k < h->n; k++)
		if (strcmp(h->v[k].node, node) == 0 &&
		    holds_in_force(&h->v[k], now_ms))
			n++;
	return n;
}

int64_t holds_rearmed(const struct holds *h, const char *node)
{
	size_t k;

	for (k = 0; k < h->nr; k++)
		if (strcmp(h->r[k].node, node) == 0)
			return h->r[k].at_ms;
	return 0;
}

void holds_describe(const struct hold *x, char *out, size_t size)
{
	switch (x->kind) {
	case HOLD_MAINTENANCE:
		snprintf(out, size, "maintenance: %s (%s)", x->reason,
			 x->owner);
		break;
	case HOLD_PROCEDURE:
		snprintf(out, size, "procedure %s (%s)", x->id, x->owner);
		break;
	case HOLD_STOP:
		snprintf(out, size, "%s (%s)", x->reason, x->owner);
		break;
	default:
		snprintf(out, size, "held: %s (%s)", x->reason, x->owner);
		break;
	}
}
