/* Parser behaviour beyond the conformance suite: places, limits, spans. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "lib/buf.h"
#include "lib/toml.h"

/* Parse text; returns the error as "LINE:COL: msg", or "ok". */
static const char *parse_result(const char *text, size_t len)
{
	static char out[TOML_ERROR_MAX + 32];
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(text, len, &err);

	if (doc != NULL) {
		toml_doc_free(doc);
		return "ok";
	}
	snprintf(out, sizeof(out), "%u:%u: %s", err.line, err.col, err.msg);
	return out;
}

/* "prefix" + n copies of unit + "suffix", for nesting tests. */
static char *repeat(const char *prefix, const char *unit, int n,
		    const char *mid, const char *unit2, const char *suffix)
{
	struct buf b;
	int k;

	buf_init(&b, 0);
	buf_append_str(&b, prefix);
	for (k = 0; k < n; k++)
		buf_append_str(&b, unit);
	buf_append_str(&b, mid);
	for (k = 0; k < n && unit2 != NULL; k++)
		buf_append_str(&b, unit2);
	buf_append_str(&b, suffix);
	return buf_take(&b, NULL);
}

static void check_nesting(const char *prefix, const char *unit, const char *mid,
			  const char *unit2, const char *suffix,
			  const char *want_deep)
{
	char *ok = repeat(prefix, unit, 100, mid, unit2, suffix);
	char *deep = repeat(prefix, unit, 300, mid, unit2, suffix);

	CHECK_STR(parse_result(ok, strlen(ok)), "ok");
	CHECK(strstr(parse_result(deep, strlen(deep)), want_deep) != NULL);
	free(ok);
	free(deep);
}

TEST(toml_nesting_is_bounded_every_way)
{
	check_nesting("a = ", "[", "1", "]", "\n", "values nested too deeply");
	check_nesting("a = ", "{b = ", "1", "}", "\n",
		      "values nested too deeply");
	check_nesting("[t", ".t", "]\n", NULL, "", "tables nested too deeply");
	check_nesting("t", ".t", " = 1\n", NULL, "",
		      "tables nested too deeply");
	check_nesting("x = {t", ".t", " = 1}\n", NULL, "",
		      "tables nested too deeply");
}

TEST(toml_errors_have_line_and_character_column)
{
	CHECK_STR(parse_result("a = 1\n\xc3\xa9\xc3\xa9 = 2\n", 14),
		  "2:1: invalid character in key");
	CHECK_STR(parse_result("s = \"\xc3\xa9\xc3\xa9\" x\n", 14),
		  "1:10: expected end of line after value");
	CHECK_STR(parse_result("a = 1\na = 2\n", 12), "2:1: duplicate key 'a'");
	CHECK_STR(parse_result("a.b = 1\n[a]\n", 12),
		  "2:1: table 'a' is defined twice (first by dotted keys)");
	CHECK_STR(parse_result("a = 1\0\n", 7),
		  "1:6: expected end of line after value");
	CHECK_STR(parse_result("n = 9223372036854775808\n", 24),
		  "1:5: integer out of range");
	CHECK_STR(parse_result("n = -9223372036854775808\n", 25), "ok");
}

TEST(toml_values_know_where_they_are)
{
	const char *text = "# c\n[Player]\n  Index = 0x1F # hex\n"
			   "[[n]]\nk = [1,\n  2]\n";
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(text, strlen(text), &err);
	const struct toml_value *player, *idx, *n, *k;
	const struct toml_stmt *st;
	struct toml_pos pos;

	if (!CHECK(doc != NULL))
		return;
	player = toml_table_get(toml_doc_root(doc), "Player");
	idx = toml_table_get(player, "Index");
	CHECK(toml_value_int(idx) == 31);
	pos = toml_value_pos(doc, idx);
	CHECK(pos.line == 3 && pos.col == 11);
	CHECK(toml_value_end(idx) - toml_value_start(idx) == 4);
	CHECK(toml_table_origin(player) == TOML_ORIGIN_HEADER);
	n = toml_table_get(toml_doc_root(doc), "n");
	CHECK(toml_array_is_aot(n) && toml_array_count(n) == 1);
	k = toml_table_get(toml_array_at(n, 0), "k");
	CHECK(toml_array_count(k) == 2);
	CHECK(toml_doc_stmt_count(doc) == 4);
	st = toml_doc_stmt_at(doc, 3);
	CHECK(st->kind == TOML_STMT_KEYVAL && st->value == k);
	CHECK(st->section == 2 && st->line_end == strlen(text));
	CHECK(!toml_doc_uses_crlf(doc));
	toml_doc_free(doc);
}

TEST(toml_format_keys_and_strings)
{
	struct buf b;

	buf_init(&b, 0);
	toml_key_format(&b, "plain-key_1", 11);
	buf_append_char(&b, ' ');
	toml_key_format(&b, "a.b c", 5);
	buf_append_char(&b, ' ');
	toml_key_format(&b, "", 0);
	buf_append_char(&b, ' ');
	toml_string_format(&b, "q\"\\\n\t\x01", 6);
	CHECK_STR(b.data,
		  "plain-key_1 \"a.b c\" \"\" \"q\\\"\\\\\\n\\t\\u0001\"");
	buf_free(&b);
}
