/*
 * fleet: the fleet file (SPEC "The fleet file"), loaded and checked.
 *
 * Owns a struct fleet and every string in it; fleet_free() releases all.
 * Loading reports every mistake it finds, each as FILE:LINE:COL: message,
 * and returns no fleet at all when there is one: bvops never runs on a
 * half-understood fleet.
 */
#ifndef BVOPS_FLEET_H
#define BVOPS_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fleet_role { FLEET_ROLE_STATIC, FLEET_ROLE_DYNAMIC };

enum fleet_transport {
	FLEET_TRANSPORT_NONE,
	FLEET_TRANSPORT_SSH,
	FLEET_TRANSPORT_SSM,
	FLEET_TRANSPORT_LOCAL,
};

/* One command template per node action; see [commands]. */
enum fleet_cmd {
	FLEET_CMD_JOURNAL,
	FLEET_CMD_CONSOLE,
	FLEET_CMD_RESTART,
	FLEET_CMD_STOP,
	FLEET_CMD_START,
	FLEET_CMD_ENCLAVE_STATE,
	FLEET_CMD_DEBUG_RESTART,
	FLEET_CMD_PROTECTED_RESTART,
	/* The journal where it cannot be followed (transport "ssm"): one
	 * poll; bvops adds the cursor and a count (docs/ssm.md). */
	FLEET_CMD_JOURNAL_POLL,
	/* bvops doctor: one run that prints the node's facts in "== name =="
	 * sections (docs/doctor.md). */
	FLEET_CMD_DOCTOR,
	FLEET_CMD_COUNT
};

struct fleet_node {
	char *name;
	int64_t index;
	enum fleet_role role;
	char *ping_url;
	enum fleet_transport transport;
	char *ssh; /* user@host[:port], for transport ssh */
	char *ssh_proxy_command;
	char *instance_id;
	char *enclave_name;
	char *config_ssm_param;
	char *kms_stack;
	/* Who its AWS calls are made as (docs/aws.md): a named profile, or
	 * a role assumed (with its external id) from the fleet's identity;
	 * NULL both: the fleet's. */
	char *aws_profile;
	char *aws_role_arn;
	char *aws_external_id;
	/* Effective templates: the node's own, else the fleet's. */
	char *commands[FLEET_CMD_COUNT];
	unsigned line; /* where its [[node]] stands, for messages */
};

struct fleet_health {
	uint64_t interval_ms;
	uint64_t timeout_ms;
	int64_t failure_threshold;
	int64_t success_threshold;
	int64_t restart_after; /* 0: auto-restart off */
	int64_t max_restarts;
	uint64_t restart_window_ms;
	uint64_t restart_grace_ms;   /* after a restart: no failure counted */
	uint64_t restart_timeout_ms; /* the restart command's own limit */
	uint64_t restart_backoff_ms; /* after a failed attempt; doubles ... */
	uint64_t restart_backoff_max_ms; /* ... up to this */
};

/* [alerts]: where alerts go and how often. */
struct fleet_alerts {
	char *command;               /* event JSON on stdin, or NULL */
	char *webhook;               /* POSTed JSON, or NULL */
	uint64_t command_timeout_ms; /* the command is killed after it */
	uint64_t remind_every_ms;    /* a node still down is reminded; 0 off */
	int64_t flap_changes;        /* more changes than this in ... */
	uint64_t flap_window_ms;     /* ... this window: flapping */
	bool bell;                   /* the console rings on a new alert */
	uint64_t group_window_ms;    /* downs this close page as one; 0 off */
};

/* [incidents]: what an incident record keeps (docs/incidents.md). */
struct fleet_incidents {
	uint64_t before_ms; /* journal lines before the first failed check */
	uint64_t after_ms;  /* ... and after recovery */
	int64_t max_lines;  /* journal lines kept per incident */
};

/*
 * [metrics]: bvops watch publishes each node's health to CloudWatch
 * (PutMetricData; 1 up, 0 down) so dashboards and alarms see it. Off
 * unless the table is there.
 */
struct fleet_metrics {
	bool enabled;
	char *namespace_;     /* "BVOps" */
	char *metric;         /* "NodeUp"; dimensions Fleet and Node */
	uint64_t interval_ms; /* 60s */
};

/* [debug]: Nitro debug mode (docs/debug.md). */
/* [ers]: the ERS rollout (docs/ers.md). */
struct fleet_ers {
	/* bvops watch reminds when the ERS configuration stays on this
	 * long, and again each time as long again passes. 8h. */
	uint64_t remind_after_ms;
};

struct fleet_debug {
	/* bvops watch alerts when a node stays in debug mode this long, and
	 * again each time as long again passes. 1h. */
	uint64_t alert_after_ms;
	/* The key's logical id in each node's kms_stack. */
	char *kms_logical_id; /* "ShardKMSKeyNitro" */
};

