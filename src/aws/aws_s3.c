#include "aws/aws_s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "lib/xml.h"

static char *aws_s3_path(const char *bucket, const char *key)
{
	char *b = aws_uri_encode(bucket, false);
	char *k = aws_uri_encode(key ? key : "", true);
	char *p = xasprintf("/%s%s%s", b, key ? "/" : "", k);

	free(b);
	free(k);
	return p;
}

static void aws_s3_request(struct aws_request *rq, const char *region,
			   const char *method, const char *call,
			   const char *resource)
{
	memset(rq, 0, sizeof(*rq));
	rq->service = "s3";
	rq->env_name = "S3";
	rq->host = "s3";
	rq->region = region;
	rq->method = method;
	rq->call = call;
	rq->resource = resource;
}

int aws_s3_get(struct aws_client *a, const char *region, const char *bucket,
	       const char *key, const char *version, bool head,
	       struct aws_s3_object *out, char *msg, size_t msgsize)
{
	struct aws_request rq;
	struct aws_response rs;
	char *path = aws_s3_path(bucket, key), *query = NULL, *resource;
	int rc;

	memset(out, 0, sizeof(*out));
	resource =
	    version ? xasprintf("s3://%s/%s (version %s)", bucket, key, version)
		    : xasprintf("s3://%s/%s", bucket, key);
	aws_s3_request(&rq, region, head ? "HEAD" : "GET",
		       head ? "S3 HeadObject" : "S3 GetObject", resource);
	rq.path = path;
	if (version != NULL) {
		char *v = aws_uri_encode(version, false);

		query = xasprintf("versionId=%s", v);
		free(v);
		rq.query = query;
	}
	rc = aws_call(a, &rq, &rs, msg, msgsize);
	if (rc == 0) {
		out->body = head ? NULL : rs.body;
		out->len = head ? 0 : rs.len;
		if (head)
			free(rs.body);
		out->etag = rs.etag;
		out->version_id = rs.version_id;
		out->last_modified = rs.last_modified;
		free(rs.date);
	} else if (head && strstr(msg, "(HTTP 404)") != NULL) {
		/* A HEAD answer has no body, so no AWS code to show. */
		snprintf(msg, msgsize,
			 "S3 HeadObject %s: NoSuchKey: no such "
			 "object (HTTP 404)",
			 resource);
	} else if (head && strstr(msg, "(HTTP 403)") != NULL) {
		snprintf(msg, msgsize,
			 "S3 HeadObject %s: AccessDenied: access denied "
			 "(HTTP 403)",
			 resource);
	}
	free(path);
	free(query);
	free(resource);
	return rc;
}

int aws_s3_get_if_changed(struct aws_client *a, const char *region,
			  const char *bucket, const char *key, const char *etag,
			  struct aws_s3_object *out, char *msg, size_t msgsize)
{
	struct aws_request rq;
	struct aws_response rs;
	char *path = aws_s3_path(bucket, key), *cond = NULL;
	char *resource = xasprintf("s3://%s/%s", bucket, key);
	const char *headers[2] = {NULL, NULL};
	int rc;

	memset(out, 0, sizeof(*out));
	aws_s3_request(&rq, region, "GET", "S3 GetObject", resource);
	rq.path = path;
	rq.not_modified_ok = true;
	if (etag != NULL && etag[0] != '\0') {
		cond = xasprintf("If-None-Match: %s", etag);
		headers[0] = cond;
		rq.headers = headers;
	}
	rc = aws_call(a, &rq, &rs, msg, msgsize);
	if (rc == 0 && rs.status == 304) {
		aws_response_free(&rs);
		rc = 1;
	} else if (rc == 0) {
		out->body = rs.body;
		out->len = rs.len;
		out->etag = rs.etag;
		out->version_id = rs.version_id;
		out->last_modified = rs.last_modified;
		free(rs.date);
	} else if (strcmp(aws_client_last_code(a), "NoSuchKey") == 0) {
		rc = 2;
	}
	free(cond);
	free(path);
	free(resource);
	return rc;
}

/*
 * After a 412: does the object hold exactly body? Then the put was ours
 * after all (S3 applied it, its answer was lost, the retry met our own
 * write) and *out gets the object's ETag and version.
 */
