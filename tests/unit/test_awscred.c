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
