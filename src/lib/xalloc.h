/*
 * xalloc: allocation that never returns NULL.
 *
 * Owns nothing. Out of memory is the one error bvops does not return to the
 * caller: it prints a line and aborts, because no recovery path can be
 * trusted once malloc fails.
 */
#ifndef BVOPS_XALLOC_H
#define BVOPS_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Return new memory the caller frees with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
/* Resize ptr (caller still owns the result; ptr is no longer valid). */
void *xrealloc(void *ptr, size_t size);
/* Return a NUL-terminated copy the caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
/* Return a formatted string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same from a va_list (ap is used up, as by vsnprintf). */
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

#endif
