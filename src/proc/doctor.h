/*
 * doctor: what an expert checks first on a node in an incident, in one
 * run of the node's `doctor` command ([commands]; its default prints
 * the facts in "== name ==" sections): the enclave (nitro-cli
 * describe-enclaves), the allocator against the enclave's needs and
 * whether its unit really succeeded, hugepages, recent nitro-cli errors
 * with their explanation, vsock-proxy and its allowlist, enclave.service
 * and its start limit, disk space, the SSM agent, the node's clock, and
 * the running enclave's PCRs against its EIF's. Each check is ok, warn or
 * fail, with the fact and the fix (docs/doctor.md).
 *
 * doctor_judge is pure (the output is given); doctor_run runs the command
 * through the transport. The report owns its checks.
 */
#ifndef BVOPS_DOCTOR_H
#define BVOPS_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"
#include "transport/transport.h"

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL };

struct doctor_check {
	char name[32];
	enum doctor_level level;
	char fact[600];
	char fix[400]; /* "" when there is nothing to do */
};

struct doctor_report {
	struct doctor_check *v;
	size_t n;
};

const char *doctor_level_name(enum doctor_level l);

/* What the node's KMS key policy pins (kmspolicy_pins), for the PCR
 * view: read when the node has a kms_stack. */
struct doctor_pins {
	bool read;        /* the policy was read */
	char region[64];  /* the key's region: where its KMS endpoint is */
	char why[400];    /* why not, when not */
	char pcr[9][128]; /* "" where it pins nothing */
};

/* The clock the node's is compared with: AWS's (the Date header of an
 * STS call, what SigV4 is checked against) or, when AWS was not asked,
 * this host's. */
struct doctor_clock {
	int64_t now_s;  /* seconds since the epoch */
	const char *of; /* "AWS's clock", "this host's clock" */
};

/*
 * Judge the doctor command's output (out, len) for node name in region
 * (the KMS endpoint the allowlist must name), the node's clock against
 * clock, and with pins (NULL: the node has no KMS stack, no such check)
 * the policy's PCRs beside the enclave's and the EIF's.
 */
void doctor_judge(const char *out, size_t len, const char *name,
		  const char *region, const struct doctor_clock *clock,
		  const struct doctor_pins *pins, struct doctor_report *r);
void doctor_report_free(struct doctor_report *r);

/* How many checks are at each level (counts[DOCTOR_OK..DOCTOR_FAIL]). */
void doctor_count(const struct doctor_report *r, size_t counts[3]);
/* The report as people read it: a line per check ("FAIL  disk  / is 97%
 * full"), "fix: ..." under each that is not ok, then the counts as the
 * last line (no newline after it). A new string; the facts are the
 * node's words, not yet made safe. */
char *doctor_report_text(const struct doctor_report *r);

/* Run node n's doctor command through t, then judge it. 0, or -1 with
 * why when it could not run at all. */
int doctor_run(struct transport *t, const struct fleet *f,
	       const struct fleet_node *n, const char *region,
	       struct doctor_report *r, char *msg, size_t msgsize);

#endif
