#include "aws/aws.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <expat.h>
#include <pthread.h>
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
#include "lib/sha256.h"
#include "lib/xalloc.h"
#include "lib/xml.h"

#define AWS_BACKOFF_MAX 20000 /* ms: the SDKs' cap */

struct aws_client {
	int max_attempts; /* AWS_MAX_ATTEMPTS, max_attempts, the mode's */
	char *ca_bundle;  /* AWS_CA_BUNDLE or ca_bundle, read once; NULL */
	struct aws_creds creds;
	bool have_creds;
	unsigned seed;
	int cancelled;       /* set from another thread: __atomic only */
	char last_code[128]; /* AWS's error code of the last failed call */
	/* Who it calls as (NULL fields: the default chain), and that said
	 * ("profile node-2-admin"). */
	char *profile, *role_arn, *external_id;
	char who[400];
	/* --debug: the identity's account and ARN, asked once. */
	bool whoami_tried;
	char account[32], arn[300];
	char request_id[128]; /* of the last answer */
};

/* Credentials are loaded once per identity for the process, and again
 * when they near their expiry: every client of an identity shares them
 * (a rollout opens one client per node). */
#define AWS_CRED_CACHE 64
static pthread_mutex_t aws_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char who[400];
	struct aws_creds creds;
} aws_cache[AWS_CRED_CACHE];
static size_t aws_ncache;

const char *aws_client_last_code(const struct aws_client *a)
{
	return a->last_code;
}

void aws_client_cancel(struct aws_client *a)
{
	__atomic_store_n(&a->cancelled, 1, __ATOMIC_RELAXED);
}

static bool aws_cancelled(struct aws_client *a)
{
	return __atomic_load_n(&a->cancelled, __ATOMIC_RELAXED) != 0;
}

/* CURLOPT_XFERINFOFUNCTION: non-zero aborts the transfer. */
static int aws_on_progress(void *ctx, curl_off_t dt, curl_off_t dn,
			   curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	return aws_cancelled(ctx) ? 1 : 0;
}

/*
 * How many attempts a call gets, as the SDKs count them: AWS_MAX_ATTEMPTS,
 * else the profile's max_attempts, else the retry mode's own (standard
 * and adaptive 3, legacy 5: AWS_RETRY_MODE, else retry_mode).
 */
static int aws_max_attempts(void)
{
	const char *e = getenv("AWS_MAX_ATTEMPTS");
	char *v = NULL, *mode = NULL;
	const char *m = getenv("AWS_RETRY_MODE");
	long n = 0;

	if (e != NULL && *e != '\0')
		n = strtol(e, NULL, 10);
	else if ((v = awsini_config_value("max_attempts")) != NULL)
		n = strtol(v, NULL, 10);
	free(v);
	if (n >= 1)
		return n > 20 ? 20 : (int)n;
	if (m == NULL || *m == '\0')
		m = mode = awsini_config_value("retry_mode");
	n = m != NULL && strcmp(m, "legacy") == 0 ? 5 : 3;
	free(mode);
	return (int)n;
}

struct aws_client *aws_client_new(void)
{
	return aws_client_new_as(NULL);
}

struct aws_client *aws_client_new_as(const struct aws_identity *id)
{
	struct aws_client *a = xcalloc(1, sizeof(*a));

	a->seed = (unsigned)clock_mono_ms() ^ (unsigned)time(NULL);
	a->max_attempts = aws_max_attempts();
	a->ca_bundle = awsini_ca_bundle();
	if (id != NULL) {
		a->profile = id->profile ? xstrdup(id->profile) : NULL;
		a->role_arn = id->role_arn ? xstrdup(id->role_arn) : NULL;
		a->external_id =
		    id->external_id ? xstrdup(id->external_id) : NULL;
	}
	{
		struct aws_identity me = {a->profile, a->role_arn,
					  a->external_id};

		awscred_identity_describe(&me, a->who, sizeof(a->who));
		/* --profile: the default chain is that profile. */
		if (a->profile == NULL && a->role_arn == NULL &&
		    awscred_default_profile() != NULL)
			snprintf(a->who, sizeof(a->who), "profile %s",
				 awscred_default_profile());
	}
	return a;
}

