/* credsrc: credential_process, STS, the container endpoint and SSO. */
#include "aws/credsrc.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/awshttp.h"
#include "aws/awsini.h"
#include "aws/awstrace.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/runcmd.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "lib/xml.h"

#define CS_ANSWER_MAX ((size_t)64 << 10)

static void cs_wipe(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void credsrc_out_free(struct credsrc_out *o)
{
	free(o->key_id);
	cs_wipe(o->secret);
	cs_wipe(o->token);
	memset(o, 0, sizeof(*o));
}

/* The three strings (and the expiry) of a JSON answer, under its own key
 * names; -1 when the two that must be there are not. */
static int cs_from_json(const cJSON *j, const char *kid, const char *ksec,
			const char *ktok, const char *kexp,
			struct credsrc_out *o)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, kid);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, ksec);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, ktok);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, kexp);

	if (!cJSON_IsString(k) || !cJSON_IsString(s) || !*k->valuestring ||
	    !*s->valuestring)
		return -1;
	o->key_id = xstrdup(k->valuestring);
	o->secret = xstrdup(s->valuestring);
	o->token = cJSON_IsString(t) && *t->valuestring
		       ? xstrdup(t->valuestring)
		       : NULL;
	if (cJSON_IsString(e))
		o->expires_ms = timefmt_iso8601_parse(e->valuestring);
	else if (cJSON_IsNumber(e)) /* SSO: milliseconds since the epoch */
		o->expires_ms = (int64_t)e->valuedouble;
	return 0;
}

/* Wipe the secrets' copies inside a parsed tree, then free it. */
static void cs_json_wipe(cJSON *j)
{
	cJSON *it;

	cJSON_ArrayForEach(it, j)
	{
		if (cJSON_IsString(it) && it->valuestring != NULL)
			memset(it->valuestring, 0, strlen(it->valuestring));
		else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			cs_json_wipe(it);
	}
}

static void cs_json_free(cJSON *j)
{
	if (j != NULL)
		cs_json_wipe(j);
	cJSON_Delete(j);
}

/* ---- credential_process ---- */

int credsrc_process(const char *command, struct credsrc_out *o, char *msg,
		    size_t msgsize)
{
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	char err[400];
	struct buf b;
	cJSON *j, *v;
	int rc;

	memset(o, 0, sizeof(*o));
	buf_init(&b, CS_ANSWER_MAX);
	rc = runcmd_capture(argv, 60000, &b, err, sizeof(err));
	if (rc != 0) {
		err[strcspn(err, "\n")] = '\0';
		if (rc > 0)
			snprintf(msg, msgsize,
				 "credential_process exited %d%s%s", rc,
				 err[0] ? ": " : "", err);
		else
			snprintf(msg, msgsize,
				 "credential_process could not run%s%s",
				 err[0] ? ": " : "", err);
		cs_wipe(buf_take(&b, NULL));
		return -1;
	}
	j = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
	cs_wipe(buf_take(&b, NULL));
	v = cJSON_GetObjectItemCaseSensitive(j, "Version");
	if (j == NULL || !cJSON_IsNumber(v) || v->valuedouble != 1) {
		snprintf(msg, msgsize,
			 "credential_process printed no JSON with \"Version\": "
			 "1");
		cs_json_free(j);
		return -1;
	}
	rc = cs_from_json(j, "AccessKeyId", "SecretAccessKey", "SessionToken",
			  "Expiration", o);
	cs_json_free(j);
	if (rc < 0)
		snprintf(msg, msgsize,
			 "credential_process printed no AccessKeyId and "
			 "SecretAccessKey");
	return rc;
}

/* ---- HTTP ---- */

static size_t cs_on_body(char *data, size_t size, size_t n, void *ctx)
{
	return buf_append(ctx, data, size * n) < 0 ? 0 : size * n;
}

