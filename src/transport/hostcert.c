/* hostcert: OpenSSH host certificates, read and checked (PROTOCOL.certkeys). */
#include "transport/hostcert.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "transport/knownhosts.h"

static const char cert_suffix[] = "-cert-v01@openssh.com";

/* A cursor over SSH wire data: every read is checked against what is left. */
struct rd {
	const unsigned char *p;
	size_t left;
};

static int rd_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (rd_u32(r, &hi) < 0 || rd_u32(r, &lo) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* A string: its bytes (in place) and length; the cursor moves past it. */
static int rd_str(struct rd *r, const unsigned char **s, size_t *len)
{
	uint32_t n;

	if (rd_u32(r, &n) < 0 || n > r->left)
		return -1;
	*s = r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

/* A string, and the whole of it with its length prefix (to copy it). */
static int rd_field(struct rd *r, const unsigned char **whole, size_t *len)
{
	const unsigned char *start = r->p, *s;
	size_t n;

	if (rd_str(r, &s, &n) < 0)
		return -1;
	*whole = start;
	*len = (size_t)(r->p - start);
	return 0;
}

static bool str_is(const unsigned char *s, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

bool hostcert_is_cert(const unsigned char *blob, size_t len)
{
	struct rd r = {blob, len};
	const unsigned char *t;
	size_t n, sl = sizeof(cert_suffix) - 1;

	return rd_str(&r, &t, &n) == 0 && n > sl &&
	       memcmp(t + n - sl, cert_suffix, sl) == 0;
}

bool hostcert_type_is_cert(const char *type)
{
	size_t n = strlen(type), sl = sizeof(cert_suffix) - 1;

	return n > sl && strcmp(type + n - sl, cert_suffix) == 0;
}

/* Append the SSH string s to out at *at. */
static void put_str(unsigned char *out, size_t *at, const void *s, size_t len)
{
	out[(*at)++] = (unsigned char)(len >> 24);
	out[(*at)++] = (unsigned char)(len >> 16);
	out[(*at)++] = (unsigned char)(len >> 8);
	out[(*at)++] = (unsigned char)len;
	memcpy(out + *at, s, len);
	*at += len;
}

void hostcert_free(struct hostcert *c)
{
	free(c->plain);
	c->plain = NULL;
}

int hostcert_parse(const unsigned char *blob, size_t len, struct hostcert *c,
		   char *msg, size_t msgsize)
{
	struct rd r = {blob, len};
	const unsigned char *t, *nonce, *f1, *f2, *kid, *ext, *res;
	size_t tl, nl, f1l, f2l, kidl, extl, resl, base, at = 0;
	uint64_t serial;
	const unsigned char *crit;

	memset(c, 0, sizeof(*c));
	if (!hostcert_is_cert(blob, len) || rd_str(&r, &t, &tl) < 0 ||
	    tl >= sizeof(c->type) || rd_str(&r, &nonce, &nl) < 0)
		goto bad;
	memcpy(c->type, t, tl);
	c->type[tl] = '\0';
	base = tl - (sizeof(cert_suffix) - 1);
	/* The certified key: one field (ed25519) or two (ecdsa: curve and
	 * point; rsa: e and n), kept whole to build the plain key. */
	if (rd_field(&r, &f1, &f1l) < 0)
		goto bad;
	f2 = NULL;
	f2l = 0;
	if (strncmp(c->type, "ssh-ed25519", base) != 0 &&
	    rd_field(&r, &f2, &f2l) < 0)
		goto bad;
	c->plain = xmalloc(4 + base + f1l + f2l);
	put_str(c->plain, &at, t, base);
	memcpy(c->plain + at, f1, f1l);
	at += f1l;
	if (f2 != NULL)
		memcpy(c->plain + at, f2, f2l);
	c->plain_len = at + f2l;
	if (rd_u64(&r, &serial) < 0 || rd_u32(&r, &c->cert_type) < 0 ||
	    rd_str(&r, &kid, &kidl) < 0 ||
	    rd_str(&r, &c->principals, &c->principals_len) < 0 ||
	    rd_u64(&r, &c->valid_after) < 0 ||
	    rd_u64(&r, &c->valid_before) < 0 ||
	    rd_str(&r, &crit, &c->critical_len) < 0 ||
	    rd_str(&r, &ext, &extl) < 0 || rd_str(&r, &res, &resl) < 0 ||
	    rd_str(&r, &c->ca, &c->ca_len) < 0)
		goto bad;
	(void)serial;
	snprintf(c->key_id, sizeof(c->key_id), "%.*s", (int)kidl,
		 (const char *)kid);
	c->blob = blob;
	c->signed_len = (size_t)(r.p - blob);
	if (rd_str(&r, &c->sig, &c->sig_len) < 0 || r.left != 0)
		goto bad;
	return 0;
bad:
	hostcert_free(c);
	snprintf(msg, msgsize, "not a certificate bvops can read");
	return -1;
}

/* ---- the CA's signature ---- */

/* An EVP_PKEY for an ecdsa or rsa CA key, from OpenSSL 3's parameters. */
static EVP_PKEY *pkey_from(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *key = NULL;

	if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return key;
}

/* The DER form OpenSSL verifies of SSH's ecdsa signature (mpint r, s). */
static unsigned char *ecdsa_der(const unsigned char *blob, size_t len,
				int *der_len)
{
	struct rd r = {blob, len};
	const unsigned char *rs, *ss;
	size_t rl, sl;
	ECDSA_SIG *sig;
	BIGNUM *br, *bs;
	unsigned char *der = NULL;

	if (rd_str(&r, &rs, &rl) < 0 || rd_str(&r, &ss, &sl) < 0 || r.left != 0)
		return NULL;
	sig = ECDSA_SIG_new();
	br = BN_bin2bn(rs, (int)rl, NULL);
	bs = BN_bin2bn(ss, (int)sl, NULL);
	if (sig == NULL || br == NULL || bs == NULL ||
	    ECDSA_SIG_set0(sig, br, bs) != 1) {
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(sig);
		return NULL;
	}
	*der_len = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	return *der_len > 0 ? der : NULL;
}

/* Verify c's signature with its CA key. 0, or -1 with a message. */
static int cert_signature_ok(const struct hostcert *c, char *msg,
			     size_t msgsize)
{
	struct rd ca = {c->ca, c->ca_len}, sg = {c->sig, c->sig_len};
	const unsigned char *kt, *f1, *f2 = NULL, *st, *sb;
	size_t ktl, f1l, f2l = 0, stl, sbl;
	const EVP_MD *md = NULL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *mctx;
	unsigned char *der = NULL;
	const unsigned char *sigp;
	size_t siglen;
	int ok = 0;

	if (rd_str(&ca, &kt, &ktl) < 0 || rd_str(&ca, &f1, &f1l) < 0 ||
	    (!str_is(kt, ktl, "ssh-ed25519") && rd_str(&ca, &f2, &f2l) < 0) ||
	    rd_str(&sg, &st, &stl) < 0 || rd_str(&sg, &sb, &sbl) < 0) {
		snprintf(msg, msgsize, "its CA key or signature is malformed");
		return -1;
	}
	sigp = sb;
	siglen = sbl;
	if (str_is(kt, ktl, "ssh-ed25519") && str_is(st, stl, "ssh-ed25519")) {
		if (f1l == 32)
			key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519,
							  NULL, f1, 32);
	} else if (ktl > 6 && memcmp(kt, "ecdsa-", 6) == 0 && stl == ktl &&
		   memcmp(st, kt, ktl) == 0) {
		static const struct {
			const char *curve, *group;
			const EVP_MD *(*md)(void);
		} curves[] = {{"nistp256", "P-256", EVP_sha256},
			      {"nistp384", "P-384", EVP_sha384},
			      {"nistp521", "P-521", EVP_sha512}};
		size_t i;

		for (i = 0; i < 3; i++) {
			OSSL_PARAM_BLD *bld;

			if (!str_is(f1, f1l, curves[i].curve))
				continue;
			bld = OSSL_PARAM_BLD_new();
			if (bld == NULL ||
			    !OSSL_PARAM_BLD_push_utf8_string(
				bld, OSSL_PKEY_PARAM_GROUP_NAME,
				curves[i].group, 0) ||
			    !OSSL_PARAM_BLD_push_octet_string(
				bld, OSSL_PKEY_PARAM_PUB_KEY, f2, f2l)) {
				OSSL_PARAM_BLD_free(bld);
				break;
			}
			key = pkey_from("EC", bld);
			OSSL_PARAM_BLD_free(bld);
			md = curves[i].md();
			break;
		}
		if (key != NULL) {
			int dl = 0;

			der = ecdsa_der(sb, sbl, &dl);
			sigp = der;
			siglen = (size_t)dl;
			if (der == NULL) {
				EVP_PKEY_free(key);
				key = NULL;
			}
		}
	} else if (str_is(kt, ktl, "ssh-rsa") &&
		   (str_is(st, stl, "rsa-sha2-256") ||
		    str_is(st, stl, "rsa-sha2-512"))) {
		/* ssh-rsa: mpint e, then mpint n. */
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		BIGNUM *e = BN_bin2bn(f1, (int)f1l, NULL);
		BIGNUM *n = BN_bin2bn(f2, (int)f2l, NULL);

		if (bld != NULL && e != NULL && n != NULL &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			key = pkey_from("RSA", bld);
		OSSL_PARAM_BLD_free(bld);
		BN_free(e);
		BN_free(n);
		md = str_is(st, stl, "rsa-sha2-256") ? EVP_sha256()
						     : EVP_sha512();
	} else {
		/* ssh-rsa signatures (SHA-1) are refused, as OpenSSH does
		 * by default (CASignatureAlgorithms). */
		snprintf(msg, msgsize,
			 "its CA signed it with %.*s, which bvops does not "
			 "accept (ed25519, ecdsa, rsa-sha2-256/512)",
			 (int)(stl < 64 ? stl : 64), (const char *)st);
		return -1;
	}
	mctx = EVP_MD_CTX_new();
	if (key != NULL && mctx != NULL &&
	    EVP_DigestVerifyInit(mctx, NULL, md, NULL, key) == 1 &&
	    EVP_DigestVerify(mctx, sigp, siglen, c->blob, c->signed_len) == 1)
		ok = 1;
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(key);
	OPENSSL_free(der);
	if (!ok) {
		snprintf(msg, msgsize,
			 "its signature does not verify with the CA's key");
		return -1;
	}
	return 0;
}

/* Whether host is one of the certificate's principals (none: any). */
static bool cert_for_host(const struct hostcert *c, const char *host)
{
	struct rd r = {c->principals, c->principals_len};
	const unsigned char *p;
	size_t len;

	if (c->principals_len == 0)
		return true; /* OpenSSH: a host certificate for any name */
	while (r.left > 0) {
		if (rd_str(&r, &p, &len) < 0)
			return false;
		/* Principals may be patterns (OpenSSH 8.5 and later). */
		if (memchr(p, ',', len) == NULL &&
		    knownhosts_host_matches((const char *)p, len, host))
			return true;
	}
	return false;
}

static void cert_time(uint64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > (uint64_t)INT64_MAX || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, size, "never");
	else
		strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int hostcert_check(const struct hostcert *c, const char *host, time_t now,
		   char *msg, size_t msgsize)
{
	char when[40];

	if (c->cert_type != HOSTCERT_HOST) {
		snprintf(msg, msgsize, "certificate \"%s\" is not a host's",
			 c->key_id);
		return -1;
	}
	if (!cert_for_host(c, host)) {
		snprintf(msg, msgsize,
			 "certificate \"%s\" is not valid for %s (not among "
			 "its principals)",
			 c->key_id, host);
		return -1;
	}
	if ((uint64_t)now < c->valid_after) {
		cert_time(c->valid_after, when, sizeof(when));
		snprintf(msg, msgsize,
			 "certificate \"%s\" is not valid before %s", c->key_id,
			 when);
		return -1;
	}
	if ((uint64_t)now >= c->valid_before) {
		cert_time(c->valid_before, when, sizeof(when));
		snprintf(msg, msgsize, "certificate \"%s\" expired on %s",
			 c->key_id, when);
		return -1;
	}
	if (c->critical_len != 0) {
		snprintf(msg, msgsize,
			 "certificate \"%s\" has critical options, which no "
			 "host certificate may have",
			 c->key_id);
		return -1;
	}
	if (cert_signature_ok(c, msg, msgsize) < 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", msg);
		snprintf(msg, msgsize, "certificate \"%s\": %s", c->key_id,
			 why);
		return -1;
	}
	return 0;
}
