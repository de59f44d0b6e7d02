/* sha256: libcrypto's digest, as the hex SigV4 and S3 want. */
#include "lib/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	/* Fails only for want of memory. */
	if (EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) != 1 ||
	    n != SHA256_LEN)
		abort();
	for (i = 0; i < n; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", d[i]);
}
