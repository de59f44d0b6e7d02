/*
 * discover: a fleet file written from what EC2 says of the deployment's
 * instances (bvops discover; docs/discover.md).
 *
 * A node is a running instance with an EnclaveName tag. --namespace and
 * --env keep those whose Namespace / Environment (or Env) tag says so,
 * or whose CloudFormation stack (aws:cloudformation:stack-name) is named
 * NAMESPACE-ENV-... as the Marketplace stacks are. Each node gets
 * transport "ssm", its instance_id, enclave_name and config_ssm_param
 * (the CONFIG_SSM_PARAM tag), and a ping_url from a template; the
 * instance bvops runs on (IMDS's instance id) gets transport "local".
 * Index and role come from tags (PlayerIndex or Index, Role) when there
 * are some, else from the stack's name, else they are guessed, and the
 * file says which were guessed. Tag values are untrusted: an instance
 * whose EnclaveName a node name cannot hold is left out (and said), and
 * every value is written as an escaped TOML string.
 *
 * Pure: takes the instances, returns the text. Owns nothing it returns.
 */
#ifndef BVOPS_DISCOVER_H
#define BVOPS_DISCOVER_H

#include <stddef.h>

#include "aws/aws_ec2.h"

#define DISCOVER_PING_URL "http://{private_ip}:8080/ping"

struct discover_opts {
	const char *ns, *env;      /* filters; NULL: any */
	const char *fleet_name;    /* NULL: NS-ENV, NS, or "discovered" */
	const char *region;        /* written as [fleet] region */
	const char *ping_url;      /* NULL: DISCOVER_PING_URL; {private_ip},
				      {instance_id}, {enclave} */
	const char *this_instance; /* where bvops runs, or NULL */
	const char *source;        /* for the header comment */
};

/*
 * The fleet file's text for the nodes among l (a new string; *count the
 * number of nodes), or NULL with a message when none is there. Notes for
 * the operator (instances left out, and why) are appended to *notes (a
 * new string, may be empty; the caller frees it).
 */
char *discover_fleet(const struct aws_ec2_instances *l,
		     const struct discover_opts *o, size_t *count, char **notes,
		     char *msg, size_t msgsize);

#endif
