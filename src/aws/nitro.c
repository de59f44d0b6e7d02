#include "aws/nitro.h"

#include <stdlib.h>

#include "aws/aws_cw.h"
#include "lib/xalloc.h"

int nitro_fetch(struct aws_client *a, const char *region, const struct fleet *f,
		int64_t now_s, double *values, bool *have, char *msg,
		size_t msgsize)
{
	struct aws_cw_metric m = {
	    .namespace_ = f->nitro.namespace_,
	    .name = f->nitro.metric,
	    .dimension = f->nitro.dimension,
	    .stat = f->nitro.stat,
	    .period_s = (int)(f->nitro.period_ms / 1000),
	    .window_s = (int)(f->nitro.window_ms / 1000),
	};
	const char **dims = xcalloc(f->nnodes + 1, sizeof(*dims));
	size_t *of = xcalloc(f->nnodes + 1, sizeof(*of));
	double *v = xcalloc(f->nnodes + 1, sizeof(*v));
	bool *h = xcalloc(f->nnodes + 1, sizeof(*h));
	size_t k, n = 0, done;
	int rc = 0;

	for (k = 0; k < f->nnodes; k++) {
		const char *d = fleet_node_nitro_dimension(f, &f->nodes[k]);

		have[k] = false;
		values[k] = 0;
		if (d != NULL) {
			dims[n] = d;
			of[n++] = k;
		}
	}
	/* One call, unless the fleet is larger than a call may ask. */
	for (done = 0; rc == 0 && done < n; done += AWS_CW_QUERIES_MAX) {
		size_t part = n - done < AWS_CW_QUERIES_MAX
				  ? n - done
				  : AWS_CW_QUERIES_MAX;

		rc = aws_cw_latest(a, region, &m, dims + done, part, now_s,
				   v + done, h + done, msg, msgsize);
	}
	for (k = 0; rc == 0 && k < n; k++) {
		values[of[k]] = v[k];
		have[of[k]] = h[k];
	}
	free(dims);
	free(of);
	free(v);
	free(h);
	return rc;
}
