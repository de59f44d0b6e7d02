#include "proc/shared.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/s3name.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "state/lockdoc.h"
#include "state/shareddoc.h"
#include "state/statedir.h"

/* How often a change is tried again when others write in between. */
#define SHARED_TRIES 8
/* A journal read back from S3: at most this many records. */
#define SHARED_JOURNAL_RECORDS 200000

/* One client for the process, and one change or sync at a time in it
 * (other processes of this host wait on STATE/holds.lock). */
static pthread_mutex_t sh_mu = PTHREAD_MUTEX_INITIALIZER;
static struct aws_client *sh_client;
static bool sh_offline;

void shared_set_offline(bool on)
{
	pthread_mutex_lock(&sh_mu);
	sh_offline = on;
	pthread_mutex_unlock(&sh_mu);
}

bool shared_is_offline(void)
{
	bool on;

	pthread_mutex_lock(&sh_mu);
	on = sh_offline;
	pthread_mutex_unlock(&sh_mu);
	return on;
}

/* The fleet's identity (awsid.h), as the last call with a fleet gave it:
 * the shared state is read and written as the fleet, never as a node. */
static char *sh_profile;

/* Under sh_mu. */
static struct aws_client *sh_aws(void)
{
	if (sh_client == NULL) {
		struct aws_identity id = {.profile = sh_profile};

		sh_client = aws_client_new_as(&id);
	}
	return sh_client;
}

/* Under sh_mu: the fleet's identity is f's from now on. */
static void sh_use_fleet(const struct fleet *f)
{
	struct aws_identity id = awsid_fleet(f);

	if ((id.profile == NULL) == (sh_profile == NULL) &&
	    (id.profile == NULL || strcmp(id.profile, sh_profile) == 0))
		return;
	free(sh_profile);
	sh_profile = id.profile ? xstrdup(id.profile) : NULL;
	aws_client_free(sh_client);
	sh_client = NULL;
}

bool shared_wanted(const struct fleet *f)
{
	size_t k;

	if (f->state != NULL)
		return strcmp(f->state, "none") != 0;
	for (k = 0; k < f->nnodes; k++)
		if (f->nodes[k].config_ssm_param || f->nodes[k].instance_id ||
		    f->nodes[k].kms_stack)
			return true;
	return false;
}

/* The fleet's first node (lowest index): its config bucket holds the
 * shared state unless [fleet] state says otherwise. */
static const struct fleet_node *sh_first(const struct fleet *f)
{
	const struct fleet_node *first = &f->nodes[0];
	size_t k;

	for (k = 1; k < f->nnodes; k++)
		if (f->nodes[k].index < first->index)
			first = &f->nodes[k];
	return first;
}

/* "PREFIX/FLEET/rest" (no PREFIX part when it is empty): a new string. */
static char *sh_key(const struct shared_status *st, const char *rest)
{
	return xasprintf("%s%s%s/%s", st->prefix, st->prefix[0] ? "/" : "",
			 st->fleet, rest);
}

static char *sh_lock_key(const struct shared_status *st)
{
	return xasprintf("%s%slock-%s.json", st->prefix,
			 st->prefix[0] ? "/" : "", st->fleet);
}

void shared_describe_where(const struct shared_status *st, char *out,
			   size_t size)
{
	if (!st->shared || st->bucket[0] == '\0') {
		snprintf(out, size, "%s", "");
		return;
	}
	snprintf(out, size, "s3://%s/%s%s%s/", st->bucket, st->prefix,
		 st->prefix[0] ? "/" : "", st->fleet);
}

/*
 * Where f's shared state lives, into st: [fleet] state, else the config
 * bucket of its first node, found once and kept while that node's entry
 * in the fleet file stays the same. 0, or -1 with a message.
 */
