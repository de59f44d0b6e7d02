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

/* Text that would read otherwise than it is: bidi overrides and
 * isolates, zero-width characters, a byte-order mark mid-line. */
TEST(sanitize_marks_bidi_and_zero_width)
{
	/* "rm -rf /" shown reversed by a right-to-left override. */
	CHECK_STR(clean("ok \xe2\x80\xae/ fr- mr", false),
		  "ok <U+202E>/ fr- mr");
	CHECK_STR(clean("\xe2\x81\xa6"
			"x\xe2\x81\xa9",
			false),
		  "<U+2066>x<U+2069>");
	CHECK_STR(clean("pass\xe2\x80\x8bword", false), "pass<U+200B>word");
	CHECK_STR(clean("a\xe2\x80\x8f"
			"b\xef\xbb\xbf"
			"c",
			false),
		  "a<U+200F>b<U+FEFF>c");
	/* Their neighbours are ordinary text. */
	CHECK_STR(clean("\xe2\x80\x94 \xe2\x80\xaf", false),
		  "\xe2\x80\x94 \xe2\x80\xaf");
	CHECK_STR(clean("\xe2\x80\xae", true), "?");
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
