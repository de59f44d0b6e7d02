/*
 * ssmjournal: a node's journal followed by polling, where nothing can
 * follow it for us (SSM runs commands to completion only).
 *
 * Each poll runs the node's journal_poll command (journalctl -u
 * enclave.service -o short-iso --no-pager --show-cursor -q) with the
 * cursor of the last entry delivered, and carries the new cursor to the
 * next poll, so no line is lost or repeated:
 * - the first poll takes the newest few entries (like journalctl -f);
 * - later ones take the first N entries after the cursor
 *   (--after-cursor=C -n N), polling again at once while N came;
 * - systemd before 255 can skip the first entry with --after-cursor and a
 *   unit match (systemd issue 30288): on those (journalctl --version) the
 *   poll asks from the cursor itself (--cursor=C) and drops that entry,
 *   which it knows by the last line it delivered;
 * - an answer cut at SSM's size cap has lost its cursor line: the same
 *   poll is made again with fewer entries; an entry too large even alone
 *   is delivered cut and stepped over by its cursor. Lines longer than
 *   SSMJOURNAL_LINE_CUT come cut on the node (cut -c).
 *
 * Pure: builds command lines and reads their output. Owns its strings.
 */
#ifndef BVOPS_SSMJOURNAL_H
#define BVOPS_SSMJOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#define SSMJOURNAL_LINE_CUT 4096
#define SSMJOURNAL_FIRST    10  /* entries shown by the first poll */
#define SSMJOURNAL_BATCH    200 /* entries per later poll, at most */

struct ssmjournal {
	char cursor[512]; /* "" until an entry came */
	bool compat;      /* --cursor and drop the echo (systemd < 255) */
	bool cursor_only; /* the next poll only steps over a huge entry */
	long batch;       /* -n of the next poll */
	int last_exit;    /* journalctl's exit status in the last poll; -1 */
	char *last;       /* first line of the last entry delivered */
	unsigned long polls, delivered, dropped_echoes;
};

void ssmjournal_init(struct ssmjournal *j);
void ssmjournal_free(struct ssmjournal *j);

/*
 * Read journalctl --version's output: compat when systemd is older than
 * 255 or the version cannot be read (compat is right on every version).
 * Returns the version, or -1.
 */
int ssmjournal_version(struct ssmjournal *j, const char *out);

/* The next poll's command line: template (already expanded and quoted)
 * with the cursor and count added. A new string. */
char *ssmjournal_command(const struct ssmjournal *j, const char *template);

/* Called for each new line (no newline), cut when the node or SSM cut it. */
typedef void (*ssmjournal_line_fn)(void *ctx, const char *line, size_t len,
				   bool cut);

/*
 * Take one poll's stdout (truncated: SSM cut it). Hands over the new
 * lines and moves the cursor. Returns 1 when the next poll should come at
 * once (more entries are waiting, or the answer was cut), 0 when it can
 * wait for the interval. last_exit then says how journalctl ended.
 */
int ssmjournal_take(struct ssmjournal *j, const char *out, size_t len,
		    bool truncated, ssmjournal_line_fn fn, void *ctx);

#endif
