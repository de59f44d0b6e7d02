#include "probe.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

#ifndef BVOPS_VERSION
#define BVOPS_VERSION "dev"
#endif

struct probe_slot {
	CURL *easy;
	bool busy;
	char errbuf[CURL_ERROR_SIZE];
};

struct probe {
	CURLM *multi;
	struct probe_slot *slots;
	size_t n;
	size_t running;
	long timeout_ms;
};

int64_t probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t probe_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The body of /ping says nothing the status code does not. */
static size_t probe_discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

struct probe *probe_new(const char *const *urls, size_t n, long timeout_ms,
			char *msg, size_t msgsize)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	const char *cafile;
	size_t k;

	p->multi = curl_multi_init();
	if (p->multi == NULL) {
		snprintf(msg, msgsize, "cannot start libcurl");
		free(p);
		return NULL;
	}
	/* Keep one idle connection per node so checks reuse them. */
	curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, (long)n + 8);
	p->slots = xcalloc(n ? n : 1, sizeof(*p->slots));
	p->n = n;
	p->timeout_ms = timeout_ms;
	/* A private CA, the way curl and OpenSSL users set one. */
	cafile = getenv("CURL_CA_BUNDLE");
	if (cafile == NULL || *cafile == '\0')
		cafile = getenv("SSL_CERT_FILE");
	for (k = 0; k < n; k++) {
		CURL *e = curl_easy_init();

		if (e == NULL) {
			snprintf(msg, msgsize, "cannot start libcurl");
			probe_free(p);
			return NULL;
		}
		p->slots[k].easy = e;
		curl_easy_setopt(e, CURLOPT_URL, urls[k]);
		curl_easy_setopt(e, CURLOPT_PRIVATE, &p->slots[k]);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, probe_discard);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->slots[k].errbuf);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "bvops/" BVOPS_VERSION);
		curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
		if (cafile != NULL && *cafile != '\0')
			curl_easy_setopt(e, CURLOPT_CAINFO, cafile);
	}
	return p;
}

void probe_free(struct probe *p)
{
	size_t k;

	if (p == NULL)
		return;
	for (k = 0; k < p->n; k++) {
		if (p->slots[k].easy == NULL)
			continue;
		if (p->slots[k].busy)
			curl_multi_remove_handle(p->multi, p->slots[k].easy);
		curl_easy_cleanup(p->slots[k].easy);
	}
	curl_multi_cleanup(p->multi);
	free(p->slots);
	free(p);
}

bool probe_start(struct probe *p, size_t i)
{
	struct probe_slot *s;

	if (i >= p->n || p->slots[i].busy)
		return false;
	s = &p->slots[i];
	s->errbuf[0] = '\0';
	if (curl_multi_add_handle(p->multi, s->easy) != CURLM_OK)
		return false;
	s->busy = true;
	p->running++;
	return true;
}

size_t probe_running(const struct probe *p)
{
	return p->running;
}

/* prefix + text, cut to fit: curl's messages can be long. */
static void probe_text(char *out, size_t size, const char *prefix,
		       const char *text)
{
	size_t pl = strlen(prefix), tl = strlen(text);

	if (size == 0)
		return;
	if (pl >= size)
		pl = size - 1;
	memcpy(out, prefix, pl);
	if (tl > size - 1 - pl)
		tl = size - 1 - pl;
	memcpy(out + pl, text, tl);
	out[pl + tl] = '\0';
}

/* A short reason for a check that got no HTTP answer. */
static void probe_error(struct probe *p, struct probe_slot *s, CURLcode rc,
			char *out, size_t size)
{
	long oserr = 0;

	curl_easy_getinfo(s->easy, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, size, "timeout after %ld ms", p->timeout_ms);
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(out, size, "%s",
			 oserr == ECONNREFUSED ? "connection refused"
			 : oserr != 0          ? strerror((int)oserr)
					       : "cannot connect");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, size, "cannot resolve host");
		break;
	case CURLE_GOT_NOTHING: snprintf(out, size, "empty reply"); break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR: snprintf(out, size, "connection reset"); break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		probe_text(out, size, "TLS: ",
			   s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
		break;
	default:
		probe_text(out, size, "",
			   s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
	}
}

int probe_wait(struct probe *p, int wait_ms)
{
	int still;

	if (curl_multi_perform(p->multi, &still) != CURLM_OK)
		return -1;
	if (curl_multi_poll(p->multi, NULL, 0, wait_ms, NULL) != CURLM_OK)
		return -1;
	return 0;
}

int probe_collect(struct probe *p, probe_done_fn done, void *ctx)
{
	int still, left;
	CURLMsg *m;

	if (curl_multi_perform(p->multi, &still) != CURLM_OK)
		return -1;
	while ((m = curl_multi_info_read(p->multi, &left)) != NULL) {
		struct probe_slot *s = NULL;
		struct health_check c;
		curl_off_t us = 0;
		long code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &s);
		memset(&c, 0, sizeof(c));
		c.at_ms = probe_now_ms();
		c.latency_ms = -1;
		if (m->data.result == CURLE_OK) {
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE,
					  &code);
			curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME_T, &us);
			c.http_code = (int)code;
			c.latency_ms = (double)us / 1000.0;
		} else {
			probe_error(p, s, m->data.result, c.error,
				    sizeof(c.error));
		}
		curl_multi_remove_handle(p->multi, s->easy);
		s->busy = false;
		p->running--;
		done(ctx, (size_t)(s - p->slots), &c);
	}
	return 0;
}

void probe_wakeup(struct probe *p)
{
	curl_multi_wakeup(p->multi);
}
