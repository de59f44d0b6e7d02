#include "state/shareddoc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "state/statedir.h"

/* The document's sections that are objects keyed by node or id. */
static const char *const sd_sections[] = {"holds", "rearm", "debug", "ers",
					  "procedures"};
#define SD_NSECTIONS (sizeof(sd_sections) / sizeof(sd_sections[0]))

static const char *sd_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static void sd_now(char *out, size_t size)
{
	timefmt_iso8601(clock_now_ms(), false, out, size);
}

/* doc's section name, made an object if it is missing or not one. */
static cJSON *sd_section(cJSON *doc, const char *name)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, name);

	if (!cJSON_IsObject(s)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, name);
		s = cJSON_AddObjectToObject(doc, name);
	}
	return s;
}

cJSON *shareddoc_new(const char *fleet)
{
	cJSON *doc = cJSON_CreateObject();
	size_t k;

	cJSON_AddStringToObject(doc, "fleet", fleet ? fleet : "");
	cJSON_AddNumberToObject(doc, "version", 1);
	for (k = 0; k < SD_NSECTIONS; k++)
		cJSON_AddObjectToObject(doc, sd_sections[k]);
	return doc;
}

cJSON *shareddoc_parse(const char *where, const char *text, size_t len,
		       char *msg, size_t msgsize)
{
	cJSON *doc = cJSON_ParseWithLength(text, len);
	size_t k;

	if (!cJSON_IsObject(doc)) {
		snprintf(msg, msgsize, "%s: not a JSON object", where);
		cJSON_Delete(doc);
		return NULL;
	}
	for (k = 0; k < SD_NSECTIONS; k++) {
		const cJSON *s =
		    cJSON_GetObjectItemCaseSensitive(doc, sd_sections[k]);

		if (s != NULL && !cJSON_IsObject(s)) {
			snprintf(msg, msgsize, "%s: \"%s\" is not an object",
				 where, sd_sections[k]);
			cJSON_Delete(doc);
			return NULL;
		}
		sd_section(doc, sd_sections[k]);
	}
	return doc;
}

char *shareddoc_print(const cJSON *doc)
{
	char *s = cJSON_Print(doc);

	if (s == NULL)
		abort(); /* cJSON only fails for want of memory */
	return s;
}

/* ---- operations ---- */

static cJSON *sd_op(const char *name)
{
	cJSON *op = cJSON_CreateObject();
	char owner[WHOAMI_OWNER_MAX], when[40];

	whoami_owner(owner, sizeof(owner));
	sd_now(when, sizeof(when));
	cJSON_AddStringToObject(op, "op", name);
	cJSON_AddStringToObject(op, "owner", owner);
	cJSON_AddStringToObject(op, "at", when);
	return op;
}

cJSON *shareddoc_op_hold_add(const char *node, enum hold_kind kind,
			     const char *id, const char *reason, int64_t for_ms)
{
	cJSON *op = sd_op("hold_add");

	cJSON_AddStringToObject(op, "node", node);
	cJSON_AddStringToObject(op, "kind", holds_kind_name(kind));
	cJSON_AddStringToObject(op, "id", id ? id : "");
	cJSON_AddStringToObject(op, "reason", reason ? reason : "");
	if (for_ms > 0) {
		char until[40];

		timefmt_iso8601(clock_now_ms() + for_ms, false, until,
				sizeof(until));
		cJSON_AddStringToObject(op, "until", until);
	}
	return op;
}

cJSON *shareddoc_op_hold_remove(const char *node, enum hold_kind kind,
				const char *id, bool any)
{
	cJSON *op = sd_op("hold_remove");

	cJSON_AddStringToObject(op, "node", node);
	cJSON_AddStringToObject(op, "kind", holds_kind_name(kind));
	cJSON_AddStringToObject(op, "id", id ? id : "");
	cJSON_AddBoolToObject(op, "any", any);
	return op;
}

