/*
 * credsrc: the AWS credential sources beyond plain keys, each as the AWS
 * SDKs and CLI run it: a profile's credential_process, STS AssumeRole
 * (signed with the source credentials) and AssumeRoleWithWebIdentity,
 * the container credentials endpoint (ECS, EKS Pod Identity), and IAM
 * Identity Center (SSO) role credentials from the CLI's token cache.
 *
 * Owns the strings of a struct credsrc_out (wiped when freed). Calls
 * block, bounded by their own timeouts; messages never hold a secret.
 */
#ifndef BVOPS_CREDSRC_H
#define BVOPS_CREDSRC_H

#include <stddef.h>
#include <stdint.h>

struct credsrc_out {
	char *key_id, *secret, *token; /* token NULL: long-term keys */
	int64_t expires_ms;            /* wall clock; 0: none given */
};

void credsrc_out_free(struct credsrc_out *o);

/* credential_process: command run by sh, its stdout the SDKs' JSON
 * (Version 1). 0, or -1 with a message (the command's stderr in it). */
int credsrc_process(const char *command, struct credsrc_out *o, char *msg,
		    size_t msgsize);

struct credsrc_role {
	const char *role_arn;
	const char *session_name; /* NULL: "bvops-" and the time */
	const char *external_id;  /* may be NULL */
	long duration_s;          /* 0: 3600 */
	const char *region;       /* STS's; NULL: us-east-1 */
};

/* sts:AssumeRole signed with from. */
int credsrc_assume_role(const struct credsrc_out *from,
			const struct credsrc_role *r, struct credsrc_out *o,
			char *msg, size_t msgsize);
/* sts:AssumeRoleWithWebIdentity with the token in token_file (unsigned). */
int credsrc_web_identity(const struct credsrc_role *r, const char *token_file,
			 struct credsrc_out *o, char *msg, size_t msgsize);
/*
 * The container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI, else
 * http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) as Authorization. 1 when
 * neither variable is set (not a container), 0, or -1 with a message.
 */
int credsrc_container(struct credsrc_out *o, char *msg, size_t msgsize);

struct credsrc_sso {
	const char *session;   /* sso_session (NULL: a legacy profile) */
	const char *start_url; /* sso_start_url */
	const char *region;    /* sso_region: the portal's */
	const char *account_id, *role_name;
};

/* IAM Identity Center: the cached token (~/.aws/sso/cache, as `aws sso
 * login` wrote it), then GetRoleCredentials. */
int credsrc_sso(const struct credsrc_sso *s, struct credsrc_out *o, char *msg,
		size_t msgsize);

#endif
