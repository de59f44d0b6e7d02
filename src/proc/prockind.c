#include "proc/prockind.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/awsid.h"
#include "lib/xalloc.h"
#include "proc/debugmode.h"
#include "proc/ers.h"
#include "proc/fleetlock.h"
#include "proc/procctx.h"
#include "proc/procstatus.h"
#include "state/eventlog.h"

static const char *pk_kind(const struct procjournal_view *v)
{
	const char *k =
	    cJSON_GetStringValue(cJSON_GetObjectItem(v->begin, "kind"));

	return k ? k : "";
}

static bool pk_is_config(const char *kind)
{
	return cfgedit_kind(kind);
}

/* ---- what each kind does ---- */

static int pk_config(const struct prockind_run *r, bool rollback, char *msg,
		     size_t msgsize)
{
	struct cfgedit_opts co = {.yes = r->yes,
				  .force = r->force,
				  .restart = r->restart,
				  .wait_ms = r->wait_ms};

	if (procctx_ended(r->f, r->state_dir, r->id, msg, msgsize)) {
		/* Ended, but killed before its texts were removed. An edit
		 * kept for the operator stays: they were told where. */
		cfgedit_texts_forget(r->state_dir, r->id, true);
		return PROC_STOPPED;
	}
	return rollback ? cfgedit_rollback(r->f, r->state_dir, r->id, &co,
					   r->edit_ui, msg, msgsize)
			: cfgedit_resume(r->f, r->state_dir, r->id, &co,
					 r->edit_ui, msg, msgsize);
}

static int pk_debug(const struct prockind_run *r, bool rollback, char *msg,
		    size_t msgsize)
{
	struct debugmode_opts d = {
	    .yes = r->yes, .force = r->force, .wait_ms = r->wait_ms};

	if (procctx_ended(r->f, r->state_dir, r->id, msg, msgsize))
		return PROC_STOPPED;
	return debugmode_continue(r->f, r->state_dir, r->id, rollback, &d,
				  r->ui, msg, msgsize);
}

static int pk_ers(const struct prockind_run *r, bool rollback, char *msg,
		  size_t msgsize)
{
	struct ers_opts eo = {.yes = r->yes,
			      .force = r->force,
			      .wait_ms = r->wait_ms,
			      .stop_wait_ms = 60000};

	if (procctx_ended(r->f, r->state_dir, r->id, msg, msgsize))
		return PROC_STOPPED;
	return ers_continue(r->f, r->state_dir, r->id, rollback, &eo, r->ui,
			    msg, msgsize);
}

/* The nodes of a journal's begin record. */
static const cJSON *pk_nodes(const struct procjournal_view *v)
{
	return cJSON_GetObjectItem(v->begin, "nodes");
}

static void pk_describe_nodes(const struct procjournal_view *v,
			      const char *what, char *out, size_t size)
{
	const cJSON *nodes = pk_nodes(v);
	int n = cJSON_GetArraySize(nodes);

	if (n == 1)
		snprintf(
		    out, size, "%s of %s", what,
		    cJSON_GetStringValue(cJSON_GetArrayItem(nodes, 0))
			? cJSON_GetStringValue(cJSON_GetArrayItem(nodes, 0))
			: "?");
	else
		snprintf(out, size, "%s of %d nodes", what, n);
}

static void pk_config_describe(const struct procjournal_view *v, char *out,
			       size_t size)
{
	pk_describe_nodes(v,
			  strcmp(pk_kind(v), "config-restore") == 0
			      ? "config restore"
			      : "config edit",
			  out, size);
}

static void pk_debug_describe(const struct procjournal_view *v, char *out,
			      size_t size)
{
	pk_describe_nodes(v,
			  strcmp(pk_kind(v), "debug-enter") == 0
			      ? "debug mode entry"
			      : "debug mode exit",
			  out, size);
}

static void pk_ers_describe(const struct procjournal_view *v, char *out,
			    size_t size)
{
	pk_describe_nodes(v,
			  strcmp(pk_kind(v), "ers-apply") == 0 ? "ERS apply"
							       : "ERS revert",
			  out, size);
}

/*
 * Every kind's abandon: close the journal as it stands, lift its own
 * holds, let its lock go (taken over under the journal's id, which is
 * the procedure's; a lock someone else holds is not touched).
 */
