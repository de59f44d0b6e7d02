/*
 * probe: HTTP checks of nodes' ping_url, many at once, through libcurl's
 * multi interface, driven by the caller's loop (no threads here).
 *
 * Owns an epoll set, curl multi handles (one per 64 nodes, driven with
 * curl_multi_socket_action) and one easy handle per node, reused from
 * check to check so connections are kept alive. Redirects are not
 * followed (a 3xx is a failed check); HTTPS is verified against curl's CA
 * bundle; the body is read and thrown away, at most PROBE_BODY_MAX bytes
 * of it (the rest is not read: the answer's status code stands).
 */
#ifndef BVOPS_PROBE_H
#define BVOPS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/health.h"

#define PROBE_BODY_MAX ((size_t)64 << 10)

struct probe;

/* Called for each finished check, with the node's index in urls. */
typedef void (*probe_done_fn)(void *ctx, size_t node,
			      const struct health_check *result);

/*
 * Make a prober for n URLs (copied) with this timeout. Returns NULL with a
 * message when libcurl cannot be set up.
 */
struct probe *probe_new(const char *const *urls, size_t n, long timeout_ms,
			char *msg, size_t msgsize);
void probe_free(struct probe *p);

/* Start a check of node i; false if one is already running. */
bool probe_start(struct probe *p, size_t i);
/* How many checks are running. */
size_t probe_running(const struct probe *p);
/*
 * Wait up to wait_ms for network activity (less when libcurl has a timer
 * due), moving transfers on. Returns 0, or -1 if libcurl failed.
 */
int probe_wait(struct probe *p, int wait_ms);
/* Report each check that has ended. Returns 0, or -1 on failure. */
int probe_collect(struct probe *p, probe_done_fn done, void *ctx);
/* Let probe_wait() also return when fd (the caller's) is readable; the
 * caller then handles it. Returns 0, or -1 with errno. */
int probe_watch_fd(struct probe *p, int fd);
/* Make a probe_wait() in another thread return now. */
void probe_wakeup(struct probe *p);

#endif