struct cs_http {
	const char *method, *url;
	const char *const *headers; /* NULL-terminated; may be NULL */
	const char *body;           /* may be NULL */
	const char *sigv4;          /* "aws:amz:REGION:SERVICE", or NULL */
	const char *userpwd;        /* KEY:SECRET with sigv4 */
	long timeout_ms;
	/* For --debug (awstrace): "STS AssumeRole", what about, where; a
	 * call NULL is not AWS's (a container's endpoint) and not traced. */
	const char *call, *resource, *region;
};

static size_t cs_on_header(char *data, size_t size, size_t n, void *ctx)
{
	awstrace_request_id(data, size * n, ctx, 128);
	return size * n;
}

/* --debug's line for a credential call. */
static void cs_trace(const struct cs_http *rq, long code, CURLcode rc,
		     const char *request_id, int64_t ms)
{
	const char *host = strstr(rq->url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	char answer[160];

	if (rq->call == NULL || !awstrace_on())
		return;
	if (rc != CURLE_OK)
		snprintf(answer, sizeof(answer), "no answer: %s",
			 curl_easy_strerror(rc));
	else
		snprintf(answer, sizeof(answer), "HTTP %ld", code);
	awstrace_line("%s %s | %s %.*s | region %s | as the source "
		      "credentials | %s | request-id %s | attempt 1 | %lld ms",
		      rq->call, rq->resource ? rq->resource : "-", rq->method,
		      path ? (int)strcspn(path, "?") : 1, path ? path : "/",
		      rq->region ? rq->region : "-", answer,
		      request_id[0] ? request_id : "-", (long long)ms);
}

/* One request; the body (new string) and *code, or NULL with a message. */
static char *cs_http_do(const struct cs_http *rq, long *code, char *msg,
			size_t msgsize)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	struct buf b;
	CURLcode rc;
	char *ca, request_id[128] = "";
	int64_t t0 = clock_mono_ms();
	size_t k;

	*code = 0;
	if (h == NULL) {
		snprintf(msg, msgsize, "cannot start libcurl");
		return NULL;
	}
	buf_init(&b, CS_ANSWER_MAX);
	for (k = 0; rq->headers != NULL && rq->headers[k] != NULL; k++)
		hdr = curl_slist_append(hdr, rq->headers[k]);
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	ca = awsini_ca_bundle(); /* a credential call is rare: read here */
	awshttp_setup(h, ca);
	free(ca);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
	if (hdr != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (rq->sigv4 != NULL) {
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, rq->sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, rq->userpwd);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cs_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cs_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, request_id);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	cs_trace(rq, *code, rc, request_id, clock_mono_ms() - t0);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		snprintf(msg, msgsize, "%s: %s", rq->url,
			 curl_easy_strerror(rc));
		cs_wipe(buf_take(&b, NULL));
		return NULL;
	}
	{
		char *out = buf_take(&b, NULL);

		return out != NULL ? out : xstrdup("");
	}
}

/* ---- STS ---- */

/* STS's address: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else regional. */
static char *cs_sts_url(const char *region)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	const char *e = NULL;

	if (ignore == NULL || strcasecmp(ignore, "true") != 0) {
		e = getenv("AWS_ENDPOINT_URL_STS");
		if (e == NULL || *e == '\0')
			e = getenv("AWS_ENDPOINT_URL");
	}
	if (e != NULL && *e != '\0')
		return xasprintf("%s%s", e, e[strlen(e) - 1] == '/' ? "" : "/");
	return xasprintf("https://sts.%s.amazonaws.com/", region);
}

/* A form value, percent-encoded; new string. */
static char *cs_form(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *out;

	if (e == NULL)
		abort(); /* libcurl fails here only for want of memory */
	out = xstrdup(e);
	curl_free(e);
	return out;
}

/* The Credentials of an STS answer (action's Result), or -1 with STS's
 * own error. */
