/*
 * term: owning the terminal safely.
 *
 * Starts curses and guarantees the terminal is given back: on a normal
 * exit, on SIGTERM/SIGHUP (turned into a quit request the event loop
 * sees), on SIGINT (Ctrl-C: an interrupt the loop takes, and answers as
 * the q key: with a question when leaving would leave danger behind),
 * and on a crash signal (the saved tty modes and the terminal's own
 * reset strings are written with async-signal-safe calls, then the signal
 * is raised again so the crash is still reported).
 */
#ifndef BVOPS_UI_TERM_H
#define BVOPS_UI_TERM_H

#include <stdbool.h>

/* Start curses; -1 with a message in msg when there is no usable tty. */
int term_start(char *msg, unsigned long msgsize);
/* End curses and remove the signal handlers; safe to call twice. */
void term_stop(void);
/* True once SIGTERM or SIGHUP arrived. */
bool term_quit_requested(void);
/* True once per SIGINT (Ctrl-C) since the last call. */
bool term_interrupt_take(void);
/* True when the locale's character set is UTF-8 (else draw ASCII). */
bool term_utf8(void);

#endif
