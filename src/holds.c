#include "holds.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "probe.h"
#include "timefmt.h"
#include "xalloc.h"

#define HOLDS_FILE_MAX ((size_t)1 << 20)

/* "user@host" of this process, into out. */
static void holds_owner(char *out, size_t size)
{
	struct passwd *pw = getpwuid(getuid());
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	snprintf(out, size, "%.60s@%.90s", pw ? pw->pw_name : "?", host);
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

int holds_parse(const char *path, const char *text, struct holds *h, char *msg,
		size_t msgsize)
{
	cJSON *j = cJSON_Parse(text), *m, *r, *it;
	size_t k = 0;

	memset(h, 0, sizeof(*h));
	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(msg, msgsize, "%s: not a JSON object", path);
		cJSON_Delete(j);
		return -1;
	}
	m = cJSON_GetObjectItemCaseSensitive(j, "maintenance");
	r = cJSON_GetObjectItemCaseSensitive(j, "rearm");
	h->v = xcalloc((size_t)cJSON_GetArraySize(m) + 1, sizeof(*h->v));
	cJSON_ArrayForEach(it, m)
	{
		struct hold *x = &h->v[k++];

		snprintf(x->node, sizeof(x->node), "%s", it->string);
		snprintf(x->reason, sizeof(x->reason), "%s",
			 holds_str(it, "reason") ? holds_str(it, "reason")
						 : "");
		snprintf(x->owner, sizeof(x->owner), "%s",
			 holds_str(it, "owner") ? holds_str(it, "owner") : "");
		x->since_ms = timefmt_iso8601_parse(holds_str(it, "since"));
		x->until_ms = timefmt_iso8601_parse(holds_str(it, "until"));
	}
	h->n = k;
	k = 0;
	h->r = xcalloc((size_t)cJSON_GetArraySize(r) + 1, sizeof(*h->r));
	cJSON_ArrayForEach(it, r)
	{
		snprintf(h->r[k].node, sizeof(h->r[k].node), "%s", it->string);
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

const struct hold *holds_active(const struct holds *h, const char *node,
				int64_t now_ms)
{
	size_t k;

	for (k = 0; k < h->n; k++)
		if (strcmp(h->v[k].node, node) == 0 &&
		    (h->v[k].until_ms == 0 || h->v[k].until_ms > now_ms))
			return &h->v[k];
	return NULL;
}

int64_t holds_rearmed(const struct holds *h, const char *node)
{
	size_t k;

	for (k = 0; k < h->nr; k++)
		if (strcmp(h->r[k].node, node) == 0)
			return h->r[k].at_ms;
	return 0;
}

int holds_set(const char *dir, const char *node, const char *reason,
	      int64_t for_ms, bool rearm, char *msg, size_t msgsize)
{
	char *lock = xasprintf("%s/holds.lock", dir);
	char *path = xasprintf("%s/holds.json", dir);
	char *tmp = xasprintf("%s/holds.json.%ld", dir, (long)getpid());
	char when[32], owner[160], *text = NULL, *out = NULL;
	int64_t now = probe_now_ms();
	cJSON *j = NULL, *sect, *e;
	int fd, rc = -1;

	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		snprintf(msg, msgsize, "%s: %s", lock, strerror(errno));
		goto out;
	}
	text = holds_read(path, msg, msgsize);
	if (text == NULL)
		goto out;
	j = cJSON_Parse(text);
	if (j == NULL || !cJSON_IsObject(j)) {
		snprintf(msg, msgsize, "%s: not a JSON object", path);
		goto out;
	}
	holds_owner(owner, sizeof(owner));
	timefmt_iso8601(now, false, when, sizeof(when));
	sect = cJSON_GetObjectItemCaseSensitive(j, rearm ? "rearm"
							 : "maintenance");
	if (sect == NULL)
		sect =
		    cJSON_AddObjectToObject(j, rearm ? "rearm" : "maintenance");
	cJSON_DeleteItemFromObjectCaseSensitive(sect, node);
	if (rearm) {
		cJSON_AddStringToObject(sect, node, when);
	} else if (reason != NULL) {
		e = cJSON_AddObjectToObject(sect, node);
		cJSON_AddStringToObject(e, "reason", reason);
		cJSON_AddStringToObject(e, "owner", owner);
		cJSON_AddStringToObject(e, "since", when);
		if (for_ms > 0) {
			timefmt_iso8601(now + for_ms, false, when,
					sizeof(when));
			cJSON_AddStringToObject(e, "until", when);
		} else {
			cJSON_AddNullToObject(e, "until");
		}
	}
	out = cJSON_Print(j);
	if (out == NULL)
		abort(); /* cJSON only fails for want of memory */
	{
		int t =
		    open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		size_t len = strlen(out);

		if (t < 0 || write(t, out, len) != (ssize_t)len ||
		    write(t, "\n", 1) != 1 || fsync(t) < 0) {
			snprintf(msg, msgsize, "%s: %s", tmp, strerror(errno));
			if (t >= 0)
				close(t);
			unlink(tmp);
			goto out;
		}
		close(t);
	}
	if (rename(tmp, path) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd); /* and the lock with it */
	cJSON_Delete(j);
	free(out);
	free(text);
	free(lock);
	free(path);
	free(tmp);
	return rc;
}
