/*
 * cliargs: a command's own arguments read from a table of its options,
 * so that every command takes them the same way: "--wait 3m" and
 * "--wait=3m" alike, options before, between or after the words, "--"
 * before a word that starts with "-", and a message naming the option
 * that is wrong.
 *
 * Owns nothing: what it stores are pointers into argv.
 */
#ifndef BVOPS_CLIARGS_H
#define BVOPS_CLIARGS_H

#include <stddef.h>

enum cliarg_type {
	CLIARG_FLAG,     /* --name: *(bool *)out = true */
	CLIARG_STRING,   /* --name VALUE: *(const char **)out = VALUE */
	CLIARG_DURATION, /* --name 90s: *(uint64_t *)out, in ms (duration.h) */
	CLIARG_COUNT, /* --name N, a whole number from min to max: *(long *) */
};

struct cliarg {
	const char *name; /* "--wait"; NULL ends the table */
	enum cliarg_type type;
	void *out;
	long min, max; /* CLIARG_COUNT only */
};

/*
 * Read argv (argc words) against opts: each option into its out, the
 * other words in order into words (at most maxwords, each a pointer into
 * argv). Returns how many words there were, or -1 with a message ("--wait:
 * not a duration: 'x'", "unknown option '--frob'", "unexpected 'extra'").
 */
int cliargs_parse(int argc, char **argv, const struct cliarg *opts,
		  const char **words, int maxwords, char *msg, size_t msgsize);

/* The same, for a command: the message said on stderr ("bvops: ..."). */
int cliargs_read(int argc, char **argv, const struct cliarg *opts,
		 const char **words, int maxwords);

#endif
