/* The fleet file: defaults, every field, and exact FILE:LINE:COL errors. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "lib/duration.h"
#include "lib/template.h"
#include "lib/xalloc.h"
#include "state/fleet.h"

static const char *minimal = "[fleet]\n"
			     "name = \"tsmdemo\"\n"
			     "\n"
			     "[[node]]\n"
			     "name = \"node-0\"\n"
			     "index = 0\n"
			     "ping_url = \"http://10.0.1.10:8080/ping\"\n";

static struct fleet *parse(const char *text, struct fleet_diags *d)
{
	return fleet_parse("fleet.toml", text, strlen(text), d);
}

/* Parse text that must fail; returns all diagnostics joined by '\n'. */
static char *errors_of(const char *text)
{
	struct fleet_diags d;
	struct fleet *f = parse(text, &d);
	size_t k, len = 1;
	char *out;

	if (f != NULL) {
		fleet_free(f);
		return xstrdup("(accepted)");
	}
	for (k = 0; k < d.n; k++)
		len += strlen(d.lines[k]) + 1;
	out = xcalloc(1, len);
	for (k = 0; k < d.n; k++) {
		if (k > 0)
			strcat(out, "\n");
		strcat(out, d.lines[k]);
	}
	fleet_diags_free(&d);
	return out;
}

static void expect_errors(const char *text, const char *want)
{
	char *got = errors_of(text);

	CHECK_STR(got, want);
	free(got);
}

TEST(fleet_minimal_gets_spec_defaults)
{
	struct fleet_diags d;
	struct fleet *f = parse(minimal, &d);

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK_STR(f->name, "tsmdemo");
	CHECK(f->region == NULL);
	CHECK(f->quorum == 1);
	CHECK(f->health.interval_ms == 5000);
	CHECK(f->health.timeout_ms == 2000);
	CHECK(f->health.failure_threshold == 3);
	CHECK(f->health.success_threshold == 2);
	CHECK(f->health.restart_after == 0);
	CHECK(f->health.max_restarts == 3);
	CHECK(f->health.restart_window_ms == (uint64_t)30 * 60 * 1000);
	CHECK(f->nnodes == 1);
	CHECK_STR(f->nodes[0].name, "node-0");
	CHECK(f->nodes[0].role == FLEET_ROLE_STATIC);
	CHECK(f->nodes[0].transport == FLEET_TRANSPORT_NONE);
	CHECK_STR(f->nodes[0].commands[FLEET_CMD_JOURNAL],
		  "journalctl -f -u enclave.service");
	CHECK_STR(f->nodes[0].commands[FLEET_CMD_DEBUG_RESTART],
		  "cd /app && sudo DEBUG_MODE=\"--debug-mode\" "
		  "./restart-enclave.sh");
	CHECK(fleet_node_find(f, "node-0") == &f->nodes[0]);
	CHECK(fleet_node_find(f, "node-9") == NULL);
	fleet_free(f);
}

