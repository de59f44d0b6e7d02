/* holds.json: set, read back, expiry, end, re-arm; holds stack, each
 * lifted by its owner only; the older file shape read as holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lib/clock.h"
#include "state/holds.h"
#include "state/shareddoc.h"

/* One change to the files in dir (the op is taken). */
static int t_change(const char *dir, cJSON *op, bool *changed)
{
	char msg[300];
	int rc =
	    shareddoc_change_files(dir, "t", op, changed, msg, sizeof(msg));

	cJSON_Delete(op);
	return rc;
}

TEST(holds_set_load_expire_end_rearm)
{
	char dir[] = "/tmp/bvops-holds-XXXXXX", msg[300];
	char *path = NULL;
	struct holds h;
	const struct hold *x;
	struct stat st;
	int64_t now = clock_now_ms();

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0 && h.n == 0);
	holds_free(&h);
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-1", HOLD_MAINTENANCE, "",
					     "kernel update", 0),
		       NULL) == 0);
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-2", HOLD_MAINTENANCE, "",
					     "short", 1000),
		       NULL) == 0);
	CHECK(t_change(dir, shareddoc_op_rearm("node-3"), NULL) == 0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	x = holds_active(&h, "node-1", now);
	CHECK(x != NULL && strcmp(x->reason, "kernel update") == 0 &&
	      x->until_ms == 0 && strchr(x->owner, '@') != NULL);
	CHECK(holds_active(&h, "node-2", now) != NULL);
	CHECK(holds_active(&h, "node-2", now + 5000) == NULL); /* expired */
	CHECK(holds_active(&h, "node-3", now) == NULL);
	CHECK(holds_rearmed(&h, "node-3") >= now - 1000);
	CHECK(holds_rearmed(&h, "node-1") == 0);
	holds_free(&h);
	CHECK(t_change(dir,
		       shareddoc_op_hold_remove("node-1", HOLD_MAINTENANCE, "",
						false),
		       NULL) == 0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_active(&h, "node-1", now) == NULL);
	CHECK(holds_active(&h, "node-2", now) != NULL);
	holds_free(&h);
	path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/holds.json", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* A broken file is an error naming it, not an empty list. */
	{
		FILE *f = fopen(path, "w");

		fputs("{oops", f);
		fclose(f);
	}
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) < 0 &&
	      strstr(msg, "holds.json: not a JSON object") != NULL);
	holds_free(&h);
	unlink(path);
	sprintf(path, "%s/holds.lock", dir);
	unlink(path);
	sprintf(path, "%s/procs.json", dir);
	unlink(path);
	sprintf(path, "%s/debug", dir);
	rmdir(path);
	sprintf(path, "%s/ers", dir);
	rmdir(path);
	rmdir(dir);
	free(path);
}

/* Write text as dir/holds.json. */
static void holds_write(const char *dir, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/holds.json", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void holds_rm(const char *dir)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/holds.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/holds.lock", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/procs.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/debug", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/ers", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(holds_stack_and_each_is_lifted_by_its_owner)
{
	char dir[] = "/tmp/bvops-holds-XXXXXX", msg[300], what[600];
	struct holds h;
	const struct hold *x;
	int64_t now = clock_now_ms();
	bool was = true;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	/* An operator's maintenance, then two procedures on the node. */
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-1", HOLD_MAINTENANCE, "",
					     "disk swap", 0),
		       NULL) == 0);
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-1", HOLD_PROCEDURE, "p1",
					     "procedure p1", 0),
		       NULL) == 0);
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-1", HOLD_PROCEDURE, "p2",
					     "procedure p2", 0),
		       NULL) == 0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-1", now) == 3);
	holds_free(&h);
	/* p1 ends: the maintenance and p2 stay. */
	CHECK(t_change(dir,
		       shareddoc_op_hold_remove("node-1", HOLD_PROCEDURE, "p1",
						false),
		       &was) == 0 &&
	      was);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-1", now) == 2);
	x = holds_find(&h, "node-1", HOLD_MAINTENANCE, "", now);
	CHECK(x != NULL && strcmp(x->reason, "disk swap") == 0);
	CHECK(holds_find(&h, "node-1", HOLD_PROCEDURE, "p2", now) != NULL);
	CHECK(holds_find(&h, "node-1", HOLD_PROCEDURE, "p1", now) == NULL);
	holds_free(&h);
	/* maintenance --end lifts the maintenance only. */
	CHECK(t_change(dir,
		       shareddoc_op_hold_remove("node-1", HOLD_MAINTENANCE, "",
						false),
		       &was) == 0 &&
	      was);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	x = holds_active(&h, "node-1", now);
	CHECK(x != NULL && x->kind == HOLD_PROCEDURE &&
	      strcmp(x->id, "p2") == 0);
	holds_describe(x, what, sizeof(what));
	CHECK(strncmp(what, "procedure p2 (", 14) == 0);
	holds_free(&h);
	/* Lifting what is not there changes nothing and says so. */
	CHECK(t_change(dir,
		       shareddoc_op_hold_remove("node-1", HOLD_MAINTENANCE, "",
						false),
		       &was) == 0 &&
	      !was);
	/* The same kind and id again replaces, never doubles. */
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-1", HOLD_PROCEDURE, "p2",
					     "procedure p2", 0),
		       NULL) == 0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-1", now) == 1);
	holds_free(&h);
	CHECK(t_change(dir,
		       shareddoc_op_hold_remove("node-1", HOLD_PROCEDURE, "p2",
						false),
		       NULL) == 0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_active(&h, "node-1", now) == NULL && h.n == 0);
	holds_free(&h);
	holds_rm(dir);
}

