/*
 * awstrace: --debug's trace of AWS requests, one line each, to a stream
 * (stderr for a command, a file under the state folder for the console,
 * which owns the screen). Owns the stream pointer and the lock that keeps
 * lines from threads whole; never sees a signature, a credential, a token
 * or a body: callers give it only the call, the resource, the method and
 * path, the region, who, and the answer's status, request id and time.
 */
#ifndef BVOPS_AWSTRACE_H
#define BVOPS_AWSTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Trace to to (NULL: off). Set before threads start. */
void awstrace_set(FILE *to);
bool awstrace_on(void);

/* One line, "bvops aws: " and fmt's text, made safe for a terminal (the
 * resource and the request id come from outside). */
void awstrace_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Is header line data (len bytes, as libcurl gives it) AWS's request id
 * (x-amzn-RequestId, x-amz-request-id)? Then its value into out. */
bool awstrace_request_id(const char *data, size_t len, char *out, size_t size);

#endif