TEST(fleet_full_file_reads_every_field)
{
	const char *text =
	    "[fleet]\nname = \"prod\"\nregion = \"eu-west-1\"\nquorum = 2\n"
	    "read_only = true\n"
	    "[health]\ninterval = \"500ms\"\ntimeout = \"250ms\"\n"
	    "failure_threshold = 4\nsuccess_threshold = 1\n"
	    "restart_after = 6\nmax_restarts = 2\nrestart_window = \"1h\"\n"
	    "[alerts]\ncommand = \"/usr/local/bin/page-oncall\"\n"
	    "webhook = \"https://hooks.example/x\"\n"
	    "[commands]\nrestart = \"systemctl restart {enclave}\"\n"
	    "[[node]]\nname = \"a\"\nindex = 1\nrole = \"dynamic\"\n"
	    "ping_url = \"https://a:8080/ping\"\ntransport = \"ssh\"\n"
	    "ssh = \"ec2-user@10.0.1.10:2222\"\n"
	    "ssh_proxy_command = \"aws ssm start-session --target %h\"\n"
	    "instance_id = \"i-0123456789abcdef0\"\n"
	    "enclave_name = \"prod-1\"\nconfig_ssm_param = \"/p/cfg\"\n"
	    "kms_stack = \"prod-kms-1\"\n"
	    "[node.commands]\nconsole = \"sim console {node} {index}\"\n"
	    "[[node]]\nname = \"b\"\nindex = 2\n"
	    "ping_url = \"http://b/ping\"\nssh = \"root@[::1]\"\n";
	struct fleet_diags d;
	struct fleet *f = parse(text, &d);
	char *user = NULL, *host = NULL;
	int port = 0;

	if (!CHECK(f != NULL)) {
		size_t k;

		for (k = 0; k < d.n; k++)
			printf("  %s\n", d.lines[k]);
		fleet_diags_free(&d);
		return;
	}
	CHECK_STR(f->region, "eu-west-1");
	CHECK(f->quorum == 2);
	CHECK(f->read_only);
	CHECK(f->health.interval_ms == 500 && f->health.timeout_ms == 250);
	CHECK(f->health.failure_threshold == 4);
	CHECK(f->health.restart_after == 6 && f->health.max_restarts == 2);
	CHECK(f->health.restart_window_ms == 3600000);
	CHECK_STR(f->alerts.command, "/usr/local/bin/page-oncall");
	CHECK_STR(f->alerts.webhook, "https://hooks.example/x");
	CHECK(f->nodes[0].role == FLEET_ROLE_DYNAMIC);
	CHECK(f->nodes[0].transport == FLEET_TRANSPORT_SSH);
	CHECK_STR(f->nodes[0].instance_id, "i-0123456789abcdef0");
	CHECK_STR(f->nodes[0].kms_stack, "prod-kms-1");
	/* Node override, fleet override, and the SPEC default. */
	CHECK_STR(f->nodes[0].commands[FLEET_CMD_CONSOLE],
		  "sim console {node} {index}");
	CHECK_STR(f->nodes[0].commands[FLEET_CMD_RESTART],
		  "systemctl restart {enclave}");
	CHECK_STR(f->nodes[1].commands[FLEET_CMD_CONSOLE],
		  "nitro-cli console --enclave-name {enclave}");
	/* ssh given, transport not: ssh. */
	CHECK(f->nodes[1].transport == FLEET_TRANSPORT_SSH);
	CHECK(fleet_ssh_target_parse(f->nodes[0].ssh, &user, &host, &port) ==
	      0);
	CHECK_STR(user, "ec2-user");
	CHECK_STR(host, "10.0.1.10");
	CHECK(port == 2222);
	free(user);
	free(host);
	host = NULL;
	CHECK(fleet_ssh_target_parse("root@[::1]", NULL, &host, &port) == 0);
	CHECK_STR(host, "::1");
	CHECK(port == 0); /* not given: the ssh config's, else 22 */
	free(host);
	/* A Host of the ssh config: no user, no port. */
	CHECK(fleet_ssh_target_parse("node-1-alias", &user, &host, &port) == 0);
	CHECK(user == NULL);
	CHECK_STR(host, "node-1-alias");
	CHECK(port == 0);
	free(host);
	CHECK(fleet_ssh_target_parse("@host", NULL, NULL, NULL) < 0);
	CHECK(fleet_ssh_target_parse("a;b", NULL, NULL, NULL) < 0);
	fleet_free(f);
}

