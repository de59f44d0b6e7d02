/*
 * wizard: the console's full screen for a procedure under way (a config
 * edit, its resume or rollback): the plan as a table of steps by nodes
 * with each one's progress and outcome (read from the procedure's
 * journal, procjournal.h, so it is the truth on disk), the lock, where
 * the procedure stands, the log of what it said, and the question it
 * asks, answered by keyboard. It survives a resize at any time.
 *
 * The procedure runs on the console's thread and calls the wizard as it
 * goes (say, ask); the wizard draws into stdscr and gives the terminal
 * to the operator's editor when asked (wizard_suspend). Type-ahead is
 * thrown away before every question, so a key pressed while a step ran
 * never answers a question it was not meant for.
 *
 * Owns its log (bounded); everything shown is sanitized. Its calls may
 * come from the procedure's threads: one mutex keeps the drawing whole.
 */
#ifndef BVOPS_UI_WIZARD_H
#define BVOPS_UI_WIZARD_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/theme.h"

struct wizard_env {
	const attr_t *style; /* THEME_ROLE_COUNT curses attributes */
	bool utf8;
	const char *state_dir; /* where the journals are */
};

struct wizard;

/* title: "config edit node-1"; env is borrowed and must outlive it. */
struct wizard *wizard_new(const struct wizard_env *env, const char *title);
void wizard_free(struct wizard *w);

/* The journal to show (NULL: none yet), the lock's description. */
void wizard_set_journal(struct wizard *w, const char *id);
void wizard_set_lock(struct wizard *w, const char *text);

/*
 * Whether this process is running the journal's procedure now (its open
 * journal is then "running", not "interrupted"), and the time limit of a
 * step by name ("wait": how long /ping is waited for), so that a step
 * under way shows what is left of it. At most 8 limits.
 */
void wizard_set_running(struct wizard *w, bool running);
void wizard_set_limit(struct wizard *w, const char *step, uint64_t ms);

/* The clock: redraw when a second has passed (a countdown), unless a
 * question is open. Safe from any thread. */
void wizard_tick(struct wizard *w);

/* Append text (any number of lines) to the log and redraw. */
void wizard_say(struct wizard *w, const char *text);

/*
 * Ask: question on the footer; wait for a key (PgUp/PgDn/arrows scroll
 * the log meanwhile). Returns the key as typed ('y', 'n', ...), '\n' for
 * Enter, 0 when the console is told to quit (a signal) or on Esc.
 */
int wizard_ask(struct wizard *w, const char *question);

/* Ask for a line (typed on the footer, Backspace edits): 0 with it in
 * out, -1 on Esc or when the console is told to quit. */
int wizard_ask_line(struct wizard *w, const char *question, char *out,
		    size_t size);

/* Give the terminal to a program (the editor), and take it back. */
void wizard_suspend(struct wizard *w);
void wizard_resume(struct wizard *w);

/* Redraw now (after a resize, or after a program had the screen). */
void wizard_draw(struct wizard *w);

#endif