/* A file from before holds stacked: one entry per node, its reason
 * saying whose; read as those holds, and kept as such when changed. */
TEST(holds_read_the_older_file)
{
	char dir[] = "/tmp/bvops-holds-XXXXXX", msg[300];
	struct holds h;
	int64_t now = clock_now_ms();

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	holds_write(dir,
		    "{\"maintenance\": {"
		    "\"node-0\": {\"reason\": \"disk\", \"owner\": \"a@h\","
		    " \"since\": \"2026-01-01T00:00:00Z\", \"until\": null},"
		    "\"node-1\": {\"reason\": \"procedure 2026-x\","
		    " \"owner\": \"a@h\", \"until\": null},"
		    "\"node-2\": {\"reason\": \"stopped on purpose from "
		    "the console\", \"owner\": \"a@h\", \"until\": null}},"
		    "\"rearm\": {\"node-3\": \"2026-01-01T00:00:00Z\"}}");
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_find(&h, "node-0", HOLD_MAINTENANCE, "", now) != NULL);
	CHECK(holds_find(&h, "node-1", HOLD_PROCEDURE, "2026-x", now) != NULL);
	CHECK(holds_find(&h, "node-2", HOLD_STOP, "", now) != NULL);
	CHECK(holds_rearmed(&h, "node-3") > 0);
	holds_free(&h);
	/* A change keeps every one of them, in the new shape. */
	CHECK(t_change(dir,
		       shareddoc_op_hold_add("node-0", HOLD_PROCEDURE, "p9",
					     "procedure p9", 0),
		       NULL) == 0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-0", now) == 2);
	CHECK(holds_find(&h, "node-1", HOLD_PROCEDURE, "2026-x", now) != NULL);
	CHECK(holds_find(&h, "node-2", HOLD_STOP, "", now) != NULL);
	CHECK(holds_rearmed(&h, "node-3") > 0);
	holds_free(&h);
	holds_rm(dir);
}

/* Each operator's maintenance is their own: another's --end leaves it,
 * a forced one lifts every one; the document's marks and procedures
 * round-trip through this host's files. */
TEST(shareddoc_maintenance_is_its_owners_and_marks_round_trip)
{
	char dir[] = "/tmp/bvops-holds-XXXXXX", msg[300], owner[200];
	const char *had = getenv("BVOPS_OPERATOR");
	char *saved;
	cJSON *doc, *mark;
	struct holds h;
	int64_t now = clock_now_ms(), since = 0;
	bool was = true;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	saved = had ? strdup(had) : NULL;
	setenv("BVOPS_OPERATOR", "ann", 1);
	CHECK(t_change(dir, shareddoc_op_maint("node-1", "disk", 0), NULL) ==
	      0);
	setenv("BVOPS_OPERATOR", "bob", 1);
	CHECK(t_change(dir, shareddoc_op_maint("node-1", "kernel", 0), NULL) ==
	      0);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-1", now) == 2);
	holds_free(&h);
	/* bob's end: bob's only. */
	CHECK(t_change(dir, shareddoc_op_maint_end("node-1", false), &was) ==
		  0 &&
	      was);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-1", now) == 1 &&
	      strncmp(h.v[0].owner, "ann@", 4) == 0 &&
	      strcmp(h.v[0].reason, "disk") == 0);
	holds_free(&h);
	CHECK(t_change(dir, shareddoc_op_maint_end("node-1", false), &was) ==
		  0 &&
	      !was);
	/* Forced: everybody's. */
	CHECK(t_change(dir, shareddoc_op_maint_end("node-1", true), &was) ==
		  0 &&
	      was);
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0);
	CHECK(holds_count(&h, "node-1", now) == 0);
	holds_free(&h);
	/* A debug mark and a procedure, as every reader reads them. */
	mark = cJSON_CreateObject();
	cJSON_AddStringToObject(mark, "procedure", "P1");
	CHECK(t_change(dir, shareddoc_op_mark("debug", "node-2", mark), NULL) ==
	      0);
	CHECK(t_change(dir, shareddoc_op_proc("P1", mark), NULL) == 0);
	cJSON_Delete(mark);
	doc = shareddoc_load_files(dir, "t", msg, sizeof(msg));
	CHECK(doc != NULL &&
	      shareddoc_mark(doc, "debug", "node-2", owner, sizeof(owner),
			     &since) &&
	      strncmp(owner, "bob@", 4) == 0 && since > 0);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "procedures"),
				  "P1") != NULL);
	cJSON_Delete(doc);
	CHECK(t_change(dir, shareddoc_op_mark("debug", "node-2", NULL), &was) ==
		  0 &&
	      was);
	/* An operation this bvops does not know is refused, not guessed. */
	doc = shareddoc_new("t");
	mark = cJSON_Parse("{\"op\": \"from_the_future\"}");
	CHECK(shareddoc_apply(doc, mark, &was, msg, sizeof(msg)) < 0 &&
	      strstr(msg, "does not know") != NULL);
	cJSON_Delete(mark);
	cJSON_Delete(doc);
	CHECK(shareddoc_parse("x", "{\"holds\": []}", 13, msg, sizeof(msg)) ==
		  NULL &&
	      strstr(msg, "\"holds\" is not an object") != NULL);
	if (saved != NULL)
		setenv("BVOPS_OPERATOR", saved, 1);
	else
		unsetenv("BVOPS_OPERATOR");
	free(saved);
	holds_rm(dir);
}
