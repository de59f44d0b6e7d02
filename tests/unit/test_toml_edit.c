/* Edits keep every byte they do not touch, and undo exactly. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "lib/toml.h"
#include "lib/toml_edit.h"
#include "lib/xalloc.h"

/* Why the last edit failed, for tests that expect a failure. */
static char last_error[TOML_ERROR_MAX];

enum op { SET, REMOVE_KEY, ADD_TABLE, REMOVE_TABLE, REMOVE_HEADER };

/* Apply one edit to text; returns the new text (caller frees) or NULL. */
static char *edit(const char *text, enum op op, const char *path,
		  const char *key, const char *value)
{
	struct toml_error err;
	struct toml_doc *doc = toml_doc_parse(text, strlen(text), &err);
	int rc = -1;
	char *out = NULL;

	if (doc == NULL) {
		printf("  parse failed: %u:%u: %s\n", err.line, err.col,
		       err.msg);
		return NULL;
	}
	switch (op) {
	case SET: rc = toml_edit_set(&doc, path, key, value, &err); break;
	case REMOVE_KEY:
		rc = toml_edit_remove_key(&doc, path, key, &err);
		break;
	case ADD_TABLE: rc = toml_edit_add_table(&doc, path, &err); break;
	case REMOVE_TABLE: rc = toml_edit_remove_table(&doc, path, &err); break;
	case REMOVE_HEADER:
		rc = toml_edit_remove_header(&doc, path, &err);
		break;
	}
	if (rc == 0)
		out = xstrdup(toml_doc_text(doc, NULL));
	else
		snprintf(last_error, sizeof(last_error), "%s", err.msg);
	toml_doc_free(doc);
	return out;
}

/* Set then remove a key: check the middle text and the way back. */
static void set_and_back(const char *orig, const char *path, const char *key,
			 const char *value, const char *want)
{
	char *mid = edit(orig, SET, path, key, value), *back;

	CHECK_STR(mid, want);
	if (mid == NULL)
		return;
	back = edit(mid, REMOVE_KEY, path, key, NULL);
	CHECK_STR(back, orig);
	free(back);
	free(mid);
}

static const char *config = "# Builder Vault node config\n"
			    "\n"
			    "[Player]\n"
			    "  Index = 0          # player index\n"
			    "  PrivateKey = '{{ env `PLAYER_PRIVATE_KEY` }}'\n"
			    "\n"
			    "# protocols\n"
			    "[DKLS19]\n"
			    "  Threshold = 0x1    # hex stays hex\n"
			    "\n"
			    "[DKLS19.Features]\n"
			    "  Other = 1_000\n";

TEST(edit_replace_value_in_place)
{
	char *out = edit(config, SET, "Player", "Index", "3");

	CHECK_STR(out, "# Builder Vault node config\n"
		       "\n"
		       "[Player]\n"
		       "  Index = 3          # player index\n"
		       "  PrivateKey = '{{ env `PLAYER_PRIVATE_KEY` }}'\n"
		       "\n"
		       "# protocols\n"
		       "[DKLS19]\n"
		       "  Threshold = 0x1    # hex stays hex\n"
		       "\n"
		       "[DKLS19.Features]\n"
		       "  Other = 1_000\n");
	free(out);
}

TEST(edit_add_key_to_header_table_keeps_style)
{
	set_and_back(config, "DKLS19", "EnableERSExport", "true",
		     "# Builder Vault node config\n"
		     "\n"
		     "[Player]\n"
		     "  Index = 0          # player index\n"
		     "  PrivateKey = '{{ env `PLAYER_PRIVATE_KEY` }}'\n"
		     "\n"
		     "# protocols\n"
		     "[DKLS19]\n"
		     "  Threshold = 0x1    # hex stays hex\n"
		     "  EnableERSExport = true\n"
		     "\n"
		     "[DKLS19.Features]\n"
		     "  Other = 1_000\n");
	set_and_back(config, "DKLS19.Features", "GenerateRecoveryData", "true",
		     "# Builder Vault node config\n"
		     "\n"
		     "[Player]\n"
		     "  Index = 0          # player index\n"
		     "  PrivateKey = '{{ env `PLAYER_PRIVATE_KEY` }}'\n"
		     "\n"
		     "# protocols\n"
		     "[DKLS19]\n"
		     "  Threshold = 0x1    # hex stays hex\n"
		     "\n"
		     "[DKLS19.Features]\n"
		     "  Other = 1_000\n"
		     "  GenerateRecoveryData = true\n");
}

