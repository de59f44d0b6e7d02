/* AWS shared-file parsing and ARN regions (the chain itself: awscred.sh). */
#include <stdlib.h>

#include "aws/awscred.h"
#include "check.h"

TEST(awscred_ini_reads_like_the_aws_cli)
{
	const char *text = "# comment\n"
			   "[default]\n"
			   "region = us-east-1\n"
			   "\n"
			   "[profile ops]\r\n"
			   "region=eu-west-3\r\n"
			   "s3 =\n"
			   "  region = nested-not-this\n"
			   "; another comment\n"
			   "region = second-not-this\n"
			   "[broken\n"
			   "key without equals\n";
	char *v;

	v = awscred_ini_get(text, "default", "region");
	CHECK_STR(v, "us-east-1");
	free(v);
	v = awscred_ini_get(text, "profile ops", "region");
	CHECK_STR(v, "eu-west-3");
	free(v);
	CHECK(awscred_ini_get(text, "profile ops", "missing") == NULL);
	CHECK(awscred_ini_get(text, "ops", "region") == NULL);
	CHECK(awscred_ini_get("", "default", "region") == NULL);
	/* configparser's: ':' too, keys in any case, no inline comments. */
	v = awscred_ini_get("[x]\nRegion: ap-south-1\n", "x", "region");
	CHECK_STR(v, "ap-south-1");
	free(v);
	v = awscred_ini_get("[x]\nREGION = a # b\n", "x", "region");
	CHECK_STR(v, "a # b");
	free(v);
	v = awscred_ini_get("[x]\nurl = http://h:1/p\n", "x", "url");
	CHECK_STR(v, "http://h:1/p"); /* the first '=' or ':' ends the key */
	free(v);
}

TEST(awscred_arn_region)
{
	char r[64];

	CHECK(awscred_arn_region(
	    "arn:aws:ssm:eu-west-1:123456789012:parameter/tsm/x", r,
	    sizeof(r)));
	CHECK_STR(r, "eu-west-1");
	CHECK(!awscred_arn_region("/tsm/node-0/config", r, sizeof(r)));
	CHECK(!awscred_arn_region("arn:aws:iam::123456789012:role/x", r,
				  sizeof(r)));
	CHECK(!awscred_arn_region("arn:aws:ssm", r, sizeof(r)));
}
