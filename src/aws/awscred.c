#include "aws/awscred.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "aws/awshttp.h"
#include "aws/awsini.h"
#include "aws/credsrc.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xalloc.h"

#define IMDS_DEFAULT   "http://169.254.169.254"
#define IMDS_TOKEN_TTL "21600"
#define IMDS_MAX       ((size_t)64 << 10)

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

/* ---- profiles: keys, roles, web identity, SSO, credential_process ---- */

/* The two shared files of one lookup, read once. */
struct awscred_files {
	char *cfg, *cfg_path;   /* ~/.aws/config */
	char *cred, *cred_path; /* ~/.aws/credentials */
};

static void awscred_files_read(struct awscred_files *fs)
{
	fs->cfg = awsini_file("AWS_CONFIG_FILE", "config", &fs->cfg_path);
	fs->cred = awsini_file("AWS_SHARED_CREDENTIALS_FILE", "credentials",
			       &fs->cred_path);
}

static void awscred_files_free(struct awscred_files *fs)
{
	if (fs->cfg != NULL)
		awscred_wipe(fs->cfg);
	if (fs->cred != NULL)
		awscred_wipe(fs->cred);
	free(fs->cfg_path);
	free(fs->cred_path);
}

/* c from a credsrc answer (which is emptied). */
static void awscred_take(struct aws_creds *c, struct credsrc_out *o)
{
	c->key_id = o->key_id;
	c->secret = o->secret;
	c->token = o->token;
	c->expires_ms = o->expires_ms;
	memset(o, 0, sizeof(*o));
}

static void awscred_give(const struct aws_creds *c, struct credsrc_out *o)
{
	o->key_id = xstrdup(c->key_id);
	o->secret = xstrdup(c->secret);
	o->token = c->token ? xstrdup(c->token) : NULL;
	o->expires_ms = c->expires_ms;
}

/* Static keys of profile in the credentials file, else the config's. */
static bool awscred_static_keys(const struct awscred_files *fs,
				const char *profile, struct aws_creds *c)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		const char *t = pass == 0 ? fs->cred : fs->cfg;

		if (t == NULL)
			continue;
		if (pass == 0) {
			c->key_id = awsini_get(t, profile, "aws_access_key_id");
			c->secret =
			    awsini_get(t, profile, "aws_secret_access_key");
			c->token = awsini_get(t, profile, "aws_session_token");
		} else {
			c->key_id =
			    awsini_section_get(t, profile, "aws_access_key_id");
			c->secret = awsini_section_get(t, profile,
						       "aws_secret_access_key");
			c->token =
			    awsini_section_get(t, profile, "aws_session_token");
		}
		if (c->key_id != NULL && c->secret != NULL)
			return true;
		awscred_free(c);
	}
	return false;
}

static int awscred_from_imds(struct aws_creds *c, char *msg, size_t msgsize);
static int awscred_profile_load(const struct awscred_files *fs,
				const char *profile, int depth,
				struct aws_creds *c, char *msg, size_t msgsize);

/* The region STS is asked in: the profile's, the environment's, else
 * us-east-1 (STS answers in every region). New string. */
static char *awscred_sts_region(const struct awscred_files *fs,
				const char *profile)
{
	char *r = awsini_section_get(fs->cfg, profile, "region");
	const char *e = getenv("AWS_REGION");

	if (r != NULL)
		return r;
	if (e == NULL || *e == '\0')
		e = getenv("AWS_DEFAULT_REGION");
	return xstrdup(e != NULL && *e ? e : "us-east-1");
}

/* The profile assumes role_arn: from a source profile, a credential
 * source, or a web identity token. */
