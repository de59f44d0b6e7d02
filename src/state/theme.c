#include "state/theme.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

#define THEME_FILE_MAX 65536

static const char *const theme_roles[THEME_ROLE_COUNT] = {
    [THEME_HEADER] = "header",   [THEME_FOOTER] = "footer",
    [THEME_TITLE] = "title",     [THEME_SELECTED] = "selected",
    [THEME_UP] = "up",           [THEME_DOWN] = "down",
    [THEME_UNKNOWN] = "unknown", [THEME_STALE] = "stale",
    [THEME_WINDOW] = "window",   [THEME_ALERT] = "alert",
};

static const char *const theme_colors[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} theme_attrs[] = {
    {"bold", THEME_BOLD},
    {"dim", THEME_DIM},
    {"reverse", THEME_REVERSE},
    {"underline", THEME_UNDERLINE},
};

const char *theme_role_name(enum theme_role role)
{
	return role < THEME_ROLE_COUNT ? theme_roles[role] : "?";
}

void theme_mono(struct theme *t)
{
	static const unsigned attrs[THEME_ROLE_COUNT] = {
	    [THEME_HEADER] = THEME_REVERSE,
	    [THEME_FOOTER] = THEME_REVERSE,
	    [THEME_TITLE] = THEME_BOLD,
	    [THEME_SELECTED] = THEME_REVERSE,
	    [THEME_DOWN] = THEME_BOLD,
	    [THEME_STALE] = THEME_DIM,
	    [THEME_ALERT] = THEME_BOLD | THEME_REVERSE,
	};
	size_t k;

	snprintf(t->name, sizeof(t->name), "mono");
	for (k = 0; k < THEME_ROLE_COUNT; k++) {
		t->styles[k].fg = THEME_COLOR_DEFAULT;
		t->styles[k].bg = THEME_COLOR_DEFAULT;
		t->styles[k].attrs = attrs[k];
	}
}

/* A colour word: "red", "bright-red", "default"; -2 when it is none. */
static int theme_color(const char *w, size_t len)
{
	size_t k, off = 0;

	if (len == 7 && strncmp(w, "default", 7) == 0)
		return THEME_COLOR_DEFAULT;
	if (len > 7 && strncmp(w, "bright-", 7) == 0)
		off = 7;
	for (k = 0; k < 8; k++)
		if (strlen(theme_colors[k]) == len - off &&
		    strncmp(w + off, theme_colors[k], len - off) == 0)
			return (int)k + (off ? 8 : 0);
	return -2;
}

/* "FG [on BG] [ATTR...]"; returns 0 or -1 with a message. */
static int theme_style_parse(const char *s, struct theme_style *st, char *msg,
			     size_t msgsize)
{
	bool want_bg = false, have_fg = false;

	st->fg = THEME_COLOR_DEFAULT;
	st->bg = THEME_COLOR_DEFAULT;
	st->attrs = 0;
	while (*s != '\0') {
		size_t len, k;
		int c;
		bool known = false;

		while (*s == ' ')
			s++;
		len = strcspn(s, " ");
		if (len == 0)
			break;
		c = theme_color(s, len);
		if (want_bg) {
			if (c == -2) {
				snprintf(msg, msgsize, "'%.*s' is not a colour",
					 (int)len, s);
				return -1;
			}
			st->bg = c;
			want_bg = false;
			known = true;
		} else if (len == 2 && strncmp(s, "on", 2) == 0) {
			want_bg = true;
			known = true;
		} else if (c != -2 && !have_fg) {
			st->fg = c;
			have_fg = true;
			known = true;
		}
		for (k = 0;
		     !known && k < sizeof(theme_attrs) / sizeof(theme_attrs[0]);
		     k++) {
			if (strlen(theme_attrs[k].name) == len &&
			    strncmp(s, theme_attrs[k].name, len) == 0) {
				st->attrs |= theme_attrs[k].bit;
				known = true;
			}
		}
		if (!known) {
			snprintf(msg, msgsize,
				 "'%.*s' is not a colour or an attribute "
				 "(bold, dim, reverse, underline)",
				 (int)len, s);
			return -1;
		}
		s += len;
	}
	if (want_bg) {
		snprintf(msg, msgsize, "'on' needs a colour after it");
		return -1;
	}
	return 0;
}

