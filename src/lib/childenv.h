/*
 * childenv: the environment of a command bvops starts (a node's command
 * run locally, the alert command, the editor, an ssh ProxyCommand): its
 * own, less the AWS secrets it may hold, which such a command has no need
 * for and could leak (a log, a core dump, a careless script).
 *
 * Owns the array it returns (the strings are environ's): free it with
 * free(). Call it before fork; the child only passes it to exec.
 */
#ifndef BVOPS_CHILDENV_H
#define BVOPS_CHILDENV_H

#include <stdbool.h>

/* environ without AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 * AWS_SECURITY_TOKEN, AWS_ACCESS_KEY_ID and
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. */
char **childenv_new(void);
/* Is "NAME=value" one of those? */
bool childenv_is_secret(const char *entry);

#endif
