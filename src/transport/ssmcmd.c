#include "transport/ssmcmd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_ssm.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xalloc.h"

#define SSMCMD_THROTTLE_MAX_MS 10000
#define SSMCMD_POLL_ERRORS     5 /* failed polls in a row: we lost it */

enum ssmcmd_state {
	SSMCMD_QUEUED, /* waiting for a slot, or throttled */
	SSMCMD_SENT,   /* polling */
	SSMCMD_ENDED,
};

struct ssmcmd {
	char *node, *region, *instance_id, *line;
	char id[128];
	size_t max_output;
	enum ssmcmd_state state;
	bool slot; /* holds one of the in-flight slots */
	int64_t deadline, sent_at, next;
	long throttle_ms; /* the next back-off */
	int poll_errors;
	/* The end: */
	int rc; /* 0 a result, -1 could not run */
	struct transport_result r;
	char msg[1024];
};

static pthread_mutex_t ssmcmd_lock = PTHREAD_MUTEX_INITIALIZER;
static int ssmcmd_limit = 8, ssmcmd_flying, ssmcmd_most;

void ssmcmd_limit_set(int n)
{
	pthread_mutex_lock(&ssmcmd_lock);
	ssmcmd_limit = n > 0 ? n : 1;
	pthread_mutex_unlock(&ssmcmd_lock);
}

int ssmcmd_in_flight(int *most)
{
	int n;

	pthread_mutex_lock(&ssmcmd_lock);
	n = ssmcmd_flying;
	if (most != NULL)
		*most = ssmcmd_most;
	pthread_mutex_unlock(&ssmcmd_lock);
	return n;
}

static bool ssmcmd_slot_take(void)
{
	bool ok;

	pthread_mutex_lock(&ssmcmd_lock);
	ok = ssmcmd_flying < ssmcmd_limit;
	if (ok && ++ssmcmd_flying > ssmcmd_most)
		ssmcmd_most = ssmcmd_flying;
	pthread_mutex_unlock(&ssmcmd_lock);
	return ok;
}

static void ssmcmd_slot_give(struct ssmcmd *c)
{
	if (!c->slot)
		return;
	c->slot = false;
	pthread_mutex_lock(&ssmcmd_lock);
	ssmcmd_flying--;
	pthread_mutex_unlock(&ssmcmd_lock);
}

char *ssmcmd_script(const char *line, size_t out_max, size_t err_max)
{
	/* The line on lines of its own: a comment in it cannot swallow the
	 * closing parenthesis. */
	return xasprintf(
	    "bvops_o=$(mktemp) && bvops_e=$(mktemp) || exit 125\n"
	    "(\n%s\n) >\"$bvops_o\" 2>\"$bvops_e\" </dev/null\n"
	    "bvops_rc=$?\n"
	    "printf 'bvops-ssm-output %%s %%s\\n' \"$(wc -c <\"$bvops_o\")\" "
	    "\"$(wc -c <\"$bvops_e\")\"\n"
	    "head -c %zu \"$bvops_o\"\n"
	    "head -c %zu \"$bvops_e\" >&2\n"
	    "rm -f \"$bvops_o\" \"$bvops_e\"\n"
	    "exit $bvops_rc\n",
	    line, out_max, err_max);
}

/* A decimal number at *p (spaces before it skipped); false if none. */
static bool ssmcmd_number(const char **p, const char *end, size_t *v)
{
	const char *s = *p;
	size_t n = 0;
	bool any = false;

	while (s < end && *s == ' ')
		s++;
	while (s < end && *s >= '0' && *s <= '9') {
		if (n > ((size_t)-1) / 10 - 10)
			return false;
		n = n * 10 + (size_t)(*s - '0');
		s++;
		any = true;
	}
	*p = s;
	*v = n;
	return any;
}

bool ssmcmd_unframe(const char *out, size_t len, size_t *out_total,
		    size_t *err_total, size_t *skip)
{
	static const char tag[] = "bvops-ssm-output ";
	const char *p = out + sizeof(tag) - 1, *end = out + len;

	if (len < sizeof(tag) - 1 || memcmp(out, tag, sizeof(tag) - 1) != 0)
		return false;
	if (!ssmcmd_number(&p, end, out_total) ||
	    !ssmcmd_number(&p, end, err_total))
		return false;
	if (p >= end || *p != '\n')
		return false;
	*skip = (size_t)(p + 1 - out);
	return true;
}

struct ssmcmd *ssmcmd_new(const char *node, const char *region,
			  const char *instance_id, const char *line,
			  long timeout_ms, size_t max_output)
{
	struct ssmcmd *c = xcalloc(1, sizeof(*c));

	c->node = xstrdup(node);
	c->region = xstrdup(region);
	c->instance_id = xstrdup(instance_id);
	c->line = xstrdup(line);
	c->max_output = max_output;
	c->deadline = clock_mono_ms() + timeout_ms;
	c->throttle_ms = 1000;
	c->state = SSMCMD_QUEUED;
	return c;
}

