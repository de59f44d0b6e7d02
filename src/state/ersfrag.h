/*
 * ersfrag: the ERS configuration as a TOML fragment, merged into a node's
 * config.toml and taken out again (docs/ers.md).
 *
 * A fragment is tables and keys ("[DKLS19]\nEnableERSExport = true");
 * each key is merged into the config's table of that name: a table that
 * exists gets the key after its last one (never a second [DKLS19] header,
 * which would be invalid TOML), a table that does not is added. A key
 * already there with the same value is a no-op; with another value it is
 * a conflict that stops the plan. The merge goes through toml_edit, so
 * every other byte of the config stays as it was, and the record of what
 * was added lets a revert take out exactly that.
 *
 * Pure functions over text; the strings and cJSON trees they return are
 * the caller's.
 */
#ifndef BVOPS_ERSFRAG_H
#define BVOPS_ERSFRAG_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* One key of a fragment: table path in TOML key syntax ("" the root,
 * "DKLS19.Features"), the key's name, the value's TOML text as written. */
struct ersfrag_key {
	char *table;
	char **segs; /* the table path's names, decoded */
	size_t nsegs;
	char *key;
	char *value;
	unsigned line; /* in the fragment's text */
};

struct ersfrag {
	char *text; /* the fragment's text, as given */
	struct ersfrag_key *keys;
	size_t n;
};

/*
 * Parse a fragment (path for messages). Inline tables count as tables;
 * arrays of tables are refused ("FILE:LINE: [[X]] ..."), and so is a
 * fragment that sets no key. 0, or -1 with a message.
 */
int ersfrag_parse(const char *path, const char *text, size_t len,
		  struct ersfrag *out, char *msg, size_t msgsize);
void ersfrag_free(struct ersfrag *f);

/* The documented presets: their names, NULL-terminated, and the text of
 * one (NULL when there is no such preset). */
extern const char *const ersfrag_preset_names[];
const char *ersfrag_preset_text(const char *name);

/*
 * Merge f into config (len bytes). Returns 0 with the merged text in
 * *out (a new string; the same bytes when every key was there already)
 * and, in record (an object the caller made), "added": [{table, key,
 * value}] and "created": [table paths that did not exist]; 1 when a key
 * conflicts (msg lists every conflict, one per line); -1 when config is
 * not TOML or the merge cannot be made (msg says why).
 */
int ersfrag_merge(const char *config, size_t len, const struct ersfrag *f,
		  char **out, size_t *outlen, cJSON *record, char *msg,
		  size_t msgsize);

/*
 * Take out of config what record ("added", "created", as ersfrag_merge
 * made it, or as ersfrag_record made it from a fragment) says was added:
 * a key is removed when it still has the value added (gone already: a
 * no-op), and a table that was created when it is left empty. Every other
 * byte stays. 0 with *out (a new string) and *removed (how many keys), 1
 * when a key added has another value now (msg says which), -1 when config
 * is not TOML.
 */
int ersfrag_unmerge(const char *config, size_t len, const cJSON *record,
		    char **out, size_t *outlen, size_t *removed, char *msg,
		    size_t msgsize);

/* A record for a merge made by hand: every key of f, and every table of
 * f as "created" (removed only when empty). A new object. */
cJSON *ersfrag_record(const struct ersfrag *f);

/*
 * Does config hold every key of f with its value? 1 yes, 0 none of them,
 * 2 some but not all (or some with another value); -1 not TOML.
 */
int ersfrag_present(const char *config, size_t len, const struct ersfrag *f);

#endif