cJSON *shareddoc_op_maint(const char *node, const char *reason, int64_t for_ms)
{
	char owner[WHOAMI_OWNER_MAX];

	whoami_owner(owner, sizeof(owner));
	return shareddoc_op_hold_add(node, HOLD_MAINTENANCE, owner, reason,
				     for_ms);
}

cJSON *shareddoc_op_maint_end(const char *node, bool any)
{
	char owner[WHOAMI_OWNER_MAX];

	whoami_owner(owner, sizeof(owner));
	return shareddoc_op_hold_remove(node, HOLD_MAINTENANCE, owner, any);
}

cJSON *shareddoc_op_rearm(const char *node)
{
	cJSON *op = sd_op("rearm");

	cJSON_AddStringToObject(op, "node", node);
	return op;
}

cJSON *shareddoc_op_mark(const char *section, const char *node,
			 const cJSON *mark)
{
	cJSON *op = sd_op("mark");

	cJSON_AddStringToObject(op, "section", section);
	cJSON_AddStringToObject(op, "node", node);
	if (mark != NULL)
		cJSON_AddItemToObject(op, "mark", cJSON_Duplicate(mark, true));
	return op;
}

cJSON *shareddoc_op_proc(const char *id, const cJSON *entry)
{
	cJSON *op = sd_op("proc");

	cJSON_AddStringToObject(op, "id", id);
	if (entry != NULL)
		cJSON_AddItemToObject(op, "entry",
				      cJSON_Duplicate(entry, true));
	return op;
}

cJSON *shareddoc_op_batch(cJSON *const *ops, size_t n)
{
	cJSON *op = sd_op("batch");
	cJSON *arr = cJSON_AddArrayToObject(op, "ops");
	size_t k;

	for (k = 0; k < n; k++)
		cJSON_AddItemToArray(arr, ops[k]);
	return op;
}

void shareddoc_op_describe(const cJSON *op, char *out, size_t size)
{
	const char *name = sd_str(op, "op"), *node = sd_str(op, "node");
	const char *kind = sd_str(op, "kind"), *id = sd_str(op, "id");

	node = node ? node : "?";
	if (name == NULL)
		snprintf(out, size, "a change");
	else if (strcmp(name, "hold_add") == 0)
		snprintf(out, size, "hold %s (%s)", node, kind ? kind : "?");
	else if (strcmp(name, "hold_remove") == 0)
		snprintf(out, size, "lift %s's %s hold", node,
			 kind ? kind : "?");
	else if (strcmp(name, "rearm") == 0)
		snprintf(out, size, "re-arm %s", node);
	else if (strcmp(name, "mark") == 0)
		snprintf(out, size, "%s %s's %s mark",
			 cJSON_GetObjectItem(op, "mark") ? "set" : "clear",
			 node,
			 sd_str(op, "section") ? sd_str(op, "section") : "?");
	else if (strcmp(name, "proc") == 0)
		snprintf(out, size, "record procedure %s", id ? id : "?");
	else if (strcmp(name, "batch") == 0)
		shareddoc_op_describe(
		    cJSON_GetArrayItem(cJSON_GetObjectItem(op, "ops"), 0), out,
		    size);
	else
		snprintf(out, size, "%s", name);
}

/* Is hold h (a JSON object) the one a remove of kind, id by owner names?
 */
static bool sd_hold_named(const cJSON *h, const char *kind, const char *id,
			  const char *owner, bool any)
{
	const char *hk = sd_str(h, "kind"), *hid = sd_str(h, "id");

	if (hk == NULL || strcmp(hk, kind) != 0)
		return false;
	if (any)
		return true;
	hid = hid ? hid : "";
	if (strcmp(hid, id) == 0)
		return true;
	/* A maintenance from before maintenances had their owner as id. */
	return strcmp(kind, "maintenance") == 0 && hid[0] == '\0' &&
	       owner != NULL && sd_str(h, "owner") != NULL &&
	       strcmp(sd_str(h, "owner"), owner) == 0;
}