const char *ssmcmd_id(const struct ssmcmd *c)
{
	return c->id;
}

static void ssmcmd_end(struct ssmcmd *c, int rc)
{
	c->state = SSMCMD_ENDED;
	c->rc = rc;
	ssmcmd_slot_give(c);
}

/* A bounded copy of s into a result buffer; true when it was cut. */
static char *ssmcmd_keep(const char *s, size_t len, size_t max, size_t *out,
			 bool *cut)
{
	if (len > max) {
		len = max;
		*cut = true;
	}
	*out = len;
	return xstrndup(s, len);
}

/* A final status: the result, or why it could not run. */
static void ssmcmd_finish(struct ssmcmd *c, struct aws_ssm_invocation *inv)
{
	const char *st = inv->status, *why = inv->status_details;
	const char *out = inv->out;
	size_t len = strlen(inv->out), ot = 0, et = 0, skip = 0;
	bool framed = ssmcmd_unframe(out, len, &ot, &et, &skip);

	if (strcmp(st, "Success") == 0 ||
	    (strcmp(st, "Failed") == 0 && inv->response_code >= 0 &&
	     inv->response_code <= 255) ||
	    (strcmp(st, "TimedOut") == 0 &&
	     strcmp(why, "DeliveryTimedOut") != 0)) {
		size_t elen = strlen(inv->err);

		out += skip;
		len -= skip;
		c->r.timed_out = strcmp(st, "TimedOut") == 0;
		c->r.exit_status = c->r.timed_out ? -1
				   : inv->response_code >= 0
				       ? (int)inv->response_code
				       : 0;
		c->r.out = ssmcmd_keep(out, len, c->max_output, &c->r.out_len,
				       &c->r.truncated);
		c->r.err = ssmcmd_keep(inv->err, elen, c->max_output,
				       &c->r.err_len, &c->r.truncated);
		if (framed && (ot > len || et > elen))
			c->r.truncated = true;
		ssmcmd_end(c, 0);
		return;
	}
	if (strcmp(why, "DeliveryTimedOut") == 0 ||
	    strcmp(why, "Undeliverable") == 0)
		snprintf(c->msg, sizeof(c->msg),
			 "node %s: the SSM agent on %s did not take the "
			 "command (%s): is the instance running, its agent "
			 "online and registered?",
			 c->node, c->instance_id, why);
	else
		snprintf(c->msg, sizeof(c->msg),
			 "node %s: SSM command %s on %s: %s%s%s%s", c->node,
			 c->id, c->instance_id, st, why[0] ? " (" : "", why,
			 why[0] ? ")" : "");
	ssmcmd_end(c, -1);
}

/* Back off after throttling: *next, doubling up to the cap. */
static void ssmcmd_throttled(struct ssmcmd *c, int64_t now)
{
	c->next = now + c->throttle_ms;
	c->throttle_ms *= 2;
	if (c->throttle_ms > SSMCMD_THROTTLE_MAX_MS)
		c->throttle_ms = SSMCMD_THROTTLE_MAX_MS;
}

