#include "lib/whoami.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* s, cut to max - 1 bytes, with only letters, digits and extra, into
 * out. */
static void whoami_clean(const char *s, size_t max, const char *extra,
			 char *out, size_t size)
{
	size_t k, n = 0;

	if (size == 0)
		return;
	for (k = 0; s[k] != '\0' && n + 1 < max && n + 1 < size; k++) {
		char c = s[k];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || strchr(extra, c) != NULL;

		out[n++] = ok ? c : '_';
	}
	if (n == 0 && size > 1)
		out[n++] = '?';
	out[n] = '\0';
}

void whoami_user(char *out, size_t size)
{
	const char *env = getenv("BVOPS_OPERATOR");
	struct passwd *pw;

	if (env != NULL && env[0] != '\0') {
		whoami_clean(env, WHOAMI_USER_MAX, "._@+-", out, size);
		return;
	}
	pw = getpwuid(getuid());
	whoami_clean(pw ? pw->pw_name : "?", WHOAMI_USER_MAX, "._@+-", out,
		     size);
}

void whoami_host(char *out, size_t size)
{
	const char *env = getenv("BVOPS_HOST");
	char host[256] = "";

	if (env != NULL && env[0] != '\0') {
		whoami_clean(env, WHOAMI_HOST_MAX, "._+-", out, size);
		return;
	}
	gethostname(host, sizeof(host) - 1);
	whoami_clean(host, WHOAMI_HOST_MAX, "._+-", out, size);
}

void whoami_owner(char *out, size_t size)
{
	char user[WHOAMI_USER_MAX], host[WHOAMI_HOST_MAX];

	whoami_user(user, sizeof(user));
	whoami_host(host, sizeof(host));
	snprintf(out, size, "%s@%s", user, host);
}