static int cs_sts_answer(const char *action, const char *role, long code,
			 const char *body, struct credsrc_out *o, char *msg,
			 size_t msgsize)
{
	char path[128], err[200];
	struct xml *x = xml_parse(body, strlen(body), err, sizeof(err));
	const char *k, *s, *t, *e;

	snprintf(path, sizeof(path), "%sResult/Credentials", action);
	if (x == NULL || code != 200) {
		/* STS says <Error>; some emulators <Errors><Error>. */
		const char *c = x ? xml_text(x, "Error/Code") : NULL;
		const char *m = x ? xml_text(x, "Error/Message") : NULL;

		if (c == NULL && x != NULL) {
			c = xml_text(x, "Errors/Error/Code");
			m = xml_text(x, "Errors/Error/Message");
		}

		snprintf(msg, msgsize, "sts:%s %s: %s%s%s (HTTP %ld)", action,
			 role, c ? c : "no answer", m ? ": " : "", m ? m : "",
			 code);
		xml_free(x);
		return -1;
	}
	{
		char kp[200], sp[200], tp[200], ep[200];

		snprintf(kp, sizeof(kp), "%s/AccessKeyId", path);
		snprintf(sp, sizeof(sp), "%s/SecretAccessKey", path);
		snprintf(tp, sizeof(tp), "%s/SessionToken", path);
		snprintf(ep, sizeof(ep), "%s/Expiration", path);
		k = xml_text(x, kp);
		s = xml_text(x, sp);
		t = xml_text(x, tp);
		e = xml_text(x, ep);
	}
	if (k == NULL || s == NULL || t == NULL || !*k || !*s) {
		snprintf(msg, msgsize,
			 "sts:%s %s: the answer holds no credentials", action,
			 role);
		xml_free(x);
		return -1;
	}
	o->key_id = xstrdup(k);
	o->secret = xstrdup(s);
	o->token = xstrdup(t);
	o->expires_ms = e ? timefmt_iso8601_parse(e) : 0;
	memset((char *)s, 0, strlen(s));
	memset((char *)t, 0, strlen(t));
	xml_free(x);
	return 0;
}

/* A form field "&name=value", value percent-encoded. */
static void cs_form_add(struct buf *b, const char *name, const char *value)
{
	char *v = cs_form(value);

	buf_printf(b, "&%s=%s", name, v);
	cs_wipe(v); /* a web identity token is a secret */
}

/* The form of an AssumeRole* call (new string); extra_name=extra (a web
 * identity token) when extra is not NULL. */
static char *cs_role_form(const char *action, const struct credsrc_role *r,
			  const char *extra_name, const char *extra)
{
	struct buf b;
	char name[64];

	buf_init(&b, 0);
	buf_printf(&b, "Action=%s&Version=2011-06-15&DurationSeconds=%ld",
		   action, r->duration_s > 0 ? r->duration_s : 3600L);
	cs_form_add(&b, "RoleArn", r->role_arn);
	snprintf(name, sizeof(name), "bvops-%lld", (long long)time(NULL));
	cs_form_add(&b, "RoleSessionName",
		    r->session_name ? r->session_name : name);
	if (r->external_id != NULL)
		cs_form_add(&b, "ExternalId", r->external_id);
	if (extra != NULL)
		cs_form_add(&b, extra_name, extra);
	return buf_take(&b, NULL);
}

int credsrc_assume_role(const struct credsrc_out *from,
			const struct credsrc_role *r, struct credsrc_out *o,
			char *msg, size_t msgsize)
{
	const char *region = r->region ? r->region : "us-east-1";
	char *url = cs_sts_url(region), *form, *userpwd, *tok = NULL, *answer;
	char sigv4[128];
	const char *headers[3] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL, NULL};
	long code;
	int rc;

	memset(o, 0, sizeof(*o));
	form = cs_role_form("AssumeRole", r, NULL, NULL);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:sts", region);
	userpwd = xasprintf("%s:%s", from->key_id, from->secret);
	if (from->token != NULL) {
		tok = xasprintf("X-Amz-Security-Token: %s", from->token);
		headers[1] = tok;
	}
	answer = cs_http_do(&(struct cs_http){.method = "POST",
					      .url = url,
					      .headers = headers,
					      .body = form,
					      .sigv4 = sigv4,
					      .userpwd = userpwd,
					      .timeout_ms = 10000,
					      .call = "STS AssumeRole",
					      .resource = r->role_arn,
					      .region = region},
			    &code, msg, msgsize);
	cs_wipe(userpwd);
	cs_wipe(tok);
	free(form);
	free(url);
	if (answer == NULL)
		return -1;
	rc = cs_sts_answer("AssumeRole", r->role_arn, code, answer, o, msg,
			   msgsize);
	cs_wipe(answer);
	return rc;
}