static bool s3_holds(struct aws_client *a, const char *region,
		     const char *bucket, const char *key, const char *body,
		     size_t len, struct aws_s3_object *out)
{
	struct aws_s3_object now;
	char err[512];
	bool same;

	if (aws_s3_get(a, region, bucket, key, NULL, false, &now, err,
		       sizeof(err)) < 0)
		return false;
	same = now.len == len && (len == 0 || memcmp(now.body, body, len) == 0);
	if (same) {
		out->etag = now.etag;
		out->version_id = now.version_id;
		now.etag = NULL;
		now.version_id = NULL;
	}
	aws_s3_object_free(&now);
	return same;
}

static int s3_put(struct aws_client *a, const char *region, const char *bucket,
		  const char *key, const char *body, size_t len,
		  const char *content_type, const char *if_match,
		  bool if_none_match_any, const char *tagging,
		  struct aws_s3_object *out, char *msg, size_t msgsize)
{
	struct aws_request rq;
	struct aws_response rs;
	char *path = aws_s3_path(bucket, key), *cond = NULL, *tags = NULL;
	char *resource = xasprintf("s3://%s/%s", bucket, key);
	const char *headers[3] = {NULL, NULL, NULL};
	int rc;

	memset(out, 0, sizeof(*out));
	aws_s3_request(&rq, region, "PUT", "S3 PutObject", resource);
	rq.path = path;
	rq.body = body;
	rq.body_len = len;
	/* libcurl sends a form type without one; S3 would store that. */
	rq.content_type =
	    content_type ? content_type : "application/octet-stream";
	if (if_match != NULL)
		cond = xasprintf("If-Match: %s", if_match);
	else if (if_none_match_any)
		cond = xstrdup("If-None-Match: *");
	if (tagging != NULL)
		tags = xasprintf("x-amz-tagging: %s", tagging);
	headers[0] = cond ? cond : tags;
	headers[1] = cond ? tags : NULL;
	rq.headers = headers;
	rc = aws_call(a, &rq, &rs, msg, msgsize);
	if (rc == 0) {
		free(rs.body);
		out->etag = rs.etag;
		out->version_id = rs.version_id;
		free(rs.last_modified);
		free(rs.date);
	} else if (strstr(msg, "(HTTP 412)") != NULL) {
		rc = s3_holds(a, region, bucket, key, body, len, out) ? 0 : -2;
	}
	free(path);
	free(cond);
	free(tags);
	free(resource);
	return rc;
}

int aws_s3_put(struct aws_client *a, const char *region, const char *bucket,
	       const char *key, const char *body, size_t len,
	       const char *content_type, const char *if_match,
	       bool if_none_match_any, struct aws_s3_object *out, char *msg,
	       size_t msgsize)
{
	return s3_put(a, region, bucket, key, body, len, content_type, if_match,
		      if_none_match_any, NULL, out, msg, msgsize);
}

int aws_s3_put_tagged(struct aws_client *a, const char *region,
		      const char *bucket, const char *key, const char *body,
		      size_t len, const char *content_type, const char *tagging,
		      struct aws_s3_object *out, char *msg, size_t msgsize)
{
	return s3_put(a, region, bucket, key, body, len, content_type, NULL,
		      true, tagging, out, msg, msgsize);
}

