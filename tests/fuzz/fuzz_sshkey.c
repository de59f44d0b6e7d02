/*
 * libFuzzer target for what bvops reads of a private key file and for
 * base64: any bytes, no crash, no read past the input, and a decoded
 * length within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/base64.h"
#include "transport/ssh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char out[4096];
	bool enc;
	long n;

	if ((unsigned)ssh_key_parse((const char *)data, size, &enc) >
	    SSH_KEY_OTHER)
		abort();
	n = base64_decode((const char *)data, size, out, sizeof(out));
	if (n > (long)sizeof(out))
		abort();
	return 0;
}
