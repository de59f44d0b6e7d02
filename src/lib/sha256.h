/*
 * sha256: SHA-256 (FIPS 180-4), for S3's x-amz-content-sha256 and for
 * telling whether a config changed. No state beyond the context.
 */
#ifndef BVOPS_SHA256_H
#define BVOPS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t bytes; /* message length so far */
	unsigned char block[64];
	size_t fill; /* bytes in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
/* The digest of data as 64 lower-case hex digits (out holds 65). */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

#endif
