/* termcolour: NO_COLOR and TERM=dumb, as users expect them read. */
#include "lib/termcolour.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool termcolour_allowed(void)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no != NULL && *no != '\0')
		return false;
	return term != NULL && *term != '\0' && strcmp(term, "dumb") != 0;
}

bool termcolour_wanted(int fd)
{
	return isatty(fd) && termcolour_allowed();
}
