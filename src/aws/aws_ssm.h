/*
 * aws_ssm: AWS Systems Manager calls (JSON 1.1 over aws.h).
 * Returns new strings the caller frees.
 */
#ifndef BVOPS_AWS_SSM_H
#define BVOPS_AWS_SSM_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/aws.h"

/*
 * GetParameter (WithDecryption): the parameter's value, or NULL with a
 * message naming the parameter and AWS's error. name may be a full ARN:
 * the call then goes to the ARN's own region, else to region.
 */
char *aws_ssm_get_parameter(struct aws_client *a, const char *region,
			    const char *name, char *msg, size_t msgsize);

/*
 * SendCommand of the AWS-RunShellScript document to one instance: script
 * runs as one shell script (its lines joined), killed by the agent after
 * exec_timeout_s; an agent that has not taken it within 30 s lets it
 * lapse (DeliveryTimedOut). comment (may be NULL) is shown in AWS's
 * console. Returns the command id (a new string), or NULL with a message;
 * aws_client_last_code() tells throttling apart.
 */
char *aws_ssm_send_command(struct aws_client *a, const char *region,
			   const char *instance_id, const char *script,
			   long exec_timeout_s, const char *comment, char *msg,
			   size_t msgsize);

/* What GetCommandInvocation says of one command on one instance. */
struct aws_ssm_invocation {
	char status[32];         /* Pending, InProgress, Success, ... */
	char status_details[64]; /* DeliveryTimedOut, Undeliverable, ... */
	long response_code;      /* the script's exit status; -1: none */
	char *out, *err;         /* the output so far (AWS caps them) */
};

/*
 * GetCommandInvocation. Returns 0 with *inv filled (free it with
 * aws_ssm_invocation_free), or -1 with a message; right after
 * SendCommand aws_client_last_code() may say "InvocationDoesNotExist"
 * for a few seconds.
 */
int aws_ssm_get_invocation(struct aws_client *a, const char *region,
			   const char *command_id, const char *instance_id,
			   struct aws_ssm_invocation *inv, char *msg,
			   size_t msgsize);
void aws_ssm_invocation_free(struct aws_ssm_invocation *inv);

/* CancelCommand: best effort (0, or -1 with a message). */
int aws_ssm_cancel_command(struct aws_client *a, const char *region,
			   const char *command_id, const char *instance_id,
			   char *msg, size_t msgsize);

#endif