int credsrc_web_identity(const struct credsrc_role *r, const char *token_file,
			 struct credsrc_out *o, char *msg, size_t msgsize)
{
	const char *region = r->region ? r->region : "us-east-1";
	char *path = awsini_expand(token_file), *url, *form, *answer, *jwt;
	const char *headers[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL};
	size_t len;
	long code;
	int rc;

	memset(o, 0, sizeof(*o));
	jwt = buf_read_whole(path, 16 << 10, &len, msg, msgsize);
	free(path);
	if (jwt == NULL)
		return -1;
	jwt[strcspn(jwt, "\r\n")] = '\0';
	url = cs_sts_url(region);
	form = cs_role_form("AssumeRoleWithWebIdentity", r, "WebIdentityToken",
			    jwt);
	cs_wipe(jwt);
	answer = cs_http_do(
	    &(struct cs_http){.method = "POST",
			      .url = url,
			      .headers = headers,
			      .body = form,
			      .timeout_ms = 10000,
			      .call = "STS AssumeRoleWithWebIdentity",
			      .resource = r->role_arn,
			      .region = region},
	    &code, msg, msgsize);
	cs_wipe(form);
	free(url);
	if (answer == NULL)
		return -1;
	rc = cs_sts_answer("AssumeRoleWithWebIdentity", r->role_arn, code,
			   answer, o, msg, msgsize);
	cs_wipe(answer);
	return rc;
}

/* ---- the container endpoint ---- */

int credsrc_container(struct credsrc_out *o, char *msg, size_t msgsize)
{
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tokenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *headers[2] = {NULL, NULL};
	char *url, *auth = NULL, *answer;
	long code;
	cJSON *j;
	int rc;

	memset(o, 0, sizeof(*o));
	if (rel != NULL && *rel != '\0')
		url = xasprintf("http://169.254.170.2%s", rel);
	else if (full != NULL && *full != '\0')
		url = xstrdup(full);
	else
		return 1;
	if (tokfile != NULL && *tokfile != '\0') {
		char *path = awsini_expand(tokfile);
		char *t = buf_read_whole(path, 16 << 10, NULL, msg, msgsize);

		free(path);
		if (t == NULL) {
			free(url);
			return -1;
		}
		t[strcspn(t, "\r\n")] = '\0';
		auth = xasprintf("Authorization: %s", t);
		cs_wipe(t);
	} else if (tokenv != NULL && *tokenv != '\0') {
		auth = xasprintf("Authorization: %s", tokenv);
	}
	headers[0] = auth;
	answer = cs_http_do(&(struct cs_http){.method = "GET",
					      .url = url,
					      .headers = auth ? headers : NULL,
					      .timeout_ms = 5000},
			    &code, msg, msgsize);
	cs_wipe(auth);
	if (answer == NULL) {
		free(url);
		return -1;
	}
	j = code == 200 ? cJSON_Parse(answer) : NULL;
	cs_wipe(answer);
	rc = j != NULL ? cs_from_json(j, "AccessKeyId", "SecretAccessKey",
				      "Token", "Expiration", o)
		       : -1;
	cs_json_free(j);
	if (rc < 0 && code != 200)
		snprintf(msg, msgsize, "container credentials (%s): HTTP %ld",
			 url, code);
	else if (rc < 0)
		snprintf(msg, msgsize,
			 "container credentials (%s): no AccessKeyId and "
			 "SecretAccessKey",
			 url);
	free(url);
	return rc;
}

/* ---- IAM Identity Center (SSO) ---- */

/* The SHA-1 of s in hex: the CLI's name for a token cache file. */
static void cs_sha1_hex(const char *s, char out[41])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(s, strlen(s), d, &n, EVP_sha1(), NULL) != 1 || n != 20)
		abort(); /* only for want of memory */
	for (i = 0; i < n; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", d[i]);
}

