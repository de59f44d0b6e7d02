/* The PCR8 condition of a key policy: found under any operator, changed
 * in the text with every other byte kept, refused when missing, doubled
 * or not a single string; the warnings. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "state/kmspolicy.h"

#define PCR                                                                    \
	"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"                     \
	"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"

static const char policy[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n"
    "    {\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\",\n"
    "     \"Principal\": {\"AWS\": \"arn:aws:iam::1:root\"},\n"
    "     \"Action\": \"kms:*\", \"Resource\": \"*\"},\n"
    "    {\"Sid\": \"Nitro\", \"Effect\": \"Allow\",\n"
    "     \"Principal\": {\"AWS\": \"arn:aws:iam::1:role/node-0\"},\n"
    "     \"Action\": [\"kms:Decrypt\", \"kms:GenerateDataKey\"],\n"
    "     \"Resource\": \"*\",\n"
    "     \"Condition\": {\"StringEqualsIgnoreCase\": {\n"
    "       \"kms:RecipientAttestation:PCR8\":   \"" PCR "\"}}}\n"
    "  ]\n}\n";

TEST(kmspolicy_find_and_set_keeps_every_other_byte)
{
	struct kmspolicy_pcr8 f;
	char msg[600];
	size_t len, back_len;
	char *dbg, *back;

	CHECK(kmspolicy_find_pcr8(policy, strlen(policy), &f, msg,
				  sizeof(msg)) == 0);
	CHECK_STR(f.op, "StringEqualsIgnoreCase");
	CHECK_STR(f.value, PCR);
	CHECK_STR(f.sid, "statement \"Nitro\"");
	CHECK(!f.is_zero);
	CHECK_STR(f.warning, "");
	dbg = kmspolicy_set_pcr8(policy, strlen(policy), KMSPOLICY_ZERO_PCR,
				 &len, msg, sizeof(msg));
	CHECK(dbg != NULL);
	if (dbg == NULL)
		return;
	CHECK(len == strlen(policy)); /* the same length: 96 for 96 */
	CHECK(
	    strstr(dbg,
		   "\"kms:RecipientAttestation:PCR8\":   \"" KMSPOLICY_ZERO_PCR
		   "\"}}}") != NULL);
	CHECK(kmspolicy_find_pcr8(dbg, len, &f, msg, sizeof(msg)) == 0 &&
	      f.is_zero);
	back = kmspolicy_set_pcr8(dbg, len, PCR, &back_len, msg, sizeof(msg));
	CHECK(back != NULL && back_len == strlen(policy) &&
	      memcmp(back, policy, back_len) == 0);
	free(back);
	free(dbg);
}

TEST(kmspolicy_any_operator_and_a_lone_statement)
{
	static const char p[] =
	    "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\","
	    " \"Action\": \"kms:Decrypt\", \"Condition\": {\"StringEquals\":"
	    " {\"KMS:RecipientAttestation:pcr8\": \"ab\"}}}}";
	struct kmspolicy_pcr8 f;
	char msg[600], *out;
	size_t len;

	CHECK(kmspolicy_find_pcr8(p, strlen(p), &f, msg, sizeof(msg)) == 0);
	CHECK_STR(f.op, "StringEquals");
	CHECK_STR(f.value, "ab");
	out = kmspolicy_set_pcr8(p, strlen(p), "cd", &len, msg, sizeof(msg));
	CHECK(out != NULL && strstr(out, "pcr8\": \"cd\"}") != NULL);
	free(out);
}

TEST(kmspolicy_refusals)
{
	static const char none[] =
	    "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:*\"}]}";
	static const char two[] =
	    "{\"Statement\": [{\"Sid\": \"A\", \"Condition\": "
	    "{\"StringEquals\":"
	    " {\"kms:RecipientAttestation:PCR8\": \"ab\"}}},"
	    " {\"Sid\": \"B\", \"Condition\": {\"StringEqualsIgnoreCase\":"
	    " {\"kms:RecipientAttestation:PCR8\": \"cd\"}}}]}";
	static const char list[] =
	    "{\"Statement\": [{\"Condition\": {\"ForAnyValue:StringEquals\":"
	    " {\"kms:RecipientAttestation:PCR8\": [\"ab\", \"cd\"]}}}]}";
	static const char escaped[] =
	    "{\"Statement\": [{\"Condition\": {\"StringEquals\":"
	    " {\"kms:RecipientAttestation:PCR\\u0038\": \"ab\"}}}]}";
	struct kmspolicy_pcr8 f;
	char msg[600];
	size_t len;

	CHECK(kmspolicy_find_pcr8(none, strlen(none), &f, msg, sizeof(msg)) <
	      0);
	CHECK(strstr(msg, "has no kms:RecipientAttestation:PCR8 condition") !=
	      NULL);
	CHECK(kmspolicy_find_pcr8(two, strlen(two), &f, msg, sizeof(msg)) < 0);
	CHECK(strstr(msg, "2 kms:RecipientAttestation:PCR8 conditions "
			  "(statement \"A\", statement \"B\")") != NULL);
	CHECK(kmspolicy_find_pcr8(list, strlen(list), &f, msg, sizeof(msg)) <
	      0);
	CHECK(strstr(msg, "is not a single string") != NULL);
	CHECK(kmspolicy_find_pcr8("[1]", 3, &f, msg, sizeof(msg)) < 0);
	CHECK(kmspolicy_set_pcr8(escaped, strlen(escaped), "00", &len, msg,
				 sizeof(msg)) == NULL);
	CHECK(strstr(msg, "more than once (or escaped)") != NULL);
}

TEST(kmspolicy_warnings)
{
	static const char p[] =
	    "{\"Statement\": [{\"Sid\": \"N\", \"Effect\": \"Allow\","
	    " \"Principal\": {\"AWS\": \"r\"}, \"Action\": \"kms:Decrypt\","
	    " \"Condition\": {\"StringEquals\": {"
	    " \"kms:RecipientAttestation:PCR8\": \"ab\","
	    " \"kms:RecipientAttestation:ImageSha384\": \"cd\"}}},"
	    " {\"Sid\": \"Open\", \"Effect\": \"Allow\","
	    " \"Principal\": {\"AWS\": \"r\"}, \"Action\": "
	    "[\"kms:Decrypt\"]}]}";
	struct kmspolicy_pcr8 f;
	char msg[600];

	CHECK(kmspolicy_find_pcr8(p, strlen(p), &f, msg, sizeof(msg)) == 0);
	CHECK(strstr(f.warning,
		     "statement \"N\" also pins "
		     "kms:RecipientAttestation:ImageSha384") != NULL);
	CHECK(strstr(f.warning, "statement \"Open\" allows kms:Decrypt to the "
				"same principal without conditions") != NULL);
}
