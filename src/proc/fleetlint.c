#include "proc/fleetlint.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_s3.h"
#include "aws/awsid.h"
#include "aws/cfgloc.h"
#include "lib/xalloc.h"
#include "state/cfglint.h"

/* One node's config as stored: its text (a new string) and where. */
static char *fl_fetch(struct aws_client *a, const char *region,
		      const struct fleet_node *n, size_t *len, char **where,
		      char *msg, size_t msgsize)
{
	struct aws_s3_object obj;
	struct cfgloc loc;
	char *text = NULL;

	*where = xstrdup(n->name);
	if (cfgloc_resolve(a, region, n, &loc, msg, msgsize) < 0)
		return NULL;
	free(*where);
	*where = xasprintf("s3://%s/%s", loc.bucket, loc.key);
	if (aws_s3_get(a, loc.region, loc.bucket, loc.key, NULL, false, &obj,
		       msg, msgsize) == 0) {
		text = xmalloc(obj.len + 1);
		memcpy(text, obj.body, obj.len);
		text[obj.len] = '\0';
		*len = obj.len;
		aws_s3_object_free(&obj);
	}
	cfgloc_free(&loc);
	return text;
}

/* Is line about one of the nodes reported on? */
static bool fl_wanted(const struct fleetlint_opts *o, const char *line)
{
	size_t k;

	if (o->only == NULL)
		return true;
	for (k = 0; k < o->nonly; k++) {
		size_t l = strlen(o->only[k]);

		if (strncmp(line, o->only[k], l) == 0 && line[l] == ':')
			return true;
	}
	return false;
}

size_t fleetlint_run(const struct fleet *f, struct aws_client *a,
		     const struct fleetlint_opts *o, struct buf *out,
		     struct buf *unread_msgs, size_t *unread)
{
	struct cfglint_input *in = xcalloc(f->nnodes + 1, sizeof(*in));
	char **texts = xcalloc(f->nnodes + 1, sizeof(*texts));
	char **wheres = xcalloc(f->nnodes + 1, sizeof(*wheres));
	char msg[1024], *all, *line, *save = NULL;
	struct buf b;
	size_t k, shown = 0;

	*unread = 0;
	for (k = 0; k < f->nnodes; k++) {
		const struct fleet_node *n = &f->nodes[k];
		bool mine = o->as_node && strcmp(o->as_node, n->name) == 0;

		{
			/* Each config as its node's identity reads it (its
			 * KMS stack may be in an account of its own). */
			struct aws_client *na =
			    a != NULL ? a : awsid_client_node(f, n);

			texts[k] = fl_fetch(na, o->region, n, &in[k].len,
					    &wheres[k], msg, sizeof(msg));
			if (na != a)
				aws_client_free(na);
		}
		if (mine) {
			free(texts[k]);
			texts[k] = NULL;
			in[k].text = o->text;
			in[k].len = o->len;
		} else {
			in[k].text = texts[k];
			if (texts[k] == NULL) {
				size_t nl = strlen(n->name);
				/* cfgloc's messages name the node already. */
				const char *why =
				    strncmp(msg, n->name, nl) == 0 &&
					    msg[nl] == ':'
					? msg + nl + 1 + (msg[nl + 1] == ' ')
					: msg;

				buf_printf(unread_msgs,
					   "%s: its config could not be read: "
					   "%s\n",
					   n->name, why);
				(*unread)++;
			}
		}
		in[k].node = n->name;
		in[k].index = n->index;
		in[k].where = wheres[k];
	}
	buf_init(&b, 0);
	cfglint_run(in, f->nnodes, &b);
	all = buf_take(&b, NULL);
	for (line = strtok_r(all, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (fl_wanted(o, line)) {
			buf_printf(out, "%s\n", line);
			shown++;
		}
	free(all);
	for (k = 0; k < f->nnodes; k++) {
		free(texts[k]);
		free(wheres[k]);
	}
	free(texts);
	free(wheres);
	free(in);
	return shown;
}
