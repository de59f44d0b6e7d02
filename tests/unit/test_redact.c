/* The redaction rule of docs/config.md, case by case. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "state/redact.h"

static char *red(const char *text, size_t *count)
{
	char err[200];
	size_t len;
	char *r =
	    redact_toml(text, strlen(text), &len, count, err, sizeof(err));

	if (r == NULL)
		return strdup(err);
	return r;
}

TEST(redact_keys_that_name_secrets)
{
	static const char *const secret[] = {"password",
					     "DBPassword",
					     "db_password",
					     "PrivateKey",
					     "private-key",
					     "ApiKey",
					     "api.key",
					     "AccessKey",
					     "token",
					     "AuthToken",
					     "ClientSecret",
					     "Mnemonic",
					     "MasterKey",
					     "EncryptorMasterPassword",
					     "seed",
					     "Passphrase",
					     "smtp_pwd",
					     "userPass",
					     "db_pass",
					     "Credentials",
					     "KMSKey",
					     "AuthKey",
					     "HMACKey",
					     "ClientSecretValue",
					     "Pin",
					     "user_pin",
					     "UserPin",
					     "PinCode",
					     NULL};
	static const char *const plain[] = {
	    "PublicKey",      "Index",   "Address",  "DriverName",
	    "DataSourceName", "Port",    "KeyId",    "passes",
	    "Threshold",      "Compass", "bypass",   "Spin",
	    "Mapping",        "PingURL", "ping_url", NULL};
	size_t i;

	for (i = 0; secret[i] != NULL; i++)
		if (!CHECK(redact_key_is_secret(secret[i], strlen(secret[i]))))
			check_report(__FILE__, __LINE__, secret[i], false);
	for (i = 0; plain[i] != NULL; i++)
		if (!CHECK(!redact_key_is_secret(plain[i], strlen(plain[i]))))
			check_report(__FILE__, __LINE__, plain[i], false);
}

TEST(redact_values_in_place_and_keeps_the_rest)
{
	size_t n;
	char *r =
	    red("# node config\n"
		"[Player]\n"
		"Index = 0 # me\n"
		"PrivateKey = \"MHcCAQEEIBase64==\"\n"
		"PublicKey = 'MFkwEwYHKoZIzj0'\n"
		"\n"
		"[Database]\n"
		"DriverName = \"postgres\"\n"
		"DataSourceName = \"postgres://tsm:hunter2@db:5432/tsm\"\n"
		"Password = 1234\n",
		&n);

	CHECK_STR(r,
		  "# node config\n"
		  "[Player]\n"
		  "Index = 0 # me\n"
		  "PrivateKey = \"<redacted>\"\n"
		  "PublicKey = 'MFkwEwYHKoZIzj0'\n"
		  "\n"
		  "[Database]\n"
		  "DriverName = \"postgres\"\n"
		  "DataSourceName = \"postgres://tsm:<redacted>@db:5432/tsm\"\n"
		  "Password = \"<redacted>\"\n");
	CHECK(n == 3);
	free(r);
}

TEST(redact_whole_secret_tables_arrays_and_multiline)
{
	size_t n;
	char *r = red("[Secrets]\n"
		      "a = \"x\"\n"
		      "b = [1, \"y\"]\n"
		      "[Secrets.inner]\n"
		      "c = { d = \"z\" }\n"
		      "[other]\n"
		      "tokens = [\"t1\", \"t2\"]\n"
		      "key = \"\"\"\n-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
		      "-----END EC PRIVATE KEY-----\n\"\"\"\n"
		      "safe.seedless = false\n",
		      &n);

	CHECK_STR(r, "[Secrets]\n"
		     "a = \"<redacted>\"\n"
		     "b = [\"<redacted>\", \"<redacted>\"]\n"
		     "[Secrets.inner]\n"
		     "c = { d = \"<redacted>\" }\n"
		     "[other]\n"
		     "tokens = [\"<redacted>\", \"<redacted>\"]\n"
		     "key = \"<redacted>\"\n"
		     "safe.seedless = \"<redacted>\"\n");
	CHECK(n == 8);
	free(r);
}

TEST(redact_connection_strings)
{
	char *r;

	r = redact_string("host=db user=tsm password=s3cr3t sslmode=require",
			  48);
	CHECK_STR(r, "host=db user=tsm password=<redacted> sslmode=require");
	free(r);
	r = redact_string("tsm:pw@tcp(db:3306)/tsm?parseTime=true", 38);
	CHECK_STR(r, "tsm:<redacted>@tcp(db:3306)/tsm?parseTime=true");
	free(r);
	r = redact_string("Server=db;Uid=tsm;Pwd=abc;", 26);
	CHECK_STR(r, "Server=db;Uid=tsm;Pwd=<redacted>;");
	free(r);
	/* The userinfo ends at the authority's last '@' (libpq, Go): more
	 * hidden than a host, never a password shown. */
	r = redact_string("https://a:b@h1,c:d@h2/x", 23);
	CHECK_STR(r, "https://a:<redacted>@h2/x");
	free(r);
	/* Nothing to hide: e-mail addresses, plain URLs, times. */
	CHECK(redact_string("ops@example.com", 15) == NULL);
	CHECK(redact_string("https://example.com:8443/ping", 29) == NULL);
	CHECK(redact_string("12:30", 5) == NULL);
}

/* Each form in which a password is written in a connection string, as
 * libpq, URLs, Go and ODBC read them. */
static void dsn_is(const char *in, const char *want)
{
	char *r = redact_string(in, strlen(in));

	if (!CHECK_STR(r ? r : "(unchanged)", want))
		check_report(__FILE__, __LINE__, in, false);
	free(r);
}

TEST(redact_every_dsn_form)
{
	/* '@' in a password: the userinfo ends at the last one. */
	dsn_is("postgres://tsm:p@ss@word@db-0/tsm",
	       "postgres://tsm:<redacted>@db-0/tsm");
	dsn_is("tsm:p@ss@tcp(db:3306)/tsm", "tsm:<redacted>@tcp(db:3306)/tsm");
	dsn_is("dsn=tsm:p@ss@db/x", "dsn=tsm:<redacted>@db/x");
	/* libpq: quoted values with escapes, spaces around '='. */
	dsn_is("host=db password='p w q' user=tsm",
	       "host=db password=<redacted> user=tsm");
	dsn_is("password='it\\'s' user=tsm", "password=<redacted> user=tsm");
	dsn_is("host=db password = spacedpw user=tsm",
	       "host=db password = <redacted> user=tsm");
	/* ODBC: "..." with "" doubled, {...} with }} doubled. */
	dsn_is("Server=db;Pwd=\"quoted;pw\";Uid=tsm",
	       "Server=db;Pwd=<redacted>;Uid=tsm");
	dsn_is("Server=db;PWD={a}}b;c};Uid=tsm",
	       "Server=db;PWD=<redacted>;Uid=tsm");
	dsn_is("Passwd=x&db=y", "Passwd=<redacted>&db=y");
	/* Not a password: the words around them, and words that end so. */
	dsn_is("user@host:22", "(unchanged)");
	dsn_is("https://example.com/users/@me", "(unchanged)");
	dsn_is("nopassword=1", "(unchanged)");
}

TEST(redact_refuses_what_does_not_parse)
{
	size_t n;
	char *r = red("[a]\nPassword = \"unterminated\n", &n);

	CHECK(strncmp(r, "2:", 2) == 0);
	CHECK(strstr(r, "unterminated") == NULL);
	free(r);
	r = red("", &n);
	CHECK_STR(r, "");
	CHECK(n == 0);
	free(r);
}
