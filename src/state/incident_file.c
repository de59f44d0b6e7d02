#include "state/incident_file.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/duration.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "state/statedir.h"

#define INCIDENT_FILE_MAX ((size_t)64 << 20)

/* The whole file (NUL-terminated), or NULL with a message. */
static char *incf_read(const char *path, char *msg, size_t msgsize)
{
	struct buf b;

	buf_init(&b, INCIDENT_FILE_MAX);
	if (buf_read_file(&b, path, msg, msgsize) < 0) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, "", 0);
	return buf_take(&b, NULL);
}

static const char *incf_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int incf_newest_first(const void *a, const void *b)
{
	const struct incident_info *x = a, *y = b;

	if (x->first_fail_ms != y->first_fail_ms)
		return x->first_fail_ms < y->first_fail_ms ? 1 : -1;
	return strcmp(x->id, y->id);
}

int incident_list(const char *state_dir, struct incident_info **out, size_t *n,
		  char *msg, size_t msgsize)
{
	char *dir = statedir_file(state_dir, "incidents", NULL, NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (d == NULL) {
		int e = errno;

		if (e == ENOENT) {
			free(dir);
			return 0;
		}
		snprintf(msg, msgsize, "%s: %s", dir, strerror(e));
		free(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct incident_info *x;
		char *path, *text, err[300];
		cJSON *o;

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		text = incf_read(path, err, sizeof(err));
		free(path);
		o = text ? cJSON_Parse(text) : NULL;
		free(text);
		if (o == NULL)
			continue; /* not a record: not listed */
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		x = &(*out)[(*n)++];
		memset(x, 0, sizeof(*x));
		snprintf(x->id, sizeof(x->id), "%.*s", (int)(len - 5),
			 de->d_name);
		snprintf(x->node, sizeof(x->node), "%s",
			 incf_str(o, "node") ? incf_str(o, "node") : "?");
		snprintf(x->status, sizeof(x->status), "%s",
			 incf_str(o, "status") ? incf_str(o, "status") : "?");
		snprintf(x->cause, sizeof(x->cause), "%s",
			 incf_str(o, "cause") ? incf_str(o, "cause") : "");
		x->first_fail_ms =
		    timefmt_iso8601_parse(incf_str(o, "first_failure"));
		x->recovered_ms =
		    timefmt_iso8601_parse(incf_str(o, "recovered"));
		cJSON_Delete(o);
	}
	closedir(d);
	free(dir);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), incf_newest_first);
	return 0;
}

int incident_resolve(const char *state_dir, const char *prefix, char *id,
		     size_t idsize, char *msg, size_t msgsize)
{
	struct incident_info *v;
	size_t n, k, found = 0, plen = strlen(prefix);

	if (incident_list(state_dir, &v, &n, msg, msgsize) < 0)
		return -1;
	if (strcmp(prefix, "latest") == 0 && n > 0) {
		snprintf(id, idsize, "%s", v[0].id);
		free(v);
		return 0;
	}
	for (k = 0; k < n; k++) {
		if (strcmp(v[k].id, prefix) == 0) {
			found = 1;
			snprintf(id, idsize, "%s", v[k].id);
			break;
		}
		if (strncmp(v[k].id, prefix, plen) == 0) {
			if (found++ == 0)
				snprintf(id, idsize, "%s", v[k].id);
		}
	}
	free(v);
	if (found == 1)
		return 0;
	if (found == 0)
		snprintf(msg, msgsize,
			 "no incident %s (bvops incident list shows them)",
			 prefix);
	else
		snprintf(msg, msgsize,
			 "%zu incidents start with %s: give more of the id",
			 found, prefix);
	return -1;
}

/* Markdown's special characters escaped, for table cells and lists. */
static void incf_md(struct buf *b, const char *s, bool markdown)
{
	for (; s != NULL && *s; s++) {
		if (markdown && strchr("\\`*_[]<|", *s) != NULL)
			buf_append_char(b, '\\');
		buf_append_char(b, *s);
	}
}

/* "HH:MM:SS.mmm" (with the date when it is not day's). */
static void incf_clock(const char *iso, const char *day, char *out, size_t size)
{
	if (iso == NULL || strlen(iso) < 19) {
		snprintf(out, size, "?");
		return;
	}
	if (day != NULL && strncmp(iso, day, 10) == 0)
		snprintf(out, size, "%.12s", iso + 11);
	else
		snprintf(out, size, "%.10s %.12s", iso, iso + 11);
}