static int sh_locate(const struct fleet *f, struct shared_status *st, char *msg,
		     size_t msgsize)
{
	const struct fleet_node *n;
	char key_of[400], region[64];
	struct cfgloc loc;

	snprintf(st->fleet, sizeof(st->fleet), "%s", f->name);
	if (!shared_wanted(f)) {
		st->shared = false;
		return 0;
	}
	st->shared = true;
	if (f->state != NULL) {
		char bucket[256], prefix[300], why[200];

		if (s3name_url_parse(f->state, bucket, sizeof(bucket), prefix,
				     sizeof(prefix), why, sizeof(why)) < 0) {
			snprintf(msg, msgsize, "%s: [fleet] state: %s", f->path,
				 why);
			return -1;
		}
		if (awscred_region(f->region, region, sizeof(region), msg,
				   msgsize) < 0)
			return -1;
		if (strcmp(st->bucket, bucket) != 0 ||
		    strcmp(st->prefix, prefix) != 0)
			st->etag[0] = st->lock_etag[0] = '\0';
		snprintf(st->bucket, sizeof(st->bucket), "%s", bucket);
		snprintf(st->prefix, sizeof(st->prefix), "%s", prefix);
		snprintf(st->region, sizeof(st->region), "%s", region);
		snprintf(st->from, sizeof(st->from), "[fleet] state");
		snprintf(st->resolved_for, sizeof(st->resolved_for), "%s",
			 f->state);
		return 0;
	}
	n = sh_first(f);
	snprintf(key_of, sizeof(key_of), "%s %s %s %s", n->name,
		 n->config_ssm_param ? n->config_ssm_param : "-",
		 n->instance_id ? n->instance_id : "-",
		 n->enclave_name ? n->enclave_name : "-");
	if (st->bucket[0] != '\0' && strcmp(st->resolved_for, key_of) == 0)
		return 0;
	/* Found as the first node's identity finds its config. */
	{
		struct aws_client *na = awsid_client_node(f, n);
		int rc = awscred_region(f->region, region, sizeof(region), msg,
					msgsize) < 0 ||
				 cfgloc_resolve(na, region, n, &loc, msg,
						msgsize) < 0
			     ? -1
			     : 0;

		aws_client_free(na);
		if (rc < 0)
			return -1;
	}
	if (strcmp(st->bucket, loc.bucket) != 0)
		st->etag[0] = st->lock_etag[0] = '\0';
	snprintf(st->bucket, sizeof(st->bucket), "%s", loc.bucket);
	snprintf(st->region, sizeof(st->region), "%s", loc.region);
	snprintf(st->prefix, sizeof(st->prefix), "bvops");
	snprintf(st->from, sizeof(st->from), "the config bucket of %s",
		 n->name);
	snprintf(st->resolved_for, sizeof(st->resolved_for), "%s", key_of);
	cfgloc_free(&loc);
	return 0;
}

void shared_access_probe(const struct fleet *f, struct shared_access *out)
{
	struct shared_status st;
	struct aws_client *a;
	struct aws_s3_object o = {0};
	char *key, where[600];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	out->shared = shared_wanted(f);
	if (!out->shared)
		return;
	a = awsid_client_fleet(f);
	snprintf(out->identity, sizeof(out->identity), "%s",
		 aws_client_identity(a));
	if (sh_locate(f, &st, out->locate_err, sizeof(out->locate_err)) < 0) {
		aws_client_free(a);
		return;
	}
	shared_describe_where(&st, where, sizeof(where));
	snprintf(out->where, sizeof(out->where), "%s (%s; %s)", where,
		 st.region, st.from);
	key = sh_key(&st, "state.json");
	rc = aws_s3_get_if_changed(a, st.region, st.bucket, key, NULL, &o,
				   out->state_err, sizeof(out->state_err));
	if (rc >= 0)
		out->state_err[0] = '\0';
	aws_s3_object_free(&o);
	free(key);
	key = sh_lock_key(&st);
	rc = aws_s3_get_if_changed(a, st.region, st.bucket, key, NULL, &o,
				   out->lock_err, sizeof(out->lock_err));
	if (rc >= 0)
		out->lock_err[0] = '\0';
	aws_s3_object_free(&o);
	free(key);
	aws_client_free(a);
}

