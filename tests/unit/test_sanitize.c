/* Untrusted text never reaches the terminal with its control codes. */
#include "check.h"
#include "lib/sanitize.h"

static const char *clean(const char *in, bool ascii)
{
	static char out[128];

	sanitize_text(in, strlen(in), out, sizeof(out), ascii);
	return out;
}

TEST(sanitize_strips_escapes_and_controls)
{
	CHECK_STR(clean("plain text", false), "plain text");
	CHECK_STR(clean("\x1b[2J\x1b[31mred\x1b[0m", false), "red");
	CHECK_STR(clean("a\x1b]0;title\x07z", false), "az");
	CHECK_STR(clean("a\x1b]8;;http://x\x1b\\link", false), "alink");
	CHECK_STR(clean("bell\x07 bs\x08 del\x7f", false), "bell? bs? del?");
	CHECK_STR(clean("tab\there\r\n", false), "tab here??");
	CHECK_STR(clean("c1 \xc2\x9b"
			"31m",
			false),
		  "c1 ?31m");
	CHECK_STR(clean("caf\xc3\xa9 \xe2\x9c\x96", false),
		  "caf\xc3\xa9 \xe2\x9c\x96");
	CHECK_STR(clean("caf\xc3\xa9", true), "caf?");
	CHECK_STR(clean("bad \xff\xc3 utf8", false), "bad ?? utf8");
	CHECK_STR(clean("\x1b", false), "");
}

TEST(sanitize_cuts_to_fit)
{
	char out[6];

	CHECK(sanitize_text("abcdefgh", 8, out, sizeof(out), false) == 5);
	CHECK_STR(out, "abcde");
	/* A multi-byte character that does not fit is left out whole. */
	CHECK(sanitize_text("abcd\xc3\xa9", 6, out, sizeof(out), false) == 4);
	CHECK_STR(out, "abcd");
}
