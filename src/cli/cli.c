#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libssh2.h>

#include "aws/aws.h"
#include "aws/awscred.h"
#include "aws/awstrace.h"
#include "cli/cmd.h"
#include "proc/shared.h"

#ifndef BVOPS_VERSION
#define BVOPS_VERSION "0.0.0-dev"
#endif

enum {
	CMD_JSON = 1 << 0,    /* takes --json */
	CMD_CHANGES = 1 << 1, /* changes things: takes --yes and --dry-run */
	CMD_FLEET = 1 << 2,   /* reads the fleet file */
};

struct cli_command {
	const char *words; /* "config validate"; "" is the console */
	const char *args;
	const char *summary;
	/* OPTION, meaning, ...: what `bvops WORDS --help` lists; NULL-ended. */
	const char *const *options;
	unsigned flags;
	/* NULL: named by SPEC, not in this build yet. */
	int (*run)(const struct cli_opts *o, int argc, char **argv);
};

static const struct cli_command cli_commands[] = {
    {.words = "",
     .options =
	 (const char *const[]){
	     "-f, --fleet FILE", "the fleet file", "--theme NAME",
	     "a colour theme (dark, light, mono, or one of yours)",
	     "--read-only", "observe only: every action is refused", NULL},
     .args = "[-f FLEET] [--theme NAME] [--read-only]",
     .summary = "the interactive console (default command)",
     .flags = CMD_FLEET,
     .run = cmd_console},
    {.words = "status",
     .options =
	 (const char *const[]){"--json",
			       "one JSON document instead of the table", NULL},
     .args = "[-f FLEET] [--json]",
     .summary = "one round of health checks, then exit",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_status},
    {.words = "access",
     .options =
	 (const char *const[]){"--json",
			       "one JSON document instead of the text", NULL},
     .args = "[-f FLEET] [--json]",
     .summary = "who bvops is in AWS for each node, and what it can read",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_access},
    {.words = "watch",
     .options =
	 (const char *const[]){"--json",
			       "one JSON event per line instead of text", NULL},
     .args = "[-f FLEET] [--json]",
     .summary = "headless monitoring, one event per line",
     .flags = CMD_FLEET | CMD_JSON | CMD_CHANGES,
     .run = cmd_watch},
    {.words = "maintenance",
     .options =
	 (const char *const[]){
	     "--reason TEXT", "why (shown, paged, audited)", "--for DURATION",
	     "lift it by itself after this long (5m, 2h)", "--end",
	     "lift the node's maintenance now", NULL},
     .args = "NODE [--reason TEXT] [--for DURATION] | --end",
     .summary = "hold a node: no auto-restart, no paging (checks go on)",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_maintenance},
    {.words = "doctor",
     .options = (const char *const[]){"--json",
				      "one JSON document instead of the "
				      "table",
				      NULL},
     .args = "NODE [--json]",
     .summary = "a node's enclave, allocator, proxy, units, disk, clock, "
		"PCRs",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_doctor},
    {.words = "node restart",
     .options =
	 (const char *const[]){
	     "--wait DURATION", "then wait until /ping answers 200", "--yes",
	     "no question (the quorum effect is still said)", "--dry-run",
	     "say what would run, run nothing", "--json",
	     "the result as one JSON document", NULL},
     .args = "NODE [--wait DURATION] [--yes] [--dry-run] [--json]",
     .summary = "restart a node's enclave service, as the console's R",
     .flags = CMD_FLEET | CMD_CHANGES | CMD_JSON,
     .run = cmd_node_restart},
    {.words = "node stop",
     .options =
	 (const char *const[]){
	     "--wait DURATION", "then wait until /ping no longer answers",
	     "--yes", "no question (the quorum effect is still said)",
	     "--dry-run", "say what would run, run nothing", "--json",
	     "the result as one JSON document", NULL},
     .args = "NODE [--wait DURATION] [--yes] [--dry-run] [--json]",
     .summary = "stop a node on purpose (held: no auto-restart, no paging)",
     .flags = CMD_FLEET | CMD_CHANGES | CMD_JSON,
     .run = cmd_node_stop},
    {.words = "node start",
     .options =
	 (const char *const[]){
	     "--wait DURATION", "then wait until /ping answers 200", "--yes",
	     "no question", "--dry-run", "say what would run, run nothing",
	     "--json", "the result as one JSON document", NULL},
     .args = "NODE [--wait DURATION] [--yes] [--dry-run] [--json]",
     .summary = "start a node (ends the hold of a stop on purpose)",
     .flags = CMD_FLEET | CMD_CHANGES | CMD_JSON,
     .run = cmd_node_start},
    {.words = "rearm",
     .args = "NODE",
     .summary = "re-arm auto-restart after it gave up or hit the start limit",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_rearm},
    {.words = "incident list",
     .options =
	 (const char *const[]){"--json", "JSON instead of the table", NULL},
     .args = "[--json]",
     .summary = "incidents recorded: outages with their checks and journal",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_incident_list},
    {.words = "incident show",
     .options = (const char *const[]){"--text",
				      "plain text instead of Markdown", NULL},
     .args = "ID [--text]",
     .summary = "an incident report (Markdown; --text: plain text)",
     .flags = CMD_FLEET,
     .run = cmd_incident_show},
    {.words = "incident export",
     .options =
	 (const char *const[]){"--text", "plain text instead of Markdown",
			       "--force", "over an existing FILE", NULL},
     .args = "ID FILE [--text] [--force]",
     .summary = "write an incident report to FILE (never over one)",
     .flags = CMD_FLEET,
     .run = cmd_incident_export},
    {.words = "logs",
     .options =
	 (const char *const[]){
	     "--source journal|console",
	     "the node's journal (default) or its enclave console", "--follow",
	     "keep printing new lines until Ctrl-C", "--lines N",
	     "how many of the last lines", "--since-debug",
	     "with --source console: what it printed since debug enter", NULL},
     .args = "NODE [--source journal|console] [--follow] [--lines N] "
	     "[--since-debug]",
     .summary = "a node's journal or enclave console",
     .flags = CMD_FLEET,
     .run = cmd_logs},
    {.words = "hostkey",
     .options =
	 (const char *const[]){
	     "--trust", "add the key to known_hosts (asks; --yes in scripts)",
	     NULL},
     .args = "NODE [--trust]",
     .summary = "show a node's SSH host key; --trust adds it to known_hosts",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_hostkey},
    {.words = "config get",
     .options =
	 (const char *const[]){
	     "--raw", "as stored, secrets too (a terminal needs --force)",
	     "--force", "--raw to a terminal", "--where",
	     "only where the config lives", NULL},
     .args = "NODE [--raw [--force] | --where]",
     .summary = "print the node's config.toml (secrets redacted)",
     .flags = CMD_FLEET,
     .run = cmd_config_get},
    {.words = "config edit",
     .options =
	 (const char *const[]){
	     "--restart", "restart the node after the upload, and wait for it",
	     "--wait DURATION", "how long to wait for /ping after the restart",
	     "--show-secrets", "the diff unredacted", NULL},
     .args = "NODE [--restart] [--wait DURATION] [--show-secrets]",
     .summary = "guided edit of a node's config.toml (validated, diffed, "
		"backed up)",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_config_edit},
    {.words = "config restore",
     .options =
	 (const char *const[]){
	     "--backup KEY", "the backup object to put back (backups/...)",
	     "--restart", "restart the node after it, and wait for it", NULL},
     .args = "NODE --backup KEY [--restart]",
     .summary = "put a backup of a node's config.toml back",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_config_restore},
    {.words = "config lint",
     .args = "[NODE...]",
     .summary = "cross-check the fleet's configs: indices, keys, peers, ERS",
     .flags = CMD_FLEET,
     .run = cmd_config_lint},
    {.words = "config validate",
     .args = "FILE",
     .summary = "check a TOML file; errors as FILE:LINE:COL: message",
     .run = cmd_config_validate},
    {.words = "debug enter",
     .options =
	 (const char *const[]){"--no-console",
			       "do not attach the enclave's console afterwards",
			       NULL},
     .args = "NODE [--no-console]",
     .summary = "put a node's enclave in Nitro debug mode",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_debug_enter},
    {.words = "debug exit",
     .options =
	 (const char *const[]){"--wait DURATION",
			       "how long to wait for /ping after the restart",
			       NULL},
     .args = "NODE [--wait DURATION]",
     .summary = "restore protected mode (the exact original key policy)",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_debug_exit},
    {.words = "debug status",
     .options =
	 (const char *const[]){"--json", "JSON instead of the table", NULL},
     .args = "[--json]",
     .summary = "nodes in debug mode: recorded, key policy, enclave",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_debug_status},
    {.words = "ers apply",
     .options =
	 (const char *const[]){
	     "--fragment FILE", "the ERS configuration to add, as TOML",
	     "--preset NAME", "a fragment bvops knows instead of a file",
	     "--wait D", "how long to wait for every node's /ping",
	     "--stop-wait D", "how long to wait for every node to stop", NULL},
     .args = "(--fragment FILE | --preset NAME) [--wait D] [--stop-wait D]",
     .summary = "stop every node, add the ERS configuration, start them",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_ers_apply},
    {.words = "ers revert",
     .options =
	 (const char *const[]){
	     "--fragment FILE",
	     "what to take out, for an apply not made by bvops",
	     "--preset NAME", "the same, by name", "--wait D",
	     "how long to wait for every node's /ping", NULL},
     .args = "[--fragment FILE | --preset NAME] [--wait D]",
     .summary = "stop every node, take out exactly what apply added, start",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_ers_revert},
    {.words = "ers status",
     .options =
	 (const char *const[]){"--json", "JSON instead of the table",
			       "--fragment FILE",
			       "compare the configs with this fragment",
			       "--preset NAME", "the same, by name", NULL},
     .args = "[--json] [--fragment FILE | --preset NAME]",
     .summary = "which configs have ERS; any ERS procedure open",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_ers_status},
    {.words = "procedure list",
     .options =
	 (const char *const[]){"--json", "JSON instead of the table", NULL},
     .args = "[--json]",
     .summary = "journaled procedures and where they stand",
     .flags = CMD_FLEET | CMD_JSON,
     .run = cmd_procedure_list},
    {.words = "procedure resume",
     .options =
	 (const char *const[]){
	     "--restart",
	     "restart without asking when what is left restarts a node", NULL},
     .args = "ID [--restart]",
     .summary = "continue an interrupted procedure",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_procedure_resume},
    {.words = "procedure rollback",
     .args = "ID",
     .summary = "undo what a procedure did, in reverse",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_procedure_rollback},
    {.words = "procedure abandon",
     .args = "ID",
     .summary = "close an interrupted procedure as it stands",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_procedure_abandon},
    {.words = "lock status",
     .summary = "who holds the fleet's procedure lock",
     .flags = CMD_FLEET,
     .run = cmd_lock_status},
    {.words = "lock break",
     .args = "ID",
     .summary = "break the stale procedure lock of procedure ID, and no "
		"other (audited)",
     .flags = CMD_FLEET | CMD_CHANGES,
     .run = cmd_lock_break},
    {.words = "discover",
     .options =
	 (const char *const[]){
	     "--namespace NS",
	     "the deployment's Namespace tag", "--env ENV",
	     "its Environment tag", "--write FILE",
	     "write the fleet file there", "--force",
	     "over FILE (the old one kept as a backup)", "--ping-url URL",
	     "the nodes' /ping address ({enclave}, {index}, {ip})",
	     "--name NAME", "the fleet's name", "--region R",
	     "the region to look in", NULL},
     .args = "[--namespace NS] [--env ENV] [--write FILE] [OPTIONS]",
     .summary = "a fleet file from EC2 tags, nodes on ssm; OPTIONS: "
		"--force (over FILE, kept as a backup), --ping-url URL, "
		"--name NAME, --region R",
     .run = cmd_discover},
};

