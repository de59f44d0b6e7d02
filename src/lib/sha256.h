/*
 * sha256: SHA-256 as hex, for S3's x-amz-content-sha256; the digest is
 * libcrypto's (already loaded through libcurl). Owns nothing.
 */
#ifndef BVOPS_SHA256_H
#define BVOPS_SHA256_H

#include <stddef.h>

#define SHA256_LEN 32

/* The digest of data as 64 lower-case hex digits (out holds 65). */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

#endif
