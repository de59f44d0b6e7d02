#include "aws/awstrace.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"

static FILE *awstrace_to;
static pthread_mutex_t awstrace_mu = PTHREAD_MUTEX_INITIALIZER;

void awstrace_set(FILE *to)
{
	awstrace_to = to;
}

bool awstrace_on(void)
{
	return awstrace_to != NULL;
}

void awstrace_line(const char *fmt, ...)
{
	va_list ap;
	char *line;
	unsigned char *c;

	if (awstrace_to == NULL)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	/* A bucket, a key or a request id may hold anything. */
	for (c = (unsigned char *)line; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	pthread_mutex_lock(&awstrace_mu);
	fprintf(awstrace_to, "bvops aws: %s\n", line);
	fflush(awstrace_to);
	pthread_mutex_unlock(&awstrace_mu);
	free(line);
}

bool awstrace_request_id(const char *data, size_t len, char *out, size_t size)
{
	const char *v;
	size_t k;

	if (len <= 17 || (strncasecmp(data, "x-amzn-RequestId:", 17) != 0 &&
			  strncasecmp(data, "x-amz-request-id:", 17) != 0))
		return false;
	v = data + 17;
	while (v < data + len && *v == ' ')
		v++;
	k = (size_t)(data + len - v);
	while (k > 0 && (v[k - 1] == '\r' || v[k - 1] == '\n'))
		k--;
	snprintf(out, size, "%.*s", (int)(k < 120 ? k : 120), v);
	return true;
}