/* [ssh]: how the ssh transport connects (SPEC is silent; docs/fleet.md). */
struct fleet_ssh {
	char *config;      /* ssh -F FILE; NULL: ssh's own; "none": not read */
	char *known_hosts; /* NULL: ~/.ssh/known_hosts */
	char *identity;    /* NULL: ~/.ssh/id_ed25519, id_ecdsa, id_rsa */
	bool agent;        /* try ssh-agent first (default true) */
	uint64_t connect_timeout_ms; /* TCP and the SSH handshake */
	uint64_t auth_timeout_ms;    /* signing in, after the handshake */
	uint64_t keepalive_ms;       /* a link silent 3 times this is dead */
};

/* [logs]: the log panes' streams. */
struct fleet_logs {
	int64_t scrollback;      /* lines kept per stream */
	uint64_t quiet_after_ms; /* a pane says when its source went quiet */
};

/* [ssm]: the ssm transport (docs/ssm.md). */
struct fleet_ssm {
	uint64_t poll_interval_ms; /* journal polls: 2s */
	int64_t max_in_flight;     /* SSM commands at once, process-wide: 8 */
};

/*
 * [nitro]: the CloudWatch metric that says whether each node's enclave is
 * up ("nitro status": 1 online and passing, 0 or lower not healthy).
 * Off unless the table is there; defaults in docs/fleet.md.
 */
struct fleet_nitro {
	bool enabled;
	char *namespace_;     /* "BuilderVault" */
	char *metric;         /* "NitroStatus" */
	char *dimension;      /* "EnclaveName": its value is the node's
				 enclave_name; "InstanceId": its instance_id */
	char *stat;           /* "Minimum" */
	uint64_t period_ms;   /* 60s */
	uint64_t interval_ms; /* how often to ask: 60s */
	uint64_t window_ms;   /* how far back a value counts: 15m */
};

struct fleet {
	char *path; /* the file it came from */
	char *name;
	char *region; /* NULL: from the AWS environment */
	int64_t quorum;
	bool read_only; /* [fleet] read_only: observers' fleet file */
	/* [fleet] state: "s3://BUCKET/PREFIX" where the fleet's shared state
	 * lives, "none" for none; NULL: the default (docs/shared-state.md) */
	char *state;
	/* [fleet] aws_profile: who calls not tied to a node (the shared
	 * state, discovery) are made as, and nodes without their own; NULL:
	 * the default chain */
	char *aws_profile;
	struct fleet_health health;
	struct fleet_ssh ssh;
	struct fleet_logs logs;
	struct fleet_ssm ssm;
	struct fleet_nitro nitro;
	struct fleet_alerts alerts;
	struct fleet_incidents incidents;
	struct fleet_metrics metrics;
	struct fleet_debug debug;
	struct fleet_ers ers;
	char *commands[FLEET_CMD_COUNT];
	struct fleet_node *nodes;
	size_t nnodes;
};

/* Diagnostics: "FILE:LINE:COL: message" lines, owned by the list. */
struct fleet_diags {
	char **lines;
	size_t n;
};

void fleet_diags_free(struct fleet_diags *d);

/* The key name of a command ("journal", ...). */
const char *fleet_cmd_name(enum fleet_cmd cmd);
const char *fleet_role_name(enum fleet_role role);
const char *fleet_transport_name(enum fleet_transport t);

/*
 * Which fleet file to use: explicit (from -f) if given, else $BVOPS_FLEET,
 * else $XDG_CONFIG_HOME/bvops/fleet.toml, else ~/.config/bvops/fleet.toml.
 * Returns a new string the caller frees.
 */
char *fleet_path_resolve(const char *explicit_path);

/*
 * Parse and check a fleet file held in memory (path is used in messages).
 * Returns a new fleet the caller frees with fleet_free(), or NULL with every
 * problem in *diags (which the caller frees).
 */
struct fleet *fleet_parse(const char *path, const char *text, size_t len,
			  struct fleet_diags *diags);
/* Read path, then fleet_parse(); an unreadable file is one diagnostic. */
struct fleet *fleet_load(const char *path, struct fleet_diags *diags);
void fleet_free(struct fleet *f);

/*
 * Split "[user@]host[:port]" (host may be "[v6addr]", or a Host of the
 * ssh config). Returns 0 and new strings in *user (NULL when not given)
 * and *host (either pointer may be NULL to skip it) and *port (0 when not
 * given), or -1 when malformed.
 */
int fleet_ssh_target_parse(const char *s, char **user, char **host, int *port);

/* The value of the nitro metric's dimension for n, or NULL if it has
 * none. */
const char *fleet_node_nitro_dimension(const struct fleet *f,
				       const struct fleet_node *n);

const struct fleet_node *fleet_node_find(const struct fleet *f,
					 const char *name);

#endif