TEST(edit_add_and_remove_new_table_is_exact)
{
	char *mid = edit(config, SET, "SEPD19S.Features",
			 "GenerateRecoveryData", "true");
	char *back;

	CHECK_STR(mid, "# Builder Vault node config\n"
		       "\n"
		       "[Player]\n"
		       "  Index = 0          # player index\n"
		       "  PrivateKey = '{{ env `PLAYER_PRIVATE_KEY` }}'\n"
		       "\n"
		       "# protocols\n"
		       "[DKLS19]\n"
		       "  Threshold = 0x1    # hex stays hex\n"
		       "\n"
		       "[DKLS19.Features]\n"
		       "  Other = 1_000\n"
		       "\n"
		       "[SEPD19S.Features]\n"
		       "GenerateRecoveryData = true\n");
	back = mid ? edit(mid, REMOVE_TABLE, "SEPD19S", NULL, NULL) : NULL;
	CHECK_STR(back, config);
	free(back);
	free(mid);
}

TEST(edit_new_subtable_goes_next_to_its_parent)
{
	const char *doc = "[a]\nx = 1\n\n[b]\ny = 2\n";
	char *out = edit(doc, SET, "a.sub", "k", "\"v\"");

	CHECK_STR(out, "[a]\nx = 1\n\n[a.sub]\nk = \"v\"\n\n[b]\ny = 2\n");
	free(out);
}

TEST(edit_implicit_table_gets_header_before_its_children)
{
	const char *doc =
	    "[Player]\nIndex = 0\n\n[DKLS19.Features]\nOther = 1\n";
	char *mid = edit(doc, SET, "DKLS19", "EnableERSExport", "true");
	char *step, *back;

	CHECK_STR(mid, "[Player]\nIndex = 0\n\n[DKLS19]\nEnableERSExport = "
		       "true\n\n[DKLS19.Features]\nOther = 1\n");
	step = mid ? edit(mid, REMOVE_KEY, "DKLS19", "EnableERSExport", NULL)
		   : NULL;
	back = step ? edit(step, REMOVE_HEADER, "DKLS19", NULL, NULL) : NULL;
	CHECK_STR(back, doc);
	free(back);
	free(step);
	free(mid);
}

TEST(edit_crlf_document_gets_crlf_lines)
{
	set_and_back("[DKLS19]\r\nA = 1\r\n\r\n[B]\r\nC = 2\r\n", "DKLS19",
		     "EnableERSExport", "true",
		     "[DKLS19]\r\nA = 1\r\nEnableERSExport = true\r\n\r\n"
		     "[B]\r\nC = 2\r\n");
}

TEST(edit_dotted_key_table_gets_dotted_key)
{
	set_and_back("# root\nDKLS19.Features.Other = 1 # c\nname = \"x\"\n",
		     "DKLS19.Features", "GenerateRecoveryData", "true",
		     "# root\nDKLS19.Features.Other = 1 # c\n"
		     "DKLS19.Features.GenerateRecoveryData = true\n"
		     "name = \"x\"\n");
	set_and_back(
	    "[DKLS19]\n  Features.Other = 1\n", "DKLS19.Features", "New",
	    "'lit'",
	    "[DKLS19]\n  Features.Other = 1\n  Features.New = 'lit'\n");
}

TEST(edit_inline_table_grows_inside_braces)
{
	set_and_back("DKLS19 = { Threshold = 1 } # inline\n", "DKLS19",
		     "EnableERSExport", "true",
		     "DKLS19 = { Threshold = 1, EnableERSExport = true } # "
		     "inline\n");
	set_and_back("a = {}\n", "a", "k", "1", "a = { k = 1 }\n");
}

TEST(edit_remove_key_from_inline_table)
{
	char *out =
	    edit("t = { a = 1, b = 2, c = 3 }\n", REMOVE_KEY, "t", "b", NULL);

	CHECK_STR(out, "t = { a = 1, c = 3 }\n");
	free(out);
	out = edit("t = { a = 1, b = 2 }\n", REMOVE_KEY, "t", "b", NULL);
	CHECK_STR(out, "t = { a = 1 }\n");
	free(out);
	/* Dotted keys inside braces: one item each, as written. */
	set_and_back("a = {   a.b  =  1   }\n", "a", "k", "true",
		     "a = {   a.b  =  1, k = true   }\n");
	set_and_back("a = { x.y = 1, z = 2 }\n", "a.x", "w", "3",
		     "a = { x.y = 1, z = 2, x.w = 3 }\n");
	out = edit("a = { x.y = 1, z = 2 }\n", REMOVE_KEY, "a.x", "y", NULL);
	CHECK_STR(out, "a = { z = 2 }\n");
	free(out);
}

