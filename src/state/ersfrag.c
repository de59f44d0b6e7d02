#include "state/ersfrag.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/toml.h"
#include "lib/toml_edit.h"
#include "lib/xalloc.h"

/* ---- presets ---- */

const char *const ersfrag_preset_names[] = {
    "enable-ers-export",
    "generate-recovery-data",
    NULL,
};

/* The two public forms (docs/ers.md): older TSM versions, and v72-style
 * feature flags. */
static const char *const preset_texts[] = {
    "# Older TSM versions: ERS export per protocol.\n"
    "[DKLS19]\nEnableERSExport = true\n\n"
    "[SEPD19S]\nEnableERSExport = true\n",
    "# Newer (v72-style) TSM versions: recovery data per protocol.\n"
    "[DKLS19.Features]\nGenerateRecoveryData = true\n\n"
    "[SEPD19S.Features]\nGenerateRecoveryData = true\n",
};

const char *ersfrag_preset_text(const char *name)
{
	size_t k;

	for (k = 0; name != NULL && ersfrag_preset_names[k] != NULL; k++)
		if (strcmp(name, ersfrag_preset_names[k]) == 0)
			return preset_texts[k];
	return NULL;
}

/* ---- paths ---- */

static bool ef_bare(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Append one name to a TOML key path, quoted when it must be. */
static void ef_path_add(struct buf *b, const char *name)
{
	const unsigned char *s;

	if (b->len > 0)
		buf_append(b, ".", 1);
	if (ef_bare(name)) {
		buf_append(b, name, strlen(name));
		return;
	}
	buf_append(b, "\"", 1);
	for (s = (const unsigned char *)name; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_printf(b, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			buf_printf(b, "\\u%04x", *s);
		else
			buf_append(b, (const char *)s, 1);
	}
	buf_append(b, "\"", 1);
}

static char *ef_path(char *const *segs, size_t n)
{
	struct buf b;
	size_t k;

	buf_init(&b, 0);
	for (k = 0; k < n; k++)
		ef_path_add(&b, segs[k]);
	return buf_take(&b, NULL);
}

/* ---- the fragment ---- */

struct ef_walk {
	const char *path;
	const struct toml_doc *doc;
	struct ersfrag *f;
	char *segs[TOML_NEST_MAX + 1];
	size_t nsegs;
	char *msg;
	size_t msgsize;
};

static int ef_walk_table(struct ef_walk *w, const struct toml_value *t)
{
	size_t k, n = toml_table_count(t), len, start;
	const char *text = toml_doc_text(w->doc, &len);

	for (k = 0; k < n; k++) {
		size_t klen;
		const char *name = toml_table_key_at(t, k, &klen);
		const struct toml_value *v = toml_table_value_at(t, k);
		struct toml_pos pos = toml_value_pos(w->doc, v);
		struct ersfrag_key *e;
		size_t j;

		if (memchr(name, '\0', klen) != NULL) {
			snprintf(w->msg, w->msgsize,
				 "%s:%u: a key with a NUL character", w->path,
				 pos.line);
			return -1;
		}
		if (toml_value_type(v) == TOML_TABLE) {
			int rc;

			w->segs[w->nsegs++] = xstrndup(name, klen);
			rc = ef_walk_table(w, v);
			free(w->segs[--w->nsegs]);
			if (rc < 0)
				return -1;
			continue;
		}
		if (toml_value_type(v) == TOML_ARRAY && toml_array_is_aot(v)) {
			snprintf(
			    w->msg, w->msgsize,
			    "%s:%u: [[%.*s]] is an array of tables: an ERS "
			    "fragment holds only tables and keys (which "
			    "element would it merge into?)",
			    w->path, pos.line, (int)klen, name);
			return -1;
		}
		w->f->keys =
		    xrealloc(w->f->keys, (w->f->n + 1) * sizeof(*w->f->keys));
		e = &w->f->keys[w->f->n++];
		memset(e, 0, sizeof(*e));
		e->nsegs = w->nsegs;
		e->segs = xcalloc(w->nsegs + 1, sizeof(char *));
		for (j = 0; j < w->nsegs; j++)
			e->segs[j] = xstrdup(w->segs[j]);
		e->table = ef_path(e->segs, e->nsegs);
		e->key = xstrndup(name, klen);
		start = toml_value_start(v);
		e->value = xstrndup(text + start, toml_value_end(v) - start);
		e->line = pos.line;
	}
	return 0;
}

int ersfrag_parse(const char *path, const char *text, size_t len,
		  struct ersfrag *out, char *msg, size_t msgsize)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(text, len, &err);
	struct ef_walk w = {
	    .path = path, .f = out, .msg = msg, .msgsize = msgsize};
	int rc;

	memset(out, 0, sizeof(*out));
	if (doc == NULL) {
		snprintf(msg, msgsize, "%s:%u:%u: %s", path, err.line, err.col,
			 err.msg);
		return -1;
	}
	w.doc = doc;
	rc = ef_walk_table(&w, toml_doc_root(doc));
	toml_doc_free(doc);
	if (rc == 0 && out->n == 0) {
		snprintf(msg, msgsize, "%s: the fragment sets no key", path);
		rc = -1;
	}
	if (rc < 0) {
		ersfrag_free(out);
		return -1;
	}
	out->text = xstrndup(text, len);
	return 0;
}

void ersfrag_free(struct ersfrag *f)
{
	size_t k, j;

	for (k = 0; k < f->n; k++) {
		for (j = 0; j < f->keys[k].nsegs; j++)
			free(f->keys[k].segs[j]);
		free(f->keys[k].segs);
		free(f->keys[k].table);
		free(f->keys[k].key);
		free(f->keys[k].value);
	}
	free(f->keys);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

/* ---- values ---- */

static bool ef_equal(const struct toml_value *a, const struct toml_value *b)
{
	enum toml_type t = toml_value_type(a);
	size_t k, n, la, lb;

	if (t != toml_value_type(b))
		return false;
	switch (t) {
	case TOML_STRING: {
		const char *sa = toml_value_string(a, &la);
		const char *sb = toml_value_string(b, &lb);

		return la == lb && memcmp(sa, sb, la) == 0;
	}
	case TOML_INTEGER: return toml_value_int(a) == toml_value_int(b);
	case TOML_FLOAT: {
		double x = toml_value_float(a), y = toml_value_float(b);

		return x == y || (isnan(x) && isnan(y));
	}
	case TOML_BOOL: return toml_value_bool(a) == toml_value_bool(b);
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL: {
		const struct toml_datetime *x = toml_value_datetime(a);
		const struct toml_datetime *y = toml_value_datetime(b);

		return x->year == y->year && x->month == y->month &&
		       x->day == y->day && x->hour == y->hour &&
		       x->minute == y->minute && x->second == y->second &&
		       strcmp(x->frac, y->frac) == 0 &&
		       x->has_offset == y->has_offset &&
		       x->offset_minutes == y->offset_minutes;
	}
	case TOML_ARRAY:
		n = toml_array_count(a);
		if (n != toml_array_count(b))
			return false;
		for (k = 0; k < n; k++)
			if (!ef_equal(toml_array_at(a, k), toml_array_at(b, k)))
				return false;
		return true;
	case TOML_TABLE:
		n = toml_table_count(a);
		if (n != toml_table_count(b))
			return false;
		for (k = 0; k < n; k++) {
			const char *key = toml_table_key_at(a, k, &la);
			const struct toml_value *o =
			    toml_table_getn(b, key, la);

			if (o == NULL ||
			    !ef_equal(toml_table_value_at(a, k), o))
				return false;
		}
		return true;
	}
	return false;
}

/* A value's text in its document, for messages (cut at 60 bytes). */
static void ef_value_text(const struct toml_doc *doc,
			  const struct toml_value *v, char *out, size_t size)
{
	size_t len, s = toml_value_start(v), e = toml_value_end(v);
	const char *text = toml_doc_text(doc, &len);

	if (e > s + 60)
		snprintf(out, size, "%.60s...", text + s);
	else
		snprintf(out, size, "%.*s", (int)(e - s), text + s);
}

/* A value given as TOML text, parsed alone: "v = TEXT". */
static struct toml_doc *ef_value_doc(const char *value_text,
				     const struct toml_value **v)
{
	struct toml_error err;
	char *line = xasprintf("v = %s\n", value_text);
	struct toml_doc *doc = toml_doc_parse(line, strlen(line), &err);

	free(line);
	*v = doc ? toml_table_get(toml_doc_root(doc), "v") : NULL;
	return doc;
}

/* ---- merge ---- */

static void ef_add(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ef_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (b->len > 0)
		buf_append(b, "\n", 1);
	buf_append(b, s, strlen(s));
	free(s);
}

/* "DKLS19.Features" or "the top level", for messages. */
static const char *ef_where(const char *table)
{
	return table[0] ? table : "the top level";
}

/*
 * Walk e's table path in doc. 0: *t is the table; 1: missing from
 * segment *depth on; -1: a segment is not a table (conflicts gets why).
 */
static int ef_resolve(const struct toml_doc *doc, const struct ersfrag_key *e,
		      const struct toml_value **t, size_t *depth,
		      struct buf *conflicts)
{
	const struct toml_value *cur = toml_doc_root(doc);
	size_t k;

	for (k = 0; k < e->nsegs; k++) {
		const struct toml_value *v = toml_table_get(cur, e->segs[k]);
		char *p = ef_path(e->segs, k + 1);

		if (v == NULL) {
			free(p);
			*depth = k;
			*t = cur;
			return 1;
		}
		if (toml_value_type(v) != TOML_TABLE) {
			if (toml_value_type(v) == TOML_ARRAY &&
			    toml_array_is_aot(v))
				ef_add(conflicts,
				       "%s is an array of tables ([[%s]]) in "
				       "this config: the fragment's %s.%s "
				       "cannot go there",
				       p, p, e->table, e->key);
			else
				ef_add(conflicts,
				       "%s is a%s %s here, not a table: the "
				       "fragment's %s.%s cannot go there",
				       p,
				       toml_value_type(v) == TOML_ARRAY ||
					       toml_value_type(v) ==
						   TOML_INTEGER
					   ? "n"
					   : "",
				       toml_type_name(toml_value_type(v)),
				       e->table, e->key);
			free(p);
			return -1;
		}
		free(p);
		cur = v;
	}
	*t = cur;
	*depth = e->nsegs;
	return 0;
}

int ersfrag_merge(const char *config, size_t len, const struct ersfrag *f,
		  char **out, size_t *outlen, cJSON *record, char *msg,
		  size_t msgsize)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(config, len, &err);
	cJSON *added = cJSON_AddArrayToObject(record, "added");
	cJSON *created = cJSON_AddArrayToObject(record, "created");
	struct buf conflicts;
	size_t k, j, tlen;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (doc == NULL) {
		snprintf(msg, msgsize, "config.toml:%u:%u: %s", err.line,
			 err.col, err.msg);
		return -1;
	}
	buf_init(&conflicts, 0);
	for (k = 0; k < f->n; k++) {
		const struct ersfrag_key *e = &f->keys[k];
		const struct toml_value *t, *old, *want;
		size_t depth;
		int found = ef_resolve(doc, e, &t, &depth, &conflicts);

		if (found < 0)
			continue;
		old = found == 0 ? toml_table_get(t, e->key) : NULL;
		if (old != NULL) {
			struct toml_doc *wd;
			char have[80];

			wd = ef_value_doc(e->value, &want);
			if (want != NULL && ef_equal(old, want)) {
				toml_doc_free(wd);
				continue; /* there already: a no-op */
			}
			toml_doc_free(wd);
			ef_value_text(doc, old, have, sizeof(have));
			ef_add(&conflicts,
			       "%s: %s = %s here, the fragment says %s (line "
			       "%u of config.toml)",
			       ef_where(e->table), e->key, have, e->value,
			       toml_value_pos(doc, old).line);
			continue;
		}
		if (conflicts.len > 0)
			continue; /* only the conflicts matter now */
		/* A table named only on the way to a sub-table gets its
		 * header now: recorded as created, so that unmerge takes
		 * the header out again. */
		if (found == 0 && e->nsegs > 0 &&
		    toml_table_origin(t) == TOML_ORIGIN_IMPLICIT) {
			char *p = ef_path(e->segs, e->nsegs);

			cJSON_AddItemToArray(created, cJSON_CreateString(p));
			free(p);
		}
		for (j = depth; found == 1 && j < e->nsegs; j++) {
			char *p = ef_path(e->segs, j + 1);

			cJSON_AddItemToArray(created, cJSON_CreateString(p));
			free(p);
		}
		if (toml_edit_set(&doc, e->table, e->key, e->value, &err) < 0) {
			ef_add(&conflicts, "%s: %s cannot be added: %s",
			       ef_where(e->table), e->key, err.msg);
			continue;
		}
		{
			cJSON *a = cJSON_CreateObject();

			cJSON_AddStringToObject(a, "table", e->table);
			cJSON_AddStringToObject(a, "key", e->key);
			cJSON_AddStringToObject(a, "value", e->value);
			cJSON_AddItemToArray(added, a);
		}
	}
	if (conflicts.len > 0) {
		snprintf(msg, msgsize, "%s", conflicts.data);
		rc = 1;
	} else {
		const char *text = toml_doc_text(doc, &tlen);

		*out = xstrndup(text, tlen);
		*outlen = tlen;
	}
	buf_free(&conflicts);
	toml_doc_free(doc);
	return rc;
}

/* ---- unmerge ---- */

/* Does the table hold keys of its own (not sub-tables with headers)? */
static size_t ef_own_keys(const struct toml_value *t)
{
	size_t k, n = toml_table_count(t), own = 0;

	for (k = 0; k < n; k++) {
		const struct toml_value *v = toml_table_value_at(t, k);

		if (!(toml_value_type(v) == TOML_TABLE &&
		      (toml_table_origin(v) == TOML_ORIGIN_HEADER ||
		       toml_table_origin(v) == TOML_ORIGIN_IMPLICIT)) &&
		    !(toml_value_type(v) == TOML_ARRAY && toml_array_is_aot(v)))
			own++;
	}
	return own;
}

/*
 * Remove an emptied table that the merge created, unless that would take
 * a comment with it: a comment written into it since is somebody's, and
 * the empty header is kept with it.
 */
static void ef_remove_table(struct toml_doc **docp, const struct toml_value *t,
			    const char *table)
{
	struct toml_doc *copy;
	struct toml_error err;
	size_t blen, alen, pre = 0, suf = 0;
	const char *before = toml_doc_text(*docp, &blen), *after;

	copy = toml_doc_parse(before, blen, &err);
	if (copy == NULL)
		return;
	if (toml_table_count(t) == 0 &&
	    toml_table_origin(t) != TOML_ORIGIN_INLINE)
		toml_edit_remove_table(&copy, table, &err);
	else if (toml_table_origin(t) == TOML_ORIGIN_HEADER)
		toml_edit_remove_header(&copy, table, &err);
	after = toml_doc_text(copy, &alen);
	/* What went: the bytes between the common prefix and suffix. */
	while (pre < alen && before[pre] == after[pre])
		pre++;
	for (; pre + suf < alen; suf++)
		if (before[blen - 1 - suf] != after[alen - 1 - suf])
			break;
	if (memchr(before + pre, '#', blen - suf - pre) != NULL) {
		toml_doc_free(copy);
		return;
	}
	toml_doc_free(*docp);
	*docp = copy;
}

int ersfrag_unmerge(const char *config, size_t len, const cJSON *record,
		    char **out, size_t *outlen, size_t *removed, char *msg,
		    size_t msgsize)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(config, len, &err);
	const cJSON *added = cJSON_GetObjectItem(record, "added");
	const cJSON *created = cJSON_GetObjectItem(record, "created");
	struct buf conflicts;
	size_t tlen;
	int k, rc = 0;

	*out = NULL;
	*outlen = 0;
	*removed = 0;
	if (doc == NULL) {
		snprintf(msg, msgsize, "config.toml:%u:%u: %s", err.line,
			 err.col, err.msg);
		return -1;
	}
	buf_init(&conflicts, 0);
	for (k = cJSON_GetArraySize(added) - 1; k >= 0; k--) {
		const cJSON *a = cJSON_GetArrayItem(added, k);
		const char *table =
		    cJSON_GetStringValue(cJSON_GetObjectItem(a, "table"));
		const char *key =
		    cJSON_GetStringValue(cJSON_GetObjectItem(a, "key"));
		const char *value =
		    cJSON_GetStringValue(cJSON_GetObjectItem(a, "value"));
		const struct toml_value *t, *old, *want;
		struct toml_doc *wd;
		char have[80];

		if (table == NULL || key == NULL || value == NULL)
			continue;
		t = toml_edit_find(doc, table, &err);
		old = t && toml_value_type(t) == TOML_TABLE
			  ? toml_table_get(t, key)
			  : NULL;
		if (old == NULL)
			continue; /* gone already */
		wd = ef_value_doc(value, &want);
		if (want != NULL && ef_equal(old, want)) {
			toml_doc_free(wd);
			if (toml_edit_remove_key(&doc, table, key, &err) < 0)
				ef_add(&conflicts,
				       "%s: %s cannot be removed: %s",
				       ef_where(table), key, err.msg);
			else
				(*removed)++;
			continue;
		}
		toml_doc_free(wd);
		ef_value_text(doc, old, have, sizeof(have));
		ef_add(&conflicts,
		       "%s: %s = %s here, but %s was added: changed since; "
		       "not removed",
		       ef_where(table), key, have, value);
	}
	for (k = cJSON_GetArraySize(created) - 1; k >= 0 && conflicts.len == 0;
	     k--) {
		const char *table =
		    cJSON_GetStringValue(cJSON_GetArrayItem(created, k));
		const struct toml_value *t =
		    table ? toml_edit_find(doc, table, &err) : NULL;

		if (t == NULL || toml_value_type(t) != TOML_TABLE ||
		    ef_own_keys(t) > 0)
			continue;
		ef_remove_table(&doc, t, table);
	}
	if (conflicts.len > 0) {
		snprintf(msg, msgsize, "%s", conflicts.data);
		rc = 1;
	} else {
		const char *text = toml_doc_text(doc, &tlen);

		*out = xstrndup(text, tlen);
		*outlen = tlen;
	}
	buf_free(&conflicts);
	toml_doc_free(doc);
	return rc;
}

