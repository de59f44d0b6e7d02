/*
 * Fleet file loader. Each table is read through a field table (key, kind,
 * where it goes), so the schema reads as data and one walker checks types,
 * ranges and unknown keys for all of them.
 */
#include "state/fleet.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/duration.h"
#include "lib/s3name.h"
#include "lib/template.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

#define FLEET_FILE_MAX  ((size_t)4 << 20)
#define FLEET_DIAGS_MAX 100

static const char *const cmd_names[FLEET_CMD_COUNT] = {
    [FLEET_CMD_JOURNAL] = "journal",
    [FLEET_CMD_CONSOLE] = "console",
    [FLEET_CMD_RESTART] = "restart",
    [FLEET_CMD_STOP] = "stop",
    [FLEET_CMD_START] = "start",
    [FLEET_CMD_ENCLAVE_STATE] = "enclave_state",
    [FLEET_CMD_DEBUG_RESTART] = "debug_restart",
    [FLEET_CMD_PROTECTED_RESTART] = "protected_restart",
    [FLEET_CMD_JOURNAL_POLL] = "journal_poll",
    [FLEET_CMD_DOCTOR] = "doctor",
};

static const char journal_poll_default[] =
    "journalctl -u enclave.service -o short-iso --no-pager --show-cursor -q";

/* What bvops doctor reads on a Marketplace node, one section each. */
static const char doctor_default[] =
    "echo '== describe-enclaves =='; nitro-cli describe-enclaves 2>&1; "
    "echo '== allocator =='; cat /etc/nitro_enclaves/allocator.yaml 2>&1; "
    "echo '== allocator-unit =='; systemctl show "
    "nitro-enclaves-allocator.service -p ActiveState,SubState,Result,"
    "ExecMainStatus 2>&1; "
    "echo '== hugepages =='; grep -E '^(HugePages_Total|HugePages_Free|"
    "Hugepagesize)' /proc/meminfo; "
    "echo '== errors =='; for f in $(ls -t /var/log/nitro_enclaves/err*.log "
    "2>/dev/null | head -3); do tail -n 20 \"$f\"; done; "
    "echo '== explain =='; for c in $(cat /var/log/nitro_enclaves/err*.log "
    "2>/dev/null | grep -oE 'E[0-9]{2,3}' | sort -u | head -8); do echo "
    "\"-- $c\"; nitro-cli explain --error-code \"$c\" 2>&1 | head -5; done; "
    "echo '== vsock-proxy =='; pgrep -a vsock-proxy; "
    "echo '== vsock-allowlist =='; cat /etc/nitro_enclaves/vsock-proxy.yaml "
    "2>&1; "
    "echo '== enclave-unit =='; systemctl show enclave.service -p "
    "ActiveState,SubState,Result,NRestarts,StartLimitBurst 2>&1; "
    "echo '== disk =='; df -P / /var 2>&1; "
    "echo '== ssm-agent =='; systemctl is-active amazon-ssm-agent 2>&1; "
    "echo '== clock =='; date -u +%s; "
    "echo '== describe-eif =='; nitro-cli describe-eif --eif-path "
    "$(ls /app/*.eif 2>/dev/null | head -1) 2>&1";

/* SPEC's defaults: what an operator types on a Marketplace node. */
static const char *const cmd_defaults[FLEET_CMD_COUNT] = {
    [FLEET_CMD_JOURNAL] = "journalctl -f -u enclave.service",
    [FLEET_CMD_CONSOLE] = "nitro-cli console --enclave-name {enclave}",
    [FLEET_CMD_RESTART] = "sudo systemctl restart enclave.service",
    [FLEET_CMD_STOP] = "sudo systemctl stop enclave.service",
    [FLEET_CMD_START] = "sudo systemctl start enclave.service",
    [FLEET_CMD_ENCLAVE_STATE] = "nitro-cli describe-enclaves",
    [FLEET_CMD_DEBUG_RESTART] =
	"cd /app && sudo DEBUG_MODE=\"--debug-mode\" ./restart-enclave.sh",
    [FLEET_CMD_PROTECTED_RESTART] = "cd /app && sudo ./restart-enclave.sh",
    [FLEET_CMD_JOURNAL_POLL] = journal_poll_default,
    [FLEET_CMD_DOCTOR] = doctor_default,
};

const char *fleet_cmd_name(enum fleet_cmd cmd)
{
	return cmd < FLEET_CMD_COUNT ? cmd_names[cmd] : "?";
}

const char *fleet_role_name(enum fleet_role role)
{
	return role == FLEET_ROLE_DYNAMIC ? "dynamic" : "static";
}

const char *fleet_transport_name(enum fleet_transport t)
{
	switch (t) {
	case FLEET_TRANSPORT_SSH: return "ssh";
	case FLEET_TRANSPORT_SSM: return "ssm";
	case FLEET_TRANSPORT_LOCAL: return "local";
	case FLEET_TRANSPORT_NONE: break;
	}
	return "none";
}

/* ---- diagnostics ------------------------------------------------------ */

struct loader {
	const char *path;
	const struct toml_doc *doc;
	struct fleet_diags *diags;
};

static void diags_add(struct fleet_diags *d, char *line)
{
	if (d->n >= FLEET_DIAGS_MAX) {
		free(line);
		return;
	}
	d->lines = xrealloc(d->lines, (d->n + 1) * sizeof(*d->lines));
	d->lines[d->n++] = line;
}

