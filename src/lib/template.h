/*
 * template: the fleet file's command templates ("nitro-cli console
 * --enclave-name {enclave}").
 *
 * Owns nothing. Only {node}, {index} and {enclave} exist; every value is
 * checked against a strict character set and single-quoted for /bin/sh when
 * expanded, so a fleet file cannot smuggle shell code in through a name.
 */
#ifndef BVOPS_TEMPLATE_H
#define BVOPS_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

struct template_vars {
	const char *node;
	const char *index;
	const char *enclave; /* NULL when the node has no enclave_name */
};

/* True when s is a safe name: [A-Za-z0-9._-]+. */
bool template_name_ok(const char *s);

/*
 * Check a template; returns 0, or -1 with *bad_off the byte offset of the
 * offending brace and a message in msg.
 */
int template_check(const char *tmpl, size_t *bad_off, char *msg,
		   size_t msgsize);

/*
 * Expand a template into a new string the caller frees; NULL with a message
 * when a placeholder has no value or an unsafe one.
 */
char *template_expand(const char *tmpl, const struct template_vars *vars,
		      char *msg, size_t msgsize);

#endif
