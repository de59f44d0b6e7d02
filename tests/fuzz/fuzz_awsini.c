/*
 * libFuzzer target for the AWS shared-file reader and ARN regions: any
 * text, no crash, no read past it; what comes back is a NUL-terminated
 * string no longer than the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awscred.h"
#include "aws/awsini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *v, r[32];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	v = awsini_get(text, "default", "region");
	if (v != NULL && strlen(v) > size)
		abort();
	free(v);
	v = awsini_get(text, "profile a b", "aws_access_key_id");
	free(v);
	if (awscred_arn_region(text, r, sizeof(r)) && strlen(r) > size)
		abort();
	free(text);
	return 0;
}