TEST(edit_array_of_tables_element)
{
	const char *doc = "[[node]]\nname = \"a\"\n\n[[node]]\nname = \"b\"\n";
	char *out;

	set_and_back(doc, "node[0]", "index", "0",
		     "[[node]]\nname = \"a\"\nindex = 0\n\n[[node]]\n"
		     "name = \"b\"\n");
	out = edit(doc, REMOVE_TABLE, "node[1]", NULL, NULL);
	CHECK_STR(out, "[[node]]\nname = \"a\"\n");
	free(out);
	out = edit(doc, REMOVE_TABLE, "node", NULL, NULL);
	CHECK_STR(out, "");
	free(out);
	out = edit(doc, SET, "node[1].commands", "restart", "\"true\"");
	CHECK_STR(out, "[[node]]\nname = \"a\"\n\n[[node]]\nname = \"b\"\n\n"
		       "[node.commands]\nrestart = \"true\"\n");
	free(out);
	/* An earlier element cannot get a [header] of its own. */
	CHECK(edit(doc, SET, "node[0].commands", "restart", "1") == NULL);
}

TEST(edit_remove_table_takes_subtables_and_its_comments)
{
	const char *doc = "[a]\nx = 1\n# about b\n\n# b itself\n[b]\ny = 2\n"
			  "[b.c]\nz = 3\n\n[d]\nw = 4\n";
	char *out = edit(doc, REMOVE_TABLE, "b", NULL, NULL);

	CHECK_STR(out, "[a]\nx = 1\n# about b\n\n[d]\nw = 4\n");
	free(out);
}

TEST(edit_root_key_with_no_root_keys_goes_above_first_block)
{
	set_and_back("# title\n\n[a]\nx = 1\n", "", "name", "\"f\"",
		     "# title\nname = \"f\"\n\n[a]\nx = 1\n");
	set_and_back("", "", "name", "\"f\"", "name = \"f\"\n");
	/* A last line without a newline gets one: the only byte added. */
	{
		char *out = edit("x = 1", SET, "", "y", "2");
		char *back = out ? edit(out, REMOVE_KEY, "", "y", NULL) : NULL;

		CHECK_STR(out, "x = 1\ny = 2\n");
		CHECK_STR(back, "x = 1\n");
		free(back);
		free(out);
	}
}

TEST(edit_refuses_what_would_break_the_document)
{
	CHECK(edit("a = 1\n", SET, "a", "k", "1") == NULL);
	CHECK(edit("a = 1\n", SET, "", "b", "not a value") == NULL);
	CHECK(edit("a = 1\n", SET, "", "b", "1\nc = 2") == NULL);
	CHECK(edit("[t]\nx = 1\n", SET, "", "t", "1") == NULL);
	CHECK(edit("a = 1\n", REMOVE_KEY, "", "zz", NULL) == NULL);
	CHECK(edit("a = 1\n", REMOVE_TABLE, "", NULL, NULL) == NULL);
	CHECK(edit("t = {a = {b = 1}}\n", SET, "t.a.c", "k", "1") == NULL);
	CHECK(edit("[[n]]\n", SET, "n", "k", "1") == NULL);
	CHECK_STR(last_error, "'n' is an array of tables: name one element "
			      "as n[N]");
}

TEST(edit_add_table_is_idempotent)
{
	char *out = edit("[a]\n", ADD_TABLE, "a", NULL, NULL);

	CHECK_STR(out, "[a]\n");
	free(out);
	out = edit("[a]\n", ADD_TABLE, "x.\"y z\"", NULL, NULL);
	CHECK_STR(out, "[a]\n\n[x.\"y z\"]\n");
	free(out);
}

TEST(edit_keys_that_need_quotes_are_quoted)
{
	set_and_back("[t]\n", "t", "a b", "1", "[t]\n\"a b\" = 1\n");
}
