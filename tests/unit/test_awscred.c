/* AWS shared-file parsing and ARN regions (the chain itself: awscred.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/awscred.h"
#include "aws/awsini.h"
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

	v = awsini_get(text, "default", "region");
	CHECK_STR(v, "us-east-1");
	free(v);
	v = awsini_get(text, "profile ops", "region");
	CHECK_STR(v, "eu-west-3");
	free(v);
	CHECK(awsini_get(text, "profile ops", "missing") == NULL);
	CHECK(awsini_get(text, "ops", "region") == NULL);
	CHECK(awsini_get("", "default", "region") == NULL);
	/* configparser's: ':' too, keys in any case, no inline comments. */
	v = awsini_get("[x]\nRegion: ap-south-1\n", "x", "region");
	CHECK_STR(v, "ap-south-1");
	free(v);
	v = awsini_get("[x]\nREGION = a # b\n", "x", "region");
	CHECK_STR(v, "a # b");
	free(v);
	v = awsini_get("[x]\nurl = http://h:1/p\n", "x", "url");
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

/* Runs with a config file of its own and the endpoint variables it sets,
 * restored after. */
TEST(aws_endpoint_in_the_sdks_order)
{
	static const char *const vars[] = {
	    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM",
	    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONFIG_FILE",
	    "AWS_PROFILE"};
	char *saved[5], path[] = "/tmp/bvops-endpoint-XXXXXX", *e;
	struct aws_request rq = {
	    .env_name = "SSM", .host = "ssm", .region = "eu-west-1"};
	FILE *fp;
	int fd, k;

	for (k = 0; k < 5; k++) {
		const char *v = getenv(vars[k]);

		saved[k] = v ? strdup(v) : NULL;
		unsetenv(vars[k]);
	}
	fd = mkstemp(path);
	fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	fputs("[default]\nservices = dev\nendpoint_url = http://all:1\n"
	      "[services dev]\nssm =\n  endpoint_url = http://ssm-dev:2/\n"
	      "kms =\n  endpoint_url = http://kms-dev:3\n",
	      fp);
	fclose(fp);
	setenv("AWS_CONFIG_FILE", path, 1);
	e = aws_endpoint(&rq);
	CHECK_STR(e, "http://ssm-dev:2"); /* the services block, no '/' */
	free(e);
	rq.env_name = "S3";
	rq.host = "s3";
	e = aws_endpoint(&rq);
	CHECK_STR(e, "http://all:1"); /* the profile's endpoint_url */
	free(e);
	rq.env_name = "SSM";
	rq.host = "ssm";
	setenv("AWS_ENDPOINT_URL", "http://env:4", 1);
	e = aws_endpoint(&rq);
	CHECK_STR(e, "http://env:4");
	free(e);
	setenv("AWS_ENDPOINT_URL_SSM", "http://env-ssm:5", 1);
	e = aws_endpoint(&rq);
	CHECK_STR(e, "http://env-ssm:5");
	free(e);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	e = aws_endpoint(&rq);
	CHECK_STR(e, "https://ssm.eu-west-1.amazonaws.com");
	free(e);
	unlink(path);
	for (k = 0; k < 5; k++) {
		if (saved[k] != NULL)
			setenv(vars[k], saved[k], 1);
		else
			unsetenv(vars[k]);
		free(saved[k]);
	}
}