static int sd_apply_hold(cJSON *doc, const cJSON *op, bool add, bool *changed,
			 char *msg, size_t msgsize)
{
	const char *node = sd_str(op, "node"), *kind = sd_str(op, "kind");
	const char *id = sd_str(op, "id") ? sd_str(op, "id") : "";
	const char *owner = sd_str(op, "owner");
	bool any = cJSON_IsTrue(cJSON_GetObjectItem(op, "any"));
	cJSON *all = sd_section(doc, "holds"), *arr, *h;

	if (node == NULL || kind == NULL || node[0] == '\0') {
		snprintf(msg, msgsize, "a hold change without node or kind");
		return -1;
	}
	arr = cJSON_GetObjectItemCaseSensitive(all, node);
	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(all, node);
		arr = cJSON_AddArrayToObject(all, node);
	}
	for (h = arr->child; h != NULL;) {
		cJSON *next = h->next;

		if (sd_hold_named(h, kind, id, add ? NULL : owner,
				  !add && any)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, h));
			*changed = true;
		}
		h = next;
	}
	if (add) {
		const char *until = sd_str(op, "until");
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "kind", kind);
		cJSON_AddStringToObject(e, "id", id);
		cJSON_AddStringToObject(
		    e, "reason",
		    sd_str(op, "reason") ? sd_str(op, "reason") : "");
		cJSON_AddStringToObject(e, "owner", owner ? owner : "?");
		cJSON_AddStringToObject(
		    e, "since", sd_str(op, "at") ? sd_str(op, "at") : "");
		if (until != NULL)
			cJSON_AddStringToObject(e, "until", until);
		else
			cJSON_AddNullToObject(e, "until");
		cJSON_AddItemToArray(arr, e);
		*changed = true;
	}
	if (cJSON_GetArraySize(arr) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(all, node);
	return 0;
}

/* Set key of section to item (taken), or clear it (item NULL). */
static void sd_put(cJSON *doc, const char *section, const char *key,
		   cJSON *item, bool *changed)
{
	cJSON *s = sd_section(doc, section);
	cJSON *old = cJSON_GetObjectItemCaseSensitive(s, key);

	if (item == NULL) {
		if (old != NULL) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, key);
			*changed = true;
		}
		return;
	}
	if (old != NULL && cJSON_Compare(old, item, true)) {
		cJSON_Delete(item);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(s, key);
	cJSON_AddItemToObject(s, key, item);
	*changed = true;
}

/* entry (copied) with owner and since ("at" of op) when it has none. */
static cJSON *sd_stamped(const cJSON *entry, const cJSON *op,
			 const char *extra_time)
{
	cJSON *e = cJSON_Duplicate(entry, true);
	const char *at = sd_str(op, "at") ? sd_str(op, "at") : "";

	if (sd_str(e, "owner") == NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "owner");
		cJSON_AddStringToObject(
		    e, "owner",
		    sd_str(op, "owner") ? sd_str(op, "owner") : "?");
	}
	if (sd_str(e, "since") == NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, "since");
		cJSON_AddStringToObject(e, "since", at);
	}
	if (extra_time != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(e, extra_time);
		cJSON_AddStringToObject(e, extra_time, at);
	}
	return e;
}

