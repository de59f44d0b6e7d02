/*
 * xml: a small element tree of an AWS XML answer, read with expat.
 *
 * AWS's query-protocol answers (EC2, CloudFormation, CloudWatch) and S3's
 * answers are small documents read once: a tree is the simplest honest
 * way to walk them. Bounded: depth and element count are capped, and text
 * is kept only for elements without children. Attributes and namespaces
 * are ignored (AWS puts data in elements, under one default namespace).
 *
 * Owns the whole tree; xml_free releases it.
 */
#ifndef BVOPS_XML_H
#define BVOPS_XML_H

#include <stddef.h>

#define XML_DEPTH_MAX    64
#define XML_ELEMENTS_MAX 200000

struct xml {
	char *name;
	char *text; /* character data, "" when none (never NULL) */
	struct xml *child, *next, *parent;
};

/*
 * Parse data. Returns the root element, or NULL with a message (expat's,
 * with the line) in msg.
 */
struct xml *xml_parse(const char *data, size_t len, char *msg, size_t msgsize);
void xml_free(struct xml *x);

/* The first child named name, or NULL. */
const struct xml *xml_child(const struct xml *x, const char *name);
/* The next sibling after x named like x, or NULL. */
const struct xml *xml_next(const struct xml *x);
/*
 * The text at a '/'-separated path of child names below x ("a/b"), or
 * NULL when some step is missing.
 */
const char *xml_text(const struct xml *x, const char *path);

#endif
