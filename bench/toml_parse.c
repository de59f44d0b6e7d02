/*
 * toml_parse: how fast bvops parses and edits a config.toml.
 *
 *   toml_parse --generate PLAYERS     print a config with that many players
 *   toml_parse FILE ITERATIONS        parse FILE that many times, then edit
 *
 * Prints CPU microseconds per parse and per edit (set + remove a key), and
 * the parse throughput.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/toml.h"
#include "lib/toml_edit.h"

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void generate(int players)
{
	int k;

	printf("# Builder Vault TSM node configuration (generated)\n\n"
	       "[Player]\nIndex = 0\n"
	       "PrivateKey = \"{{ env `PLAYER_PRIVATE_KEY` }}\"\n"
	       "ExportWhiteList = []\n\n"
	       "[Database]\nDriverName = \"sqlite3\"\n"
	       "DataSourceName = \"/tmp/tsm.db\"\n"
	       "EncryptorMasterPassword = \"{{ env `DB_PASSWORD` }}\"\n\n"
	       "[SDKServer]\nPort = 8080\n\n[MPCTCPServer]\nPort = 9000\n\n");
	for (k = 0; k < players; k++)
		printf("[Players.%d]\nAddress = \"tsm-node-%d.internal:9000\"\n"
		       "PublicKey = \"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE%08d"
		       "q1w2e3r4t5y6u7i8o9p0\"  # player %d\n\n",
		       k, k, k * 7919, k);
	printf("[DKLS19]\n# ERS goes here\n\n[DKLS19.Features]\n"
	       "Other = 1_000\n\n[SEPD19S]\nEnabled = true\n");
}

int main(int argc, char **argv)
{
	struct buf text;
	char chunk[65536];
	size_t n;
	FILE *f;
	long iters, k;
	double t0, parse_s, edit_s;
	struct toml_error err;
	struct toml_doc *doc;

	if (argc == 3 && strcmp(argv[1], "--generate") == 0) {
		generate(atoi(argv[2]));
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: toml_parse FILE ITERATIONS\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL)
		return 2;
	buf_init(&text, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&text, chunk, n);
	fclose(f);
	iters = atol(argv[2]);
	t0 = cpu_seconds();
	for (k = 0; k < iters; k++) {
		doc = toml_doc_parse(text.data, text.len, &err);
		if (doc == NULL) {
			fprintf(stderr, "%u:%u: %s\n", err.line, err.col,
				err.msg);
			return 1;
		}
		toml_doc_free(doc);
	}
	parse_s = cpu_seconds() - t0;
	doc = toml_doc_parse(text.data, text.len, &err);
	t0 = cpu_seconds();
	for (k = 0; k < iters; k++) {
		if (toml_edit_set(&doc, "DKLS19", "EnableERSExport", "true",
				  &err) < 0 ||
		    toml_edit_remove_key(&doc, "DKLS19", "EnableERSExport",
					 &err) < 0) {
			fprintf(stderr, "edit: %s\n", err.msg);
			return 1;
		}
	}
	edit_s = cpu_seconds() - t0;
	toml_doc_free(doc);
	printf("bytes %zu\nparse_us %.1f\nedit_us %.1f\nmb_per_s %.1f\n",
	       text.len, parse_s * 1e6 / (double)iters,
	       edit_s * 1e6 / (double)iters,
	       (double)text.len * (double)iters / parse_s / 1e6);
	buf_free(&text);
	return 0;
}
