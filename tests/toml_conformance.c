/*
 * toml_conformance: runs a decoder program over the toml-test cases listed
 * in SUITE/files-toml-1.0.0. Valid cases must decode to the expected tagged
 * JSON (compared structurally) and write back byte for byte; invalid cases
 * must be rejected.
 *
 * usage: toml_conformance DECODER SUITE_DIR
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/toml.h"

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	buf_init(out, 0);
	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
	if (out->data == NULL)
		buf_append(out, "", 0);
	return 0;
}

/* Run the decoder with stdin from path; its stdout goes to out. */
static int run_decoder(const char *decoder, const char *path, struct buf *out)
{
	int pipefd[2], status;
	pid_t pid;
	char chunk[65536];
	ssize_t n;

	buf_init(out, 0);
	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open(path, O_RDONLY),
		    null = open("/dev/null", O_WRONLY);

		if (in < 0 || null < 0)
			_exit(127);
		dup2(in, 0);
		dup2(pipefd[1], 1);
		dup2(null, 2);
		close(pipefd[0]);
		execl(decoder, decoder, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_append(out, chunk, (size_t)n);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out->data == NULL)
		buf_append(out, "", 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Same instant written alike: upper case, no trailing zeros in the
 * fraction of a second (toml-test compares times, not spellings). */
static void datetime_normalise(const char *in, char *out, size_t size)
{
	size_t n = 0, dot = 0, k;

	for (k = 0; in[k] != '\0' && n + 1 < size; k++) {
		char c = in[k];

		if (c == '.')
			dot = n;
		if (dot != 0 && !(c >= '0' && c <= '9') && c != '.') {
			while (n > dot &&
			       (out[n - 1] == '0' || out[n - 1] == '.'))
				n--;
			dot = 0;
		}
		out[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	while (dot != 0 && n > dot && (out[n - 1] == '0' || out[n - 1] == '.'))
		n--;
	out[n] = '\0';
}

static int same_scalar(const char *type, const char *want, const char *got)
{
	if (strcmp(type, "float") == 0) {
		double a, b;

		if (strstr(want, "nan") != NULL)
			return strstr(got, "nan") != NULL;
		a = strtod(want, NULL);
		b = strtod(got, NULL);
		return a == b && signbit(a) == signbit(b);
	}
	if (strcmp(type, "integer") == 0)
		return strtoll(want, NULL, 10) == strtoll(got, NULL, 10);
	if (strncmp(type, "date", 4) == 0 || strncmp(type, "time", 4) == 0) {
		char a[64], b[64];

		datetime_normalise(want, a, sizeof(a));
		datetime_normalise(got, b, sizeof(b));
		return strcmp(a, b) == 0;
	}
	return strcmp(want, got) == 0;
}

static int is_tagged(const cJSON *j)
{
	return cJSON_IsObject(j) && cJSON_GetArraySize(j) == 2 &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "type")) &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "value"));
}

static int same_json(const cJSON *want, const cJSON *got)
{
	const cJSON *w, *g;

	if (is_tagged(want)) {
		const char *wt, *gt;

		if (!is_tagged(got))
			return 0;
		wt =
		    cJSON_GetObjectItemCaseSensitive(want, "type")->valuestring;
		gt = cJSON_GetObjectItemCaseSensitive(got, "type")->valuestring;
		return strcmp(wt, gt) == 0 &&
		       same_scalar(
			   wt,
			   cJSON_GetObjectItemCaseSensitive(want, "value")
			       ->valuestring,
			   cJSON_GetObjectItemCaseSensitive(got, "value")
			       ->valuestring);
	}
	if (cJSON_IsArray(want)) {
		if (!cJSON_IsArray(got) ||
		    cJSON_GetArraySize(want) != cJSON_GetArraySize(got))
			return 0;
		for (w = want->child, g = got->child; w != NULL;
		     w = w->next, g = g->next)
			if (!same_json(w, g))
				return 0;
		return 1;
	}
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(got) || is_tagged(got) ||
		    cJSON_GetArraySize(want) != cJSON_GetArraySize(got))
			return 0;
		cJSON_ArrayForEach(w, want)
		{
			g = cJSON_GetObjectItemCaseSensitive(got, w->string);
			if (g == NULL || !same_json(w, g))
				return 0;
		}
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char list[4096], line[1024], path[4096];
	FILE *f;
	int valid_ok = 0, valid_n = 0, invalid_ok = 0, invalid_n = 0;
	int round_ok = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: toml_conformance DECODER SUITE_DIR\n");
		return 2;
	}
	snprintf(list, sizeof(list), "%s/files-toml-1.0.0", argv[2]);
	f = fopen(list, "r");
	if (f == NULL) {
		fprintf(stderr, "toml_conformance: cannot open %s\n", list);
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strcspn(line, "\r\n");
		struct buf out;
		int rc;

		line[len] = '\0';
		if (len < 5 || strcmp(line + len - 5, ".toml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[2], line);
		rc = run_decoder(argv[1], path, &out);
		if (strncmp(line, "invalid/", 8) == 0) {
			invalid_n++;
			if (rc != 0)
				invalid_ok++;
			else
				printf("FAIL accepted invalid %s\n", line);
		} else {
			char jpath[4096];
			struct buf want, src;
			cJSON *wj, *gj;
			struct toml_error err;
			struct toml_doc *doc;

			valid_n++;
			snprintf(jpath, sizeof(jpath), "%.*s.json",
				 (int)(strlen(path) - 5), path);
			read_file(jpath, &want);
			wj = cJSON_Parse(want.data);
			gj = rc == 0 ? cJSON_Parse(out.data) : NULL;
			if (wj != NULL && gj != NULL && same_json(wj, gj))
				valid_ok++;
			else
				printf("FAIL valid %s (exit %d)\n", line, rc);
			cJSON_Delete(wj);
			cJSON_Delete(gj);
			buf_free(&want);
			/* Writing back must give exactly the bytes read. */
			read_file(path, &src);
			doc = toml_doc_parse(src.data, src.len, &err);
			if (doc != NULL) {
				size_t n;
				const char *t = toml_doc_text(doc, &n);

				if (n == src.len && memcmp(t, src.data, n) == 0)
					round_ok++;
				else
					printf("FAIL round trip %s\n", line);
			}
			toml_doc_free(doc);
			buf_free(&src);
		}
		buf_free(&out);
	}
	fclose(f);
	printf("toml-test valid: %d/%d decoded as expected\n", valid_ok,
	       valid_n);
	printf("toml-test invalid: %d/%d rejected\n", invalid_ok, invalid_n);
	printf("toml-test round trip: %d/%d byte-identical\n", round_ok,
	       valid_n);
	printf("%d passed, %d failed\n", valid_ok + invalid_ok + round_ok,
	       (valid_n - valid_ok) + (invalid_n - invalid_ok) +
		   (valid_n - round_ok));
	return valid_ok == valid_n && invalid_ok == invalid_n &&
		       round_ok == valid_n
		   ? 0
		   : 1;
}
