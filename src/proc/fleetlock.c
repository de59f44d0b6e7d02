#include "proc/fleetlock.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "aws/aws_s3.h"
#include "aws/cfgloc.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"

void fleetlock_where_s3(struct fleetlock_where *w, const char *region,
			const char *bucket, const char *fleet)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->region, sizeof(w->region), "%s", region);
	snprintf(w->bucket, sizeof(w->bucket), "%s", bucket);
	snprintf(w->key, sizeof(w->key), "bvops/lock-%s.json", fleet);
}

void fleetlock_where_local(struct fleetlock_where *w, const char *state_dir)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->local_dir, sizeof(w->local_dir), "%s", state_dir);
}

static void fl_me(char *who, size_t wsize, char *host, size_t hsize)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(who, wsize, "%s", pw ? pw->pw_name : "?");
	host[0] = '\0';
	gethostname(host, hsize - 1);
	host[hsize - 1] = '\0';
}

/* The lock's JSON: held by id, or released (id NULL) with a reason. */
static char *fl_body(const char *id, const char *what, int64_t ttl_ms,
		     const char *released_why)
{
	cJSON *o = cJSON_CreateObject();
	char who[128], host[256], when[40], *s;
	int64_t now = clock_now_ms();

	fl_me(who, sizeof(who), host, sizeof(host));
	cJSON_AddBoolToObject(o, "held", id != NULL);
	if (id != NULL) {
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "who", who);
		cJSON_AddStringToObject(o, "host", host);
		cJSON_AddStringToObject(o, "what", what);
		timefmt_iso8601(now, false, when, sizeof(when));
		cJSON_AddStringToObject(o, "since", when);
		timefmt_iso8601(now + ttl_ms, false, when, sizeof(when));
		cJSON_AddStringToObject(o, "expires", when);
	} else {
		char by[400];

		timefmt_iso8601(now, false, when, sizeof(when));
		cJSON_AddStringToObject(o, "released", when);
		snprintf(by, sizeof(by), "%s@%s", who, host);
		cJSON_AddStringToObject(o, "by", by);
		cJSON_AddStringToObject(o, "how", released_why);
	}
	s = cJSON_Print(o);
	cJSON_Delete(o);
	if (s == NULL)
		abort(); /* cJSON only fails for want of memory */
	return s;
}

static void fl_str(const cJSON *o, const char *k, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* A lock object's text into *h; a text that is not one counts as held
 * (by "unknown"), so nothing is ever taken over by mistake. */
static void fl_parse(const char *text, struct fleetlock_holder *h)
{
	cJSON *o = cJSON_Parse(text);
	char t[64];

	memset(h, 0, sizeof(*h));
	if (!cJSON_IsObject(o)) {
		h->held = true;
		snprintf(h->who, sizeof(h->who), "unknown (not a lock)");
		cJSON_Delete(o);
		return;
	}
	h->held = cJSON_IsTrue(cJSON_GetObjectItem(o, "held"));
	fl_str(o, "id", h->id, sizeof(h->id));
	fl_str(o, "who", h->who, sizeof(h->who));
	fl_str(o, "host", h->host, sizeof(h->host));
	fl_str(o, "what", h->what, sizeof(h->what));
	fl_str(o, "since", t, sizeof(t));
	h->since_ms = timefmt_iso8601_parse(t);
	fl_str(o, "expires", t, sizeof(t));
	h->expires_ms = timefmt_iso8601_parse(t);
	cJSON_Delete(o);
}

void fleetlock_describe(const struct fleetlock_holder *h, char *out,
			size_t size)
{
	char since[40], exp[40];

	if (!h->held) {
		snprintf(out, size, "nobody");
		return;
	}
	timefmt_iso8601(h->since_ms, false, since, sizeof(since));
	timefmt_iso8601(h->expires_ms, false, exp, sizeof(exp));
	snprintf(out, size, "%s@%s, %s (procedure %s), since %s, %s %s", h->who,
		 h->host, h->what, h->id[0] ? h->id : "?", since,
		 h->expires_ms < clock_now_ms() ? "STALE: expired" : "expires",
		 exp);
}

/* Local lock: the file under an flock; fn runs while it is held. */
static int fl_local(const struct fleetlock_where *w, char **text, int *lfd,
		    char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/lock.lock", w->local_dir);
	char *file = xasprintf("%s/lock.json", w->local_dir);
	FILE *f;

	*text = NULL;
	*lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*lfd < 0 || flock(*lfd, LOCK_EX) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		if (*lfd >= 0)
			close(*lfd);
		free(path);
		free(file);
		return -1;
	}
	f = fopen(file, "re");
	if (f != NULL) {
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		*text = xstrdup(buf);
		fclose(f);
	}
	free(path);
	free(file);
	return 0;
}

