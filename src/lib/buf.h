/*
 * buf: a growable byte buffer with a hard size cap.
 *
 * Owns its data. Every append either fits under the cap or fails with -1
 * and leaves the buffer unchanged, so untrusted input can never grow it
 * without bound. data is always NUL-terminated (not counted in len).
 */
#ifndef BVOPS_BUF_H
#define BVOPS_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t limit; /* largest len allowed; 0 means BUF_DEFAULT_LIMIT */
};

#define BUF_DEFAULT_LIMIT ((size_t)64 << 20)

/* Start an empty buffer that may hold up to limit bytes (0: default). */
void buf_init(struct buf *b, size_t limit);
/* Release the data; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Append bytes; 0 on success, -1 if the cap would be passed. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Read the whole file at path into b (after what it holds; b's limit
 * bounds it). 0, or -1 with "path: why" in msg.
 */
int buf_read_file(struct buf *b, const char *path, char *msg, size_t msgsize);
/* The whole file at path (at most limit bytes) as a new NUL-terminated
 * string (*len its length, may be NULL); NULL with "path: why". */
char *buf_read_whole(const char *path, size_t limit, size_t *len, char *msg,
		     size_t msgsize);
/*
 * Write len bytes of data to path (0600), fsync'd: a new file only when
 * exclusive (an existing one is an error saying "(not overwritten)"),
 * else created or truncated. 0, or -1 with "path: why" in msg.
 */
int buf_write_file(const char *path, const char *data, size_t len,
		   bool exclusive, char *msg, size_t msgsize);
/* Hand the data to the caller (who frees it); the buffer becomes empty. */
char *buf_take(struct buf *b, size_t *len);

#endif
