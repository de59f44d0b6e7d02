/*
 * s3name: S3's naming rules, checked before a name from the outside (a
 * fleet file, an SSM parameter) goes into a request's path, so a bad one
 * is named for what it is instead of failing on its signature.
 *
 * Owns nothing.
 */
#ifndef BVOPS_S3NAME_H
#define BVOPS_S3NAME_H

#include <stdbool.h>
#include <stddef.h>

/* A general purpose bucket's name: 3 to 63 of [a-z0-9.-], a letter or
 * digit at both ends, no "..", not an IP address, none of AWS's reserved
 * prefixes and suffixes. false with why (may be NULL). */
bool s3name_bucket_ok(const char *name, char *why, size_t wsize);

/* A key prefix bvops writes under: [A-Za-z0-9._-] in parts of at most 200
 * bytes joined by single '/', none "." or "..", at most 300 bytes in all
 * ("" is allowed). false with why (may be NULL). */
bool s3name_prefix_ok(const char *prefix, char *why, size_t wsize);

/*
 * "s3://BUCKET" or "s3://BUCKET/PREFIX" (a trailing '/' allowed) into
 * bucket and prefix (without '/' at either end). 0, or -1 with why.
 */
int s3name_url_parse(const char *url, char *bucket, size_t bsize, char *prefix,
		     size_t psize, char *why, size_t wsize);

#endif
