/*
 * base64: RFC 4648 encoding and decoding (standard alphabet), for SSH keys
 * and fingerprints. Owns nothing; callers give the buffers.
 */
#ifndef BVOPS_BASE64_H
#define BVOPS_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes needed to encode n bytes, with padding, plus the NUL. */
#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)

/* Encode into out (BASE64_ENCODED_SIZE(len) bytes), NUL-terminated;
 * without '=' padding when pad is false (OpenSSH fingerprints). Returns
 * the length written. */
size_t base64_encode(const unsigned char *in, size_t len, char *out, bool pad);

/* Decode text (whitespace skipped, padding optional) into out, at most
 * outsize bytes. Returns the length, or -1 on a bad character or when out
 * is too small. */
long base64_decode(const char *text, size_t len, unsigned char *out,
		   size_t outsize);

#endif
