#include "state/statedir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	struct stat st;

	if (statedir_mkdirs(dir) < 0) {
		snprintf(msg, msgsize, "%s: cannot create: %s", dir,
			 strerror(errno));
		free(dir);
		return NULL;
	}
	/* Journals, holds and the audit log are trusted as bvops wrote
	 * them: a folder someone else can write to (or that is someone
	 * else's) could hold anything. */
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(msg, msgsize, "%s: not a folder%s", dir,
			 S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
	} else if (st.st_uid != geteuid()) {
		snprintf(msg, msgsize,
			 "%s: owned by uid %ld, not by you (uid %ld): refused "
			 "(bvops keeps its journals and holds there)",
			 dir, (long)st.st_uid, (long)geteuid());
	} else if ((st.st_mode & 022) != 0) {
		snprintf(msg, msgsize,
			 "%s: writable by %s: refused (chmod 700 %s)", dir,
			 (st.st_mode & 002) ? "everyone" : "its group", dir);
	} else {
		return dir;
	}
	free(dir);
	return NULL;
}

char *statedir_file(const char *state_dir, const char *folder, const char *name,
		    const char *suffix)
{
	return xasprintf("%s%s%s%s%s%s", state_dir, folder ? "/" : "",
			 folder ? folder : "", name ? "/" : "",
			 name ? name : "", suffix ? suffix : "");
}
