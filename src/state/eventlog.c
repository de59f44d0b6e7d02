#include "state/eventlog.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

static void eventlog_rotate(const char *path)
{
	struct stat st;
	int k;

	if (stat(path, &st) < 0 || st.st_size < EVENTLOG_ROTATE_BYTES)
		return;
	for (k = EVENTLOG_KEEP - 1; k >= 1; k--) {
		char *from = xasprintf("%s.%d", path, k);
		char *to = xasprintf("%s.%d", path, k + 1);

		rename(from, to);
		free(from);
		free(to);
	}
	{
		char *to = xasprintf("%s.1", path);

		rename(path, to);
		free(to);
	}
}

int eventlog_append(const char *dir, const char *name, const char *line,
		    char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *rec = xasprintf("%s\n", line);
	size_t len = strlen(rec);
	int fd, rc = 0;

	eventlog_rotate(path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		rc = -1;
	} else {
		/* One write: a record is whole or absent. */
		ssize_t w = write(fd, rec, len);

		if (w != (ssize_t)len) {
			snprintf(msg, msgsize, "%s: %s", path,
				 w < 0 ? strerror(errno) : "short write");
			rc = -1;
		}
		close(fd);
	}
	free(path);
	free(rec);
	return rc;
}

int eventlog_audit(const char *dir, const char *action, const char *node,
		   const char *result, char *msg, size_t msgsize)
{
	struct passwd *pw = getpwuid(getuid());
	char host[256] = "", when[40];
	time_t t = time(NULL);
	struct tm tm;
	cJSON *o = cJSON_CreateObject();
	char *line;
	int rc;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "user", pw ? pw->pw_name : "?");
	cJSON_AddStringToObject(o, "host", host);
	cJSON_AddStringToObject(o, "action", action);
	if (node != NULL)
		cJSON_AddStringToObject(o, "node", node);
	else
		cJSON_AddNullToObject(o, "node");
	cJSON_AddStringToObject(o, "result", result);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (line == NULL)
		abort(); /* cJSON only fails for want of memory */
	rc = eventlog_append(dir, "audit.log", line, msg, msgsize);
	free(line);
	return rc;
}
