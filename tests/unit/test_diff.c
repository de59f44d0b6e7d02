/* diff: exact output on small cases; random pairs always patch a into b. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/buf.h"
#include "lib/diff.h"

TEST(diff_small_cases)
{
	char *d;

	d = diff_unified("a\nb\nc\n", 6, "a\nb\nc\n", 6, "x", "y", false);
	CHECK(d != NULL && strcmp(d, "") == 0);
	free(d);
	d = diff_unified("a\nb\nc\n", 6, "a\nB\nc\n", 6, "old", "new", false);
	CHECK(d != NULL && strcmp(d, "--- old\n+++ new\n@@ -1,3 +1,3 @@\n"
				     " a\n-b\n+B\n c\n") == 0);
	free(d);
	d = diff_unified("", 0, "x\n", 2, "old", "new", false);
	CHECK(d != NULL &&
	      strcmp(d, "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n") == 0);
	free(d);
	d = diff_unified("x\n", 2, "x", 1, "old", "new", false);
	CHECK(d != NULL && strcmp(d, "--- old\n+++ new\n@@ -1 +1 @@\n-x\n+x\n"
				     "\\ No newline at end of file\n") == 0);
	free(d);
	/* Two changes far apart: two hunks. */
	d = diff_unified("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 21,
			 "0\n2\n3\n4\n5\n6\n7\n8\n9\n11\n", 21, "a", "b",
			 false);
	CHECK(d != NULL && strcmp(d, "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+0\n"
				     " 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n"
				     " 9\n-10\n+11\n") == 0);
	free(d);
	d = diff_unified("a\n", 2, "b\n", 2, "a", "b", true);
	CHECK(d != NULL && strstr(d, "\033[31m-a\033[0m\n") != NULL &&
	      strstr(d, "\033[32m+b\033[0m\n") != NULL);
	free(d);
}

/* Apply a unified diff (as diff_unified writes it) to a. */
static char *apply(const char *a, const char *d)
{
	struct buf out;
	const char *p = d, *ap = a;
	size_t aline = 1;

	buf_init(&out, 0);
	/* Skip the two header lines. */
	if (*p) {
		p = strchr(p, '\n') + 1;
		p = strchr(p, '\n') + 1;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);

		if (*p == '@') {
			size_t as = 0, ac = 1, copy;
			const char *q = p + 4;

			as = strtoul(q, (char **)&q, 10);
			if (*q == ',')
				ac = strtoul(q + 1, NULL, 10);
			/* An empty side names the line after which it goes. */
			copy = ac == 0 ? as : as - 1;
			while (aline <= copy) {
				const char *anl = strchr(ap, '\n');

				buf_append(&out, ap, (size_t)(anl - ap) + 1);
				ap = anl + 1;
				aline++;
			}
		} else if (*p == ' ' || *p == '-') {
			const char *anl = strchr(ap, '\n');
			size_t alen = anl ? (size_t)(anl - ap) + 1 : strlen(ap);

			if (*p == ' ')
				buf_append(&out, ap, alen);
			ap += alen;
			aline++;
		} else if (*p == '+') {
			buf_append(&out, p + 1, len - 1);
			if (!(nl[1] == '\\'))
				buf_append_char(&out, '\n');
		}
		p = nl + 1;
	}
	buf_append_str(&out, ap);
	return buf_take(&out, NULL);
}

TEST(diff_random_pairs_patch_a_into_b)
{
	unsigned seed = 12345;
	int round, bad = 0;

	for (round = 0; round < 400; round++) {
		char a[400] = "", b[400] = "", *d, *got;
		int k,
		    na = (int)((seed = seed * 1103515245 + 12345) >> 16) % 12;
		int nb = (int)((seed = seed * 1103515245 + 12345) >> 16) % 12;

		for (k = 0; k < na; k++) {
			seed = seed * 1103515245 + 12345;
			snprintf(a + strlen(a), sizeof(a) - strlen(a), "l%u\n",
				 (seed >> 16) % 4);
		}
		for (k = 0; k < nb; k++) {
			seed = seed * 1103515245 + 12345;
			snprintf(b + strlen(b), sizeof(b) - strlen(b), "l%u\n",
				 (seed >> 16) % 4);
		}
		d = diff_unified(a, strlen(a), b, strlen(b), "a", "b", false);
		got = apply(a, d);
		if (strcmp(got, b) != 0 && bad++ < 3)
			fprintf(stderr, "a:\n%sb:\n%sdiff:\n%sgot:\n%s\n", a, b,
				d, got);
		free(d);
		free(got);
	}
	CHECK(bad == 0);
}
