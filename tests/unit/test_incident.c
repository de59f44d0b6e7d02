/* Incident reports rendered from a record; ISO 8601 times both ways. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/timefmt.h"
#include "state/incident_file.h"

static const char record[] =
    "{\"id\":\"node-1-20261127T100000Z\",\"fleet\":\"f\",\"node\":\"node-1\","
    "\"index\":1,\"status\":\"closed\","
    "\"first_failure\":\"2026-11-27T10:00:00.000Z\","
    "\"down\":\"2026-11-27T10:00:00.600Z\","
    "\"recovered\":\"2026-11-27T10:01:30.000Z\",\"cause\":\"HTTP 503\","
    "\"before_s\":120,\"after_s\":60,"
    "\"timeline\":[{\"time\":\"2026-11-27T10:00:00.600Z\","
    "\"text\":\"up -> down: HTTP | 503\"}],"
    "\"checks\":[{\"time\":\"2026-11-27T10:00:00.000Z\",\"http_code\":503,"
    "\"latency_ms\":1.5,\"error\":null}],"
    "\"journal_source\":\"journal stream already running\","
    "\"journal\":[{\"time\":\"2026-11-27T09:59:59.000Z\",\"kind\":\"line\","
    "\"text\":\"a ````` run\"},{\"time\":\"2026-11-28T00:00:01.000Z\","
    "\"kind\":\"health\",\"text\":\"-- HEALTH --\"}],"
    "\"journal_dropped\":0,\"journal_dropped_after\":1000}";

TEST(incident_render_markdown_and_text)
{
	char msg[300], *md, *txt;

	md = incident_render_json("r.json", record, true, msg, sizeof(msg));
	txt = incident_render_json("r.json", record, false, msg, sizeof(msg));
	CHECK(md != NULL && txt != NULL);
	if (md == NULL || txt == NULL) {
		free(md);
		free(txt);
		return;
	}
	CHECK(strstr(md, "# Incident: node-1 (index 1), fleet f") != NULL);
	CHECK(strstr(md, "| Outage | 1m30s |") != NULL);
	/* A '|' in a cell is escaped; the table stays a table. */
	CHECK(strstr(md, "up -> down: HTTP \\| 503") != NULL);
	/* The fence is longer than the longest run of backticks. */
	CHECK(strstr(md, "\n``````\n") != NULL);
	CHECK(strstr(md, "09:59:59.000    a ````` run") != NULL);
	/* Another day than the first failure's: the date is shown. */
	CHECK(strstr(md, "2026-11-28 00:00:01.000 ==> -- HEALTH --") != NULL);
	CHECK(strstr(txt, "Outage              1m30s") != NULL);
	CHECK(strstr(txt, "\\|") == NULL);
	free(md);
	free(txt);
	CHECK(incident_render_json("r.json", "[1]", true, msg, sizeof(msg)) ==
	      NULL);
	CHECK(strcmp(msg, "r.json: not an incident record") == 0);
}

TEST(timefmt_both_ways)
{
	char out[40];

	timefmt_iso8601(1795756200123LL, true, out, sizeof(out));
	CHECK(strcmp(out, "2026-11-27T05:10:00.123Z") == 0);
	timefmt_iso8601(1795756200123LL, false, out, sizeof(out));
	CHECK(strcmp(out, "2026-11-27T05:10:00Z") == 0);
	CHECK(timefmt_iso8601_parse("2026-11-27T05:10:00.123Z") ==
	      1795756200123LL);
	CHECK(timefmt_iso8601_parse("2026-11-27T05:10:00Z") == 1795756200000LL);
	CHECK(timefmt_iso8601_parse("2026-11-27T05:10:00.5Z") ==
	      1795756200500LL);
	CHECK(timefmt_iso8601_parse("2026-11-27T05:10:00") == 0);
	CHECK(timefmt_iso8601_parse("2026-11-27T05:10:00.Z") == 0);
	CHECK(timefmt_iso8601_parse(NULL) == 0);
}
