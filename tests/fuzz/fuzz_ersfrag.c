/*
 * libFuzzer target for the ERS fragment (ersfrag.h): the input is a
 * fragment and a config, split at the first "\n%%\n" (none: a preset
 * into the whole input). No crash, no leak; a merge that succeeds leaves
 * a config that holds the fragment, and taking the record out of it
 * again succeeds and leaves valid TOML without a conflict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/toml.h"
#include "state/ersfrag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sep = memmem(data, size, "\n%%\n", 4);
	const char *frag = ersfrag_preset_text("enable-ers-export");
	size_t flen = strlen(frag), clen = size, len, blen, removed;
	const char *cfg = (const char *)data;
	struct ersfrag f;
	char msg[4096], *out = NULL, *back = NULL;
	cJSON *rec;

	if (sep != NULL) {
		frag = (const char *)data;
		flen = (size_t)(sep - (const char *)data);
		cfg = sep + 4;
		clen = size - flen - 4;
	}
	if (ersfrag_parse("fuzz", frag, flen, &f, msg, sizeof(msg)) < 0)
		return 0;
	rec = cJSON_CreateObject();
	if (ersfrag_merge(cfg, clen, &f, &out, &len, rec, msg, sizeof(msg)) ==
	    0) {
		struct toml_error err;
		struct toml_doc *d;

		if (ersfrag_present(out, len, &f) != 1)
			abort();
		if (ersfrag_unmerge(out, len, rec, &back, &blen, &removed, msg,
				    sizeof(msg)) != 0)
			abort();
		d = toml_doc_parse(back, blen, &err);
		if (d == NULL)
			abort();
		toml_doc_free(d);
	}
	free(out);
	free(back);
	cJSON_Delete(rec);
	ersfrag_free(&f);
	return 0;
}
