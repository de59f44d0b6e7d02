#include "state/marks.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "state/statedir.h"

char *marks_debug_path(const char *state_dir, const char *node)
{
	return node ? statedir_file(state_dir, "debug", node, ".json")
		    : statedir_file(state_dir, "debug", NULL, NULL);
}

char *marks_debug_record_path(const char *state_dir, const char *node)
{
	return statedir_file(state_dir, "debug", node, ".console.log");
}

char *marks_ers_path(const char *state_dir, const char *node)
{
	return node ? statedir_file(state_dir, "ers", node, ".json")
		    : statedir_file(state_dir, "ers", NULL, NULL);
}

static void marks_str(const cJSON *o, const char *k, char *out, size_t size)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));

	snprintf(out, size, "%s", s ? s : "");
}

bool marks_debug_read(const char *state_dir, const char *node,
		      struct marks_debug *m)
{
	char *path = marks_debug_path(state_dir, node), msg[300];
	size_t len;
	char *text =
	    buf_read_whole(path, (size_t)1 << 20, &len, msg, sizeof(msg));
	cJSON *o;
	bool yes = false;

	memset(m, 0, sizeof(*m));
	free(path);
	if (text == NULL)
		return false;
	o = cJSON_ParseWithLength(text, len);
	if (cJSON_IsObject(o)) {
		char since[64];

		marks_str(o, "since", since, sizeof(since));
		m->since_ms = timefmt_iso8601_parse(since);
		marks_str(o, "procedure", m->procedure, sizeof(m->procedure));
		marks_str(o, "owner", m->owner, sizeof(m->owner));
		marks_str(o, "key", m->key, sizeof(m->key));
		marks_str(o, "region", m->region, sizeof(m->region));
		marks_str(o, "backup", m->backup, sizeof(m->backup));
		yes = true;
	}
	cJSON_Delete(o);
	free(text);
	return yes;
}

bool marks_debug_get(const char *state_dir, const char *node, int64_t *since_ms,
		     char *id, size_t idsize)
{
	struct marks_debug m;

	if (!marks_debug_read(state_dir, node, &m))
		return false;
	*since_ms = m.since_ms;
	snprintf(id, idsize, "%s", m.procedure);
	return true;
}

size_t marks_ers_count(const char *state_dir, int64_t *since_ms)
{
	char *dir = marks_ers_path(state_dir, NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t count = 0;

	*since_ms = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), tlen;
		char *path, *text, msg[300];
		cJSON *o;

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		text = buf_read_whole(path, 65536, &tlen, msg, sizeof(msg));
		o = text ? cJSON_ParseWithLength(text, tlen) : NULL;
		if (cJSON_IsObject(o)) {
			const char *s = cJSON_GetStringValue(
			    cJSON_GetObjectItem(o, "since"));
			int64_t t = s ? timefmt_iso8601_parse(s) : 0;

			count++;
			if (t > 0 && (*since_ms == 0 || t < *since_ms))
				*since_ms = t;
		}
		cJSON_Delete(o);
		free(text);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return count;
}

static cJSON *marks_witness_load(const char *state_dir)
{
	char *path = xasprintf("%s/witness.json", state_dir), msg[300];
	size_t len;
	char *text =
	    buf_read_whole(path, (size_t)1 << 20, &len, msg, sizeof(msg));
	cJSON *o = text ? cJSON_ParseWithLength(text, len) : NULL;

	free(text);
	free(path);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	return o;
}

int marks_witness_get(const char *state_dir, const char *node, int64_t *read_ms)
{
	cJSON *o = marks_witness_load(state_dir);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, node);
	const cJSON *z = cJSON_GetObjectItemCaseSensitive(n, "pcr8_zero");
	int v = cJSON_IsBool(z) ? cJSON_IsTrue(z) : -1;

	if (read_ms != NULL)
		*read_ms = timefmt_iso8601_parse(
		    cJSON_GetStringValue(cJSON_GetObjectItem(n, "read")));
	cJSON_Delete(o);
	return v;
}

void marks_witness_set(const char *state_dir, const char *node, int value)
{
	cJSON *o = marks_witness_load(state_dir), *n = cJSON_CreateObject();
	char *path = xasprintf("%s/witness.json", state_dir);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	char when[40], msg[300], *text;

	timefmt_iso8601(clock_now_ms(), false, when, sizeof(when));
	if (value < 0)
		cJSON_AddNullToObject(n, "pcr8_zero");
	else
		cJSON_AddBoolToObject(n, "pcr8_zero", value == 1);
	cJSON_AddStringToObject(n, "read", when);
	cJSON_DeleteItemFromObjectCaseSensitive(o, node);
	cJSON_AddItemToObject(o, node, n);
	text = cJSON_Print(o);
	if (text == NULL)
		abort(); /* cJSON only fails for want of memory */
	unlink(tmp);
	if (buf_write_file(tmp, text, strlen(text), true, msg, sizeof(msg)) ==
		0 &&
	    rename(tmp, path) < 0)
		unlink(tmp);
	free(text);
	free(tmp);
	free(path);
	cJSON_Delete(o);
}