const char *aws_client_identity(const struct aws_client *a)
{
	return a->who;
}

void aws_client_free(struct aws_client *a)
{
	if (a == NULL)
		return;
	if (a->have_creds)
		awscred_free(&a->creds);
	free(a->ca_bundle);
	free(a->profile);
	free(a->role_arn);
	free(a->external_id);
	free(a);
}

void aws_response_free(struct aws_response *rs)
{
	free(rs->body);
	free(rs->etag);
	free(rs->version_id);
	free(rs->last_modified);
	free(rs->date);
	memset(rs, 0, sizeof(*rs));
}

char *aws_uri_encode(const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;

	buf_init(&b, 0);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (c == '/' && keep_slash)) {
			buf_append_char(&b, (char)c);
		} else {
			buf_append_char(&b, '%');
			buf_append_char(&b, hex[c >> 4]);
			buf_append_char(&b, hex[c & 15]);
		}
	}
	return buf_take(&b, NULL);
}

char *aws_endpoint(const struct aws_request *rq)
{
	char *cfg = NULL;
	const char *e = NULL;

	/* The SDKs' order: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
	 * the profile's services block, the profile's endpoint_url; none
	 * of them when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. */
	if (!awsini_endpoints_ignored()) {
		char name[64];

		snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s",
			 rq->env_name);
		e = getenv(name);
		if (e == NULL || *e == '\0')
			e = getenv("AWS_ENDPOINT_URL");
		if (e == NULL || *e == '\0') {
			char service[64];
			size_t k;

			for (k = 0; rq->env_name[k] && k + 1 < sizeof(service);
			     k++)
				service[k] = (char)(rq->env_name[k] | 0x20);
			service[k] = '\0';
			e = cfg = awsini_config_endpoint(service);
		}
	}
	if (e != NULL && *e) {
		size_t len = strlen(e);
		char *url;

		while (len > 0 && e[len - 1] == '/')
			len--;
		url = xstrndup(e, len);
		free(cfg);
		return url;
	}
	free(cfg);
	return xasprintf("https://%s.%s.amazonaws.com", rq->host, rq->region);
}

/* What the header callback fills: the answer, and the client's
 * request id (for --debug). */
struct aws_hdr {
	struct aws_response *rs;
	struct aws_client *a;
};

static size_t aws_on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct aws_hdr *hc = ctx;
	struct aws_response *rs = hc->rs;
	size_t len = size * n, k;
	char **slot = NULL;
	const char *v;

	if (awstrace_request_id(data, len, hc->a->request_id,
				sizeof(hc->a->request_id)))
		return len;
	if (len > 5 && strncasecmp(data, "ETag:", 5) == 0)
		slot = &rs->etag, v = data + 5;
	else if (len > 17 && strncasecmp(data, "x-amz-version-id:", 17) == 0)
		slot = &rs->version_id, v = data + 17;
	else if (len > 14 && strncasecmp(data, "Last-Modified:", 14) == 0)
		slot = &rs->last_modified, v = data + 14;
	else if (len > 5 && strncasecmp(data, "Date:", 5) == 0)
		slot = &rs->date, v = data + 5;
	else
		return len;
	while (v < data + len && *v == ' ')
		v++;
	k = (size_t)(data + len - v);
	while (k > 0 && (v[k - 1] == '\r' || v[k - 1] == '\n'))
		k--;
	free(*slot);
	*slot = xstrndup(v, k);
	return len;
}

static size_t aws_on_body(char *data, size_t size, size_t n, void *ctx)
{
	return buf_append(ctx, data, size * n) < 0 ? 0 : size * n;
}

/* An XML error's <Code> and <Message>, through expat. */
struct aws_xml_error {
	char code[128], message[512];
	char *into; /* the field being read, or NULL */
	size_t room;
};

static void aws_xml_start(void *ctx, const XML_Char *name,
			  const XML_Char **attrs)
{
	struct aws_xml_error *x = ctx;

	(void)attrs;
	x->into = NULL;
	if (strcmp(name, "Code") == 0 && x->code[0] == '\0') {
		x->into = x->code;
		x->room = sizeof(x->code);
	} else if (strcmp(name, "Message") == 0 && x->message[0] == '\0') {
		x->into = x->message;
		x->room = sizeof(x->message);
	}
}

