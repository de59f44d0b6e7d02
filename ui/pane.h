/*
 * pane: one log pane of the console: a node's journal or console, or the
 * journals of every node merged by time.
 *
 * Owns its view state (position, follow, search, filter, wrap, stamps);
 * reads the rings of the logstreams it is given (borrowed, locked while
 * it reads) and draws into a rectangle of stdscr. A pane never moves
 * while its operator reads: when paused it counts the new lines instead.
 */
#ifndef BVOPS_UI_PANE_H
#define BVOPS_UI_PANE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/logstream.h"
#include "state/fleet.h"
#include "state/theme.h"

/* What a pane needs from the console (all borrowed). */
struct pane_env {
	const struct fleet *fleet;
	struct logstreams *ls;
	const attr_t *style; /* THEME_ROLE_COUNT curses attributes */
	bool utf8;
	int64_t quiet_after_ms;
};

struct pane;

/* A pane on node's src, or (merged) on every node's journal; it starts
 * following and watching its streams. */
struct pane *pane_new(const struct pane_env *env, size_t node,
		      enum logstream_source src, bool merged);
/* Stop watching and free. */
void pane_free(struct pane *p, const struct pane_env *env);

/* Draw at (y, x), h rows by w columns (the first row is its title).
 * Returns how many lines arrived since it was last drawn. */
uint64_t pane_draw(struct pane *p, const struct pane_env *env, int y, int x,
		   int h, int w, bool focused);

/*
 * Apply a key; h is the pane's text height (for paging). Returns true if
 * the pane used it. *msg may be set to a line for the footer.
 */
bool pane_key(struct pane *p, const struct pane_env *env, int ch, int h,
	      char *msg, size_t msgsize);

/* Search (highlight and n/N) and filter (hide what does not match); ""
 * clears. */
void pane_set_search(struct pane *p, const struct pane_env *env,
		     const char *text, int h, char *msg, size_t msgsize);
/* The filter: text to keep, "!text" to hide, "/regex/" (extended, any
 * case), "!/regex/"; 0, or -1 with why (a bad regex: the old filter
 * stays). */
int pane_set_filter(struct pane *p, const char *text, char *msg,
		    size_t msgsize);

/*
 * Write every line the pane holds (its filter applied), oldest first, to
 * a new file under dir (created 0700; the file 0600). Returns 0 with the
 * file's path in msg, or -1 with why.
 */
int pane_save(struct pane *p, const struct pane_env *env, const char *dir,
	      char *msg, size_t msgsize);

/* The node the pane shows into *node; false for the merged pane. */
bool pane_node(const struct pane *p, size_t *node);
/* "node-1 journal", "all journals". */
void pane_title(const struct pane *p, const struct pane_env *env, char *out,
		size_t size);
/* The key file one of its streams stopped for (it needs a passphrase),
 * copied into out; false when none. */
bool pane_passphrase_key(const struct pane *p, const struct pane_env *env,
			 char *out, size_t size);
/* True when the pane has more to show than last drawn (new lines). */
bool pane_changed(struct pane *p, const struct pane_env *env);

#endif
