#include "lib/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void buf_init(struct buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit ? limit : BUF_DEFAULT_LIMIT;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int buf_reserve(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > b->limit || b->len > b->limit - extra)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap && b->data != NULL)
		return 0;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_append_char(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *buf_take(struct buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		buf_append(b, "", 0);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int buf_read_file(struct buf *b, const char *path, char *msg, size_t msgsize)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || buf_append(b, chunk, (size_t)r) < 0) {
			snprintf(msg, msgsize, "%s: %s", path,
				 r < 0 ? strerror(errno) : "too large");
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

int buf_write_file(const char *path, const char *data, size_t len,
		   bool exclusive, char *msg, size_t msgsize)
{
	/* Never through a symlink someone else left in our place. */
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			  (exclusive ? O_EXCL : O_TRUNC),
		      0600);
	size_t off = 0;

	if (fd < 0) {
		snprintf(msg, msgsize, "%s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (not overwritten)" : "");
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

char *buf_read_whole(const char *path, size_t limit, size_t *len, char *msg,
		     size_t msgsize)
{
	struct buf b;
	size_t n;
	char *out;

	buf_init(&b, limit);
	if (buf_read_file(&b, path, msg, msgsize) < 0) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, "", 0);
	out = buf_take(&b, &n);
	if (len != NULL)
		*len = n;
	return out;
}
