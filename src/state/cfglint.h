/*
 * cfglint: the checks an expert makes across a fleet's config.toml files
 * before trusting them (docs/config-lint.md): each node's [Player] Index
 * is the fleet file's and no other node's; every player's PublicKey is
 * the same in every config that names it ([Players.N] tables or
 * [[Players]] with an Index); peer addresses are in a scheme the TSM
 * knows (tcp, tcps, ws, wss, incoming, broker); the ERS configuration is
 * on every node or on none. Pure: the texts are given, nothing is read.
 * Owns nothing past a call.
 */
#ifndef BVOPS_CFGLINT_H
#define BVOPS_CFGLINT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct cfglint_input {
	const char *node;  /* its name in the fleet file */
	int64_t index;     /* its index in the fleet file */
	const char *where; /* how to name the file: "s3://bucket/key" */
	const char *text;  /* the config's text, or NULL: not read */
	size_t len;
};

/*
 * Lint the n configs together: one line per problem into out, "NODE:
 * WHERE:LINE:COL: what is wrong", in the order of the nodes, each with
 * what it is compared with. Returns how many problems there are.
 */
size_t cfglint_run(const struct cfglint_input *in, size_t n, struct buf *out);

#endif
