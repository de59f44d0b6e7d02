/* holds.json: set, read back, expiry, end, re-arm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/holds.h"
#include "../../src/probe.h"
#include "check.h"

TEST(holds_set_load_expire_end_rearm)
{
	char dir[] = "/tmp/bvops-holds-XXXXXX", msg[300];
	char *path = NULL;
	struct holds h;
	const struct hold *x;
	struct stat st;
	int64_t now = probe_now_ms();

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	CHECK(holds_load(dir, &h, msg, sizeof(msg)) == 0 && h.n == 0);
	holds_free(&h);
	CHECK(holds_set(dir, "node-1", "kernel update", 0, false, msg,
			sizeof(msg)) == 0);
	CHECK(holds_set(dir, "node-2", "short", 1000, false, msg,
			sizeof(msg)) == 0);
	CHECK(holds_set(dir, "node-3", NULL, 0, true, msg, sizeof(msg)) == 0);
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
	CHECK(holds_set(dir, "node-1", NULL, 0, false, msg, sizeof(msg)) == 0);
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
	rmdir(dir);
	free(path);
}
