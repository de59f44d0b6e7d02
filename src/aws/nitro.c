#include "aws/nitro.h"

#include <stdlib.h>
#include <string.h>

#include "aws/aws_cw.h"
#include "aws/awsid.h"
#include "lib/xalloc.h"

/* The nodes in of[0..n) (their dimension values in dims), as client a. */
static int nitro_group(struct aws_client *a, const char *region,
		       const struct aws_cw_metric *m, const char **dims,
		       const size_t *of, size_t n, int64_t now_s,
		       double *values, bool *have, char *msg, size_t msgsize)
{
	double *v = xcalloc(n + 1, sizeof(*v));
	bool *h = xcalloc(n + 1, sizeof(*h));
	size_t k, done;
	int rc = 0;

	/* One call, unless the group is larger than a call may ask. */
	for (done = 0; rc == 0 && done < n; done += AWS_CW_QUERIES_MAX) {
		size_t part = n - done < AWS_CW_QUERIES_MAX
				  ? n - done
				  : AWS_CW_QUERIES_MAX;

		rc = aws_cw_latest(a, region, m, dims + done, part, now_s,
				   v + done, h + done, msg, msgsize);
	}
	for (k = 0; rc == 0 && k < n; k++) {
		values[of[k]] = v[k];
		have[of[k]] = h[k];
	}
	free(v);
	free(h);
	return rc;
}

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
	bool *done = xcalloc(f->nnodes + 1, sizeof(*done));
	size_t k, j;
	int rc = 0;

	for (k = 0; k < f->nnodes; k++) {
		have[k] = false;
		values[k] = 0;
	}
	/* A call per identity (a node's metric is its identity's): the
	 * nodes that share one are asked together. */
	for (k = 0; rc == 0 && k < f->nnodes; k++) {
		struct aws_client *ga;
		size_t n = 0;

		if (done[k])
			continue;
		ga = a != NULL ? a : awsid_client_node(f, &f->nodes[k]);
		for (j = k; j < f->nnodes; j++) {
			const char *d;

			if (done[j])
				continue;
			if (a == NULL) {
				char who[400];

				awsid_describe_node(f, &f->nodes[j], who,
						    sizeof(who));
				if (strcmp(who, aws_client_identity(ga)) != 0)
					continue;
			}
			done[j] = true;
			d = fleet_node_nitro_dimension(f, &f->nodes[j]);
			if (d != NULL) {
				dims[n] = d;
				of[n++] = j;
			}
		}
		rc = nitro_group(ga, region, &m, dims, of, n, now_s, values,
				 have, msg, msgsize);
		if (ga != a)
			aws_client_free(ga);
	}
	if (rc < 0)
		for (k = 0; k < f->nnodes; k++)
			have[k] = false;
	free(dims);
	free(of);
	free(done);
	return rc;
}
