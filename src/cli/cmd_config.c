/* bvops config ...: commands on a node's config.toml. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/buf.h"
#include "lib/sanitize.h"
#include "lib/toml.h"
#include "lib/xalloc.h"
#include "proc/fleetlint.h"
#include "state/fleet.h"
#include "state/redact.h"

/* Read a whole file ("-" for stdin) into out; -1 with errno on failure. */
static int cmd_read_file(const char *path, struct buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	buf_init(out, TOML_DOC_MAX + 1);
	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(out, chunk, n) < 0) {
			errno = EFBIG;
			rc = -1;
			break;
		}
	}
	if (ferror(f))
		rc = -1;
	if (f != stdin)
		fclose(f);
	return rc;
}

int cmd_config_validate(const struct cli_opts *o, int argc, char **argv)
{
	const char *path, *shown;
	struct buf text;
	struct toml_error err;
	struct toml_doc *doc;

	(void)o;
	if (argc != 1 || (argv[0][0] == '-' && argv[0][1] != '\0')) {
		if (argc > 0 && argv[0][0] == '-' && argv[0][1] != '\0')
			fprintf(stderr, "bvops: unknown option '%s'\n",
				argv[0]);
		else
			fprintf(stderr, "bvops: config validate takes one "
					"FILE\n");
		return CMD_BAD_ARGS;
	}
	path = argv[0];
	shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
	if (cmd_read_file(path, &text) < 0) {
		fprintf(stderr, "%s: cannot read: %s\n", shown,
			errno == EFBIG ? "file too large" : strerror(errno));
		buf_free(&text);
		return CLI_EXIT_USAGE;
	}
	doc = toml_doc_parse(text.data ? text.data : "", text.len, &err);
	buf_free(&text);
	if (doc == NULL) {
		if (err.line > 0)
			fprintf(stderr, "%s:%u:%u: %s\n", shown, err.line,
				err.col, err.msg);
		else
			fprintf(stderr, "%s: %s\n", shown, err.msg);
		return CLI_EXIT_USAGE;
	}
	printf("%s: valid TOML\n", shown);
	toml_doc_free(doc);
	return CLI_EXIT_OK;
}

