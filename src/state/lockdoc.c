#include "state/lockdoc.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"

int64_t lockdoc_ttl_ms(void)
{
	const char *s = getenv("BVOPS_LOCK_TTL_MS");
	long long v = s != NULL ? atoll(s) : 0;

	if (v <= 0)
		return (int64_t)15 * 60 * 1000;
	return v < 1000 ? 1000 : (int64_t)v;
}

char *lockdoc_body(const char *id, const char *what, int64_t ttl_ms,
		   const char *how)
{
	cJSON *o = cJSON_CreateObject();
	char who[WHOAMI_USER_MAX], host[WHOAMI_HOST_MAX], when[40], *s;
	int64_t now = clock_now_ms();

	whoami_user(who, sizeof(who));
	whoami_host(host, sizeof(host));
	cJSON_AddBoolToObject(o, "held", id != NULL);
	if (id != NULL) {
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "who", who);
		cJSON_AddStringToObject(o, "host", host);
		cJSON_AddStringToObject(o, "what", what ? what : "");
		timefmt_iso8601(now, false, when, sizeof(when));
		cJSON_AddStringToObject(o, "since", when);
		timefmt_iso8601(now + ttl_ms, false, when, sizeof(when));
		cJSON_AddStringToObject(o, "expires", when);
	} else {
		char by[WHOAMI_OWNER_MAX];

		timefmt_iso8601(now, false, when, sizeof(when));
		cJSON_AddStringToObject(o, "released", when);
		snprintf(by, sizeof(by), "%s@%s", who, host);
		cJSON_AddStringToObject(o, "by", by);
		cJSON_AddStringToObject(o, "how", how ? how : "released");
	}
	s = cJSON_Print(o);
	cJSON_Delete(o);
	if (s == NULL)
		abort(); /* cJSON only fails for want of memory */
	return s;
}

static void lockdoc_str(const cJSON *o, const char *k, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

void lockdoc_parse(const char *text, struct fleetlock_holder *h)
{
	cJSON *o = cJSON_Parse(text ? text : "");
	char t[64];

	memset(h, 0, sizeof(*h));
	if (!cJSON_IsObject(o)) {
		h->held = true;
		snprintf(h->who, sizeof(h->who), "unknown (not a lock)");
		cJSON_Delete(o);
		return;
	}
	h->held = cJSON_IsTrue(cJSON_GetObjectItem(o, "held"));
	lockdoc_str(o, "id", h->id, sizeof(h->id));
	lockdoc_str(o, "who", h->who, sizeof(h->who));
	lockdoc_str(o, "host", h->host, sizeof(h->host));
	lockdoc_str(o, "what", h->what, sizeof(h->what));
	lockdoc_str(o, "since", t, sizeof(t));
	h->since_ms = timefmt_iso8601_parse(t);
	lockdoc_str(o, "expires", t, sizeof(t));
	h->expires_ms = timefmt_iso8601_parse(t);
	lockdoc_str(o, "released", t, sizeof(t));
	h->released_ms = timefmt_iso8601_parse(t);
	cJSON_Delete(o);
}

void lockdoc_describe(const struct fleetlock_holder *h, char *out, size_t size)
{
	char since[40], exp[40];

	if (!h->held) {
		snprintf(out, size, "nobody");
		return;
	}
	timefmt_iso8601(h->since_ms, false, since, sizeof(since));
	timefmt_iso8601(h->expires_ms, false, exp, sizeof(exp));
	snprintf(out, size, "%s@%s, %s (procedure %s), since %s, %s %s", h->who,
		 h->host, h->what, h->id[0] ? h->id : "?", since,
		 h->expires_ms < clock_now_ms() ? "STALE: expired" : "expires",
		 exp);
}