#define NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static void cli_usage_line(FILE *out, const struct cli_command *c)
{
	fprintf(out, "usage: bvops%s%s%s%s\n", *c->words ? " " : "", c->words,
		c->args ? " " : "", c->args ? c->args : "");
}

/* A command's own help after its usage line: what it does, each of its
 * options with its meaning, and where the global ones are. */
static void cli_help_options(FILE *out, const struct cli_command *c)
{
	size_t k, width = 0;

	if (c->summary != NULL)
		fprintf(out, "\n%s\n", c->summary);
	for (k = 0; c->options != NULL && c->options[k] != NULL; k += 2)
		if (strlen(c->options[k]) > width)
			width = strlen(c->options[k]);
	if (c->options != NULL && c->options[0] != NULL)
		fprintf(out, "\nOptions:\n");
	for (k = 0; c->options != NULL && c->options[k] != NULL; k += 2)
		fprintf(out, "  %-*s  %s\n", (int)width, c->options[k],
			c->options[k + 1]);
	fprintf(out, "\nGlobal options (-f FLEET, --json, --yes, --dry-run, "
		     "--force, --offline, --read-only, --profile, --region, "
		     "--debug): bvops --help\n");
}

/* "  LEFT   summary", the summary wrapped to stay within 80 columns
 * (an SSM session is often 80 wide). */
