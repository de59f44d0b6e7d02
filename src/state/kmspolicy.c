#include "state/kmspolicy.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"

#define KP_PCR8   "kms:RecipientAttestation:PCR8"
#define KP_PREFIX "kms:RecipientAttestation:"

/* Statement k of the policy (an array, or a lone object), or NULL. */
static const cJSON *kp_stmt(const cJSON *stmts, int k)
{
	if (cJSON_IsArray(stmts))
		return cJSON_GetArrayItem(stmts, k);
	return k == 0 && cJSON_IsObject(stmts) ? stmts : NULL;
}

static void kp_sid(const cJSON *st, int k, char *out, size_t size)
{
	const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(st, "Sid"));

	if (sid != NULL)
		snprintf(out, size, "statement \"%s\"", sid);
	else
		snprintf(out, size, "statement %d", k + 1);
}

/* Does the statement's Action cover kms:Decrypt? */
static bool kp_allows_decrypt(const cJSON *st)
{
	const cJSON *a = cJSON_GetObjectItem(st, "Action"), *e;

	if (cJSON_IsString(a))
		return strcasecmp(a->valuestring, "kms:Decrypt") == 0 ||
		       strcasecmp(a->valuestring, "kms:*") == 0 ||
		       strcmp(a->valuestring, "*") == 0;
	cJSON_ArrayForEach(e, a)
	{
		if (cJSON_IsString(e) &&
		    (strcasecmp(e->valuestring, "kms:Decrypt") == 0 ||
		     strcasecmp(e->valuestring, "kms:*") == 0 ||
		     strcmp(e->valuestring, "*") == 0))
			return true;
	}
	return false;
}

static bool kp_same_principal(const cJSON *a, const cJSON *b)
{
	char *x, *y;
	bool same;

	if (a == NULL || b == NULL)
		return false;
	x = cJSON_PrintUnformatted(a);
	y = cJSON_PrintUnformatted(b);
	if (x == NULL || y == NULL)
		abort(); /* cJSON only fails for want of memory */
	same = strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

static void kp_warn(struct kmspolicy_pcr8 *out, const char *text)
{
	size_t len = strlen(out->warning);

	snprintf(out->warning + len, sizeof(out->warning) - len, "%s%s",
		 len ? "; " : "", text);
}

int kmspolicy_find_pcr8(const char *policy, size_t len,
			struct kmspolicy_pcr8 *out, char *msg, size_t msgsize)
{
	cJSON *doc = cJSON_ParseWithLength(policy, len);
	const cJSON *stmts, *st, *found_st = NULL;
	char where[600] = "";
	int k, count = 0;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc)) {
		snprintf(msg, msgsize, "the key policy is not a JSON object");
		cJSON_Delete(doc);
		return -1;
	}
	stmts = cJSON_GetObjectItem(doc, "Statement");
	for (k = 0; (st = kp_stmt(stmts, k)) != NULL; k++) {
		const cJSON *cond = cJSON_GetObjectItem(st, "Condition"), *op;

		cJSON_ArrayForEach(op, cond)
		{
			const cJSON *key;

			cJSON_ArrayForEach(key, op)
			{
				char sid[160];

				if (key->string == NULL ||
				    strncasecmp(key->string, KP_PREFIX,
						strlen(KP_PREFIX)) != 0)
					continue;
				kp_sid(st, k, sid, sizeof(sid));
				if (strcasecmp(key->string, KP_PCR8) != 0) {
					char w[400];

					snprintf(w, sizeof(w),
						 "%s also pins %s: a debug "
						 "enclave still cannot decrypt",
						 sid, key->string);
					kp_warn(out, w);
					continue;
				}
				count++;
				snprintf(where + strlen(where),
					 sizeof(where) - strlen(where), "%s%s",
					 count > 1 ? ", " : "", sid);
				if (count > 1)
					continue;
				found_st = st;
				snprintf(out->op, sizeof(out->op), "%s",
					 op->string ? op->string : "?");
				snprintf(out->sid, sizeof(out->sid), "%s", sid);
				if (!cJSON_IsString(key)) {
					snprintf(msg, msgsize,
						 "%s: %s under %s is not a "
						 "single string: bvops does "
						 "not guess which value to "
						 "change",
						 sid, KP_PCR8, out->op);
					cJSON_Delete(doc);
					return -1;
				}
				snprintf(out->value, sizeof(out->value), "%s",
					 key->valuestring);
			}
		}
	}
	if (count != 1) {
		if (count == 0)
			snprintf(msg, msgsize,
				 "the key policy has no %s condition: nothing "
				 "to change for debug mode (is it the node's "
				 "ShardKMSKeyNitro key?)",
				 KP_PCR8);
		else
			snprintf(msg, msgsize,
				 "the key policy has %d %s conditions (%s): "
				 "bvops does not guess which one to change",
				 count, KP_PCR8, where);
		cJSON_Delete(doc);
		return -1;
	}
	out->is_zero = strcmp(out->value, KMSPOLICY_ZERO_PCR) == 0;
	/* An unconditional Allow of kms:Decrypt to the same principal. */
	for (k = 0; (st = kp_stmt(stmts, k)) != NULL; k++) {
		const char *eff =
		    cJSON_GetStringValue(cJSON_GetObjectItem(st, "Effect"));

		if (st != found_st && eff != NULL &&
		    strcmp(eff, "Allow") == 0 &&
		    cJSON_GetObjectItem(st, "Condition") == NULL &&
		    kp_allows_decrypt(st) &&
		    kp_same_principal(
			cJSON_GetObjectItem(st, "Principal"),
			cJSON_GetObjectItem(found_st, "Principal"))) {
			char sid[160], w[400];

			kp_sid(st, k, sid, sizeof(sid));
			snprintf(w, sizeof(w),
				 "%s allows kms:Decrypt to the same principal "
				 "without conditions: the attestation "
				 "condition is moot",
				 sid);
			kp_warn(out, w);
		}
	}
	cJSON_Delete(doc);
	return 0;
}