static void aws_xml_end(void *ctx, const XML_Char *name)
{
	struct aws_xml_error *x = ctx;

	(void)name;
	x->into = NULL;
}

static void aws_xml_text(void *ctx, const XML_Char *s, int len)
{
	struct aws_xml_error *x = ctx;
	size_t have;

	if (x->into == NULL)
		return;
	have = strlen(x->into);
	if (have + 1 < x->room)
		snprintf(x->into + have, x->room - have, "%.*s", len, s);
}

/* AWS's error code and message from an answer body (JSON or XML). */
static void aws_error_of(const struct aws_response *rs, char *code,
			 size_t csize, char *message, size_t msize)
{
	code[0] = message[0] = '\0';
	if (rs->len > 0 && rs->body[0] == '{') {
		cJSON *j = cJSON_ParseWithOpts(rs->body, NULL, 0);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");

		if (m == NULL)
			m = cJSON_GetObjectItemCaseSensitive(j, "Message");
		if (cJSON_IsString(t) && t->valuestring != NULL) {
			const char *h = strrchr(t->valuestring, '#');

			snprintf(code, csize, "%s", h ? h + 1 : t->valuestring);
		}
		if (cJSON_IsString(m) && m->valuestring != NULL)
			snprintf(message, msize, "%s", m->valuestring);
		cJSON_Delete(j);
	} else if (rs->len > 0) {
		struct aws_xml_error x;
		XML_Parser p = XML_ParserCreate(NULL);

		memset(&x, 0, sizeof(x));
		if (p == NULL)
			return;
		XML_SetUserData(p, &x);
		XML_SetElementHandler(p, aws_xml_start, aws_xml_end);
		XML_SetCharacterDataHandler(p, aws_xml_text);
		XML_Parse(p, rs->body, (int)rs->len, 1);
		XML_ParserFree(p);
		snprintf(code, csize, "%s", x.code);
		snprintf(message, msize, "%s", x.message);
	}
}

bool aws_code_throttling(const char *code)
{
	static const char *const throttles[] = {
	    "Throttling",
	    "ThrottlingException",
	    "ThrottledException",
	    "RequestThrottledException",
	    "TooManyRequestsException",
	    "RequestLimitExceeded",
	    "SlowDown",
	    "ProvisionedThroughputExceededException",
	    "RequestThrottled",
	    "PriorRequestNotComplete",
	    NULL};
	size_t k;

	for (k = 0; throttles[k] != NULL; k++)
		if (strcmp(code, throttles[k]) == 0)
			return true;
	return false;
}

static bool aws_retryable(long status, const char *code)
{
	return status >= 500 || status == 429 || aws_code_throttling(code);
}

/* Load credentials when there are none or they go stale: from the
 * process's cache of this identity's, else anew (and cached). fresh:
 * never the cache's (AWS said the ones it had expired). */
/* Credentials of a's identity, cached per identity for the process and
 * loaded again before they expire; -1 with "no AWS access: WHO: why". */
static int aws_creds_load(struct aws_client *a, bool fresh, char *msg,
			  size_t msgsize);

static int aws_creds_ready(struct aws_client *a, bool fresh, char *msg,
			   size_t msgsize)
{
	char why[1024];
	size_t wl = strlen(a->who);

	if (aws_creds_load(a, fresh, why, sizeof(why)) == 0)
		return 0;
	/* Every caller says it the same way, naming the identity once. */
	if (strncmp(why, a->who, wl) == 0 && why[wl] == ':')
		snprintf(msg, msgsize, "no AWS access: %s", why);
	else
		snprintf(msg, msgsize, "no AWS access: %s: %s", a->who, why);
	return -1;
}

