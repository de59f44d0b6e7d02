/* The procedure journal written and read back (a torn last line
 * ignored); the fleet lock in its local form. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/fleetlock.h"
#include "../../src/procjournal.h"
#include "check.h"

TEST(procjournal_write_read_torn_list)
{
	char dir[] = "/tmp/bvops-pj-XXXXXX", msg[300], path[400], **ids;
	const char *nodes[] = {"node-0"}, *steps[] = {"read", "upload"};
	struct procjournal_view v;
	struct procjournal *j;
	struct stat st;
	cJSON *d = cJSON_CreateObject();
	size_t n;
	int fd;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	j = procjournal_begin(dir, "f", "config-edit", nodes, 1, steps, 2, NULL,
			      msg, sizeof(msg));
	CHECK(j != NULL);
	if (j == NULL)
		return;
	cJSON_AddStringToObject(d, "etag", "\"e1\"");
	CHECK(procjournal_write(j, "step", "read", "node-0", "done", d, NULL,
				msg, sizeof(msg)) == 0);
	CHECK(procjournal_write(j, "step", "upload", "node-0", "start", NULL,
				NULL, msg, sizeof(msg)) == 0);
	snprintf(path, sizeof(path), "%s/procedures/%s.jsonl", dir,
		 procjournal_id(j));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* A crash in the middle of the next record. */
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "{\"rec\":\"end\",\"outc", 18) == 18);
	close(fd);
	CHECK(procjournal_read(dir, procjournal_id(j), &v, msg, sizeof(msg)) ==
	      0);
	CHECK(v.outcome == NULL); /* the torn end does not count */
	CHECK(v.last != NULL &&
	      strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v.last, "step")),
		     "upload") == 0);
	CHECK(procjournal_find(&v, "read", "node-0") != NULL);
	CHECK(procjournal_find(&v, "read", "node-1") == NULL);
	procjournal_view_free(&v);
	CHECK(procjournal_list(dir, &ids, &n, msg, sizeof(msg)) == 0 &&
	      n == 1 && strcmp(ids[0], procjournal_id(j)) == 0);
	if (n > 0)
		free(ids[0]);
	free(ids);
	CHECK(procjournal_read(dir, "../x", &v, msg, sizeof(msg)) < 0);
	procjournal_close(j);
	cJSON_Delete(d);
	unlink(path);
	snprintf(path, sizeof(path), "%s/procedures", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(fleetlock_local_take_held_release_break)
{
	char dir[] = "/tmp/bvops-lock-XXXXXX", msg[300], path[400];
	struct fleetlock_where w;
	struct fleetlock a, b;
	struct fleetlock_holder h;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	fleetlock_where_local(&w, dir);
	CHECK(fleetlock_take(NULL, &w, "p1", "config edit n", 60000, &a, &h,
			     msg, sizeof(msg)) == FLEETLOCK_TAKEN);
	CHECK(fleetlock_take(NULL, &w, "p2", "ers apply", 60000, &b, &h, msg,
			     sizeof(msg)) == FLEETLOCK_HELD);
	CHECK(h.held && strcmp(h.id, "p1") == 0 &&
	      strcmp(h.what, "config edit n") == 0);
	/* The same procedure, resumed, takes it over. */
	CHECK(fleetlock_take(NULL, &w, "p1", "config edit n", 60000, &a, &h,
			     msg, sizeof(msg)) == FLEETLOCK_TAKEN);
	CHECK(fleetlock_renew(NULL, &a, msg, sizeof(msg)) == 0);
	CHECK(fleetlock_release(NULL, &a, msg, sizeof(msg)) == 0);
	CHECK(fleetlock_read(NULL, &w, &h, msg, sizeof(msg)) == 0 && !h.held);
	CHECK(fleetlock_take(NULL, &w, "p2", "ers apply", 60000, &b, &h, msg,
			     sizeof(msg)) == FLEETLOCK_TAKEN);
	CHECK(fleetlock_break(NULL, &w, msg, sizeof(msg)) == 0);
	/* Broken: its holder finds out when it renews. */
	CHECK(fleetlock_renew(NULL, &b, msg, sizeof(msg)) < 0);
	CHECK(strstr(msg, "no longer this procedure's") != NULL);
	snprintf(path, sizeof(path), "%s/lock.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.lock", dir);
	unlink(path);
	rmdir(dir);
}
