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
	    "encryptionkey", "signingkey", "seed",       NULL};
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

char *redact_string(const char *s, size_t len)
{
	static const char *const params[] = {
	    "password=", "pwd=", "secret=", "token=", NULL};
	struct buf b;
	char *cur = xstrndup(s, len), *at;
	size_t cur_len = len, k;
	bool changed = false;

	buf_init(&b, 0);
	if (strstr(cur, "PRIVATE KEY-----") != NULL) {
		free(cur);
		return xstrdup(REDACT_MARK);
	}
	/* user:password@host, with or without a scheme. */
	at = strchr(cur, '@');
	while (at != NULL) {
		size_t end = (size_t)(at - cur), start = end;
		const char *colon = NULL;

		while (start > 0 && !isspace((unsigned char)cur[start - 1]) &&
		       cur[start - 1] != '/' && cur[start - 1] != '@' &&
		       cur[start - 1] != ',' && cur[start - 1] != ';')
			start--;
		colon = memchr(cur + start, ':', end - start);
		if (colon != NULL && (size_t)(colon - cur) + 1 < end &&
		    strncmp(cur + (colon - cur) + 1, REDACT_MARK,
			    end - (size_t)(colon - cur) - 1) != 0) {
			size_t from = (size_t)(colon - cur) + 1;

			redact_splice(&b, cur, from, end, cur_len);
			free(cur);
			cur = buf_take(&b, &cur_len);
			changed = true;
			at = strchr(cur + from + strlen(REDACT_MARK) + 1, '@');
			continue;
		}
		at = strchr(at + 1, '@');
	}
	/* key=value connection strings: password=..., up to a separator. */
	for (k = 0; params[k] != NULL; k++) {
		size_t plen = strlen(params[k]), i = 0;

		while (i + plen <= cur_len) {
			size_t end;

			if (strncasecmp(cur + i, params[k], plen) != 0 ||
			    (i > 0 && isalnum((unsigned char)cur[i - 1]))) {
				i++;
				continue;
			}
			i += plen;
			end = i;
			while (end < cur_len &&
			       !isspace((unsigned char)cur[end]) &&
			       cur[end] != ';' && cur[end] != '&')
				end++;
			if (end > i &&
			    strncmp(cur + i, REDACT_MARK, end - i) != 0) {
				redact_splice(&b, cur, i, end, cur_len);
				free(cur);
				cur = buf_take(&b, &cur_len);
				changed = true;
			}
			i += strlen(REDACT_MARK);
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
