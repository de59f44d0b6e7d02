/*
 * aws_creds [FLEET_REGION]: the credentials and region bvops finds, for
 * tests/awscred.sh. Prints the source, the key id, whether a session
 * token came, the seconds to expiry and the region; never the secret
 * (only its length). Exit 0, or 3 with the message.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/awscred.h"

int main(int argc, char **argv)
{
	struct aws_creds c;
	char msg[600], region[64];
	int rc = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (awscred_load(&c, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "%s\n", msg);
		rc = 3;
	} else {
		printf("source=%s\nkey=%s\nsecret_len=%zu\ntoken=%s\n",
		       c.source, c.key_id, strlen(c.secret),
		       c.token ? "yes" : "no");
		printf("expires_in=%lld\n",
		       c.expires_ms ? (long long)(c.expires_ms / 1000 -
						  (long long)time(NULL))
				    : -1LL);
		printf("stale=%s\n",
		       awscred_stale(&c, (int64_t)time(NULL) * 1000) ? "yes"
								     : "no");
		awscred_free(&c);
	}
	if (awscred_region(argc > 1 ? argv[1] : NULL, region, sizeof(region),
			   msg, sizeof(msg)) == 0)
		printf("region=%s\n", region);
	else
		printf("region_error=%s\n", msg);
	curl_global_cleanup();
	return rc;
}
