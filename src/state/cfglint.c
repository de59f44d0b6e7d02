#include "state/cfglint.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/toml.h"
#include "lib/xalloc.h"

/* One player a config names: in [Players.N] or a [[Players]] entry. */
struct cl_player {
	int64_t index;
	char key[512]; /* PublicKey, "" when none */
	struct toml_pos key_pos, addr_pos;
	char addr[300];
	bool has_addr;
};

struct cl_node {
	struct toml_doc *doc;
	bool has_index;
	int64_t index;
	struct toml_pos index_pos;
	struct cl_player *players;
	size_t nplayers;
	bool ers;
};

static void cl_string(const struct toml_value *v, char *out, size_t size)
{
	size_t len = 0;
	const char *s = v && toml_value_type(v) == TOML_STRING
			    ? toml_value_string(v, &len)
			    : NULL;

	snprintf(out, size, "%.*s", s ? (int)len : 0, s ? s : "");
}

static void cl_player_add(struct cl_node *c, const struct toml_doc *doc,
			  const struct toml_value *t, int64_t index)
{
	const struct toml_value *k = toml_table_get(t, "PublicKey");
	const struct toml_value *a = toml_table_get(t, "Address");
	struct cl_player *p;

	c->players =
	    xrealloc(c->players, (c->nplayers + 1) * sizeof(*c->players));
	p = &c->players[c->nplayers++];
	memset(p, 0, sizeof(*p));
	p->index = index;
	cl_string(k, p->key, sizeof(p->key));
	if (k != NULL)
		p->key_pos = toml_value_pos(doc, k);
	p->has_addr = a != NULL && toml_value_type(a) == TOML_STRING;
	cl_string(a, p->addr, sizeof(p->addr));
	for (char *s = p->addr; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?'; /* one problem, one line */
	if (a != NULL)
		p->addr_pos = toml_value_pos(doc, a);
}

/* What the lint needs from one parsed config. */
static void cl_read(struct cl_node *c)
{
	const struct toml_value *root = toml_doc_root(c->doc), *v, *pl;
	size_t k;

	pl = toml_table_get(root, "Player");
	v = pl && toml_value_type(pl) == TOML_TABLE
		? toml_table_get(pl, "Index")
		: NULL;
	if (v != NULL && toml_value_type(v) == TOML_INTEGER) {
		c->has_index = true;
		c->index = toml_value_int(v);
		c->index_pos = toml_value_pos(c->doc, v);
	}
	v = toml_table_get(root, "Players");
	if (v != NULL && toml_value_type(v) == TOML_TABLE) {
		for (k = 0; k < toml_table_count(v); k++) {
			size_t len;
			const char *name = toml_table_key_at(v, k, &len);
			const struct toml_value *t = toml_table_value_at(v, k);
			char num[32];

			snprintf(num, sizeof(num), "%.*s", (int)len, name);
			if (toml_value_type(t) == TOML_TABLE)
				cl_player_add(c, c->doc, t,
					      strtoll(num, NULL, 10));
		}
	} else if (v != NULL && toml_value_type(v) == TOML_ARRAY) {
		for (k = 0; k < toml_array_count(v); k++) {
			const struct toml_value *t = toml_array_at(v, k);
			const struct toml_value *i =
			    toml_value_type(t) == TOML_TABLE
				? toml_table_get(t, "Index")
				: NULL;

			if (i != NULL && toml_value_type(i) == TOML_INTEGER)
				cl_player_add(c, c->doc, t, toml_value_int(i));
		}
	}
	/* ERS: EnableERSExport (older) or Features.GenerateRecoveryData in
	 * any protocol's table. */
	for (k = 0; k < toml_table_count(root); k++) {
		const struct toml_value *t = toml_table_value_at(root, k), *e,
					*f;

		if (toml_value_type(t) != TOML_TABLE)
			continue;
		e = toml_table_get(t, "EnableERSExport");
		f = toml_table_get(t, "Features");
		if (e != NULL && toml_value_type(e) == TOML_BOOL &&
		    toml_value_bool(e))
			c->ers = true;
		if (f != NULL && toml_value_type(f) == TOML_TABLE) {
			e = toml_table_get(f, "GenerateRecoveryData");
			if (e != NULL && toml_value_type(e) == TOML_BOOL &&
			    toml_value_bool(e))
				c->ers = true;
		}
	}
}

/* The schemes a TSM peer address may take. */
static bool cl_scheme_known(const char *a)
{
	static const char *const schemes[] = {"tcp://", "tcps://",   "ws://",
					      "wss://", "broker://", NULL};
	size_t k;

	if (strcmp(a, "incoming") == 0 || strcmp(a, "broker") == 0)
		return true;
	for (k = 0; schemes[k] != NULL; k++)
		if (strncmp(a, schemes[k], strlen(schemes[k])) == 0)
			return true;
	return false;
}

size_t cfglint_run(const struct cfglint_input *in, size_t n, struct buf *out)
{
	struct cl_node *c = xcalloc(n + 1, sizeof(*c));
	size_t i, j, p, q, problems = 0, with_ers = 0, parsed = 0;

#define SAY(...)                                                               \
	do {                                                                   \
		buf_printf(out, __VA_ARGS__);                                  \
		problems++;                                                    \
	} while (0)
	for (i = 0; i < n; i++) {
		struct toml_error err;

		if (in[i].text == NULL)
			continue;
		c[i].doc = toml_doc_parse(in[i].text, in[i].len, &err);
		if (c[i].doc == NULL) {
			SAY("%s: %s:%u:%u: does not parse: %s\n", in[i].node,
			    in[i].where, err.line, err.col, err.msg);
			continue;
		}
		cl_read(&c[i]);
		parsed++;
		with_ers += c[i].ers;
	}
	for (i = 0; i < n; i++) {
		const char *node = in[i].node, *where = in[i].where;

		if (c[i].doc == NULL)
			continue;
		if (!c[i].has_index)
			SAY("%s: %s:1:1: no [Player] Index (the fleet file "
			    "says %" PRId64 ")\n",
			    node, where, in[i].index);
		else if (c[i].index != in[i].index)
			SAY("%s: %s:%u:%u: [Player] Index is %" PRId64
			    ", the fleet file says %" PRId64 "\n",
			    node, where, c[i].index_pos.line,
			    c[i].index_pos.col, c[i].index, in[i].index);
		for (j = 0; c[i].has_index && j < n; j++)
			if (j != i && c[j].doc != NULL && c[j].has_index &&
			    c[j].index == c[i].index)
				SAY("%s: %s:%u:%u: [Player] Index %" PRId64
				    " is %s's too (%s:%u)\n",
				    node, where, c[i].index_pos.line,
				    c[i].index_pos.col, c[i].index, in[j].node,
				    in[j].where, c[j].index_pos.line);
		for (p = 0; p < c[i].nplayers; p++) {
			const struct cl_player *pl = &c[i].players[p];
			bool told = false;

			if (pl->has_addr && !cl_scheme_known(pl->addr))
				SAY("%s: %s:%u:%u: player %" PRId64
				    "'s Address \"%s\" is in no scheme the "
				    "TSM knows (tcp://, tcps://, ws://, "
				    "wss://, incoming, broker)\n",
				    node, where, pl->addr_pos.line,
				    pl->addr_pos.col, pl->index, pl->addr);
			/* Against the first earlier config naming it. */
			for (j = 0; j < i && !told && pl->key[0]; j++)
				for (q = 0; c[j].doc && q < c[j].nplayers;
				     q++) {
					const struct cl_player *o =
					    &c[j].players[q];

					if (o->index != pl->index ||
					    o->key[0] == '\0')
						continue;
					if (strcmp(o->key, pl->key) != 0)
						SAY("%s: %s:%u:%u: player "
						    "%" PRId64 "'s PublicKey "
						    "differs from %s's "
						    "(%s:%u)\n",
						    node, where,
						    pl->key_pos.line,
						    pl->key_pos.col, pl->index,
						    in[j].node, in[j].where,
						    o->key_pos.line);
					told = true;
					break;
				}
		}
		if (with_ers > 0 && with_ers < parsed && !c[i].ers)
			SAY("%s: %s:1:1: no ERS configuration, while %zu of "
			    "%zu nodes have it: on all or on none\n",
			    node, where, with_ers, parsed);
	}
#undef SAY
	for (i = 0; i < n; i++) {
		toml_doc_free(c[i].doc);
		free(c[i].players);
	}
	free(c);
	return problems;
}
