#include "ui/term.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t term_quit, term_interrupted;
static bool term_active;
static SCREEN *term_screen;
static bool term_is_utf8;
static struct termios term_saved;
static bool term_have_saved;
/* What the crash handler writes: leave alternate screen, show cursor,
 * plain attributes. Captured while it is still safe to ask terminfo. */
static char term_reset[256];
static size_t term_reset_len;

static const int term_crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,
					 SIGABRT};
static const int term_quit_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void term_on_quit(int sig)
{
	/* Ctrl-C is the operator's, and may be answered with a question;
	 * TERM and HUP (a session closed, a service stopped) are final. */
	if (sig == SIGINT)
		term_interrupted = 1;
	else
		term_quit = 1;
}

static void term_on_crash(int sig)
{
	if (term_reset_len > 0)
		(void)!write(STDOUT_FILENO, term_reset, term_reset_len);
	if (term_have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void term_add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (term_reset_len + n < sizeof(term_reset)) {
		memcpy(term_reset + term_reset_len, s, n);
		term_reset_len += n;
	}
}

static void term_handlers(bool install)
{
	struct sigaction sa;
	size_t k;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = install ? term_on_quit : SIG_DFL;
	/* No SA_RESTART: a signal must wake the loop's getch. */
	for (k = 0; k < sizeof(term_quit_signals) / sizeof(int); k++)
		sigaction(term_quit_signals[k], &sa, NULL);
	sa.sa_handler = install ? term_on_crash : SIG_DFL;
	sa.sa_flags = install ? SA_RESETHAND : 0;
	for (k = 0; k < sizeof(term_crash_signals) / sizeof(int); k++)
		sigaction(term_crash_signals[k], &sa, NULL);
}

int term_start(char *msg, unsigned long msgsize)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(msg, msgsize, "the console needs a terminal");
		return -1;
	}
	setlocale(LC_CTYPE, "");
	term_is_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	term_have_saved = tcgetattr(STDIN_FILENO, &term_saved) == 0;
	term_screen = newterm(NULL, stdout, stdin);
	if (term_screen == NULL) {
		snprintf(msg, msgsize, "cannot start the terminal (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	term_reset_len = 0;
	term_add_cap("rmcup");
	term_add_cap("cnorm");
	term_add_cap("sgr0");
	term_quit = 0;
	term_interrupted = 0;
	term_active = true;
	term_handlers(true);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	return 0;
}

void term_stop(void)
{
	if (!term_active)
		return;
	term_active = false;
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
	term_handlers(false);
}

bool term_quit_requested(void)
{
	return term_quit != 0;
}

bool term_interrupt_take(void)
{
	bool was = term_interrupted != 0;

	term_interrupted = 0;
	return was;
}

bool term_utf8(void)
{
	return term_is_utf8;
}