static int fl_local_write(const struct fleetlock_where *w, const char *body,
			  char *msg, size_t msgsize)
{
	char *file = xasprintf("%s/lock.json", w->local_dir);
	char *tmp = xasprintf("%s/.lock.json.tmp", w->local_dir);
	int rc = buf_write_file(tmp, body, strlen(body), false, msg, msgsize);

	if (rc == 0 && rename(tmp, file) < 0) {
		snprintf(msg, msgsize, "%s: %s", file, strerror(errno));
		rc = -1;
	}
	free(file);
	free(tmp);
	return rc;
}

static int fl_s3_get(struct aws_client *a, const struct fleetlock_where *w,
		     struct fleetlock_holder *h, char *etag, size_t esize,
		     bool *exists, char *msg, size_t msgsize)
{
	struct aws_s3_object o;
	struct aws_s3_object head;

	*exists = true;
	/* HeadObject first: a missing lock is no error. */
	if (aws_s3_get(a, w->region, w->bucket, w->key, NULL, true, &head, msg,
		       msgsize) < 0) {
		if (strstr(msg, "404") != NULL ||
		    strstr(msg, "NoSuchKey") != NULL ||
		    strstr(msg, "Not Found") != NULL) {
			*exists = false;
			memset(h, 0, sizeof(*h));
			return 0;
		}
		return -1;
	}
	aws_s3_object_free(&head);
	if (aws_s3_get(a, w->region, w->bucket, w->key, NULL, false, &o, msg,
		       msgsize) < 0)
		return -1;
	fl_parse(o.body, h);
	snprintf(etag, esize, "%s", o.etag ? o.etag : "");
	aws_s3_object_free(&o);
	return 0;
}

static int fl_s3_put(struct aws_client *a, const struct fleetlock_where *w,
		     const char *body, const char *if_match, char *etag,
		     size_t esize, char *msg, size_t msgsize)
{
	struct aws_s3_object o;
	int rc = aws_s3_put(a, w->region, w->bucket, w->key, body, strlen(body),
			    "application/json", if_match, if_match == NULL, &o,
			    msg, msgsize);

	if (rc == 0) {
		snprintf(etag, esize, "%s", o.etag ? o.etag : "");
		aws_s3_object_free(&o);
	}
	return rc;
}

enum fleetlock_result fleetlock_take(struct aws_client *a,
				     const struct fleetlock_where *w,
				     const char *id, const char *what,
				     int64_t ttl_ms, struct fleetlock *out,
				     struct fleetlock_holder *other, char *msg,
				     size_t msgsize)
{
	char *body = fl_body(id, what, ttl_ms, NULL);
	enum fleetlock_result res = FLEETLOCK_ERROR;

	memset(out, 0, sizeof(*out));
	memset(other, 0, sizeof(*other));
	out->where = *w;
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->what, sizeof(out->what), "%s", what);
	out->ttl_ms = ttl_ms;
	if (w->bucket[0] == '\0') {
		char *text;
		int lfd;

		if (fl_local(w, &text, &lfd, msg, msgsize) < 0) {
			free(body);
			return FLEETLOCK_ERROR;
		}
		if (text != NULL)
			fl_parse(text, other);
		if (text == NULL || !other->held || strcmp(other->id, id) == 0)
			res = fl_local_write(w, body, msg, msgsize) == 0
				  ? FLEETLOCK_TAKEN
				  : FLEETLOCK_ERROR;
		else
			res = FLEETLOCK_HELD;
		free(text);
		close(lfd);
		free(body);
		return res;
	}
	/* Create it if there is none; else take it over if it is free. */
	switch (fl_s3_put(a, w, body, NULL, out->etag, sizeof(out->etag), msg,
			  msgsize)) {
	case 0: res = FLEETLOCK_TAKEN; break;
	case -2: {
		char etag[128];
		bool exists;

		if (fl_s3_get(a, w, other, etag, sizeof(etag), &exists, msg,
			      msgsize) < 0)
			break;
		if (!other->held || strcmp(other->id, id) == 0) {
			int rc = fl_s3_put(a, w, body, etag, out->etag,
					   sizeof(out->etag), msg, msgsize);

			if (rc == 0)
				res = FLEETLOCK_TAKEN;
			else if (rc == -2 &&
				 fl_s3_get(a, w, other, etag, sizeof(etag),
					   &exists, msg, msgsize) == 0)
				res = FLEETLOCK_HELD; /* lost a race */
		} else {
			res = FLEETLOCK_HELD;
		}
		break;
	}
	default: break;
	}
	free(body);
	return res;
}

