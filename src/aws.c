#include "aws.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "probe.h"
#include "xalloc.h"

#define AWS_ATTEMPTS     3
#define AWS_BACKOFF_BASE 100   /* ms */
#define AWS_BACKOFF_MAX  20000 /* ms */
/* sha256 of nothing: what S3 wants in x-amz-content-sha256 for no body */
#define AWS_EMPTY_SHA256                                                       \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct aws_client {
	struct aws_creds creds;
	bool have_creds;
	unsigned seed;
};

struct aws_client *aws_client_new(void)
{
	struct aws_client *a = xcalloc(1, sizeof(*a));

	a->seed = (unsigned)probe_mono_ms() ^ (unsigned)time(NULL);
	return a;
}

void aws_client_free(struct aws_client *a)
{
	if (a == NULL)
		return;
	if (a->have_creds)
		awscred_free(&a->creds);
	free(a);
}

void aws_response_free(struct aws_response *rs)
{
	free(rs->body);
	free(rs->etag);
	free(rs->version_id);
	memset(rs, 0, sizeof(*rs));
}

char *aws_endpoint(const struct aws_request *rq)
{
	char name[64];
	const char *e;

	snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", rq->env_name);
	e = getenv(name);
	if (e == NULL || *e == '\0')
		e = getenv("AWS_ENDPOINT_URL");
	if (e != NULL && *e) {
		size_t len = strlen(e);

		while (len > 0 && e[len - 1] == '/')
			len--;
		return xstrndup(e, len);
	}
	return xasprintf("https://%s.%s.amazonaws.com", rq->host, rq->region);
}

/* CURLOPT_HEADERFUNCTION: keep ETag and x-amz-version-id. */
static size_t aws_on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct aws_response *rs = ctx;
	size_t len = size * n, k;
	char **slot = NULL;
	const char *v;

	if (len > 5 && strncasecmp(data, "ETag:", 5) == 0)
		slot = &rs->etag, v = data + 5;
	else if (len > 17 && strncasecmp(data, "x-amz-version-id:", 17) == 0)
		slot = &rs->version_id, v = data + 17;
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

static bool aws_retryable(long status, const char *code)
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

	if (status >= 500 || status == 429)
		return true;
	for (k = 0; throttles[k] != NULL; k++)
		if (strcmp(code, throttles[k]) == 0)
			return true;
	return false;
}

/* Load credentials when there are none or they go stale. */
static int aws_creds_ready(struct aws_client *a, char *msg, size_t msgsize)
{
	if (a->have_creds && !awscred_stale(&a->creds, probe_now_ms()))
		return 0;
	if (a->have_creds)
		awscred_free(&a->creds);
	a->have_creds = awscred_load(&a->creds, msg, msgsize) == 0;
	return a->have_creds ? 0 : -1;
}

/* One attempt. 0: an answer came (any status), -1: no answer (*curl
 * says why). */
static int aws_attempt(struct aws_client *a, const struct aws_request *rq,
		       const char *url, struct aws_response *rs,
		       CURLcode *curl_rc)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char sigv4[128], *userpwd, *line;
	struct buf b;

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
	if (strcmp(rq->service, "s3") == 0 && rq->body_len == 0)
		hdr = curl_slist_append(
		    hdr, "x-amz-content-sha256: " AWS_EMPTY_SHA256);
	curl_easy_setopt(h, CURLOPT_URL, url);
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
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rs);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	*curl_rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	memset(userpwd, 0, strlen(userpwd));
	free(userpwd);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	rs->body = buf_take(&b, &rs->len);
	return *curl_rc == CURLE_OK ? 0 : -1;
}

/* Full jitter: a random wait up to the capped exponential bound. */
static void aws_backoff(struct aws_client *a, int attempt)
{
	long cap = AWS_BACKOFF_BASE << attempt;
	long ms;
	struct timespec ts;

	if (cap > AWS_BACKOFF_MAX)
		cap = AWS_BACKOFF_MAX;
	ms = (long)(rand_r(&a->seed) % (cap + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

int aws_call(struct aws_client *a, const struct aws_request *rq,
	     struct aws_response *rs, char *msg, size_t msgsize)
{
	char *url, *base, code[128], message[512];
	bool refreshed = false;
	int attempt;

	memset(rs, 0, sizeof(*rs));
	if (aws_creds_ready(a, msg, msgsize) < 0)
		return -1;
	base = aws_endpoint(rq);
	url = xasprintf("%s%s", base, rq->path);
	for (attempt = 0; attempt < AWS_ATTEMPTS; attempt++) {
		CURLcode crc;
		long status;

		if (attempt > 0)
			aws_backoff(a, attempt);
		if (aws_attempt(a, rq, url, rs, &crc) < 0) {
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
		if (rs->status >= 200 && rs->status < 300) {
			free(url);
			free(base);
			return 0;
		}
		aws_error_of(rs, code, sizeof(code), message, sizeof(message));
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
			awscred_free(&a->creds);
			a->have_creds = false;
			if (aws_creds_ready(a, msg, msgsize) < 0)
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
