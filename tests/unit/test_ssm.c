/* The ssm transport's pure parts: the output framing of ssmcmd, the
 * journal polls of ssmjournal (every line once, old systemd's echo, the
 * answer cut at SSM's cap), and discover's fleet text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/discover.h"
#include "check.h"
#include "lib/buf.h"
#include "state/fleet.h"
#include "transport/ssmcmd.h"
#include "transport/ssmjournal.h"

TEST(ssmcmd_unframe_reads_the_size_line)
{
	const char *out = "bvops-ssm-output 100000 12\nxxxx";
	size_t o = 0, e = 0, skip = 0;
	char *script = ssmcmd_script("echo hi # a comment", 23900, 7900);

	CHECK(ssmcmd_unframe(out, strlen(out), &o, &e, &skip));
	CHECK(o == 100000 && e == 12 && skip == 27);
	/* An SSM that ran nothing (an emulator): the output as it is. */
	CHECK(!ssmcmd_unframe("", 0, &o, &e, &skip));
	CHECK(!ssmcmd_unframe("bvops-ssm-output 1\n", 19, &o, &e, &skip));
	CHECK(!ssmcmd_unframe("bvops-ssm-output 1 2", 20, &o, &e, &skip));
	CHECK(!ssmcmd_unframe("bvops-ssm-output x 2\n", 21, &o, &e, &skip));
	CHECK(!ssmcmd_unframe("bvops-ssm-output 99999999999999999999999 2\n",
			      44, &o, &e, &skip));
	/* The line stands alone: a comment in it cannot hide the rest. */
	CHECK(strstr(script, "(\necho hi # a comment\n) >") != NULL);
	CHECK(strstr(script, "head -c 23900 \"$bvops_o\"") != NULL);
	CHECK(strstr(script, "head -c 7900 \"$bvops_e\" >&2") != NULL);
	free(script);
}

struct got {
	struct buf b;
	int cut;
};

static void on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct got *g = ctx;

	buf_append(&g->b, line, len);
	buf_append_char(&g->b, '\n');
	g->cut += cut;
}

static int take(struct ssmjournal *j, const char *out, bool truncated,
		struct got *g)
{
	return ssmjournal_take(j, out, strlen(out), truncated, on_line, g);
}

TEST(ssmjournal_carries_the_cursor_from_poll_to_poll)
{
	struct ssmjournal j;
	struct got g = {0};
	char *cmd;

	buf_init(&g.b, 0);
	ssmjournal_init(&j);
	CHECK(ssmjournal_version(&j, "systemd 256 (256.5-1)\n+PAM\n") == 256);
	CHECK(!j.compat);
	cmd = ssmjournal_command(&j, "journalctl -u enclave.service");
	CHECK_STR(cmd, "{ journalctl -u enclave.service -n 10; echo \"-- "
		       "bvops-exit: $?\"; } | cut -c1-4096");
	free(cmd);
	/* The first poll: the newest entries, no more polls at once. */
	CHECK(take(&j,
		   "-- Logs begin at Mon 2026-11-23. --\n"
		   "2026-11-28T10:00:00+0000 n tsm[1]: a\n"
		   "2026-11-28T10:00:01+0000 n tsm[1]: b\n"
		   "-- cursor: s=x;i=2\n-- bvops-exit: 0\n",
		   false, &g) == 0);
	CHECK_STR(g.b.data, "2026-11-28T10:00:00+0000 n tsm[1]: a\n"
			    "2026-11-28T10:00:01+0000 n tsm[1]: b\n");
	CHECK_STR(j.cursor, "s=x;i=2");
	cmd = ssmjournal_command(&j, "journalctl");
	CHECK_STR(cmd, "{ journalctl --after-cursor='s=x;i=2' -n 200; echo "
		       "\"-- bvops-exit: $?\"; } | cut -c1-4096");
	free(cmd);
	/* Nothing new: no cursor line, the old one kept. */
	buf_reset(&g.b);
	CHECK(take(&j, "-- bvops-exit: 0\n", false, &g) == 0);
	CHECK(g.b.len == 0);
	CHECK_STR(j.cursor, "s=x;i=2");
	/* A continuation line belongs to its entry; a full batch asks for
	 * more at once. */
	j.batch = 2;
	CHECK(take(&j,
		   "2026-11-28T10:00:02+0000 n tsm[1]: c\n"
		   "                             continued\n"
		   "2026-11-28T10:00:03+0000 n tsm[1]: d\n"
		   "-- cursor: s=x;i=4\n-- bvops-exit: 0\n",
		   false, &g) == 1);
	CHECK_STR(g.b.data, "2026-11-28T10:00:02+0000 n tsm[1]: c\n"
			    "                             continued\n"
			    "2026-11-28T10:00:03+0000 n tsm[1]: d\n");
	CHECK(j.batch == SSMJOURNAL_BATCH);
	/* A cursor with shell characters in it is not taken. */
	take(&j, "-- cursor: s=x;i=5'$(reboot)\n-- bvops-exit: 0\n", false, &g);
	CHECK_STR(j.cursor, "s=x;i=4");
	/* journalctl failed: said. */
	take(&j, "-- bvops-exit: 1\n", false, &g);
	CHECK(j.last_exit == 1);
	ssmjournal_free(&j);
	buf_free(&g.b);
}

