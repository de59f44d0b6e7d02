#include "cli/cliargs.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "lib/duration.h"

/* The entry for arg ("--wait" or "--wait=3m"), with *value set to what
 * follows '=' (NULL when there is none). */
static const struct cliarg *cliargs_find(const struct cliarg *opts,
					 const char *arg, const char **value)
{
	size_t len = strcspn(arg, "=");

	*value = arg[len] == '=' ? arg + len + 1 : NULL;
	for (; opts->name != NULL; opts++)
		if (strlen(opts->name) == len &&
		    strncmp(opts->name, arg, len) == 0)
			return opts;
	return NULL;
}

static int cliargs_store(const struct cliarg *o, const char *value, char *msg,
			 size_t msgsize)
{
	char err[200], *end;
	long n;

	switch (o->type) {
	case CLIARG_FLAG: *(bool *)o->out = true; return 0;
	case CLIARG_STRING: *(const char **)o->out = value; return 0;
	case CLIARG_DURATION:
		if (duration_parse(value, (uint64_t *)o->out, err,
				   sizeof(err)) < 0) {
			snprintf(msg, msgsize, "%s: %s", o->name, err);
			return -1;
		}
		return 0;
	case CLIARG_COUNT:
		n = strtol(value, &end, 10);
		if (end == value || *end != '\0' || n < o->min || n > o->max) {
			snprintf(msg, msgsize,
				 "%s takes a number from %ld to %ld", o->name,
				 o->min, o->max);
			return -1;
		}
		*(long *)o->out = n;
		return 0;
	}
	return -1;
}

int cliargs_parse(int argc, char **argv, const struct cliarg *opts,
		  const char **words, int maxwords, char *msg, size_t msgsize)
{
	int k, nwords = 0;
	bool options = true;

	for (k = 0; k < argc; k++) {
		const char *a = argv[k], *value;
		const struct cliarg *o;

		if (options && strcmp(a, "--") == 0) {
			options = false;
			continue;
		}
		if (!options || a[0] != '-' || a[1] == '\0') {
			if (nwords >= maxwords) {
				snprintf(msg, msgsize, "unexpected '%s'", a);
				return -1;
			}
			words[nwords++] = a;
			continue;
		}
		o = cliargs_find(opts, a, &value);
		if (o == NULL) {
			snprintf(msg, msgsize, "unknown option '%.*s'",
				 (int)strcspn(a, "="), a);
			return -1;
		}
		if (o->type == CLIARG_FLAG && value != NULL) {
			snprintf(msg, msgsize, "%s takes no value", o->name);
			return -1;
		}
		if (o->type != CLIARG_FLAG && value == NULL) {
			if (k + 1 >= argc) {
				snprintf(msg, msgsize, "%s needs a value",
					 o->name);
				return -1;
			}
			value = argv[++k];
		}
		if (cliargs_store(o, value, msg, msgsize) < 0)
			return -1;
	}
	return nwords;
}

int cliargs_read(int argc, char **argv, const struct cliarg *opts,
		 const char **words, int maxwords)
{
	char msg[300];
	int n =
	    cliargs_parse(argc, argv, opts, words, maxwords, msg, sizeof(msg));

	if (n < 0)
		cmd_error("%s", msg);
	return n;
}
