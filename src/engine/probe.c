#include "engine/probe.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/xalloc.h"

#ifndef BVOPS_VERSION
#define BVOPS_VERSION "dev"
#endif

/* Nodes per multi handle. libcurl 7.88 walks a multi handle's whole
 * connection cache each time a finished transfer is removed, so one
 * handle for a thousand nodes would cost a thousand steps per check. */
#define PROBE_SHARD 64

struct probe_slot {
	CURL *easy;
	size_t shard;
	bool busy;
	size_t body; /* bytes of the answer's body read so far */
	char errbuf[CURL_ERROR_SIZE];
};

struct probe_shard {
	CURLM *multi;
	int64_t timer_due; /* monotonic ms when libcurl wants a call; -1 */
};

struct probe {
	struct probe_shard *shards;
	size_t nshards;
	struct probe_slot *slots;
	size_t n;
	size_t running;
	long timeout_ms;
	int epfd;   /* every transfer's socket, and the wake-up */
	int wakefd; /* eventfd: probe_wakeup() */
};

#define PROBE_WAKE_TAG   UINT64_MAX
#define PROBE_EXTERN_TAG (UINT64_MAX - 1)

/* The body of /ping says nothing the status code does not: it is read
 * and thrown away, up to PROBE_BODY_MAX; past that the transfer stops
 * (a node, or something in its place, that answers without end must not
 * cost the engine its time). */
static size_t probe_discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct probe_slot *s = ud;

	(void)ptr;
	s->body += size * nmemb;
	return s->body > PROBE_BODY_MAX ? 0 : size * nmemb;
}

/* CURLMOPT_SOCKETFUNCTION: keep the epoll set in step with libcurl. */
static int probe_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
			   void *socketp)
{
	struct probe *p = userp;
	struct probe_slot *s = NULL;
	struct epoll_event ev;

	(void)socketp;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, &s);
	memset(&ev, 0, sizeof(ev));
	ev.data.u64 = ((uint64_t)s->shard << 32) | (uint32_t)fd;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
		    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
	if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: remember when this shard wants a call. */
static int probe_on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct probe_shard *sh = userp;

	(void)multi;
	sh->timer_due = timeout_ms < 0 ? -1 : clock_mono_ms() + timeout_ms;
	return 0;
}

struct probe *probe_new(const char *const *urls, size_t n, long timeout_ms,
			char *msg, size_t msgsize)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	const char *cafile;
	struct epoll_event ev;
	size_t k;

	p->n = n;
	p->timeout_ms = timeout_ms;
	p->nshards = (n + PROBE_SHARD - 1) / PROBE_SHARD;
	p->shards = xcalloc(p->nshards ? p->nshards : 1, sizeof(*p->shards));
	p->slots = xcalloc(n ? n : 1, sizeof(*p->slots));
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	p->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = PROBE_WAKE_TAG;
	if (p->epfd < 0 || p->wakefd < 0 ||
	    epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, &ev) < 0) {
		snprintf(msg, msgsize, "cannot set up polling: %s",
			 strerror(errno));
		probe_free(p);
		return NULL;
	}
	for (k = 0; k < p->nshards; k++) {
		struct probe_shard *sh = &p->shards[k];

		sh->timer_due = -1;
		sh->multi = curl_multi_init();
		if (sh->multi == NULL) {
			snprintf(msg, msgsize, "cannot start libcurl");
			probe_free(p);
			return NULL;
		}
		/* Keep one idle connection per node so checks reuse them. */
		curl_multi_setopt(sh->multi, CURLMOPT_MAXCONNECTS,
				  (long)PROBE_SHARD + 8);
		curl_multi_setopt(sh->multi, CURLMOPT_SOCKETFUNCTION,
				  probe_on_socket);
		curl_multi_setopt(sh->multi, CURLMOPT_SOCKETDATA, p);
		curl_multi_setopt(sh->multi, CURLMOPT_TIMERFUNCTION,
				  probe_on_timer);
		curl_multi_setopt(sh->multi, CURLMOPT_TIMERDATA, sh);
	}
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
		p->slots[k].shard = k / PROBE_SHARD;
		curl_easy_setopt(e, CURLOPT_URL, urls[k]);
		curl_easy_setopt(e, CURLOPT_PRIVATE, &p->slots[k]);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, probe_discard);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &p->slots[k]);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->slots[k].errbuf);
		curl_easy_setopt(e, CURLOPT_USERAGENT, "bvops/" BVOPS_VERSION);
		curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
		/* Pruning the DNS cache walks all of it on every lookup. */
		curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
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
			curl_multi_remove_handle(
			    p->shards[p->slots[k].shard].multi,
			    p->slots[k].easy);
		curl_easy_cleanup(p->slots[k].easy);
	}
	for (k = 0; k < p->nshards; k++)
		if (p->shards[k].multi != NULL)
			curl_multi_cleanup(p->shards[k].multi);
	if (p->epfd >= 0)
		close(p->epfd);
	if (p->wakefd >= 0)
		close(p->wakefd);
	free(p->shards);
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
	s->body = 0;
	/* Adding sets the shard's timer to "now": probe_wait acts on it. */
	if (curl_multi_add_handle(p->shards[s->shard].multi, s->easy) !=
	    CURLM_OK)
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

