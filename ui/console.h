/*
 * console: the interactive full-screen view of a fleet.
 *
 * Reads the fleet and the monitor it is given (borrowed, not freed) and
 * draws them; owns the terminal between its start and its return, and
 * gives it back on every path (see term.h).
 */
#ifndef BVOPS_UI_CONSOLE_H
#define BVOPS_UI_CONSOLE_H

#include "engine/alertbox.h"
#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "proc/awswork.h"
#include "state/fleet.h"
#include "state/theme.h"
#include "ui/wizard.h"

struct console_options {
	const struct theme *theme; /* borrowed; colours used if the terminal
				      has them and termcolour allows them */
	bool read_only;            /* an observer: no action changes anything */
	struct logstreams *ls;     /* the log panes' streams (borrowed) */
	struct nodeacts *acts;     /* restart/stop/start (borrowed) */
	const char *save_dir;      /* where a pane is saved */
	const char *holds_dir;     /* where holds.json is (maintenance), or
				      NULL */
	struct awswork *aws;       /* nitro status and configs (borrowed),
				      or NULL: no AWS in this console */
	struct alertbox *alerts;   /* the alerts to show (borrowed), or NULL */
	const char *state_dir;     /* the fleet's state folder: incidents,
				      events.log, audit.log; or NULL */
	/* Run the guided config edit of node in the wizard w (wizard.h:
	 * the screen is the wizard's until it returns); NULL: not offered. */
	void (*edit_config)(void *ctx, size_t node, struct wizard *w);
	/* Resume ('r'), roll back ('b') or abandon ('a') procedure id in
	 * the wizard, as the commands would; NULL: not offered. */
	void (*run_procedure)(void *ctx, const char *id, int action,
			      struct wizard *w);
	/* Put node in Nitro debug mode (enter) or take it out, in the
	 * wizard; NULL: not offered. Returns true when it is in debug mode
	 * at the end of an enter (the console then opens its console). */
	bool (*debug_mode)(void *ctx, size_t node, bool enter,
			   struct wizard *w);
	/* The ERS rollout (apply or revert) in the wizard; NULL: not
	 * offered. */
	void (*ers)(void *ctx, struct wizard *w);
	/* bvops doctor on node, its report in the wizard; NULL: not
	 * offered. */
	void (*doctor)(void *ctx, size_t node, struct wizard *w);
	void *edit_ctx;
};

/*
 * Run until the operator quits; returns 0, or -1 when the terminal
 * could not be set up (said on stderr: curses never owned it).
 * The monitor (borrowed) must be running: the console only reads its
 * snapshots, so the screen never waits on the network.
 */
int console_run(const struct fleet *fleet, struct monitor *monitor,
		const struct console_options *o);

#endif
