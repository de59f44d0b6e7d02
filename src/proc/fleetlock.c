#include "proc/fleetlock.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "aws/aws_s3.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "proc/shared.h"
#include "state/lockdoc.h"
#include "state/sharedstatus.h"
#include "state/statedir.h"

void fleetlock_where_s3(struct fleetlock_where *w, const char *region,
			const char *bucket, const char *prefix,
			const char *fleet)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->region, sizeof(w->region), "%s", region);
	snprintf(w->bucket, sizeof(w->bucket), "%s", bucket);
	snprintf(w->key, sizeof(w->key), "%s%slock-%s.json", prefix,
		 prefix[0] ? "/" : "", fleet);
}

void fleetlock_where_local(struct fleetlock_where *w, const char *state_dir)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->local_dir, sizeof(w->local_dir), "%s", state_dir);
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
	lockdoc_parse(o.body, h);
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
	char *body = lockdoc_body(id, what, ttl_ms, NULL);
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
			lockdoc_parse(text, other);
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
	char *body = release ? lockdoc_body(NULL, NULL, 0, "released")
			     : lockdoc_body(l->id, l->what, l->ttl_ms, NULL);
	int rc;

	if (l->where.bucket[0] == '\0') {
		struct fleetlock_holder h;
		char *text;
		int lfd;

		if (fl_local(&l->where, &text, &lfd, msg, msgsize) < 0) {
			free(body);
			return -1;
		}
		lockdoc_parse(text ? text : "", &h);
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
			lockdoc_parse(text, h);
		else
			memset(h, 0, sizeof(*h));
		free(text);
		close(lfd);
		return 0;
	}
	return fl_s3_get(a, w, h, etag, sizeof(etag), &exists, msg, msgsize);
}

int fleetlock_break(struct aws_client *a, const struct fleetlock_where *w,
		    const char *id, char *msg, size_t msgsize)
{
	struct fleetlock_holder h;
	char *body = lockdoc_body(NULL, NULL, 0, "broken");
	bool exists = true;
	int rc;

	memset(&h, 0, sizeof(h));
	if (w->bucket[0] == '\0') {
		char *text;
		int lfd;

		rc = fl_local(w, &text, &lfd, msg, msgsize);
		if (rc == 0) {
			lockdoc_parse(text ? text : "{}", &h);
			if (h.held && strcmp(h.id, id) == 0)
				rc = fl_local_write(w, body, msg, msgsize);
			else
				rc = -3;
			free(text);
			close(lfd);
		}
	} else {
		char etag[128];

		rc = fl_s3_get(a, w, &h, etag, sizeof(etag), &exists, msg,
			       msgsize);
		if (rc == 0 && (!exists || !h.held || strcmp(h.id, id) != 0)) {
			rc = -3;
		} else if (rc == 0) {
			char newtag[128];

			/* If-Match on what was read: a lock taken anew in
			 * between is never broken by mistake. */
			rc = fl_s3_put(a, w, body, etag, newtag, sizeof(newtag),
				       msg, msgsize);
			if (rc == -2)
				snprintf(msg, msgsize,
					 "the lock changed while it was being "
					 "broken: look again (bvops lock "
					 "status)");
		}
	}
	if (rc == -3) {
		char who[800];

		lockdoc_describe(&h, who, sizeof(who));
		snprintf(msg, msgsize,
			 "the lock is not %s's (it is held by %s): nothing "
			 "broken",
			 id, h.held ? who : "nobody");
	}
	free(body);
	return rc < 0 ? -1 : 0;
}

int fleetlock_where_fleet(const struct fleet *f, struct aws_client *a,
			  const char *region, struct fleetlock_where *w,
			  char *msg, size_t msgsize)
{
	struct shared_status st;
	char *dir = statedir_open(f->name, msg, msgsize);

	(void)a, (void)region;
	if (dir == NULL)
		return -1;
	sharedstatus_read(dir, &st);
	if (!st.known || (st.shared && st.bucket[0] == '\0'))
		shared_sync(f, dir, msg, msgsize);
	sharedstatus_read(dir, &st);
	if (!st.shared) {
		/* No shared state: the lock is this host's. */
		fleetlock_where_local(w, dir);
		free(dir);
		return 0;
	}
	free(dir);
	if (st.bucket[0] == '\0') {
		snprintf(msg, msgsize,
			 "where the fleet's lock lives is not known: %s",
			 st.error[0] ? st.error
				     : "the shared state was not found");
		return -1;
	}
	fleetlock_where_s3(w, st.region, st.bucket, st.prefix, f->name);
	return 0;
}