int credsrc_sso(const struct credsrc_sso *s, struct credsrc_out *o, char *msg,
		size_t msgsize)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	const char *ep = NULL, *tok;
	char sha[41], *path, *text, *url, *hdr, *answer, *acct, *role;
	const char *headers[2] = {NULL, NULL};
	cJSON *cache, *j;
	int64_t exp;
	long code;
	int rc;

	memset(o, 0, sizeof(*o));
	/* `aws sso login` caches the token under the SHA-1 of the session's
	 * name (sso-session) or of the start URL (a legacy profile). */
	cs_sha1_hex(s->session ? s->session : s->start_url, sha);
	text = xasprintf("~/.aws/sso/cache/%s.json", sha);
	path = awsini_expand(text);
	free(text);
	text = buf_read_whole(path, CS_ANSWER_MAX, NULL, msg, msgsize);
	if (text == NULL) {
		snprintf(msg, msgsize,
			 "no SSO token in %s: sign in with aws sso login%s%s",
			 path, s->session ? " --sso-session " : "",
			 s->session ? s->session : "");
		free(path);
		return -1;
	}
	cache = cJSON_Parse(text);
	cs_wipe(text);
	tok = cJSON_GetStringValue(cJSON_GetObjectItem(cache, "accessToken"));
	exp = timefmt_iso8601_parse(
	    cJSON_GetStringValue(cJSON_GetObjectItem(cache, "expiresAt")));
	if (tok == NULL || (exp != 0 && exp <= (int64_t)time(NULL) * 1000)) {
		snprintf(msg, msgsize,
			 "the SSO token in %s has %s: sign in again with aws "
			 "sso login%s%s",
			 path, tok == NULL ? "no accessToken" : "expired",
			 s->session ? " --sso-session " : "",
			 s->session ? s->session : "");
		cs_json_free(cache);
		free(path);
		return -1;
	}
	free(path);
	if (ignore == NULL || strcasecmp(ignore, "true") != 0) {
		ep = getenv("AWS_ENDPOINT_URL_SSO");
		if (ep == NULL || *ep == '\0')
			ep = getenv("AWS_ENDPOINT_URL");
	}
	acct = cs_form(s->account_id);
	role = cs_form(s->role_name);
	if (ep != NULL && *ep != '\0')
		url = xasprintf("%s/federation/credentials?account_id=%s&"
				"role_name=%s",
				ep, acct, role);
	else
		url =
		    xasprintf("https://portal.sso.%s.amazonaws.com/federation/"
			      "credentials?account_id=%s&role_name=%s",
			      s->region, acct, role);
	free(acct);
	free(role);
	hdr = xasprintf("x-amz-sso_bearer_token: %s", tok);
	cs_json_free(cache);
	headers[0] = hdr;
	answer = cs_http_do(&(struct cs_http){.method = "GET",
					      .url = url,
					      .headers = headers,
					      .timeout_ms = 10000,
					      .call = "SSO GetRoleCredentials",
					      .resource = s->role_name,
					      .region = s->region},
			    &code, msg, msgsize);
	cs_wipe(hdr);
	if (answer == NULL) {
		free(url);
		return -1;
	}
	j = code == 200 ? cJSON_Parse(answer) : NULL;
	cs_wipe(answer);
	rc = j != NULL ? cs_from_json(cJSON_GetObjectItem(j, "roleCredentials"),
				      "accessKeyId", "secretAccessKey",
				      "sessionToken", "expiration", o)
		       : -1;
	cs_json_free(j);
	if (rc < 0)
		snprintf(msg, msgsize,
			 "SSO GetRoleCredentials (account %s, role %s): %s",
			 s->account_id, s->role_name,
			 code == 200 ? "no credentials in the answer"
			 : code == 401 || code == 403
			     ? "the token was refused: sign in "
			       "again with aws sso login"
			     : "refused");
	free(url);
	return rc;
}
