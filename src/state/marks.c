#include "state/marks.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
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

bool marks_debug_get(const char *state_dir, const char *node, int64_t *since_ms,
		     char *id, size_t idsize)
{
	char *path = marks_debug_path(state_dir, node), msg[300];
	size_t len;
	char *text =
	    buf_read_whole(path, (size_t)1 << 20, &len, msg, sizeof(msg));
	cJSON *o;
	bool yes = false;

	free(path);
	if (text == NULL)
		return false;
	o = cJSON_ParseWithLength(text, len);
	if (cJSON_IsObject(o)) {
		const char *since =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "since"));
		const char *pid =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "procedure"));

		*since_ms = since ? timefmt_iso8601_parse(since) : 0;
		snprintf(id, idsize, "%s", pid ? pid : "");
		yes = true;
	}
	cJSON_Delete(o);
	free(text);
	return yes;
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