void fleet_diags_free(struct fleet_diags *d)
{
	size_t k;

	for (k = 0; k < d->n; k++)
		free(d->lines[k]);
	free(d->lines);
	d->lines = NULL;
	d->n = 0;
}

static void diag_at(struct loader *L, size_t off, int col_extra,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void diag_at(struct loader *L, size_t off, int col_extra,
		    const char *fmt, ...)
{
	struct toml_pos pos = toml_doc_pos(L->doc, off);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diags_add(L->diags, xasprintf("%s:%u:%u: %s", L->path, pos.line,
				      pos.col + (unsigned)col_extra, msg));
}

/* ---- field tables ----------------------------------------------------- */

enum field_kind {
	FK_STRING,   /* any non-empty string */
	FK_NAME,     /* [A-Za-z0-9._-]+ */
	FK_URL,      /* http:// or https:// */
	FK_STATE,    /* "s3://BUCKET/PREFIX" or "none" */
	FK_PROFILE,  /* a profile's name, as the aws CLI takes it */
	FK_ROLE_ARN, /* arn:PARTITION:iam::ACCOUNT:role/NAME */
	FK_SSH,      /* user@host[:port] */
	FK_INSTANCE, /* i-0123abcd */
	FK_INT,
	FK_BOOL,
	FK_DURATION,
	FK_ROLE,
	FK_TRANSPORT,
	FK_COMMAND, /* template */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t offset; /* into the struct being filled */
	int64_t min, max;
};

#define F(k, kind, type, member)                                               \
	{                                                                      \
		k, kind, offsetof(type, member), 0, 0                          \
	}
#define FI(k, type, member, lo, hi)                                            \
	{                                                                      \
		k, FK_INT, offsetof(type, member), lo, hi                      \
	}
#define FD(k, type, member, lo, hi)                                            \
	{                                                                      \
		k, FK_DURATION, offsetof(type, member), lo, hi                 \
	}

static const struct field fleet_fields[] = {
    F("name", FK_NAME, struct fleet, name),
    F("region", FK_STRING, struct fleet, region),
    FI("quorum", struct fleet, quorum, 1, 1000),
    F("read_only", FK_BOOL, struct fleet, read_only),
    F("state", FK_STATE, struct fleet, state),
    F("aws_profile", FK_PROFILE, struct fleet, aws_profile),
};

static const struct field ssh_fields[] = {
    F("config", FK_STRING, struct fleet_ssh, config),
    F("known_hosts", FK_STRING, struct fleet_ssh, known_hosts),
    F("identity", FK_STRING, struct fleet_ssh, identity),
    F("agent", FK_BOOL, struct fleet_ssh, agent),
    FD("connect_timeout", struct fleet_ssh, connect_timeout_ms, 100, 600000),
    FD("auth_timeout", struct fleet_ssh, auth_timeout_ms, 100, 600000),
    FD("keepalive", struct fleet_ssh, keepalive_ms, 1000, 600000),
};

static const struct field logs_fields[] = {
    FI("scrollback", struct fleet_logs, scrollback, 100, 10000000),
    FD("quiet_after", struct fleet_logs, quiet_after_ms, 1000, 86400000),
};

static const struct field ssm_fields[] = {
    FD("poll_interval", struct fleet_ssm, poll_interval_ms, 200, 3600000),
    FI("max_in_flight", struct fleet_ssm, max_in_flight, 1, 1000),
};

static const struct field nitro_fields[] = {
    F("enabled", FK_BOOL, struct fleet_nitro, enabled),
    F("namespace", FK_STRING, struct fleet_nitro, namespace_),
    F("metric", FK_STRING, struct fleet_nitro, metric),
    F("dimension", FK_STRING, struct fleet_nitro, dimension),
    F("stat", FK_STRING, struct fleet_nitro, stat),
    FD("period", struct fleet_nitro, period_ms, 60000, 86400000),
    FD("interval", struct fleet_nitro, interval_ms, 10000, 86400000),
    FD("window", struct fleet_nitro, window_ms, 60000, 86400000),
};

static const struct field health_fields[] = {
    FD("interval", struct fleet_health, interval_ms, 100, 86400000),
    FD("timeout", struct fleet_health, timeout_ms, 10, 600000),
    FI("failure_threshold", struct fleet_health, failure_threshold, 1, 1000),
    FI("success_threshold", struct fleet_health, success_threshold, 1, 1000),
    FI("restart_after", struct fleet_health, restart_after, 0, 1000),
    FI("max_restarts", struct fleet_health, max_restarts, 0, 1000),
    FD("restart_window", struct fleet_health, restart_window_ms, 1000,
       INT64_MAX),
    FD("restart_grace", struct fleet_health, restart_grace_ms, 0, 86400000),
    FD("restart_timeout", struct fleet_health, restart_timeout_ms, 1000,
       3600000),
    FD("restart_backoff", struct fleet_health, restart_backoff_ms, 0, 86400000),
    FD("restart_backoff_max", struct fleet_health, restart_backoff_max_ms, 0,
       86400000),
};

static const struct field alert_fields[] = {
    F("command", FK_STRING, struct fleet_alerts, command),
    F("webhook", FK_URL, struct fleet_alerts, webhook),
    FD("command_timeout", struct fleet_alerts, command_timeout_ms, 100, 600000),
    FD("remind_every", struct fleet_alerts, remind_every_ms, 0, 86400000),
    FI("flap_changes", struct fleet_alerts, flap_changes, 2, 1000),
    FD("flap_window", struct fleet_alerts, flap_window_ms, 1000, 86400000),
    F("bell", FK_BOOL, struct fleet_alerts, bell),
    FD("group_window", struct fleet_alerts, group_window_ms, 0, 3600000),
};

static const struct field incident_fields[] = {
    FD("before", struct fleet_incidents, before_ms, 0, 86400000),
    FD("after", struct fleet_incidents, after_ms, 0, 86400000),
    FI("max_lines", struct fleet_incidents, max_lines, 10, 100000),
};

static const struct field debug_fields[] = {
    FD("alert_after", struct fleet_debug, alert_after_ms, 1000, 604800000),
    F("kms_logical_id", FK_STRING, struct fleet_debug, kms_logical_id),
};

static const struct field ers_fields[] = {
    FD("remind_after", struct fleet_ers, remind_after_ms, 60000, 2592000000),
};

static const struct field metrics_fields[] = {
    F("enabled", FK_BOOL, struct fleet_metrics, enabled),
    F("namespace", FK_STRING, struct fleet_metrics, namespace_),
    F("metric", FK_STRING, struct fleet_metrics, metric),
    FD("interval", struct fleet_metrics, interval_ms, 1000, 86400000),
};

static const struct field node_fields[] = {
    F("name", FK_NAME, struct fleet_node, name),
    FI("index", struct fleet_node, index, 0, 100000),
    F("role", FK_ROLE, struct fleet_node, role),
    F("ping_url", FK_URL, struct fleet_node, ping_url),
    F("transport", FK_TRANSPORT, struct fleet_node, transport),
    F("ssh", FK_SSH, struct fleet_node, ssh),
    F("ssh_proxy_command", FK_STRING, struct fleet_node, ssh_proxy_command),
    F("instance_id", FK_INSTANCE, struct fleet_node, instance_id),
    F("enclave_name", FK_NAME, struct fleet_node, enclave_name),
    F("config_ssm_param", FK_STRING, struct fleet_node, config_ssm_param),
    F("kms_stack", FK_STRING, struct fleet_node, kms_stack),
    F("aws_profile", FK_PROFILE, struct fleet_node, aws_profile),
    F("aws_role_arn", FK_ROLE_ARN, struct fleet_node, aws_role_arn),
    F("aws_external_id", FK_STRING, struct fleet_node, aws_external_id),
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A profile name: what the aws CLI's files take in a section name. */
static bool profile_ok(const char *s)
{
	size_t k;

	for (k = 0; s[k] != '\0'; k++)
		if (!isalnum((unsigned char)s[k]) &&
		    strchr("._-@+=,", s[k]) == NULL)
			return false;
	return k > 0 && k <= 128;
}

/* arn:PARTITION:iam::ACCOUNT(12 digits):role/NAME */
static bool role_arn_ok(const char *s)
{
	const char *p;
	size_t k;

	if (!has_prefix(s, "arn:"))
		return false;
	p = strchr(s + 4, ':');
	if (p == NULL || !has_prefix(p, ":iam::"))
		return false;
	p += 6;
	for (k = 0; k < 12; k++)
		if (!isdigit((unsigned char)p[k]))
			return false;
	p += 12;
	return has_prefix(p, ":role/") && p[6] != '\0' && strlen(s) <= 2048 &&
	       strpbrk(s, " \t\"'") == NULL;
}

static bool url_ok(const char *s)
{
	const char *host;

	if (has_prefix(s, "http://"))
		host = s + 7;
	else if (has_prefix(s, "https://"))
		host = s + 8;
	else
		return false;
	return *host != '\0' && *host != '/' && strpbrk(s, " \t\r\n") == NULL;
}

int fleet_ssh_target_parse(const char *s, char **user, char **host, int *port)
{
	const char *at = strchr(s, '@'), *h, *colon;
	char *end;
	long p = 0;
	size_t hlen;

	if (at == s)
		return -1;
	h = at != NULL ? at + 1 : s;
	if (*h == '[') { /* [v6]:port */
		const char *close = strchr(h, ']');

		if (close == NULL || close == h + 1)
			return -1;
		hlen = (size_t)(close - h - 1);
		h++;
		colon = close[1] == ':' ? close + 1
					: (close[1] == '\0' ? NULL : close);
		if (colon != NULL && *colon != ':')
			return -1;
	} else {
		colon = strchr(h, ':');
		hlen = colon ? (size_t)(colon - h) : strlen(h);
	}
	if (hlen == 0)
		return -1;
	if (colon != NULL) {
		errno = 0;
		p = strtol(colon + 1, &end, 10);
		if (errno != 0 || end == colon + 1 || *end != '\0' || p < 1 ||
		    p > 65535)
			return -1;
	}
	if (strpbrk(s, " \t\r\n'\"`$;&|<>\\") != NULL)
		return -1;
	if (user != NULL)
		*user = at != NULL ? xstrndup(s, (size_t)(at - s)) : NULL;
	if (host != NULL)
		*host = xstrndup(h, hlen);
	if (port != NULL)
		*port = (int)p;
	return 0;
}

static bool instance_ok(const char *s)
{
	size_t n = 0;

	if (!has_prefix(s, "i-"))
		return false;
	for (s += 2; *s != '\0'; s++, n++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return n == 8 || n == 17;
}

/* Read one string field; NULL (and a diagnostic) if it is not a string. */
static const char *want_string(struct loader *L, const struct toml_value *v,
			       const char *where, const char *key)
{
	const char *s;
	size_t len;

	if (toml_value_type(v) != TOML_STRING) {
		diag_at(L, toml_value_start(v), 0,
			"%s%s must be a string, not a%s %s", where, key,
			toml_value_type(v) == TOML_INTEGER ||
				toml_value_type(v) == TOML_ARRAY
			    ? "n"
			    : "",
			toml_type_name(toml_value_type(v)));
		return NULL;
	}
	s = toml_value_string(v, &len);
	if (strlen(s) != len) {
		diag_at(L, toml_value_start(v), 0, "%s%s contains a NUL byte",
			where, key);
		return NULL;
	}
	if (len == 0) {
		diag_at(L, toml_value_start(v), 0, "%s%s must not be empty",
			where, key);
		return NULL;
	}
	return s;
}

static void load_field(struct loader *L, const struct field *f, void *base,
		       const struct toml_value *v, const char *where)
{
	char *slot_str = NULL;
	const char *s;
	char msg[200];

	if (f->kind == FK_BOOL) {
		bool b;

		if (toml_value_type(v) != TOML_BOOL) {
			diag_at(L, toml_value_start(v), 0,
				"%s%s must be true or false, not a %s", where,
				f->key, toml_type_name(toml_value_type(v)));
			return;
		}
		b = toml_value_bool(v);
		memcpy((char *)base + f->offset, &b, sizeof(b));
		return;
	}
	if (f->kind == FK_INT) {
		int64_t n;

		if (toml_value_type(v) != TOML_INTEGER) {
			diag_at(L, toml_value_start(v), 0,
				"%s%s must be an integer, not a %s", where,
				f->key, toml_type_name(toml_value_type(v)));
			return;
		}
		n = toml_value_int(v);
		if (n < f->min || n > f->max) {
			diag_at(L, toml_value_start(v), 0,
				"%s%s must be between %lld and %lld", where,
				f->key, (long long)f->min, (long long)f->max);
			return;
		}
		memcpy((char *)base + f->offset, &n, sizeof(n));
		return;
	}
	s = want_string(L, v, where, f->key);
	if (s == NULL)
		return;
	switch (f->kind) {
	case FK_DURATION: {
		uint64_t ms;

		if (duration_parse(s, &ms, msg, sizeof(msg)) < 0) {
			diag_at(L, toml_value_start(v), 0, "%s%s: %s", where,
				f->key, msg);
			return;
		}
		if (ms < (uint64_t)f->min || ms > (uint64_t)f->max) {
			char lo[32], hi[32];

			duration_format((uint64_t)f->min, lo, sizeof(lo));
			duration_format((uint64_t)f->max, hi, sizeof(hi));
			diag_at(L, toml_value_start(v), 0,
				f->max == INT64_MAX
				    ? "%s%s must be at least %s"
				    : "%s%s must be between %s and %s",
				where, f->key, lo, hi);
			return;
		}
		memcpy((char *)base + f->offset, &ms, sizeof(ms));
		return;
	}
	case FK_ROLE: {
		enum fleet_role role;

		if (strcmp(s, "static") == 0)
			role = FLEET_ROLE_STATIC;
		else if (strcmp(s, "dynamic") == 0)
			role = FLEET_ROLE_DYNAMIC;
		else {
			diag_at(L, toml_value_start(v), 0,
				"%srole must be \"static\" or \"dynamic\", not "
				"\"%s\"",
				where, s);
			return;
		}
		memcpy((char *)base + f->offset, &role, sizeof(role));
		return;
	}
	case FK_TRANSPORT: {
		enum fleet_transport t;

		if (strcmp(s, "ssh") == 0)
			t = FLEET_TRANSPORT_SSH;
		else if (strcmp(s, "ssm") == 0)
			t = FLEET_TRANSPORT_SSM;
		else if (strcmp(s, "local") == 0)
			t = FLEET_TRANSPORT_LOCAL;
		else if (strcmp(s, "none") == 0)
			t = FLEET_TRANSPORT_NONE;
		else {
			diag_at(L, toml_value_start(v), 0,
				"%stransport must be \"ssh\", \"ssm\", "
				"\"local\" or \"none\", not \"%s\"",
				where, s);
			return;
		}
		memcpy((char *)base + f->offset, &t, sizeof(t));
		return;
	}
	case FK_NAME:
		if (!template_name_ok(s)) {
			diag_at(L, toml_value_start(v), 0,
				"%s%s \"%s\" may only use letters, digits, "
				"'.', '_' and '-'",
				where, f->key, s);
			return;
		}
		break;
	case FK_URL:
		if (!url_ok(s)) {
			diag_at(L, toml_value_start(v), 0,
				"%s%s must be an http:// or https:// URL, not "
				"\"%s\"",
				where, f->key, s);
			return;
		}
		break;
	case FK_STATE: {
		char b[64], pre[320];

		if (strcmp(s, "none") != 0 &&
		    s3name_url_parse(s, b, sizeof(b), pre, sizeof(pre), msg,
				     sizeof(msg)) < 0) {
			diag_at(L, toml_value_start(v), 0,
				"%sstate must be \"s3://BUCKET/PREFIX\" or "
				"\"none\", not \"%s\": %s",
				where, s, msg);
			return;
		}
		break;
	}
	case FK_PROFILE:
		if (!profile_ok(s)) {
			diag_at(L, toml_value_start(v), 0,
				"%s%s \"%s\" is not a profile name (letters, "
				"digits and ._-@+=,)",
				where, f->key, s);
			return;
		}
		break;
	case FK_ROLE_ARN:
		if (!role_arn_ok(s)) {
			diag_at(L, toml_value_start(v), 0,
				"%saws_role_arn must look like "
				"\"arn:aws:iam::123456789012:role/NAME\", "
				"not \"%s\"",
				where, s);
			return;
		}
		break;
	case FK_SSH:
		if (fleet_ssh_target_parse(s, NULL, NULL, NULL) < 0) {
			diag_at(L, toml_value_start(v), 0,
				"%sssh must look like \"user@host\", "
				"\"user@host:port\" or a host of the ssh "
				"config, not \"%s\"",
				where, s);
			return;
		}
		break;
	case FK_INSTANCE:
		if (!instance_ok(s)) {
			diag_at(L, toml_value_start(v), 0,
				"%sinstance_id must look like "
				"\"i-0123456789abcdef0\", not \"%s\"",
				where, s);
			return;
		}
		break;
	case FK_COMMAND: {
		size_t bad;

		if (template_check(s, &bad, msg, sizeof(msg)) < 0) {
			diag_at(L, toml_value_start(v), (int)bad + 1,
				"%s%s: %s", where, f->key, msg);
			return;
		}
		break;
	}
	default: break;
	}
	memcpy(&slot_str, (char *)base + f->offset, sizeof(slot_str));
	free(slot_str);
	slot_str = xstrdup(s);
	memcpy((char *)base + f->offset, &slot_str, sizeof(slot_str));
}

/*
 * Walk a table: every key must be in fields (or be one of the sub-table
 * names in subtables, which the caller reads). where prefixes messages.
 */
static void load_table(struct loader *L, const struct toml_value *t,
		       const struct field *fields, size_t nfields, void *base,
		       const char *where, const char *const *subtables)
{
	size_t k, j, n = toml_table_count(t);

	for (k = 0; k < n; k++) {
		const char *key = toml_table_key_at(t, k, NULL);
		const struct toml_value *v = toml_table_value_at(t, k);
		bool known = false;

		for (j = 0; j < nfields && !known; j++) {
			if (strcmp(fields[j].key, key) == 0) {
				load_field(L, &fields[j], base, v, where);
				known = true;
			}
		}
		for (j = 0; subtables != NULL && subtables[j] != NULL && !known;
		     j++)
			known = strcmp(subtables[j], key) == 0;
		if (!known)
			diag_at(L, toml_table_key_offset(t, k), 0,
				"%sunknown key '%s'", where, key);
	}
}

static const struct field command_fields[FLEET_CMD_COUNT] = {
#define FC(cmd)                                                                \
	{                                                                      \
		0, FK_COMMAND, sizeof(char *) * (cmd), 0, 0                    \
	}
    FC(FLEET_CMD_JOURNAL),       FC(FLEET_CMD_CONSOLE),
    FC(FLEET_CMD_RESTART),       FC(FLEET_CMD_STOP),
    FC(FLEET_CMD_START),         FC(FLEET_CMD_ENCLAVE_STATE),
    FC(FLEET_CMD_DEBUG_RESTART), FC(FLEET_CMD_PROTECTED_RESTART),
    FC(FLEET_CMD_JOURNAL_POLL),  FC(FLEET_CMD_DOCTOR),
#undef FC
};

static void load_commands(struct loader *L, const struct toml_value *t,
			  char **commands, const char *where)
{
	struct field fields[FLEET_CMD_COUNT];
	size_t k;

	for (k = 0; k < FLEET_CMD_COUNT; k++) {
		fields[k] = command_fields[k];
		fields[k].key = cmd_names[k];
	}
	load_table(L, t, fields, FLEET_CMD_COUNT, commands, where, NULL);
}

/* A sub-table that must be a table if present; NULL when absent or wrong. */
static const struct toml_value *sub_table(struct loader *L,
					  const struct toml_value *t,
					  const char *key, const char *what)
{
	const struct toml_value *v = toml_table_get(t, key);

	if (v != NULL && toml_value_type(v) != TOML_TABLE) {
		diag_at(L, toml_value_start(v), 0, "%s must be a table", what);
		return NULL;
	}
	return v;
}

static void load_node(struct loader *L, struct fleet *f,
		      const struct toml_value *t, struct fleet_node *node)
{
	static const char *const subs[] = {"commands", NULL};
	const struct toml_value *cmds, *v;
	char where[200];
	size_t k;

	node->index = -1;
	node->transport = (enum fleet_transport) - 1;
	node->line = toml_value_pos(L->doc, t).line;
	v = toml_table_get(t, "name");
	if (v != NULL && toml_value_type(v) == TOML_STRING)
		snprintf(where, sizeof(where),
			 "node \"%s\": ", toml_value_string(v, NULL));
	else
		snprintf(where, sizeof(where), "[[node]]: ");
	load_table(L, t, node_fields, NFIELDS(node_fields), node, where, subs);
	cmds = sub_table(L, t, "commands", "[node.commands]");
	if (cmds != NULL)
		load_commands(L, cmds, node->commands, where);
	for (k = 0; k < FLEET_CMD_COUNT; k++)
		if (node->commands[k] == NULL && f->commands[k] != NULL)
			node->commands[k] = xstrdup(f->commands[k]);
	if (node->name == NULL && toml_table_get(t, "name") == NULL)
		diag_at(L, toml_value_start(t), 0, "%smissing name", where);
	if (node->index < 0 && toml_table_get(t, "index") == NULL)
		diag_at(L, toml_value_start(t), 0, "%smissing index", where);
	if (node->ping_url == NULL && toml_table_get(t, "ping_url") == NULL)
		diag_at(L, toml_value_start(t), 0, "%smissing ping_url", where);
	if (node->transport == (enum fleet_transport) - 1) {
		if (toml_table_get(t, "transport") != NULL)
			node->transport = FLEET_TRANSPORT_NONE; /* bad value */
		else
			node->transport = node->ssh != NULL
					      ? FLEET_TRANSPORT_SSH
					      : FLEET_TRANSPORT_NONE;
	} else if (node->transport == FLEET_TRANSPORT_SSH &&
		   node->ssh == NULL && toml_table_get(t, "ssh") == NULL) {
		diag_at(L, toml_value_start(toml_table_get(t, "transport")), 0,
			"%stransport \"ssh\" needs ssh = \"user@host[:port]\"",
			where);
	} else if (node->transport == FLEET_TRANSPORT_SSM &&
		   node->instance_id == NULL &&
		   toml_table_get(t, "instance_id") == NULL) {
		diag_at(L, toml_value_start(toml_table_get(t, "transport")), 0,
			"%stransport \"ssm\" needs instance_id", where);
	}
	if (node->aws_external_id != NULL && node->aws_role_arn == NULL &&
	    toml_table_get(t, "aws_role_arn") == NULL)
		diag_at(L,
			toml_value_start(toml_table_get(t, "aws_external_id")),
			0, "%saws_external_id goes with aws_role_arn", where);
	if (node->aws_profile != NULL && node->aws_role_arn != NULL)
		diag_at(L, toml_value_start(toml_table_get(t, "aws_role_arn")),
			0,
			"%saws_profile or aws_role_arn, not both (a profile "
			"can assume a role itself: role_arn and "
			"source_profile)",
			where);
}

static void check_unique(struct loader *L, struct fleet *f,
			 const struct toml_value *nodes)
{
	size_t a, b;

	for (b = 0; b < f->nnodes; b++) {
		const struct toml_value *tb = toml_array_at(nodes, b);

		/* Only loaded fields are compared: both keys exist in tb. */
		for (a = 0; a < b; a++) {
			if (f->nodes[a].name != NULL && f->nodes[b].name &&
			    strcmp(f->nodes[a].name, f->nodes[b].name) == 0)
				diag_at(L,
					toml_value_start(
					    toml_table_get(tb, "name")),
					0,
					"duplicate node name \"%s\" (first at "
					"line %u)",
					f->nodes[b].name, f->nodes[a].line);
			if (f->nodes[a].index >= 0 &&
			    f->nodes[a].index == f->nodes[b].index)
				diag_at(L,
					toml_value_start(
					    toml_table_get(tb, "index")),
					0,
					"duplicate node index %lld (first at "
					"line %u)",
					(long long)f->nodes[b].index,
					f->nodes[a].line);
		}
	}
}

static void load_fleet(struct loader *L, struct fleet *f)
{
	static const char *const top_subs[] = {
	    "fleet", "health",    "alerts",  "node",  "commands", "ssh", "logs",
	    "nitro", "incidents", "metrics", "debug", "ers",      "ssm", NULL};
	const struct toml_value *root = toml_doc_root(L->doc), *t, *nodes;
	size_t k;

	load_table(L, root, NULL, 0, NULL, "", top_subs);
	t = sub_table(L, root, "fleet", "[fleet]");
	if (t != NULL)
		load_table(L, t, fleet_fields, NFIELDS(fleet_fields), f,
			   "[fleet] ", NULL);
	if (f->name == NULL && (t == NULL || !toml_table_get(t, "name")))
		diag_at(L, t != NULL ? toml_value_start(t) : 0, 0,
			"[fleet] name is required");
	t = sub_table(L, root, "health", "[health]");
	if (t != NULL)
		load_table(L, t, health_fields, NFIELDS(health_fields),
			   &f->health, "[health] ", NULL);
	if (f->health.timeout_ms > f->health.interval_ms)
		diag_at(L,
			toml_value_start(toml_table_get(t, "timeout")
					     ? toml_table_get(t, "timeout")
					     : t),
			0, "[health] timeout must not be longer than interval");
	t = sub_table(L, root, "alerts", "[alerts]");
	if (t != NULL)
		load_table(L, t, alert_fields, NFIELDS(alert_fields),
			   &f->alerts, "[alerts] ", NULL);
	t = sub_table(L, root, "incidents", "[incidents]");
	if (t != NULL)
		load_table(L, t, incident_fields, NFIELDS(incident_fields),
			   &f->incidents, "[incidents] ", NULL);
	t = sub_table(L, root, "metrics", "[metrics]");
	if (t != NULL) {
		f->metrics.enabled = true;
		load_table(L, t, metrics_fields, NFIELDS(metrics_fields),
			   &f->metrics, "[metrics] ", NULL);
	}
	t = sub_table(L, root, "debug", "[debug]");
	if (t != NULL)
		load_table(L, t, debug_fields, NFIELDS(debug_fields), &f->debug,
			   "[debug] ", NULL);
	t = sub_table(L, root, "ers", "[ers]");
	if (t != NULL)
		load_table(L, t, ers_fields, NFIELDS(ers_fields), &f->ers,
			   "[ers] ", NULL);
	if (f->debug.kms_logical_id == NULL)
		f->debug.kms_logical_id = xstrdup("ShardKMSKeyNitro");
	if (f->metrics.namespace_ == NULL)
		f->metrics.namespace_ = xstrdup("BVOps");
	if (f->metrics.metric == NULL)
		f->metrics.metric = xstrdup("NodeUp");
	t = sub_table(L, root, "ssh", "[ssh]");
	if (t != NULL)
		load_table(L, t, ssh_fields, NFIELDS(ssh_fields), &f->ssh,
			   "[ssh] ", NULL);
	t = sub_table(L, root, "logs", "[logs]");
	if (t != NULL)
		load_table(L, t, logs_fields, NFIELDS(logs_fields), &f->logs,
			   "[logs] ", NULL);
	t = sub_table(L, root, "ssm", "[ssm]");
	if (t != NULL)
		load_table(L, t, ssm_fields, NFIELDS(ssm_fields), &f->ssm,
			   "[ssm] ", NULL);
	t = sub_table(L, root, "nitro", "[nitro]");
	if (t != NULL) {
		static const char *const stats[] = {"Minimum",     "Maximum",
						    "Average",     "Sum",
						    "SampleCount", NULL};
		const struct toml_value *st = toml_table_get(t, "stat");
		size_t s;

		f->nitro.enabled = true;
		load_table(L, t, nitro_fields, NFIELDS(nitro_fields), &f->nitro,
			   "[nitro] ", NULL);
		for (s = 0; f->nitro.stat != NULL && stats[s] != NULL; s++)
			if (strcmp(f->nitro.stat, stats[s]) == 0)
				break;
		if (f->nitro.stat != NULL && stats[s] == NULL)
			diag_at(L, toml_value_start(st), 0,
				"[nitro] stat must be Minimum, Maximum, "
				"Average, Sum or SampleCount");
		if (f->nitro.window_ms < f->nitro.period_ms)
			diag_at(L, toml_value_start(t), 0,
				"[nitro] window must be at least one period");
	}
	if (f->nitro.namespace_ == NULL)
		f->nitro.namespace_ = xstrdup("BuilderVault");
	if (f->nitro.metric == NULL)
		f->nitro.metric = xstrdup("NitroStatus");
	if (f->nitro.dimension == NULL)
		f->nitro.dimension = xstrdup("EnclaveName");
	if (f->nitro.stat == NULL)
		f->nitro.stat = xstrdup("Minimum");
	t = sub_table(L, root, "commands", "[commands]");
	if (t != NULL)
		load_commands(L, t, f->commands, "[commands] ");
	for (k = 0; k < FLEET_CMD_COUNT; k++)
		if (f->commands[k] == NULL)
			f->commands[k] = xstrdup(cmd_defaults[k]);
	nodes = toml_table_get(root, "node");
	if (nodes == NULL) {
		diag_at(L, 0, 0, "no [[node]] in the fleet");
		return;
	}
	if (toml_value_type(nodes) != TOML_ARRAY) {
		diag_at(L, toml_value_start(nodes), 0,
			"node must be an array of tables ([[node]])");
		return;
	}
	f->nnodes = toml_array_count(nodes);
	if (f->nnodes == 0)
		diag_at(L, toml_value_start(nodes), 0,
			"no [[node]] in the fleet");
	f->nodes = xcalloc(f->nnodes, sizeof(*f->nodes));
	for (k = 0; k < f->nnodes; k++)
		f->nodes[k].index = -1; /* unset, also for non-table nodes */
	for (k = 0; k < f->nnodes; k++) {
		const struct toml_value *n = toml_array_at(nodes, k);

		if (toml_value_type(n) != TOML_TABLE) {
			diag_at(L, toml_value_start(n), 0,
				"each node must be a table");
			continue;
		}
		load_node(L, f, n, &f->nodes[k]);
	}
	check_unique(L, f, nodes);
	t = toml_table_get(root, "fleet");
	if (f->quorum == 0)
		f->quorum = (int64_t)f->nnodes;
	else if (f->quorum > (int64_t)f->nnodes && t != NULL)
		diag_at(L, toml_value_start(toml_table_get(t, "quorum")), 0,
			"[fleet] quorum %lld is more than the %zu nodes",
			(long long)f->quorum, f->nnodes);
}

struct fleet *fleet_parse(const char *path, const char *text, size_t len,
			  struct fleet_diags *diags)
{
	struct toml_error err;
	struct toml_doc *doc;
	struct loader L;
	struct fleet *f;

	diags->lines = NULL;
	diags->n = 0;
	doc = toml_doc_parse(text, len, &err);
	if (doc == NULL) {
		diags_add(diags, err.line > 0
				     ? xasprintf("%s:%u:%u: %s", path, err.line,
						 err.col, err.msg)
				     : xasprintf("%s: %s", path, err.msg));
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->health.interval_ms = 5000;
	f->health.timeout_ms = 2000;
	f->health.failure_threshold = 3;
	f->health.success_threshold = 2;
	f->health.restart_after = 0;
	f->health.max_restarts = 3;
	f->health.restart_window_ms = (uint64_t)30 * 60 * 1000;
	f->health.restart_grace_ms = 120000;
	f->health.restart_timeout_ms = 120000;
	f->health.restart_backoff_ms = 30000;
	f->health.restart_backoff_max_ms = 600000;
	f->alerts.command_timeout_ms = 10000;
	f->alerts.remind_every_ms = (uint64_t)30 * 60 * 1000;
	f->alerts.flap_changes = 4;
	f->alerts.flap_window_ms = (uint64_t)10 * 60 * 1000;
	f->alerts.bell = true;
	f->alerts.group_window_ms = 10000;
	f->incidents.before_ms = 120000;
	f->incidents.after_ms = 60000;
	f->incidents.max_lines = 2000;
	f->metrics.interval_ms = 60000;
	f->debug.alert_after_ms = 3600000;
	f->ers.remind_after_ms = 8 * 3600000ULL;
	f->ssh.agent = true;
	f->ssh.connect_timeout_ms = 10000;
	f->ssh.auth_timeout_ms = 10000;
	f->ssh.keepalive_ms = 2000;
	f->logs.scrollback = 10000;
	f->logs.quiet_after_ms = 60000;
	f->ssm.poll_interval_ms = 2000;
	f->ssm.max_in_flight = 8;
	f->nitro.period_ms = 60000;
	f->nitro.interval_ms = 60000;
	f->nitro.window_ms = (uint64_t)15 * 60 * 1000;
	L.path = path;
	L.doc = doc;
	L.diags = diags;
	load_fleet(&L, f);
	toml_doc_free(doc);
	/* load_fleet added to diags through L. */
	// cppcheck-suppress knownConditionTrueFalse
	if (diags->n > 0) {
		fleet_free(f);
		return NULL;
	}
	return f;
}

struct fleet *fleet_load(const char *path, struct fleet_diags *diags)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;
	struct fleet *f;

	diags->lines = NULL;
	diags->n = 0;
	if (fp == NULL) {
		diags_add(diags, xasprintf("%s: cannot open the fleet file: %s",
					   path, strerror(errno)));
		return NULL;
	}
	buf_init(&b, FLEET_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			fclose(fp);
			buf_free(&b);
			diags_add(diags,
				  xasprintf("%s: the fleet file is larger "
					    "than %zu bytes",
					    path, FLEET_FILE_MAX));
			return NULL;
		}
	}
	if (ferror(fp)) {
		diags_add(diags, xasprintf("%s: cannot read the fleet file: %s",
					   path, strerror(errno)));
		fclose(fp);
		buf_free(&b);
		return NULL;
	}
	fclose(fp);
	f = fleet_parse(path, b.data ? b.data : "", b.len, diags);
	buf_free(&b);
	return f;
}

void fleet_free(struct fleet *f)
{
	size_t k, c;

	if (f == NULL)
		return;
	for (k = 0; k < f->nnodes; k++) {
		struct fleet_node *n = &f->nodes[k];

		free(n->name);
		free(n->ping_url);
		free(n->ssh);
		free(n->ssh_proxy_command);
		free(n->instance_id);
		free(n->enclave_name);
		free(n->config_ssm_param);
		free(n->kms_stack);
		free(n->aws_profile);
		free(n->aws_role_arn);
		free(n->aws_external_id);
		for (c = 0; c < FLEET_CMD_COUNT; c++)
			free(n->commands[c]);
	}
	for (c = 0; c < FLEET_CMD_COUNT; c++)
		free(f->commands[c]);
	free(f->nodes);
	free(f->path);
	free(f->name);
	free(f->region);
	free(f->state);
	free(f->aws_profile);
	free(f->alerts.command);
	free(f->alerts.webhook);
	free(f->nitro.namespace_);
	free(f->nitro.metric);
	free(f->nitro.dimension);
	free(f->nitro.stat);
	free(f->debug.kms_logical_id);
	free(f->metrics.namespace_);
	free(f->metrics.metric);
	free(f->ssh.config);
	free(f->ssh.known_hosts);
	free(f->ssh.identity);
	free(f);
}

const char *fleet_node_nitro_dimension(const struct fleet *f,
				       const struct fleet_node *n)
{
	if (strcmp(f->nitro.dimension, "InstanceId") == 0)
		return n->instance_id;
	return n->enclave_name;
}

const struct fleet_node *fleet_node_find(const struct fleet *f,
					 const char *name)
{
	size_t k;

	for (k = 0; k < f->nnodes; k++)
		if (strcmp(f->nodes[k].name, name) == 0)
			return &f->nodes[k];
	return NULL;
}

char *fleet_path_resolve(const char *explicit_path)
{
	const char *env = getenv("BVOPS_FLEET"), *home;

	if (explicit_path != NULL && *explicit_path != '\0')
		return xstrdup(explicit_path);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	env = getenv("XDG_CONFIG_HOME");
	if (env != NULL && *env == '/')
		return xasprintf("%s/bvops/fleet.toml", env);
	home = getenv("HOME");
	return xasprintf("%s/.config/bvops/fleet.toml",
			 home != NULL && *home != '\0' ? home : ".");
}
