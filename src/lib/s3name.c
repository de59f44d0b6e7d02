#include "lib/s3name.h"

#include <stdio.h>
#include <string.h>

static void s3name_why(char *why, size_t wsize, const char *text)
{
	if (why != NULL && wsize > 0)
		snprintf(why, wsize, "%s", text);
}

bool s3name_bucket_ok(const char *name, char *why, size_t wsize)
{
	static const char *const bad_prefix[] = {"xn--", "sthree-",
						 "amzn-s3-demo-", NULL};
	static const char *const bad_suffix[] = {"-s3alias", "--ol-s3", ".mrap",
						 "--x-s3", NULL};
	size_t len = name ? strlen(name) : 0, k, dots = 0;
	bool digits_only = true;

	if (len < 3 || len > 63) {
		s3name_why(why, wsize, "a bucket name has 3 to 63 characters");
		return false;
	}
	for (k = 0; k < len; k++) {
		char c = name[k];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-')) {
			s3name_why(why, wsize,
				   "a bucket name has only lower-case letters, "
				   "digits, '.' and '-'");
			return false;
		}
		if (c == '.')
			dots++;
		else if (c < '0' || c > '9')
			digits_only = false;
	}
	if (name[0] == '.' || name[0] == '-' || name[len - 1] == '.' ||
	    name[len - 1] == '-') {
		s3name_why(why, wsize,
			   "a bucket name starts and ends with a letter or "
			   "digit");
		return false;
	}
	if (strstr(name, "..") != NULL) {
		s3name_why(why, wsize, "a bucket name has no \"..\"");
		return false;
	}
	if (dots == 3 && digits_only) {
		s3name_why(why, wsize, "a bucket name is not an IP address");
		return false;
	}
	for (k = 0; bad_prefix[k] != NULL; k++)
		if (strncmp(name, bad_prefix[k], strlen(bad_prefix[k])) == 0) {
			s3name_why(why, wsize,
				   "a bucket name does not start with a "
				   "prefix AWS keeps for itself");
			return false;
		}
	for (k = 0; bad_suffix[k] != NULL; k++) {
		size_t sl = strlen(bad_suffix[k]);

		if (len >= sl && strcmp(name + len - sl, bad_suffix[k]) == 0) {
			s3name_why(why, wsize,
				   "a bucket name does not end with a suffix "
				   "AWS keeps for itself");
			return false;
		}
	}
	return true;
}

bool s3name_prefix_ok(const char *prefix, char *why, size_t wsize)
{
	size_t len = strlen(prefix), k, part = 0;

	if (len > 300) {
		s3name_why(why, wsize, "a prefix of at most 300 characters");
		return false;
	}
	for (k = 0; k <= len; k++) {
		char c = prefix[k];

		if (c == '/' || c == '\0') {
			if (len == 0)
				return true;
			if (part == 0 || (part == 1 && prefix[k - 1] == '.') ||
			    (part == 2 && prefix[k - 1] == '.' &&
			     prefix[k - 2] == '.')) {
				s3name_why(why, wsize,
					   "a prefix's parts are not empty, "
					   "\".\" or \"..\"");
				return false;
			}
			part = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-') ||
		    ++part > 200) {
			s3name_why(why, wsize,
				   "a prefix has only letters, digits, '.', "
				   "'_' and '-' between its '/'");
			return false;
		}
	}
	return true;
}

int s3name_url_parse(const char *url, char *bucket, size_t bsize, char *prefix,
		     size_t psize, char *why, size_t wsize)
{
	const char *p, *slash;
	size_t blen, plen;
	char b[64];

	if (url == NULL || strncmp(url, "s3://", 5) != 0) {
		s3name_why(why, wsize, "must look like \"s3://BUCKET/PREFIX\"");
		return -1;
	}
	p = url + 5;
	slash = strchr(p, '/');
	blen = slash ? (size_t)(slash - p) : strlen(p);
	if (blen >= sizeof(b)) {
		s3name_why(why, wsize, "a bucket name has 3 to 63 characters");
		return -1;
	}
	memcpy(b, p, blen);
	b[blen] = '\0';
	if (!s3name_bucket_ok(b, why, wsize))
		return -1;
	p = slash ? slash + 1 : "";
	plen = strlen(p);
	while (plen > 0 && p[plen - 1] == '/')
		plen--;
	if (plen >= psize || blen >= bsize) {
		s3name_why(why, wsize, "too long");
		return -1;
	}
	memcpy(prefix, p, plen);
	prefix[plen] = '\0';
	if (!s3name_prefix_ok(prefix, why, wsize))
		return -1;
	snprintf(bucket, bsize, "%s", b);
	return 0;
}
