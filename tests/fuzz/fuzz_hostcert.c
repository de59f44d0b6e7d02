/*
 * libFuzzer target for OpenSSH certificates as a server (or ssh-keyscan)
 * sends them: any bytes, no crash, no read past them; a certificate read
 * has a plain key no longer than itself, and checking it (signature
 * included) never crashes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "transport/hostcert.h"
#include "transport/knownhosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostcert c;
	char msg[300];

	if (hostcert_parse(data, size, &c, msg, sizeof(msg)) == 0) {
		if (c.plain_len > size || c.signed_len > size)
			abort();
		(void)hostcert_check(&c, "127.0.0.1", 1700000000, msg,
				     sizeof(msg));
		hostcert_free(&c);
	}
	/* The same bytes as a known_hosts host field. */
	(void)knownhosts_host_matches((const char *)data, size, "node-0");
	return 0;
}