static int aws_creds_load(struct aws_client *a, bool fresh, char *msg,
			  size_t msgsize)
{
	int64_t now = clock_now_ms();
	struct aws_identity id = {a->profile, a->role_arn, a->external_id};
	struct aws_creds got;
	size_t k;
	int rc;

	if (a->have_creds && !awscred_stale(&a->creds, now) && !fresh)
		return 0;
	if (a->have_creds)
		awscred_free(&a->creds);
	a->have_creds = false;
	pthread_mutex_lock(&aws_cache_mu);
	for (k = 0; k < aws_ncache; k++)
		if (strcmp(aws_cache[k].who, a->who) == 0)
			break;
	if (k < aws_ncache && !fresh &&
	    !awscred_stale(&aws_cache[k].creds, now)) {
		awscred_copy(&a->creds, &aws_cache[k].creds);
		a->have_creds = true;
		pthread_mutex_unlock(&aws_cache_mu);
		return 0;
	}
	/* Loaded under the lock: the nodes of a rollout that share an
	 * identity wait for one AssumeRole instead of making one each. */
	rc = awscred_load_as(&id, &got, msg, msgsize);
	if (rc == 0) {
		if (k == aws_ncache && aws_ncache < AWS_CRED_CACHE)
			snprintf(aws_cache[aws_ncache++].who,
				 sizeof(aws_cache[0].who), "%s", a->who);
		else if (k < aws_ncache)
			awscred_free(&aws_cache[k].creds);
		if (k < aws_ncache)
			awscred_copy(&aws_cache[k].creds, &got);
		a->creds = got;
		a->have_creds = true;
	}
	pthread_mutex_unlock(&aws_cache_mu);
	return rc;
}

/* One attempt. 0: an answer came (any status), -1: no answer (*curl
 * says why). */
