/*
 * aws: one signed AWS request, the core every service module shares.
 *
 * Signs with libcurl's CURLOPT_AWS_SIGV4 (credentials from awscred.h,
 * loaded on first use and again when they go stale), finds the endpoint
 * (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, else AWS's own), retries
 * throttling, 5xx answers and connection errors in AWS's "standard" way (3
 * attempts, capped exponential back-off with full jitter), bounds every
 * answer, and turns every other failure into one line naming the call,
 * the resource, and AWS's own error code and message.
 *
 * Owns a struct aws_client (its credentials; secret wiped on free) and
 * the strings of a struct aws_response. Blocking: for the command line.
 */
#ifndef BVOPS_AWS_H
#define BVOPS_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aws/awscred.h"

/* Largest answer kept; more is an error naming the call. */
#define AWS_ANSWER_MAX ((size_t)8 << 20)

struct aws_client;

struct aws_request {
	const char *service;  /* signing name: "ssm", "s3", "monitoring", ... */
	const char *env_name; /* for AWS_ENDPOINT_URL_<env_name>: "SSM", ... */
	const char *host;     /* AWS's host prefix: "ssm", "s3", ... */
	const char *region;
	const char *method; /* "GET", "POST", "PUT", "HEAD" */
	const char *path;   /* "/" or "/bucket/key", encoded (aws_uri_encode) */
	const char *query;  /* encoded, keys sorted ("a=1&b="), or NULL */
	const char *const *headers; /* more signed headers, NULL-ended */
	const char *target;       /* X-Amz-Target for JSON protocols, or NULL */
	const char *content_type; /* with a body */
	const char *body;
	size_t body_len;
	/* A 304 Not Modified is an answer (a conditional GET), not an
	 * error. */
	bool not_modified_ok;
	const char *call;     /* "SSM GetParameter": for messages */
	const char *resource; /* "parameter /tsm/x": for messages */
};

struct aws_response {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	char *etag;          /* S3, or NULL */
	char *version_id;    /* S3 x-amz-version-id, or NULL */
	char *last_modified; /* S3 Last-Modified, or NULL */
	char *date;          /* the Date header (AWS's clock), or NULL */
};

/* A client; credentials load on the first call. */
struct aws_client *aws_client_new(void);
/* A client that calls as id (copied; NULL: the default chain). Its
 * credentials are the process's for that identity, loaded once and again
 * before they expire. */
struct aws_client *aws_client_new_as(const struct aws_identity *id);
/* Who it calls as, for messages: "profile node-2-admin", "role ...",
 * "the default chain". */
const char *aws_client_identity(const struct aws_client *a);

/*
 * STS GetCallerIdentity as a: the identity's account and ARN into account
 * and arn. 0, or -1 with a message (the identity cannot be had, or AWS
 * refused it).
 */
int aws_client_whoami(struct aws_client *a, const char *region, char *account,
		      size_t asize, char *arn, size_t arnsize, char *msg,
		      size_t msgsize);
void aws_client_free(struct aws_client *a);
/*
 * Make the call in flight (from another thread) and every later one fail
 * at once with "cancelled": how a worker is stopped without waiting out
 * AWS's timeouts and back-off.
 */
void aws_client_cancel(struct aws_client *a);
/* AWS's error code ("InvocationDoesNotExist", "ThrottlingException") of
 * the last call that failed with an answer; "" otherwise. Valid until the
 * next call. */
const char *aws_client_last_code(const struct aws_client *a);
/* True when code is AWS throttling ("ThrottlingException", ...). */
bool aws_code_throttling(const char *code);

/*
 * Send rq (with retries). Returns 0 with a 2xx answer in *rs, or -1 with
 * the one-line message (and *rs empty). Free *rs with aws_response_free.
 */
int aws_call(struct aws_client *a, const struct aws_request *rq,
	     struct aws_response *rs, char *msg, size_t msgsize);
void aws_response_free(struct aws_response *rs);

/*
 * A JSON 1.1 call (SSM, KMS): POST / of req (serialised here) with rq's
 * target; the answer's JSON (the caller deletes it; an empty answer is an
 * empty object), or NULL with a message (also when the answer does not
 * parse: that names the call).
 */
struct cJSON;
struct cJSON *aws_call_json(struct aws_client *a, const struct aws_request *rq,
			    const struct cJSON *req, char *msg, size_t msgsize);

/*
 * A query-protocol call (EC2, CloudFormation, CloudWatch): POST of a form
 * with Action, Version and params (name, value pairs, NULL-ended), whose
 * XML answer is parsed into *root (xml.h; the caller frees it). rq gives
 * service, env_name, host, region, call and resource; its method, path,
 * body and content type are set here. Returns 0, or -1 with a message
 * (also when the answer does not parse: that names the call).
 */
struct xml;
int aws_call_query(struct aws_client *a, const struct aws_request *rq,
		   const char *action, const char *version,
		   const char *const *params, struct xml **root, char *msg,
		   size_t msgsize);

/*
 * s percent-encoded as SigV4 wants (unreserved characters kept, '/' kept
 * when keep_slash): a new string.
 */
char *aws_uri_encode(const char *s, bool keep_slash);

/* The endpoint for rq (a new string), for messages and tests. */
char *aws_endpoint(const struct aws_request *rq);

#endif