static int awscred_role(const struct awscred_files *fs, const char *profile,
			int depth, const char *role_arn, struct aws_creds *c,
			char *msg, size_t msgsize)
{
	char *wit =
	    awsini_section_get(fs->cfg, profile, "web_identity_token_file");
	char *src = awsini_section_get(fs->cfg, profile, "source_profile");
	char *csrc = awsini_section_get(fs->cfg, profile, "credential_source");
	char *sess = awsini_section_get(fs->cfg, profile, "role_session_name");
	char *ext = awsini_section_get(fs->cfg, profile, "external_id");
	char *dur = awsini_section_get(fs->cfg, profile, "duration_seconds");
	char *region = awscred_sts_region(fs, profile);
	struct credsrc_role r = {.role_arn = role_arn,
				 .session_name = sess,
				 .external_id = ext,
				 .duration_s = dur ? atol(dur) : 0,
				 .region = region};
	struct credsrc_out from = {0}, got = {0};
	struct aws_creds base = {0};
	int rc = -1;

	if (wit != NULL) {
		rc = credsrc_web_identity(&r, wit, &got, msg, msgsize);
	} else if (src != NULL) {
		/* A profile may name itself: its own keys assume the role. */
		int found;

		if (strcmp(src, profile) == 0) {
			found = awscred_static_keys(fs, src, &base) ? 1 : 0;
		} else if (depth >= 5) {
			snprintf(msg, msgsize,
				 "%s: profile %s: source_profile chain too "
				 "long (a loop?)",
				 fs->cfg_path, profile);
			found = -1;
		} else {
			found = awscred_profile_load(fs, src, depth + 1, &base,
						     msg, msgsize);
		}
		if (found == 0)
			snprintf(msg, msgsize,
				 "%s: [profile %s] source_profile = %s: that "
				 "profile has no credentials",
				 fs->cfg_path, profile, src);
		if (found > 0) {
			awscred_give(&base, &from);
			rc = credsrc_assume_role(&from, &r, &got, msg, msgsize);
		}
	} else if (csrc != NULL) {
		int found = -1;

		if (strcmp(csrc, "Environment") == 0) {
			const char *k = getenv("AWS_ACCESS_KEY_ID");
			const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
			const char *t = getenv("AWS_SESSION_TOKEN");

			if (k != NULL && *k && sk != NULL && *sk) {
				from.key_id = xstrdup(k);
				from.secret = xstrdup(sk);
				from.token = t && *t ? xstrdup(t) : NULL;
				found = 1;
			} else {
				snprintf(msg, msgsize,
					 "%s: [profile %s] credential_source "
					 "= Environment: no AWS_ACCESS_KEY_ID "
					 "and AWS_SECRET_ACCESS_KEY",
					 fs->cfg_path, profile);
			}
		} else if (strcmp(csrc, "Ec2InstanceMetadata") == 0) {
			if (awscred_from_imds(&base, msg, msgsize) == 0) {
				awscred_give(&base, &from);
				found = 1;
			}
		} else if (strcmp(csrc, "EcsContainer") == 0) {
			found = credsrc_container(&from, msg, msgsize) == 0;
			if (!found && from.key_id == NULL && msg[0] == '\0')
				snprintf(msg, msgsize,
					 "%s: [profile %s] credential_source "
					 "= EcsContainer: not in a container",
					 fs->cfg_path, profile);
		} else {
			snprintf(msg, msgsize,
				 "%s: [profile %s] credential_source = %s: "
				 "bvops knows Environment, Ec2InstanceMetadata "
				 "and EcsContainer",
				 fs->cfg_path, profile, csrc);
		}
		if (found > 0)
			rc = credsrc_assume_role(&from, &r, &got, msg, msgsize);
	} else {
		snprintf(msg, msgsize,
			 "%s: [profile %s] role_arn = %s needs source_profile, "
			 "credential_source or web_identity_token_file",
			 fs->cfg_path, profile, role_arn);
	}
	if (rc == 0) {
		awscred_take(c, &got);
		snprintf(c->source, sizeof(c->source), "profile %s (role %s)",
			 profile, role_arn);
	}
	credsrc_out_free(&from);
	credsrc_out_free(&got);
	awscred_free(&base);
	free(wit);
	free(src);
	free(csrc);
	free(sess);
	free(ext);
	free(dur);
	free(region);
	return rc == 0 ? 1 : -1;
}

/* AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (EKS's IRSA). 0: not set. */
static int awscred_env_web_identity(struct aws_creds *c, char *msg,
				    size_t msgsize)
{
	const char *arn = getenv("AWS_ROLE_ARN");
	const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *sess = getenv("AWS_ROLE_SESSION_NAME");
	const char *region = getenv("AWS_REGION");
	struct credsrc_out got = {0};
	struct credsrc_role r;

	if (arn == NULL || !*arn || file == NULL || !*file)
		return 0;
	if (region == NULL || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	r = (struct credsrc_role){.role_arn = arn,
				  .session_name = sess && *sess ? sess : NULL,
				  .region = region && *region ? region : NULL};
	if (credsrc_web_identity(&r, file, &got, msg, msgsize) < 0)
		return -1;
	awscred_take(c, &got);
	snprintf(c->source, sizeof(c->source), "web identity (role %s)", arn);
	return 1;
}

/* The profile's IAM Identity Center settings, from an [sso-session] or
 * the profile itself (legacy). */
static int awscred_sso(const struct awscred_files *fs, const char *profile,
		       struct aws_creds *c, char *msg, size_t msgsize)
{
	char *session = awsini_section_get(fs->cfg, profile, "sso_session");
	char *sect = session ? xasprintf("sso-session %s", session) : NULL;
	char *url = sect
			? awsini_get(fs->cfg, sect, "sso_start_url")
			: awsini_section_get(fs->cfg, profile, "sso_start_url");
	char *region = sect
			   ? awsini_get(fs->cfg, sect, "sso_region")
			   : awsini_section_get(fs->cfg, profile, "sso_region");
	char *acct = awsini_section_get(fs->cfg, profile, "sso_account_id");
	char *role = awsini_section_get(fs->cfg, profile, "sso_role_name");
	const char *missing = url == NULL      ? "sso_start_url"
			      : region == NULL ? "sso_region"
			      : acct == NULL   ? "sso_account_id"
			      : role == NULL   ? "sso_role_name"
					       : NULL;
	struct credsrc_out got = {0};
	int rc = -1;

	if (missing != NULL) {
		/* The start URL and region belong to the [sso-session]. */
		bool in_session =
		    sect != NULL && (url == NULL || region == NULL);

		snprintf(msg, msgsize, "%s: [%s%s] has no %s", fs->cfg_path,
			 in_session ? "" : "profile ",
			 in_session ? sect : profile, missing);
	} else {
		struct credsrc_sso s = {.session = session,
					.start_url = url,
					.region = region,
					.account_id = acct,
					.role_name = role};

		rc = credsrc_sso(&s, &got, msg, msgsize);
	}
	if (rc == 0) {
		awscred_take(c, &got);
		snprintf(c->source, sizeof(c->source),
			 "profile %s (SSO %s, %s)", profile, acct, role);
	}
	free(session);
	free(sect);
	free(url);
	free(region);
	free(acct);
	free(role);
	return rc == 0 ? 1 : -1;
}

/*
 * Profile's credentials, in the SDKs' order: a role it assumes, a web
 * identity from the environment, IAM Identity Center, keys in the
 * credentials file, credential_process, keys in the config file. 1: found,
 * 0: the profile has none, -1: it has some that do not work (msg).
 */
static int awscred_profile_load(const struct awscred_files *fs,
				const char *profile, int depth,
				struct aws_creds *c, char *msg, size_t msgsize)
{
	char *role = awsini_section_get(fs->cfg, profile, "role_arn");
	char *proc = NULL, *sso = NULL, *sso_url = NULL;
	int rc;

	if (role != NULL) {
		rc = awscred_role(fs, profile, depth, role, c, msg, msgsize);
		free(role);
		return rc;
	}
	if (depth == 0 && (rc = awscred_env_web_identity(c, msg, msgsize)) != 0)
		return rc;
	sso = awsini_section_get(fs->cfg, profile, "sso_session");
	sso_url = awsini_section_get(fs->cfg, profile, "sso_start_url");
	if (sso != NULL || sso_url != NULL) {
		free(sso);
		free(sso_url);
		return awscred_sso(fs, profile, c, msg, msgsize);
	}
	if (awscred_static_keys(fs, profile, c)) {
		snprintf(c->source, sizeof(c->source), "profile %s", profile);
		return 1;
	}
	proc = fs->cred ? awsini_get(fs->cred, profile, "credential_process")
			: NULL;
	if (proc == NULL)
		proc =
		    awsini_section_get(fs->cfg, profile, "credential_process");
	if (proc != NULL) {
		struct credsrc_out got = {0};
		char why[400];

		rc = credsrc_process(proc, &got, why, sizeof(why));
		free(proc);
		if (rc < 0) {
			snprintf(msg, msgsize, "profile %s: %s", profile, why);
			return -1;
		}
		awscred_take(c, &got);
		snprintf(c->source, sizeof(c->source),
			 "profile %s (credential_process)", profile);
		return 1;
	}
	return 0;
}

static char *awscred_cli_profile; /* --profile; set once, before threads */

void awscred_set_default_profile(const char *profile)
{
	free(awscred_cli_profile);
	awscred_cli_profile = profile ? xstrdup(profile) : NULL;
}

const char *awscred_default_profile(void)
{
	return awscred_cli_profile;
}

/* Named profile alone: 0, or -1 with a message naming it. */
static int awscred_named_profile(const char *profile, struct aws_creds *c,
				 char *msg, size_t msgsize)
{
	struct awscred_files fs = {0};
	char why[600] = "";
	int rc;

	awscred_files_read(&fs);
	rc = awscred_profile_load(&fs, profile, 0, c, why, sizeof(why));
	if (rc == 0)
		snprintf(msg, msgsize,
			 "profile %s: no such profile with credentials in %s "
			 "or %s",
			 profile, fs.cred_path, fs.cfg_path);
	else if (rc < 0)
		snprintf(msg, msgsize, "profile %s: %s", profile, why);
	awscred_files_free(&fs);
	return rc > 0 ? 0 : -1;
}

/* 1: found in the profile, 0: not there, -1: there but unusable. */
static int awscred_from_profile(struct aws_creds *c, char *msg, size_t msgsize)
{
	const char *profile = awsini_profile();
	struct awscred_files fs = {0};
	int rc;

	awscred_files_read(&fs);
	rc = awscred_profile_load(&fs, profile, 0, c, msg, msgsize);
	if (rc == 0 && strcmp(profile, "default") != 0) {
		snprintf(msg, msgsize,
			 "AWS_PROFILE=%s: no such profile with credentials in "
			 "%s or %s",
			 profile, fs.cred_path, fs.cfg_path);
		rc = -1;
	}
	awscred_files_free(&fs);
	return rc;
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
	curl_easy_setopt(h, CURLOPT_USERAGENT, awshttp_user_agent());
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
		if (rc == CURLE_OPERATION_TIMEDOUT &&
		    strcmp(method, "PUT") == 0)
			/* The PUT's answer is dropped one hop out: a container
			 * on the instance needs a hop limit of 2. */
			snprintf(msg, msgsize,
				 "instance metadata (%s): no token within 2 s; "
				 "in a container, the instance's metadata hop "
				 "limit may be 1 (aws ec2 "
				 "modify-instance-metadata-options "
				 "--http-put-response-hop-limit 2)",
				 base);
		else if (rc != CURLE_OK)
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

/*
 * One IMDSv2 token for the process, reused until shortly before its TTL
 * runs out (as the SDKs do): one PUT, then only GETs. Guarded: the engine
 * thread and the AWS worker both read metadata.
 */
static struct {
	pthread_mutex_t lock;
	char *token;
	char base[256];
	int64_t until_ms; /* monotonic */
} imds_token = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The token for base: the cached one, else a new one. New string. */
static char *awscred_imds_token(const char *base, char *msg, size_t msgsize)
{
	char *t = NULL;

	pthread_mutex_lock(&imds_token.lock);
	if (imds_token.token != NULL && strcmp(imds_token.base, base) == 0 &&
	    clock_mono_ms() < imds_token.until_ms) {
		t = xstrdup(imds_token.token);
	} else {
		awscred_wipe(imds_token.token);
		imds_token.token = NULL;
		t = awscred_imds_call(base, "PUT", "/latest/api/token",
				      "X-aws-ec2-metadata-token-ttl-seconds"
				      ": " IMDS_TOKEN_TTL,
				      msg, msgsize);
		if (t != NULL) {
			imds_token.token = xstrdup(t);
			snprintf(imds_token.base, sizeof(imds_token.base), "%s",
				 base);
			/* A minute before the TTL, a new one. */
			imds_token.until_ms =
			    clock_mono_ms() +
			    (atol(IMDS_TOKEN_TTL) - 60) * (int64_t)1000;
		}
	}
	pthread_mutex_unlock(&imds_token.lock);
	return t;
}

static void awscred_imds_token_drop(void)
{
	pthread_mutex_lock(&imds_token.lock);
	awscred_wipe(imds_token.token);
	imds_token.token = NULL;
	pthread_mutex_unlock(&imds_token.lock);
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
		char *b = xstrndup(base, len);
		int tries;

		out = NULL;
		for (tries = 0; tries < 2 && out == NULL; tries++) {
			char *token = awscred_imds_token(b, msg, msgsize);
			char *header;

			if (token == NULL)
				break;
			header =
			    xasprintf("X-aws-ec2-metadata-token: %s", token);
			awscred_wipe(token);
			out = awscred_imds_call(b, "GET", path, header, msg,
						msgsize);
			awscred_wipe(header);
			/* Refused: the token may have gone (a restart of the
			 * service); one new one, once. */
			if (out == NULL && strstr(msg, "HTTP 401") != NULL)
				awscred_imds_token_drop();
			else
				break;
		}
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
	role = awsini_trim(roles);
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
	if (awscred_cli_profile != NULL)
		return awscred_named_profile(awscred_cli_profile, c, msg,
					     msgsize);
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
	{
		struct credsrc_out got = {0};

		rc = credsrc_container(&got, msg, msgsize);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			awscred_take(c, &got);
			snprintf(c->source, sizeof(c->source), "container");
			return 0;
		}
	}
	if (awscred_from_imds(c, why, sizeof(why)) == 0)
		return 0;
	snprintf(msg, msgsize,
		 "no AWS credentials: none in the environment "
		 "(AWS_ACCESS_KEY_ID), no profile \"%s\" with keys, and no "
		 "instance role (%s)",
		 awsini_profile(), why);
	return -1;
}

void awscred_identity_describe(const struct aws_identity *id, char *out,
			       size_t size)
{
	if (id == NULL || (id->profile == NULL && id->role_arn == NULL)) {
		if (awscred_default_profile() != NULL)
			snprintf(out, size, "profile %s",
				 awscred_default_profile());
		else
			snprintf(out, size, "the default chain");
	} else if (id->role_arn == NULL)
		snprintf(out, size, "profile %s", id->profile);
	else if (id->profile != NULL)
		snprintf(out, size, "role %s from profile %s", id->role_arn,
			 id->profile);
	else if (awscred_default_profile() != NULL)
		snprintf(out, size, "role %s from profile %s", id->role_arn,
			 awscred_default_profile());
	else
		snprintf(out, size, "role %s", id->role_arn);
}

void awscred_copy(struct aws_creds *to, const struct aws_creds *from)
{
	*to = *from;
	to->key_id = from->key_id ? xstrdup(from->key_id) : NULL;
	to->secret = from->secret ? xstrdup(from->secret) : NULL;
	to->token = from->token ? xstrdup(from->token) : NULL;
}

int awscred_load_as(const struct aws_identity *id, struct aws_creds *c,
		    char *msg, size_t msgsize)
{
	char who[400], why[600];
	struct aws_creds base = {0};
	struct credsrc_out from = {0}, got = {0};
	int rc;

	if (id == NULL || (id->profile == NULL && id->role_arn == NULL))
		return awscred_load(c, msg, msgsize);
	memset(c, 0, sizeof(*c));
	awscred_identity_describe(id, who, sizeof(who));
	rc = id->profile
		 ? awscred_named_profile(id->profile, &base, why, sizeof(why))
		 : awscred_load(&base, why, sizeof(why));
	if (rc < 0) {
		/* A profile's failure names it already. */
		if (id->profile != NULL)
			snprintf(msg, msgsize, "%s", why);
		else
			snprintf(msg, msgsize, "%s: %s", who, why);
		awscred_free(&base);
		return -1;
	}
	if (id->role_arn == NULL) {
		*c = base;
		return 0;
	}
	{
		char region[64] = "us-east-1", rwhy[200];
		struct credsrc_role r = {.role_arn = id->role_arn,
					 .external_id = id->external_id,
					 .region = region};

		if (awscred_region(NULL, region, sizeof(region), rwhy,
				   sizeof(rwhy)) < 0)
			snprintf(region, sizeof(region), "us-east-1");
		awscred_give(&base, &from);
		rc = credsrc_assume_role(&from, &r, &got, why, sizeof(why));
	}
	if (rc == 0) {
		awscred_take(c, &got);
		snprintf(c->source, sizeof(c->source), "%.159s", who);
	} else {
		snprintf(msg, msgsize, "%s: %s", who, why);
	}
	credsrc_out_free(&from);
	credsrc_out_free(&got);
	awscred_free(&base);
	return rc == 0 ? 0 : -1;
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
	r = awsini_config_get(awsini_profile(), "region");
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
		snprintf(out, size, "%s", awsini_trim(r));
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