static void incf_field(struct buf *b, bool markdown, const char *name,
		       const char *value)
{
	if (markdown) {
		buf_printf(b, "| %s | ", name);
		incf_md(b, value, true);
		buf_append_str(b, " |\n");
	} else {
		buf_printf(b, "%-19s %s\n", name, value);
	}
}

static void incf_checks(struct buf *b, const cJSON *checks, const char *day,
			bool markdown)
{
	const cJSON *c;

	if (markdown)
		buf_append_str(b, "| Time (UTC) | HTTP | Latency | Error |\n"
				  "|---|---|---|---|\n");
	else
		buf_printf(b, "  %-12s  %-4s  %-9s  %s\n", "time (UTC)", "HTTP",
			   "latency", "error");
	cJSON_ArrayForEach(c, checks)
	{
		const cJSON *code = cJSON_GetObjectItem(c, "http_code");
		const cJSON *lat = cJSON_GetObjectItem(c, "latency_ms");
		const char *err = incf_str(c, "error");
		char when[40], http[16], latency[32];

		incf_clock(incf_str(c, "time"), day, when, sizeof(when));
		if (cJSON_IsNumber(code))
			snprintf(http, sizeof(http), "%d", code->valueint);
		else
			snprintf(http, sizeof(http), "-");
		if (cJSON_IsNumber(lat))
			snprintf(latency, sizeof(latency), "%.1f ms",
				 lat->valuedouble);
		else
			snprintf(latency, sizeof(latency), "-");
		if (markdown) {
			buf_printf(b, "| %s | %s | %s | ", when, http, latency);
			incf_md(b, err ? err : "", true);
			buf_append_str(b, " |\n");
		} else {
			buf_printf(b, "  %-12s  %-4s  %-9s  %s\n", when, http,
				   latency, err ? err : "");
		}
	}
}

/* The longest run of backticks in the journal: the fence is longer. */
static size_t incf_fence(const cJSON *journal)
{
	const cJSON *l;
	size_t longest = 0;

	cJSON_ArrayForEach(l, journal)
	{
		const char *t = incf_str(l, "text");
		size_t run = 0;

		for (; t != NULL && *t; t++) {
			run = *t == '`' ? run + 1 : 0;
			if (run > longest)
				longest = run;
		}
	}
	return longest < 3 ? 3 : longest + 1;
}

static void incf_journal(struct buf *b, const cJSON *o, const char *day,
			 bool markdown)
{
	const cJSON *journal = cJSON_GetObjectItem(o, "journal"), *l;
	const cJSON *dropped = cJSON_GetObjectItem(o, "journal_dropped");
	const cJSON *after = cJSON_GetObjectItem(o, "journal_dropped_after");
	size_t fence = incf_fence(journal), k = 0;
	char ticks[64];

	if (fence >= sizeof(ticks))
		fence = sizeof(ticks) - 1;
	memset(ticks, '`', fence);
	ticks[fence] = '\0';
	if (incf_str(o, "journal_source") != NULL) {
		incf_md(b, incf_str(o, "journal_source"), markdown);
		buf_append_str(b, ".\n\n");
	}
	if (cJSON_GetArraySize(journal) == 0) {
		buf_append_str(b, "No journal lines were received.\n");
		return;
	}
	if (markdown)
		buf_printf(b, "%s\n", ticks);
	cJSON_ArrayForEach(l, journal)
	{
		const char *kind = incf_str(l, "kind");
		char when[40];

		if (cJSON_IsNumber(dropped) && dropped->valuedouble > 0 &&
		    cJSON_IsNumber(after) && k == (size_t)after->valuedouble)
			buf_printf(b,
				   "%s... %.0f lines not kept (the record "
				   "keeps the first and the last) ...\n",
				   markdown ? "" : "  ", dropped->valuedouble);
		incf_clock(incf_str(l, "time"), day, when, sizeof(when));
		buf_printf(b, "%s%s %s %s\n", markdown ? "" : "  ", when,
			   kind && strcmp(kind, "line") != 0 ? "==>" : "  ",
			   incf_str(l, "text") ? incf_str(l, "text") : "");
		k++;
	}
	if (markdown)
		buf_printf(b, "%s\n", ticks);
}