/* The time now in the document, and who wrote it. */
static void sh_stamp(cJSON *doc)
{
	char when[40], by[WHOAMI_OWNER_MAX];

	timefmt_iso8601(clock_now_ms(), false, when, sizeof(when));
	whoami_owner(by, sizeof(by));
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "updated");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "by");
	cJSON_AddStringToObject(doc, "updated", when);
	cJSON_AddStringToObject(doc, "by", by);
}

/*
 * op applied to the S3 document (sh_mu and this host's lock held): the
 * document read (a 304 on the ETag last seen: this host's copy is it),
 * changed, written with If-Match, again from a fresh read when someone
 * wrote in between; this host's copy stored from what was written.
 * 0; -1 when S3 could not be reached (or answered an error); -2 when the
 * op itself is refused (msg says why in both).
 */
static int sh_s3_apply(struct shared_status *st, const char *state_dir,
		       const cJSON *op, bool *changed, char *msg,
		       size_t msgsize)
{
	struct aws_client *a = sh_aws();
	char *key = sh_key(st, "state.json");
	int attempt, rc = -1;

	*changed = false;
	for (attempt = 0; attempt < SHARED_TRIES; attempt++) {
		struct aws_s3_object o, put;
		char etag[128] = "", where[600];
		cJSON *doc = NULL;
		bool ch = false;
		char *text;
		int g, p;

		g = aws_s3_get_if_changed(a, st->region, st->bucket, key,
					  attempt == 0 ? st->etag : NULL, &o,
					  msg, msgsize);
		if (g < 0)
			break;
		snprintf(where, sizeof(where), "s3://%s/%s", st->bucket, key);
		if (g == 0) {
			doc =
			    shareddoc_parse(where, o.body, o.len, msg, msgsize);
			snprintf(etag, sizeof(etag), "%s",
				 o.etag ? o.etag : "");
		} else {
			/* Unchanged: this host's copy is it. Missing: this
			 * host's files make the first one. */
			doc = shareddoc_load_files(state_dir, st->fleet, msg,
						   msgsize);
			if (g == 1)
				snprintf(etag, sizeof(etag), "%s", st->etag);
		}
		aws_s3_object_free(&o);
		if (doc == NULL)
			break;
		if (shareddoc_apply(doc, op, &ch, msg, msgsize) < 0) {
			cJSON_Delete(doc);
			rc = -2;
			break;
		}
		if (!ch) {
			if (g == 0)
				shareddoc_store_files(state_dir, doc, msg,
						      msgsize);
			snprintf(st->etag, sizeof(st->etag), "%s", etag);
			cJSON_Delete(doc);
			rc = 0;
			break;
		}
		sh_stamp(doc);
		text = shareddoc_print(doc);
		p = aws_s3_put(a, st->region, st->bucket, key, text,
			       strlen(text), "application/json",
			       etag[0] ? etag : NULL, etag[0] == '\0', &put,
			       msg, msgsize);
		if (p == 0) {
			snprintf(st->etag, sizeof(st->etag), "%s",
				 put.etag ? put.etag : "");
			aws_s3_object_free(&put);
			shareddoc_store_files(state_dir, doc, msg, msgsize);
			*changed = true;
			rc = 0;
		} else if (p == -1) {
			/* No answer: it may have been written all the same.
			 * Read it back. */
			struct aws_s3_object back;
			char err[300];

			if (aws_s3_get(a, st->region, st->bucket, key, NULL,
				       false, &back, err, sizeof(err)) == 0 &&
			    back.len == strlen(text) &&
			    memcmp(back.body, text, back.len) == 0) {
				snprintf(st->etag, sizeof(st->etag), "%s",
					 back.etag ? back.etag : "");
				shareddoc_store_files(state_dir, doc, msg,
						      msgsize);
				*changed = true;
				rc = 0;
			}
			aws_s3_object_free(&back);
		}
		free(text);
		cJSON_Delete(doc);
		if (p != -2)
			break;
		/* -2: someone wrote in between: read again, apply again. */
		snprintf(msg, msgsize,
			 "s3://%s/%s changed %d times while bvops wrote it",
			 st->bucket, key, attempt + 1);
	}
	free(key);
	return rc;
}

