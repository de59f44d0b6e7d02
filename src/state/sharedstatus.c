#include "state/sharedstatus.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/duration.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"

static void ss_str(const cJSON *o, const char *k, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

void sharedstatus_read(const char *state_dir, struct shared_status *st)
{
	char *path = xasprintf("%s/shared.json", state_dir), msg[300], t[64];
	size_t len;
	char *text = buf_read_whole(path, 1 << 20, &len, msg, sizeof(msg));
	cJSON *o = text ? cJSON_ParseWithLength(text, len) : NULL;
	const cJSON *lock;

	memset(st, 0, sizeof(*st));
	free(path);
	free(text);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return;
	}
	st->known = true;
	ss_str(o, "mode", t, sizeof(t));
	st->shared = strcmp(t, "s3") == 0;
	ss_str(o, "fleet", st->fleet, sizeof(st->fleet));
	ss_str(o, "region", st->region, sizeof(st->region));
	ss_str(o, "bucket", st->bucket, sizeof(st->bucket));
	ss_str(o, "prefix", st->prefix, sizeof(st->prefix));
	ss_str(o, "from", st->from, sizeof(st->from));
	ss_str(o, "resolved_for", st->resolved_for, sizeof(st->resolved_for));
	ss_str(o, "etag", st->etag, sizeof(st->etag));
	ss_str(o, "lock_etag", st->lock_etag, sizeof(st->lock_etag));
	ss_str(o, "error", st->error, sizeof(st->error));
	ss_str(o, "read", t, sizeof(t));
	st->read_ms = timefmt_iso8601_parse(t);
	ss_str(o, "unreachable_since", t, sizeof(t));
	st->unreachable_since_ms = timefmt_iso8601_parse(t);
	lock = cJSON_GetObjectItemCaseSensitive(o, "lock");
	if (cJSON_IsObject(lock)) {
		char *lt = cJSON_PrintUnformatted(lock);

		if (lt == NULL)
			abort(); /* cJSON only fails for want of memory */
		lockdoc_parse(lt, &st->lock);
		free(lt);
		st->have_lock = true;
	}
	cJSON_Delete(o);
}

static void ss_time(cJSON *o, const char *k, int64_t ms)
{
	char when[40];

	if (ms <= 0) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	timefmt_iso8601(ms, false, when, sizeof(when));
	cJSON_AddStringToObject(o, k, when);
}

int sharedstatus_write(const char *state_dir, const struct shared_status *st,
		       char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/shared.json", state_dir);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	cJSON *o = cJSON_CreateObject();
	char *text;
	int rc;

	cJSON_AddStringToObject(o, "mode", st->shared ? "s3" : "none");
	cJSON_AddStringToObject(o, "fleet", st->fleet);
	if (st->shared) {
		cJSON_AddStringToObject(o, "region", st->region);
		cJSON_AddStringToObject(o, "bucket", st->bucket);
		cJSON_AddStringToObject(o, "prefix", st->prefix);
		cJSON_AddStringToObject(o, "from", st->from);
		cJSON_AddStringToObject(o, "resolved_for", st->resolved_for);
		cJSON_AddStringToObject(o, "etag", st->etag);
		cJSON_AddStringToObject(o, "lock_etag", st->lock_etag);
		if (st->have_lock) {
			cJSON *l = cJSON_AddObjectToObject(o, "lock");

			cJSON_AddBoolToObject(l, "held", st->lock.held);
			cJSON_AddStringToObject(l, "id", st->lock.id);
			cJSON_AddStringToObject(l, "who", st->lock.who);
			cJSON_AddStringToObject(l, "host", st->lock.host);
			cJSON_AddStringToObject(l, "what", st->lock.what);
			ss_time(l, "since", st->lock.since_ms);
			ss_time(l, "expires", st->lock.expires_ms);
			ss_time(l, "released", st->lock.released_ms);
		}
	}
	ss_time(o, "read", st->read_ms);
	ss_time(o, "unreachable_since", st->unreachable_since_ms);
	cJSON_AddStringToObject(o, "error", st->error);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (text == NULL)
		abort(); /* cJSON only fails for want of memory */
	unlink(tmp);
	rc = buf_write_file(tmp, text, strlen(text), true, msg, msgsize);
	if (rc == 0 && rename(tmp, path) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	free(text);
	free(tmp);
	free(path);
	return rc;
}

bool sharedstatus_unreachable(const struct shared_status *st)
{
	return st->shared && st->unreachable_since_ms > 0;
}

void sharedstatus_describe(const struct shared_status *st, size_t pending,
			   int64_t now_ms, char *out, size_t size)
{
	char when[16], ago[32];
	time_t t;
	struct tm tm;
	size_t len;

	out[0] = '\0';
	if (st->known && !st->shared) {
		snprintf(out, size, "no shared state: this host's files only");
		return;
	}
	if (!sharedstatus_unreachable(st)) {
		if (pending > 0)
			snprintf(out, size,
				 "%zu change%s made offline to copy up",
				 pending, pending == 1 ? "" : "s");
		return;
	}
	t = (time_t)(st->unreachable_since_ms / 1000);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	duration_human(now_ms > st->unreachable_since_ms
			   ? (uint64_t)(now_ms - st->unreachable_since_ms)
			   : 0,
		       ago, sizeof(ago));
	snprintf(out, size,
		 "shared state unreachable since %s (%s ago): this host's "
		 "view only",
		 when, ago);
	len = strlen(out);
	if (pending > 0 && len < size)
		snprintf(out + len, size - len,
			 "; %zu change%s made offline to copy up", pending,
			 pending == 1 ? "" : "s");
	len = strlen(out);
	if (st->error[0] && len < size)
		snprintf(out + len, size - len, " (%s)", st->error);
}

size_t sharedstatus_pending(const char *state_dir)
{
	char *path = xasprintf("%s/pending.jsonl", state_dir), msg[300];
	size_t len, n = 0, k;
	char *text =
	    buf_read_whole(path, (size_t)16 << 20, &len, msg, sizeof(msg));

	for (k = 0; text != NULL && k < len; k++)
		if (text[k] == '\n')
			n++;
	free(text);
	free(path);
	return n;
}