int shareddoc_apply(cJSON *doc, const cJSON *op, bool *changed, char *msg,
		    size_t msgsize)
{
	const char *name = sd_str(op, "op");

	*changed = false;
	if (!cJSON_IsObject(doc) || name == NULL) {
		snprintf(msg, msgsize, "not a change of the shared state");
		return -1;
	}
	if (strcmp(name, "batch") == 0) {
		const cJSON *each;

		cJSON_ArrayForEach(each, cJSON_GetObjectItem(op, "ops"))
		{
			bool ch = false;

			/* A batch inside a batch is refused: no nesting to
			 * walk without bound. */
			if (cJSON_IsString(cJSON_GetObjectItem(each, "op")) &&
			    strcmp(cJSON_GetObjectItem(each, "op")->valuestring,
				   "batch") == 0) {
				snprintf(msg, msgsize,
					 "a batch inside a batch");
				return -1;
			}
			if (shareddoc_apply(doc, each, &ch, msg, msgsize) < 0)
				return -1;
			*changed = *changed || ch;
		}
		return 0;
	}
	if (strcmp(name, "hold_add") == 0 || strcmp(name, "hold_remove") == 0)
		return sd_apply_hold(doc, op, name[5] == 'a', changed, msg,
				     msgsize);
	if (strcmp(name, "rearm") == 0) {
		const char *node = sd_str(op, "node"), *at = sd_str(op, "at");

		if (node == NULL || at == NULL) {
			snprintf(msg, msgsize, "a re-arm without node or time");
			return -1;
		}
		sd_put(doc, "rearm", node, cJSON_CreateString(at), changed);
		return 0;
	}
	if (strcmp(name, "mark") == 0) {
		const char *sect = sd_str(op, "section");
		const char *node = sd_str(op, "node");
		const cJSON *mark = cJSON_GetObjectItem(op, "mark");

		if (sect == NULL || node == NULL ||
		    (strcmp(sect, "debug") != 0 && strcmp(sect, "ers") != 0) ||
		    (mark != NULL && !cJSON_IsObject(mark))) {
			snprintf(msg, msgsize, "a mark change not well formed");
			return -1;
		}
		sd_put(doc, sect, node,
		       mark ? sd_stamped(mark, op, NULL) : NULL, changed);
		return 0;
	}
	if (strcmp(name, "proc") == 0) {
		const char *id = sd_str(op, "id");
		const cJSON *entry = cJSON_GetObjectItem(op, "entry");

		if (id == NULL || (entry != NULL && !cJSON_IsObject(entry))) {
			snprintf(msg, msgsize,
				 "a procedure record not well formed");
			return -1;
		}
		sd_put(doc, "procedures", id,
		       entry ? sd_stamped(entry, op, "updated") : NULL,
		       changed);
		return 0;
	}
	snprintf(msg, msgsize,
		 "a change this bvops does not know (\"%.40s\"): a newer "
		 "bvops made it",
		 name);
	return -1;
}

bool shareddoc_mark(const cJSON *doc, const char *section, const char *node,
		    char *owner, size_t osize, int64_t *since_ms)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, section), node);

	if (!cJSON_IsObject(m))
		return false;
	snprintf(owner, osize, "%s",
		 sd_str(m, "owner") ? sd_str(m, "owner") : "");
	*since_ms = timefmt_iso8601_parse(sd_str(m, "since"));
	return true;
}

size_t shareddoc_orphans(const cJSON *doc, const struct fleetlock_holder *lock,
			 int64_t now_ms, int64_t ttl_ms,
			 struct shareddoc_orphan *out, size_t max)
{
	const cJSON *e;
	size_t n = 0;

	cJSON_ArrayForEach(e,
			   cJSON_GetObjectItemCaseSensitive(doc, "procedures"))
	{
		struct shareddoc_orphan *o = &out[n];
		int64_t updated;
		bool theirs;

		if (n == max)
			break;
		if (e->string == NULL || !cJSON_IsObject(e))
			continue;
		updated = timefmt_iso8601_parse(sd_str(e, "updated"));
		theirs = lock != NULL && lock->held &&
			 strcmp(lock->id, e->string) == 0;
		memset(o, 0, sizeof(*o));
		if (theirs && lock->expires_ms > 0 &&
		    lock->expires_ms <= now_ms) {
			o->expired = true;
			o->lost_ms = lock->expires_ms;
		} else if (!theirs && updated > 0 &&
			   now_ms - updated >= ttl_ms) {
			o->lost_ms = updated;
		} else {
			continue;
		}
		snprintf(o->id, sizeof(o->id), "%s", e->string);
		snprintf(o->kind, sizeof(o->kind), "%s",
			 sd_str(e, "kind") ? sd_str(e, "kind") : "");
		snprintf(o->owner, sizeof(o->owner), "%s",
			 sd_str(e, "owner") ? sd_str(e, "owner") : "?");
		snprintf(o->state, sizeof(o->state), "%s",
			 sd_str(e, "state") ? sd_str(e, "state") : "");
		snprintf(o->step, sizeof(o->step), "%s",
			 sd_str(e, "step") ? sd_str(e, "step") : "");
		o->nodes = cJSON_GetObjectItemCaseSensitive(e, "nodes");
		n++;
	}
	return n;
}