/* Append op to STATE/pending.jsonl (one write). 0 or -1. */
static int sh_pending_add(const char *state_dir, const cJSON *op, char *msg,
			  size_t msgsize)
{
	char *path = xasprintf("%s/pending.jsonl", state_dir);
	char *line = cJSON_PrintUnformatted(op), *rec;
	int fd, rc = 0;

	if (line == NULL)
		abort(); /* cJSON only fails for want of memory */
	rec = xasprintf("%s\n", line);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || write(fd, rec, strlen(rec)) != (ssize_t)strlen(rec) ||
	    fsync(fd) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(rec);
	free(line);
	free(path);
	return rc;
}

/*
 * The changes made offline, applied to S3 in the order they were made
 * (sh_mu and this host's lock held); those that went are taken out of
 * the file. 0 when none is left, -1 (msg) when S3 could not be reached.
 */
static int sh_pending_replay(struct shared_status *st, const char *state_dir,
			     char *msg, size_t msgsize)
{
	char *path = xasprintf("%s/pending.jsonl", state_dir), *p, *text;
	size_t len;
	int rc = 0;

	text = buf_read_whole(path, (size_t)16 << 20, &len, msg, msgsize);
	if (text == NULL) {
		free(path);
		return 0;
	}
	for (p = text; *p != '\0';) {
		char *nl = strchr(p, '\n');
		cJSON *op;
		bool ch;
		int r;

		if (nl == NULL)
			break; /* a torn last line: never made */
		*nl = '\0';
		op = cJSON_Parse(p);
		r = op ? sh_s3_apply(st, state_dir, op, &ch, msg, msgsize) : 0;
		cJSON_Delete(op);
		if (r == -1) {
			*nl = '\n';
			rc = -1;
			break;
		}
		/* Applied, or refused (a broken line): never again. */
		p = nl + 1;
	}
	if (*p == '\0' || rc == 0) {
		unlink(path);
	} else {
		/* What is left, for the next look. */
		char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
		char err[300];

		unlink(tmp);
		if (buf_write_file(tmp, p, strlen(p), true, err, sizeof(err)) ==
		    0)
			rename(tmp, path);
		else
			unlink(tmp);
		free(tmp);
	}
	free(text);
	free(path);
	return rc;
}

static char *sh_outbox(const char *state_dir)
{
	return xasprintf("%s/outbox", state_dir);
}

/* The S3 key of outbox file name: "journal+ID+NNNNNN.json" or
 * "audit+NAME.json"; NULL for anything else. */
static char *sh_outbox_key(const struct shared_status *st, const char *name)
{
	char *key = NULL;

	if (strncmp(name, "journal+", 8) == 0) {
		const char *rest = name + 8;
		const char *plus = strrchr(rest, '+');

		if (plus != NULL && plus > rest) {
			char *part =
			    xasprintf("journals/%.*s/%s", (int)(plus - rest),
				      rest, plus + 1);

			key = sh_key(st, part);
			free(part);
		}
	} else if (strncmp(name, "audit+", 6) == 0 && name[6] != '\0') {
		char *part = xasprintf("audit/%s", name + 6);

		key = sh_key(st, part);
		free(part);
	}
	return key;
}

/* One outbox file copied up with client a: 0 gone (copied, or there
 * already), -1 not now. */
static int sh_outbox_send_with(struct aws_client *a,
			       const struct shared_status *st,
			       const char *state_dir, const char *name)
{
	char *dir = sh_outbox(state_dir), *path, *key, msg[400];
	struct aws_s3_object put;
	size_t len;
	char *body;
	int rc;

	path = xasprintf("%s/%s", dir, name);
	free(dir);
	key = sh_outbox_key(st, name);
	body = buf_read_whole(path, (size_t)4 << 20, &len, msg, sizeof(msg));
	if (key == NULL || body == NULL) {
		/* Not ours, or gone: nothing to send. */
		if (key == NULL)
			unlink(path);
		free(key);
		free(body);
		free(path);
		return 0;
	}
	rc = aws_s3_put(a, st->region, st->bucket, key, body, len,
			"application/json", NULL, true, &put, msg, sizeof(msg));
	if (rc == 0)
		aws_s3_object_free(&put);
	/* -2: one is there already: ours from a lost answer, or a record of
	 * a procedure another host took over. Never rewritten. */
	if (rc == 0 || rc == -2) {
		unlink(path);
		rc = 0;
	}
	free(key);
	free(body);
	free(path);
	return rc;
}

