/*
 * theme: the console's colours, read at run time from a theme file.
 *
 * Owns a struct theme (plain data, no curses). A theme file is TOML with one
 * [style] table mapping roles to "FG [on BG] [bold|dim|reverse|underline]",
 * e.g. header = "black on cyan bold". Roles a file leaves out keep the
 * built-in monochrome style, so a theme can never make text invisible by
 * omission. ui/ turns styles into curses attributes.
 */
#ifndef BVOPS_THEME_H
#define BVOPS_THEME_H

#include <stddef.h>

enum theme_role {
	THEME_HEADER,
	THEME_FOOTER,
	THEME_TITLE,    /* column titles */
	THEME_SELECTED, /* the selected row */
	THEME_UP,
	THEME_DOWN,
	THEME_UNKNOWN,
	THEME_STALE,
	THEME_WINDOW, /* overlays: help, details */
	THEME_ALERT,
	THEME_ROLE_COUNT
};

#define THEME_COLOR_DEFAULT (-1) /* the terminal's own */

enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_REVERSE = 1 << 2,
	THEME_UNDERLINE = 1 << 3,
};

struct theme_style {
	int fg, bg; /* 0-7 normal, 8-15 bright, or THEME_COLOR_DEFAULT */
	unsigned attrs;
};

#define THEME_NAME_MAX 64

struct theme {
	char name[THEME_NAME_MAX];
	struct theme_style styles[THEME_ROLE_COUNT];
};

/* The key of a role in [style] ("header", "up", ...). */
const char *theme_role_name(enum theme_role role);

/* The built-in monochrome theme: attributes only, readable everywhere. */
void theme_mono(struct theme *t);

/*
 * Parse a theme file held in memory. Returns 0, or -1 with
 * "PATH:LINE:COL: message" in msg.
 */
int theme_parse(const char *path, const char *text, size_t len, struct theme *t,
		char *msg, size_t msgsize);

/*
 * Find and load theme NAME: a path if it contains '/', else NAME.theme in
 * $XDG_CONFIG_HOME/bvops/themes (or ~/.config/bvops/themes), then in each
 * directory of dirs (NULL-terminated). Returns 0, or -1 with a message.
 */
int theme_load(const char *name, const char *const *dirs, struct theme *t,
	       char *msg, size_t msgsize);

#endif
