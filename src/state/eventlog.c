#include "state/eventlog.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/whoami.h"
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

/*
 * The fleet's audit trail is shared (proc/shared.h): while dir/outbox
 * exists each record also waits there, as one file of its own, to be
 * copied up as an object of its own. Best effort: audit.log has it.
 */
static void eventlog_outbox(const char *dir, const char *host, const char *line)
{
	static unsigned long seq;
	char *box = xasprintf("%s/outbox", dir), *path, *tmp, stamp[40];
	struct stat st;
	struct timespec ts;
	struct tm tm;
	int fd;

	if (stat(box, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(box);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	path = xasprintf("%s/audit+%s.%03ldZ-%s-%ld-%lu.json", box, stamp,
			 ts.tv_nsec / 1000000, host, (long)getpid(),
			 __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	/* Written whole under another name first: a flush never sends half
	 * a record. */
	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd >= 0) {
		bool ok =
		    write(fd, line, strlen(line)) == (ssize_t)strlen(line);

		close(fd);
		if (!ok || rename(tmp, path) < 0)
			unlink(tmp);
	}
	free(tmp);
	free(path);
	free(box);
}

int eventlog_audit(const char *dir, const char *action, const char *node,
		   const char *result, char *msg, size_t msgsize)
{
	char host[WHOAMI_HOST_MAX], user[WHOAMI_USER_MAX], when[40];
	time_t t = time(NULL);
	struct tm tm;
	cJSON *o = cJSON_CreateObject();
	char *line;
	int rc;

	whoami_user(user, sizeof(user));
	whoami_host(host, sizeof(host));
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "user", user);
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
	eventlog_outbox(dir, host, line);
	free(line);
	return rc;
}