static int sh_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything in the outbox, in name order (sh_mu held): how many are
 * left. */
static size_t sh_outbox_flush(const struct shared_status *st,
			      const char *state_dir)
{
	char *dir = sh_outbox(state_dir), **names = NULL;
	size_t n = 0, k, left = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp") != NULL)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), sh_name_cmp);
	for (k = 0; k < n; k++) {
		if (left == 0 &&
		    sh_outbox_send_with(sh_aws(), st, state_dir, names[k]) < 0)
			left = 1;
		else if (left > 0)
			left++;
		free(names[k]);
	}
	free(names);
	free(dir);
	return left;
}

/* The document and the lock, each read only when it changed (sh_mu
 * held). 0, or -1 with a message. */
static int sh_read(struct shared_status *st, const char *state_dir, char *msg,
		   size_t msgsize)
{
	struct aws_client *a = sh_aws();
	char *key = sh_key(st, "state.json"), where[600];
	struct aws_s3_object o;
	int g, rc = 0;

	snprintf(where, sizeof(where), "s3://%s/%s", st->bucket, key);
	g = aws_s3_get_if_changed(a, st->region, st->bucket, key, st->etag, &o,
				  msg, msgsize);
	if (g == 0) {
		cJSON *doc =
		    shareddoc_parse(where, o.body, o.len, msg, msgsize);
		int fd;

		if (doc == NULL) {
			rc = -1;
		} else if ((fd = shareddoc_lock(state_dir, msg, msgsize)) >=
			   0) {
			if (shareddoc_store_files(state_dir, doc, msg,
						  msgsize) == 0)
				snprintf(st->etag, sizeof(st->etag), "%s",
					 o.etag ? o.etag : "");
			shareddoc_unlock(fd);
		}
		cJSON_Delete(doc);
	} else if (g == 2) {
		/* None yet: the first change makes it, from this host's
		 * files (what an older bvops recorded here is not lost). */
		st->etag[0] = '\0';
	} else if (g < 0) {
		rc = -1;
	}
	aws_s3_object_free(&o);
	free(key);
	if (rc < 0)
		return -1;
	key = sh_lock_key(st);
	g = aws_s3_get_if_changed(a, st->region, st->bucket, key, st->lock_etag,
				  &o, msg, msgsize);
	if (g == 0) {
		lockdoc_parse(o.body, &st->lock);
		snprintf(st->lock_etag, sizeof(st->lock_etag), "%s",
			 o.etag ? o.etag : "");
		st->have_lock = true;
	} else if (g == 2) {
		memset(&st->lock, 0, sizeof(st->lock));
		st->lock_etag[0] = '\0';
		st->have_lock = true;
	} else if (g < 0) {
		rc = -1;
	}
	aws_s3_object_free(&o);
	free(key);
	return rc;
}

/* What the look found, recorded (sh_mu held). */
static void sh_record(const char *state_dir, struct shared_status *st,
		      bool reached, const char *why)
{
	char err[300];

	st->known = true;
	if (reached) {
		st->read_ms = clock_now_ms();
		st->unreachable_since_ms = 0;
		st->error[0] = '\0';
	} else if (st->shared) {
		if (st->unreachable_since_ms == 0)
			st->unreachable_since_ms = clock_now_ms();
		snprintf(st->error, sizeof(st->error), "%s", why);
	}
	sharedstatus_write(state_dir, st, err, sizeof(err));
}

/* The outbox exists while the fleet has a shared state: eventlog puts
 * audit records there only then. */
static void sh_outbox_make(const char *state_dir, bool on)
{
	char *dir = sh_outbox(state_dir);

	if (on)
		mkdir(dir, 0700);
	else
		rmdir(dir); /* only when empty: what waits stays */
	free(dir);
}

