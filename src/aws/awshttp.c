/* awshttp: User-Agent and CA bundle for requests to AWS. */
#include "aws/awshttp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>

#ifndef BVOPS_VERSION
#define BVOPS_VERSION "0.0.0-dev"
#endif

static char user_agent[128];
static pthread_once_t user_agent_once = PTHREAD_ONCE_INIT;

static void awshttp_user_agent_make(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	snprintf(user_agent, sizeof(user_agent), "bvops/%s libcurl/%s",
		 BVOPS_VERSION, v && v->version ? v->version : "?");
}

const char *awshttp_user_agent(void)
{
	pthread_once(&user_agent_once, awshttp_user_agent_make);
	return user_agent;
}

void awshttp_setup(void *curl, const char *ca_bundle)
{
	curl_easy_setopt(curl, CURLOPT_USERAGENT, awshttp_user_agent());
	if (ca_bundle != NULL) /* libcurl copies the string */
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle);
}
