/*
 * redact: a config.toml with its secrets hidden, for showing to people.
 *
 * The rule (docs/config.md, "Redaction"): a value is replaced by
 * "<redacted>" when its key, or the key of any table or array it sits in,
 * names a secret (after lower-casing and dropping '_', '-', '.' and
 * spaces, it contains password, passwd, passphrase, secret, privatekey,
 * privkey, token, apikey, accesskey, credential, mnemonic, masterkey,
 * encryptionkey, signingkey, seed, kmskey, authkey, hmackey or pincode,
 * or ends in pwd, or in pass or pin as a word); any string that holds a
 * PEM private key is replaced whole; in any other string the password of
 * "user:password@" (up to the last '@' of a URL's authority or a DSN, as
 * libpq and Go read it) and the value of password, passwd, pwd, secret or
 * token in key = value strings (spaces, libpq's '...', ODBC's {...} and
 * "..." quoting) are replaced. Everything else stays byte for byte
 * (comments included, so a secret written in a comment is not found:
 * configs keep secrets in values).
 *
 * The text must parse as TOML: what does not parse cannot be redacted
 * safely, and is refused.
 */
#ifndef BVOPS_REDACT_H
#define BVOPS_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACT_MARK "<redacted>"

/* True when a key (one part, decoded) names a secret. */
bool redact_key_is_secret(const char *key, size_t len);

/*
 * The redacted text (a new string the caller frees; its length in *out_len,
 * the number of values changed in *count), or NULL with the parse error as
 * "LINE:COL: message" in err.
 */
char *redact_toml(const char *text, size_t len, size_t *out_len, size_t *count,
		  char *err, size_t errsize);

/*
 * The credentials inside one string value hidden (see above): a new
 * string, or NULL when there is nothing to hide.
 */
char *redact_string(const char *s, size_t len);

#endif
