#include "state/redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

bool redact_key_is_secret(const char *key, size_t len)
{
	static const char *const words[] = {
	    "password",      "passwd",     "passphrase", "secret",
	    "privatekey",    "privkey",    "token",      "apikey",
	    "accesskey",     "credential", "mnemonic",   "masterkey",
	    "encryptionkey", "signingkey", "seed",       "kmskey",
	    "authkey",       "hmackey",    "pincode",    NULL};
	char norm[256];
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < sizeof(norm); i++) {
		unsigned char c = (unsigned char)key[i];

		if (c == '_' || c == '-' || c == '.' || c == ' ')
			continue;
		norm[n++] = (char)tolower(c);
	}
	norm[n] = '\0';
	for (i = 0; words[i] != NULL; i++)
		if (strstr(norm, words[i]) != NULL)
			return true;
	if (n >= 3 && strcmp(norm + n - 3, "pwd") == 0)
		return true;
	/* "pin" as a word of its own (pin, user_pin, UserPin), not the end
	 * of one (spin). */
	if (len >= 3 && strncasecmp(key + len - 3, "pin", 3) == 0) {
		if (len == 3 || strchr("_-. ", key[len - 4]) != NULL)
			return true;
		if (key[len - 3] == 'P' && islower((unsigned char)key[len - 4]))
			return true;
	}
	/* "pass" as a word of its own (pass, db_pass, userPass), not the
	 * end of one (compass, bypass). */
	if (len >= 4 && strncasecmp(key + len - 4, "pass", 4) == 0) {
		if (len == 4 || strchr("_-. ", key[len - 5]) != NULL)
			return true;
		return key[len - 4] == 'P' &&
		       islower((unsigned char)key[len - 5]);
	}
	return false;
}

/* Replace s[from, to) of b's copy of the string by the mark. */
static void redact_splice(struct buf *b, const char *s, size_t from, size_t to,
			  size_t len)
{
	buf_reset(b);
	buf_append(b, s, from);
	buf_append_str(b, REDACT_MARK);
	buf_append(b, s + to, len - to);
}

/* Is c a separator between the words of a connection string? */
static bool redact_sep(char c)
{
	return isspace((unsigned char)c) || c == ';' || c == ',' || c == '&';
}

/* Hide s[from, to) of *cur (the mark instead), unless it is the mark. */
static bool redact_range(struct buf *b, char **cur, size_t *cur_len,
			 size_t from, size_t to)
{
	if (to <= from || (to - from == strlen(REDACT_MARK) &&
			   strncmp(*cur + from, REDACT_MARK, to - from) == 0))
		return false;
	redact_splice(b, *cur, from, to, *cur_len);
	free(*cur);
	*cur = buf_take(b, cur_len);
	return true;
}

/*
 * The password of a "user:password@host" at [start, end) (a URL's
 * authority, or a bare DSN up to its last '/'): the userinfo ends at the
 * LAST '@', as libpq and Go read it (a password may hold '@'); the
 * password starts after the first ':' of the userinfo. Returns whether
 * it was hidden; *next: where to go on.
 */
static bool redact_userinfo(struct buf *b, char **cur, size_t *cur_len,
			    size_t start, size_t end, size_t *next)
{
	const char *s = *cur, *at = NULL, *colon;
	size_t i;

	*next = end;
	for (i = start; i < end; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL)
		return false;
	colon = memchr(s + start, ':', (size_t)(at - s) - start);
	if (colon == NULL || colon + 1 >= at)
		return false;
	i = (size_t)(colon - s) + 1;
	if (!redact_range(b, cur, cur_len, i, (size_t)(at - s)))
		return false;
	*next = i + strlen(REDACT_MARK); /* the '@' after the mark */
	return true;
}

/*
 * Where the value of a "key = value" starting at s[i] ends: a quoted one
 * ('...' with \ escapes as libpq's; "..." with "" for a quote; {...} with
 * }} for a brace, as ODBC's) at its closing quote, others at a space,
 * ';' or '&'.
 */
static size_t redact_value_end(const char *s, size_t len, size_t i)
{
	char close = s[i] == '\''  ? '\''
		     : s[i] == '"' ? '"'
		     : s[i] == '{' ? '}'
				   : 0;

	if (close == 0) {
		while (i < len && !isspace((unsigned char)s[i]) &&
		       s[i] != ';' && s[i] != '&')
			i++;
		return i;
	}
	for (i++; i < len; i++) {
		if (close == '\'' && s[i] == '\\' && i + 1 < len) {
			i++;
			continue;
		}
		if (s[i] == close) {
			if (close != '\'' && i + 1 < len && s[i + 1] == close) {
				i++; /* doubled: part of the value */
				continue;
			}
			return i + 1;
		}
	}
	return len; /* unclosed: all of the rest */
}

