/*
 * hostcert: an OpenSSH host certificate (the *-cert-v01@openssh.com key
 * formats), read from its wire form and checked as OpenSSH checks one
 * against a @cert-authority line: a host certificate, for this name, in
 * its validity window, with no critical option, signed by the CA key
 * (ed25519, ecdsa P-256/384/521, or RSA with SHA-2) with a signature
 * libcrypto verifies.
 *
 * Owns the plain key it builds; the rest points into the caller's blob,
 * which must outlive the struct.
 */
#ifndef BVOPS_HOSTCERT_H
#define BVOPS_HOSTCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HOSTCERT_HOST 2 /* the certificate type of a host's */

struct hostcert {
	char type[64];        /* "ssh-ed25519-cert-v01@openssh.com" ... */
	unsigned char *plain; /* the certified key as a plain key blob */
	size_t plain_len;
	uint32_t cert_type; /* 1 user, 2 host */
	char key_id[128];
	const unsigned char *principals; /* a list of SSH strings */
	size_t principals_len;
	uint64_t valid_after, valid_before; /* seconds; ~0: forever */
	size_t critical_len;                /* critical options, as sent */
	const unsigned char *ca;            /* the signing CA's key blob */
	size_t ca_len;
	const unsigned char *sig; /* the signature, format and blob */
	size_t sig_len;
	const unsigned char *blob; /* the certificate; signed_len bytes */
	size_t signed_len;         /* of it are what the CA signed */
};

/* Whether a key blob's type is a certificate's (ends -cert-v01@openssh.com). */
bool hostcert_is_cert(const unsigned char *blob, size_t len);
/* Whether a key type name is a certificate's. */
bool hostcert_type_is_cert(const char *type);

/* Read blob (len bytes) into *c; 0, or -1 with a message (nothing to
 * free then). */
int hostcert_parse(const unsigned char *blob, size_t len, struct hostcert *c,
		   char *msg, size_t msgsize);
void hostcert_free(struct hostcert *c);

/*
 * The whole check for host (a name or an address, without the port) at
 * time now, the CA being one the caller trusts for that host: 0, or -1
 * with the reason ("expired on ...", "not valid for host", ...).
 */
int hostcert_check(const struct hostcert *c, const char *host, time_t now,
		   char *msg, size_t msgsize);

#endif
