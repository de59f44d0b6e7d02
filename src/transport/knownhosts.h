/*
 * knownhosts: what an OpenSSH known_hosts file says about one host beyond
 * its plain lines (which libssh2 reads): the @revoked keys, matched with
 * OpenSSH's host patterns (comma lists, '*' and '?', '!' negation, hashed
 * |1|salt|hash names), and the CA keys of its @cert-authority lines.
 * Owns nothing it returns.
 */
#ifndef BVOPS_KNOWNHOSTS_H
#define BVOPS_KNOWNHOSTS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the host field of a known_hosts line (patterns, or one hashed
 * name) matches name: "host" for port 22, "[host]:port" otherwise.
 * Case-insensitive, as OpenSSH's.
 */
bool knownhosts_host_matches(const char *field, size_t len, const char *name);

/*
 * Whether the file at path has a line with marker ("@revoked") whose host
 * field matches name and whose key is the blob key (len bytes, the SSH
 * wire form), or any key when key is NULL. A missing file marks nothing.
 */
bool knownhosts_key_marked(const char *path, const char *marker,
			   const char *name, const unsigned char *key,
			   size_t len);

#define KNOWNHOSTS_TYPE_MAX 48

/*
 * The key types ("ssh-ed25519", ...) of the plain lines of the file at
 * path whose host field matches name, each once, in file order: up to max
 * into types. Returns how many.
 */
size_t knownhosts_key_types(const char *path, const char *name,
			    char (*types)[KNOWNHOSTS_TYPE_MAX], size_t max);

#endif