TEST(fleet_errors_name_file_line_and_column)
{
	expect_errors(
	    "[fleet]\nname = \"x\"\ncolour = \"red\"\n"
	    "[[node]]\nname = \"a\"\nindex = 0\nping_url = \"http://a\"\n",
	    "fleet.toml:3:1: [fleet] unknown key 'colour'");
	expect_errors("[fleet]\nname = 7\n[[node]]\nname = \"a\"\nindex = 0\n"
		      "ping_url = \"http://a\"\n",
		      "fleet.toml:2:8: [fleet] name must be a string, not an "
		      "integer");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[health]\ninterval = \"5 s\"\n"
	    "timeout = 2\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\n",
	    "fleet.toml:4:12: [health] interval: duration \"5 s\" needs a "
	    "unit (ms, s, m, h, d)\n"
	    "fleet.toml:5:11: [health] timeout must be a string, not an "
	    "integer");
	expect_errors(
	    "[fleet]\nname = \"x\"\n\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\n\n[[node]]\nname = \"a\"\n"
	    "index = 0\nping_url = \"http://b\"\n",
	    "fleet.toml:10:8: duplicate node name \"a\" (first at "
	    "line 4)\n"
	    "fleet.toml:11:9: duplicate node index 0 (first at line "
	    "4)");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n",
	    "fleet.toml:3:1: node \"a\": missing ping_url");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a;rm -rf /\"\n"
	    "index = 0\nping_url = \"http://a\"\n",
	    "fleet.toml:4:8: node \"a;rm -rf /\": name \"a;rm -rf /\" "
	    "may only use letters, digits, '.', '_' and '-'");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"ftp://a\"\nrole = \"leader\"\n",
	    "fleet.toml:6:12: node \"a\": ping_url must be an http:// "
	    "or https:// URL, not \"ftp://a\"\n"
	    "fleet.toml:7:8: node \"a\": role must be \"static\" or "
	    "\"dynamic\", not \"leader\"");
}

TEST(fleet_aws_identities)
{
	const char *text =
	    "[fleet]\nname = \"x\"\naws_profile = \"ops\"\n"
	    "[[node]]\nname = \"a\"\nindex = 0\nping_url = \"http://a\"\n"
	    "aws_profile = \"node-a-admin\"\n"
	    "[[node]]\nname = \"b\"\nindex = 1\nping_url = \"http://b\"\n"
	    "aws_role_arn = \"arn:aws:iam::222222222222:role/b-admin\"\n"
	    "aws_external_id = \"tsm-b\"\n"
	    "[[node]]\nname = \"c\"\nindex = 2\nping_url = \"http://c\"\n";
	struct fleet_diags d;
	struct fleet *f = parse(text, &d);

	if (!CHECK(f != NULL)) {
		fleet_diags_free(&d);
		return;
	}
	CHECK_STR(f->aws_profile, "ops");
	CHECK_STR(f->nodes[0].aws_profile, "node-a-admin");
	CHECK_STR(f->nodes[1].aws_role_arn,
		  "arn:aws:iam::222222222222:role/b-admin");
	CHECK_STR(f->nodes[1].aws_external_id, "tsm-b");
	CHECK(f->nodes[2].aws_profile == NULL &&
	      f->nodes[2].aws_role_arn == NULL);
	fleet_free(f);
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\naws_role_arn = "
	    "\"arn:aws:iam::12:role/x\"\n",
	    "fleet.toml:7:16: node \"a\": aws_role_arn must look like "
	    "\"arn:aws:iam::123456789012:role/NAME\", not "
	    "\"arn:aws:iam::12:role/x\"");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\naws_profile = \"my profile\"\n",
	    "fleet.toml:7:15: node \"a\": aws_profile \"my profile\" is not "
	    "a profile name (letters, digits and ._-@+=,)");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\naws_external_id = \"e\"\n",
	    "fleet.toml:7:19: node \"a\": aws_external_id goes with "
	    "aws_role_arn");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\naws_profile = \"p\"\n"
	    "aws_role_arn = \"arn:aws:iam::123456789012:role/x\"\n",
	    "fleet.toml:8:16: node \"a\": aws_profile or aws_role_arn, not "
	    "both (a profile can assume a role itself: role_arn and "
	    "source_profile)");
}

