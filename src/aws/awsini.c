/* awsini: the AWS shared files, read as botocore reads them. */
#include "aws/awsini.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

#define AWSINI_FILE_MAX ((size_t)1 << 20)

void awsini_wipe(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

char *awsini_expand(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return xasprintf("%s%s", home ? home : "", path + 1);
	return xstrdup(path);
}

/* The file at $env or ~/.aws/name, read whole (bounded); NULL if none. */
char *awsini_file(const char *env, const char *name, char **path)
{
	const char *e = getenv(env), *home = getenv("HOME");
	struct buf b;
	FILE *fp;
	char chunk[4096];
	size_t n;

	*path = e != NULL && *e
		    ? awsini_expand(e)
		    : xasprintf("%s/.aws/%s", home ? home : "", name);
	fp = fopen(*path, "r");
	if (fp == NULL)
		return NULL;
	buf_init(&b, AWSINI_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, n) < 0)
			break;
	fclose(fp);
	return buf_take(&b, NULL);
}

/* Trim spaces at both ends, in place. */
char *awsini_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * One walk over INI text for both lookups: key's value in [section] (sub
 * NULL), or sub's value among the indented lines under "key =" (the
 * [services] blocks). Comments start with # or ;, section names compare
 * exactly, keys in any case and end at '=' or ':' (configparser's rules,
 * as botocore reads the files: no inline comments), the first value
 * wins. A new string, or NULL.
 */
static char *awsini_find(const char *text, const char *section, const char *key,
			 const char *sub)
{
	const char *p = text;
	bool in = false, under = false;
	char line[1024];

	while (p != NULL && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool indented;
		char *l, *eq;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		indented = line[0] == ' ' || line[0] == '\t';
		if (indented && sub == NULL)
			continue; /* a nested setting (s3 = ...) */
		l = awsini_trim(line);
		if (*l == '#' || *l == ';' || *l == '\0')
			continue;
		if (!indented && *l == '[') {
			char *close = strchr(l, ']');

			if (close != NULL)
				*close = '\0';
			in = close != NULL &&
			     strcmp(awsini_trim(l + 1), section) == 0;
			under = false;
			continue;
		}
		eq = l + strcspn(l, "=:");
		if (!in || *eq == '\0')
			continue;
		*eq = '\0';
		if (!indented && strcasecmp(awsini_trim(l), key) == 0) {
			if (sub == NULL)
				return xstrdup(awsini_trim(eq + 1));
			under = true;
		} else if (!indented) {
			under = false;
		} else if (under && strcasecmp(awsini_trim(l), sub) == 0) {
			return xstrdup(awsini_trim(eq + 1));
		}
	}
	return NULL;
}

char *awsini_get(const char *text, const char *section, const char *key)
{
	return awsini_find(text, section, key, NULL);
}

char *awsini_nested(const char *text, const char *section, const char *key,
		    const char *sub)
{
	return awsini_find(text, section, key, sub);
}

const char *awsini_profile(void)
{
	const char *p = getenv("AWS_PROFILE");

	return p != NULL && *p ? p : "default";
}

/* A setting of a profile in config text: [profile X]; the default
 * profile is [default], else [profile default] (as botocore reads it). */
char *awsini_section_get(const char *text, const char *profile, const char *key)
{
	char *section = xasprintf("profile %s", profile), *v = NULL;

	if (text == NULL) {
		free(section);
		return NULL;
	}
	if (strcmp(profile, "default") == 0)
		v = awsini_get(text, "default", key);
	if (v == NULL)
		v = awsini_get(text, section, key);
	free(section);
	return v;
}

/* A setting of the profile in ~/.aws/config. */
char *awsini_config_get(const char *profile, const char *key)
{
	char *path, *text = awsini_file("AWS_CONFIG_FILE", "config", &path);
	char *v = awsini_section_get(text, profile, key);

	free(path);
	if (text != NULL)
		awsini_wipe(text);
	return v;
}

char *awsini_config_value(const char *key)
{
	return awsini_config_get(awsini_profile(), key);
}

bool awsini_endpoints_ignored(void)
{
	const char *e = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	char *v;
	bool ignored;

	if (e != NULL && *e != '\0')
		return strcasecmp(e, "true") == 0;
	v = awsini_config_value("ignore_configured_endpoint_urls");
	ignored = v != NULL && strcasecmp(v, "true") == 0;
	free(v);
	return ignored;
}

char *awsini_config_endpoint(const char *service)
{
	char *path, *text = awsini_file("AWS_CONFIG_FILE", "config", &path);
	char *services = awsini_section_get(text, awsini_profile(), "services");
	char *v = NULL;

	if (services != NULL) {
		char *sect = xasprintf("services %s", services);

		v = awsini_nested(text, sect, service, "endpoint_url");
		free(sect);
		free(services);
	}
	if (v == NULL)
		v = awsini_section_get(text, awsini_profile(), "endpoint_url");
	free(path);
	if (text != NULL)
		awsini_wipe(text);
	return v;
}

char *awsini_ca_bundle(void)
{
	const char *e = getenv("AWS_CA_BUNDLE");
	char *v, *path;

	if (e != NULL && *e != '\0')
		return awsini_expand(e);
	v = awsini_config_value("ca_bundle");
	if (v == NULL)
		return NULL;
	path = awsini_expand(v);
	free(v);
	return path;
}