cJSON *ersfrag_record(const struct ersfrag *f)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *added = cJSON_AddArrayToObject(r, "added");
	cJSON *created = cJSON_AddArrayToObject(r, "created");
	size_t k, j, i;

	for (k = 0; k < f->n; k++) {
		const struct ersfrag_key *e = &f->keys[k];
		cJSON *a = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "table", e->table);
		cJSON_AddStringToObject(a, "key", e->key);
		cJSON_AddStringToObject(a, "value", e->value);
		cJSON_AddItemToArray(added, a);
		for (j = 1; j <= e->nsegs; j++) {
			char *p = ef_path(e->segs, j);
			bool seen = false;

			for (i = 0; i < (size_t)cJSON_GetArraySize(created);
			     i++)
				if (strcmp(
					cJSON_GetStringValue(cJSON_GetArrayItem(
					    created, (int)i)),
					p) == 0)
					seen = true;
			if (!seen)
				cJSON_AddItemToArray(created,
						     cJSON_CreateString(p));
			free(p);
		}
	}
	return r;
}

int ersfrag_present(const char *config, size_t len, const struct ersfrag *f)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(config, len, &err);
	struct buf ignore;
	size_t k, have = 0, other = 0;

	if (doc == NULL)
		return -1;
	buf_init(&ignore, 0);
	for (k = 0; k < f->n; k++) {
		const struct ersfrag_key *e = &f->keys[k];
		const struct toml_value *t, *old, *want;
		struct toml_doc *wd;
		size_t depth;

		if (ef_resolve(doc, e, &t, &depth, &ignore) != 0 ||
		    (old = toml_table_get(t, e->key)) == NULL)
			continue;
		wd = ef_value_doc(e->value, &want);
		if (want != NULL && ef_equal(old, want))
			have++;
		else
			other++;
		toml_doc_free(wd);
	}
	buf_free(&ignore);
	toml_doc_free(doc);
	if (have == f->n)
		return 1;
	return have == 0 && other == 0 ? 0 : 2;
}