enum shared_reach shared_sync(const struct fleet *f, const char *state_dir,
			      char *msg, size_t msgsize)
{
	struct shared_status st;
	enum shared_reach reach = SHARED_OK;
	int fd;

	msg[0] = '\0';
	pthread_mutex_lock(&sh_mu);
	sh_use_fleet(f);
	sharedstatus_read(state_dir, &st);
	if (sh_locate(f, &st, msg, msgsize) < 0) {
		sh_record(state_dir, &st, false, msg);
		pthread_mutex_unlock(&sh_mu);
		return SHARED_UNREACHABLE;
	}
	sh_outbox_make(state_dir, st.shared);
	if (!st.shared) {
		sh_record(state_dir, &st, true, "");
		pthread_mutex_unlock(&sh_mu);
		return SHARED_NONE;
	}
	fd = shareddoc_lock(state_dir, msg, msgsize);
	if (fd < 0 || sh_pending_replay(&st, state_dir, msg, msgsize) < 0)
		reach = SHARED_UNREACHABLE;
	shareddoc_unlock(fd);
	if (reach == SHARED_OK && sh_read(&st, state_dir, msg, msgsize) < 0)
		reach = SHARED_UNREACHABLE;
	if (reach == SHARED_OK)
		sh_outbox_flush(&st, state_dir);
	sh_record(state_dir, &st, reach == SHARED_OK, msg);
	pthread_mutex_unlock(&sh_mu);
	return reach;
}

int shared_ready(const struct fleet *f, const char *state_dir, bool *offline,
		 char *msg, size_t msgsize)
{
	char why[600];
	struct shared_status st;

	if (offline != NULL)
		*offline = false;
	if (shared_sync(f, state_dir, why, sizeof(why)) != SHARED_UNREACHABLE)
		return 0;
	if (shared_is_offline()) {
		if (offline != NULL)
			*offline = true;
		return 0;
	}
	sharedstatus_read(state_dir, &st);
	sharedstatus_describe(&st, 0, clock_now_ms(), msg, msgsize);
	{
		size_t len = strlen(msg);

		snprintf(msg + len, msgsize - len,
			 ": nothing done (--offline acts on this host's view "
			 "alone, audited and copied up later)");
	}
	return -1;
}

int shared_change(const struct fleet *f, const char *state_dir, cJSON *op,
		  bool *changed, char *msg, size_t msgsize)
{
	struct shared_status st;
	const char *fleet;
	bool ch = false;
	int fd, rc = -1;

	if (changed != NULL)
		*changed = false;
	sharedstatus_read(state_dir, &st);
	if (!st.known && f != NULL) {
		/* Nobody looked yet: look first, so that a change never
		 * goes only to this host by mistake. */
		char why[400];

		shared_sync(f, state_dir, why, sizeof(why));
		sharedstatus_read(state_dir, &st);
	}
	pthread_mutex_lock(&sh_mu);
	if (f != NULL)
		sh_use_fleet(f);
	sharedstatus_read(state_dir, &st);
	fleet = f != NULL ? f->name : st.fleet;
	fd = shareddoc_lock(state_dir, msg, msgsize);
	if (fd < 0)
		goto out;
	if (!st.shared) {
		cJSON *doc =
		    shareddoc_load_files(state_dir, fleet, msg, msgsize);

		if (doc != NULL &&
		    shareddoc_apply(doc, op, &ch, msg, msgsize) == 0)
			rc = ch ? shareddoc_store_files(state_dir, doc, msg,
							msgsize)
				: 0;
		cJSON_Delete(doc);
		goto out;
	}
	/* Tried even when the last look failed (S3 may be back, and a
	 * procedure's marks must not fail for a blip it has outlived),
	 * unless --offline said to go on without it. */
	rc = st.bucket[0] != '\0' &&
		     !(sharedstatus_unreachable(&st) && sh_offline)
		 ? sh_s3_apply(&st, state_dir, op, &ch, msg, msgsize)
		 : -1;
	if (rc == -1 && st.bucket[0] == '\0')
		snprintf(msg, msgsize, "%s",
			 st.error[0] ? st.error : "not found yet");
	if (rc == 0) {
		sh_record(state_dir, &st, true, "");
	} else if (rc == -1) {
		char why[400];

		snprintf(why, sizeof(why), "%s", msg);
		sh_record(state_dir, &st, false, why);
		if (sh_offline) {
			/* --offline: here, and kept to be copied up. */
			cJSON *doc = shareddoc_load_files(state_dir, fleet, msg,
							  msgsize);

			if (doc != NULL &&
			    shareddoc_apply(doc, op, &ch, msg, msgsize) == 0 &&
			    (!ch || shareddoc_store_files(state_dir, doc, msg,
							  msgsize) == 0) &&
			    sh_pending_add(state_dir, op, msg, msgsize) == 0)
				rc = 0;
			cJSON_Delete(doc);
		} else {
			char desc[200];

			shareddoc_op_describe(op, desc, sizeof(desc));
			snprintf(msg, msgsize,
				 "the shared state (s3://%s/%s) cannot be "
				 "reached (%s): %s not done",
				 st.bucket, st.prefix, why, desc);
		}
	} else {
		rc = -1; /* refused: msg says why */
	}
out:
	shareddoc_unlock(fd);
	pthread_mutex_unlock(&sh_mu);
	cJSON_Delete(op);
	if (changed != NULL)
		*changed = ch;
	return rc;
}