int prockind_abandon(const struct prockind_run *r, char *msg, size_t msgsize)
{
	struct procjournal_view v;
	struct aws_client *a;
	struct fleetlock lock;
	char what[300], audit[700], err[600];
	const cJSON *node;
	bool locked = false;
	int rc;

	if (procjournal_read(r->state_dir, r->id, &v, msg, msgsize) < 0)
		return PROC_REFUSED;
	if (v.outcome != NULL) {
		snprintf(msg, msgsize, "%s has ended (%s): nothing to do",
			 r->id, v.outcome);
		procjournal_view_free(&v);
		return PROC_STOPPED;
	}
	prockind_describe(&v, what, sizeof(what));
	a = awsid_client_fleet(r->f);
	if (procctx_lock(r->f, a, r->id, "abandon", &lock, NULL, 0, err,
			 sizeof(err)) == 0)
		locked = true;
	cJSON_ArrayForEach(node, pk_nodes(&v))
	{
		if (cJSON_IsString(node))
			procctx_hold(r->f, r->state_dir, node->valuestring,
				     r->id, false, NULL, 0);
	}
	rc = procedure_abandon(r->state_dir, r->id, msg, msgsize) < 0
		 ? PROC_STOPPED
		 : PROC_OK;
	if (locked && fleetlock_release(a, &lock, err, sizeof(err)) < 0 &&
	    rc == PROC_OK) {
		size_t len = strlen(msg);

		snprintf(msg + len, msgsize - len,
			 "; the fleet lock could not be let go (%s): bvops "
			 "lock break",
			 err);
	}
	snprintf(audit, sizeof(audit), "%s abandon", pk_kind(&v));
	node = cJSON_GetArraySize(pk_nodes(&v)) == 1
		   ? cJSON_GetArrayItem(pk_nodes(&v), 0)
		   : NULL;
	{
		char *result =
		    xasprintf("%s: %s", what, rc == PROC_OK ? msg : "failed");

		eventlog_audit(r->state_dir, audit, cJSON_GetStringValue(node),
			       result, err, sizeof(err));
		free(result);
	}
	aws_client_free(a);
	procjournal_view_free(&v);
	return rc;
}

/* A config edit's abandon also removes the texts kept for its resume and
 * rollback, which can no longer be used. */
static int pk_config_abandon(const struct prockind_run *r, char *msg,
			     size_t msgsize)
{
	int rc = prockind_abandon(r, msg, msgsize);

	if (rc == PROC_OK)
		cfgedit_texts_forget(r->state_dir, r->id, false);
	return rc;
}

/* ---- the table ---- */

static const struct prockind prockinds[] = {
    {
	.name = "config edit",
	.owns = pk_is_config,
	.proceed = pk_config,
	.abandon = pk_config_abandon,
	.describe = pk_config_describe,
    },
    {
	.name = "debug mode",
	.owns = debugmode_kind,
	.proceed = pk_debug,
	.abandon = prockind_abandon,
	.describe = pk_debug_describe,
    },
    {
	.name = "ERS rollout",
	.owns = ers_kind,
	.proceed = pk_ers,
	.abandon = prockind_abandon,
	.describe = pk_ers_describe,
    },
};

const struct prockind *prockind_find(const char *kind)
{
	size_t k;

	for (k = 0; k < sizeof(prockinds) / sizeof(prockinds[0]); k++)
		if (prockinds[k].owns(kind))
			return &prockinds[k];
	return NULL;
}

const struct prockind *prockind_of(const char *state_dir, const char *id,
				   char *msg, size_t msgsize)
{
	struct procjournal_view v;
	const struct prockind *pk;

	if (procjournal_read(state_dir, id, &v, msg, msgsize) < 0)
		return NULL;
	pk = prockind_find(pk_kind(&v));
	if (pk == NULL)
		snprintf(msg, msgsize,
			 "%s: this bvops has no steps for its kind (%s); "
			 "close it with bvops procedure abandon %s",
			 id, pk_kind(&v), id);
	procjournal_view_free(&v);
	return pk;
}

void prockind_describe(const struct procjournal_view *v, char *out, size_t size)
{
	const struct prockind *pk = prockind_find(pk_kind(v));

	if (pk != NULL)
		pk->describe(v, out, size);
	else
		snprintf(out, size, "%s", pk_kind(v));
}