TEST(ssmjournal_old_systemd_asks_from_the_cursor_and_drops_the_echo)
{
	struct ssmjournal j;
	struct got g = {0};
	char *cmd;

	buf_init(&g.b, 0);
	ssmjournal_init(&j);
	CHECK(ssmjournal_version(&j, "systemd 219\n") == 219);
	CHECK(j.compat);
	take(&j, "2026-11-28T10:00:00+0000 n tsm[1]: a\n-- cursor: s=x;i=1\n",
	     false, &g);
	cmd = ssmjournal_command(&j, "journalctl");
	CHECK(strstr(cmd, " --cursor='s=x;i=1' -n 200;") != NULL);
	free(cmd);
	buf_reset(&g.b);
	CHECK(take(&j,
		   "2026-11-28T10:00:00+0000 n tsm[1]: a\n"
		   "2026-11-28T10:00:00+0000 n tsm[1]: a\n"
		   "2026-11-28T10:00:01+0000 n tsm[1]: b\n"
		   "-- cursor: s=x;i=3\n",
		   false, &g) == 0);
	/* The echo goes, the same text logged again the same second
	 * stays. */
	CHECK_STR(g.b.data, "2026-11-28T10:00:00+0000 n tsm[1]: a\n"
			    "2026-11-28T10:00:01+0000 n tsm[1]: b\n");
	CHECK(j.dropped_echoes == 1);
	/* The cursor's entry gone (vacuumed): nothing dropped. */
	buf_reset(&g.b);
	take(&j, "2026-11-28T10:00:05+0000 n tsm[1]: c\n-- cursor: s=x;i=9\n",
	     false, &g);
	CHECK_STR(g.b.data, "2026-11-28T10:00:05+0000 n tsm[1]: c\n");
	/* No version to read: compat, right everywhere. */
	CHECK(ssmjournal_version(&j, "bash: journalctl: not found") == -1);
	CHECK(j.compat);
	ssmjournal_free(&j);
	buf_free(&g.b);
}

TEST(ssmjournal_an_answer_cut_by_ssm_is_asked_again_smaller)
{
	struct ssmjournal j;
	struct got g = {0};
	char *cmd;

	buf_init(&g.b, 0);
	ssmjournal_init(&j);
	ssmjournal_version(&j, "systemd 256");
	take(&j, "2026-11-28T10:00:00+0000 n tsm[1]: a\n-- cursor: s=x;i=1\n",
	     false, &g);
	buf_reset(&g.b);
	/* Cut in the third entry: nothing delivered, two asked next. */
	CHECK(take(&j, "L1\nL2\nL3 is cu", true, &g) == 1);
	CHECK(g.b.len == 0);
	CHECK(j.batch == 1);
	CHECK_STR(j.cursor, "s=x;i=1");
	/* One entry too large alone: delivered cut, then stepped over. */
	CHECK(take(&j, "HUGE ENTRY ...", true, &g) == 1);
	CHECK_STR(g.b.data, "HUGE ENTRY ...\n");
	CHECK(g.cut == 1);
	CHECK(j.cursor_only);
	cmd = ssmjournal_command(&j, "journalctl");
	CHECK(strstr(cmd, "| grep -e '^-- cursor: ' -e '^-- bvops-exit: '") !=
	      NULL);
	free(cmd);
	buf_reset(&g.b);
	CHECK(take(&j, "-- cursor: s=x;i=2\n-- bvops-exit: 0\n", false, &g) ==
	      1);
	CHECK(g.b.len == 0);
	CHECK_STR(j.cursor, "s=x;i=2");
	CHECK(!j.cursor_only && j.batch == SSMJOURNAL_BATCH);
	ssmjournal_free(&j);
	buf_free(&g.b);
}