/*
 * Journal records go up from the threads that write them, each with a
 * client of its own (a thread-local one, freed with its thread), so the
 * nodes of a step copy their records side by side instead of in turn.
 */
static pthread_key_t sh_tl_key;
static pthread_once_t sh_tl_once = PTHREAD_ONCE_INIT;

static void sh_tl_free(void *p)
{
	aws_client_free(p);
}

static void sh_tl_init(void)
{
	if (pthread_key_create(&sh_tl_key, sh_tl_free) != 0)
		abort(); /* no key: out of resources */
}

static struct aws_client *sh_tl_client(void)
{
	struct aws_client *a;

	pthread_once(&sh_tl_once, sh_tl_init);
	a = pthread_getspecific(sh_tl_key);
	if (a == NULL) {
		struct aws_identity id = {0};

		pthread_mutex_lock(&sh_mu);
		id.profile = sh_profile;
		a = aws_client_new_as(&id); /* copies it */
		pthread_mutex_unlock(&sh_mu);
		pthread_setspecific(sh_tl_key, a);
	}
	return a;
}

void shared_journal_copy(const char *state_dir, const char *id, long seq,
			 const char *line)
{
	char *dir = sh_outbox(state_dir), *name, *path, msg[300];
	struct stat sb;

	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		free(dir); /* no shared state: nothing to copy */
		return;
	}
	name = xasprintf("journal+%s+%06ld.json", id, seq);
	path = xasprintf("%s/%s", dir, name);
	unlink(path);
	if (buf_write_file(path, line, strlen(line), true, msg, sizeof(msg)) ==
	    0) {
		struct shared_status st;

		sharedstatus_read(state_dir, &st);
		/* While the shared state cannot be reached, records wait in
		 * the outbox for the next look: a procedure is not slowed by
		 * retries on every record. */
		if (st.shared && st.bucket[0] &&
		    !sharedstatus_unreachable(&st) &&
		    sh_outbox_send_with(sh_tl_client(), &st, state_dir, name) <
			0) {
			pthread_mutex_lock(&sh_mu);
			sharedstatus_read(state_dir, &st);
			sh_record(state_dir, &st, false,
				  "a journal record could not be copied up");
			pthread_mutex_unlock(&sh_mu);
		}
	}
	free(path);
	free(name);
	free(dir);
}

size_t shared_flush(const char *state_dir)
{
	struct shared_status st;
	size_t left = 0;

	pthread_mutex_lock(&sh_mu);
	sharedstatus_read(state_dir, &st);
	if (st.shared && st.bucket[0])
		left = sh_outbox_flush(&st, state_dir);
	pthread_mutex_unlock(&sh_mu);
	return left;
}