/* Give every shard whose timer is due its call. */
static int probe_run_timers(struct probe *p)
{
	int64_t now = clock_mono_ms();
	size_t k;
	int still;

	for (k = 0; k < p->nshards; k++) {
		struct probe_shard *sh = &p->shards[k];

		if (sh->timer_due < 0 || sh->timer_due > now)
			continue;
		sh->timer_due = -1;
		if (curl_multi_socket_action(sh->multi, CURL_SOCKET_TIMEOUT, 0,
					     &still) != CURLM_OK)
			return -1;
	}
	return 0;
}

int probe_wait(struct probe *p, int wait_ms)
{
	struct epoll_event evs[64];
	int64_t now = clock_mono_ms();
	size_t k;
	int n, i, still;

	if (probe_run_timers(p) < 0)
		return -1;
	for (k = 0; k < p->nshards; k++) {
		int64_t due = p->shards[k].timer_due;

		if (due >= 0 && due - now < wait_ms)
			wait_ms = due > now ? (int)(due - now) : 0;
	}
	n = epoll_wait(p->epfd, evs, 64, wait_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64, drain;
		int mask = 0;

		if (tag == PROBE_EXTERN_TAG)
			continue; /* the caller's: waking up was the point */
		if (tag == PROBE_WAKE_TAG) {
			if (read(p->wakefd, &drain, sizeof(drain)) < 0)
				(void)0; /* nothing to drain */
			continue;
		}
		if (evs[i].events & (EPOLLIN | EPOLLHUP))
			mask |= CURL_CSELECT_IN;
		if (evs[i].events & EPOLLOUT)
			mask |= CURL_CSELECT_OUT;
		if (evs[i].events & EPOLLERR)
			mask |= CURL_CSELECT_ERR;
		if (curl_multi_socket_action(p->shards[tag >> 32].multi,
					     (curl_socket_t)(uint32_t)tag, mask,
					     &still) != CURLM_OK)
			return -1;
	}
	return probe_run_timers(p);
}

int probe_collect(struct probe *p, probe_done_fn done, void *ctx)
{
	size_t k;

	for (k = 0; k < p->nshards; k++) {
		CURLMsg *m;
		int left;

		while ((m = curl_multi_info_read(p->shards[k].multi, &left)) !=
		       NULL) {
			struct probe_slot *s = NULL;
			struct health_check c;
			curl_off_t us = 0;
			long code = 0;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &s);
			memset(&c, 0, sizeof(c));
			c.at_ms = clock_now_ms();
			c.latency_ms = -1;
			/* An answer cut at PROBE_BODY_MAX is still an
			 * answer: its status code counts. */
			if (m->data.result == CURLE_OK ||
			    (m->data.result == CURLE_WRITE_ERROR &&
			     s->body > PROBE_BODY_MAX)) {
				curl_easy_getinfo(
				    s->easy, CURLINFO_RESPONSE_CODE, &code);
				curl_easy_getinfo(s->easy,
						  CURLINFO_TOTAL_TIME_T, &us);
				c.http_code = (int)code;
				c.latency_ms = (double)us / 1000.0;
			} else {
				probe_error(p, s, m->data.result, c.error,
					    sizeof(c.error));
			}
			curl_multi_remove_handle(p->shards[k].multi, s->easy);
			s->busy = false;
			p->running--;
			done(ctx, (size_t)(s - p->slots), &c);
		}
	}
	return 0;
}

int probe_watch_fd(struct probe *p, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = PROBE_EXTERN_TAG;
	return epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev);
}

void probe_wakeup(struct probe *p)
{
	uint64_t one = 1;

	if (write(p->wakefd, &one, sizeof(one)) < 0)
		(void)0; /* already signalled: the counter is full */
}