TEST(fleet_errors_on_structure)
{
	expect_errors("", "fleet.toml:1:1: [fleet] name is required\n"
			  "fleet.toml:1:1: no [[node]] in the fleet");
	expect_errors("node = 3\n[fleet]\nname = \"x\"\n",
		      "fleet.toml:1:8: node must be an array of tables "
		      "([[node]])");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = 0\n"
	    "ping_url = \"http://a\"\n[node.commands]\n"
	    "journal = \"tail {file}\"\n",
	    "fleet.toml:8:17: node \"a\": journal: unknown placeholder "
	    "in command (only {node}, {index} and {enclave} exist)");
	expect_errors(
	    "[fleet]\nname = \"x\"\nquorum = 3\n[[node]]\nname = \"a\"\n"
	    "index = 0\nping_url = \"http://a\"\n",
	    "fleet.toml:3:10: [fleet] quorum 3 is more than the 1 "
	    "nodes");
	expect_errors("[fleet]\nname = \"x\"\n[health]\ninterval = \"1s\"\n"
		      "timeout = \"2s\"\n[[node]]\nname = \"a\"\nindex = 0\n"
		      "ping_url = \"http://a\"\n",
		      "fleet.toml:5:11: [health] timeout must not be longer "
		      "than interval");
	expect_errors(
	    "[fleet]\nname = \"x\"\n[[node]]\nname = \"a\"\nindex = -1\n"
	    "ping_url = \"http://a\"\ntransport = \"ssh\"\n",
	    "fleet.toml:5:9: node \"a\": index must be between 0 and "
	    "100000\n"
	    "fleet.toml:7:13: node \"a\": transport \"ssh\" needs ssh "
	    "= \"user@host[:port]\"");
	/* Found by fuzzing: elements that are not tables. */
	expect_errors("node = [1, {name = \"a\", index = 0, ping_url = "
		      "\"http://a\"}, 2]\n[fleet]\nname = \"x\"\n",
		      "fleet.toml:1:9: each node must be a table\n"
		      "fleet.toml:1:60: each node must be a table");
	/* A TOML error stops at the first problem, with its place. */
	expect_errors("[fleet]\nname = \"x\n",
		      "fleet.toml:2:10: newline in a single-line string");
	expect_errors("[fleet]\nname = \"x\"\nmystery = 1\n[[node]]\n"
		      "name = \"a\"\nindex = 0\nping_url = \"http://a\"\n",
		      "fleet.toml:3:1: [fleet] unknown key 'mystery'");
	expect_errors("typo = 1\n[fleet]\nname = \"x\"\n[[node]]\n"
		      "name = \"a\"\nindex = 0\nping_url = \"http://a\"\n",
		      "fleet.toml:1:1: unknown key 'typo'");
}

