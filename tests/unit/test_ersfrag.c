/* The ERS fragment: merged into existing tables (never a second header),
 * new tables added, conflicts stop the plan, same values are no-ops, and
 * unmerge gives back the exact bytes, keeping changes made meanwhile. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "state/ersfrag.h"

static const char config[] =
    "# node 0\n"
    "[Player]\nIndex = 0\n\n"
    "[[Players]]\nIndex = 0\nAddress = \"tsm-0:9000\"\n\n"
    "[[Players]]\nIndex = 1\nAddress = \"tsm-1:9000\"\n\n"
    "[SDKServer]\nPort = 8080 # the SDK\n\n"
    "[DKLS19]\nFeatures = [\"ECDSA\"]\n";

static int parse(const char *text, struct ersfrag *f, char *msg, size_t size)
{
	return ersfrag_parse("frag.toml", text, strlen(text), f, msg, size);
}

/* merge then unmerge: every byte back. */
static void roundtrip(const char *cfg, const char *frag, const char *want)
{
	struct ersfrag f;
	char msg[600], *out = NULL, *back = NULL;
	size_t len, blen, removed;
	cJSON *rec = cJSON_CreateObject();

	CHECK(parse(frag, &f, msg, sizeof(msg)) == 0);
	CHECK(ersfrag_merge(cfg, strlen(cfg), &f, &out, &len, rec, msg,
			    sizeof(msg)) == 0);
	if (out != NULL && want != NULL)
		CHECK_STR(out, want);
	CHECK(out == NULL || ersfrag_present(out, len, &f) == 1);
	CHECK(ersfrag_present(cfg, strlen(cfg), &f) != 1);
	if (out != NULL) {
		CHECK(ersfrag_unmerge(out, len, rec, &back, &blen, &removed,
				      msg, sizeof(msg)) == 0);
		if (back != NULL &&
		    (cfg[0] == '\0' || cfg[strlen(cfg) - 1] == '\n'))
			CHECK_STR(back, cfg);
		else if (back != NULL)
			CHECK(strncmp(back, cfg, strlen(cfg)) == 0 &&
			      strcmp(back + strlen(cfg), "\n") == 0);
		CHECK(removed == f.n);
	}
	free(out);
	free(back);
	cJSON_Delete(rec);
	ersfrag_free(&f);
}

TEST(ersfrag_preset_export_merges_into_the_existing_table)
{
	roundtrip(config, ersfrag_preset_text("enable-ers-export"),
		  "# node 0\n"
		  "[Player]\nIndex = 0\n\n"
		  "[[Players]]\nIndex = 0\nAddress = \"tsm-0:9000\"\n\n"
		  "[[Players]]\nIndex = 1\nAddress = \"tsm-1:9000\"\n\n"
		  "[SDKServer]\nPort = 8080 # the SDK\n\n"
		  "[DKLS19]\nFeatures = [\"ECDSA\"]\nEnableERSExport = true\n"
		  "\n[SEPD19S]\nEnableERSExport = true\n");
}

TEST(ersfrag_roundtrips_byte_for_byte)
{
	static const char crlf[] = "[A]\r\nx = 1\r\n\r\n[B]\r\ny = 2\r\n";
	static const char noeol[] = "[DKLS19]\nFeatures = 1";
	static const char sub[] =
	    "[DKLS19.Other]\nx = 1\n\n# trailing comment\n";

	roundtrip(crlf, "[A]\nz = true\n[C.D]\nw = \"v\"\n", NULL);
	/* A last line without its newline gets one: the only byte a
	 * merge adds that unmerge cannot tell from the config's own (the
	 * revert of an unchanged config puts the original back instead). */
	roundtrip(noeol, "[DKLS19]\nEnableERSExport = true\n", NULL);
	roundtrip(sub, "[DKLS19]\nEnableERSExport = true\n", NULL);
	roundtrip(sub,
		  "[DKLS19.Features]\nGenerateRecoveryData = true\n"
		  "[SEPD19S.Features]\nGenerateRecoveryData = true\n",
		  NULL);
	roundtrip("", ersfrag_preset_text("generate-recovery-data"), NULL);
	roundtrip("top = 1\n", "new = [1, 2]\n[T]\nk = {a = 1}\n", NULL);
}

TEST(ersfrag_same_value_is_a_noop_and_other_value_a_conflict)
{
	static const char has[] = "[DKLS19]\nEnableERSExport = true\n";
	static const char other[] = "[DKLS19]\nEnableERSExport = false\n";
	struct ersfrag f;
	char msg[600], *out = NULL;
	size_t len;
	cJSON *rec = cJSON_CreateObject();

	CHECK(parse("[DKLS19]\nEnableERSExport = true\n", &f, msg,
		    sizeof(msg)) == 0);
	CHECK(ersfrag_merge(has, strlen(has), &f, &out, &len, rec, msg,
			    sizeof(msg)) == 0);
	CHECK_STR(out, has);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(rec, "added")) == 0);
	free(out);
	out = NULL;
	CHECK(ersfrag_merge(other, strlen(other), &f, &out, &len, rec, msg,
			    sizeof(msg)) == 1);
	CHECK(out == NULL);
	CHECK_STR(msg, "DKLS19: EnableERSExport = false here, the fragment "
		       "says true (line 2 of config.toml)");
	CHECK(ersfrag_present(other, strlen(other), &f) == 2);
	cJSON_Delete(rec);
	ersfrag_free(&f);
}