static int aws_attempt(struct aws_client *a, const struct aws_request *rq,
		       const char *url, struct aws_response *rs,
		       CURLcode *curl_rc)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	struct aws_hdr hc = {rs, a};
	char sigv4[128], *userpwd, *line;
	struct buf b;
	size_t k;

	if (h == NULL) {
		*curl_rc = CURLE_FAILED_INIT;
		return -1;
	}
	memset(rs, 0, sizeof(*rs));
	buf_init(&b, AWS_ANSWER_MAX);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:%s", rq->region,
		 rq->service);
	userpwd = xasprintf("%s:%s", a->creds.key_id, a->creds.secret);
	/* Every header passed here is signed (libcurl 7.86+). */
	if (rq->target != NULL) {
		line = xasprintf("X-Amz-Target: %s", rq->target);
		hdr = curl_slist_append(hdr, line);
		free(line);
	}
	if (rq->content_type != NULL) {
		line = xasprintf("Content-Type: %s", rq->content_type);
		hdr = curl_slist_append(hdr, line);
		free(line);
	}
	if (a->creds.token != NULL) {
		line = xasprintf("X-Amz-Security-Token: %s", a->creds.token);
		hdr = curl_slist_append(hdr, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	for (k = 0; rq->headers != NULL && rq->headers[k] != NULL; k++)
		hdr = curl_slist_append(hdr, rq->headers[k]);
	if (strcmp(rq->service, "s3") == 0) {
		/* S3 wants the payload's hash, which libcurl 7.88 does not add.
		 */
		char hex[2 * SHA256_LEN + 1];

		sha256_hex(rq->body ? rq->body : "", rq->body_len, hex);
		line = xasprintf("x-amz-content-sha256: %s", hex);
		hdr = curl_slist_append(hdr, line);
		free(line);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	awshttp_setup(h, a->ca_bundle);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	if (strcmp(rq->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (rq->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)rq->body_len);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, aws_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, aws_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hc);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, aws_on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, a);
	*curl_rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	memset(userpwd, 0, strlen(userpwd));
	free(userpwd);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	rs->body = buf_take(&b, &rs->len);
	return *curl_rc == CURLE_OK ? 0 : -1;
}

/* The SDKs' standard back-off: before retry i (1, 2, ...), a random wait
 * up to 2^(i-1) s, at most 20 s (full jitter). */
static void aws_backoff(struct aws_client *a, int attempt)
{
	long cap = 1000L << (attempt - 1 < 15 ? attempt - 1 : 15);
	long ms;
	struct timespec ts;

	if (cap > AWS_BACKOFF_MAX)
		cap = AWS_BACKOFF_MAX;
	ms = (long)(rand_r(&a->seed) % (cap + 1));
	/* In slices, so that a cancel is seen soon. */
	while (ms > 0 && !aws_cancelled(a)) {
		long slice = ms < 50 ? ms : 50;

		ts.tv_sec = 0;
		ts.tv_nsec = slice * 1000000L;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

/* The identity's account and ARN, asked once per client, for the trace
 * (its own call is traced too; it never asks again). */
static void aws_trace_whoami(struct aws_client *a, const char *region)
{
	char msg[300];

	if (a->whoami_tried)
		return;
	a->whoami_tried = true;
	if (aws_client_whoami(a, region, a->account, sizeof(a->account), a->arn,
			      sizeof(a->arn), msg, sizeof(msg)) < 0) {
		snprintf(a->account, sizeof(a->account), "?");
		snprintf(a->arn, sizeof(a->arn), "(unknown: %.200s)", msg);
	}
}

/* --debug's line for one attempt (no answer: why, status 0). */
static void aws_trace_line(struct aws_client *a, const struct aws_request *rq,
			   long status, int attempt, int64_t ms,
			   const char *no_answer)
{
	char answer[160];

	if (!awstrace_on())
		return;
	if (no_answer != NULL)
		snprintf(answer, sizeof(answer), "no answer: %s", no_answer);
	else
		snprintf(answer, sizeof(answer), "HTTP %ld", status);
	awstrace_line("%s %s | %s %s | region %s | as %s%s%s%s(%s) | %s | "
		      "request-id %s | attempt %d | %lld ms",
		      rq->call, rq->resource, rq->method, rq->path, rq->region,
		      a->account, a->account[0] ? " " : "", a->arn,
		      a->arn[0] ? " " : "", a->who, answer,
		      a->request_id[0] ? a->request_id : "-", attempt,
		      (long long)ms);
}

int aws_client_whoami(struct aws_client *a, const char *region, char *account,
		      size_t asize, char *arn, size_t arnsize, char *msg,
		      size_t msgsize)
{
	static const char body[] =
	    "Action=GetCallerIdentity&Version=2011-06-15";
	struct aws_request rq = {
	    .service = "sts",
	    .env_name = "STS",
	    .host = "sts",
	    .region = region && *region ? region : "us-east-1",
	    .method = "POST",
	    .path = "/",
	    .content_type = "application/x-www-form-urlencoded; charset=utf-8",
	    .body = body,
	    .body_len = sizeof(body) - 1,
	    .call = "STS GetCallerIdentity",
	    .resource = a->who};
	struct aws_response rs;
	struct xml *root;
	int rc = -1;

	a->whoami_tried = true; /* its own trace line asks nothing more */
	if (aws_call(a, &rq, &rs, msg, msgsize) < 0)
		return -1;
	root = xml_parse(rs.body, rs.len, msg, msgsize);
	if (root != NULL) {
		const struct xml *r =
		    xml_child(root, "GetCallerIdentityResult");
		const char *v = r ? xml_text(r, "Account") : NULL;

		snprintf(account, asize, "%s", v ? v : "?");
		v = r ? xml_text(r, "Arn") : NULL;
		snprintf(arn, arnsize, "%s", v ? v : "?");
		rc = r != NULL ? 0 : -1;
		if (rc < 0)
			snprintf(msg, msgsize,
				 "STS GetCallerIdentity: the answer does not "
				 "parse");
	}
	xml_free(root);
	aws_response_free(&rs);
	return rc;
}

int aws_call(struct aws_client *a, const struct aws_request *rq,
	     struct aws_response *rs, char *msg, size_t msgsize)
{
	char *url, *base, code[128], message[512];
	bool refreshed = false;
	int attempt;

	memset(rs, 0, sizeof(*rs));
	a->last_code[0] = '\0';
	if (aws_creds_ready(a, false, msg, msgsize) < 0)
		return -1;
	if (awstrace_on())
		aws_trace_whoami(a, rq->region); /* its line comes first */
	base = aws_endpoint(rq);
	url = xasprintf("%s%s%s%s", base, rq->path, rq->query ? "?" : "",
			rq->query ? rq->query : "");
	for (attempt = 0; attempt < a->max_attempts; attempt++) {
		CURLcode crc;
		long status;
		int64_t t0;
		int got;

		if (attempt > 0)
			aws_backoff(a, attempt);
		if (aws_cancelled(a)) {
			snprintf(msg, msgsize, "%s %s: cancelled", rq->call,
				 rq->resource);
			break;
		}
		a->request_id[0] = '\0';
		t0 = clock_mono_ms();
		got = aws_attempt(a, rq, url, rs, &crc);
		aws_trace_line(a, rq, got < 0 ? 0 : rs->status, attempt + 1,
			       clock_mono_ms() - t0,
			       got < 0 ? curl_easy_strerror(crc) : NULL);
		if (got < 0) {
			snprintf(msg, msgsize, "%s %s: no answer from %s: %s",
				 rq->call, rq->resource, base,
				 crc == CURLE_WRITE_ERROR
				     ? "the answer is too large"
				     : curl_easy_strerror(crc));
			aws_response_free(rs);
			if (crc == CURLE_WRITE_ERROR)
				break;
			continue;
		}
		if ((rs->status >= 200 && rs->status < 300) ||
		    (rs->status == 304 && rq->not_modified_ok)) {
			free(url);
			free(base);
			return 0;
		}
		aws_error_of(rs, code, sizeof(code), message, sizeof(message));
		snprintf(a->last_code, sizeof(a->last_code), "%s", code);
		status = rs->status;
		snprintf(msg, msgsize, "%s %s: %s%s%s (HTTP %ld)", rq->call,
			 rq->resource, code[0] ? code : "error",
			 message[0] ? ": " : "", message, status);
		aws_response_free(rs);
		/* An expired session: new credentials, once. */
		if (!refreshed && (strcmp(code, "ExpiredToken") == 0 ||
				   strcmp(code, "ExpiredTokenException") == 0 ||
				   strcmp(code, "RequestExpired") == 0)) {
			refreshed = true;
			if (aws_creds_ready(a, true, msg, msgsize) < 0)
				break;
			attempt--;
			continue;
		}
		if (!aws_retryable(status, code))
			break;
	}
	free(url);
	free(base);
	return -1;
}

int aws_call_query(struct aws_client *a, const struct aws_request *rq,
		   const char *action, const char *version,
		   const char *const *params, struct xml **root, char *msg,
		   size_t msgsize)
{
	struct aws_request q = *rq;
	struct aws_response rs;
	struct buf body;
	char why[256];
	size_t k;
	int rc;

	*root = NULL;
	buf_init(&body, 0);
	buf_printf(&body, "Action=%s&Version=%s", action, version);
	for (k = 0; params != NULL && params[k] != NULL; k += 2) {
		char *n = aws_uri_encode(params[k], false);
		char *v = aws_uri_encode(params[k + 1], false);

		buf_printf(&body, "&%s=%s", n, v);
		free(n);
		free(v);
	}
	/* A POST form, never a signed query string (libcurl 7.88 signs
	 * those wrongly). */
	q.method = "POST";
	q.path = "/";
	q.query = NULL;
	q.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	q.body = body.data;
	q.body_len = body.len;
	rc = aws_call(a, &q, &rs, msg, msgsize);
	buf_free(&body);
	if (rc < 0)
		return -1;
	*root = xml_parse(rs.body, rs.len, why, sizeof(why));
	if (*root == NULL)
		snprintf(msg, msgsize, "%s %s: the answer does not parse: %s",
			 rq->call, rq->resource, why);
	aws_response_free(&rs);
	return *root ? 0 : -1;
}

cJSON *aws_call_json(struct aws_client *a, const struct aws_request *rq,
		     const cJSON *req, char *msg, size_t msgsize)
{
	struct aws_request q = *rq;
	struct aws_response rs;
	char *body = cJSON_PrintUnformatted(req);
	cJSON *ans;

	if (body == NULL)
		abort(); /* cJSON only fails for want of memory */
	q.method = "POST";
	q.path = "/";
	q.query = NULL;
	q.content_type = "application/x-amz-json-1.1";
	q.body = body;
	q.body_len = strlen(body);
	if (aws_call(a, &q, &rs, msg, msgsize) < 0) {
		free(body);
		return NULL;
	}
	free(body);
	ans = cJSON_ParseWithOpts(rs.body, NULL, 0);
	if (ans == NULL && rs.len > 0)
		snprintf(msg, msgsize, "%s %s: the answer does not parse",
			 rq->call, rq->resource);
	else if (ans == NULL)
		ans = cJSON_CreateObject();
	aws_response_free(&rs);
	return ans;
}
