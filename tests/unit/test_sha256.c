/* SHA-256 (libcrypto's) against the FIPS 180-4 examples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/sha256.h"

TEST(sha256_known_vectors)
{
	char hex[65];

	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4959"
		       "91b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410f"
		       "f61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		   56, hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd"
		       "419db06c1");
}

TEST(sha256_of_a_million_bytes)
{
	/* FIPS 180-4's million 'a's. */
	static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a"
				   "497200e046d39ccc7112cd0";
	char *m = malloc(1000000), hex[65];

	memset(m, 'a', 1000000);
	sha256_hex(m, 1000000, hex);
	CHECK_STR(hex, want);
	free(m);
}
