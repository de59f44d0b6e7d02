#include "state/statedir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/xalloc.h"

char *statedir_path(const char *fleet_name, const char *sub)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	const char *sep = sub != NULL ? "/" : "",
		   *tail = sub != NULL ? sub : "";

	/* XDG: a relative XDG_STATE_HOME is invalid and is ignored. */
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/bvops/%s%s%s", state, fleet_name, sep,
				 tail);
	return xasprintf("%s/.local/state/bvops/%s%s%s", home ? home : "",
			 fleet_name, sep, tail);
}

/* mkdir -p with mode 0700 for every folder it makes. */
static int statedir_mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

char *statedir_open(const char *fleet_name, char *msg, size_t msgsize)
{
	char *dir = statedir_path(fleet_name, NULL);

	if (statedir_mkdirs(dir) < 0) {
		snprintf(msg, msgsize, "%s: cannot create: %s", dir,
			 strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

char *statedir_file(const char *state_dir, const char *folder, const char *name,
		    const char *suffix)
{
	return xasprintf("%s%s%s%s%s%s", state_dir, folder ? "/" : "",
			 folder ? folder : "", name ? "/" : "",
			 name ? name : "", suffix ? suffix : "");
}
