#include "lib/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void timefmt_iso8601(int64_t ms, bool millis, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (millis)
		snprintf(out, size, "%s.%03dZ", base, (int)(ms % 1000));
	else
		snprintf(out, size, "%sZ", base);
}

int64_t timefmt_iso8601_parse(const char *s)
{
	struct tm tm;
	const char *end;
	int64_t frac = 0;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return 0;
	if (*end == '.') {
		int digits = 0;

		for (end++; *end >= '0' && *end <= '9'; end++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*end - '0');
		if (digits == 0)
			return 0;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (strcmp(end, "Z") != 0)
		return 0;
	return (int64_t)timegm(&tm) * 1000 + frac;
}
