#include "state/procjournal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "state/statedir.h"

#define PROCJOURNAL_MAX ((size_t)16 << 20)

struct procjournal {
	int fd;
	char *path;
	char *state_dir;
	char id[200];
	long nrec;  /* records in the file (the next one's number) */
	char *last; /* the last record written, without its newline */
};

const char *procjournal_id(const struct procjournal *j)
{
	return j->id;
}

static bool pj_id_ok(const char *id)
{
	return id[0] != '\0' && id[0] != '.' && strchr(id, '/') == NULL;
}

/* One record: a single write, then fsync, so it is on disk when we act. */
static int pj_append(struct procjournal *j, cJSON *o, char *msg, size_t msgsize)
{
	char *line = cJSON_PrintUnformatted(o), *rec;
	size_t len, off = 0;

	if (line == NULL)
		abort(); /* cJSON only fails for want of memory */
	rec = xasprintf("%s\n", line);
	free(line);
	len = strlen(rec);
	while (off < len) {
		ssize_t w = write(j->fd, rec + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(msg, msgsize, "%s: %s", j->path,
				 strerror(errno));
			free(rec);
			return -1;
		}
		off += (size_t)w;
	}
	rec[len - 1] = '\0';
	free(j->last);
	j->last = rec;
	j->nrec++;
	if (fsync(j->fd) < 0) {
		snprintf(msg, msgsize, "%s: %s", j->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Complete lines (records, a torn last one not counted) in fd. */
static long pj_count(int fd)
{
	char chunk[8192];
	long n = 0;
	off_t off = 0;
	ssize_t r;

	while ((r = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		ssize_t k;

		for (k = 0; k < r; k++)
			if (chunk[k] == '\n')
				n++;
		off += r;
	}
	return n;
}

const char *procjournal_last(const struct procjournal *j, long *seq)
{
	*seq = j->nrec - 1;
	return j->last;
}

const char *procjournal_state_dir(const struct procjournal *j)
{
	return j->state_dir;
}

static void pj_time(cJSON *o)
{
	char when[40];

	timefmt_iso8601(clock_now_ms(), true, when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
}

static struct procjournal *pj_open_path(const char *state_dir, const char *id,
					bool create, char *msg, size_t msgsize)
{
	struct procjournal *j;
	char *dir = statedir_file(state_dir, "procedures", NULL, NULL);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(msg, msgsize, "%s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	j->state_dir = xstrdup(state_dir);
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->path = xasprintf("%s/%s.jsonl", dir, id);
	free(dir);
	j->fd = open(j->path,
		     O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
			 (create ? O_CREAT | O_EXCL : 0),
		     0600);
	if (j->fd < 0) {
		snprintf(msg, msgsize, "%s: %s", j->path, strerror(errno));
		free(j->path);
		free(j->state_dir);
		free(j);
		return NULL;
	}
	if (!create) {
		int rfd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

		if (rfd >= 0) {
			j->nrec = pj_count(rfd);
			close(rfd);
		}
	}
	return j;
}

/*
 * The next number of STATE/procedures/seq, under an flock of the file:
 * journals are ordered by it, not by the second in their ids (two begun
 * in one second, or a clock set back, keep their order). 0 when it
 * cannot be had (the journal is then ordered by its time).
 */
static long long pj_next_seq(const char *state_dir)
{
	char *path = statedir_file(state_dir, "procedures", "seq", NULL);
	long long seq = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX) == 0) {
		char text[32];
		ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

		text[n > 0 ? n : 0] = '\0';
		seq = atoll(text) + 1;
		n = snprintf(text, sizeof(text), "%lld\n", seq);
		if (ftruncate(fd, 0) < 0 ||
		    pwrite(fd, text, (size_t)n, 0) != n || fsync(fd) < 0)
			seq = 0;
	}
	close(fd); /* and the lock with it */
	return seq;
}

struct procjournal *procjournal_begin(const char *state_dir, const char *fleet,
				      const char *kind,
				      const char *const *nodes, size_t nnodes,
				      const char *const *steps, size_t nsteps,
				      const cJSON *params, char *msg,
				      size_t msgsize)
{
	struct procjournal *j = NULL;
	char id[200], stamp[40], host[WHOAMI_HOST_MAX], user[WHOAMI_USER_MAX];
	time_t t = time(NULL);
	struct tm tm;
	cJSON *o;
	size_t k;
	int n;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	/* Unique even for two procedures started in the same second. */
	for (n = 1; n < 100 && j == NULL; n++) {
		if (n == 1)
			snprintf(id, sizeof(id), "%s-%s%s%s", stamp, kind,
				 nnodes == 1 ? "-" : "",
				 nnodes == 1 ? nodes[0] : "");
		else
			snprintf(id, sizeof(id), "%s-%s%s%s-%d", stamp, kind,
				 nnodes == 1 ? "-" : "",
				 nnodes == 1 ? nodes[0] : "", n);
		j = pj_open_path(state_dir, id, true, msg, msgsize);
		if (j == NULL && errno != EEXIST)
			return NULL;
	}
	if (j == NULL)
		return NULL;
	whoami_user(user, sizeof(user));
	whoami_host(host, sizeof(host));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rec", "begin");
	cJSON_AddStringToObject(o, "id", j->id);
	cJSON_AddNumberToObject(o, "seq", (double)pj_next_seq(state_dir));
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "fleet", fleet);
	cJSON_AddStringToObject(o, "user", user);
	cJSON_AddStringToObject(o, "host", host);
	pj_time(o);
	cJSON_AddItemToObject(
	    o, "nodes",
	    cJSON_CreateStringArray((const char *const *)nodes, (int)nnodes));
	cJSON_AddItemToObject(
	    o, "steps",
	    cJSON_CreateStringArray((const char *const *)steps, (int)nsteps));
	cJSON_AddItemToObject(o, "params",
			      params ? cJSON_Duplicate(params, true)
				     : cJSON_CreateObject());
	k = (size_t)pj_append(j, o, msg, msgsize);
	cJSON_Delete(o);
	if (k != 0) {
		procjournal_close(j);
		return NULL;
	}
	return j;
}

struct procjournal *procjournal_open(const char *state_dir, const char *id,
				     char *msg, size_t msgsize)
{
	if (!pj_id_ok(id)) {
		snprintf(msg, msgsize, "%s: not a procedure id", id);
		return NULL;
	}
	return pj_open_path(state_dir, id, false, msg, msgsize);
}

void procjournal_close(struct procjournal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->state_dir);
	free(j->last);
	free(j);
}

int procjournal_write(struct procjournal *j, const char *rec, const char *step,
		      const char *node, const char *state, const cJSON *data,
		      const char *message, char *msg, size_t msgsize)
{
	cJSON *o = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(o, "rec", rec);
	if (strcmp(rec, "end") == 0) {
		cJSON_AddStringToObject(o, "outcome", state);
	} else {
		cJSON_AddStringToObject(o, "step", step ? step : "");
		if (node != NULL)
			cJSON_AddStringToObject(o, "node", node);
		else
			cJSON_AddNullToObject(o, "node");
		cJSON_AddStringToObject(o, "state", state);
	}
	pj_time(o);
	if (data != NULL)
		cJSON_AddItemToObject(o, "data", cJSON_Duplicate(data, true));
	if (message != NULL)
		cJSON_AddStringToObject(o, "message", message);
	rc = pj_append(j, o, msg, msgsize);
	cJSON_Delete(o);
	return rc;
}

int procjournal_read(const char *state_dir, const char *id,
		     struct procjournal_view *v, char *msg, size_t msgsize)
{
	char *path;
	struct buf b;
	int rc;

	memset(v, 0, sizeof(*v));
	if (!pj_id_ok(id)) {
		snprintf(msg, msgsize, "%s: not a procedure id", id);
		return -1;
	}
	path = statedir_file(state_dir, "procedures", id, ".jsonl");
	buf_init(&b, PROCJOURNAL_MAX);
	if (buf_read_file(&b, path, msg, msgsize) < 0) {
		if (strstr(msg, strerror(ENOENT)) != NULL)
			snprintf(msg, msgsize, "%s: no such procedure", path);
		buf_free(&b);
		free(path);
		return -1;
	}
	buf_append(&b, "", 0);
	rc = procjournal_parse(path, b.data, v, msg, msgsize);
	buf_free(&b);
	free(path);
	return rc;
}

int procjournal_parse(const char *path, char *text, struct procjournal_view *v,
		      char *msg, size_t msgsize)
{
	const cJSON *o;
	char *p;

	memset(v, 0, sizeof(*v));
	v->records = cJSON_CreateArray();
	for (p = text; p != NULL && *p;) {
		char *nl = strchr(p, '\n');
		cJSON *r;

		if (nl == NULL)
			break; /* torn last line: never completed */
		*nl = '\0';
		r = cJSON_Parse(p);
		p = nl + 1;
		if (!cJSON_IsObject(r)) {
			cJSON_Delete(r);
			continue;
		}
		if (v->begin == NULL) {
			const cJSON *rec = cJSON_GetObjectItem(r, "rec");

			if (cJSON_IsString(rec) &&
			    strcmp(rec->valuestring, "begin") == 0) {
				v->begin = r;
				continue;
			}
		}
		cJSON_AddItemToArray(v->records, r);
	}
	if (v->begin == NULL) {
		snprintf(msg, msgsize, "%s: no begin record", path);
		procjournal_view_free(v);
		return -1;
	}
	cJSON_ArrayForEach(o, v->records)
	{
		const cJSON *rec = cJSON_GetObjectItem(o, "rec");

		if (!cJSON_IsString(rec))
			continue;
		if (strcmp(rec->valuestring, "end") == 0) {
			const cJSON *oc = cJSON_GetObjectItem(o, "outcome");

			v->outcome = cJSON_IsString(oc) ? oc->valuestring : "?";
		} else {
			v->last = o;
		}
	}
	return 0;
}

void procjournal_view_free(struct procjournal_view *v)
{
	cJSON_Delete(v->begin);
	cJSON_Delete(v->records);
	memset(v, 0, sizeof(*v));
}

const cJSON *procjournal_find(const struct procjournal_view *v,
			      const char *step, const char *node)
{
	const cJSON *o, *found = NULL;

	cJSON_ArrayForEach(o, v->records)
	{
		const cJSON *rec = cJSON_GetObjectItem(o, "rec");
		const cJSON *s = cJSON_GetObjectItem(o, "step");
		const cJSON *n = cJSON_GetObjectItem(o, "node");

		if (!cJSON_IsString(rec) ||
		    strcmp(rec->valuestring, "step") != 0 ||
		    !cJSON_IsString(s) || strcmp(s->valuestring, step) != 0)
			continue;
		if (node != NULL &&
		    (!cJSON_IsString(n) || strcmp(n->valuestring, node) != 0))
			continue;
		found = o;
	}
	return found;
}

/* What orders journals: the begin record's seq, then its time (older
 * journals have no seq), then the id. */
struct pj_order {
	char *id;
	long long seq;
	char time[40];
};

static void pj_order_read(const char *dir, struct pj_order *o)
{
	char *path = xasprintf("%s/%s.jsonl", dir, o->id), line[8192];
	FILE *f = fopen(path, "re");
	cJSON *b = NULL;

	free(path);
	o->seq = 0;
	o->time[0] = '\0';
	/* The begin record is the first line, and its seq and time come
	 * before its nodes, steps and params (which may be large): the part
	 * before "nodes", closed, is parsed alone. */
	if (f != NULL && fgets(line, sizeof(line) - 1, f) != NULL) {
		char *cut = strstr(line, ",\"nodes\":");

		if (cut != NULL) {
			cut[0] = '}';
			cut[1] = '\0';
			b = cJSON_Parse(line);
		}
	}
	if (f != NULL)
		fclose(f);
	if (cJSON_IsObject(b)) {
		const cJSON *seq = cJSON_GetObjectItem(b, "seq");
		const char *t =
		    cJSON_GetStringValue(cJSON_GetObjectItem(b, "time"));

		if (cJSON_IsNumber(seq) && seq->valuedouble > 0)
			o->seq = (long long)seq->valuedouble;
		snprintf(o->time, sizeof(o->time), "%s", t ? t : "");
	}
	cJSON_Delete(b);
}

static int pj_newest_first(const void *a, const void *b)
{
	const struct pj_order *x = a, *y = b;
	int c;

	if (x->seq != y->seq)
		return x->seq < y->seq ? 1 : -1;
	c = strcmp(y->time, x->time);
	return c != 0 ? c : strcmp(y->id, x->id);
}

int procjournal_list(const char *state_dir, char ***ids, size_t *n, char *msg,
		     size_t msgsize)
{
	char *dir = statedir_file(state_dir, "procedures", NULL, NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL) {
		int e = errno;

		free(dir);
		if (e == ENOENT)
			return 0;
		snprintf(msg, msgsize, "%s/procedures: %s", state_dir,
			 strerror(e));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 7 ||
		    strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = xstrndup(de->d_name, len - 6);
	}
	closedir(d);
	if (*n > 1) {
		struct pj_order *o = xcalloc(*n, sizeof(*o));
		size_t k;

		for (k = 0; k < *n; k++) {
			o[k].id = (*ids)[k];
			pj_order_read(dir, &o[k]);
		}
		qsort(o, *n, sizeof(*o), pj_newest_first);
		for (k = 0; k < *n; k++)
			(*ids)[k] = o[k].id;
		free(o);
	}
	free(dir);
	return 0;
}