/* The location and the object's version, for --where. */
static void cmd_config_where_print(const struct fleet_node *n,
				   const struct cfgloc *l,
				   const struct aws_s3_object *o)
{
	struct buf b;

	buf_init(&b, 0);
	cfgloc_describe(n, l, &b);
	buf_printf(&b, "version: %s\n", o->version_id ? o->version_id : "-");
	buf_printf(&b, "etag: %s\n", o->etag ? o->etag : "-");
	if (o->last_modified != NULL)
		buf_printf(&b, "modified: %s\n", o->last_modified);
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

int cmd_config_get(const struct cli_opts *o, int argc, char **argv)
{
	const char *name = NULL;
	bool raw = false, where = false, force = false;
	const struct fleet_node *n;
	struct aws_s3_object obj;
	struct aws_client *a;
	struct cfgloc loc;
	struct fleet *f;
	char region[64], msg[1024];
	int rc = CLI_EXIT_OK;
	const struct cliarg opts[] = {
	    {"--raw", CLIARG_FLAG, &raw, 0, 0},
	    {"--where", CLIARG_FLAG, &where, 0, 0},
	    {"--force", CLIARG_FLAG, &force, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	if (cliargs_read(argc, argv, opts, &name, 1) < 0)
		return CMD_BAD_ARGS;
	if (name == NULL || (raw && where)) {
		fprintf(stderr, name == NULL
				    ? "bvops: config get needs a NODE\n"
				    : "bvops: --raw or --where, not "
				      "both\n");
		return CMD_BAD_ARGS;
	}
	/* The bytes as stored go to a pipe or a file; on a terminal they
	 * would show the secrets and play any escape codes in them. */
	if (raw && !force && isatty(STDOUT_FILENO)) {
		cmd_error(
		    "config get --raw prints the config as stored, secrets "
		    "and all, and not made safe for a terminal: pipe it "
		    "(| less, > FILE), or add --force");
		return CMD_BAD_ARGS;
	}
	rc = cmd_fleet_node(o, name, &f, &n);
	if (rc != 0)
		return rc;
	if (awscred_region(f->region, region, sizeof(region), msg,
			   sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	a = awsid_client_node(f, n);
	if (cfgloc_resolve(a, region, n, &loc, msg, sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		aws_client_free(a);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	if (aws_s3_get(a, loc.region, loc.bucket, loc.key, NULL, where, &obj,
		       msg, sizeof(msg)) < 0) {
		cmd_error("%s: %s", n->name, msg);
		rc = CLI_EXIT_REMOTE;
	} else if (where) {
		cmd_config_where_print(n, &loc, &obj);
	} else if (raw) {
		fwrite(obj.body, 1, obj.len, stdout);
	} else {
		char err[TOML_ERROR_MAX + 32];
		size_t len, count;
		char *red = redact_toml(obj.body, obj.len, &len, &count, err,
					sizeof(err));

		if (red == NULL) {
			fprintf(stderr,
				"bvops: %s: s3://%s/%s does not parse as TOML "
				"(%s); not shown, as its secrets cannot be "
				"found safely: --raw shows it as stored\n",
				n->name, loc.bucket, loc.key, err);
			rc = CLI_EXIT_NOT_OK;
		} else {
			printf("# %s: s3://%s/%s (%s), version %s\n"
			       "# secrets redacted by bvops: %zu value%s\n",
			       n->name, loc.bucket, loc.key, loc.region,
			       obj.version_id ? obj.version_id : "-", count,
			       count == 1 ? "" : "s");
			fwrite(red, 1, len, stdout);
			free(red);
		}
	}
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_USAGE;
	aws_s3_object_free(&obj);
	cfgloc_free(&loc);
	aws_client_free(a);
	fleet_free(f);
	return rc;
}

int cmd_config_lint(const struct cli_opts *o, int argc, char **argv)
{
	const char *names[256];
	const struct cliarg opts[] = {{NULL, CLIARG_FLAG, NULL, 0, 0}};
	struct fleetlint_opts lo = {0};
	struct fleet *f;
	struct buf out, errs;
	char region[64], msg[1024], *text, *line, *save = NULL;
	int nw, rc = CLI_EXIT_OK;
	size_t k, problems, unread;

	nw = cliargs_read(argc, argv, opts, names, 256);
	if (nw < 0)
		return CMD_BAD_ARGS;
	f = cmd_fleet_load(o);
	if (f == NULL)
		return CLI_EXIT_USAGE;
	for (k = 0; k < (size_t)nw; k++)
		if (fleet_node_find(f, names[k]) == NULL) {
			fprintf(stderr, "bvops: no node '%s' in %s\n", names[k],
				f->path);
			fleet_free(f);
			return CLI_EXIT_USAGE;
		}
	if (awscred_region(f->region, region, sizeof(region), msg,
			   sizeof(msg)) < 0) {
		cmd_error("%s", msg);
		fleet_free(f);
		return CLI_EXIT_REMOTE;
	}
	/* Every node's config is read: the cross-checks need them all;
	 * only the nodes named are reported on. */
	lo.region = region;
	lo.only = nw > 0 ? names : NULL;
	lo.nonly = (size_t)nw;
	buf_init(&out, 0);
	buf_init(&errs, 0);
	problems = fleetlint_run(f, NULL, &lo, &out, &errs, &unread);
	text = buf_take(&errs, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		cmd_error("%s", line);
	free(text);
	text = buf_take(&out, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		/* Config values are untrusted: made safe. */
		char clean[2048];

		sanitize_text(line, strlen(line), clean, sizeof(clean), false);
		printf("%s\n", clean);
	}
	free(text);
	if (problems == 0)
		printf("%zu config%s read, %s\n", f->nnodes - unread,
		       f->nnodes - unread == 1 ? "" : "s",
		       unread ? "no problem in what was read"
			      : "no problem found");
	else
		printf("%zu problem%s in the fleet's configs\n", problems,
		       problems == 1 ? "" : "s");
	if (unread > 0)
		rc = CLI_EXIT_REMOTE;
	else if (problems > 0)
		rc = CLI_EXIT_NOT_OK;
	fleet_free(f);
	return rc;
}