int aws_s3_list_versions(struct aws_client *a, const char *region,
			 const char *bucket, const char *key,
			 struct aws_s3_versions *out, char *msg, size_t msgsize)
{
	struct aws_request rq;
	struct aws_response rs;
	char *path = aws_s3_path(bucket, NULL), *query;
	size_t plen =
	    strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
			"tuvwxyz0123456789-_.~");
	char *resource = xasprintf("s3://%s/%s", bucket, key);
	const struct xml *e;
	struct xml *root;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	aws_s3_request(&rq, region, "GET", "S3 ListObjectVersions", resource);
	rq.path = path;
	/*
	 * The prefix stops before the first character that would need
	 * percent-encoding (the '/' after the enclave name, usually): some
	 * S3 endpoints check an encoded query value's signature differently.
	 * Longer keys that share it are dropped below. Sorted, with "=", as
	 * SigV4's canonical query wants.
	 */
	query = plen ? xasprintf("prefix=%.*s&versions=", (int)plen, key)
		     : xstrdup("versions=");
	rq.query = query;
	rc = aws_call(a, &rq, &rs, msg, msgsize);
	free(path);
	free(query);
	if (rc < 0) {
		free(resource);
		return -1;
	}
	root = xml_parse(rs.body, rs.len, msg, msgsize);
	if (root == NULL || strcmp(root->name, "ListVersionsResult") != 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s",
			 root ? "not a ListVersionsResult" : msg);
		snprintf(msg, msgsize,
			 "S3 ListObjectVersions %s: the answer does not parse: "
			 "%s",
			 resource, why);
		xml_free(root);
		aws_response_free(&rs);
		free(resource);
		return -1;
	}
	for (e = root->child; e != NULL; e = e->next) {
		struct aws_s3_version *v;
		const char *s;
		bool marker = strcmp(e->name, "DeleteMarker") == 0;

		if (!marker && strcmp(e->name, "Version") != 0)
			continue;
		/* A prefix lists longer keys too: keep exactly key. */
		s = xml_text(e, "Key");
		if (s == NULL || strcmp(s, key) != 0)
			continue;
		if (out->n == cap) {
			cap = cap ? 2 * cap : 8;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		v = &out->v[out->n++];
		memset(v, 0, sizeof(*v));
		v->delete_marker = marker;
		s = xml_text(e, "VersionId");
		v->version_id = xstrdup(s ? s : "null");
		s = xml_text(e, "ETag");
		v->etag = s ? xstrdup(s) : NULL;
		s = xml_text(e, "LastModified");
		v->last_modified = s ? xstrdup(s) : NULL;
		s = xml_text(e, "Size");
		v->size = s ? atoll(s) : 0;
		s = xml_text(e, "IsLatest");
		v->latest = s != NULL && strcmp(s, "true") == 0;
	}
	xml_free(root);
	aws_response_free(&rs);
	free(resource);
	return 0;
}

int aws_s3_list_keys(struct aws_client *a, const char *region,
		     const char *bucket, char ***keys, bool *truncated,
		     char *msg, size_t msgsize)
{
	struct aws_request rq;
	struct aws_response rs;
	char *path = aws_s3_path(bucket, NULL);
	char *resource = xasprintf("s3://%s", bucket);
	const struct xml *e;
	struct xml *root;
	size_t n = 0;
	const char *s;
	int rc;

	*keys = xcalloc(1, sizeof(char *));
	*truncated = false;
	aws_s3_request(&rq, region, "GET", "S3 ListObjectsV2", resource);
	rq.path = path;
	rq.query = "list-type=2";
	rc = aws_call(a, &rq, &rs, msg, msgsize);
	free(path);
	if (rc < 0) {
		free(resource);
		return -1;
	}
	root = xml_parse(rs.body, rs.len, msg, msgsize);
	if (root == NULL || strcmp(root->name, "ListBucketResult") != 0) {
		snprintf(msg, msgsize,
			 "S3 ListObjectsV2 %s: the answer does not parse",
			 resource);
		xml_free(root);
		aws_response_free(&rs);
		free(resource);
		return -1;
	}
	for (e = root->child; e != NULL; e = e->next) {
		if (strcmp(e->name, "Contents") != 0 ||
		    (s = xml_text(e, "Key")) == NULL)
			continue;
		*keys = xrealloc(*keys, (n + 2) * sizeof(char *));
		(*keys)[n++] = xstrdup(s);
		(*keys)[n] = NULL;
	}
	s = xml_text(root, "IsTruncated");
	*truncated = s != NULL && strcmp(s, "true") == 0;
	xml_free(root);
	aws_response_free(&rs);
	free(resource);
	return 0;
}

void aws_s3_object_free(struct aws_s3_object *o)
{
	free(o->body);
	free(o->etag);
	free(o->version_id);
	free(o->last_modified);
	memset(o, 0, sizeof(*o));
}

void aws_s3_versions_free(struct aws_s3_versions *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].version_id);
		free(v->v[i].etag);
		free(v->v[i].last_modified);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}
