/*
 * TOML 1.0 parser. One pass over the bytes builds the value tree and the
 * statement list; all tree memory comes from one arena per document so a
 * failed parse frees everything at once.
 */
#include "lib/toml.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

/* ---- arena ------------------------------------------------------------ */

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
};

static void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct arena_block *b = a->head;
	void *p;

	size = (size + align - 1) / align * align;
	if (b == NULL || b->cap - b->used < size) {
		size_t cap = size > 16384 ? size : 16384;

		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void arena_free(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

/* ---- tree ------------------------------------------------------------- */

struct toml_entry {
	const char *key;
	size_t keylen;
	size_t key_off;
	struct toml_value *val;
};

/* One "key = value" written inside { }, in text order. */
struct toml_inline_item {
	size_t start, end;
	const struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	enum toml_table_origin origin;
	bool frozen; /* inline table contents: closed for good */
	bool aot;    /* array made of [[header]] tables */
	int depth;   /* the root is 0 */
	size_t start, end;
	size_t section; /* dotted tables: the section that made them */
	struct toml_value *parent;
	const char *key; /* NULL for array elements and the root */
	size_t keylen;
	struct toml_inline_item *items; /* inline tables only */
	size_t nitems, items_cap;
	union {
		struct {
			char *s;
			size_t len;
		} str;
		int64_t i;
		double f;
		bool b;
		struct toml_datetime dt;
		struct {
			struct toml_value **items;
			size_t n, cap;
		} arr;
		struct {
			struct toml_entry *items;
			size_t n, cap;
			uint32_t *index; /* open addressing, entry index + 1 */
			size_t index_cap;
		} tab;
	} u;
};

struct toml_doc {
	char *text;
	size_t len;
	struct arena arena;
	struct toml_value *root;
	struct toml_stmt *stmts;
	size_t nstmts, stmt_cap;
	bool crlf;
	/* Offsets where lines start, built on the first position asked for,
	 * so reporting many places costs a search each, not a scan. */
	size_t *line_starts;
	size_t nlines;
};

static uint32_t key_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void table_reindex(struct arena *a, struct toml_value *t)
{
	size_t cap = 16, i;

	while (cap < t->u.tab.n * 2 + 2)
		cap *= 2;
	t->u.tab.index = arena_alloc(a, cap * sizeof(uint32_t));
	t->u.tab.index_cap = cap;
	for (i = 0; i < t->u.tab.n; i++) {
		const struct toml_entry *e = &t->u.tab.items[i];
		size_t h = key_hash(e->key, e->keylen) & (cap - 1);

		while (t->u.tab.index[h] != 0)
			h = (h + 1) & (cap - 1);
		t->u.tab.index[h] = (uint32_t)(i + 1);
	}
}

static struct toml_entry *table_lookup(const struct toml_value *t,
				       const char *key, size_t len)
{
	size_t i;

	if (t->u.tab.index != NULL) {
		size_t mask = t->u.tab.index_cap - 1;
		size_t h = key_hash(key, len) & mask;

		for (; t->u.tab.index[h] != 0; h = (h + 1) & mask) {
			struct toml_entry *e =
			    &t->u.tab.items[t->u.tab.index[h] - 1];

			if (e->keylen == len && memcmp(e->key, key, len) == 0)
				return e;
		}
		return NULL;
	}
	for (i = 0; i < t->u.tab.n; i++) {
		struct toml_entry *e = &t->u.tab.items[i];

		if (e->keylen == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

static void table_insert(struct arena *a, struct toml_value *t, const char *key,
			 size_t len, size_t key_off, struct toml_value *v)
{
	struct toml_entry *e;

	if (t->u.tab.n == t->u.tab.cap) {
		size_t cap = t->u.tab.cap ? t->u.tab.cap * 2 : 4;
		struct toml_entry *items = arena_alloc(a, cap * sizeof(*items));

		if (t->u.tab.n > 0)
			memcpy(items, t->u.tab.items,
			       t->u.tab.n * sizeof(*items));
		t->u.tab.items = items;
		t->u.tab.cap = cap;
	}
	e = &t->u.tab.items[t->u.tab.n++];
	e->key = key;
	e->keylen = len;
	e->key_off = key_off;
	e->val = v;
	v->parent = t;
	v->key = key;
	v->keylen = len;
	if (t->u.tab.n >= 8 && t->u.tab.n * 2 + 2 > t->u.tab.index_cap)
		table_reindex(a, t);
	else if (t->u.tab.index != NULL) {
		size_t mask = t->u.tab.index_cap - 1;
		size_t h = key_hash(key, len) & mask;

		while (t->u.tab.index[h] != 0)
			h = (h + 1) & mask;
		t->u.tab.index[h] = (uint32_t)t->u.tab.n;
	}
}

static void array_push(struct arena *a, struct toml_value *arr,
		       struct toml_value *v)
{
	if (arr->u.arr.n == arr->u.arr.cap) {
		size_t cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
		struct toml_value **items =
		    arena_alloc(a, cap * sizeof(struct toml_value *));

		if (arr->u.arr.n > 0)
			memcpy(items, arr->u.arr.items,
			       arr->u.arr.n * sizeof(struct toml_value *));
		arr->u.arr.items = items;
		arr->u.arr.cap = cap;
	}
	arr->u.arr.items[arr->u.arr.n++] = v;
	v->parent = arr;
}

static struct toml_value *value_new(struct arena *a, enum toml_type type,
				    size_t start)
{
	struct toml_value *v = arena_alloc(a, sizeof(*v));

	v->type = type;
	v->start = start;
	v->end = start;
	v->section = TOML_NO_SECTION;
	return v;
}

/* ---- parser state ----------------------------------------------------- */

struct keypart {
	const char *s; /* decoded, in the arena */
	size_t len;
	size_t off; /* where the part starts in the text */
	size_t end;
};

struct parser {
	struct toml_doc *doc;
	const unsigned char *s;
	size_t len;
	size_t i;
	struct toml_value *cur; /* table that key/values go into */
	size_t section;         /* statement index of the current header */
	struct toml_error *err;
	int base;           /* depth of the value being parsed */
	struct buf scratch; /* string decoding */
	struct keypart *parts;
	size_t nparts, parts_cap;
	locale_t c_locale;
	const struct toml_value *last_value; /* of the last key/value */
};

static int fail(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	struct toml_pos pos = toml_doc_pos(p->doc, off);

	p->err->line = pos.line;
	p->err->col = pos.col;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int peek(const struct parser *p, size_t ahead)
{
	return p->i + ahead < p->len ? p->s[p->i + ahead] : -1;
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       is_digit(c) || c == '_' || c == '-';
}

/* Characters TOML forbids outside escapes: C0 controls but tab, and DEL. */
static bool is_forbidden_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/* Decode one UTF-8 scalar value; returns its length or 0 if malformed
 * (overlong, surrogate, above U+10FFFF, truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((c & 0x1fu) << 6) | (s[1] & 0x3fu);
		return 2;
	}
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		*cp = ((c & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) |
		      (s[2] & 0x3fu);
		return 3;
	}
	if (c < 0xf5) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		*cp = ((c & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) |
		      ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
		return 4;
	}
	return 0;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool at_newline(const struct parser *p)
{
	return peek(p, 0) == '\n' || (peek(p, 0) == '\r' && peek(p, 1) == '\n');
}

static void skip_newline(struct parser *p)
{
	p->i += peek(p, 0) == '\r' ? 2 : 1;
}

static void skip_ws(struct parser *p)
{
	while (is_ws(peek(p, 0)))
		p->i++;
}

/* Check one non-ASCII character at p->i and step over it. */
static int step_utf8(struct parser *p)
{
	uint32_t cp;
	size_t n = utf8_decode(p->s + p->i, p->len - p->i, &cp);

	if (n == 0)
		return fail(p, p->i, "invalid UTF-8");
	p->i += n;
	return 0;
}

static int parse_comment(struct parser *p)
{
	p->i++; /* '#' */
	while (p->i < p->len && !at_newline(p)) {
		int c = peek(p, 0);

		if (c == '\r')
			return fail(p, p->i, "carriage return without newline");
		if (is_forbidden_control(c))
			return fail(p, p->i,
				    "control character U+%04X in comment", c);
		if (c >= 0x80) {
			if (step_utf8(p) < 0)
				return -1;
		} else {
			p->i++;
		}
	}
	return 0;
}

/* After a statement: blanks, an optional comment, then newline or EOF. */
static int expect_eol(struct parser *p, const char *what)
{
	skip_ws(p);
	if (peek(p, 0) == '#' && parse_comment(p) < 0)
		return -1;
	if (p->i >= p->len)
		return 0;
	if (at_newline(p)) {
		skip_newline(p);
		return 0;
	}
	if (peek(p, 0) == '\r')
		return fail(p, p->i, "carriage return without newline");
	return fail(p, p->i, "expected end of line after %s", what);
}

/* Blanks, newlines and comments, as allowed inside arrays. */
static int skip_ws_nl(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		if (peek(p, 0) == '#') {
			if (parse_comment(p) < 0)
				return -1;
		} else if (at_newline(p)) {
			skip_newline(p);
		} else if (peek(p, 0) == '\r') {
			return fail(p, p->i, "carriage return without newline");
		} else {
			return 0;
		}
	}
}

/* ---- strings ---------------------------------------------------------- */

static int scratch_add(struct parser *p, const void *data, size_t n)
{
	if (buf_append(&p->scratch, data, n) < 0)
		return fail(p, p->i, "string too long");
	return 0;
}

static int parse_hex_escape(struct parser *p, int digits)
{
	uint32_t cp = 0;
	size_t start = p->i - 2;
	char out[4];
	int k;

	for (k = 0; k < digits; k++) {
		int c = peek(p, 0);

		cp <<= 4;
		if (is_digit(c))
			cp |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			cp |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			cp |= (uint32_t)(c - 'A' + 10);
		else
			return fail(p, start, "\\%c escape needs %d hex digits",
				    digits == 4 ? 'u' : 'U', digits);
		p->i++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(p, start, "escape is not a Unicode scalar value");
	return scratch_add(p, out, utf8_encode(cp, out));
}

/* At the character after a backslash in a basic string. */
static int parse_escape(struct parser *p, bool multiline)
{
	int c = peek(p, 0);
	char out;

	if (multiline) {
		/* Line-ending backslash: trim blanks and newlines after it. */
		size_t j = p->i;

		while (j < p->len && is_ws(p->s[j]))
			j++;
		if (j < p->len &&
		    (p->s[j] == '\n' || (p->s[j] == '\r' && j + 1 < p->len &&
					 p->s[j + 1] == '\n'))) {
			p->i = j;
			for (;;) {
				skip_ws(p);
				if (!at_newline(p))
					break;
				skip_newline(p);
			}
			return 0;
		}
	}
	p->i++;
	switch (c) {
	case 'b': out = '\b'; break;
	case 't': out = '\t'; break;
	case 'n': out = '\n'; break;
	case 'f': out = '\f'; break;
	case 'r': out = '\r'; break;
	case '"': out = '"'; break;
	case '\\': out = '\\'; break;
	case 'u': return parse_hex_escape(p, 4);
	case 'U': return parse_hex_escape(p, 8);
	default: return fail(p, p->i - 2, "invalid escape sequence");
	}
	return scratch_add(p, &out, 1);
}

/* Copy one plain character of a string body, checking it. */
static int string_char(struct parser *p, bool multiline)
{
	int c = peek(p, 0);
	size_t start = p->i;

	if (c == '\n' || c == '\r') {
		if (!multiline)
			return fail(p, p->i, "newline in a single-line string");
		if (c == '\r' && peek(p, 1) != '\n')
			return fail(p, p->i, "carriage return without newline");
		p->i += c == '\r' ? 2 : 1;
		return scratch_add(p, p->s + start, p->i - start);
	}
	if (is_forbidden_control(c))
		return fail(p, p->i, "control character U+%04X in string", c);
	if (c >= 0x80) {
		if (step_utf8(p) < 0)
			return -1;
	} else {
		p->i++;
	}
	return scratch_add(p, p->s + start, p->i - start);
}

/* Copy a run of plain printable ASCII at once: the common case. */
static int string_run(struct parser *p, int q)
{
	size_t end = p->i;

	while (end < p->len) {
		unsigned char c = p->s[end];

		if (c < 0x20 || c >= 0x7f || c == q || c == '\\')
			break;
		end++;
	}
	if (end == p->i)
		return 0;
	if (scratch_add(p, p->s + p->i, end - p->i) < 0)
		return -1;
	p->i = end;
	return 1;
}

/* Parse any of the four string forms at p->i into p->scratch. */
static int parse_string_raw(struct parser *p, bool allow_multiline)
{
	int q = peek(p, 0), rc;
	bool literal = q == '\'';
	size_t start = p->i;

	buf_reset(&p->scratch);
	if (peek(p, 1) == q && peek(p, 2) == q) {
		if (!allow_multiline)
			return fail(p, p->i,
				    "a key cannot be a multi-line string");
		p->i += 3;
		if (at_newline(p))
			skip_newline(p); /* a newline right after the quotes */
		for (;;) {
			if (p->i >= p->len)
				return fail(p, start,
					    "unterminated multi-line string");
			if (peek(p, 0) == q && peek(p, 1) == q &&
			    peek(p, 2) == q) {
				size_t run = 3;

				while (run < 6 && peek(p, (size_t)run) == q)
					run++;
				if (run > 5)
					return fail(p, p->i,
						    "too many quotes at the "
						    "end of a string");
				/* Up to two quotes belong to the content. */
				while (run-- > 3) {
					char c = (char)q;

					if (scratch_add(p, &c, 1) < 0)
						return -1;
					p->i++;
				}
				p->i += 3;
				return 0;
			}
			rc = string_run(p, q);
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
			if (!literal && peek(p, 0) == '\\') {
				p->i++;
				if (parse_escape(p, true) < 0)
					return -1;
			} else if (string_char(p, true) < 0) {
				return -1;
			}
		}
	}
	p->i++;
	for (;;) {
		if (p->i >= p->len)
			return fail(p, start, "unterminated string");
		if (peek(p, 0) == q) {
			p->i++;
			return 0;
		}
		rc = string_run(p, q);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if (!literal && peek(p, 0) == '\\') {
			p->i++;
			if (parse_escape(p, false) < 0)
				return -1;
		} else if (string_char(p, false) < 0) {
			return -1;
		}
	}
}

/* ---- keys ------------------------------------------------------------- */

static int parse_key(struct parser *p)
{
	p->nparts = 0;
	for (;;) {
		struct keypart part;
		int c = peek(p, 0);

		part.off = p->i;
		if (c == '"' || c == '\'') {
			if (parse_string_raw(p, false) < 0)
				return -1;
			part.s = arena_strndup(&p->doc->arena,
					       p->scratch.data ? p->scratch.data
							       : "",
					       p->scratch.len);
			part.len = p->scratch.len;
		} else if (is_bare(c)) {
			while (is_bare(peek(p, 0)))
				p->i++;
			part.len = p->i - part.off;
			part.s = arena_strndup(&p->doc->arena,
					       (const char *)p->s + part.off,
					       part.len);
		} else if (c < 0 || c == '\n' || c == '\r' || c == '=') {
			return fail(p, p->i, "expected a key");
		} else {
			return fail(p, p->i, "invalid character in key");
		}
		part.end = p->i;
		if (p->nparts == p->parts_cap) {
			p->parts_cap = p->parts_cap ? p->parts_cap * 2 : 8;
			p->parts = xrealloc(p->parts,
					    p->parts_cap * sizeof(*p->parts));
		}
		p->parts[p->nparts++] = part;
		skip_ws(p);
		if (peek(p, 0) != '.')
			return 0;
		p->i++;
		skip_ws(p);
	}
}

/* Quote-free dotted name of parts[0..n) for messages. */
static const char *parts_name(struct parser *p, size_t n)
{
	size_t k;

	buf_reset(&p->scratch);
	for (k = 0; k < n; k++) {
		if (k > 0)
			buf_append_char(&p->scratch, '.');
		buf_append(&p->scratch, p->parts[k].s,
			   p->parts[k].len > 60 ? 60 : p->parts[k].len);
	}
	return p->scratch.data ? p->scratch.data : "";
}

/* ---- scalars ---------------------------------------------------------- */

/* Digits with single underscores between them; returns count consumed. */
static size_t scan_digits(const char *t, size_t n, int base, bool *ok)
{
	size_t k = 0;
	bool prev_digit = false;

	*ok = true;
	for (; k < n; k++) {
		char c = t[k];
		bool digit;

		if (base == 16)
			digit = is_digit(c) || (c >= 'a' && c <= 'f') ||
				(c >= 'A' && c <= 'F');
		else
			digit = c >= '0' && c < '0' + base;
		if (digit) {
			prev_digit = true;
		} else if (c == '_') {
			if (!prev_digit || k + 1 >= n)
				*ok = false;
			prev_digit = false;
		} else {
			break;
		}
	}
	if (k == 0 || !prev_digit)
		*ok = false;
	return k;
}

static int parse_number(struct parser *p, struct toml_value *v)
{
	size_t start = p->i, n, k = 0, digits, int_start;
	const char *t = (const char *)p->s + start;
	bool neg = false, ok, is_float = false;
	char tmp[128];
	size_t tn = 0;

	while (p->i < p->len &&
	       (is_bare(peek(p, 0)) || peek(p, 0) == '+' || peek(p, 0) == '.'))
		p->i++;
	n = p->i - start;
	if (n > 0 && (t[0] == '+' || t[0] == '-')) {
		neg = t[0] == '-';
		k = 1;
	}
	if (n - k == 3 &&
	    (memcmp(t + k, "inf", 3) == 0 || memcmp(t + k, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		v->u.f = t[k] == 'i' ? HUGE_VAL : NAN;
		if (neg)
			v->u.f = -v->u.f;
		return 0;
	}
	if (n - k > 2 && t[k] == '0' &&
	    (t[k + 1] == 'x' || t[k + 1] == 'o' || t[k + 1] == 'b')) {
		int base = t[k + 1] == 'x' ? 16 : t[k + 1] == 'o' ? 8 : 2;
		uint64_t val = 0;
		size_t j;

		if (k > 0)
			return fail(p, start, "a %s integer cannot have a sign",
				    base == 16  ? "hexadecimal"
				    : base == 8 ? "octal"
						: "binary");
		digits = scan_digits(t + 2, n - 2, base, &ok);
		if (!ok || digits != n - 2)
			return fail(p, start, "invalid number");
		for (j = 2; j < n; j++) {
			int c = (unsigned char)t[j], d;

			if (c == '_')
				continue;
			d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
			if (val > (uint64_t)(INT64_MAX - d) / (uint64_t)base)
				return fail(p, start, "integer out of range");
			val = val * (uint64_t)base + (uint64_t)d;
		}
		v->type = TOML_INTEGER;
		v->u.i = (int64_t)val;
		return 0;
	}
	int_start = k;
	digits = scan_digits(t + k, n - k, 10, &ok);
	if (!ok)
		return fail(p, start, "invalid number");
	if (t[int_start] == '0' && digits > 1)
		return fail(p, start, "leading zeros are not allowed");
	k += digits;
	if (k < n && t[k] == '.') {
		is_float = true;
		k++;
		digits = scan_digits(t + k, n - k, 10, &ok);
		if (!ok)
			return fail(p, start, "a float needs digits after '.'");
		k += digits;
	}
	if (k < n && (t[k] == 'e' || t[k] == 'E')) {
		is_float = true;
		k++;
		if (k < n && (t[k] == '+' || t[k] == '-'))
			k++;
		digits = scan_digits(t + k, n - k, 10, &ok);
		if (!ok)
			return fail(p, start, "invalid exponent");
		k += digits;
	}
	if (k != n)
		return fail(p, start, "invalid number");
	for (k = 0; k < n; k++) {
		if (t[k] == '_')
			continue;
		if (tn + 1 >= sizeof(tmp))
			return fail(p, start, "number too long");
		tmp[tn++] = t[k];
	}
	tmp[tn] = '\0';
	if (is_float) {
		v->type = TOML_FLOAT;
		v->u.f = strtod_l(tmp, NULL, p->c_locale);
		return 0;
	}
	{
		uint64_t val = 0, limit = neg ? (uint64_t)INT64_MAX + 1
					      : (uint64_t)INT64_MAX;

		for (k = int_start; k < tn; k++) {
			unsigned d = (unsigned)(tmp[k] - '0');

			if (val > (limit - d) / 10)
				return fail(p, start, "integer out of range");
			val = val * 10 + d;
		}
		v->type = TOML_INTEGER;
		v->u.i = neg ? (int64_t)(0 - val) : (int64_t)val;
	}
	return 0;
}

/* Read exactly n digits at p->i. */
static int read_fixed(struct parser *p, int n, int *out)
{
	int k, val = 0;

	for (k = 0; k < n; k++) {
		int c = peek(p, 0);

		if (!is_digit(c))
			return -1;
		val = val * 10 + (c - '0');
		p->i++;
	}
	*out = val;
	return 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int parse_time_part(struct parser *p, struct toml_datetime *dt,
			   size_t start)
{
	if (read_fixed(p, 2, &dt->hour) < 0 || peek(p, 0) != ':' ||
	    (p->i++, read_fixed(p, 2, &dt->minute)) < 0 || peek(p, 0) != ':' ||
	    (p->i++, read_fixed(p, 2, &dt->second)) < 0)
		return fail(p, start, "invalid time (expected HH:MM:SS)");
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return fail(p, start, "time out of range");
	if (peek(p, 0) == '.') {
		size_t nf = 0;

		p->i++;
		if (!is_digit(peek(p, 0)))
			return fail(p, start,
				    "fraction of a second needs digits");
		while (is_digit(peek(p, 0))) {
			if (nf < sizeof(dt->frac) - 1)
				dt->frac[nf++] = (char)peek(p, 0);
			p->i++;
		}
	}
	return 0;
}

static int parse_datetime(struct parser *p, struct toml_value *v)
{
	struct toml_datetime *dt = &v->u.dt;
	size_t start = p->i;
	bool has_date = false;

	if (peek(p, 4) == '-') {
		if (read_fixed(p, 4, &dt->year) < 0 || peek(p, 0) != '-' ||
		    (p->i++, read_fixed(p, 2, &dt->month)) < 0 ||
		    peek(p, 0) != '-' ||
		    (p->i++, read_fixed(p, 2, &dt->day)) < 0)
			return fail(p, start,
				    "invalid date (expected YYYY-MM-DD)");
		if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
		    dt->day > days_in_month(dt->year, dt->month))
			return fail(p, start, "date out of range");
		has_date = true;
		v->type = TOML_DATE_LOCAL;
		if (peek(p, 0) == 'T' || peek(p, 0) == 't' ||
		    (peek(p, 0) == ' ' && is_digit(peek(p, 1)) &&
		     is_digit(peek(p, 2)) && peek(p, 3) == ':')) {
			p->i++;
		} else {
			return 0;
		}
	}
	if (parse_time_part(p, dt, start) < 0)
		return -1;
	if (!has_date) {
		v->type = TOML_TIME_LOCAL;
		return 0;
	}
	v->type = TOML_DATETIME_LOCAL;
	if (peek(p, 0) == 'Z' || peek(p, 0) == 'z') {
		p->i++;
		v->type = TOML_DATETIME;
		dt->has_offset = true;
		dt->offset_z = true;
	} else if (peek(p, 0) == '+' || peek(p, 0) == '-') {
		int sign = peek(p, 0) == '-' ? -1 : 1, oh, om;

		p->i++;
		if (read_fixed(p, 2, &oh) < 0 || peek(p, 0) != ':' ||
		    (p->i++, read_fixed(p, 2, &om)) < 0)
			return fail(p, start,
				    "invalid offset (expected +HH:MM)");
		if (oh > 23 || om > 59)
			return fail(p, start, "offset out of range");
		v->type = TOML_DATETIME;
		dt->has_offset = true;
		dt->offset_minutes = sign * (oh * 60 + om);
	}
	return 0;
}

/* ---- values ----------------------------------------------------------- */

static int parse_value(struct parser *p, struct toml_value **out);
static int parse_keyval(struct parser *p, struct toml_value *table,
			bool top_level);

static void freeze(struct toml_value *v)
{
	size_t k;

	if (v->type == TOML_TABLE) {
		v->frozen = true;
		for (k = 0; k < v->u.tab.n; k++)
			freeze(v->u.tab.items[k].val);
	} else if (v->type == TOML_ARRAY) {
		for (k = 0; k < v->u.arr.n; k++)
			freeze(v->u.arr.items[k]);
	}
}

static int parse_array(struct parser *p, struct toml_value *v)
{
	v->type = TOML_ARRAY;
	p->i++;
	for (;;) {
		struct toml_value *item;
		int rc;

		if (skip_ws_nl(p) < 0)
			return -1;
		if (peek(p, 0) == ']')
			break;
		if (p->i >= p->len)
			return fail(p, v->start, "unterminated array");
		p->base = v->depth + 1;
		rc = parse_value(p, &item);
		p->base = v->depth;
		if (rc < 0)
			return -1;
		array_push(&p->doc->arena, v, item);
		if (skip_ws_nl(p) < 0)
			return -1;
		if (peek(p, 0) == ',') {
			p->i++;
			continue;
		}
		if (peek(p, 0) == ']')
			break;
		if (p->i >= p->len)
			return fail(p, v->start, "unterminated array");
		return fail(p, p->i, "expected ',' or ']' in array");
	}
	p->i++;
	return 0;
}

static void inline_item_add(struct arena *a, struct toml_value *t, size_t start,
			    size_t end, const struct toml_value *value)
{
	if (t->nitems == t->items_cap) {
		size_t cap = t->items_cap ? t->items_cap * 2 : 4;
		struct toml_inline_item *items =
		    arena_alloc(a, cap * sizeof(*items));

		if (t->nitems > 0)
			memcpy(items, t->items, t->nitems * sizeof(*items));
		t->items = items;
		t->items_cap = cap;
	}
	t->items[t->nitems].start = start;
	t->items[t->nitems].end = end;
	t->items[t->nitems].value = value;
	t->nitems++;
}

static int parse_inline_table(struct parser *p, struct toml_value *v)
{
	v->type = TOML_TABLE;
	v->origin = TOML_ORIGIN_INLINE;
	p->i++;
	skip_ws(p);
	if (peek(p, 0) == '}') {
		p->i++;
		freeze(v);
		return 0;
	}
	for (;;) {
		size_t item_start = p->i;

		if (parse_keyval(p, v, false) < 0)
			return -1;
		inline_item_add(&p->doc->arena, v, item_start, p->i,
				p->last_value);
		skip_ws(p);
		if (peek(p, 0) == ',') {
			p->i++;
			skip_ws(p);
			if (peek(p, 0) == '}')
				return fail(p, p->i,
					    "trailing comma in inline table");
			continue;
		}
		if (peek(p, 0) == '}')
			break;
		if (p->i >= p->len)
			return fail(p, v->start, "unterminated inline table");
		if (at_newline(p))
			return fail(p, p->i,
				    "newline in inline table (it must be "
				    "on one line)");
		return fail(p, p->i, "expected ',' or '}' in inline table");
	}
	p->i++;
	freeze(v);
	return 0;
}

static int parse_value(struct parser *p, struct toml_value **out)
{
	struct toml_value *v = value_new(&p->doc->arena, TOML_STRING, p->i);
	int c = peek(p, 0), rc;

	*out = v;
	v->depth = p->base;
	if (v->depth > TOML_NEST_MAX)
		return fail(p, p->i,
			    "values nested too deeply (the limit is %d)",
			    TOML_NEST_MAX);
	if (c == '"' || c == '\'') {
		rc = parse_string_raw(p, true);
		if (rc == 0) {
			v->u.str.len = p->scratch.len;
			v->u.str.s = arena_strndup(
			    &p->doc->arena,
			    p->scratch.data ? p->scratch.data : "",
			    p->scratch.len);
		}
	} else if (c == '[') {
		rc = parse_array(p, v);
	} else if (c == '{') {
		rc = parse_inline_table(p, v);
	} else if (c == 't' && p->len - p->i >= 4 &&
		   memcmp(p->s + p->i, "true", 4) == 0) {
		p->i += 4;
		v->type = TOML_BOOL;
		v->u.b = true;
		rc = 0;
	} else if (c == 'f' && p->len - p->i >= 5 &&
		   memcmp(p->s + p->i, "false", 5) == 0) {
		p->i += 5;
		v->type = TOML_BOOL;
		v->u.b = false;
		rc = 0;
	} else if (is_digit(c) &&
		   ((is_digit(peek(p, 1)) && is_digit(peek(p, 2)) &&
		     is_digit(peek(p, 3)) && peek(p, 4) == '-') ||
		    (is_digit(peek(p, 1)) && peek(p, 2) == ':'))) {
		rc = parse_datetime(p, v);
	} else if (is_digit(c) || c == '+' || c == '-' || c == 'i' ||
		   c == 'n') {
		rc = parse_number(p, v);
	} else if (c < 0 || c == '\n' || c == '\r' || c == '#') {
		rc = fail(p, p->i, "expected a value");
	} else {
		rc = fail(p, p->i, "invalid value");
	}
	v->end = p->i;
	return rc;
}

/* A new table or array under parent, made by a header or a dotted key. */
static struct toml_value *child_new(struct parser *p,
				    const struct toml_value *parent,
				    enum toml_type type, size_t start)
{
	struct toml_value *v = value_new(&p->doc->arena, type, start);

	v->depth = parent->depth + 1;
	if (v->depth > TOML_NEST_MAX) {
		fail(p, start, "tables nested too deeply (the limit is %d)",
		     TOML_NEST_MAX);
		return NULL;
	}
	return v;
}

/* ---- statements ------------------------------------------------------- */

static size_t line_start_of(const struct parser *p, size_t off)
{
	while (off > 0 && p->s[off - 1] != '\n')
		off--;
	return off;
}

static struct toml_stmt *stmt_add(struct parser *p, enum toml_stmt_kind kind,
				  size_t start)
{
	struct toml_doc *d = p->doc;
	struct toml_stmt *st;

	if (d->nstmts == d->stmt_cap) {
		d->stmt_cap = d->stmt_cap ? d->stmt_cap * 2 : 32;
		d->stmts = xrealloc(d->stmts, d->stmt_cap * sizeof(*d->stmts));
	}
	st = &d->stmts[d->nstmts++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->start = start;
	st->line_start = line_start_of(p, start);
	st->section = TOML_NO_SECTION;
	return st;
}

static const char *origin_word(const struct toml_value *t)
{
	switch (t->origin) {
	case TOML_ORIGIN_HEADER:
	case TOML_ORIGIN_AOT: return "by a [table] header";
	case TOML_ORIGIN_DOTTED: return "by dotted keys";
	case TOML_ORIGIN_INLINE: return "as an inline table";
	default: return "already";
	}
}

static int parse_keyval(struct parser *p, struct toml_value *table,
			bool top_level)
{
	size_t start = p->i, k, nkeys;
	struct toml_value *t = table, *v;
	struct keypart leaf;
	struct toml_entry *e;

	if (parse_key(p) < 0)
		return -1;
	if (peek(p, 0) != '=')
		return fail(p, p->i, "expected '=' after key");
	p->i++;
	skip_ws(p);
	nkeys = p->nparts;
	for (k = 0; k + 1 < nkeys; k++) {
		struct keypart *part = &p->parts[k];

		e = table_lookup(t, part->s, part->len);
		if (e == NULL) {
			struct toml_value *nt =
			    child_new(p, t, TOML_TABLE, part->off);

			if (nt == NULL)
				return -1;
			nt->origin = TOML_ORIGIN_DOTTED;
			nt->section = p->section;
			nt->end = part->end;
			table_insert(&p->doc->arena, t, part->s, part->len,
				     part->off, nt);
			t = nt;
			continue;
		}
		if (e->val->type != TOML_TABLE)
			return fail(p, part->off,
				    "key '%s' is already a %s, not a table",
				    parts_name(p, k + 1),
				    toml_type_name(e->val->type));
		if (e->val->frozen)
			return fail(p, part->off,
				    "table '%s' was defined as an inline table "
				    "and cannot be extended",
				    parts_name(p, k + 1));
		if (e->val->origin == TOML_ORIGIN_HEADER ||
		    (e->val->origin == TOML_ORIGIN_DOTTED &&
		     e->val->section != p->section))
			return fail(p, part->off,
				    "table '%s' was defined %s; dotted keys "
				    "cannot add to it here",
				    parts_name(p, k + 1), origin_word(e->val));
		t = e->val;
	}
	leaf = p->parts[nkeys - 1];
	if (table_lookup(t, leaf.s, leaf.len) != NULL)
		return fail(p, leaf.off, "duplicate key '%s'",
			    parts_name(p, nkeys));
	p->base = t->depth + 1;
	if (parse_value(p, &v) < 0)
		return -1;
	table_insert(&p->doc->arena, t, leaf.s, leaf.len, leaf.off, v);
	p->last_value = v;
	if (top_level) {
		struct toml_stmt *st = stmt_add(p, TOML_STMT_KEYVAL, start);

		st->end = v->end;
		st->section = p->section;
		st->table = t;
		st->value = v;
		st->nkeys = nkeys;
		if (expect_eol(p, "value") < 0)
			return -1;
		/* stmt_add may have moved the array; look it up again. */
		p->doc->stmts[p->doc->nstmts - 1].line_end = p->i;
	}
	return 0;
}

static int parse_header(struct parser *p)
{
	size_t start = p->i, k, nkeys;
	bool aot = peek(p, 1) == '[';
	struct toml_value *t = p->doc->root, *nt;
	struct toml_entry *e;
	struct toml_stmt *st;
	struct keypart last;

	p->i += aot ? 2 : 1;
	skip_ws(p);
	if (parse_key(p) < 0)
		return -1;
	if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']'))
		return fail(p, p->i, "expected '%s' to close the table header",
			    aot ? "]]" : "]");
	p->i += aot ? 2 : 1;
	nkeys = p->nparts;
	for (k = 0; k + 1 < nkeys; k++) {
		struct keypart *part = &p->parts[k];

		e = table_lookup(t, part->s, part->len);
		if (e == NULL) {
			nt = child_new(p, t, TOML_TABLE, part->off);
			if (nt == NULL)
				return -1;
			nt->origin = TOML_ORIGIN_IMPLICIT;
			nt->end = part->end;
			table_insert(&p->doc->arena, t, part->s, part->len,
				     part->off, nt);
			t = nt;
		} else if (e->val->type == TOML_TABLE) {
			if (e->val->frozen)
				return fail(p, part->off,
					    "table '%s' was defined as an "
					    "inline table and cannot be "
					    "extended",
					    parts_name(p, k + 1));
			t = e->val;
		} else if (e->val->type == TOML_ARRAY && e->val->aot) {
			t = e->val->u.arr.items[e->val->u.arr.n - 1];
		} else {
			return fail(p, part->off,
				    "key '%s' is already a %s, not a table",
				    parts_name(p, k + 1),
				    toml_type_name(e->val->type));
		}
	}
	last = p->parts[nkeys - 1];
	e = table_lookup(t, last.s, last.len);
	if (!aot) {
		if (e == NULL) {
			nt = child_new(p, t, TOML_TABLE, start);
			if (nt == NULL)
				return -1;
			table_insert(&p->doc->arena, t, last.s, last.len,
				     last.off, nt);
		} else if (e->val->type == TOML_TABLE &&
			   e->val->origin == TOML_ORIGIN_IMPLICIT) {
			nt = e->val;
			nt->start = start;
		} else if (e->val->type == TOML_TABLE) {
			return fail(p, start,
				    "table '%s' is defined twice "
				    "(first %s)",
				    parts_name(p, nkeys), origin_word(e->val));
		} else {
			return fail(
			    p, start, "key '%s' is already a %s, not a table",
			    parts_name(p, nkeys), toml_type_name(e->val->type));
		}
		nt->origin = TOML_ORIGIN_HEADER;
	} else {
		struct toml_value *arr;

		if (e == NULL) {
			arr = child_new(p, t, TOML_ARRAY, start);
			if (arr == NULL)
				return -1;
			arr->aot = true;
			table_insert(&p->doc->arena, t, last.s, last.len,
				     last.off, arr);
		} else if (e->val->type == TOML_ARRAY && e->val->aot) {
			arr = e->val;
		} else {
			return fail(p, start,
				    "'%s' is already a %s, not an array of "
				    "tables",
				    parts_name(p, nkeys),
				    e->val->type == TOML_ARRAY
					? "static array"
					: toml_type_name(e->val->type));
		}
		nt = child_new(p, arr, TOML_TABLE, start);
		if (nt == NULL)
			return -1;
		nt->origin = TOML_ORIGIN_AOT;
		array_push(&p->doc->arena, arr, nt);
	}
	nt->end = p->i;
	st = stmt_add(p, aot ? TOML_STMT_AOT : TOML_STMT_TABLE, start);
	st->end = p->i;
	st->table = nt;
	st->nkeys = nkeys;
	p->cur = nt;
	p->section = p->doc->nstmts - 1;
	if (expect_eol(p, "table header") < 0)
		return -1;
	p->doc->stmts[p->section].line_end = p->i;
	return 0;
}

static int parse_document(struct parser *p)
{
	if (p->len >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
		p->i = 3;
	while (p->i < p->len) {
		int c;

		skip_ws(p);
		c = peek(p, 0);
		if (c < 0)
			break;
		if (c == '#') {
			if (expect_eol(p, "comment") < 0)
				return -1;
		} else if (at_newline(p)) {
			skip_newline(p);
		} else if (c == '[') {
			if (parse_header(p) < 0)
				return -1;
		} else if (c == '\r') {
			return fail(p, p->i, "carriage return without newline");
		} else {
			if (parse_keyval(p, p->cur, true) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- public ----------------------------------------------------------- */

struct toml_doc *toml_doc_parse(const char *text, size_t len,
				struct toml_error *err)
{
	struct toml_doc *doc = xcalloc(1, sizeof(*doc));
	struct parser p;
	const char *nl;
	int rc;

	memset(err, 0, sizeof(*err));
	doc->text = xstrndup(text, len);
	doc->len = len;
	doc->root = value_new(&doc->arena, TOML_TABLE, 0);
	doc->root->origin = TOML_ORIGIN_ROOT;
	doc->root->end = len;
	nl = memchr(text, '\n', len);
	doc->crlf = nl != NULL && nl > text && nl[-1] == '\r';
	memset(&p, 0, sizeof(p));
	p.doc = doc;
	p.s = (const unsigned char *)doc->text;
	p.len = len;
	p.cur = doc->root;
	p.section = TOML_NO_SECTION;
	p.err = err;
	buf_init(&p.scratch, TOML_DOC_MAX);
	if (len > TOML_DOC_MAX) {
		snprintf(err->msg, sizeof(err->msg),
			 "document too large (%zu bytes; the limit is %zu)",
			 len, TOML_DOC_MAX);
		rc = -1;
	} else {
		p.c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
		if (p.c_locale == (locale_t)0) {
			snprintf(err->msg, sizeof(err->msg),
				 "cannot create the C locale");
			rc = -1;
		} else {
			rc = parse_document(&p);
			freelocale(p.c_locale);
		}
	}
	buf_free(&p.scratch);
	free(p.parts);
	if (rc < 0) {
		toml_doc_free(doc);
		return NULL;
	}
	return doc;
}

void toml_doc_free(struct toml_doc *doc)
{
	if (doc == NULL)
		return;
	arena_free(&doc->arena);
	free(doc->line_starts);
	free(doc->stmts);
	free(doc->text);
	free(doc);
}

const char *toml_doc_text(const struct toml_doc *doc, size_t *len)
{
	if (len != NULL)
		*len = doc->len;
	return doc->text;
}

const struct toml_value *toml_doc_root(const struct toml_doc *doc)
{
	return doc->root;
}

struct toml_pos toml_doc_pos(const struct toml_doc *doc, size_t offset)
{
	struct toml_doc *d = (struct toml_doc *)doc; /* the cache only */
	struct toml_pos pos = {1, 1};
	size_t i, lo = 0, hi;

	if (d->line_starts == NULL) {
		size_t n = 1;

		for (i = 0; i < d->len; i++)
			n += d->text[i] == '\n';
		d->line_starts = xmalloc(n * sizeof(size_t));
		d->line_starts[0] = 0;
		d->nlines = 1;
		for (i = 0; i < d->len; i++)
			if (d->text[i] == '\n')
				d->line_starts[d->nlines++] = i + 1;
	}
	if (offset > d->len)
		offset = d->len;
	/* The last line that starts at or before offset. */
	hi = d->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	pos.line = (unsigned)lo + 1;
	for (i = d->line_starts[lo]; i < offset; i++)
		if (((unsigned char)d->text[i] & 0xc0) != 0x80)
			pos.col++;
	return pos;
}

bool toml_doc_uses_crlf(const struct toml_doc *doc)
{
	return doc->crlf;
}

enum toml_type toml_value_type(const struct toml_value *v)
{
	return v->type;
}

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	case TOML_DATETIME: return "date-time";
	case TOML_DATETIME_LOCAL: return "local date-time";
	case TOML_DATE_LOCAL: return "local date";
	case TOML_TIME_LOCAL: return "local time";
	case TOML_ARRAY: return "array";
	case TOML_TABLE: return "table";
	}
	return "value";
}

size_t toml_value_start(const struct toml_value *v)
{
	return v->start;
}

size_t toml_value_end(const struct toml_value *v)
{
	return v->end;
}

struct toml_pos toml_value_pos(const struct toml_doc *doc,
			       const struct toml_value *v)
{
	return toml_doc_pos(doc, v->start);
}

const char *toml_value_string(const struct toml_value *v, size_t *len)
{
	if (len != NULL)
		*len = v->u.str.len;
	return v->u.str.s;
}

int64_t toml_value_int(const struct toml_value *v)
{
	return v->u.i;
}

double toml_value_float(const struct toml_value *v)
{
	return v->u.f;
}

bool toml_value_bool(const struct toml_value *v)
{
	return v->u.b;
}

const struct toml_datetime *toml_value_datetime(const struct toml_value *v)
{
	return &v->u.dt;
}

size_t toml_array_count(const struct toml_value *array)
{
	return array->u.arr.n;
}

const struct toml_value *toml_array_at(const struct toml_value *array, size_t i)
{
	return i < array->u.arr.n ? array->u.arr.items[i] : NULL;
}

bool toml_array_is_aot(const struct toml_value *array)
{
	return array->aot;
}

size_t toml_table_count(const struct toml_value *table)
{
	return table->u.tab.n;
}

const char *toml_table_key_at(const struct toml_value *table, size_t i,
			      size_t *len)
{
	if (len != NULL)
		*len = table->u.tab.items[i].keylen;
	return table->u.tab.items[i].key;
}

size_t toml_table_key_offset(const struct toml_value *table, size_t i)
{
	return table->u.tab.items[i].key_off;
}

const struct toml_value *toml_table_value_at(const struct toml_value *table,
					     size_t i)
{
	return table->u.tab.items[i].val;
}

const struct toml_value *toml_table_getn(const struct toml_value *table,
					 const char *key, size_t len)
{
	const struct toml_entry *e;

	if (table == NULL || table->type != TOML_TABLE)
		return NULL;
	e = table_lookup(table, key, len);
	return e != NULL ? e->val : NULL;
}

const struct toml_value *toml_table_get(const struct toml_value *table,
					const char *key)
{
	return toml_table_getn(table, key, strlen(key));
}

enum toml_table_origin toml_table_origin(const struct toml_value *table)
{
	return table->origin;
}

bool toml_table_is_frozen(const struct toml_value *table)
{
	return table->frozen;
}

size_t toml_table_section(const struct toml_value *table)
{
	return table->section;
}

const struct toml_value *toml_value_parent(const struct toml_value *v)
{
	return v->parent;
}

const char *toml_value_key(const struct toml_value *v, size_t *len)
{
	if (len != NULL)
		*len = v->keylen;
	return v->key;
}

size_t toml_inline_count(const struct toml_value *table)
{
	return table->nitems;
}

const struct toml_value *toml_inline_item_at(const struct toml_value *table,
					     size_t i, size_t *start,
					     size_t *end)
{
	if (i >= table->nitems)
		return NULL;
	*start = table->items[i].start;
	*end = table->items[i].end;
	return table->items[i].value;
}

size_t toml_doc_stmt_count(const struct toml_doc *doc)
{
	return doc->nstmts;
}

const struct toml_stmt *toml_doc_stmt_at(const struct toml_doc *doc, size_t i)
{
	return i < doc->nstmts ? &doc->stmts[i] : NULL;
}

int toml_key_format(struct buf *out, const char *key, size_t len)
{
	size_t k;
	bool bare = len > 0;

	for (k = 0; k < len && bare; k++)
		bare = is_bare((unsigned char)key[k]);
	if (bare)
		return buf_append(out, key, len);
	return toml_string_format(out, key, len);
}

int toml_string_format(struct buf *out, const char *s, size_t len)
{
	size_t k;
	int rc = buf_append_char(out, '"');

	for (k = 0; k < len && rc == 0; k++) {
		unsigned char c = (unsigned char)s[k];

		switch (c) {
		case '"': rc = buf_append_str(out, "\\\""); break;
		case '\\': rc = buf_append_str(out, "\\\\"); break;
		case '\b': rc = buf_append_str(out, "\\b"); break;
		case '\t': rc = buf_append_str(out, "\\t"); break;
		case '\n': rc = buf_append_str(out, "\\n"); break;
		case '\f': rc = buf_append_str(out, "\\f"); break;
		case '\r': rc = buf_append_str(out, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				rc = buf_printf(out, "\\u%04X", c);
			else
				rc = buf_append_char(out, (char)c);
		}
	}
	return rc == 0 ? buf_append_char(out, '"') : -1;
}
