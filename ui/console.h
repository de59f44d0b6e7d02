/*
 * console: the interactive full-screen view of a fleet.
 *
 * Reads the fleet it is given (borrowed, not freed) and draws it; owns the
 * terminal between its start and its return, and gives it back on every
 * path (see term.h).
 */
#ifndef BVOPS_UI_CONSOLE_H
#define BVOPS_UI_CONSOLE_H

#include "../src/fleet.h"
#include "../src/theme.h"

struct console_options {
	const struct theme *theme; /* borrowed; colours used if the terminal
				      has them and NO_COLOR is not set */
};

/* Run until the operator quits; returns an exit code (enum cli_exit). */
int console_run(const struct fleet *fleet, const struct console_options *o);

#endif
