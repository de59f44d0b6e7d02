#include "lib/childenv.h"

#include <stddef.h>
#include <string.h>

#include "lib/xalloc.h"

extern char **environ;

static const char *const childenv_secrets[] = {
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
};

bool childenv_is_secret(const char *entry)
{
	size_t k, len = strcspn(entry, "=");

	for (k = 0; k < sizeof(childenv_secrets) / sizeof(childenv_secrets[0]);
	     k++)
		if (strlen(childenv_secrets[k]) == len &&
		    strncmp(entry, childenv_secrets[k], len) == 0)
			return true;
	return false;
}

char **childenv_new(void)
{
	size_t n = 0, k, out = 0;
	char **env;

	while (environ != NULL && environ[n] != NULL)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	for (k = 0; k < n; k++)
		if (!childenv_is_secret(environ[k]))
			env[out++] = environ[k];
	env[out] = NULL;
	return env;
}
