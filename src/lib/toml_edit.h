/*
 * toml_edit: change a parsed TOML document without disturbing the rest.
 *
 * Each edit splices new text into the document's exact bytes, parses the
 * result again, and on success replaces *docp (the old document is freed).
 * Everything the edit did not touch stays byte for byte: comments, blank
 * lines, key order, quoting, number formats, CRLF line ends. On failure
 * *docp is unchanged and err says why.
 *
 * Paths name tables with TOML key syntax: "" is the root, "DKLS19.Features",
 * "\"a.b\".c", and an element of an array of tables as "node[1]" (the index
 * is needed whenever the path passes through such an array).
 * Values are given as TOML text ("true", "\"x\"", "[1, 2]") and checked.
 */
#ifndef BVOPS_TOML_EDIT_H
#define BVOPS_TOML_EDIT_H

#include <stdbool.h>

#include "lib/toml.h"

/* Find the table a path names; NULL (and err) when there is none. */
const struct toml_value *toml_edit_find(const struct toml_doc *doc,
					const char *path,
					struct toml_error *err);

/*
 * Set key in the table at path to value_text. An existing value is
 * replaced in place; a new key goes after the table's last key, in the
 * style of its neighbours (indentation, dotted prefix, inline braces). A
 * missing table is created with a [header] next to its relatives.
 */
int toml_edit_set(struct toml_doc **docp, const char *path, const char *key,
		  const char *value_text, struct toml_error *err);

/* Remove one key (its whole line, with its comment) from the table. */
int toml_edit_remove_key(struct toml_doc **docp, const char *path,
			 const char *key, struct toml_error *err);

/* Add an empty [table] (a no-op when it exists and is a table). */
int toml_edit_add_table(struct toml_doc **docp, const char *path,
			struct toml_error *err);

/*
 * Remove a table with everything in it: its header block (with the blank
 * lines and comments just above the header), its sub-tables, and any dotted
 * keys that defined it.
 */
int toml_edit_remove_table(struct toml_doc **docp, const char *path,
			   struct toml_error *err);

/*
 * Remove only the [header] block of a table that has no keys of its own,
 * keeping its sub-tables: the undo of a header that an edit added in front
 * of existing sub-tables.
 */
int toml_edit_remove_header(struct toml_doc **docp, const char *path,
			    struct toml_error *err);

#endif
