/*
 * libFuzzer target for what `ssh -G` prints: any text, no crash, no read
 * past it; what is kept is bounded (SSHCFG_MAX_KEYS identities, a port in
 * range).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/sshcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct sshcfg c = {0};

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sshcfg_parse(text, "/home/u", "/etc/x y'z", &c);
	if (c.nidentity > SSHCFG_MAX_KEYS || c.port < 1 || c.port > 65535)
		abort();
	sshcfg_free(&c);
	free(text);
	return 0;
}