TEST(ersfrag_a_table_that_is_not_one_is_a_conflict)
{
	struct ersfrag f;
	char msg[600], *out = NULL;
	size_t len;
	cJSON *rec = cJSON_CreateObject();

	/* The demo config's DKLS19.Features is an array. */
	CHECK(parse(ersfrag_preset_text("generate-recovery-data"), &f, msg,
		    sizeof(msg)) == 0);
	CHECK(ersfrag_merge(config, strlen(config), &f, &out, &len, rec, msg,
			    sizeof(msg)) == 1);
	CHECK(strstr(msg, "DKLS19.Features is an array here, not a table: "
			  "the fragment's DKLS19.Features."
			  "GenerateRecoveryData cannot go there") != NULL);
	ersfrag_free(&f);
	CHECK(parse("[Players]\nx = 1\n", &f, msg, sizeof(msg)) == 0);
	CHECK(ersfrag_merge(config, strlen(config), &f, &out, &len, rec, msg,
			    sizeof(msg)) == 1);
	CHECK(strstr(msg, "Players is an array of tables ([[Players]])") !=
	      NULL);
	ersfrag_free(&f);
	cJSON_Delete(rec);
}

TEST(ersfrag_fragment_refusals)
{
	struct ersfrag f;
	char msg[600];

	CHECK(parse("[DKLS19]\nx = 1\n\n[[Players]]\nIndex = 3\n", &f, msg,
		    sizeof(msg)) < 0);
	CHECK(strstr(msg, "frag.toml:4: [[Players]] is an array of tables") ==
	      msg);
	CHECK(parse("[DKLS19\n", &f, msg, sizeof(msg)) < 0);
	CHECK(strstr(msg, "frag.toml:1:") == msg);
	CHECK(parse("# nothing\n[Empty]\n", &f, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "frag.toml: the fragment sets no key");
	CHECK(ersfrag_preset_text("nope") == NULL);
	CHECK(parse("[\"odd.name\".x]\nk = 'v'\n", &f, msg, sizeof(msg)) == 0);
	CHECK_STR(f.keys[0].table, "\"odd.name\".x");
	CHECK_STR(f.keys[0].value, "'v'");
	ersfrag_free(&f);
}

TEST(ersfrag_unmerge_keeps_changes_made_meanwhile)
{
	static const char cfg[] = "[DKLS19]\nA = 1\n";
	struct ersfrag f;
	char msg[600], *out = NULL, *back = NULL;
	size_t len, blen, removed;
	cJSON *rec = cJSON_CreateObject();
	char *changed;

	CHECK(parse("[DKLS19]\nE = true\n[SEPD19S]\nE = true\n", &f, msg,
		    sizeof(msg)) == 0);
	CHECK(ersfrag_merge(cfg, strlen(cfg), &f, &out, &len, rec, msg,
			    sizeof(msg)) == 0);
	/* Someone adds a key to the new table and changes A meanwhile. */
	changed = malloc(len + 64);
	strcpy(changed, out);
	strcat(changed, "Mine = 2\n");
	changed[strstr(changed, "A = 1") - changed + 4] = '9';
	CHECK(ersfrag_unmerge(changed, strlen(changed), rec, &back, &blen,
			      &removed, msg, sizeof(msg)) == 0);
	CHECK_STR(back, "[DKLS19]\nA = 9\n\n[SEPD19S]\nMine = 2\n");
	CHECK(removed == 2);
	free(back);
	back = NULL;
	/* An added key whose value changed is not removed. */
	strcpy(changed, out);
	changed[strlen(changed) - 5] = '\0';
	strcat(changed, "false\n");
	CHECK(ersfrag_unmerge(changed, strlen(changed), rec, &back, &blen,
			      &removed, msg, sizeof(msg)) == 1);
	CHECK(strstr(msg, "SEPD19S: E = false here, but true was added") ==
	      msg);
	free(changed);
	free(out);
	cJSON_Delete(rec);
	/* By hand: the fragment's record removes what is there. */
	rec = ersfrag_record(&f);
	CHECK(ersfrag_unmerge("[DKLS19]\nA = 1\nE = true\n\n[SEPD19S]\nE = "
			      "true\n",
			      44, rec, &back, &blen, &removed, msg,
			      sizeof(msg)) == 0);
	CHECK_STR(back, cfg);
	free(back);
	cJSON_Delete(rec);
	ersfrag_free(&f);
}
