/* The procedure journal written and read back (a torn last line
 * ignored); the fleet lock in its local form. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "proc/fleetlock.h"
#include "state/procjournal.h"

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
	/* Only the lock named is broken. */
	CHECK(fleetlock_break(NULL, &w, "p1", msg, sizeof(msg)) < 0 &&
	      strstr(msg, "not p1's") != NULL);
	CHECK(fleetlock_read(NULL, &w, &h, msg, sizeof(msg)) == 0 && h.held);
	CHECK(fleetlock_break(NULL, &w, "p2", msg, sizeof(msg)) == 0);
	/* Broken: its holder finds out when it renews. */
	CHECK(fleetlock_renew(NULL, &b, msg, sizeof(msg)) < 0);
	CHECK(strstr(msg, "no longer this procedure's") != NULL);
	snprintf(path, sizeof(path), "%s/lock.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.lock", dir);
	unlink(path);
	rmdir(dir);
}

/* Begin a journal of kind on every node; its id into out. */
static void pj_begin(const char *dir, const char *kind, char *out, size_t size)
{
	const char *nodes[] = {"node-0", "node-1"}, *steps[] = {"stop"};
	char msg[300];
	struct procjournal *j = procjournal_begin(
	    dir, "f", kind, nodes, 2, steps, 1, NULL, msg, sizeof(msg));

	snprintf(out, size, "%s", j ? procjournal_id(j) : "");
	procjournal_close(j);
}

/*
 * An apply, a revert and an apply again begun in one second: their ids
 * sort apply, apply-2, revert, but the newest is the second apply. The
 * list goes by the journals' own sequence; journals without one (older
 * bvops) come before, by their time.
 */
TEST(procjournal_list_orders_by_sequence_not_by_second)
{
	char dir[] = "/tmp/bvops-pj-XXXXXX", a1[200], r1[200], a2[200];
	char msg[300], path[600], **ids;
	size_t n = 0, k;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		/* A folder of its own each try: a try that crossed a second
		 * (a slow machine, valgrind) leaves nothing behind. */
		snprintf(dir, sizeof(dir), "/tmp/bvops-pj-XXXXXX");
		if (!CHECK(mkdtemp(dir) != NULL))
			return;
		pj_begin(dir, "ers-apply", a1, sizeof(a1));
		pj_begin(dir, "ers-revert", r1, sizeof(r1));
		pj_begin(dir, "ers-apply", a2, sizeof(a2));
		/* The same second (the ids' stamp): what the test needs. */
		if (strncmp(a1, a2, 16) == 0)
			break;
		check_rm_tree(dir);
	}
	CHECK(strncmp(a1, a2, 16) == 0);
	CHECK(strcmp(a2, r1) < 0); /* by id, the revert would be newest */
	/* A journal from before seq, a day older by its time. */
	snprintf(path, sizeof(path), "%s/procedures/20200101T000000Z-old.jsonl",
		 dir);
	{
		FILE *f = fopen(path, "w");

		if (f != NULL) {
			fputs("{\"rec\":\"begin\",\"id\":\"20200101T000000Z-"
			      "old\","
			      "\"kind\":\"config-edit\",\"fleet\":\"f\","
			      "\"time\":\"2020-01-01T00:00:00.000Z\","
			      "\"nodes\":[\"node-0\"],\"steps\":[],"
			      "\"params\":{}}\n",
			      f);
			fclose(f);
		}
	}
	CHECK(procjournal_list(dir, &ids, &n, msg, sizeof(msg)) == 0 && n == 4);
	if (n == 4) {
		CHECK_STR(ids[0], a2);
		CHECK_STR(ids[1], r1);
		CHECK_STR(ids[2], a1);
		CHECK_STR(ids[3], "20200101T000000Z-old");
	}
	for (k = 0; k < n; k++)
		free(ids[k]);
	free(ids);
	check_rm_tree(dir);
}
