/* bvops config ...: commands on a node's config.toml. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "toml.h"

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
