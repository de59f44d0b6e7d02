#include "aws/awscred.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

#define IMDS_DEFAULT     "http://169.254.169.254"
#define IMDS_TOKEN_TTL   "21600"
#define IMDS_MAX         ((size_t)64 << 10)
#define AWSCRED_FILE_MAX ((size_t)1 << 20)

static void awscred_wipe(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void awscred_free(struct aws_creds *c)
{
	free(c->key_id);
	awscred_wipe(c->secret);
	awscred_wipe(c->token);
	memset(c, 0, sizeof(*c));
}

bool awscred_stale(const struct aws_creds *c, int64_t now_ms)
{
	return c->expires_ms != 0 &&
	       c->expires_ms - now_ms < (int64_t)5 * 60 * 1000;
}

/* --- the shared files: INI with [section] and key = value ------------- */

/* The file at $env or ~/.aws/name, read whole (bounded); NULL if none. */
static char *awscred_file(const char *env, const char *name, char **path)
{
	const char *e = getenv(env), *home = getenv("HOME");
	struct buf b;
	FILE *fp;
	char chunk[4096];
	size_t n;

	*path = e != NULL && *e
		    ? xstrdup(e)
		    : xasprintf("%s/.aws/%s", home ? home : "", name);
	fp = fopen(*path, "r");
	if (fp == NULL)
		return NULL;
	buf_init(&b, AWSCRED_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, n) < 0)
			break;
	fclose(fp);
	return buf_take(&b, NULL);
}

/* Trim spaces at both ends, in place. */
static char *awscred_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * key's value in [section] of INI text (a new string), or NULL. Comments
 * start with # or ;, keys and section names are compared exactly, the
 * first value wins; nested (indented) settings are skipped.
 */
char *awscred_ini_get(const char *text, const char *section, const char *key)
{
	const char *p = text;
	bool in = false;
	char line[1024];

	while (p != NULL && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *l, *eq;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* a nested setting (s3 = ...) */
		l = awscred_trim(line);
		if (*l == '#' || *l == ';' || *l == '\0')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');

			if (close == NULL)
				continue;
			*close = '\0';
			in = strcmp(awscred_trim(l + 1), section) == 0;
			continue;
		}
		eq = strchr(l, '=');
		if (!in || eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(awscred_trim(l), key) == 0)
			return xstrdup(awscred_trim(eq + 1));
	}
	return NULL;
}

static const char *awscred_profile(void)
{
	const char *p = getenv("AWS_PROFILE");

	return p != NULL && *p ? p : "default";
}

/* A setting of the profile in ~/.aws/config ([profile X], or [default]). */
static char *awscred_config_get(const char *profile, const char *key)
{
	char *path, *text = awscred_file("AWS_CONFIG_FILE", "config", &path);
	char *section = strcmp(profile, "default") == 0
			    ? xstrdup("default")
			    : xasprintf("profile %s", profile);
	char *v = text ? awscred_ini_get(text, section, key) : NULL;

	free(section);
	free(path);
	if (text != NULL)
		awscred_wipe(text);
	return v;
}

/* 1: found in the profile, 0: not there, -1: there but unusable. */
static int awscred_from_profile(struct aws_creds *c, char *msg, size_t msgsize)
{
	const char *profile = awscred_profile();
	char *path, *text = awscred_file("AWS_SHARED_CREDENTIALS_FILE",
					 "credentials", &path);
	char *role;

	if (text != NULL) {
		c->key_id = awscred_ini_get(text, profile, "aws_access_key_id");
		c->secret =
		    awscred_ini_get(text, profile, "aws_secret_access_key");
		c->token = awscred_ini_get(text, profile, "aws_session_token");
		awscred_wipe(text);
	}
	free(path);
	if (c->key_id == NULL || c->secret == NULL) {
		/* Keys may also stand in the config file. */
		awscred_free(c);
		c->key_id = awscred_config_get(profile, "aws_access_key_id");
		c->secret =
		    awscred_config_get(profile, "aws_secret_access_key");
		c->token = awscred_config_get(profile, "aws_session_token");
	}
	if (c->key_id != NULL && c->secret != NULL) {
		snprintf(c->source, sizeof(c->source), "profile %s", profile);
		return 1;
	}
	awscred_free(c);
	role = awscred_config_get(profile, "role_arn");
	if (role != NULL) {
		snprintf(msg, msgsize,
			 "profile %s assumes role %s: bvops does not assume "
			 "roles in this version; export the role's credentials "
			 "first (aws configure export-credentials --profile %s "
			 "--format env)",
			 profile, role, profile);
		free(role);
		return -1;
	}
	if (strcmp(profile, "default") != 0) {
		snprintf(msg, msgsize,
			 "AWS_PROFILE=%s: no such profile with keys in "
			 "~/.aws/credentials or ~/.aws/config",
			 profile);
		return -1;
	}
	return 0;
}

