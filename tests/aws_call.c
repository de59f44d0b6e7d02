/*
 * aws_call CALL ARGS...: one AWS call through bvops's client, for
 * tests/aws.sh (credentials and region from the standard places,
 * endpoints from AWS_ENDPOINT_URL*). Prints the answer; exit 3 with the
 * message on failure (4 for S3's "precondition failed").
 *
 *   ssm-get NAME
 *   s3-get BUCKET KEY [VERSION] | s3-head BUCKET KEY
 *   s3-put BUCKET KEY FILE [if-match ETAG | if-none-match]
 *   s3-versions BUCKET KEY
 *   s3-get-if BUCKET KEY ETAG   (prints "unchanged" or "missing")
 *   kms-get-policy KEY | kms-put-policy KEY FILE
 *   cfn-resource STACK LOGICAL_ID
 *   cw-put NAMESPACE METRIC DIMENSION VALUE NUMBER
 *   cw-latest NAMESPACE METRIC DIMENSION VALUE...
 *   ec2-describe [id=ID]... [tag:KEY=VALUE]...
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_cfn.h"
#include "aws/aws_cw.h"
#include "aws/aws_ec2.h"
#include "aws/aws_kms.h"
#include "aws/aws_s3.h"
#include "aws/aws_ssm.h"
#include "lib/xalloc.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = xmalloc((size_t)n + 1);
	*len = fread(data, 1, (size_t)n, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

static void print_object(const struct aws_s3_object *o)
{
	printf("etag=%s\nversion=%s\n", o->etag ? o->etag : "-",
	       o->version_id ? o->version_id : "-");
	if (o->body != NULL)
		fwrite(o->body, 1, o->len, stdout);
}

static int call(struct aws_client *a, const char *region, int argc, char **argv,
		char *msg, size_t msgsize)
{
	const char *c = argv[1];
	struct aws_s3_object o;
	char *v;
	int rc, i;

	if (strcmp(c, "ssm-get") == 0 && argc == 3) {
		v = aws_ssm_get_parameter(a, region, argv[2], msg, msgsize);
		if (v == NULL)
			return 3;
		printf("%s\n", v);
		free(v);
		return 0;
	}
	if ((strcmp(c, "s3-get") == 0 && (argc == 4 || argc == 5)) ||
	    (strcmp(c, "s3-head") == 0 && argc == 4)) {
		if (aws_s3_get(a, region, argv[2], argv[3],
			       argc == 5 ? argv[4] : NULL, c[3] == 'h', &o, msg,
			       msgsize) < 0)
			return 3;
		print_object(&o);
		aws_s3_object_free(&o);
		return 0;
	}
	if (strcmp(c, "s3-put") == 0 && argc >= 5) {
		size_t len;
		char *body = read_file(argv[4], &len);

		rc = aws_s3_put(
		    a, region, argv[2], argv[3], body, len, "application/toml",
		    argc == 7 && strcmp(argv[5], "if-match") == 0 ? argv[6]
								  : NULL,
		    argc == 6 && strcmp(argv[5], "if-none-match") == 0, &o, msg,
		    msgsize);
		free(body);
		if (rc < 0)
			return rc == -2 ? 4 : 3;
		print_object(&o);
		aws_s3_object_free(&o);
		return 0;
	}
	if (strcmp(c, "s3-get-if") == 0 && argc == 5) {
		rc = aws_s3_get_if_changed(a, region, argv[2], argv[3], argv[4],
					   &o, msg, msgsize);
		if (rc < 0)
			return 3;
		if (rc == 1)
			printf("unchanged\n");
		else if (rc == 2)
			printf("missing\n");
		else
			print_object(&o);
		aws_s3_object_free(&o);
		return 0;
	}
	if (strcmp(c, "s3-versions") == 0 && argc == 4) {
		struct aws_s3_versions l;
		size_t k;

		if (aws_s3_list_versions(a, region, argv[2], argv[3], &l, msg,
					 msgsize) < 0)
			return 3;
		for (k = 0; k < l.n; k++)
			printf("%s %s %lld%s%s\n", l.v[k].version_id,
			       l.v[k].etag ? l.v[k].etag : "-", l.v[k].size,
			       l.v[k].latest ? " latest" : "",
			       l.v[k].delete_marker ? " deleted" : "");
		aws_s3_versions_free(&l);
		return 0;
	}
	if (strcmp(c, "kms-get-policy") == 0 && argc == 3) {
		v = aws_kms_get_key_policy(a, region, argv[2], msg, msgsize);
		if (v == NULL)
			return 3;
		printf("%s\n", v);
		free(v);
		return 0;
	}
	if (strcmp(c, "kms-put-policy") == 0 && argc == 4) {
		size_t len;
		char *body = read_file(argv[3], &len);

		rc = aws_kms_put_key_policy(a, region, argv[2], body, msg,
					    msgsize);
		free(body);
		return rc < 0 ? 3 : 0;
	}
	if (strcmp(c, "cfn-resource") == 0 && argc == 4) {
		v = aws_cfn_stack_resource(a, region, argv[2], argv[3], msg,
					   msgsize);
		if (v == NULL)
			return 3;
		printf("%s\n", v);
		free(v);
		return 0;
	}
	if ((strcmp(c, "cw-put") == 0 && argc == 7) ||
	    (strcmp(c, "cw-latest") == 0 && argc >= 6)) {
		struct aws_cw_metric m = {.namespace_ = argv[2],
					  .name = argv[3],
					  .dimension = argv[4],
					  .stat = "Minimum",
					  .period_s = 60,
					  .window_s = 900};
		size_t n = (size_t)argc - 5;
		double *vals;
		bool *have;

		if (c[3] == 'p')
			return aws_cw_put(a, region, &m, argv[5],
					  strtod(argv[6], NULL), msg,
					  msgsize) < 0
				   ? 3
				   : 0;
		vals = xcalloc(n, sizeof(*vals));
		have = xcalloc(n, sizeof(*have));
		rc = aws_cw_latest(a, region, &m, (const char *const *)argv + 5,
				   n, (int64_t)time(NULL) + 60, vals, have, msg,
				   msgsize);
		for (i = 0; rc == 0 && i < (int)n; i++) {
			if (have[i])
				printf("%s %g\n", argv[5 + i], vals[i]);
			else
				printf("%s none\n", argv[5 + i]);
		}
		free(vals);
		free(have);
		return rc < 0 ? 3 : 0;
	}
	if (strcmp(c, "ec2-describe") == 0) {
		const char **ids = xcalloc((size_t)argc, sizeof(*ids));
		const char **tags = xcalloc(2 * (size_t)argc, sizeof(*tags));
		char **dup = xcalloc((size_t)argc, sizeof(*dup));
		struct aws_ec2_instances l;
		size_t ni = 0, nt = 0, k, t;

		for (i = 2; i < argc; i++) {
			if (strncmp(argv[i], "id=", 3) == 0) {
				ids[ni++] = argv[i] + 3;
			} else if (strncmp(argv[i], "tag:", 4) == 0 &&
				   strchr(argv[i], '=')) {
				char *eq;

				dup[i] = xstrdup(argv[i] + 4);
				eq = strchr(dup[i], '=');
				*eq = '\0';
				tags[nt++] = dup[i];
				tags[nt++] = eq + 1;
			}
		}
		rc = aws_ec2_describe_instances(a, region, ni ? ids : NULL,
						nt ? tags : NULL, &l, msg,
						msgsize);
		for (k = 0; rc == 0 && k < l.n; k++) {
			printf("%s %s", l.v[k].id,
			       l.v[k].state ? l.v[k].state : "-");
			for (t = 0; t < l.v[k].ntags; t++)
				printf(" %s=%s", l.v[k].tags[t].key,
				       l.v[k].tags[t].value);
			printf("\n");
		}
		if (rc == 0)
			aws_ec2_instances_free(&l);
		for (i = 0; i < argc; i++)
			free(dup[i]);
		free(dup);
		free(ids);
		free(tags);
		return rc < 0 ? 3 : 0;
	}
	fprintf(stderr, "aws_call: unknown call or arguments: %s\n", c);
	return 2;
}

int main(int argc, char **argv)
{
	struct aws_client *a;
	char msg[1024], region[64];
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: aws_call CALL ARGS...\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (awscred_region(NULL, region, sizeof(region), msg, sizeof(msg)) <
	    0) {
		fprintf(stderr, "%s\n", msg);
		return 3;
	}
	a = aws_client_new();
	msg[0] = '\0';
	rc = call(a, region, argc, argv, msg, sizeof(msg));
	if (rc == 3 || rc == 4)
		fprintf(stderr, "%s\n", msg);
	aws_client_free(a);
	curl_global_cleanup();
	return rc;
}
