#include "lib/template.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"

static const char *const template_names[] = {"node", "index", "enclave"};

bool template_name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

/* Index into template_names of the placeholder at s ('{'), or -1. */
static int template_placeholder(const char *s, size_t *len)
{
	size_t k;

	for (k = 0; k < sizeof(template_names) / sizeof(template_names[0]);
	     k++) {
		size_t n = strlen(template_names[k]);

		if (strncmp(s + 1, template_names[k], n) == 0 &&
		    s[n + 1] == '}') {
			*len = n + 2;
			return (int)k;
		}
	}
	return -1;
}

int template_check(const char *tmpl, size_t *bad_off, char *msg, size_t msgsize)
{
	const char *s;
	size_t len;

	for (s = tmpl; *s != '\0'; s++) {
		if (*s != '{')
			continue;
		if (template_placeholder(s, &len) < 0) {
			*bad_off = (size_t)(s - tmpl);
			snprintf(msg, msgsize,
				 "unknown placeholder in command (only {node}, "
				 "{index} and {enclave} exist)");
			return -1;
		}
		s += len - 1;
	}
	return 0;
}

char *template_expand(const char *tmpl, const struct template_vars *vars,
		      char *msg, size_t msgsize)
{
	struct buf out;
	const char *s;
	size_t len;
	int rc = 0;

	buf_init(&out, 65536);
	for (s = tmpl; *s != '\0'; s++) {
		int which;
		const char *val;

		if (*s != '{' || (which = template_placeholder(s, &len)) < 0) {
			rc |= buf_append_char(&out, *s);
			continue;
		}
		val = which == 0   ? vars->node
		      : which == 1 ? vars->index
				   : vars->enclave;
		if (!template_name_ok(val)) {
			snprintf(msg, msgsize,
				 val == NULL ? "the command needs {%s}, which "
					       "this node does not set"
					     : "unsafe value for {%s}",
				 template_names[which]);
			buf_free(&out);
			return NULL;
		}
		/* Safe names need no quoting; quote anyway, cheaply. */
		rc |= buf_printf(&out, "'%s'", val);
		s += len - 1;
	}
	if (rc != 0) {
		snprintf(msg, msgsize, "command too long");
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out, NULL);
}