/* --- IMDSv2 ------------------------------------------------------------ */

static size_t awscred_write(char *data, size_t size, size_t n, void *ctx)
{
	return buf_append(ctx, data, size * n) < 0 ? 0 : size * n;
}

/* One IMDS request; the body, or NULL with a message. */
static char *awscred_imds_call(const char *base, const char *method,
			       const char *path, const char *token_header,
			       char *msg, size_t msgsize)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char *url = xasprintf("%s%s", base, path);
	struct buf b;
	long code = 0;
	CURLcode rc;

	if (h == NULL) {
		snprintf(msg, msgsize, "cannot start libcurl");
		free(url);
		return NULL;
	}
	buf_init(&b, IMDS_MAX);
	hdr = curl_slist_append(hdr, token_header);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, awscred_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); /* IMDS is link-local */
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK || code != 200) {
		if (rc != CURLE_OK)
			snprintf(msg, msgsize,
				 "instance metadata (%s): %s %s: %s", base,
				 method, path, curl_easy_strerror(rc));
		else
			snprintf(msg, msgsize,
				 "instance metadata (%s): %s %s: HTTP %ld",
				 base, method, path, code);
		buf_free(&b);
		free(url);
		return NULL;
	}
	free(url);
	return buf_take(&b, NULL);
}

char *awscred_imds_get(const char *path, char *msg, size_t msgsize)
{
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	char *out;
	size_t len;

	if (off != NULL && strcasecmp(off, "true") == 0) {
		snprintf(
		    msg, msgsize,
		    "instance metadata is off (AWS_EC2_METADATA_DISABLED)");
		return NULL;
	}
	if (base == NULL || *base == '\0')
		base = IMDS_DEFAULT;
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		len--;
	{
		char *b = xstrndup(base, len), *token, *header;

		token = awscred_imds_call(b, "PUT", "/latest/api/token",
					  "X-aws-ec2-metadata-token-ttl-seconds"
					  ": " IMDS_TOKEN_TTL,
					  msg, msgsize);
		if (token == NULL) {
			free(b);
			return NULL;
		}
		header = xasprintf("X-aws-ec2-metadata-token: %s", token);
		awscred_wipe(token);
		out = awscred_imds_call(b, "GET", path, header, msg, msgsize);
		awscred_wipe(header);
		free(b);
	}
	return out;
}

/* "2026-11-27T13:00:00Z" to wall-clock ms; 0 when it does not parse. */
static int64_t awscred_parse_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000;
}

