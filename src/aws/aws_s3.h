/*
 * aws_s3: the S3 calls bvops needs for config objects: GetObject (latest
 * or one version), HeadObject, PutObject with If-Match/If-None-Match,
 * ListObjectVersions for one key and ListObjectsV2 of a bucket. Path-style
 * addressing (/bucket/key), which works with real S3 and with local endpoints
 * alike.
 *
 * Every returned string and struct is the caller's (aws_s3_object_free,
 * aws_s3_versions_free).
 */
#ifndef BVOPS_AWS_S3_H
#define BVOPS_AWS_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/aws.h"

struct aws_s3_object {
	char *body; /* NUL-terminated; NULL for HeadObject */
	size_t len;
	char *etag;          /* with its quotes, as S3 sends it */
	char *version_id;    /* NULL when the bucket is not versioned */
	char *last_modified; /* HTTP date, or NULL */
};

struct aws_s3_version {
	char *version_id;
	char *etag;
	char *last_modified; /* ISO 8601 */
	long long size;
	bool latest;
	bool delete_marker;
};

struct aws_s3_versions {
	struct aws_s3_version *v; /* newest first, as S3 lists them */
	size_t n;
};

/*
 * GetObject (version NULL: the latest) or, with head, HeadObject.
 * Returns 0, or -1 with a message naming s3://bucket/key and AWS's error.
 */
int aws_s3_get(struct aws_client *a, const char *region, const char *bucket,
	       const char *key, const char *version, bool head,
	       struct aws_s3_object *out, char *msg, size_t msgsize);

/*
 * GetObject of the latest version unless its ETag is still etag (NULL:
 * always): 0 with the object in *out, 1 when it has not changed (a 304:
 * *out is empty), 2 when there is no such object (*out empty), or -1
 * with a message.
 */
int aws_s3_get_if_changed(struct aws_client *a, const char *region,
			  const char *bucket, const char *key, const char *etag,
			  struct aws_s3_object *out, char *msg, size_t msgsize);

/*
 * PutObject. if_match: only if the object's ETag is still that one
 * (S3 answers 412 otherwise: -2 is returned, so a caller can tell "changed
 * under you" from other failures); if_none_match_any: only if there is no
 * object yet (also -2 when there is). On success the new ETag and version
 * are in *out (body NULL). A 412 over an object that holds exactly body
 * is a success: the put was applied and its answer lost (a 5xx retried),
 * or someone put the same bytes; *out then has the object's ETag and
 * version as read back.
 */
int aws_s3_put(struct aws_client *a, const char *region, const char *bucket,
	       const char *key, const char *body, size_t len,
	       const char *content_type, const char *if_match,
	       bool if_none_match_any, struct aws_s3_object *out, char *msg,
	       size_t msgsize);

/* A new object (never over one: -2 when it exists) with tags: tagging is
 * URL-encoded "k=v&k2=v2" (keys and values of letters, digits, "-_."). */
int aws_s3_put_tagged(struct aws_client *a, const char *region,
		      const char *bucket, const char *key, const char *body,
		      size_t len, const char *content_type, const char *tagging,
		      struct aws_s3_object *out, char *msg, size_t msgsize);

/* ListObjectVersions of exactly key (at most 1000 versions). */
int aws_s3_list_versions(struct aws_client *a, const char *region,
			 const char *bucket, const char *key,
			 struct aws_s3_versions *out, char *msg,
			 size_t msgsize);

/* ListObjectsV2 of the bucket's first 1000 keys: a NULL-terminated array
 * of new strings (free each, then the array); *truncated when there were
 * more. */
int aws_s3_list_keys(struct aws_client *a, const char *region,
		     const char *bucket, char ***keys, bool *truncated,
		     char *msg, size_t msgsize);

void aws_s3_object_free(struct aws_s3_object *o);
void aws_s3_versions_free(struct aws_s3_versions *v);

#endif
