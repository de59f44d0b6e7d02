/*
 * libFuzzer target for the TOML parser and the edit writer. Whatever
 * parses must write back byte for byte, and every edit that succeeds must
 * leave a document where the edit can be seen.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/toml.h"
#include "lib/toml_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct toml_value *v, int depth)
{
	size_t k, n;

	if (depth > 200)
		abort();
	switch (toml_value_type(v)) {
	case TOML_TABLE:
		n = toml_table_count(v);
		for (k = 0; k < n; k++) {
			size_t len;
			const char *key = toml_table_key_at(v, k, &len);

			if (toml_table_getn(v, key, len) !=
			    toml_table_value_at(v, k))
				abort(); /* lookup must find every key */
			walk(toml_table_value_at(v, k), depth + 1);
		}
		break;
	case TOML_ARRAY:
		n = toml_array_count(v);
		for (k = 0; k < n; k++)
			walk(toml_array_at(v, k), depth + 1);
		break;
	default:
		if (toml_value_end(v) < toml_value_start(v))
			abort();
		break;
	}
}

/* The first table under the root that has a plain name, as a path. */
static const char *first_table(const struct toml_doc *doc)
{
	const struct toml_value *root = toml_doc_root(doc);
	size_t k, n = toml_table_count(root);

	for (k = 0; k < n; k++) {
		const struct toml_value *v = toml_table_value_at(root, k);
		const char *key = toml_table_key_at(root, k, NULL);
		size_t j;

		if (toml_value_type(v) != TOML_TABLE || strlen(key) == 0)
			continue;
		for (j = 0; key[j] != '\0'; j++)
			if (!((key[j] >= 'a' && key[j] <= 'z') ||
			      (key[j] >= 'A' && key[j] <= 'Z') ||
			      (key[j] >= '0' && key[j] <= '9') ||
			      key[j] == '_'))
				break;
		if (key[j] == '\0')
			return key;
	}
	return NULL;
}

static void try_set(struct toml_doc **doc, const char *path)
{
	struct toml_error err;
	const struct toml_value *t;

	if (toml_edit_set(doc, path, "fuzz_key", "true", &err) != 0)
		return;
	t = toml_edit_find(*doc, path, &err);
	if (t == NULL || toml_table_get(t, "fuzz_key") == NULL ||
	    toml_value_type(toml_table_get(t, "fuzz_key")) != TOML_BOOL)
		abort(); /* the edit claims success but is not there */
	if (toml_edit_remove_key(doc, path, "fuzz_key", &err) != 0)
		abort(); /* what was just added can be taken away */
	t = toml_edit_find(*doc, path, &err);
	if (t != NULL && toml_table_get(t, "fuzz_key") != NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse((const char *)data, size, &err);
	const char *text, *table;
	size_t len;

	if (doc == NULL) {
		if (err.msg[0] == '\0')
			abort(); /* every failure says why */
		return 0;
	}
	text = toml_doc_text(doc, &len);
	if (len != size || memcmp(text, data, size) != 0)
		abort();
	walk(toml_doc_root(doc), 0);
	try_set(&doc, "");
	table = first_table(doc);
	if (table != NULL) {
		char path[256];

		strncpy(path, table, sizeof(path) - 1);
		path[sizeof(path) - 1] = '\0';
		try_set(&doc, path);
		try_set(&doc, "fuzz_new.sub");
	}
	toml_doc_free(doc);
	return 0;
}