int theme_parse(const char *path, const char *text, size_t len, struct theme *t,
		char *msg, size_t msgsize)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(text, len, &err);
	const struct toml_value *root, *style;
	size_t k, j;
	int rc = 0;

	if (doc == NULL) {
		snprintf(msg, msgsize, "%s:%u:%u: %s", path, err.line, err.col,
			 err.msg);
		return -1;
	}
	theme_mono(t);
	root = toml_doc_root(doc);
	for (k = 0; k < toml_table_count(root) && rc == 0; k++) {
		if (strcmp(toml_table_key_at(root, k, NULL), "style") != 0) {
			struct toml_pos pos =
			    toml_doc_pos(doc, toml_table_key_offset(root, k));

			snprintf(msg, msgsize, "%s:%u:%u: unknown key '%s'",
				 path, pos.line, pos.col,
				 toml_table_key_at(root, k, NULL));
			rc = -1;
		}
	}
	style = toml_table_get(root, "style");
	if (rc == 0 && style != NULL && toml_value_type(style) != TOML_TABLE) {
		struct toml_pos pos = toml_value_pos(doc, style);

		snprintf(msg, msgsize, "%s:%u:%u: style must be a table", path,
			 pos.line, pos.col);
		rc = -1;
	}
	for (k = 0; rc == 0 && style != NULL && k < toml_table_count(style);
	     k++) {
		const char *key = toml_table_key_at(style, k, NULL);
		const struct toml_value *v = toml_table_value_at(style, k);
		struct toml_pos pos = toml_value_pos(doc, v);
		char why[160];

		for (j = 0; j < THEME_ROLE_COUNT; j++)
			if (strcmp(key, theme_roles[j]) == 0)
				break;
		if (j == THEME_ROLE_COUNT) {
			pos =
			    toml_doc_pos(doc, toml_table_key_offset(style, k));
			snprintf(msg, msgsize, "%s:%u:%u: unknown role '%s'",
				 path, pos.line, pos.col, key);
			rc = -1;
		} else if (toml_value_type(v) != TOML_STRING) {
			snprintf(msg, msgsize, "%s:%u:%u: %s must be a string",
				 path, pos.line, pos.col, key);
			rc = -1;
		} else if (theme_style_parse(toml_value_string(v, NULL),
					     &t->styles[j], why,
					     sizeof(why)) < 0) {
			snprintf(msg, msgsize, "%s:%u:%u: %s: %s", path,
				 pos.line, pos.col, key, why);
			rc = -1;
		}
	}
	toml_doc_free(doc);
	return rc;
}

static int theme_load_file(const char *path, const char *name, struct theme *t,
			   char *msg, size_t msgsize)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	struct buf b;
	size_t n;
	int rc;

	if (f == NULL)
		return 1;
	buf_init(&b, THEME_FILE_MAX);
	rc = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && rc == 0)
		rc = buf_append(&b, chunk, n);
	fclose(f);
	if (rc < 0) {
		snprintf(msg, msgsize, "%s: theme file too large", path);
		buf_free(&b);
		return -1;
	}
	rc = theme_parse(path, b.data ? b.data : "", b.len, t, msg, msgsize);
	if (rc == 0)
		snprintf(t->name, sizeof(t->name), "%s", name);
	buf_free(&b);
	return rc;
}

int theme_load(const char *name, const char *const *dirs, struct theme *t,
	       char *msg, size_t msgsize)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *user_dir;
	struct buf tried;
	size_t k;
	int rc;

	if (strchr(name, '/') != NULL) {
		rc = theme_load_file(name, name, t, msg, msgsize);
		if (rc == 1)
			snprintf(msg, msgsize, "%s: cannot open the theme: %s",
				 name, strerror(errno));
		return rc == 0 ? 0 : -1;
	}
	for (k = 0; name[k] != '\0'; k++)
		if (!((name[k] >= 'a' && name[k] <= 'z') ||
		      (name[k] >= '0' && name[k] <= '9') || name[k] == '-' ||
		      name[k] == '_')) {
			snprintf(msg, msgsize, "invalid theme name '%s'", name);
			return -1;
		}
	user_dir = xdg != NULL && *xdg == '/'
		       ? xasprintf("%s/bvops/themes", xdg)
		       : xasprintf("%s/.config/bvops/themes",
				   home != NULL ? home : ".");
	buf_init(&tried, 4096);
	rc = 1;
	for (k = 0; rc == 1; k++) {
		const char *dir = k == 0 ? user_dir : dirs ? dirs[k - 1] : NULL;
		char *path;

		if (dir == NULL)
			break;
		path = xasprintf("%s/%s.theme", dir, name);
		rc = theme_load_file(path, name, t, msg, msgsize);
		buf_printf(&tried, "%s%s", tried.len ? ", " : "", dir);
		free(path);
	}
	if (rc == 1)
		snprintf(msg, msgsize, "no theme '%s' (looked in %s)", name,
			 tried.data ? tried.data : "nowhere");
	buf_free(&tried);
	free(user_dir);
	return rc == 0 ? 0 : -1;
}