char *redact_string(const char *s, size_t len)
{
	static const char *const params[] = {"password", "passwd", "pwd",
					     "secret",   "token",  NULL};
	struct buf b;
	char *cur = xstrndup(s, len), *p;
	size_t cur_len = len, k, i, next;
	bool changed = false;

	buf_init(&b, 0);
	if (strstr(cur, "PRIVATE KEY-----") != NULL) {
		free(cur);
		return xstrdup(REDACT_MARK);
	}
	/* scheme://user:password@host,host2/path: the authority ends at the
	 * first '/', '?', '#' or space after "//". */
	for (p = strstr(cur, "://"); p != NULL; p = strstr(cur + next, "://")) {
		size_t a = (size_t)(p - cur) + 3, e = a;

		while (e < cur_len && cur[e] != '/' && cur[e] != '?' &&
		       cur[e] != '#' && !isspace((unsigned char)cur[e]))
			e++;
		if (redact_userinfo(&b, &cur, &cur_len, a, e, &next))
			changed = true;
		if (next >= cur_len)
			break;
	}
	/* A bare user:password@host (Go's DSN: user:pw@tcp(db:3306)/name):
	 * each word without "://", up to its last '/'. */
	for (i = 0; i < cur_len; i = next + 1) {
		size_t w = i, e, slash;

		while (w < cur_len && redact_sep(cur[w]))
			w++;
		e = w;
		while (e < cur_len && !redact_sep(cur[e]))
			e++;
		next = e;
		if (e == w || memmem(cur + w, e - w, "://", 3) != NULL)
			continue;
		/* After a "key=" (before any '@'): the DSN is the value. */
		for (k = w; k < e && cur[k] != '@'; k++)
			if (cur[k] == '=') {
				w = k + 1;
				break;
			}
		for (slash = e; slash > w && cur[slash - 1] != '/'; slash--)
			;
		if (redact_userinfo(&b, &cur, &cur_len, w,
				    slash > w ? slash - 1 : e, &next)) {
			changed = true;
			/* Go on after this word, wherever it ends now. */
			while (next < cur_len && !redact_sep(cur[next]))
				next++;
		} else {
			next = e;
		}
	}
	/* key = value pairs (libpq allows spaces around '='; ODBC quotes). */
	for (k = 0; params[k] != NULL; k++) {
		size_t plen = strlen(params[k]);

		for (i = 0; i + plen <= cur_len; i++) {
			size_t v, end;

			if (strncasecmp(cur + i, params[k], plen) != 0 ||
			    (i > 0 && (isalnum((unsigned char)cur[i - 1]) ||
				       cur[i - 1] == '_')))
				continue;
			v = i + plen;
			while (v < cur_len && cur[v] == ' ')
				v++;
			if (v >= cur_len || cur[v] != '=')
				continue;
			for (v++; v < cur_len && cur[v] == ' '; v++)
				;
			end = redact_value_end(cur, cur_len, v);
			if (redact_range(&b, &cur, &cur_len, v, end))
				changed = true;
			i = v;
		}
	}
	buf_free(&b);
	if (!changed) {
		free(cur);
		return NULL;
	}
	return cur;
}

struct redact_edit {
	size_t start, end;
	char *text; /* the replacement */
};

struct redact_state {
	struct redact_edit *e;
	size_t n, cap;
};

static void redact_add(struct redact_state *st, size_t start, size_t end,
		       char *text)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 16;
		st->e = xrealloc(st->e, st->cap * sizeof(*st->e));
	}
	st->e[st->n].start = start;
	st->e[st->n].end = end;
	st->e[st->n].text = text;
	st->n++;
}

/* s as a TOML basic string. */
static char *redact_quote(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	buf_append_char(&b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(&b, "\\%c", c);
		else if (c == '\n')
			buf_append_str(&b, "\\n");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(&b, "\\u%04x", c);
		else
			buf_append_char(&b, (char)c);
	}
	buf_append_char(&b, '"');
	return buf_take(&b, NULL);
}

static void redact_value(struct redact_state *st, const struct toml_value *v,
			 bool secret)
{
	size_t i, n, len;

	switch (toml_value_type(v)) {
	case TOML_TABLE:
		n = toml_table_count(v);
		for (i = 0; i < n; i++) {
			const char *k = toml_table_key_at(v, i, &len);

			redact_value(st, toml_table_value_at(v, i),
				     secret || redact_key_is_secret(k, len));
		}
		return;
	case TOML_ARRAY:
		n = toml_array_count(v);
		for (i = 0; i < n; i++)
			redact_value(st, toml_array_at(v, i), secret);
		return;
	case TOML_STRING:
		if (!secret) {
			const char *s = toml_value_string(v, &len);
			char *r = redact_string(s, len);

			if (r != NULL) {
				redact_add(st, toml_value_start(v),
					   toml_value_end(v), redact_quote(r));
				free(r);
			}
			return;
		}
		break;
	default:
		if (!secret)
			return;
		break;
	}
	redact_add(st, toml_value_start(v), toml_value_end(v),
		   xstrdup("\"" REDACT_MARK "\""));
}

static int redact_edit_cmp(const void *a, const void *b)
{
	const struct redact_edit *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

char *redact_toml(const char *text, size_t len, size_t *out_len, size_t *count,
		  char *err, size_t errsize)
{
	struct toml_error terr;
	struct toml_doc *doc = toml_doc_parse(text, len, &terr);
	struct redact_state st = {0};
	struct buf b;
	size_t i, at = 0;

	*count = 0;
	if (doc == NULL) {
		snprintf(err, errsize, "%u:%u: %s", terr.line, terr.col,
			 terr.msg);
		return NULL;
	}
	redact_value(&st, toml_doc_root(doc), false);
	if (st.n > 0)
		qsort(st.e, st.n, sizeof(*st.e), redact_edit_cmp);
	buf_init(&b, 0);
	for (i = 0; i < st.n; i++) {
		/* Values never overlap; a repeat would be a bug: skip it. */
		if (st.e[i].start >= at) {
			buf_append(&b, text + at, st.e[i].start - at);
			buf_append_str(&b, st.e[i].text);
			at = st.e[i].end;
			(*count)++;
		}
		free(st.e[i].text);
	}
	buf_append(&b, text + at, len - at);
	free(st.e);
	toml_doc_free(doc);
	return buf_take(&b, out_len);
}
