/*
 * Edits as text splices. The parser's statement list says where each
 * table's lines are; new text copies the style of the lines around it, and
 * the result is parsed again before it replaces the document, so an edit
 * can never leave invalid TOML behind.
 */
#include "lib/toml_edit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

struct path_part {
	char *key;
	size_t len;
	long index; /* -1: no [N] */
};

struct path {
	struct path_part *parts;
	size_t n;
};

static int edit_fail(struct toml_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int edit_fail(struct toml_error *err, const char *fmt, ...)
{
	va_list ap;

	err->line = 0;
	err->col = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_bare_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void path_free(struct path *p)
{
	size_t k;

	for (k = 0; k < p->n; k++)
		free(p->parts[k].key);
	free(p->parts);
	p->parts = NULL;
	p->n = 0;
}

static int path_parse(const char *s, struct path *out, struct toml_error *err)
{
	size_t cap = 0;

	out->parts = NULL;
	out->n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return 0;
	for (;;) {
		struct buf key;
		struct path_part part;

		buf_init(&key, 4096);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '"' || *s == '\'') {
			char q = *s++;

			while (*s != q) {
				if (*s == '\0') {
					buf_free(&key);
					path_free(out);
					return edit_fail(err,
							 "unterminated quote "
							 "in path");
				}
				if (q == '"' && *s == '\\' &&
				    (s[1] == '"' || s[1] == '\\'))
					s++;
				buf_append_char(&key, *s++);
			}
			s++;
		} else {
			while (is_bare_char(*s))
				buf_append_char(&key, *s++);
			if (key.len == 0) {
				buf_free(&key);
				path_free(out);
				return edit_fail(err, "invalid table path");
			}
		}
		part.key = buf_take(&key, &part.len);
		part.index = -1;
		if (*s == '[') {
			char *end;

			part.index = strtol(s + 1, &end, 10);
			if (end == s + 1 || *end != ']' || part.index < 0) {
				free(part.key);
				path_free(out);
				return edit_fail(err, "invalid index in path");
			}
			s = end + 1;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 4;
			out->parts =
			    xrealloc(out->parts, cap * sizeof(*out->parts));
		}
		out->parts[out->n++] = part;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		if (*s != '.') {
			path_free(out);
			return edit_fail(err, "invalid table path");
		}
		s++;
	}
}

/*
 * Walk parts[0..n). Returns 0 with *out set when all exist, 1 with *out the
 * deepest table found and *depth its depth when some are missing, -1 on
 * something that is not a table.
 */
static int path_resolve(const struct toml_doc *doc, const struct path *p,
			size_t n, const struct toml_value **out, size_t *depth,
			struct toml_error *err)
{
	const struct toml_value *t = toml_doc_root(doc);
	size_t k;

	for (k = 0; k < n; k++) {
		const struct path_part *part = &p->parts[k];
		const struct toml_value *v =
		    toml_table_getn(t, part->key, part->len);

		if (v == NULL) {
			*out = t;
			*depth = k;
			return 1;
		}
		if (part->index >= 0) {
			if (toml_value_type(v) != TOML_ARRAY ||
			    (size_t)part->index >= toml_array_count(v))
				return edit_fail(err,
						 "'%s[%ld]' does not exist",
						 part->key, part->index);
			v = toml_array_at(v, (size_t)part->index);
		} else if (toml_value_type(v) == TOML_ARRAY &&
			   toml_array_is_aot(v)) {
			return edit_fail(err,
					 "'%s' is an array of tables: "
					 "name one element as %s[N]",
					 part->key, part->key);
		}
		if (toml_value_type(v) != TOML_TABLE)
			return edit_fail(err, "'%s' is a %s, not a table",
					 part->key,
					 toml_type_name(toml_value_type(v)));
		t = v;
	}
	*out = t;
	*depth = n;
	return 0;
}

const struct toml_value *toml_edit_find(const struct toml_doc *doc,
					const char *path,
					struct toml_error *err)
{
	struct path p;
	const struct toml_value *t = NULL;
	size_t depth;
	int rc;

	if (path_parse(path, &p, err) < 0)
		return NULL;
	rc = path_resolve(doc, &p, p.n, &t, &depth, err);
	if (rc == 1)
		edit_fail(err, "no table '%s'", path);
	path_free(&p);
	return rc == 0 ? t : NULL;
}

/* ---- text helpers ----------------------------------------------------- */

static const char *doc_nl(const struct toml_doc *doc)
{
	return toml_doc_uses_crlf(doc) ? "\r\n" : "\n";
}

/* Replace [start, end) of the text with ins and parse the result. */
static int splice(struct toml_doc **docp, size_t start, size_t end,
		  const char *ins, size_t ins_len, struct toml_error *err)
{
	size_t len;
	const char *text = toml_doc_text(*docp, &len);
	struct buf out;
	struct toml_doc *nd;
	struct toml_error perr;

	buf_init(&out, TOML_DOC_MAX);
	if (buf_append(&out, text, start) < 0 ||
	    buf_append(&out, ins, ins_len) < 0 ||
	    buf_append(&out, text + end, len - end) < 0) {
		buf_free(&out);
		return edit_fail(err, "document would grow too large");
	}
	nd = toml_doc_parse(out.data, out.len, &perr);
	buf_free(&out);
	if (nd == NULL)
		return edit_fail(err,
				 "the edit would make invalid TOML "
				 "(line %u, column %u: %s)",
				 perr.line, perr.col, perr.msg);
	toml_doc_free(*docp);
	*docp = nd;
	return 0;
}

struct range {
	size_t start, end;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Delete several ranges at once (they may overlap). */
static int splice_out(struct toml_doc **docp, struct range *r, size_t n,
		      struct toml_error *err)
{
	size_t len, k, at = 0;
	const char *text = toml_doc_text(*docp, &len);
	struct buf out;
	struct toml_doc *nd;
	struct toml_error perr;

	qsort(r, n, sizeof(*r), range_cmp);
	buf_init(&out, TOML_DOC_MAX);
	for (k = 0; k < n; k++) {
		if (r[k].start > at)
			buf_append(&out, text + at, r[k].start - at);
		if (r[k].end > at)
			at = r[k].end;
	}
	buf_append(&out, text + at, len - at);
	nd = toml_doc_parse(out.data ? out.data : "", out.len, &perr);
	buf_free(&out);
	if (nd == NULL)
		return edit_fail(err,
				 "the edit would make invalid TOML "
				 "(line %u, column %u: %s)",
				 perr.line, perr.col, perr.msg);
	toml_doc_free(*docp);
	*docp = nd;
	return 0;
}

static size_t line_start_before(const char *text, size_t off)
{
	while (off > 0 && text[off - 1] != '\n')
		off--;
	return off;
}

/* Classify the line starting at ls: 0 blank, 1 comment only, 2 other. */
static int line_kind(const char *text, size_t len, size_t ls)
{
	while (ls < len && (text[ls] == ' ' || text[ls] == '\t'))
		ls++;
	if (ls >= len || text[ls] == '\n' || text[ls] == '\r')
		return 0;
	return text[ls] == '#' ? 1 : 2;
}

/*
 * Where a header's block starts: the comment lines right above it, and the
 * blank lines above those. They go with the header when it is removed, and
 * a header added later brings its own blank line, so add then remove gives
 * back the bytes we started from.
 */
static size_t header_block_start(const struct toml_doc *doc,
				 const struct toml_stmt *h, size_t floor)
{
	size_t len, at = h->line_start;
	const char *text = toml_doc_text(doc, &len);
	int phase = 1; /* 1: comments, then 0: blanks */

	while (at > floor) {
		size_t prev = line_start_before(text, at - 1);
		int kind = line_kind(text, len, prev);

		if (prev < floor || kind == 2 || kind > phase)
			break;
		phase = kind;
		at = prev;
	}
	return at;
}

/* Where the previous statement ends (start of the header block floor). */
static size_t stmt_floor(const struct toml_doc *doc, size_t idx)
{
	size_t len;
	const char *text = toml_doc_text(doc, &len);
	size_t floor =
	    (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) ? 3 : 0;

	if (idx > 0)
		floor = toml_doc_stmt_at(doc, idx - 1)->line_end;
	return floor;
}

static size_t block_start_of(const struct toml_doc *doc, size_t idx)
{
	return header_block_start(doc, toml_doc_stmt_at(doc, idx),
				  stmt_floor(doc, idx));
}

/*
 * Where a removed header block ends: at the next block, or past the
 * blank lines before it when the block starts the document (a header
 * added first in the file brings the blank line after it, not before).
 */
static size_t header_block_end(const struct toml_doc *doc, size_t start,
			       size_t next_block)
{
	size_t len, at = next_block;
	const char *text = toml_doc_text(doc, &len);

	if (start != stmt_floor(doc, 0))
		return next_block;
	while (at < len && line_kind(text, len, at) == 0) {
		const char *nl = memchr(text + at, '\n', len - at);

		if (nl == NULL)
			break;
		at = (size_t)(nl - text) + 1;
	}
	return at;
}

static bool is_header(const struct toml_stmt *st)
{
	return st->kind == TOML_STMT_TABLE || st->kind == TOML_STMT_AOT;
}

static bool is_within(const struct toml_value *v, const struct toml_value *anc)
{
	for (; v != NULL; v = toml_value_parent(v))
		if (v == anc)
			return true;
	return false;
}

static size_t find_header(const struct toml_doc *doc,
			  const struct toml_value *t)
{
	size_t k, n = toml_doc_stmt_count(doc);

	for (k = 0; k < n; k++) {
		const struct toml_stmt *st = toml_doc_stmt_at(doc, k);

		if (is_header(st) && st->table == t)
			return k;
	}
	return TOML_NO_SECTION;
}

/* The table whose section a statement is in. */
static const struct toml_value *section_table(const struct toml_doc *doc,
					      size_t section)
{
	return section == TOML_NO_SECTION
		   ? toml_doc_root(doc)
		   : toml_doc_stmt_at(doc, section)->table;
}

/* Append the dotted key naming t relative to its ancestor top. */
static void append_rel_key(struct buf *out, const struct toml_value *t,
			   const struct toml_value *top)
{
	const struct toml_value *chain[TOML_NEST_MAX + 2];
	size_t n = 0, k, len;

	for (; t != NULL && t != top && n < TOML_NEST_MAX + 2;
	     t = toml_value_parent(t))
		chain[n++] = t;
	for (k = n; k-- > 0;) {
		const char *key = toml_value_key(chain[k], &len);

		if (key == NULL) /* element of an array: named by the array */
			continue;
		toml_key_format(out, key, len);
		buf_append_char(out, '.');
	}
}

/* Header name of table t ("a.b.c"); fails for an AoT element not last. */
static int header_name(struct buf *out, const struct toml_value *t,
		       struct toml_error *err)
{
	const struct toml_value *chain[TOML_NEST_MAX + 2], *v;
	size_t n = 0, k, len;

	for (v = t;
	     v != NULL && toml_value_parent(v) != NULL && n < TOML_NEST_MAX + 2;
	     v = toml_value_parent(v)) {
		const struct toml_value *parent = toml_value_parent(v);

		if (toml_value_type(parent) == TOML_ARRAY &&
		    toml_array_at(parent, toml_array_count(parent) - 1) != v)
			return edit_fail(err, "only the last element of an "
					      "array of tables can get a new "
					      "sub-table");
		if (toml_value_key(v, NULL) != NULL)
			chain[n++] = v;
	}
	for (k = n; k-- > 0;) {
		const char *key = toml_value_key(chain[k], &len);

		toml_key_format(out, key, len);
		if (k > 0)
			buf_append_char(out, '.');
	}
	return 0;
}

/* Check value_text is one TOML value. */
static int check_value(const char *value_text, struct toml_error *err)
{
	char *probe = xasprintf("v = %s\n", value_text);
	struct toml_error perr;
	struct toml_doc *d = toml_doc_parse(probe, strlen(probe), &perr);
	bool ok = d != NULL && toml_doc_stmt_count(d) == 1 &&
		  toml_table_count(toml_doc_root(d)) == 1;

	toml_doc_free(d);
	free(probe);
	if (!ok)
		return edit_fail(err, "'%s' is not a TOML value%s%s",
				 value_text, d == NULL ? ": " : "",
				 d == NULL ? perr.msg : "");
	return 0;
}

/* ---- set -------------------------------------------------------------- */

/* Insert a key line after statement st, indented like it. */
static int insert_after_stmt(struct toml_doc **docp, const struct toml_stmt *st,
			     const char *keytext, const char *value_text,
			     struct toml_error *err)
{
	size_t len;
	const char *text = toml_doc_text(*docp, &len);
	const char *nl = doc_nl(*docp);
	struct buf ins;
	size_t at = st->line_end;
	int rc;

	buf_init(&ins, TOML_DOC_MAX);
	if (at == len && (len == 0 || text[len - 1] != '\n'))
		buf_append_str(&ins, nl);
	if (st->kind == TOML_STMT_KEYVAL)
		buf_append(&ins, text + st->line_start,
			   st->start - st->line_start);
	buf_printf(&ins, "%s = %s%s", keytext, value_text, nl);
	rc = splice(docp, at, at, ins.data, ins.len, err);
	buf_free(&ins);
	return rc;
}

/* The last key/value statement in section whose table is within t. */
static const struct toml_stmt *last_keyval(const struct toml_doc *doc,
					   size_t section,
					   const struct toml_value *t)
{
	const struct toml_stmt *last = NULL;
	size_t k, n = toml_doc_stmt_count(doc);

	for (k = 0; k < n; k++) {
		const struct toml_stmt *st = toml_doc_stmt_at(doc, k);

		if (st->kind == TOML_STMT_KEYVAL && st->section == section &&
		    is_within(st->table, t))
			last = st;
	}
	return last;
}

/* Add "[name]\nkey = value\n" as a new block, before statement idx or at
 * the end of the document (idx == TOML_NO_SECTION). */
static int insert_header_block(struct toml_doc **docp, size_t idx,
			       const char *name, const char *keytext,
			       const char *value_text, struct toml_error *err)
{
	size_t len;
	const char *text = toml_doc_text(*docp, &len);
	const char *nl = doc_nl(*docp);
	struct buf ins;
	size_t at;
	int rc;

	buf_init(&ins, TOML_DOC_MAX);
	if (idx == TOML_NO_SECTION) {
		at = len;
		if (len > 0 && text[len - 1] != '\n')
			buf_append_str(&ins, nl);
		if (len > 0)
			buf_append_str(&ins, nl);
	} else {
		at = block_start_of(*docp, idx);
		/* Take over the blank line that separated the next block. */
		if (at > 0 && line_kind(text, len, at) == 0)
			buf_append_str(&ins, nl);
	}
	buf_printf(&ins, "[%s]%s", name, nl);
	if (keytext != NULL)
		buf_printf(&ins, "%s = %s%s", keytext, value_text, nl);
	if (idx != TOML_NO_SECTION &&
	    (at == 0 || line_kind(text, len, at) != 0))
		buf_append_str(&ins, nl);
	rc = splice(docp, at, at, ins.data, ins.len, err);
	buf_free(&ins);
	return rc;
}

/* First header statement whose table lies within t. */
static size_t first_header_within(const struct toml_doc *doc,
				  const struct toml_value *t)
{
	size_t k, n = toml_doc_stmt_count(doc);

	for (k = 0; k < n; k++) {
		const struct toml_stmt *st = toml_doc_stmt_at(doc, k);

		if (is_header(st) && is_within(st->table, t))
			return k;
	}
	return TOML_NO_SECTION;
}

/* Statement after which the subtree of t ends, for placing a new child. */
static size_t after_subtree(const struct toml_doc *doc,
			    const struct toml_value *t)
{
	size_t k, n = toml_doc_stmt_count(doc), last = TOML_NO_SECTION;

	for (k = 0; k < n; k++) {
		const struct toml_stmt *st = toml_doc_stmt_at(doc, k);

		if (is_within(st->table, t))
			last = k;
	}
	/* The next header after that is where the new block goes. */
	for (k = last == TOML_NO_SECTION ? n : last + 1; k < n; k++)
		if (is_header(toml_doc_stmt_at(doc, k)))
			return k;
	return TOML_NO_SECTION;
}

static int set_in_inline(struct toml_doc **docp, const struct toml_value *t,
			 const char *key, const char *value_text,
			 struct toml_error *err)
{
	const struct toml_value *top = t;
	struct buf ins;
	size_t at, k, n;
	int rc;

	while (toml_table_origin(top) != TOML_ORIGIN_INLINE)
		top = toml_value_parent(top);
	buf_init(&ins, TOML_DOC_MAX);
	n = toml_table_count(top);
	if (n == 0) {
		buf_append_str(&ins, "{ ");
		append_rel_key(&ins, t, top);
		toml_key_format(&ins, key, strlen(key));
		buf_printf(&ins, " = %s }", value_text);
		rc = splice(docp, toml_value_start(top), toml_value_end(top),
			    ins.data, ins.len, err);
		buf_free(&ins);
		return rc;
	}
	/* After the last item written inside the braces. */
	at = 0;
	for (k = 0; k < toml_inline_count(top); k++) {
		size_t start, end;

		toml_inline_item_at(top, k, &start, &end);
		if (end > at)
			at = end;
	}
	buf_append_str(&ins, ", ");
	append_rel_key(&ins, t, top);
	toml_key_format(&ins, key, strlen(key));
	buf_printf(&ins, " = %s", value_text);
	rc = splice(docp, at, at, ins.data, ins.len, err);
	buf_free(&ins);
	return rc;
}

static int set_new_key(struct toml_doc **docp, const struct toml_value *t,
		       const char *key, const char *value_text,
		       struct toml_error *err)
{
	const struct toml_doc *doc = *docp;
	const struct toml_stmt *last;
	struct buf keytext, name;
	size_t at, len;
	const char *text;
	int rc = -1;

	if (toml_table_is_frozen(t))
		return set_in_inline(docp, t, key, value_text, err);
	buf_init(&keytext, 65536);
	buf_init(&name, 65536);
	switch (toml_table_origin(t)) {
	case TOML_ORIGIN_HEADER:
	case TOML_ORIGIN_AOT: {
		size_t h = find_header(doc, t);

		last = last_keyval(doc, h, t);
		toml_key_format(&keytext, key, strlen(key));
		rc = insert_after_stmt(docp,
				       last ? last : toml_doc_stmt_at(doc, h),
				       keytext.data, value_text, err);
		break;
	}
	case TOML_ORIGIN_DOTTED: {
		size_t s = toml_table_section(t);

		last = last_keyval(doc, s, t);
		append_rel_key(&keytext, t, section_table(doc, s));
		toml_key_format(&keytext, key, strlen(key));
		rc = last == NULL ? edit_fail(err,
					      "cannot find where '%s' "
					      "is defined",
					      key)
				  : insert_after_stmt(docp, last, keytext.data,
						      value_text, err);
		break;
	}
	case TOML_ORIGIN_IMPLICIT:
		if (header_name(&name, t, err) < 0)
			break;
		toml_key_format(&keytext, key, strlen(key));
		rc = insert_header_block(docp, first_header_within(doc, t),
					 name.data, keytext.data, value_text,
					 err);
		break;
	case TOML_ORIGIN_ROOT:
		last = last_keyval(doc, TOML_NO_SECTION, t);
		toml_key_format(&keytext, key, strlen(key));
		if (last != NULL) {
			rc = insert_after_stmt(docp, last, keytext.data,
					       value_text, err);
			break;
		}
		/* No root keys yet: above the first header's block. */
		text = toml_doc_text(doc, &len);
		at =
		    toml_doc_stmt_count(doc) > 0 ? block_start_of(doc, 0) : len;
		if (at == len && len > 0 && text[len - 1] != '\n')
			buf_append_str(&name, doc_nl(doc));
		buf_printf(&name, "%s = %s%s", keytext.data, value_text,
			   doc_nl(doc));
		rc = splice(docp, at, at, name.data, name.len, err);
		break;
	case TOML_ORIGIN_INLINE:
		rc = set_in_inline(docp, t, key, value_text, err);
		break;
	}
	buf_free(&keytext);
	buf_free(&name);
	return rc;
}

/* Create the missing tables parts[depth..n) under parent, with key. */
static int add_missing(struct toml_doc **docp, const struct toml_value *parent,
		       const struct path *p, size_t depth, const char *key,
		       const char *value_text, struct toml_error *err)
{
	struct buf name, keytext;
	size_t k;
	int rc;

	if (toml_table_is_frozen(parent))
		return edit_fail(err, "cannot add a table inside an inline "
				      "table");
	for (k = depth; k < p->n; k++)
		if (p->parts[k].index >= 0)
			return edit_fail(err, "'%s' does not exist",
					 p->parts[k].key);
	buf_init(&name, 65536);
	buf_init(&keytext, 65536);
	if (header_name(&name, parent, err) < 0) {
		buf_free(&name);
		return -1;
	}
	for (k = depth; k < p->n; k++) {
		if (name.len > 0)
			buf_append_char(&name, '.');
		toml_key_format(&name, p->parts[k].key, p->parts[k].len);
	}
	if (key != NULL)
		toml_key_format(&keytext, key, strlen(key));
	rc = insert_header_block(
	    docp,
	    parent == toml_doc_root(*docp) ? TOML_NO_SECTION
					   : after_subtree(*docp, parent),
	    name.data, key != NULL ? keytext.data : NULL, value_text, err);
	buf_free(&name);
	buf_free(&keytext);
	return rc;
}

int toml_edit_set(struct toml_doc **docp, const char *path, const char *key,
		  const char *value_text, struct toml_error *err)
{
	struct path p;
	const struct toml_value *t, *old;
	size_t depth;
	int rc;

	memset(err, 0, sizeof(*err));
	if (check_value(value_text, err) < 0)
		return -1;
	if (path_parse(path, &p, err) < 0)
		return -1;
	rc = path_resolve(*docp, &p, p.n, &t, &depth, err);
	if (rc == 1) {
		rc = add_missing(docp, t, &p, depth, key, value_text, err);
	} else if (rc == 0) {
		old = toml_table_get(t, key);
		if (old == NULL)
			rc = set_new_key(docp, t, key, value_text, err);
		else if ((toml_value_type(old) == TOML_TABLE &&
			  toml_table_origin(old) != TOML_ORIGIN_INLINE) ||
			 (toml_value_type(old) == TOML_ARRAY &&
			  toml_array_is_aot(old)))
			rc =
			    edit_fail(err, "'%s' is a table, not a value", key);
		else
			rc = splice(docp, toml_value_start(old),
				    toml_value_end(old), value_text,
				    strlen(value_text), err);
	}
	path_free(&p);
	return rc;
}

int toml_edit_add_table(struct toml_doc **docp, const char *path,
			struct toml_error *err)
{
	struct path p;
	const struct toml_value *t;
	size_t depth;
	int rc;

	memset(err, 0, sizeof(*err));
	if (path_parse(path, &p, err) < 0)
		return -1;
	rc = path_resolve(*docp, &p, p.n, &t, &depth, err);
	if (rc == 1)
		rc = add_missing(docp, t, &p, depth, NULL, NULL, err);
	path_free(&p);
	return rc;
}

/* ---- removal ---------------------------------------------------------- */

static size_t stmt_of_value(const struct toml_doc *doc,
			    const struct toml_value *v)
{
	size_t k, n = toml_doc_stmt_count(doc);

	for (k = 0; k < n; k++)
		if (toml_doc_stmt_at(doc, k)->kind == TOML_STMT_KEYVAL &&
		    toml_doc_stmt_at(doc, k)->value == v)
			return k;
	return TOML_NO_SECTION;
}

/* Remove the item of an inline table that defines value v. */
static int remove_from_inline(struct toml_doc **docp,
			      const struct toml_value *t,
			      const struct toml_value *v,
			      struct toml_error *err)
{
	const struct toml_value *top = t;
	size_t n, j, start = 0, end = 0, ps, pe, ns, ne;
	struct range r;

	while (toml_table_origin(top) != TOML_ORIGIN_INLINE)
		top = toml_value_parent(top);
	n = toml_inline_count(top);
	for (j = 0; j < n; j++)
		if (toml_inline_item_at(top, j, &start, &end) == v)
			break;
	if (j == n)
		return edit_fail(err, "cannot find where the key is written");
	if (n == 1) /* back to the empty braces an add started from */
		return splice(docp, toml_value_start(top), toml_value_end(top),
			      "{}", 2, err);
	if (j + 1 < n) { /* "key = v, " up to the next item */
		toml_inline_item_at(top, j + 1, &ns, &ne);
		r.start = start;
		r.end = ns;
	} else { /* ", key = v" from the end of the one before */
		toml_inline_item_at(top, j - 1, &ps, &pe);
		r.start = pe;
		r.end = end;
	}
	return splice_out(docp, &r, 1, err);
}

int toml_edit_remove_key(struct toml_doc **docp, const char *path,
			 const char *key, struct toml_error *err)
{
	const struct toml_value *t, *v;
	const struct toml_stmt *st;
	struct range r;
	size_t idx;

	memset(err, 0, sizeof(*err));
	t = toml_edit_find(*docp, path, err);
	if (t == NULL)
		return -1;
	v = toml_table_get(t, key);
	if (v == NULL)
		return edit_fail(err, "no key '%s' in table '%s'", key, path);
	if ((toml_value_type(v) == TOML_TABLE &&
	     toml_table_origin(v) != TOML_ORIGIN_INLINE) ||
	    (toml_value_type(v) == TOML_ARRAY && toml_array_is_aot(v)))
		return edit_fail(err, "'%s' is a table: remove it as a table",
				 key);
	if (toml_table_is_frozen(t))
		return remove_from_inline(docp, t, v, err);
	idx = stmt_of_value(*docp, v);
	if (idx == TOML_NO_SECTION)
		return edit_fail(err, "cannot find where '%s' is defined", key);
	st = toml_doc_stmt_at(*docp, idx);
	r.start = st->line_start;
	r.end = st->line_end;
	return splice_out(docp, &r, 1, err);
}

int toml_edit_remove_table(struct toml_doc **docp, const char *path,
			   struct toml_error *err)
{
	struct path p;
	const struct toml_value *parent, *target;
	const struct toml_doc *doc = *docp;
	struct range *ranges;
	size_t depth, k, n, nr = 0, len;
	int rc;

	memset(err, 0, sizeof(*err));
	if (path_parse(path, &p, err) < 0)
		return -1;
	if (p.n == 0) {
		path_free(&p);
		return edit_fail(err, "cannot remove the root table");
	}
	rc = path_resolve(doc, &p, p.n - 1, &parent, &depth, err);
	if (rc == 1)
		rc = edit_fail(err, "no table '%s'", path);
	target = rc == 0 ? toml_table_getn(parent, p.parts[p.n - 1].key,
					   p.parts[p.n - 1].len)
			 : NULL;
	if (rc == 0 && target == NULL)
		rc = edit_fail(err, "no table '%s'", path);
	if (rc == 0 && p.parts[p.n - 1].index >= 0) {
		if (toml_value_type(target) != TOML_ARRAY ||
		    (size_t)p.parts[p.n - 1].index >= toml_array_count(target))
			rc = edit_fail(err, "no table '%s'", path);
		else
			target = toml_array_at(target,
					       (size_t)p.parts[p.n - 1].index);
	}
	path_free(&p);
	if (rc < 0)
		return -1;
	if (toml_value_type(target) != TOML_TABLE &&
	    !(toml_value_type(target) == TOML_ARRAY &&
	      toml_array_is_aot(target)))
		return edit_fail(err, "'%s' is a %s, not a table", path,
				 toml_type_name(toml_value_type(target)));
	if (toml_table_is_frozen(parent))
		return edit_fail(err, "'%s' is inside an inline table", path);
	if (toml_value_type(target) == TOML_TABLE &&
	    toml_table_origin(target) == TOML_ORIGIN_INLINE) {
		size_t idx = stmt_of_value(doc, target);
		struct range r;

		if (idx == TOML_NO_SECTION)
			return edit_fail(err,
					 "cannot find where '%s' is "
					 "defined",
					 path);
		r.start = toml_doc_stmt_at(doc, idx)->line_start;
		r.end = toml_doc_stmt_at(doc, idx)->line_end;
		return splice_out(docp, &r, 1, err);
	}
	toml_doc_text(doc, &len);
	n = toml_doc_stmt_count(doc);
	ranges = xcalloc(n + 1, sizeof(*ranges));
	for (k = 0; k < n; k++) {
		const struct toml_stmt *st = toml_doc_stmt_at(doc, k);

		if (!is_within(st->table, target))
			continue;
		if (is_header(st)) {
			size_t next = k + 1;

			while (next < n &&
			       !is_header(toml_doc_stmt_at(doc, next)))
				next++;
			ranges[nr].start = block_start_of(doc, k);
			ranges[nr].end =
			    next < n
				? header_block_end(doc, ranges[nr].start,
						   block_start_of(doc, next))
				: len;
			nr++;
		} else if (!is_within(section_table(doc, st->section),
				      target)) {
			ranges[nr].start = st->line_start;
			ranges[nr].end = st->line_end;
			nr++;
		}
	}
	rc = nr == 0 ? edit_fail(err, "cannot find where '%s' is defined", path)
		     : splice_out(docp, ranges, nr, err);
	free(ranges);
	return rc;
}

int toml_edit_remove_header(struct toml_doc **docp, const char *path,
			    struct toml_error *err)
{
	const struct toml_doc *doc = *docp;
	const struct toml_value *t;
	size_t h, k, n, len;
	struct range r;

	memset(err, 0, sizeof(*err));
	t = toml_edit_find(doc, path, err);
	if (t == NULL)
		return -1;
	h = find_header(doc, t);
	if (h == TOML_NO_SECTION || toml_table_origin(t) != TOML_ORIGIN_HEADER)
		return edit_fail(err, "'%s' has no [header] of its own", path);
	n = toml_doc_stmt_count(doc);
	for (k = 0; k < n; k++) {
		const struct toml_stmt *st = toml_doc_stmt_at(doc, k);

		if (st->kind == TOML_STMT_KEYVAL && st->section == h)
			return edit_fail(err, "table '%s' still has keys",
					 path);
	}
	for (k = h + 1; k < n && !is_header(toml_doc_stmt_at(doc, k)); k++)
		;
	toml_doc_text(doc, &len);
	r.start = block_start_of(doc, h);
	r.end = k < n ? header_block_end(doc, r.start, block_start_of(doc, k))
		      : len;
	return splice_out(docp, &r, 1, err);
}