/* ---- this host's files ---- */

int shareddoc_lock(const char *state_dir, char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/holds.lock", state_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

void shareddoc_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* and the lock with it */
}

/* The JSON object in path, or an empty one when there is no file; NULL
 * with a message when it is broken. */
static cJSON *sd_read_json(const char *path, char *msg, size_t msgsize)
{
	size_t len;
	char *text = buf_read_whole(path, SHAREDDOC_MAX, &len, msg, msgsize);
	cJSON *o;

	if (text == NULL) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return cJSON_CreateObject();
		return NULL;
	}
	o = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(o)) {
		snprintf(msg, msgsize, "%s: not a JSON object", path);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Every STATE/FOLDER/NODE.json mark into section of doc. */
static int sd_load_marks(const char *state_dir, const char *folder, cJSON *doc,
			 char *msg, size_t msgsize)
{
	char *dir = statedir_file(state_dir, folder, NULL, NULL);
	cJSON *s = sd_section(doc, folder);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *path, *node;
		cJSON *m;

		/* NODE.json only (not NODE.console.log, backups/). */
		if (len < 6 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		m = sd_read_json(path, msg, msgsize);
		free(path);
		if (m == NULL)
			continue; /* a broken mark: not one */
		node = xstrndup(de->d_name, len - 5);
		cJSON_DeleteItemFromObjectCaseSensitive(s, node);
		cJSON_AddItemToObject(s, node, m);
		free(node);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return 0;
}

cJSON *shareddoc_load_files(const char *state_dir, const char *fleet, char *msg,
			    size_t msgsize)
{
	char *path = xasprintf("%s/holds.json", state_dir);
	cJSON *doc = shareddoc_new(fleet),
	      *h = sd_read_json(path, msg, msgsize);
	cJSON *p;

	free(path);
	if (h == NULL) {
		cJSON_Delete(doc);
		return NULL;
	}
	holds_migrate_json(h);
	if (cJSON_IsObject(cJSON_GetObjectItem(h, "holds")))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    doc, "holds",
		    cJSON_DetachItemFromObjectCaseSensitive(h, "holds"));
	if (cJSON_IsObject(cJSON_GetObjectItem(h, "rearm")))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    doc, "rearm",
		    cJSON_DetachItemFromObjectCaseSensitive(h, "rearm"));
	cJSON_Delete(h);
	sd_load_marks(state_dir, "debug", doc, msg, msgsize);
	sd_load_marks(state_dir, "ers", doc, msg, msgsize);
	path = xasprintf("%s/procs.json", state_dir);
	p = sd_read_json(path, msg, msgsize);
	free(path);
	if (p == NULL) {
		cJSON_Delete(doc);
		return NULL;
	}
	if (cJSON_IsObject(cJSON_GetObjectItem(p, "procedures")))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    doc, "procedures",
		    cJSON_DetachItemFromObjectCaseSensitive(p, "procedures"));
	cJSON_Delete(p);
	return doc;
}

