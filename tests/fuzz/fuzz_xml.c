/*
 * libFuzzer target for the XML tree of AWS answers: any bytes, no crash,
 * no leak; a tree comes back with every element named and every text
 * non-NULL, and the lookups walk it safely.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct xml *x, int depth)
{
	for (; x != NULL; x = x->next) {
		if (x->name == NULL || x->text == NULL || depth > XML_DEPTH_MAX)
			abort();
		walk(x->child, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[256];
	struct xml *x = xml_parse((const char *)data, size, msg, sizeof(msg));

	if (x == NULL) {
		if (memchr(msg, '\0', sizeof(msg)) == NULL)
			abort();
		return 0;
	}
	walk(x, 1);
	(void)xml_text(x, "reservationSet/item/instancesSet/item/instanceId");
	(void)xml_next(xml_child(x, "member"));
	xml_free(x);
	return 0;
}
