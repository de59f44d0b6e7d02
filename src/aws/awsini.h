/*
 * awsini: the AWS shared files (~/.aws/config, ~/.aws/credentials) read as
 * botocore reads them (Python's configparser): [section], keys in any
 * case ending at '=' or ':', whole-line '#' and ';' comments only, nested
 * (indented) settings under a key; the profile's settings, the
 * [services] blocks, the CA bundle. Owns nothing it returns: every
 * string is new, for the caller to free (awsini_wipe when it may hold a
 * secret).
 */
#ifndef BVOPS_AWSINI_H
#define BVOPS_AWSINI_H

#include <stdbool.h>

/* Overwrite s, then free it (NULL: nothing). */
void awsini_wipe(char *s);
/* path with a leading "~/" made $HOME's. */
char *awsini_expand(const char *path);

/* s without spaces, tabs and CRs at either end (in place). */
char *awsini_trim(char *s);

/* The file at $env (~ expanded), else ~/.aws/name, read whole (1 MiB at
 * most); NULL when there is none. *path says which file it was. */
char *awsini_file(const char *env, const char *name, char **path);

/* key's value in [section] of INI text (the first one), or NULL. */
char *awsini_get(const char *text, const char *section, const char *key);
/* In [section], sub's value among the indented lines under "key =". */
char *awsini_nested(const char *text, const char *section, const char *key,
		    const char *sub);

/* AWS_PROFILE, else "default". */
const char *awsini_profile(void);
/* key of profile in config text: [profile NAME]; the default profile is
 * [default], else [profile default]. */
char *awsini_section_get(const char *text, const char *profile,
			 const char *key);
/* The same, read from the config file. */
char *awsini_config_get(const char *profile, const char *key);
/* key of the current profile in the config file. */
char *awsini_config_value(const char *key);

/* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (else the profile's
 * ignore_configured_endpoint_urls) is true. */
bool awsini_endpoints_ignored(void);
/* The endpoint the config gives service ("ssm", "s3"...): its block in
 * the profile's `services` section, else the profile's endpoint_url. */
char *awsini_config_endpoint(const char *service);
/* AWS_CA_BUNDLE, else the profile's ca_bundle (~ expanded), or NULL. */
char *awsini_ca_bundle(void);

#endif
