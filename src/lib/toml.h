/*
 * toml: a TOML 1.0 parser that keeps the source text.
 *
 * Owns a toml_doc: the exact bytes it was given, a tree of values decoded
 * from them, and the list of statements (headers and key/value lines) with
 * their byte spans. Nothing is ever re-serialised from the tree, so writing a
 * document back gives exactly the bytes read; edits (toml_edit.h) splice the
 * text and parse it again. Every value, table and key remembers where it
 * stands in the text, so errors in files built on TOML (the fleet file, a
 * node's config.toml) can name FILE:LINE:COL.
 *
 * Values and strings returned by the accessors belong to the document and
 * live until toml_doc_free().
 */
#ifndef BVOPS_TOML_H
#define BVOPS_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,       /* date, time and offset */
	TOML_DATETIME_LOCAL, /* date and time */
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL,
	TOML_ARRAY,
	TOML_TABLE,
};

/* How a table came to be; decides which later definitions are legal. */
enum toml_table_origin {
	TOML_ORIGIN_ROOT,
	TOML_ORIGIN_IMPLICIT, /* named on the way to a deeper [header] */
	TOML_ORIGIN_HEADER,   /* its own [header] */
	TOML_ORIGIN_AOT,      /* one element of an [[array]] */
	TOML_ORIGIN_DOTTED,   /* created by a dotted key a.b = 1 */
	TOML_ORIGIN_INLINE,   /* { ... } */
};

struct toml_datetime {
	int year, month, day;     /* set for all but TOML_TIME_LOCAL */
	int hour, minute, second; /* set for all but TOML_DATE_LOCAL */
	char frac[10];            /* fraction digits as written, at most 9 */
	bool has_offset;          /* TOML_DATETIME only */
	int offset_minutes;       /* east of UTC */
	bool offset_z;            /* written as Z or z */
};

/* 1-based; col counts characters, not bytes. */
struct toml_pos {
	unsigned line;
	unsigned col;
};

#define TOML_ERROR_MAX 200

struct toml_error {
	unsigned line; /* 0 when the error has no place in the text */
	unsigned col;
	char msg[TOML_ERROR_MAX];
};

struct toml_doc;
struct toml_value;

/* Deepest nesting of values, however made (headers, dotted keys,
 * brackets); the root's keys are at depth 1. Deeper input is refused, so
 * nothing that walks a tree can exhaust the stack. */
#define TOML_NEST_MAX 128

/* Documents larger than this are refused rather than parsed. */
#define TOML_DOC_MAX ((size_t)16 << 20)

/*
 * Parse len bytes of text (copied). Returns a new document the caller frees
 * with toml_doc_free(), or NULL with *err filled in.
 */
struct toml_doc *toml_doc_parse(const char *text, size_t len,
				struct toml_error *err);
void toml_doc_free(struct toml_doc *doc);

/* The document's exact text; NUL-terminated, *len excludes the NUL. */
const char *toml_doc_text(const struct toml_doc *doc, size_t *len);
const struct toml_value *toml_doc_root(const struct toml_doc *doc);
/* Line and column of a byte offset into the document's text. */
struct toml_pos toml_doc_pos(const struct toml_doc *doc, size_t offset);
/* True when the document's first line ends in CRLF. */
bool toml_doc_uses_crlf(const struct toml_doc *doc);

enum toml_type toml_value_type(const struct toml_value *v);
const char *toml_type_name(enum toml_type type);
/* Byte span of the value's text ([start, end)); for a table made by a
 * header, the header; for a table made implicitly, where it was named. */
size_t toml_value_start(const struct toml_value *v);
size_t toml_value_end(const struct toml_value *v);
struct toml_pos toml_value_pos(const struct toml_doc *doc,
			       const struct toml_value *v);

/* Scalars; the caller checks the type first. */
const char *toml_value_string(const struct toml_value *v, size_t *len);
int64_t toml_value_int(const struct toml_value *v);
double toml_value_float(const struct toml_value *v);
bool toml_value_bool(const struct toml_value *v);
const struct toml_datetime *toml_value_datetime(const struct toml_value *v);

/* Arrays. */
size_t toml_array_count(const struct toml_value *array);
const struct toml_value *toml_array_at(const struct toml_value *array,
				       size_t i);
/* True for an array made of [[header]] tables. */
bool toml_array_is_aot(const struct toml_value *array);

/* Tables keep keys in the order they were defined. */
size_t toml_table_count(const struct toml_value *table);
const char *toml_table_key_at(const struct toml_value *table, size_t i,
			      size_t *len);
/* Byte offset of the key where it was defined (first part, if dotted). */
size_t toml_table_key_offset(const struct toml_value *table, size_t i);
const struct toml_value *toml_table_value_at(const struct toml_value *table,
					     size_t i);
/* Look a key up by its decoded name; NULL when absent. */
const struct toml_value *toml_table_get(const struct toml_value *table,
					const char *key);
const struct toml_value *toml_table_getn(const struct toml_value *table,
					 const char *key, size_t len);
enum toml_table_origin toml_table_origin(const struct toml_value *table);
/* True for an inline table and every table inside one: closed for good. */
bool toml_table_is_frozen(const struct toml_value *table);
/* For a table made by dotted keys: the statement index of the section
 * (header) it was made in, or TOML_NO_SECTION for the root. */
size_t toml_table_section(const struct toml_value *table);

/*
 * The items of an inline table as written ("a.b = 1" is one item): the span
 * of item i from its key to the end of its value, and the value.
 */
size_t toml_inline_count(const struct toml_value *table);
const struct toml_value *toml_inline_item_at(const struct toml_value *table,
					     size_t i, size_t *start,
					     size_t *end);

/* The value's container (NULL for the root) and its key or index there. */
const struct toml_value *toml_value_parent(const struct toml_value *v);
const char *toml_value_key(const struct toml_value *v, size_t *len);

/*
 * Statements: every header and top-level key/value line, in text order.
 * The edit module uses them to know where a table's lines are.
 */
enum toml_stmt_kind {
	TOML_STMT_KEYVAL,
	TOML_STMT_TABLE, /* [a.b] */
	TOML_STMT_AOT,   /* [[a.b]] */
};

struct toml_stmt {
	enum toml_stmt_kind kind;
	size_t line_start; /* start of the line the statement begins on */
	size_t start;      /* first byte of the key or of '[' */
	size_t end;        /* end of the value or of the closing ']' */
	size_t line_end;   /* after the newline that ends it (or EOF) */
	size_t section;    /* index of the header owning a key/value;
			      TOML_NO_SECTION for the root */
	const struct toml_value *table; /* header: the table it opens;
					   key/value: the table holding the
					   last key part */
	const struct toml_value *value; /* key/value: its value */
	size_t nkeys; /* parts of the dotted key or header name */
};

#define TOML_NO_SECTION ((size_t)-1)

size_t toml_doc_stmt_count(const struct toml_doc *doc);
const struct toml_stmt *toml_doc_stmt_at(const struct toml_doc *doc, size_t i);

/*
 * Format a key for writing: bare when it can be, else a basic string.
 * Appends to out; returns 0, or -1 when out is full.
 */
struct buf;
int toml_key_format(struct buf *out, const char *key, size_t len);
/* Format a string value as a TOML basic string. */
int toml_string_format(struct buf *out, const char *s, size_t len);

#endif
