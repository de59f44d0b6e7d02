/* libFuzzer target for the fleet file loader. */
#include <stdint.h>
#include <stdlib.h>

#include "state/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fleet_diags diags;
	struct fleet *f =
	    fleet_parse("fuzz.toml", (const char *)data, size, &diags);

	if ((f == NULL) == (diags.n == 0))
		abort(); /* a fleet, or the reasons there is none */
	fleet_free(f);
	fleet_diags_free(&diags);
	return 0;
}