char *incident_render_json(const char *path, const char *json, bool markdown,
			   char *msg, size_t msgsize)
{
	cJSON *o = cJSON_Parse(json);
	const cJSON *tl, *e;
	const char *first, *rec, *node, *day;
	int64_t t0, t1;
	struct buf b;
	char line[300];

	if (o == NULL || !cJSON_IsObject(o) || incf_str(o, "node") == NULL) {
		snprintf(msg, msgsize, "%s: not an incident record", path);
		cJSON_Delete(o);
		return NULL;
	}
	buf_init(&b, 0);
	node = incf_str(o, "node");
	first = incf_str(o, "first_failure");
	rec = incf_str(o, "recovered");
	day = first;
	snprintf(line, sizeof(line), "Incident: %s (index %d), fleet %s", node,
		 cJSON_GetObjectItem(o, "index")
		     ? cJSON_GetObjectItem(o, "index")->valueint
		     : -1,
		 incf_str(o, "fleet") ? incf_str(o, "fleet") : "?");
	if (markdown) {
		buf_append_str(&b, "# ");
		incf_md(&b, line, true);
		buf_append_str(&b, "\n\n| | |\n|---|---|\n");
	} else {
		buf_printf(
		    &b, "%s\n%.*s\n\n", line, (int)strlen(line),
		    "====================================================="
		    "====================================================="
		    "===============================================");
	}
	incf_field(&b, markdown, "Record",
		   incf_str(o, "id") ? incf_str(o, "id") : "?");
	incf_field(&b, markdown, "Status",
		   incf_str(o, "status") ? incf_str(o, "status") : "?");
	incf_field(&b, markdown, "First failed check", first ? first : "-");
	incf_field(&b, markdown, "Marked down",
		   incf_str(o, "down") ? incf_str(o, "down") : "-");
	incf_field(&b, markdown, "Recovered",
		   rec ? rec : "not recovered when the record was written");
	t0 = timefmt_iso8601_parse(first);
	t1 = timefmt_iso8601_parse(rec);
	if (t0 > 0 && t1 >= t0) {
		char dur[40];

		duration_human((uint64_t)(t1 - t0), dur, sizeof(dur));
		incf_field(&b, markdown, "Outage", dur);
	}
	incf_field(&b, markdown, "Cause",
		   incf_str(o, "cause") ? incf_str(o, "cause") : "-");
	incf_field(&b, markdown, "Record written",
		   incf_str(o, "written") ? incf_str(o, "written") : "-");
	snprintf(line, sizeof(line), "\n%sTimeline (UTC)\n\n",
		 markdown ? "## " : "");
	buf_append_str(&b, line);
	tl = cJSON_GetObjectItem(o, "timeline");
	cJSON_ArrayForEach(e, tl)
	{
		char when[40];

		incf_clock(incf_str(e, "time"), day, when, sizeof(when));
		buf_printf(&b, "%s%s  ", markdown ? "- " : "  ", when);
		incf_md(&b, incf_str(e, "text"), markdown);
		buf_append_char(&b, '\n');
	}
	buf_printf(&b, "\n%sHealth checks (%d)\n\n", markdown ? "## " : "",
		   cJSON_GetArraySize(cJSON_GetObjectItem(o, "checks")));
	incf_checks(&b, cJSON_GetObjectItem(o, "checks"), day, markdown);
	{
		const cJSON *bs = cJSON_GetObjectItem(o, "before_s");
		const cJSON *as = cJSON_GetObjectItem(o, "after_s");
		char before[40] = "-", after[40] = "-";

		if (cJSON_IsNumber(bs))
			duration_format((uint64_t)(bs->valuedouble * 1000),
					before, sizeof(before));
		if (cJSON_IsNumber(as))
			duration_format((uint64_t)(as->valuedouble * 1000),
					after, sizeof(after));
		buf_printf(&b,
			   "\n%sJournal (UTC, %s before the first failed "
			   "check to %s after recovery)\n\n",
			   markdown ? "## " : "", before, after);
	}
	incf_journal(&b, o, day, markdown);
	cJSON_Delete(o);
	return buf_take(&b, NULL);
}

static bool incf_id_ok(const char *id)
{
	return id[0] != '\0' && id[0] != '.' && strchr(id, '/') == NULL;
}

char *incident_render(const char *state_dir, const char *id, bool markdown,
		      char *msg, size_t msgsize)
{
	char *path, *text, *out;

	if (!incf_id_ok(id)) {
		snprintf(msg, msgsize, "%s: not an incident id", id);
		return NULL;
	}
	path = statedir_file(state_dir, "incidents", id, ".json");
	text = incf_read(path, msg, msgsize);
	out = text ? incident_render_json(path, text, markdown, msg, msgsize)
		   : NULL;
	free(text);
	free(path);
	return out;
}

int incident_export(const char *state_dir, const char *id, const char *path,
		    bool markdown, bool overwrite, char *msg, size_t msgsize)
{
	char *text = incident_render(state_dir, id, markdown, msg, msgsize);
	int rc;

	if (text == NULL)
		return -1;
	rc = buf_write_file(path, text, strlen(text), !overwrite, msg, msgsize);
	free(text);
	return rc;
}
