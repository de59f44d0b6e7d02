/* bvops discover: a fleet file from EC2 tags (docs/discover.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/aws.h"
#include "aws/aws_ec2.h"
#include "aws/awscred.h"
#include "aws/discover.h"
#include "cli/cli_opts.h"
#include "cli/cliargs.h"
#include "cli/cmd.h"
#include "lib/buf.h"
#include "lib/sanitize.h"
#include "lib/xalloc.h"
#include "state/fleet.h"

struct disc_args {
	struct discover_opts d;
	const char *write, *region;
	bool force;
};

static int disc_args(int argc, char **argv, struct disc_args *a)
{
	const struct cliarg opts[] = {
	    {"--namespace", CLIARG_STRING, &a->d.ns, 0, 0},
	    {"--env", CLIARG_STRING, &a->d.env, 0, 0},
	    {"--write", CLIARG_STRING, &a->write, 0, 0},
	    {"--ping-url", CLIARG_STRING, &a->d.ping_url, 0, 0},
	    {"--name", CLIARG_STRING, &a->d.fleet_name, 0, 0},
	    {"--region", CLIARG_STRING, &a->region, 0, 0},
	    {"--force", CLIARG_FLAG, &a->force, 0, 0},
	    {NULL, CLIARG_FLAG, NULL, 0, 0},
	};

	if (cliargs_read(argc, argv, opts, NULL, 0) < 0)
		return CMD_BAD_ARGS;
	return 0;
}

/* Each note line, drawn safely (tag values are untrusted). */
static void disc_notes(const char *notes)
{
	while (*notes) {
		size_t n = strcspn(notes, "\n");
		char line[600];

		sanitize_text(notes, n, line, sizeof(line), false);
		cmd_error("%s", line);
		notes += n + (notes[n] == '\n');
	}
}

/* Write text to path: a new file, or over one (kept as path.bak.TIME)
 * only with --force. */
static int disc_write(const char *path, const char *text, bool force)
{
	char msg[1024];
	struct stat st;

	if (stat(path, &st) == 0) {
		char *bak;
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		if (!force) {
			fprintf(stderr,
				"bvops: %s exists (not overwritten; --force "
				"replaces it and keeps it as a backup)\n",
				path);
			return CLI_EXIT_USAGE;
		}
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		bak = xasprintf("%s.bak.%s", path, stamp);
		if (rename(path, bak) < 0) {
			fprintf(stderr, "bvops: %s: cannot keep a backup: %s\n",
				path, strerror(errno));
			free(bak);
			return CLI_EXIT_USAGE;
		}
		fprintf(stderr, "bvops: the old %s is kept as %s\n", path, bak);
		free(bak);
	}
	if (buf_write_file(path, text, strlen(text), true, msg, sizeof(msg)) <
	    0) {
		cmd_error("%s", msg);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

int cmd_discover(const struct cli_opts *o, int argc, char **argv)
{
	struct disc_args a;
	struct aws_ec2_instances l;
	struct aws_client *aws;
	struct fleet_diags diags = {0};
	struct fleet *check;
	char region[64], msg[1024], *here, *text, *notes = NULL;
	size_t count = 0;
	int rc;

	(void)o;
	memset(&a, 0, sizeof(a));
	if (disc_args(argc, argv, &a) != 0)
		return CMD_BAD_ARGS;
	if (a.region != NULL)
		snprintf(region, sizeof(region), "%s", a.region);
	else if (awscred_region(NULL, region, sizeof(region), msg,
				sizeof(msg)) < 0) {
		fprintf(stderr, "bvops: %s (or give --region)\n", msg);
		return CLI_EXIT_USAGE;
	}
	a.d.region = region;
	/* On one of the instances, IMDS says which: that node is local. */
	here =
	    awscred_imds_get("/latest/meta-data/instance-id", msg, sizeof(msg));
	a.d.this_instance = here;
	aws = aws_client_new();
	rc = aws_ec2_describe_instances(aws, region, NULL, NULL, &l, msg,
					sizeof(msg));
	aws_client_free(aws);
	if (rc < 0) {
		cmd_error("%s", msg);
		free(here);
		return CLI_EXIT_REMOTE;
	}
	text = discover_fleet(&l, &a.d, &count, &notes, msg, sizeof(msg));
	aws_ec2_instances_free(&l);
	disc_notes(notes);
	free(notes);
	free(here);
	if (text == NULL) {
		cmd_error("%s", msg);
		return CLI_EXIT_NOT_OK;
	}
	/* Never hand out a fleet file bvops itself would refuse. */
	check = fleet_parse(a.write ? a.write : "(discovered)", text,
			    strlen(text), &diags);
	if (check == NULL) {
		size_t k;

		for (k = 0; k < diags.n; k++)
			cmd_error("%s", diags.lines[k]);
		fprintf(stderr, "bvops: the discovered fleet is not valid; "
				"nothing written\n");
		fleet_diags_free(&diags);
		free(text);
		return CLI_EXIT_NOT_OK;
	}
	fleet_free(check);
	fleet_diags_free(&diags);
	if (a.write == NULL) {
		fputs(text, stdout);
		rc = CLI_EXIT_OK;
	} else {
		rc = disc_write(a.write, text, a.force);
		if (rc == CLI_EXIT_OK)
			fprintf(stderr, "bvops: %zu nodes written to %s\n",
				count, a.write);
	}
	free(text);
	return rc;
}
