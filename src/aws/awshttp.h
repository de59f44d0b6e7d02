/*
 * awshttp: what every HTTPS request bvops makes to AWS carries, as the
 * SDKs do: a User-Agent naming bvops and its version, and the CA bundle
 * of AWS_CA_BUNDLE or the profile's ca_bundle (awsini_ca_bundle, read
 * once by the caller, not per request). Owns nothing.
 */
#ifndef BVOPS_AWSHTTP_H
#define BVOPS_AWSHTTP_H

/* Set them on a libcurl easy handle (a CURL *); ca_bundle may be NULL
 * (the system's CAs). */
void awshttp_setup(void *curl, const char *ca_bundle);

/* "bvops/VERSION libcurl/VERSION": the User-Agent. */
const char *awshttp_user_agent(void);

#endif