/* o as text into path, through a new temporary file renamed over it. */
static int sd_write_json(const char *path, const cJSON *o, char *msg,
			 size_t msgsize)
{
	char *text = shareddoc_print(o), *body = xasprintf("%s\n", text);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	int rc;

	free(text);
	/* Made anew, never through what stands there (a leftover of a dead
	 * process of the same pid, or a planted link). */
	unlink(tmp);
	rc = buf_write_file(tmp, body, strlen(body), true, msg, msgsize);
	if (rc == 0 && rename(tmp, path) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	free(body);
	return rc;
}

/* STATE/FOLDER/NODE.json for every mark of section; others removed. */
static int sd_store_marks(const char *state_dir, const char *folder,
			  const cJSON *doc, char *msg, size_t msgsize)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, folder), *m;
	char *dir = statedir_file(state_dir, folder, NULL, NULL);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(msg, msgsize, "%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	cJSON_ArrayForEach(m, s)
	{
		char *path;
		const cJSON *old;
		cJSON *had;

		if (m->string == NULL || m->string[0] == '\0' ||
		    m->string[0] == '.' || strchr(m->string, '/') != NULL ||
		    !cJSON_IsObject(m))
			continue; /* not a node's name: no file for it */
		path = xasprintf("%s/%s.json", dir, m->string);
		had = sd_read_json(path, msg, msgsize);
		old = had;
		/* Rewritten only when it changed: its readers look at it
		 * every second. */
		if (old == NULL || !cJSON_Compare(old, m, true))
			if (sd_write_json(path, m, msg, msgsize) < 0)
				rc = -1;
		cJSON_Delete(had);
		free(path);
	}
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *node;

		if (len < 6 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		node = xstrndup(de->d_name, len - 5);
		if (cJSON_GetObjectItemCaseSensitive(s, node) == NULL) {
			char *path = xasprintf("%s/%s", dir, de->d_name);

			unlink(path);
			free(path);
		}
		free(node);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return rc;
}

/* STATE/NAME holding {key: doc's key, ...} for the keys given. */
static int sd_store_part(const char *state_dir, const char *name,
			 const cJSON *doc, const char *k1, const char *k2,
			 char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/%s", state_dir, name);
	cJSON *o = cJSON_CreateObject(), *had;
	const char *keys[2] = {k1, k2};
	int rc = 0, k;

	for (k = 0; k < 2; k++) {
		const cJSON *v;

		if (keys[k] == NULL)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(doc, keys[k]);
		cJSON_AddItemToObject(o, keys[k],
				      cJSON_IsObject(v)
					  ? cJSON_Duplicate(v, true)
					  : cJSON_CreateObject());
	}
	had = sd_read_json(path, msg, msgsize);
	if (had == NULL || !cJSON_Compare(had, o, true))
		rc = sd_write_json(path, o, msg, msgsize);
	cJSON_Delete(had);
	cJSON_Delete(o);
	free(path);
	return rc;
}

int shareddoc_store_files(const char *state_dir, const cJSON *doc, char *msg,
			  size_t msgsize)
{
	int rc = 0;

	if (sd_store_part(state_dir, "holds.json", doc, "holds", "rearm", msg,
			  msgsize) < 0)
		rc = -1;
	if (sd_store_marks(state_dir, "debug", doc, msg, msgsize) < 0)
		rc = -1;
	if (sd_store_marks(state_dir, "ers", doc, msg, msgsize) < 0)
		rc = -1;
	if (sd_store_part(state_dir, "procs.json", doc, "procedures", NULL, msg,
			  msgsize) < 0)
		rc = -1;
	return rc;
}

int shareddoc_change_files(const char *state_dir, const char *fleet,
			   const cJSON *op, bool *changed, char *msg,
			   size_t msgsize)
{
	int fd = shareddoc_lock(state_dir, msg, msgsize), rc = -1;
	bool ch = false;
	cJSON *doc;

	if (fd < 0)
		return -1;
	doc = shareddoc_load_files(state_dir, fleet, msg, msgsize);
	if (doc != NULL && shareddoc_apply(doc, op, &ch, msg, msgsize) == 0)
		rc = ch ? shareddoc_store_files(state_dir, doc, msg, msgsize)
			: 0;
	cJSON_Delete(doc);
	shareddoc_unlock(fd);
	if (changed != NULL)
		*changed = ch;
	return rc;
}
