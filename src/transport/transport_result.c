#include "transport/transport_result.h"

#include <stdlib.h>

void transport_result_free(struct transport_result *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}
