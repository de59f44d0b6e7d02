#include "lib/xml.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

struct xml_parse_state {
	XML_Parser p;
	struct xml *root, *cur, *last_child;
	struct buf text; /* of cur, while it has no child */
	int depth;
	long elements;
	const char *error; /* why the parse was stopped, or NULL */
};

static void xml_text_flush(struct xml_parse_state *s)
{
	if (s->cur != NULL && s->cur->child == NULL) {
		free(s->cur->text);
		s->cur->text = buf_take(&s->text, NULL);
		if (s->cur->text == NULL)
			s->cur->text = xstrdup("");
	}
	buf_reset(&s->text);
}

static void xml_stop(struct xml_parse_state *s, const char *why)
{
	if (s->error == NULL)
		s->error = why;
	XML_StopParser(s->p, XML_FALSE);
}

static void xml_on_start(void *ctx, const XML_Char *name,
			 const XML_Char **attrs)
{
	struct xml_parse_state *s = ctx;
	struct xml *x;

	(void)attrs;
	if (++s->depth > XML_DEPTH_MAX) {
		xml_stop(s, "nested too deep");
		return;
	}
	if (++s->elements > XML_ELEMENTS_MAX) {
		xml_stop(s, "too many elements");
		return;
	}
	x = xcalloc(1, sizeof(*x));
	x->name = xstrdup(name);
	x->text = xstrdup("");
	x->parent = s->cur;
	buf_reset(&s->text);
	if (s->cur == NULL) {
		s->root = x;
	} else {
		/* Append after the last child: keep the document's order. */
		struct xml **at = &s->cur->child;

		if (s->last_child != NULL && s->last_child->parent == s->cur)
			at = &s->last_child->next;
		else
			while (*at != NULL)
				at = &(*at)->next;
		*at = x;
		/* A parent's own text is not kept. */
		free(s->cur->text);
		s->cur->text = xstrdup("");
	}
	s->cur = x;
	s->last_child = NULL;
}

static void xml_on_end(void *ctx, const XML_Char *name)
{
	struct xml_parse_state *s = ctx;

	(void)name;
	xml_text_flush(s);
	s->depth--;
	s->last_child = s->cur;
	s->cur = s->cur->parent;
}

static void xml_on_text(void *ctx, const XML_Char *data, int len)
{
	struct xml_parse_state *s = ctx;

	if (s->cur == NULL || s->cur->child != NULL)
		return;
	if (buf_append(&s->text, data, (size_t)len) < 0)
		xml_stop(s, "text too long");
}

struct xml *xml_parse(const char *data, size_t len, char *msg, size_t msgsize)
{
	struct xml_parse_state s;
	enum XML_Status st;

	memset(&s, 0, sizeof(s));
	buf_init(&s.text, (size_t)8 << 20);
	s.p = XML_ParserCreate("UTF-8");
	if (s.p == NULL)
		abort(); /* expat fails here only for want of memory */
	XML_SetUserData(s.p, &s);
	XML_SetElementHandler(s.p, xml_on_start, xml_on_end);
	XML_SetCharacterDataHandler(s.p, xml_on_text);
	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30;
	st = XML_Parse(s.p, data, (int)len, XML_TRUE);
	if (st != XML_STATUS_OK || s.root == NULL) {
		if (s.error != NULL)
			snprintf(msg, msgsize, "XML %s", s.error);
		else if (s.root == NULL && st == XML_STATUS_OK)
			snprintf(msg, msgsize, "XML: no element");
		else
			snprintf(msg, msgsize, "XML line %lu: %s",
				 (unsigned long)XML_GetCurrentLineNumber(s.p),
				 XML_ErrorString(XML_GetErrorCode(s.p)));
		xml_free(s.root);
		s.root = NULL;
	}
	XML_ParserFree(s.p);
	buf_free(&s.text);
	return s.root;
}

void xml_free(struct xml *x)
{
	while (x != NULL) {
		struct xml *next = x->next;

		xml_free(x->child);
		free(x->name);
		free(x->text);
		free(x);
		x = next;
	}
}

const struct xml *xml_child(const struct xml *x, const char *name)
{
	const struct xml *c;

	if (x == NULL)
		return NULL;
	for (c = x->child; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct xml *xml_next(const struct xml *x)
{
	const struct xml *c;

	if (x == NULL)
		return NULL;
	for (c = x->next; c != NULL; c = c->next)
		if (strcmp(c->name, x->name) == 0)
			return c;
	return NULL;
}

const char *xml_text(const struct xml *x, const char *path)
{
	char step[128];

	while (x != NULL && *path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);

		if (n >= sizeof(step))
			return NULL;
		memcpy(step, path, n);
		step[n] = '\0';
		x = xml_child(x, step);
		path += n + (slash != NULL);
	}
	return x ? x->text : NULL;
}
