/*
 * records: the console's full-screen views of the fleet's state folder:
 * the incident list, one incident's report, and the event and audit logs
 * (incident_file.h, eventlog.h). Everything is read from the files when a
 * view opens (or on `r`), so what a `bvops watch` beside the console wrote
 * is there too.
 *
 * Owns the text it shows; draws into stdscr. Files are untrusted: every
 * line is sanitized as it is drawn.
 */
#ifndef BVOPS_UI_RECORDS_H
#define BVOPS_UI_RECORDS_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "state/theme.h"

/* What the views need from the console (borrowed). */
struct records_env {
	const attr_t *style; /* THEME_ROLE_COUNT curses attributes */
	bool utf8;
	const char *state_dir; /* NULL: nothing to show */
};

enum records_action {
	RECORDS_NONE,   /* the key was used (or ignored) */
	RECORDS_CLOSE,  /* back to the dashboard */
	RECORDS_EXPORT, /* ask for a file name (records_export_name) */
	RECORDS_RESUME, /* the procedure records_procedure_id() names: */
	RECORDS_ROLLBACK,
	RECORDS_ABANDON,
	RECORDS_SEARCH, /* ask for a text to search (records_search) */
};

struct records;

struct records *records_new(void);
void records_free(struct records *r);

/* Open the incident list, or the event log (Tab: the audit log). */
void records_open_incidents(struct records *r, const struct records_env *env);
void records_open_logs(struct records *r, const struct records_env *env);
/* The journaled procedures (procjournal.h) and where each stands. */
void records_open_procedures(struct records *r, const struct records_env *env);
/* How many journals are open (not ended); the newest one's id and where
 * it stands into id and where ("" when none). */
size_t records_open_count(const struct records_env *env, char *id,
			  size_t idsize, char *where, size_t wsize);
/* Select procedure id in the list (after records_open_procedures). */
void records_select_procedure(struct records *r, const char *id);
/* The procedure selected (for RECORDS_RESUME and the others). */
const char *records_procedure_id(const struct records *r);

/* Draw the view on rows y0 to y0 + rows - 2 (the last row is the
 * console's footer); rows in records_key is the same height. */
void records_draw(struct records *r, const struct records_env *env, int y0,
		  int rows, int cols);
enum records_action
records_key(struct records *r, const struct records_env *env, int ch, int rows);

/* Search the text in view (a report, a log, a journal) for text: its
 * lines marked, the first at or below the top shown; n and N go on.
 * 0, or -1 when no line holds it; msg says which of how many. */
int records_search(struct records *r, const char *text, char *msg,
		   size_t msgsize);

/* The keys of the view in front, for the console's footer (static). */
const char *records_keys(const struct records *r);

/* The file name to offer for exporting the incident in view. */
void records_export_name(const struct records *r, char *out, size_t size);
/* Export the incident in view to path ("~/" is the home folder); never
 * over an existing file. 0, or -1; msg says what happened either way. */
int records_export(struct records *r, const struct records_env *env,
		   const char *path, char *msg, size_t msgsize);

#endif
