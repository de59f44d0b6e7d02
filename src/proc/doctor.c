#include "proc/doctor.h"

#include <cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"
#include "aws/aws_kms.h"
#include "aws/awsid.h"
#include "engine/nodeact.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "proc/keypolicy.h"
#include "state/kmspolicy.h"

const char *doctor_level_name(enum doctor_level l)
{
	return l == DOCTOR_OK ? "ok" : l == DOCTOR_WARN ? "warn" : "FAIL";
}

static void dr_add(struct doctor_report *r, const char *name,
		   enum doctor_level level, const char *fix, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));

static void dr_add(struct doctor_report *r, const char *name,
		   enum doctor_level level, const char *fix, const char *fmt,
		   ...)
{
	struct doctor_check *c;
	va_list ap;

	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	c = &r->v[r->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->level = level;
	snprintf(c->fix, sizeof(c->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(c->fact, sizeof(c->fact), fmt, ap);
	va_end(ap);
	/* One line a fact, whatever the node's output held. */
	for (char *p = c->fact; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	for (size_t l = strlen(c->fact); l > 0 && c->fact[l - 1] == ' ';)
		c->fact[--l] = '\0';
}

/* Section name's text (a new string), or NULL when the output has none. */
static char *dr_section(const char *out, size_t len, const char *name)
{
	char head[64];
	const char *p, *end = out + len, *next;
	size_t hl;

	hl = (size_t)snprintf(head, sizeof(head), "== %s ==", name);
	for (p = out; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) == hl && memcmp(p, head, hl) == 0) {
			p = nl ? nl + 1 : end;
			for (next = p; next < end;) {
				const char *n2 =
				    memchr(next, '\n', (size_t)(end - next));

				if (end - next >= 3 &&
				    memcmp(next, "== ", 3) == 0)
					break;
				next = n2 ? n2 + 1 : end;
			}
			return xasprintf("%.*s", (int)(next - p), p);
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

/* "key: value" or "key=value" in text; the number after it, or -1. */
static long long dr_number(const char *text, const char *key)
{
	const char *p = text;
	size_t kl = strlen(key);

	while (p != NULL && *p) {
		if (strncmp(p, key, kl) == 0 &&
		    (p[kl] == ':' || p[kl] == '=')) {
			const char *v = p + kl + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			return isdigit((unsigned char)*v) ? strtoll(v, NULL, 10)
							  : -1;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

/* "key=value" in text: value into out ("" when absent). */
static void dr_value(const char *text, const char *key, char *out, size_t size)
{
	const char *p = text;
	size_t kl = strlen(key);

	out[0] = '\0';
	while (p != NULL && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strchr(v, '\n');

			snprintf(out, size, "%.*s",
				 (int)(e ? (size_t)(e - v) : strlen(v)), v);
			return;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

static const char *dr_jstr(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return s ? s : "";
}

/* The enclave, and what the checks after it compare with. */
struct dr_enclave {
	bool running, debug;
	long long mem, cpus;
	char pcr0[200];
};

static void dr_enclave(struct doctor_report *r, const char *text,
		       const char *name, struct dr_enclave *e)
{
	cJSON *a = text ? cJSON_Parse(text) : NULL, *o;
	char fix[300];

	memset(e, 0, sizeof(*e));
	if (!cJSON_IsArray(a)) {
		dr_add(r, "enclave", DOCTOR_FAIL,
		       "is nitro-cli installed, and may this user run it?",
		       "nitro-cli describe-enclaves said no JSON: %.200s",
		       text ? text : "(no section)");
		cJSON_Delete(a);
		return;
	}
	o = cJSON_GetArrayItem(a, 0);
	snprintf(fix, sizeof(fix),
		 "bvops node start %s; bvops logs %s says why it stopped", name,
		 name);
	if (o == NULL) {
		dr_add(r, "enclave", DOCTOR_FAIL, fix, "no enclave runs");
	} else {
		const char *state = dr_jstr(o, "State"),
			   *flags = dr_jstr(o, "Flags");
		const cJSON *m = cJSON_GetObjectItem(o, "Measurements");

		e->running = strcmp(state, "RUNNING") == 0;
		e->debug = strcmp(flags, "DEBUG_MODE") == 0;
		e->mem = (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(o, "MemoryMiB"));
		e->cpus = (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(o, "NumberOfCPUs"));
		snprintf(e->pcr0, sizeof(e->pcr0), "%s", dr_jstr(m, "PCR0"));
		if (!e->running)
			dr_add(r, "enclave", DOCTOR_FAIL, fix,
			       "%s is %s, not RUNNING",
			       dr_jstr(o, "EnclaveName"), state);
		else if (strcmp(flags, "DEBUG_MODE") == 0)
			dr_add(
			    r, "enclave", DOCTOR_WARN,
			    "bvops debug exit puts it back in protected mode",
			    "%s RUNNING in DEBUG MODE, %lld MiB, %lld CPUs",
			    dr_jstr(o, "EnclaveName"), e->mem, e->cpus);
		else
			dr_add(r, "enclave", DOCTOR_OK, NULL,
			       "%s RUNNING, flags %s, %lld MiB, %lld CPUs",
			       dr_jstr(o, "EnclaveName"), flags, e->mem,
			       e->cpus);
	}
	cJSON_Delete(a);
}

static void dr_allocator(struct doctor_report *r, const char *yaml,
			 const char *unit, const struct dr_enclave *e)
{
	long long mem = yaml ? dr_number(yaml, "memory_mib") : -1;
	long long cpus = yaml ? dr_number(yaml, "cpu_count") : -1;
	char result[64], status[32], active[64], sub[64];

	if (mem < 0 || cpus < 0)
		dr_add(r, "allocator", DOCTOR_FAIL,
		       "write memory_mib and cpu_count in "
		       "/etc/nitro_enclaves/allocator.yaml, then restart "
		       "nitro-enclaves-allocator",
		       "/etc/nitro_enclaves/allocator.yaml gives no "
		       "memory_mib or cpu_count");
	else if (e->running && (mem < e->mem || cpus < e->cpus))
		dr_add(r, "allocator", DOCTOR_FAIL,
		       "raise them to the enclave's needs in allocator.yaml, "
		       "then restart nitro-enclaves-allocator",
		       "allocator.yaml gives %lld MiB and %lld CPUs, the "
		       "enclave takes %lld MiB and %lld CPUs",
		       mem, cpus, e->mem, e->cpus);
	else
		dr_add(r, "allocator", DOCTOR_OK, NULL,
		       "%lld MiB and %lld CPUs for enclaves", mem, cpus);
	dr_value(unit ? unit : "", "Result", result, sizeof(result));
	dr_value(unit ? unit : "", "ExecMainStatus", status, sizeof(status));
	dr_value(unit ? unit : "", "ActiveState", active, sizeof(active));
	dr_value(unit ? unit : "", "SubState", sub, sizeof(sub));
	if (strcmp(result, "success") != 0 ||
	    (status[0] && strcmp(status, "0") != 0))
		dr_add(r, "allocator-unit", DOCTOR_FAIL,
		       "sudo journalctl -u nitro-enclaves-allocator says why "
		       "(too little free memory, fragmented hugepages: a "
		       "reboot)",
		       "nitro-enclaves-allocator is %s (%s) but did not "
		       "succeed: Result=%s, exit status %s",
		       active[0] ? active : "?", sub[0] ? sub : "?",
		       result[0] ? result : "?", status[0] ? status : "?");
	else
		dr_add(r, "allocator-unit", DOCTOR_OK, NULL,
		       "nitro-enclaves-allocator %s (%s), Result=success",
		       active, sub);
}

static void dr_hugepages(struct doctor_report *r, const char *text,
			 const struct dr_enclave *e)
{
	long long total = text ? dr_number(text, "HugePages_Total") : -1;
	long long free_ = text ? dr_number(text, "HugePages_Free") : -1;

	if (total <= 0)
		dr_add(r, "hugepages", DOCTOR_FAIL,
		       "the allocator reserves them: restart "
		       "nitro-enclaves-allocator (a reboot if memory is "
		       "fragmented)",
		       "no hugepages reserved (HugePages_Total %lld)", total);
	else if (free_ == 0 && !e->running)
		dr_add(r, "hugepages", DOCTOR_FAIL,
		       "something else holds them: a stale enclave "
		       "(nitro-cli terminate-enclave --all) or a reboot",
		       "0 of %lld hugepages free and no enclave runs", total);
	else
		dr_add(r, "hugepages", DOCTOR_OK, NULL,
		       "%lld of %lld hugepages free", free_, total);
}

static void dr_errors(struct doctor_report *r, const char *errs,
		      const char *explain)
{
	char codes[200] = "", first[300] = "";
	const char *p;
	size_t len = 0;

	for (p = errs ? errs : ""; (p = strstr(p, "[ E")) != NULL; p += 3) {
		char code[8];
		int k;

		for (k = 0; k < 5 && isdigit((unsigned char)p[3 + k]); k++)
			;
		snprintf(code, sizeof(code), "E%.*s", k, p + 3);
		if (k == 0 || strstr(codes, code) != NULL)
			continue;
		len += (size_t)snprintf(codes + len, sizeof(codes) - len,
					"%s%s", len ? ", " : "", code);
		if (len >= sizeof(codes))
			break;
	}
	if (codes[0] == '\0') {
		dr_add(r, "errors", DOCTOR_OK, NULL,
		       "no recent nitro-cli error log");
		return;
	}
	/* Each code's explanation, its first line: what to do. */
	for (p = explain; p != NULL && (p = strstr(p, "-- E")) != NULL;) {
		const char *code = p + 3, *l = strchr(p, '\n'), *e;
		size_t fl = strlen(first);

		if (l == NULL)
			break;
		e = strchr(l + 1, '\n');
		snprintf(first + fl, sizeof(first) - fl, "%s%.*s: %.*s",
			 fl ? "; " : "", (int)strcspn(code, " \n"), code,
			 (int)(e ? (size_t)(e - l - 1) : strlen(l + 1)), l + 1);
		p = l + 1;
	}
	dr_add(r, "errors", DOCTOR_WARN,
	       first[0] ? first : "nitro-cli explain --error-code CODE",
	       "recent nitro-cli errors in /var/log/nitro_enclaves: %s", codes);
}

static void dr_vsock(struct doctor_report *r, const char *proc,
		     const char *allow, const char *region)
{
	char want[128];

	if (proc == NULL || strstr(proc, "vsock-proxy") == NULL)
		dr_add(r, "vsock-proxy", DOCTOR_FAIL,
		       "sudo systemctl start nitro-enclaves-vsock-proxy: "
		       "without it the enclave reaches no KMS",
		       "no vsock-proxy process runs");
	else
		dr_add(r, "vsock-proxy", DOCTOR_OK, NULL, "running");
	snprintf(want, sizeof(want), "kms.%s.amazonaws.com",
		 region && *region ? region : "REGION");
	if (allow == NULL || strstr(allow, want) == NULL)
		dr_add(r, "vsock-allowlist", DOCTOR_FAIL,
		       "add it to /etc/nitro_enclaves/vsock-proxy.yaml and "
		       "restart nitro-enclaves-vsock-proxy",
		       "the allowlist does not name %s", want);
	else
		dr_add(r, "vsock-allowlist", DOCTOR_OK, NULL, "names %s", want);
}

static void dr_unit(struct doctor_report *r, const char *text, const char *name)
{
	char active[64], sub[64], result[64], fix[300], start[300];
	long long restarts = text ? dr_number(text, "NRestarts") : -1;
	long long burst = text ? dr_number(text, "StartLimitBurst") : -1;

	dr_value(text ? text : "", "ActiveState", active, sizeof(active));
	dr_value(text ? text : "", "SubState", sub, sizeof(sub));
	dr_value(text ? text : "", "Result", result, sizeof(result));
	snprintf(fix, sizeof(fix),
		 "sudo systemctl reset-failed enclave.service, then bvops "
		 "rearm %s and bvops node start %s",
		 name, name);
	snprintf(start, sizeof(start),
		 "bvops node start %s; bvops logs %s says why it stopped", name,
		 name);
	if (strcmp(result, "start-limit-hit") == 0 ||
	    (burst > 0 && restarts >= burst))
		dr_add(r, "enclave-unit", DOCTOR_FAIL, fix,
		       "enclave.service hit systemd's start limit (%lld "
		       "restarts, limit %lld): it will not start again by "
		       "itself",
		       restarts, burst);
	else if (strcmp(active, "active") != 0)
		dr_add(r, "enclave-unit", DOCTOR_FAIL, start,
		       "enclave.service is %s (%s), Result=%s",
		       active[0] ? active : "?", sub[0] ? sub : "?",
		       result[0] ? result : "?");
	else
		dr_add(r, "enclave-unit",
		       restarts > 0 ? DOCTOR_WARN : DOCTOR_OK,
		       restarts > 0 ? "bvops logs NODE shows why it restarted"
				    : NULL,
		       "enclave.service active (%s), %lld restart%s", sub,
		       restarts < 0 ? 0 : restarts, restarts == 1 ? "" : "s");
}

static void dr_disk(struct doctor_report *r, const char *text)
{
	const char *p = text;
	int worst = -1;
	char where[200] = "";

	/* df -P: the fifth field is Use%, the sixth the mount point. */
	while (p != NULL && *p) {
		char f[6][128];
		const char *nl = strchr(p, '\n');

		if (sscanf(p, "%127s %127s %127s %127s %127s %127s", f[0], f[1],
			   f[2], f[3], f[4], f[5]) == 6 &&
		    isdigit((unsigned char)f[4][0]) && atoi(f[4]) > worst) {
			worst = atoi(f[4]);
			snprintf(where, sizeof(where), "%s", f[5]);
		}
		p = nl ? nl + 1 : NULL;
	}
	if (worst < 0)
		dr_add(r, "disk", DOCTOR_WARN, NULL,
		       "df said nothing readable");
	else if (worst >= 95)
		dr_add(r, "disk", DOCTOR_FAIL,
		       "free space there (old logs, EIFs): a full disk stops "
		       "the journal and the TSM's database",
		       "%s is %d%% full", where, worst);
	else
		dr_add(r, "disk", worst >= 85 ? DOCTOR_WARN : DOCTOR_OK,
		       worst >= 85 ? "free some space soon" : NULL,
		       "fullest: %s at %d%%", where, worst);
}

static void dr_clock(struct doctor_report *r, const char *text,
		     const struct doctor_clock *c)
{
	long long t = text ? strtoll(text, NULL, 10) : 0;
	long long skew = t > 0 ? t - (long long)c->now_s : 0;

	if (t <= 0)
		dr_add(r, "clock", DOCTOR_WARN, NULL,
		       "the node's time could not be read");
	else if (skew > 300 || skew < -300)
		dr_add(r, "clock", DOCTOR_FAIL,
		       "set chrony/NTP right on the node: AWS refuses "
		       "signatures more than 5 minutes off",
		       "the node's clock is %+lld s from %s", skew, c->of);
	else
		dr_add(r, "clock",
		       skew > 60 || skew < -60 ? DOCTOR_WARN : DOCTOR_OK,
		       skew > 60 || skew < -60 ? "check chrony/NTP on the node"
					       : NULL,
		       "%+lld s from %s", skew, c->of);
}

static void dr_pcr(struct doctor_report *r, const char *eif,
		   const struct dr_enclave *e)
{
	cJSON *o = eif ? cJSON_Parse(eif) : NULL;
	const char *pcr0 =
	    dr_jstr(cJSON_GetObjectItem(o, "Measurements"), "PCR0");

	if (!e->running || e->pcr0[0] == '\0' || pcr0[0] == '\0')
		dr_add(r, "pcr", DOCTOR_WARN, NULL, "PCR0 not compared (%s)",
		       !e->running          ? "no enclave runs"
		       : e->pcr0[0] == '\0' ? "describe-enclaves gave none"
					    : "describe-eif gave none");
	else if (strcmp(pcr0, e->pcr0) != 0)
		dr_add(r, "pcr", DOCTOR_FAIL,
		       "the enclave runs another image than the EIF on disk: "
		       "restart it, and check the key policy's PCRs",
		       "running PCR0 %.16s... is not the EIF's %.16s...",
		       e->pcr0, pcr0);
	else
		dr_add(r, "pcr", DOCTOR_OK, NULL,
		       "running PCR0 is the EIF's (%.16s...)", pcr0);
	cJSON_Delete(o);
}

/* The key policy's pins beside the EIF's PCRs (and the running PCR0). */
static void dr_pins(struct doctor_report *r, const struct doctor_pins *p,
		    const char *eif, const struct dr_enclave *e)
{
	cJSON *o = eif ? cJSON_Parse(eif) : NULL;
	const cJSON *m = cJSON_GetObjectItem(o, "Measurements");
	char line[600] = "", bad[400] = "";
	size_t len = 0;
	int k;

	if (!p->read) {
		dr_add(r, "kms-pins", DOCTOR_WARN, NULL,
		       "the key policy was not read: %s", p->why);
		cJSON_Delete(o);
		return;
	}
	for (k = 0; k < 9; k++) {
		char name[16], have[200];
		const char *v;

		if (p->pcr[k][0] == '\0')
			continue;
		snprintf(name, sizeof(name), "PCR%d", k);
		v = dr_jstr(m, name);
		snprintf(have, sizeof(have), "%s", v);
		for (char *c = have; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					"%s%s %.12s...", len ? ", " : "", name,
					p->pcr[k]);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		if (k == 8 && strspn(p->pcr[k], "0") == strlen(p->pcr[k]))
			continue; /* debug mode's zeros: said below */
		if (strcmp(have, p->pcr[k]) != 0 &&
		    !(k == 0 && strcmp(e->pcr0, p->pcr[k]) == 0))
			snprintf(bad, sizeof(bad),
				 "the policy pins %s %.16s..., the EIF has "
				 "%.16s...",
				 name, p->pcr[k], have[0] ? have : "none");
	}
	if (line[0] == '\0')
		dr_add(r, "kms-pins", DOCTOR_WARN,
		       "any enclave image may decrypt: pin PCR8 (the signing "
		       "certificate) in the key policy",
		       "the key policy pins no PCR");
	else if (bad[0])
		dr_add(r, "kms-pins", DOCTOR_FAIL,
		       "the enclave cannot decrypt: the key policy and the "
		       "image disagree (bvops debug status; docs/debug.md)",
		       "%s", bad);
	else if (strspn(p->pcr[8], "0") == strlen(p->pcr[8]) && p->pcr[8][0])
		dr_add(r, "kms-pins", DOCTOR_WARN,
		       "bvops debug exit restores the production PCR8",
		       "the key policy pins PCR8 to zeros: debug mode%s",
		       e->debug ? "" : ", yet the enclave is not in it");
	else
		dr_add(r, "kms-pins", DOCTOR_OK, NULL,
		       "the key policy pins %s, as the EIF has it", line);
	cJSON_Delete(o);
}

void doctor_judge(const char *out, size_t len, const char *name,
		  const char *region, const struct doctor_clock *clock,
		  const struct doctor_pins *pins, struct doctor_report *r)
{
	static const char *const names[] = {"describe-enclaves",
					    "allocator",
					    "allocator-unit",
					    "hugepages",
					    "errors",
					    "explain",
					    "vsock-proxy",
					    "vsock-allowlist",
					    "enclave-unit",
					    "disk",
					    "ssm-agent",
					    "clock",
					    "describe-eif"};
	enum { N = sizeof(names) / sizeof(names[0]) };
	char *s[N];
	struct dr_enclave e;
	size_t k;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < N; k++)
		s[k] = dr_section(out, len, names[k]);
	dr_enclave(r, s[0], name, &e);
	dr_allocator(r, s[1], s[2], &e);
	dr_hugepages(r, s[3], &e);
	dr_errors(r, s[4], s[5]);
	dr_vsock(r, s[6], s[7], region);
	dr_unit(r, s[8], name);
	dr_disk(r, s[9]);
	if (s[10] != NULL && strncmp(s[10], "active", 6) == 0)
		dr_add(r, "ssm-agent", DOCTOR_OK, NULL, "active");
	else
		dr_add(r, "ssm-agent", DOCTOR_WARN,
		       "sudo systemctl start amazon-ssm-agent: without it no "
		       "SSM session reaches the node",
		       "amazon-ssm-agent is %.60s", s[10] ? s[10] : "unknown");
	dr_clock(r, s[11], clock);
	dr_pcr(r, s[12], &e);
	if (pins != NULL)
		dr_pins(r, pins, s[12], &e);
	for (k = 0; k < N; k++)
		free(s[k]);
}

void doctor_count(const struct doctor_report *r, size_t counts[3])
{
	size_t k;

	counts[0] = counts[1] = counts[2] = 0;
	for (k = 0; k < r->n; k++)
		counts[r->v[k].level]++;
}

char *doctor_report_text(const struct doctor_report *r)
{
	struct buf b;
	size_t k, counts[3];

	buf_init(&b, 0);
	for (k = 0; k < r->n; k++) {
		const struct doctor_check *c = &r->v[k];

		buf_printf(&b, "%-5s %-16s %s\n", doctor_level_name(c->level),
			   c->name, c->fact);
		if (c->fix[0])
			buf_printf(&b, "%-22s fix: %s\n", "", c->fix);
	}
	doctor_count(r, counts);
	buf_printf(&b, "%zu ok, %zu warn, %zu fail", counts[DOCTOR_OK],
		   counts[DOCTOR_WARN], counts[DOCTOR_FAIL]);
	return buf_take(&b, NULL);
}

void doctor_report_free(struct doctor_report *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* AWS's clock: the Date header of an STS GetCallerIdentity in region
 * (seconds since the epoch), or 0 when it could not be had. */
static int64_t dr_aws_now(const struct fleet *f, const struct fleet_node *n,
			  const char *region)
{
	static const char body[] =
	    "Action=GetCallerIdentity&Version=2011-06-15";
	struct aws_request rq = {
	    .service = "sts",
	    .env_name = "STS",
	    .host = "sts",
	    .region = region,
	    .method = "POST",
	    .path = "/",
	    .content_type = "application/x-www-form-urlencoded; charset=utf-8",
	    .body = body,
	    .body_len = sizeof(body) - 1,
	    .call = "STS GetCallerIdentity",
	    .resource = "AWS's clock"};
	struct aws_client *a = awsid_client_node(f, n);
	struct aws_response rs = {0};
	char msg[300];
	int64_t t = 0;

	if (aws_call(a, &rq, &rs, msg, sizeof(msg)) == 0 && rs.date != NULL) {
		struct tm tm;

		memset(&tm, 0, sizeof(tm));
		/* RFC 7231: "Fri, 04 Dec 2026 03:20:00 GMT". */
		if (strptime(rs.date, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL)
			t = (int64_t)timegm(&tm);
	}
	aws_response_free(&rs);
	aws_client_free(a);
	return t;
}

/* The node's key policy's pins, when it has a KMS stack. */
static void dr_read_pins(const struct fleet *f, const struct fleet_node *n,
			 struct doctor_pins *p)
{
	struct aws_client *a = awsid_client_node(f, n);
	char key[256], *policy;

	memset(p, 0, sizeof(*p));
	if (keypolicy_node_key(f, n, a, p->region, sizeof(p->region), key,
			       sizeof(key), NULL, p->why,
			       sizeof(p->why)) == 0 &&
	    (policy = aws_kms_get_key_policy(a, p->region, key, p->why,
					     sizeof(p->why))) != NULL) {
		char msg[400];

		p->read = kmspolicy_pins(policy, strlen(policy), p->pcr, msg,
					 sizeof(msg)) == 0;
		if (!p->read)
			snprintf(p->why, sizeof(p->why), "%s", msg);
		free(policy);
	}
	aws_client_free(a);
}

int doctor_run(struct transport *t, const struct fleet *f,
	       const struct fleet_node *n, const char *region,
	       struct doctor_report *r, char *msg, size_t msgsize)
{
	struct transport_result res = {0};
	struct doctor_pins pins;
	struct doctor_clock clock;
	int64_t aws_now = 0;

	struct awsid_access ac = {0};

	if (transport_run(t, n, FLEET_CMD_DOCTOR, NODEACT_TIMEOUT_MS,
			  (size_t)1 << 20, &res, msg, msgsize) < 0)
		return -1;
	/* The node's AWS identity first: without it nothing below is read,
	 * and the operator is told so once, not by each check. */
	if (awsid_node_needs_aws(f, n))
		awsid_access_node(f, n, &ac);
	if (ac.checked && !ac.ok) {
		memset(&pins, 0, sizeof(pins));
		snprintf(pins.why, sizeof(pins.why), "%.399s", ac.why);
	} else if (n->kms_stack != NULL) {
		dr_read_pins(f, n, &pins);
		/* The enclave's KMS is its key's region's. */
		if (pins.region[0])
			region = pins.region;
		/* AWS is this node's business: its clock is the one that
		 * judges signatures. */
		if (region != NULL && region[0])
			aws_now = dr_aws_now(f, n, region);
	}
	clock.now_s = aws_now > 0 ? aws_now : clock_now_ms() / 1000;
	clock.of = aws_now > 0 ? "AWS's clock" : "this host's clock";
	doctor_judge(res.out ? res.out : "", res.out_len, n->name, region,
		     &clock, n->kms_stack ? &pins : NULL, r);
	if (ac.checked && ac.ok)
		dr_add(r, "aws-access", DOCTOR_OK, NULL,
		       "as %s (account %s, %s)", ac.identity, ac.account,
		       ac.arn);
	else if (ac.checked)
		dr_add(r, "aws-access", DOCTOR_FAIL,
		       "bvops access shows every identity; the node's "
		       "aws_profile or aws_role_arn in the fleet file, or the "
		       "profile in ~/.aws/config (docs/aws.md)",
		       "%s", ac.why);
	transport_result_free(&res);
	return 0;
}
