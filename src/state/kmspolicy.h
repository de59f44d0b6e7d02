/*
 * kmspolicy: the PCR8 condition of a node's KMS key policy, for Nitro
 * debug mode (docs/debug.md).
 *
 * Debug mode makes every PCR of the enclave's attestation all zeros, so
 * the key policy's kms:RecipientAttestation:PCR8 condition must hold 96
 * zeros for a debug enclave to decrypt. bvops finds that one condition
 * (whatever operator it sits under), and changes only its value in the
 * policy's own text: every other byte stays as it was, so the diff shows
 * exactly one line and exit can put the original back byte for byte.
 * No PCR8 condition, several, or one that is not a single string: bvops
 * stops and explains; it never guesses.
 *
 * Pure functions over text; owns nothing past a call.
 */
#ifndef BVOPS_KMSPOLICY_H
#define BVOPS_KMSPOLICY_H

#include <stdbool.h>
#include <stddef.h>

/* 96 hex zeros: a SHA-384 PCR in debug mode. */
#define KMSPOLICY_ZERO_PCR                                                     \
	"000000000000000000000000000000000000000000000000"                     \
	"000000000000000000000000000000000000000000000000"

struct kmspolicy_pcr8 {
	char op[64];     /* the condition operator, "StringEqualsIgnoreCase" */
	char value[128]; /* the value as it is */
	char sid[160];   /* the statement's Sid, or "statement N" */
	bool is_zero;    /* value is 96 zeros: the key is in debug mode */
	/* Warnings an operator must see (other PCRs or ImageSha384 pinned:
	 * a debug enclave still cannot decrypt; an unconditional Allow of
	 * kms:Decrypt: the condition is moot). "" when none. */
	char warning[512];
};

/*
 * Find the one PCR8 condition of policy (JSON text, len bytes). 0, or -1
 * with a message: not JSON, none, several (each named), not a string.
 */
int kmspolicy_find_pcr8(const char *policy, size_t len,
			struct kmspolicy_pcr8 *out, char *msg, size_t msgsize);

/*
 * Every kms:RecipientAttestation:PCRn condition of the policy that holds
 * one string: pins[n] gets it (lower case), "" where none pins PCR n.
 * 0, or -1 with a message when the policy is not JSON.
 */
int kmspolicy_pins(const char *policy, size_t len, char pins[9][128], char *msg,
		   size_t msgsize);

/*
 * The policy with the PCR8 value replaced by value (96 hex characters),
 * every other byte kept: a new string the caller frees (*outlen its
 * length), or NULL with a message (the same refusals as find).
 */
char *kmspolicy_set_pcr8(const char *policy, size_t len, const char *value,
			 size_t *outlen, char *msg, size_t msgsize);

#endif
