/* knownhosts: @revoked lines and OpenSSH's host patterns. */
#include "transport/knownhosts.h"

#include <ctype.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/base64.h"

/* '*' any run, '?' one character; case folded. Patterns are short (a
 * known_hosts field), so the backtracking is bounded by their length. */
static bool kh_glob(const char *p, const char *pend, const char *s)
{
	for (; p < pend; p++, s++) {
		if (*p == '*') {
			while (p + 1 < pend && p[1] == '*')
				p++;
			if (p + 1 == pend)
				return true;
			for (; *s != '\0'; s++)
				if (kh_glob(p + 1, pend, s))
					return true;
			return false;
		}
		if (*s == '\0')
			return false;
		if (*p != '?' &&
		    tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return false;
	}
	return *s == '\0';
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)): OpenSSH's HashKnownHosts. */
static bool kh_hashed_matches(const char *field, size_t len, const char *name)
{
	const char *bar = memchr(field + 3, '|', len - 3);
	unsigned char salt[64], want[64], got[EVP_MAX_MD_SIZE];
	unsigned int got_len = 0;
	long salt_len, want_len;

	if (bar == NULL)
		return false;
	salt_len = base64_decode(field + 3, (size_t)(bar - field - 3), salt,
				 sizeof(salt));
	want_len = base64_decode(bar + 1, len - (size_t)(bar + 1 - field), want,
				 sizeof(want));
	if (salt_len <= 0 || want_len != 20)
		return false;
	if (HMAC(EVP_sha1(), salt, (int)salt_len, (const unsigned char *)name,
		 strlen(name), got, &got_len) == NULL ||
	    got_len != 20)
		return false;
	return memcmp(got, want, 20) == 0;
}

bool knownhosts_host_matches(const char *field, size_t len, const char *name)
{
	const char *p = field, *end = field + len;
	bool matched = false;

	if (len > 3 && memcmp(field, "|1|", 3) == 0)
		return kh_hashed_matches(field, len, name);
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *pend = comma != NULL ? comma : end;
		bool negated = *p == '!';

		if (kh_glob(p + negated, pend, name)) {
			/* A negated match rules the host out, whatever else
			 * the list says (OpenSSH's rule). */
			if (negated)
				return false;
			matched = true;
		}
		p = pend + 1;
	}
	return matched;
}

/* The next blank-separated field of *p, or NULL at the end of the line. */
static const char *kh_field(const char **p, size_t *len)
{
	const char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
		;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

bool knownhosts_key_marked(const char *path, const char *marker,
			   const char *name, const unsigned char *key,
			   size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[8192];
	unsigned char blob[sizeof(line) / 4 * 3];
	bool found = false;

	if (fp == NULL) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line, *f;
		size_t flen;
		long n;

		line[strcspn(line, "\r\n")] = '\0';
		f = kh_field(&p, &flen);
		if (f == NULL || flen != strlen(marker) ||
		    memcmp(f, marker, flen) != 0)
			continue;
		f = kh_field(&p, &flen); /* host patterns */
		if (f == NULL || !knownhosts_host_matches(f, flen, name))
			continue;
		if (kh_field(&p, &flen) == NULL) /* key type */
			continue;
		f = kh_field(&p, &flen); /* the key */
		if (f == NULL)
			continue;
		if (key == NULL) { /* any key */
			found = true;
			break;
		}
		n = base64_decode(f, flen, blob, sizeof(blob));
		found =
		    n >= 0 && (size_t)n == len && memcmp(blob, key, len) == 0;
	}
	fclose(fp);
	return found;
}

size_t knownhosts_key_types(const char *path, const char *name,
			    char (*types)[KNOWNHOSTS_TYPE_MAX], size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[8192];
	size_t n = 0;

	if (fp == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (n < max && fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line, *f;
		size_t flen, k;

		line[strcspn(line, "\r\n")] = '\0';
		f = kh_field(&p, &flen); /* host patterns: plain lines only */
		if (f == NULL || *f == '#' || *f == '@' ||
		    !knownhosts_host_matches(f, flen, name))
			continue;
		f = kh_field(&p, &flen); /* key type */
		if (f == NULL || flen >= KNOWNHOSTS_TYPE_MAX)
			continue;
		for (k = 0; k < n; k++)
			if (strlen(types[k]) == flen &&
			    memcmp(types[k], f, flen) == 0)
				break;
		if (k < n)
			continue;
		memcpy(types[n], f, flen);
		types[n++][flen] = '\0';
	}
	fclose(fp);
	return n;
}