static void cli_help_summary(FILE *out, const char *left, const char *text)
{
	const int width = 80 - 37;

	while (*text != '\0') {
		int n = (int)strlen(text);

		if (n > width) {
			n = width;
			while (n > 0 && text[n] != ' ')
				n--;
			if (n == 0)
				n = width;
		}
		fprintf(out, "  %-34s %.*s\n", left, n, text);
		left = "";
		text += n;
		while (*text == ' ')
			text++;
	}
}

static void cli_help(FILE *out)
{
	size_t k;

	fputs("bvops - operations console for Builder Vault TSM nodes\n"
	      "\n"
	      "usage: bvops [GLOBAL OPTIONS] [COMMAND] [ARGS]\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (k = 0; k < NCOMMANDS; k++) {
		const struct cli_command *c = &cli_commands[k];
		char left[160];

		if (c->run == NULL)
			continue;
		snprintf(left, sizeof(left), "%s%s%s",
			 *c->words ? c->words : "(no command)",
			 c->args ? " " : "", c->args ? c->args : "");
		if (strlen(left) > 34) /* too long to share the line */
			fprintf(out, "  %s\n", left);
		cli_help_summary(out, strlen(left) > 34 ? "" : left,
				 c->summary);
	}
	fputs(
	    "\n"
	    "Global options (before or after the command):\n"
	    "  -f, --fleet FILE   fleet file (default: $BVOPS_FLEET, then\n"
	    "                     $XDG_CONFIG_HOME/bvops/fleet.toml, then\n"
	    "                     ~/.config/bvops/fleet.toml)\n"
	    "  --theme NAME       colour theme of the console\n"
	    "  --yes              confirm changes without asking (scripts)\n"
	    "  --dry-run          print the plan and change nothing\n"
	    "  --read-only        observe only: every action is refused\n"
	    "  --force            act over another operator's session or\n"
	    "                     hold (said, asked for no more, audited)\n"
	    "  --offline          act on this host's view when the shared\n"
	    "                     state cannot be reached (audited, copied\n"
	    "                     up later)\n"
	    "  --json             machine-readable output where it applies\n"
	    "  --profile NAME     the fleet's AWS profile (as the aws CLI's,\n"
	    "                     over the environment); nodes with their own\n"
	    "                     identity keep it\n"
	    "  --region R         the fleet's AWS region, over the\n"
	    "                     environment and the fleet file\n"
	    "  --debug            every AWS request traced to stderr (the\n"
	    "                     console: to STATE/aws-debug.log); never a\n"
	    "                     secret\n"
	    "  -h, --help         this help; with a command, its usage\n"
	    "  -V, --version      print the version\n"
	    "An option's value may follow it or an '=': --wait 3m, "
	    "--wait=3m.\n"
	    "\n"
	    "Exit codes: 0 ok, 1 the checked thing is not ok, 2 usage or\n"
	    "input error, 3 a remote/AWS failure.\n"
	    "\n",
	    out);
	fputs("See bvops(1) and docs/ for the fleet file and the console's "
	      "keys.\n",
	      out);
}

