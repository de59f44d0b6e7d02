/* bvops (no command): load the fleet, then hand it to the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ui/console.h"
#include "cmd.h"
#include "fleet.h"
#include "monitor.h"
#include "theme.h"
#include "xalloc.h"

#ifndef BVOPS_DATADIR
#define BVOPS_DATADIR "/usr/local/share/bvops"
#endif

/*
 * Where themes are looked for after the user's own folder: in a source
 * tree (build/bvops and build/asan/bvops both reach themes/), then the
 * installed data folder. Fills dirs (NULL-terminated) with strings the
 * caller frees.
 */
static void cmd_theme_dirs(char *dirs[4])
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int k = 0;

	memset(dirs, 0, 4 * sizeof(*dirs));
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			dirs[k++] = xasprintf("%s/../themes", exe);
			dirs[k++] = xasprintf("%s/../../themes", exe);
		}
	}
	dirs[k] = xstrdup(BVOPS_DATADIR "/themes");
}

int cmd_console(const struct cli_opts *o, int argc, char **argv)
{
	struct console_options co = {0};
	struct theme theme;
	char msg[1024], *dirs[4];
	struct fleet *f;
	struct monitor *m;
	int rc, k;

	rc = cmd_fleet_no_args(o, argc, argv, &f);
	if (rc != CLI_EXIT_OK)
		return rc;
	cmd_theme_dirs(dirs);
	rc = theme_load(o->theme ? o->theme : "dark", (const char *const *)dirs,
			&theme, msg, sizeof(msg));
	for (k = 0; k < 4; k++)
		free(dirs[k]);
	if (rc < 0 && o->theme != NULL) {
		fprintf(stderr, "bvops: %s\n", msg);
		fleet_free(f);
		return CLI_EXIT_USAGE;
	}
	/* Without --theme a missing default is no error: draw in mono. */
	co.theme = rc == 0 ? &theme : NULL;
	co.read_only = o->read_only || f->read_only;
	m = monitor_new(f, msg, sizeof(msg));
	if (m == NULL || monitor_start(m, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "bvops: %s\n", msg);
		monitor_free(m);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	rc = console_run(f, m, &co);
	monitor_free(m);
	fleet_free(f);
	return rc;
}