static int awscred_from_imds(struct aws_creds *c, char *msg, size_t msgsize)
{
	static const char dir[] = "/latest/meta-data/iam/security-credentials/";
	char *roles = awscred_imds_get(dir, msg, msgsize), *role, *path, *doc;
	cJSON *j;
	const cJSON *k, *s, *t, *e;

	if (roles == NULL)
		return -1;
	role = awscred_trim(roles);
	role[strcspn(role, "\n")] = '\0';
	if (*role == '\0') {
		snprintf(msg, msgsize, "the instance has no IAM role");
		free(roles);
		return -1;
	}
	path = xasprintf("%s%s", dir, role);
	doc = awscred_imds_get(path, msg, msgsize);
	free(path);
	if (doc == NULL) {
		free(roles);
		return -1;
	}
	j = cJSON_ParseWithOpts(doc, NULL, 0);
	awscred_wipe(doc);
	k = cJSON_GetObjectItemCaseSensitive(j, "AccessKeyId");
	s = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
	t = cJSON_GetObjectItemCaseSensitive(j, "Token");
	e = cJSON_GetObjectItemCaseSensitive(j, "Expiration");
	if (!cJSON_IsString(k) || !cJSON_IsString(s) ||
	    k->valuestring == NULL || s->valuestring == NULL ||
	    (cJSON_IsString(t) && t->valuestring == NULL)) {
		snprintf(msg, msgsize,
			 "instance metadata: the credentials of role %s do not "
			 "parse (no AccessKeyId and SecretAccessKey)",
			 role);
		cJSON_Delete(j);
		free(roles);
		return -1;
	}
	c->key_id = xstrdup(k->valuestring);
	c->secret = xstrdup(s->valuestring);
	c->token = cJSON_IsString(t) ? xstrdup(t->valuestring) : NULL;
	c->expires_ms =
	    cJSON_IsString(e) ? awscred_parse_time(e->valuestring) : 0;
	snprintf(c->source, sizeof(c->source), "instance role %s", role);
	/* The secret's copy inside the tree goes with it. */
	memset(s->valuestring, 0, strlen(s->valuestring));
	if (cJSON_IsString(t))
		memset(t->valuestring, 0, strlen(t->valuestring));
	cJSON_Delete(j);
	free(roles);
	return 0;
}

/* A process that holds AWS secrets writes no core file. */
static void awscred_no_core(void)
{
	struct rlimit none = {0, 0};

	setrlimit(RLIMIT_CORE, &none);
}

int awscred_load(struct aws_creds *c, char *msg, size_t msgsize)
{
	const char *k = getenv("AWS_ACCESS_KEY_ID");
	const char *s = getenv("AWS_SECRET_ACCESS_KEY");
	const char *t = getenv("AWS_SESSION_TOKEN");
	char why[400];
	int rc;

	memset(c, 0, sizeof(*c));
	awscred_no_core();
	if (k != NULL && *k && s != NULL && *s) {
		c->key_id = xstrdup(k);
		c->secret = xstrdup(s);
		c->token = t != NULL && *t ? xstrdup(t) : NULL;
		snprintf(c->source, sizeof(c->source), "environment");
		return 0;
	}
	rc = awscred_from_profile(c, msg, msgsize);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (awscred_from_imds(c, why, sizeof(why)) == 0)
		return 0;
	snprintf(msg, msgsize,
		 "no AWS credentials: none in the environment "
		 "(AWS_ACCESS_KEY_ID), no profile \"%s\" with keys, and no "
		 "instance role (%s)",
		 awscred_profile(), why);
	return -1;
}

int awscred_region(const char *fleet_region, char *out, size_t size, char *msg,
		   size_t msgsize)
{
	const char *env[] = {"AWS_REGION", "AWS_DEFAULT_REGION"};
	char *r, why[400];
	size_t k;

	for (k = 0; k < 2; k++) {
		const char *v = getenv(env[k]);

		if (v != NULL && *v) {
			snprintf(out, size, "%s", v);
			return 0;
		}
	}
	r = awscred_config_get(awscred_profile(), "region");
	if (r != NULL) {
		snprintf(out, size, "%s", r);
		free(r);
		return 0;
	}
	if (fleet_region != NULL && *fleet_region) {
		snprintf(out, size, "%s", fleet_region);
		return 0;
	}
	r = awscred_imds_get("/latest/meta-data/placement/region", why,
			     sizeof(why));
	if (r != NULL) {
		snprintf(out, size, "%s", awscred_trim(r));
		free(r);
		return 0;
	}
	snprintf(msg, msgsize,
		 "no AWS region: set AWS_REGION, a region in the profile, or "
		 "[fleet] region (instance metadata: %s)",
		 why);
	return -1;
}

bool awscred_arn_region(const char *s, char *out, size_t size)
{
	const char *p = s;
	int colon;

	if (strncmp(s, "arn:", 4) != 0)
		return false;
	/* arn:partition:service:region:account:resource */
	for (colon = 0; colon < 3; colon++) {
		p = strchr(p, ':');
		if (p == NULL)
			return false;
		p++;
	}
	if (*p == ':' || strchr(p, ':') == NULL)
		return false;
	snprintf(out, size, "%.*s", (int)(strchr(p, ':') - p), p);
	return true;
}
