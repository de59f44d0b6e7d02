/* Theme files: roles, colours, attributes, and exact error places. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "state/theme.h"

static int parse(const char *text, struct theme *t, char *msg, size_t size)
{
	return theme_parse("t.theme", text, strlen(text), t, msg, size);
}

TEST(theme_styles_parse)
{
	struct theme t;
	char msg[256] = "";

	CHECK(parse("[style]\nheader = \"black on cyan bold\"\n"
		    "down = \"bright-red underline\"\nup = \"default\"\n",
		    &t, msg, sizeof(msg)) == 0);
	CHECK(t.styles[THEME_HEADER].fg == 0);
	CHECK(t.styles[THEME_HEADER].bg == 6);
	CHECK(t.styles[THEME_HEADER].attrs == THEME_BOLD);
	CHECK(t.styles[THEME_DOWN].fg == 9);
	CHECK(t.styles[THEME_DOWN].attrs == THEME_UNDERLINE);
	CHECK(t.styles[THEME_UP].fg == THEME_COLOR_DEFAULT);
	/* A role the file leaves out keeps the monochrome style. */
	CHECK(t.styles[THEME_SELECTED].attrs == THEME_REVERSE);
	CHECK(t.styles[THEME_SELECTED].fg == THEME_COLOR_DEFAULT);
}

TEST(theme_errors_name_the_place)
{
	struct theme t;
	char msg[256] = "";

	CHECK(parse("[style]\nheader = \"black on\"\n", &t, msg, sizeof(msg)) <
	      0);
	CHECK_STR(msg, "t.theme:2:10: header: 'on' needs a colour after it");
	CHECK(parse("[style]\nheader = \"mauve\"\n", &t, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "t.theme:2:10: header: 'mauve' is not a colour or an "
		       "attribute (bold, dim, reverse, underline)");
	CHECK(parse("[style]\nfooter = 1\n", &t, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "t.theme:2:10: footer must be a string");
	CHECK(parse("[style]\nsidebar = \"red\"\n", &t, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "t.theme:2:1: unknown role 'sidebar'");
	CHECK(parse("[colors]\n", &t, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "t.theme:1:2: unknown key 'colors'");
	CHECK(parse("[style\n", &t, msg, sizeof(msg)) < 0);
}

TEST(theme_shipped_files_load)
{
	static const char *const dirs[] = {"themes", NULL};
	static const char *const names[] = {"dark", "light", "mono"};
	struct theme t;
	char msg[512];
	size_t k;

	for (k = 0; k < 3; k++) {
		msg[0] = '\0';
		if (!CHECK(theme_load(names[k], dirs, &t, msg, sizeof(msg)) ==
			   0))
			printf("  %s\n", msg);
		CHECK_STR(t.name, names[k]);
	}
	CHECK(theme_load("missing", dirs, &t, msg, sizeof(msg)) < 0);
	CHECK(strstr(msg, "no theme 'missing' (looked in") != NULL);
	CHECK(theme_load("../etc/x", dirs, &t, msg, sizeof(msg)) < 0);
	CHECK(theme_load("themes/light.theme", NULL, &t, msg, sizeof(msg)) ==
	      0);
}
