/*
 * awscred: AWS credentials and region, from the standard places in the
 * standard order (SPEC "AWS"): the environment; a profile of
 * ~/.aws/credentials and ~/.aws/config (AWS_PROFILE, else "default";
 * AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move them); the EC2
 * instance role through IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT moves
 * it, AWS_EC2_METADATA_DISABLED=true turns it off).
 *
 * Owns the strings of a struct aws_creds; the secret and the session
 * token are wiped when freed and never appear in a message. Calls block
 * (IMDS answers within a second or two): for the command line and for the
 * engine thread between other work, never for the screen.
 */
#ifndef BVOPS_AWSCRED_H
#define BVOPS_AWSCRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aws_creds {
	char *key_id;
	char *secret;
	char *token;        /* NULL: long-term keys */
	int64_t expires_ms; /* wall clock; 0: no expiry */
	char source[160]; /* "environment", "profile NAME", "instance role NAME"
			   */
};

/* Find credentials. Returns 0, or -1 with a message saying where it
 * looked and what is missing. */
int awscred_load(struct aws_creds *c, char *msg, size_t msgsize);

/*
 * Who a call is made as (docs/aws.md): a named profile (whatever it
 * holds: keys, a role with its source, SSO, credential_process), a role
 * assumed (with its external id) from that profile or from the default
 * chain, or the default chain (every field NULL).
 */
struct aws_identity {
	const char *profile;
	const char *role_arn;
	const char *external_id;
};

/* --profile NAME: the default chain is that profile alone, over the
 * environment's keys, as the aws CLI's --profile (NULL: the standard
 * chain). Process-wide; set before any thread starts. */
void awscred_set_default_profile(const char *profile);
const char *awscred_default_profile(void);

/* Credentials of identity id (NULL: the default chain). 0, or -1 with a
 * message that starts with the identity ("profile node-2-admin: ..."). */
int awscred_load_as(const struct aws_identity *id, struct aws_creds *c,
		    char *msg, size_t msgsize);
/* "profile node-2-admin", "role arn:aws:iam::1:role/x", "role ... from
 * profile p", "the default chain": into out. */
void awscred_identity_describe(const struct aws_identity *id, char *out,
			       size_t size);
/* A copy of c (its own strings). */
void awscred_copy(struct aws_creds *to, const struct aws_creds *from);
/* Expiring within five minutes (or expired): load again. */
bool awscred_stale(const struct aws_creds *c, int64_t now_ms);
void awscred_free(struct aws_creds *c);

/*
 * The region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, the
 * fleet file's (fleet_region, may be NULL), then the instance's (IMDS).
 * Writes it to out and returns 0, or -1 with a message.
 */
int awscred_region(const char *fleet_region, char *out, size_t size, char *msg,
		   size_t msgsize);

/* The region of an ARN ("arn:aws:ssm:eu-west-1:123:parameter/x"), copied
 * into out; false when s is not an ARN with one. */
bool awscred_arn_region(const char *s, char *out, size_t size);

/*
 * One IMDSv2 read: a token (PUT with a TTL; one per process, reused until
 * shortly before it expires), then GET path with it. The
 * answer (at most 64 KiB) is a new string the caller frees; NULL with a
 * message when IMDS is off, unreachable or says no.
 */
char *awscred_imds_get(const char *path, char *msg, size_t msgsize);

#endif
