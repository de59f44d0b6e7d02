/*
 * libFuzzer target for bvops doctor's reading of a node's answer
 * (doctor.h): any bytes, sections or not. No crash, no leak; every check
 * is there, with a level and a fact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/doctor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct doctor_clock clock = {1700000000, "this host's clock"};
	struct doctor_report r;
	size_t k;

	doctor_judge((const char *)data, size, "n0", "eu-west-1", &clock, NULL,
		     &r);
	if (r.n != 12)
		abort(); /* a check went missing */
	for (k = 0; k < r.n; k++)
		if (r.v[k].fact[0] == '\0' || r.v[k].level > DOCTOR_FAIL ||
		    strchr(r.v[k].fact, '\n') != NULL)
			abort(); /* a check without its one-line fact */
	doctor_report_free(&r);
	return 0;
}
