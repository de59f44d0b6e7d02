#include "lib/duration.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *unit;
	uint64_t ms;
} duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
};

int duration_parse(const char *text, uint64_t *ms, char *msg, size_t msgsize)
{
	const char *s = text;
	uint64_t total = 0;

	if (*s == '\0') {
		snprintf(msg, msgsize, "empty duration");
		return -1;
	}
	while (*s != '\0') {
		uint64_t n = 0, mul = 0;
		size_t k, best = 0;

		if (*s < '0' || *s > '9') {
			snprintf(msg, msgsize,
				 "invalid duration \"%s\" (use e.g. \"500ms\", "
				 "\"2s\", \"15m\", \"1h\")",
				 text);
			return -1;
		}
		for (; *s >= '0' && *s <= '9'; s++) {
			if (n > (UINT64_MAX - 9) / 10) {
				snprintf(msg, msgsize,
					 "duration \"%s\" is too "
					 "long",
					 text);
				return -1;
			}
			n = n * 10 + (uint64_t)(*s - '0');
		}
		/* Longest unit that matches, so "ms" wins over "m". */
		for (k = 0;
		     k < sizeof(duration_units) / sizeof(duration_units[0]);
		     k++) {
			size_t len = strlen(duration_units[k].unit);

			if (len > best &&
			    strncmp(s, duration_units[k].unit, len) == 0) {
				best = len;
				mul = duration_units[k].ms;
			}
		}
		if (best == 0) {
			snprintf(
			    msg, msgsize,
			    "duration \"%s\" needs a unit (ms, s, m, h, d)",
			    text);
			return -1;
		}
		s += best;
		if (n > (UINT64_MAX - total) / mul) {
			snprintf(msg, msgsize, "duration \"%s\" is too long",
				 text);
			return -1;
		}
		total += n * mul;
	}
	*ms = total;
	return 0;
}

void duration_format(uint64_t ms, char *out, size_t size)
{
	size_t k = sizeof(duration_units) / sizeof(duration_units[0]);

	if (ms == 0) {
		snprintf(out, size, "0s");
		return;
	}
	while (k-- > 1)
		if (ms % duration_units[k].ms == 0)
			break;
	snprintf(out, size, "%llu%s",
		 (unsigned long long)(ms / duration_units[k].ms),
		 duration_units[k].unit);
}

void duration_human(uint64_t ms, char *out, size_t size)
{
	uint64_t s = (ms + 500) / 1000;

	if (ms < 1000)
		snprintf(out, size, "%llums", (unsigned long long)ms);
	else if (ms < 10000 && ms % 1000 != 0)
		snprintf(out, size, "%llu.%llus",
			 (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000 / 100));
	else if (s < 60)
		snprintf(out, size, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(out, size, s % 60 ? "%llum%llus" : "%llum",
			 (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(out, size, s / 60 % 60 ? "%lluh%llum" : "%lluh",
			 (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60));
	else
		snprintf(out, size, s / 3600 % 24 ? "%llud%lluh" : "%llud",
			 (unsigned long long)(s / 86400),
			 (unsigned long long)(s / 3600 % 24));
}
