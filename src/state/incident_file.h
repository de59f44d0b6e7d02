/*
 * incident_file: the incident records incident.h writes, read back:
 * listed, rendered for people as Markdown or plain text, and exported to
 * a file the operator names. Any thread; owns what it returns.
 */
#ifndef BVOPS_INCIDENT_FILE_H
#define BVOPS_INCIDENT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct incident_info {
	char id[200];
	char node[128];
	char status[32]; /* open, closed, recording stopped */
	int64_t first_fail_ms, recovered_ms; /* wall clock; 0: none */
	char cause[200];
};

/*
 * The records under state_dir/incidents, newest first, into *out (the
 * caller frees it) and *n. A missing folder is no incident. 0, or -1 with
 * a message.
 */
int incident_list(const char *state_dir, struct incident_info **out, size_t *n,
		  char *msg, size_t msgsize);

/* The id of the one record whose id starts with prefix ("latest": the
 * newest). 0, or -1 with a message (none, or several). */
int incident_resolve(const char *state_dir, const char *prefix, char *id,
		     size_t idsize, char *msg, size_t msgsize);

/* Record id rendered (markdown, else plain text): a new string, or NULL
 * with a message naming the file. */
char *incident_render(const char *state_dir, const char *id, bool markdown,
		      char *msg, size_t msgsize);

/* The same rendered from a record's JSON text (path for messages). */
char *incident_render_json(const char *path, const char *json, bool markdown,
			   char *msg, size_t msgsize);

/*
 * Write the rendering to path (0600). An existing file is kept unless
 * overwrite. 0, or -1 with a message.
 */
int incident_export(const char *state_dir, const char *id, const char *path,
		    bool markdown, bool overwrite, char *msg, size_t msgsize);

#endif