/* Does c list option name (its own, not a global one)? */
static bool cli_has_option(const struct cli_command *c, const char *name)
{
	size_t k;

	for (k = 0; c->options != NULL && c->options[k] != NULL; k += 2)
		if (strncmp(c->options[k], name, strlen(name)) == 0 &&
		    (c->options[k][strlen(name)] == '\0' ||
		     c->options[k][strlen(name)] == ' ' ||
		     c->options[k][strlen(name)] == ','))
			return true;
	return false;
}

/* Does rest[] start with the words of c? Returns how many it took. */
static int cli_match(const struct cli_command *c, int n, char **rest)
{
	const char *w = c->words;
	int used = 0;

	while (*w != '\0') {
		size_t len = strcspn(w, " ");

		if (used >= n || strlen(rest[used]) != len ||
		    strncmp(rest[used], w, len) != 0)
			return -1;
		used++;
		w += len;
		while (*w == ' ')
			w++;
	}
	return used;
}

/* Value of an option: "--opt=V" or "--opt V"; NULL when missing. */
static const char *cli_optarg(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) == 0 && argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (*i + 1 < argc) {
		(*i)++;
		return argv[*i];
	}
	return NULL;
}

static bool cli_is_opt(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return strncmp(arg, name, len) == 0 &&
	       (arg[len] == '\0' || arg[len] == '=');
}