TEST(duration_parse_and_format)
{
	uint64_t ms = 0;
	char msg[200], out[32];

	CHECK(duration_parse("500ms", &ms, msg, sizeof(msg)) == 0 && ms == 500);
	CHECK(duration_parse("2s", &ms, msg, sizeof(msg)) == 0 && ms == 2000);
	CHECK(duration_parse("15m", &ms, msg, sizeof(msg)) == 0 &&
	      ms == 900000);
	CHECK(duration_parse("1h30m", &ms, msg, sizeof(msg)) == 0 &&
	      ms == 5400000);
	CHECK(duration_parse("", &ms, msg, sizeof(msg)) < 0);
	CHECK(duration_parse("5", &ms, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "duration \"5\" needs a unit (ms, s, m, h, d)");
	CHECK(duration_parse("-5s", &ms, msg, sizeof(msg)) < 0);
	CHECK(duration_parse("99999999999999999999s", &ms, msg, sizeof(msg)) <
	      0);
	duration_format(1500, out, sizeof(out));
	CHECK_STR(out, "1500ms");
	duration_format(120000, out, sizeof(out));
	CHECK_STR(out, "2m");
}

TEST(template_checks_and_quotes)
{
	struct template_vars v = {"node-0", "0", "tsm.0"};
	char msg[200];
	size_t bad = 0;
	char *s;

	CHECK(template_check("a {node} {index} {enclave}", &bad, msg,
			     sizeof(msg)) == 0);
	CHECK(template_check("echo {nodes}", &bad, msg, sizeof(msg)) < 0 &&
	      bad == 5);
	s = template_expand("nitro-cli console --enclave-name {enclave} # "
			    "{node}/{index}",
			    &v, msg, sizeof(msg));
	CHECK_STR(s, "nitro-cli console --enclave-name 'tsm.0' # "
		     "'node-0'/'0'");
	free(s);
	v.enclave = NULL;
	CHECK(template_expand("x {enclave}", &v, msg, sizeof(msg)) == NULL);
	CHECK_STR(msg, "the command needs {enclave}, which this node does "
		       "not set");
	v.enclave = "a'b";
	CHECK(template_expand("x {enclave}", &v, msg, sizeof(msg)) == NULL);
	CHECK(!template_name_ok("$(reboot)"));
	CHECK(!template_name_ok(""));
}

TEST(fleet_ssh_and_logs_tables)
{
	struct fleet_diags d;
	struct fleet *f = parse(minimal, &d);
	char *e;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(f->ssh.agent && f->ssh.known_hosts == NULL &&
	      f->ssh.identity == NULL);
	CHECK(f->ssh.connect_timeout_ms == 10000 &&
	      f->ssh.auth_timeout_ms == 10000 && f->ssh.keepalive_ms == 2000);
	CHECK(f->logs.scrollback == 10000 && f->logs.quiet_after_ms == 60000);
	fleet_free(f);
	f = parse("[fleet]\nname = \"x\"\n[ssh]\nknown_hosts = \"~/kh\"\n"
		  "identity = \"/k/id\"\nagent = false\n"
		  "connect_timeout = \"3s\"\nauth_timeout = \"4s\"\n"
		  "keepalive = \"5s\"\n"
		  "[logs]\nscrollback = 500\nquiet_after = \"2m\"\n"
		  "[[node]]\nname = \"n\"\nindex = 0\n"
		  "ping_url = \"http://a/ping\"\n",
		  &d);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK_STR(f->ssh.known_hosts, "~/kh");
	CHECK_STR(f->ssh.identity, "/k/id");
	CHECK(!f->ssh.agent && f->ssh.connect_timeout_ms == 3000 &&
	      f->ssh.auth_timeout_ms == 4000 && f->ssh.keepalive_ms == 5000);
	CHECK(f->logs.scrollback == 500 && f->logs.quiet_after_ms == 120000);
	fleet_free(f);
	e = errors_of("[fleet]\nname = \"x\"\n[ssh]\nknwon_hosts = \"a\"\n"
		      "keepalive = \"10ms\"\n[logs]\nscrollback = 5\n"
		      "[[node]]\nname = \"n\"\nindex = 0\n"
		      "ping_url = \"http://a/ping\"\n");
	CHECK(strstr(e, "fleet.toml:4:1: [ssh] unknown key 'knwon_hosts'") !=
	      NULL);
	CHECK(strstr(e, "fleet.toml:5:13:") != NULL);
	CHECK(strstr(e, "fleet.toml:7:14:") != NULL);
	free(e);
}

TEST(fleet_nitro_table)
{
	struct fleet_diags d;
	struct fleet *f = parse(minimal, &d);
	char *e;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(!f->nitro.enabled);
	CHECK_STR(f->nitro.namespace_, "BuilderVault");
	CHECK_STR(f->nitro.metric, "NitroStatus");
	CHECK_STR(f->nitro.dimension, "EnclaveName");
	CHECK_STR(f->nitro.stat, "Minimum");
	CHECK(f->nitro.period_ms == 60000 && f->nitro.interval_ms == 60000 &&
	      f->nitro.window_ms == 900000);
	fleet_free(f);
	f = parse("[fleet]\nname = \"x\"\n[nitro]\nnamespace = \"T/N\"\n"
		  "metric = \"S\"\ndimension = \"InstanceId\"\n"
		  "stat = \"Average\"\nperiod = \"5m\"\ninterval = \"30s\"\n"
		  "window = \"1h\"\n"
		  "[[node]]\nname = \"n\"\nindex = 0\n"
		  "ping_url = \"http://a/ping\"\ninstance_id = "
		  "\"i-0123456789abcdef0\"\n"
		  "enclave_name = \"e\"\n",
		  &d);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(f->nitro.enabled);
	CHECK_STR(f->nitro.namespace_, "T/N");
	CHECK_STR(f->nitro.stat, "Average");
	CHECK(f->nitro.period_ms == 300000 && f->nitro.interval_ms == 30000 &&
	      f->nitro.window_ms == 3600000);
	CHECK_STR(fleet_node_nitro_dimension(f, &f->nodes[0]),
		  "i-0123456789abcdef0");
	fleet_free(f);
	e = errors_of("[fleet]\nname = \"x\"\n[nitro]\nstat = \"Median\"\n"
		      "period = \"5m\"\nwindow = \"2m\"\n"
		      "[[node]]\nname = \"n\"\nindex = 0\n"
		      "ping_url = \"http://a/ping\"\n");
	CHECK(strstr(e, "fleet.toml:4:8: [nitro] stat must be Minimum, "
			"Maximum, Average, Sum or SampleCount") != NULL);
	CHECK(strstr(e, "[nitro] window must be at least one period") != NULL);
	free(e);
}

TEST(fleet_incidents_metrics_group_window)
{
	struct fleet_diags d;
	struct fleet *f = parse(minimal, &d);
	char *e;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(f->alerts.group_window_ms == 10000);
	CHECK(f->incidents.before_ms == 120000 &&
	      f->incidents.after_ms == 60000 && f->incidents.max_lines == 2000);
	CHECK(!f->metrics.enabled && f->metrics.interval_ms == 60000);
	CHECK_STR(f->metrics.namespace_, "BVOps");
	CHECK_STR(f->metrics.metric, "NodeUp");
	fleet_free(f);
	f = parse("[fleet]\nname = \"x\"\n[alerts]\ngroup_window = \"0s\"\n"
		  "[incidents]\nbefore = \"30s\"\nafter = \"5s\"\n"
		  "max_lines = 100\n[metrics]\nnamespace = \"Ops\"\n"
		  "interval = \"15s\"\n"
		  "[[node]]\nname = \"n\"\nindex = 0\n"
		  "ping_url = \"http://a/ping\"\n",
		  &d);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(f->alerts.group_window_ms == 0);
	CHECK(f->incidents.before_ms == 30000 &&
	      f->incidents.after_ms == 5000 && f->incidents.max_lines == 100);
	CHECK(f->metrics.enabled && f->metrics.interval_ms == 15000);
	CHECK_STR(f->metrics.namespace_, "Ops");
	CHECK_STR(f->metrics.metric, "NodeUp");
	fleet_free(f);
	e = errors_of("[fleet]\nname = \"x\"\n[incidents]\nmax_lines = 5\n"
		      "[metrics]\ninterval = \"10ms\"\n"
		      "[[node]]\nname = \"n\"\nindex = 0\n"
		      "ping_url = \"http://a/ping\"\n");
	CHECK(strstr(e, "fleet.toml:4:13: [incidents] max_lines") != NULL);
	CHECK(strstr(e, "fleet.toml:6:12: [metrics] interval") != NULL);
	free(e);
}

TEST(durations_for_people)
{
	char out[32];

	duration_human(191521, out, sizeof(out));
	CHECK_STR(out, "3m12s");
	duration_human(800, out, sizeof(out));
	CHECK_STR(out, "800ms");
	duration_human(1500, out, sizeof(out));
	CHECK_STR(out, "1.5s");
	duration_human(2000, out, sizeof(out));
	CHECK_STR(out, "2s");
	duration_human(60000, out, sizeof(out));
	CHECK_STR(out, "1m");
	duration_human(3900000, out, sizeof(out));
	CHECK_STR(out, "1h5m");
	duration_human(3600000, out, sizeof(out));
	CHECK_STR(out, "1h");
	duration_human(90061000, out, sizeof(out));
	CHECK_STR(out, "1d1h");
}
