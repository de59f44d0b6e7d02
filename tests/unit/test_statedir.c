/*
 * The state folder is not trusted blindly: one that others can write to
 * (or a symbolic link in its place) is refused, and no file in it is
 * written through a symbolic link someone left there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lib/buf.h"
#include "state/eventlog.h"
#include "state/statedir.h"

TEST(statedir_refuses_a_folder_others_can_write)
{
	char home[] = "/tmp/bvops-sd-XXXXXX", path[300], other[300];
	char msg[400] = "", *dir, *saved;
	const char *old = getenv("XDG_STATE_HOME");

	if (!CHECK(mkdtemp(home) != NULL))
		return;
	saved = old ? strdup(old) : NULL;
	setenv("XDG_STATE_HOME", home, 1);
	dir = statedir_open("f", msg, sizeof(msg));
	CHECK(dir != NULL);
	free(dir);
	snprintf(path, sizeof(path), "%s/bvops/f", home);
	chmod(path, 0770);
	dir = statedir_open("f", msg, sizeof(msg));
	CHECK(dir == NULL &&
	      strstr(msg, "writable by its group: refused") != NULL);
	free(dir);
	chmod(path, 0707);
	dir = statedir_open("f", msg, sizeof(msg));
	CHECK(dir == NULL && strstr(msg, "writable by everyone") != NULL);
	free(dir);
	/* A link in its place, even to a good folder. */
	chmod(path, 0700);
	snprintf(other, sizeof(other), "%s/bvops/elsewhere", home);
	CHECK(rename(path, other) == 0 && symlink(other, path) == 0);
	dir = statedir_open("f", msg, sizeof(msg));
	CHECK(dir == NULL && strstr(msg, "a symbolic link") != NULL);
	free(dir);
	if (saved != NULL)
		setenv("XDG_STATE_HOME", saved, 1);
	else
		unsetenv("XDG_STATE_HOME");
	free(saved);
	check_rm_tree(home);
}

TEST(statedir_files_are_never_written_through_a_link)
{
	char dir[] = "/tmp/bvops-sd-XXXXXX", target[300], link[300];
	char msg[400], text[64] = "";
	FILE *f;

	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(target, sizeof(target), "%s/victim", dir);
	f = fopen(target, "w");
	if (f != NULL) {
		fputs("untouched\n", f);
		fclose(f);
	}
	/* audit.log and a file written whole, each a planted link. */
	snprintf(link, sizeof(link), "%s/audit.log", dir);
	CHECK(symlink(target, link) == 0);
	CHECK(eventlog_audit(dir, "test", "n", "result", msg, sizeof(msg)) < 0);
	snprintf(link, sizeof(link), "%s/whole", dir);
	CHECK(symlink(target, link) == 0);
	CHECK(buf_write_file(link, "x", 1, false, msg, sizeof(msg)) < 0);
	f = fopen(target, "r");
	if (f != NULL) {
		if (fgets(text, sizeof(text), f) == NULL)
			text[0] = '\0';
		fclose(f);
	}
	CHECK_STR(text, "untouched\n");
	check_rm_tree(dir);
}