/* Rewrite a lock this process holds (renew, or release when release). */
static int fl_rewrite(struct aws_client *a, struct fleetlock *l, bool release,
		      char *msg, size_t msgsize)
{
	char *body = release ? fl_body(NULL, NULL, 0, "released")
			     : fl_body(l->id, l->what, l->ttl_ms, NULL);
	int rc;

	if (l->where.bucket[0] == '\0') {
		struct fleetlock_holder h;
		char *text;
		int lfd;

		if (fl_local(&l->where, &text, &lfd, msg, msgsize) < 0) {
			free(body);
			return -1;
		}
		fl_parse(text ? text : "", &h);
		if (text == NULL || !h.held || strcmp(h.id, l->id) != 0) {
			snprintf(msg, msgsize,
				 "the lock is no longer this procedure's "
				 "(someone broke it)");
			rc = -1;
		} else {
			rc = fl_local_write(&l->where, body, msg, msgsize);
		}
		free(text);
		close(lfd);
		free(body);
		return rc;
	}
	rc = fl_s3_put(a, &l->where, body, l->etag, l->etag, sizeof(l->etag),
		       msg, msgsize);
	free(body);
	if (rc == -2)
		snprintf(msg, msgsize,
			 "the lock s3://%s/%s changed: it is no longer this "
			 "procedure's (someone broke it)",
			 l->where.bucket, l->where.key);
	return rc < 0 ? -1 : 0;
}

int fleetlock_renew(struct aws_client *a, struct fleetlock *l, char *msg,
		    size_t msgsize)
{
	return fl_rewrite(a, l, false, msg, msgsize);
}

int fleetlock_release(struct aws_client *a, struct fleetlock *l, char *msg,
		      size_t msgsize)
{
	return fl_rewrite(a, l, true, msg, msgsize);
}

int fleetlock_read(struct aws_client *a, const struct fleetlock_where *w,
		   struct fleetlock_holder *h, char *msg, size_t msgsize)
{
	char etag[128];
	bool exists;

	if (w->bucket[0] == '\0') {
		char *text;
		int lfd;

		if (fl_local(w, &text, &lfd, msg, msgsize) < 0)
			return -1;
		if (text != NULL)
			fl_parse(text, h);
		else
			memset(h, 0, sizeof(*h));
		free(text);
		close(lfd);
		return 0;
	}
	return fl_s3_get(a, w, h, etag, sizeof(etag), &exists, msg, msgsize);
}

int fleetlock_break(struct aws_client *a, const struct fleetlock_where *w,
		    char *msg, size_t msgsize)
{
	struct fleetlock_holder h;
	char etag[128];
	char *body = fl_body(NULL, NULL, 0, "broken");
	bool exists;
	int rc;

	if (w->bucket[0] == '\0') {
		char *text;
		int lfd;

		rc = fl_local(w, &text, &lfd, msg, msgsize);
		if (rc == 0) {
			rc = fl_local_write(w, body, msg, msgsize);
			free(text);
			close(lfd);
		}
		free(body);
		return rc;
	}
	rc = fl_s3_get(a, w, &h, etag, sizeof(etag), &exists, msg, msgsize);
	if (rc == 0 && exists) {
		char newtag[128];

		rc = fl_s3_put(a, w, body, etag, newtag, sizeof(newtag), msg,
			       msgsize);
		if (rc == -2)
			snprintf(msg, msgsize,
				 "the lock changed while it was being broken: "
				 "look again");
	}
	free(body);
	return rc < 0 ? -1 : 0;
}

int fleetlock_where_fleet(const struct fleet *f, struct aws_client *a,
			  const char *region, struct fleetlock_where *w,
			  char *msg, size_t msgsize)
{
	const struct fleet_node *first = &f->nodes[0];
	struct cfgloc fl;
	size_t k;

	for (k = 1; k < f->nnodes; k++)
		if (f->nodes[k].index < first->index)
			first = &f->nodes[k];
	if (cfgloc_resolve(a, region, first, &fl, msg, msgsize) < 0)
		return -1;
	fleetlock_where_s3(w, fl.region, fl.bucket, f->name);
	cfgloc_free(&fl);
	return 0;
}
