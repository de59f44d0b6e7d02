/* Pieces of the ssh transport that need no server: base64, and what a
 * key file holds (tests/data/keys: throwaway keys made for these tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/base64.h"
#include "transport/knownhosts.h"
#include "transport/ssh.h"
#include "transport/sshcfg.h"

TEST(base64_round_trip_and_rejects)
{
	const unsigned char in[] = "any carnal pleasure.";
	unsigned char back[64];
	char out[BASE64_ENCODED_SIZE(sizeof(in))];
	long n;

	base64_encode(in, 20, out, true);
	CHECK_STR(out, "YW55IGNhcm5hbCBwbGVhc3VyZS4=");
	base64_encode(in, 19, out, false);
	CHECK_STR(out, "YW55IGNhcm5hbCBwbGVhc3VyZQ");
	n = base64_decode("YW55IGNh\ncm5hbCBwbGVhc3VyZS4=", 29, back,
			  sizeof(back));
	CHECK(n == 20 && memcmp(back, in, 20) == 0);
	CHECK(base64_decode("YW5*", 4, back, sizeof(back)) < 0);
	CHECK(base64_decode("YW55IGNh", 8, back, 3) < 0); /* no room */
}

static enum ssh_key_kind key_file(const char *name, bool *encrypted)
{
	char path[256], text[16384];
	FILE *fp;
	size_t len;

	snprintf(path, sizeof(path), "tests/data/keys/%s", name);
	fp = fopen(path, "r");
	if (fp == NULL)
		return (enum ssh_key_kind) - 1;
	len = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	return ssh_key_parse(text, len, encrypted);
}

TEST(ssh_key_kind_and_passphrase_from_the_file)
{
	bool enc = true;

	CHECK(key_file("ed25519", &enc) == SSH_KEY_ED25519 && !enc);
	CHECK(key_file("ed25519_pw", &enc) == SSH_KEY_ED25519 && enc);
	CHECK(key_file("ecdsa", &enc) == SSH_KEY_ECDSA && !enc);
	CHECK(key_file("ecdsa_pw", &enc) == SSH_KEY_ECDSA && enc);
	CHECK(key_file("rsa", &enc) == SSH_KEY_RSA && !enc);
	CHECK(key_file("rsa_pw", &enc) == SSH_KEY_RSA && enc);
	CHECK(key_file("rsa_pem", &enc) == SSH_KEY_RSA && !enc);
	CHECK(key_file("ecdsa_pem_pw", &enc) == SSH_KEY_ECDSA && enc);
	CHECK(ssh_key_parse("not a key", 9, &enc) == SSH_KEY_UNKNOWN && !enc);
	/* A truncated OpenSSH key: no crash, no kind. */
	CHECK(ssh_key_parse("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"
			    "NzaC1rZXktdjEAAAAABG5v",
			    64, &enc) == SSH_KEY_UNKNOWN);
}

static bool host_matches(const char *field, const char *name)
{
	return knownhosts_host_matches(field, strlen(field), name);
}

TEST(known_hosts_patterns_as_openssh_reads_them)
{
	CHECK(host_matches("node-0", "node-0"));
	CHECK(host_matches("NODE-0", "node-0")); /* case folded */
	CHECK(!host_matches("node-0", "node-01"));
	CHECK(host_matches("a,b,node-*", "node-7"));
	CHECK(host_matches("node-?", "node-7"));
	CHECK(!host_matches("node-?", "node-77"));
	CHECK(host_matches("*", "[127.0.0.1]:2222"));
	CHECK(host_matches("[127.0.0.1]:*", "[127.0.0.1]:2222"));
	CHECK(!host_matches("[127.0.0.1]:*", "127.0.0.1"));
	CHECK(host_matches("*.ops,**x", "db.ops"));
	/* A negated pattern rules the host out whatever the others say. */
	CHECK(!host_matches("*,!node-0", "node-0"));
	CHECK(host_matches("*,!node-0", "node-1"));
	CHECK(!host_matches("!node-1", "node-0")); /* only negations: none */
	/* HashKnownHosts: |1|base64(salt)|base64(HMAC-SHA1(salt, name)). */
	CHECK(host_matches("|1|AAECAwQFBgcICQoLDA0ODxAREhM=|"
			   "zKYaAqmSav3Qxr2sffNqWFIcbe4=",
			   "[127.0.0.1]:2222"));
	CHECK(!host_matches("|1|AAECAwQFBgcICQoLDA0ODxAREhM=|"
			    "zKYaAqmSav3Qxr2sffNqWFIcbe4=",
			    "[127.0.0.1]:2223"));
	CHECK(!host_matches("|1|bad|", "x"));
	CHECK(!host_matches("", "x"));
}

TEST(ssh_config_as_ssh_G_prints_it)
{
	struct sshcfg c = {0};

	/* OpenSSH's defaults are not settings: bvops keeps its own. */
	sshcfg_parse(
	    "user bob\nhostname 10.0.0.1\nport 2222\n"
	    "identityfile ~/.ssh/id_rsa\nidentityfile ~/.ssh/id_ecdsa\n"
	    "identityfile ~/.ssh/id_ecdsa_sk\n"
	    "identityfile ~/.ssh/id_ed25519\n"
	    "identityfile ~/.ssh/id_ed25519_sk\n"
	    "identityfile ~/.ssh/id_xmss\nidentityfile ~/.ssh/id_dsa\n"
	    "userknownhostsfile /home/u/.ssh/known_hosts "
	    "/home/u/.ssh/known_hosts2\nproxycommand none\n",
	    "/home/u", NULL, &c);
	CHECK_STR(c.user, "bob");
	CHECK_STR(c.host, "10.0.0.1");
	CHECK(c.port == 2222);
	CHECK(c.nidentity == 0);
	CHECK(c.known_hosts == NULL);
	CHECK(c.proxy_command == NULL);
	sshcfg_free(&c);
	/* What a config set is kept; a jump becomes ssh -W through it. */
	sshcfg_parse("Port 0\nidentityfile /k/one\nidentityfile /k/two\n"
		     "userknownhostsfile /k/kh /k/kh2\n"
		     "proxyjump a@j1,j2:2022\n",
		     "/home/u", "/cfg/it's", &c);
	CHECK(c.port == 22);
	CHECK(c.nidentity == 2);
	CHECK_STR(c.identity[1], "/k/two");
	CHECK_STR(c.known_hosts, "/k/kh");
	CHECK_STR(c.proxy_command,
		  "ssh -F '/cfg/it'\\''s' -J a@j1 -W %h:%p ssh://j2:2022");
	sshcfg_free(&c);
}
