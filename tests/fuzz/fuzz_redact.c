/*
 * libFuzzer target for redaction: any text, no crash; what comes back
 * parses as TOML again whenever the input did, and a string's redaction
 * never grows it without bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/toml.h"
#include "state/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *r, *s;
	size_t len, count;
	struct toml_error terr;

	r = redact_toml((const char *)data, size, &len, &count, err,
			sizeof(err));
	if (r != NULL) {
		struct toml_doc *doc = toml_doc_parse(r, len, &terr);

		if (doc == NULL)
			abort(); /* redaction broke a valid document */
		toml_doc_free(doc);
		free(r);
	}
	s = redact_string((const char *)data,
			  strnlen((const char *)data, size));
	if (s != NULL && strlen(s) > 12 * (size + 1))
		abort();
	free(s);
	return 0;
}
