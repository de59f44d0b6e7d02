#include "proc/keypolicy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_cfn.h"
#include "aws/aws_kms.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "state/kmspolicy.h"
#include "state/marks.h"

int keypolicy_node_key(const struct fleet *f, const struct fleet_node *n,
		       struct aws_client *a, char *region, size_t rsize,
		       char *key, size_t ksize, struct cfgloc *loc, char *msg,
		       size_t msgsize)
{
	char first[64], *k;
	struct cfgloc l;

	if (n->kms_stack == NULL) {
		snprintf(msg, msgsize,
			 "%s has no kms_stack in the fleet file: bvops cannot "
			 "find its KMS key",
			 n->name);
		return -1;
	}
	if (awscred_region(f->region, first, sizeof(first), msg, msgsize) < 0 ||
	    cfgloc_resolve(a, first, n, &l, msg, msgsize) < 0)
		return -1;
	snprintf(region, rsize, "%s", l.region);
	k = aws_cfn_stack_resource(a, region, n->kms_stack,
				   f->debug.kms_logical_id, msg, msgsize);
	if (k == NULL) {
		cfgloc_free(&l);
		return -1;
	}
	snprintf(key, ksize, "%s", k);
	free(k);
	if (loc != NULL)
		*loc = l;
	else
		cfgloc_free(&l);
	return 0;
}

int keypolicy_live(const struct fleet *f, const struct fleet_node *n, char *msg,
		   size_t msgsize)
{
	struct aws_client *a = awsid_client_node(f, n);
	struct kmspolicy_pcr8 p;
	char region[64], key[256], *pol;
	int rc = -1;

	if (keypolicy_node_key(f, n, a, region, sizeof(region), key,
			       sizeof(key), NULL, msg, msgsize) == 0 &&
	    (pol = aws_kms_get_key_policy(a, region, key, msg, msgsize)) !=
		NULL) {
		if (kmspolicy_find_pcr8(pol, strlen(pol), &p, msg, msgsize) ==
		    0)
			rc = p.is_zero ? 1 : 0;
		free(pol);
	}
	aws_client_free(a);
	return rc;
}

bool keypolicy_unrecorded_debug(const struct fleet *f,
				const struct fleet_node *n,
				const char *state_dir, char *out, size_t size)
{
	struct marks_debug md;
	char msg[400];

	out[0] = '\0';
	if (n->kms_stack == NULL || marks_debug_read(state_dir, n->name, &md) ||
	    keypolicy_live(f, n, msg, sizeof(msg)) != 1)
		return false;
	snprintf(out, size,
		 "%s is in DEBUG MODE (not recorded by bvops): its key "
		 "policy's PCR8 is 96 zeros\n",
		 n->name);
	return true;
}
