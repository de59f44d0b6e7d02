#include "engine/alert.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"

static const char *const alert_names[ALERT_KIND_COUNT] = {
    [ALERT_DOWN] = "down",
    [ALERT_UP] = "up",
    [ALERT_REMINDER] = "still_down",
    [ALERT_FLAPPING] = "flapping",
    [ALERT_RESTART_ATTEMPT] = "restart_attempt",
    [ALERT_RESTART_DONE] = "restart_done",
    [ALERT_RESTART_FAILED] = "restart_failed",
    [ALERT_RESTART_GAVE_UP] = "restart_gave_up",
    [ALERT_START_LIMIT] = "start_limit",
    [ALERT_RESTART_HELD] = "restart_held",
    [ALERT_MANY_DOWN] = "many_down",
    [ALERT_DEBUG_MODE] = "debug_mode",
    [ALERT_ERS_ACTIVE] = "ers_active",
    [ALERT_ORPHANED] = "procedure_orphaned",
    [ALERT_GROUPED] = "grouped",
};

const char *alert_kind_name(enum alert_kind k)
{
	return k < ALERT_KIND_COUNT ? alert_names[k] : "unknown";
}

static void alert_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v != NULL && *v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

char *alert_json(const struct fleet *f, const struct alert *a)
{
	cJSON *o = cJSON_CreateObject();
	char when[40], *s;
	const struct fleet_node *n =
	    a->node < f->nnodes ? &f->nodes[a->node] : NULL;

	timefmt_iso8601(a->time_ms, true, when, sizeof(when));
	cJSON_AddNumberToObject(o, "seq", (double)a->seq);
	cJSON_AddStringToObject(o, "fleet", f->name);
	alert_str_or_null(o, "node", n ? n->name : NULL);
	if (n != NULL)
		cJSON_AddNumberToObject(o, "index", (double)n->index);
	else
		cJSON_AddNullToObject(o, "index");
	cJSON_AddStringToObject(o, "kind", alert_kind_name(a->kind));
	alert_str_or_null(o, "from", a->from);
	alert_str_or_null(o, "to", a->to);
	if (a->http_code != 0)
		cJSON_AddNumberToObject(o, "http_code", a->http_code);
	else
		cJSON_AddNullToObject(o, "http_code");
	alert_str_or_null(o, "error", a->error);
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddNumberToObject(o, "consecutive_failures",
				a->consecutive_failures);
	alert_str_or_null(o, "detail", a->detail);
	cJSON_AddStringToObject(o, "log_excerpt", a->log_excerpt);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		abort(); /* cJSON only fails for want of memory */
	return s;
}

char *alert_text(const struct fleet *f, const struct alert *a)
{
	char when[40];
	const struct fleet_node *n =
	    a->node < f->nnodes ? &f->nodes[a->node] : NULL;
	struct buf b;

	timefmt_iso8601(a->time_ms, true, when, sizeof(when));
	buf_init(&b, 0);
	buf_printf(&b, "%s %s %s", when, n ? n->name : f->name,
		   alert_kind_name(a->kind));
	if (a->from != NULL && a->to != NULL)
		buf_printf(&b, " (%s -> %s)", a->from, a->to);
	if (a->detail[0])
		buf_printf(&b, ": %s", a->detail);
	else if (a->error[0])
		buf_printf(&b, ": %s", a->error);
	return buf_take(&b, NULL);
}
