/*
 * whoami: who this bvops acts as, in every record other operators read
 * (holds, marks, the lock, journals, the audit trail).
 *
 * The operator is BVOPS_OPERATOR when set (an SSM session logs everybody
 * in as ssm-user, so the login name alone tells nobody apart), else the
 * login name. The host is BVOPS_HOST when set, else the host name. Both
 * are cut to their first 60 and 90 bytes and keep only [A-Za-z0-9._+-]
 * (and '@' in the operator; anything else becomes '_'): they go into S3
 * object names and audit lines, and the owner "user@host" splits at its
 * last '@'.
 *
 * Owns nothing.
 */
#ifndef BVOPS_WHOAMI_H
#define BVOPS_WHOAMI_H

#include <stddef.h>

#define WHOAMI_USER_MAX  61
#define WHOAMI_HOST_MAX  91
#define WHOAMI_OWNER_MAX (WHOAMI_USER_MAX + WHOAMI_HOST_MAX + 1)

void whoami_user(char *out, size_t size);
void whoami_host(char *out, size_t size);
/* "user@host" */
void whoami_owner(char *out, size_t size);

#endif