/* The one place of the key in the text, case aside; NULL unless one. */
static const char *kp_key_in_text(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *found = NULL;
	size_t klen = strlen(KP_PCR8) + 2;

	for (; p + klen <= end; p++) {
		if (*p != '"' || p[klen - 1] != '"' ||
		    strncasecmp(p + 1, KP_PCR8, klen - 2) != 0)
			continue;
		if (found != NULL)
			return NULL;
		found = p;
	}
	return found;
}

char *kmspolicy_set_pcr8(const char *policy, size_t len, const char *value,
			 size_t *outlen, char *msg, size_t msgsize)
{
	struct kmspolicy_pcr8 f;
	const char *key, *p, *end = policy + len, *vstart, *vend;
	char *out;
	size_t vlen = strlen(value);

	if (kmspolicy_find_pcr8(policy, len, &f, msg, msgsize) < 0)
		return NULL;
	key = kp_key_in_text(policy, len);
	if (key == NULL) {
		snprintf(msg, msgsize,
			 "%s is written more than once (or escaped) in the "
			 "policy's text: bvops does not guess which to change",
			 KP_PCR8);
		return NULL;
	}
	p = key + strlen(KP_PCR8) + 2;
	while (p < end && strchr(" \t\r\n", *p) != NULL)
		p++;
	if (p < end && *p == ':')
		p++;
	while (p < end && strchr(" \t\r\n", *p) != NULL)
		p++;
	if (p >= end || *p != '"') {
		snprintf(msg, msgsize, "%s is not followed by a string value",
			 KP_PCR8);
		return NULL;
	}
	vstart = ++p;
	while (p < end && *p != '"')
		p += *p == '\\' ? 2 : 1;
	if (p >= end) {
		snprintf(msg, msgsize, "%s's value is not closed", KP_PCR8);
		return NULL;
	}
	vend = p;
	*outlen = (size_t)(vstart - policy) + vlen + (size_t)(end - vend);
	out = xmalloc(*outlen + 1);
	memcpy(out, policy, (size_t)(vstart - policy));
	memcpy(out + (vstart - policy), value, vlen);
	memcpy(out + (vstart - policy) + vlen, vend, (size_t)(end - vend));
	out[*outlen] = '\0';
	/* What was changed must be the condition found, now the value. */
	if (kmspolicy_find_pcr8(out, *outlen, &f, msg, msgsize) < 0 ||
	    strcmp(f.value, value) != 0) {
		if (strcmp(f.value, value) != 0)
			snprintf(msg, msgsize,
				 "the changed policy does not read back with "
				 "the new %s: not changed",
				 KP_PCR8);
		free(out);
		return NULL;
	}
	return out;
}

int kmspolicy_pins(const char *policy, size_t len, char pins[9][128], char *msg,
		   size_t msgsize)
{
	cJSON *doc = cJSON_ParseWithLength(policy, len);
	const cJSON *st;
	int k;

	for (k = 0; k < 9; k++)
		pins[k][0] = '\0';
	if (!cJSON_IsObject(doc)) {
		snprintf(msg, msgsize, "the key policy is not a JSON object");
		cJSON_Delete(doc);
		return -1;
	}
	for (k = 0;
	     (st = kp_stmt(cJSON_GetObjectItem(doc, "Statement"), k)) != NULL;
	     k++) {
		const cJSON *op;

		cJSON_ArrayForEach(op, cJSON_GetObjectItem(st, "Condition"))
		{
			const cJSON *key;

			cJSON_ArrayForEach(key, op)
			{
				size_t pl = strlen(KP_PREFIX);
				const char *v = cJSON_GetStringValue(key);
				int n;

				if (key->string == NULL || v == NULL ||
				    strncasecmp(key->string, KP_PREFIX, pl) !=
					0 ||
				    strncasecmp(key->string + pl, "PCR", 3) !=
					0)
					continue;
				n = atoi(key->string + pl + 3);
				if (n < 0 || n > 8)
					continue;
				snprintf(pins[n], 128, "%s", v);
				for (char *c = pins[n]; *c; c++)
					*c = (char)tolower((unsigned char)*c);
			}
		}
	}
	cJSON_Delete(doc);
	return 0;
}