static struct aws_ec2_tag tags0[] = {
    {"EnclaveName", "tsm-0"}, {"CONFIG_SSM_PARAM", "/tsm/node-0/config"},
    {"Namespace", "bv"},      {"Environment", "dev"},
    {"PlayerIndex", "0"},     {"Role", "dynamic"},
};
static struct aws_ec2_tag tags1[] = {
    {"EnclaveName", "tsm-1"},
    {"aws:cloudformation:stack-name", "bv-dev-node-7"},
};
static struct aws_ec2_tag tags2[] = {
    {"EnclaveName", "tsm-2"},
    {"aws:cloudformation:stack-name", "bv-prod-node-2"},
};
static struct aws_ec2_tag tags4[] = {
    {"EnclaveName", "tsm 4\"\n[x]"},
    {"Namespace", "bv"},
    {"Environment", "dev"},
};
static struct aws_ec2_tag tags3[] = {
    {"EnclaveName", "tsm-3"},
    {"aws:cloudformation:stack-name", "bv-dev-core-nodes"},
};

TEST(discover_writes_a_fleet_bvops_takes)
{
	struct aws_ec2_instance v[] = {
	    {"i-00000000000000000", "running", "10.0.0.10", tags0, 6},
	    {"i-00000000000000001", "running", "10.0.0.11", tags1, 2},
	    {"i-00000000000000002", "running", "10.0.0.12", tags2, 2},
	    {"i-00000000000000003", "stopped", "10.0.0.13", tags3, 2},
	    {"i-00000000000000004", "running", "10.0.0.14", tags4, 3},
	};
	struct aws_ec2_instances l = {v, 5};
	struct discover_opts o = {.ns = "bv",
				  .env = "dev",
				  .region = "eu-west-1",
				  .this_instance = "i-00000000000000001"};
	struct fleet_diags d = {0};
	struct fleet *f;
	size_t n = 0;
	char msg[300], *notes = NULL;
	char *text = discover_fleet(&l, &o, &n, &notes, msg, sizeof(msg));

	CHECK(text != NULL && n == 2);
	if (text == NULL)
		return;
	CHECK_STR(notes, "left out i-00000000000000003 (tsm-3): it is "
			 "stopped\nleft out i-00000000000000004: its "
			 "EnclaveName \"tsm 4\"\n[x]\" has characters a "
			 "node's name cannot hold\n");
	/* Tags first, then the stack's -node-N. */
	CHECK(strstr(text, "name = \"tsm-0\"\nindex = 0\nrole = \"dynamic\"\n"
			   "ping_url = \"http://10.0.0.10:8080/ping\"\n"
			   "transport = \"ssm\"\n") != NULL);
	CHECK(strstr(text, "name = \"tsm-1\"\nindex = 7\nrole = "
			   "\"static\"  # guessed: no Role tag\n") != NULL);
	CHECK(strstr(text, "transport = \"local\"  # bvops runs on this "
			   "instance\n") != NULL);
	CHECK(strstr(text, "# no CONFIG_SSM_PARAM tag") != NULL);
	CHECK(strstr(text, "bv-prod") == NULL && strstr(text, "tsm-2") == NULL);
	CHECK(strstr(text, "name = \"bv-dev\"\nregion = \"eu-west-1\"\n") !=
	      NULL);
	f = fleet_parse("d.toml", text, strlen(text), &d);
	CHECK(f != NULL);
	if (f == NULL && d.n > 0)
		CHECK_STR(d.lines[0], "");
	fleet_free(f);
	fleet_diags_free(&d);
	free(text);
	free(notes);
	/* Two nodes with one index: the second gets the next free one. */
	tags1[1].value = "bv-dev-node-0";
	o.this_instance = NULL;
	text = discover_fleet(&l, &o, &n, &notes, msg, sizeof(msg));
	CHECK(text != NULL && strstr(text, "index = 1  # guessed") != NULL);
	free(text);
	free(notes);
	o.env = "qa";
	text = discover_fleet(&l, &o, &n, &notes, msg, sizeof(msg));
	CHECK(text == NULL && n == 0);
	CHECK_STR(msg, "no running instance with an EnclaveName tag in "
		       "namespace bv, environment qa in eu-west-1");
	free(notes);
}