static void ssmcmd_send(struct ssmcmd *c, struct aws_client *a, int64_t now)
{
	size_t om =
	    c->max_output < SSMCMD_OUT_FITS ? c->max_output : SSMCMD_OUT_FITS;
	size_t em =
	    c->max_output < SSMCMD_ERR_FITS ? c->max_output : SSMCMD_ERR_FITS;
	char *script, *id, comment[100], why[400];
	long secs = (long)((c->deadline - now + 999) / 1000);

	if (!c->slot && !ssmcmd_slot_take()) {
		c->next = now + 100; /* wait for a slot */
		return;
	}
	c->slot = true;
	script = ssmcmd_script(c->line, om, em);
	snprintf(comment, sizeof(comment), "bvops: node %.60s", c->node);
	id = aws_ssm_send_command(a, c->region, c->instance_id, script, secs,
				  comment, why, sizeof(why));
	free(script);
	if (id == NULL) {
		if (aws_code_throttling(aws_client_last_code(a))) {
			ssmcmd_slot_give(c);
			ssmcmd_throttled(c, clock_mono_ms());
			return;
		}
		snprintf(c->msg, sizeof(c->msg), "node %s: %s%s", c->node, why,
			 strcmp(aws_client_last_code(a), "InvalidInstanceId") ==
				 0
			     ? " (is the instance running, and managed by "
			       "SSM with its agent online?)"
			     : "");
		ssmcmd_end(c, -1);
		return;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	free(id);
	c->state = SSMCMD_SENT;
	c->sent_at = clock_mono_ms();
	c->next = c->sent_at + 200;
}

static void ssmcmd_poll(struct ssmcmd *c, struct aws_client *a, int64_t now)
{
	struct aws_ssm_invocation inv;
	char why[400];
	const char *code;
	int64_t age = now - c->sent_at;

	if (aws_ssm_get_invocation(a, c->region, c->id, c->instance_id, &inv,
				   why, sizeof(why)) == 0) {
		c->poll_errors = 0;
		if (strcmp(inv.status, "Pending") == 0 ||
		    strcmp(inv.status, "InProgress") == 0 ||
		    strcmp(inv.status, "Delayed") == 0 ||
		    strcmp(inv.status, "Cancelling") == 0) {
			/* Quick at first (most commands are), then gentler
			 * on the API. */
			c->next = now + (age < 2000    ? 200
					 : age < 10000 ? 500
						       : 1000);
		} else {
			ssmcmd_finish(c, &inv);
		}
		aws_ssm_invocation_free(&inv);
		return;
	}
	code = aws_client_last_code(a);
	if (strcmp(code, "InvocationDoesNotExist") == 0 &&
	    age < SSMCMD_NOT_YET_MS) {
		c->next = now + 300;
		return;
	}
	if (aws_code_throttling(code)) {
		ssmcmd_throttled(c, now);
		return;
	}
	if (++c->poll_errors < SSMCMD_POLL_ERRORS &&
	    strcmp(code, "InvocationDoesNotExist") != 0) {
		c->next = now + 1000;
		return;
	}
	snprintf(c->msg, sizeof(c->msg),
		 "node %s: lost track of SSM command %s (it may still run "
		 "on %s): %s",
		 c->node, c->id, c->instance_id, why);
	ssmcmd_end(c, -1);
}

int ssmcmd_step(struct ssmcmd *c, struct aws_client *a, int64_t now_ms,
		int64_t *next_ms)
{
	if (c->state != SSMCMD_ENDED && now_ms >= c->deadline) {
		if (c->state == SSMCMD_SENT) {
			char why[300];

			aws_ssm_cancel_command(a, c->region, c->id,
					       c->instance_id, why,
					       sizeof(why));
			c->r.timed_out = true;
			c->r.exit_status = -1;
			c->r.out = xstrdup("");
			c->r.err = xstrdup("");
			ssmcmd_end(c, 0);
		} else {
			snprintf(c->msg, sizeof(c->msg),
				 "node %s: SSM did not take the command in "
				 "time (throttled, or too many in flight)",
				 c->node);
			ssmcmd_end(c, -1);
		}
	}
	if (c->state != SSMCMD_ENDED && now_ms >= c->next) {
		if (c->state == SSMCMD_QUEUED)
			ssmcmd_send(c, a, now_ms);
		else
			ssmcmd_poll(c, a, now_ms);
	}
	if (c->state == SSMCMD_ENDED)
		return 1;
	*next_ms = c->next < c->deadline ? c->next : c->deadline;
	return 0;
}

int ssmcmd_result(struct ssmcmd *c, struct transport_result *r, char *msg,
		  size_t msgsize)
{
	memset(r, 0, sizeof(*r));
	if (c->rc < 0) {
		snprintf(msg, msgsize, "%s", c->msg);
		return -1;
	}
	*r = c->r;
	memset(&c->r, 0, sizeof(c->r));
	return 0;
}

void ssmcmd_free(struct ssmcmd *c, struct aws_client *a)
{
	if (c == NULL)
		return;
	if (c->state == SSMCMD_SENT && a != NULL) {
		char why[300];

		aws_ssm_cancel_command(a, c->region, c->id, c->instance_id, why,
				       sizeof(why));
	}
	ssmcmd_slot_give(c);
	transport_result_free(&c->r);
	free(c->node);
	free(c->region);
	free(c->instance_id);
	free(c->line);
	free(c);
}

int ssmcmd_run(struct aws_client *a, const char *node, const char *region,
	       const char *instance_id, const char *line, long timeout_ms,
	       size_t max_output, struct transport_result *r, char *msg,
	       size_t msgsize)
{
	struct ssmcmd *c =
	    ssmcmd_new(node, region, instance_id, line, timeout_ms, max_output);
	int64_t next = 0;
	int rc;

	while (ssmcmd_step(c, a, clock_mono_ms(), &next) == 0) {
		int64_t wait = next - clock_mono_ms();

		if (wait > 0) {
			struct timespec ts = {(time_t)(wait / 1000),
					      (long)(wait % 1000) * 1000000L};

			nanosleep(&ts, NULL);
		}
	}
	rc = ssmcmd_result(c, r, msg, msgsize);
	ssmcmd_free(c, NULL);
	return rc;
}