/* The records of journal id from from on, as JSON lines (a new string;
 * "" when there are none), or NULL with a message. */
static char *sh_journal_from(const char *state_dir, const char *id, long from,
			     long *count, char *msg, size_t msgsize)
{
	struct shared_status st;
	struct buf b;
	long seq;

	sharedstatus_read(state_dir, &st);
	if (!st.shared || st.bucket[0] == '\0') {
		snprintf(msg, msgsize,
			 "%s: no such procedure here, and no shared state "
			 "to look in",
			 id);
		return NULL;
	}
	if (id[0] == '\0' || id[0] == '.' || strchr(id, '/') != NULL ||
	    strchr(id, '+') != NULL) {
		snprintf(msg, msgsize, "%s: not a procedure id", id);
		return NULL;
	}
	buf_init(&b, (size_t)16 << 20);
	*count = 0;
	pthread_mutex_lock(&sh_mu);
	for (seq = from; seq < SHARED_JOURNAL_RECORDS; seq++) {
		char part[300], *key;
		struct aws_s3_object o;
		int g;

		snprintf(part, sizeof(part), "journals/%s/%06ld.json", id, seq);
		key = sh_key(&st, part);
		g = aws_s3_get_if_changed(sh_aws(), st.region, st.bucket, key,
					  NULL, &o, msg, msgsize);
		free(key);
		if (g == 0 && (buf_append(&b, o.body, o.len) < 0 ||
			       buf_append_char(&b, '\n') < 0)) {
			snprintf(msg, msgsize, "%s: the journal is too large",
				 id);
			g = -1;
		}
		aws_s3_object_free(&o);
		if (g == 0)
			(*count)++;
		if (g != 0) {
			if (g == 2 && seq > 0)
				break; /* its last record */
			if (g == 2)
				snprintf(msg, msgsize,
					 "%s: no such procedure, here or in "
					 "s3://%s/%s",
					 id, st.bucket, st.prefix);
			pthread_mutex_unlock(&sh_mu);
			buf_free(&b);
			return NULL;
		}
	}
	pthread_mutex_unlock(&sh_mu);
	{
		char *text = buf_take(&b, NULL);

		return text != NULL ? text : xstrdup("");
	}
}

char *shared_journal_text(const char *state_dir, const char *id, char *msg,
			  size_t msgsize)
{
	long count;

	return sh_journal_from(state_dir, id, 0, &count, msg, msgsize);
}

long shared_journal_update(const char *state_dir, const char *id, char *msg,
			   size_t msgsize)
{
	char *path = statedir_file(state_dir, "procedures", id, ".jsonl");
	long have = 0, count = 0;
	char *text, chunk[8192];
	ssize_t r;
	off_t off = 0;
	int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while ((r = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		ssize_t k;

		for (k = 0; k < r; k++)
			have += chunk[k] == '\n';
		off += r;
	}
	text = have > 0
		   ? sh_journal_from(state_dir, id, have, &count, msg, msgsize)
		   : NULL;
	if (text != NULL && count > 0 &&
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		count = -1;
	}
	if (text == NULL && have > 0)
		count = -1;
	free(text);
	close(fd);
	free(path);
	return count;
}

int shared_journal_fetch(const char *state_dir, const char *id, char *msg,
			 size_t msgsize)
{
	char *path = statedir_file(state_dir, "procedures", id, ".jsonl");
	char *dir = statedir_file(state_dir, "procedures", NULL, NULL);
	char *text;
	int rc;

	if (access(path, F_OK) == 0) {
		free(path);
		free(dir);
		return 0;
	}
	text = shared_journal_text(state_dir, id, msg, msgsize);
	rc = text == NULL ? -1 : 1;
	if (text != NULL) {
		mkdir(dir, 0700);
		if (buf_write_file(path, text, strlen(text), true, msg,
				   msgsize) < 0)
			rc = -1;
	}
	free(text);
	free(dir);
	free(path);
	return rc;
}
