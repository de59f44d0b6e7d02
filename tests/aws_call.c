/*
 * aws_call ssm-get NAME: one AWS call through bvops's client, for
 * tests/aws.sh (credentials and region from the standard places,
 * endpoints from AWS_ENDPOINT_URL*). Prints the answer; exit 3 with the
 * message on failure.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/aws_ssm.h"

int main(int argc, char **argv)
{
	struct aws_client *a;
	char msg[1024], region[64];
	char *v;
	int rc = 0;

	if (argc != 3 || strcmp(argv[1], "ssm-get") != 0) {
		fprintf(stderr, "usage: aws_call ssm-get NAME\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (awscred_region(NULL, region, sizeof(region), msg, sizeof(msg)) <
	    0) {
		fprintf(stderr, "%s\n", msg);
		return 3;
	}
	a = aws_client_new();
	v = aws_ssm_get_parameter(a, region, argv[2], msg, sizeof(msg));
	if (v == NULL) {
		fprintf(stderr, "%s\n", msg);
		rc = 3;
	} else {
		printf("%s\n", v);
		free(v);
	}
	aws_client_free(a);
	curl_global_cleanup();
	return rc;
}
