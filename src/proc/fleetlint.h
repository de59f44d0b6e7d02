/*
 * fleetlint: bvops config lint over a fleet as deployed: every node's
 * config read where it lives (cfgloc.h, S3), one of them optionally
 * replaced by a text not uploaded yet (a config edit's), then cfglint.h's
 * checks. Blocking; owns nothing past a call.
 */
#ifndef BVOPS_FLEETLINT_H
#define BVOPS_FLEETLINT_H

#include <stddef.h>

#include "aws/aws.h"
#include "lib/buf.h"
#include "state/fleet.h"

struct fleetlint_opts {
	const char *region;  /* the AWS region to resolve configs in */
	const char *as_node; /* this node's config is text below, */
	const char *text;    /* not S3's (NULL: none) */
	size_t len;
	const char *const *only; /* report on these nodes only (NULL: all) */
	size_t nonly;
};

/*
 * The problems of the nodes reported on, a line each, into out; a line
 * per config that could not be read into unread_msgs. Returns how many
 * problems were put in out; *unread is how many configs were not read.
 * a: NULL reads each config as its node's identity (awsid.h).
 */
size_t fleetlint_run(const struct fleet *f, struct aws_client *a,
		     const struct fleetlint_opts *o, struct buf *out,
		     struct buf *unread_msgs, size_t *unread);

#endif