int cli_main(int argc, char **argv)
{
	struct cli_opts o = {0};
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int n = 0, i, best = -1, best_used = -1, rc;
	bool help = false, dashdash = false, force = false;
	size_t k;

	if (rest == NULL)
		return CLI_EXIT_USAGE;
	/* A write to a pipe whose reader left (an [alerts] command that
	 * exits without reading, `bvops status | head`) is an error to
	 * handle (EPIPE), never a reason to die: the console and the
	 * procedures must not be killed by it. Children get it back. */
	signal(SIGPIPE, SIG_IGN);
	/* Once, before any thread: libcurl's global state is not
	 * thread-safe to set up. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bvops: cannot initialise libcurl\n");
		free(rest);
		return CLI_EXIT_REMOTE;
	}
	atexit(curl_global_cleanup);
	/* The same for libssh2 (and its crypto library). */
	if (libssh2_init(0) != 0) {
		fprintf(stderr, "bvops: cannot initialise libssh2\n");
		free(rest);
		return CLI_EXIT_REMOTE;
	}
	atexit(libssh2_exit);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			rest[n++] = argv[i]; /* a word, "-" or after "--" */
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = true;
		} else if (strcmp(a, "-f") == 0 || cli_is_opt(a, "--fleet")) {
			o.fleet_path = cli_optarg(
			    argc, argv, &i, a[1] == 'f' ? "-f" : "--fleet");
			if (o.fleet_path == NULL || *o.fleet_path == '\0') {
				fprintf(stderr, "bvops: %s needs a file\n", a);
				free(rest);
				return CLI_EXIT_USAGE;
			}
		} else if (cli_is_opt(a, "--theme")) {
			o.theme = cli_optarg(argc, argv, &i, "--theme");
			if (o.theme == NULL || *o.theme == '\0') {
				fprintf(stderr,
					"bvops: --theme needs a name\n");
				free(rest);
				return CLI_EXIT_USAGE;
			}
		} else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			o.yes = true;
		} else if (strcmp(a, "--dry-run") == 0) {
			o.dry_run = true;
		} else if (strcmp(a, "--read-only") == 0) {
			o.read_only = true;
		} else if (strcmp(a, "--force") == 0) {
			force = true;
		} else if (strcmp(a, "--debug") == 0) {
			o.debug = true;
		} else if (cli_is_opt(a, "--profile") ||
			   cli_is_opt(a, "--region")) {
			bool prof = a[2] == 'p';
			const char *v = cli_optarg(
			    argc, argv, &i, prof ? "--profile" : "--region");

			if (v == NULL || *v == '\0' || v[0] == '-') {
				fprintf(stderr, "bvops: %s needs a %s\n",
					prof ? "--profile" : "--region",
					prof ? "profile's name" : "region");
				free(rest);
				return CLI_EXIT_USAGE;
			}
			if (prof)
				o.profile = v;
			else
				o.region = v;
		} else if (strcmp(a, "--offline") == 0) {
			o.offline = true;
		} else if (strcmp(a, "--json") == 0) {
			o.json = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help = true;
		} else if (strcmp(a, "--version") == 0 ||
			   strcmp(a, "-V") == 0) {
			printf("bvops %s\n", BVOPS_VERSION);
			free(rest);
			return CLI_EXIT_OK;
		} else {
			rest[n++] = argv[i]; /* the command's own option */
		}
	}
	for (k = 0; k < NCOMMANDS; k++) {
		int used = cli_match(&cli_commands[k], n, rest);

		if (used > best_used) {
			best_used = used;
			best = (int)k;
		}
	}
	/* The console takes no words: anything left is not a command. */
	if (best_used == 0 && n > 0 && !help) {
		if (rest[0][0] == '-')
			fprintf(stderr, "bvops: unknown option '%s'\n",
				rest[0]);
		else
			fprintf(stderr, "bvops: unknown command '%s'\n",
				rest[0]);
		fputs("usage: bvops [-f FLEET] [COMMAND] [ARGS]; "
		      "try 'bvops --help'\n",
		      stderr);
		free(rest);
		return CLI_EXIT_USAGE;
	}
	if (help) {
		if (best_used > 0) {
			cli_usage_line(stdout, &cli_commands[best]);
			cli_help_options(stdout, &cli_commands[best]);
		} else {
			cli_help(stdout);
		}
		free(rest);
		return CLI_EXIT_OK;
	}
	{
		const struct cli_command *c = &cli_commands[best];
		const char *bad = NULL;

		/* --force is the command's own where it has one (over a file,
		 * --raw to a terminal); elsewhere the global one: over
		 * another operator's session or hold. */
		if (force && cli_has_option(c, "--force"))
			rest[n++] = "--force";
		else
			o.force = force;

		if (o.json && !(c->flags & CMD_JSON))
			bad = "--json";
		else if (o.yes && !(c->flags & CMD_CHANGES))
			bad = "--yes";
		else if (o.dry_run && !(c->flags & CMD_CHANGES))
			bad = "--dry-run";
		else if (o.force && !(c->flags & CMD_CHANGES))
			bad = "--force";
		else if (o.offline && !(c->flags & CMD_CHANGES))
			bad = "--offline";
		if (bad != NULL) {
			fprintf(stderr, "bvops: %s does not apply to '%s'\n",
				bad, *c->words ? c->words : "the console");
			cli_usage_line(stderr, c);
			free(rest);
			return CLI_EXIT_USAGE;
		}
		if (c->run == NULL) {
			fprintf(stderr,
				"bvops: '%s' is not available in this version "
				"(%s)\n",
				c->words, BVOPS_VERSION);
			free(rest);
			return CLI_EXIT_USAGE;
		}
		/* Every change below goes by this, not only the command's
		 * own: a procedure's holds and marks too. */
		shared_set_offline(o.offline);
		/* As the aws CLI's: the fleet's default identity and region,
		 * over the environment's (before any thread starts). */
		if (o.profile != NULL) {
			awscred_set_default_profile(o.profile);
			setenv("AWS_PROFILE", o.profile, 1);
		}
		if (o.region != NULL) {
			setenv("AWS_REGION", o.region, 1);
			setenv("AWS_DEFAULT_REGION", o.region, 1);
		}
		/* The console owns the screen: it traces to a file. */
		if (o.debug && *c->words != '\0')
			awstrace_set(stderr);
		rc = c->run(&o, n - best_used, rest + best_used);
		if (rc == CMD_BAD_ARGS) {
			cli_usage_line(stderr, c);
			rc = CLI_EXIT_USAGE;
		}
	}
	free(rest);
	return rc;
}
