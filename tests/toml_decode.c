/*
 * toml_decode: TOML on stdin, toml-test's tagged JSON on stdout.
 * Exit 0 on valid input, 1 with FILE:LINE:COL on stderr when invalid.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/toml.h"

static void emit_string(struct buf *out, const char *s, size_t len)
{
	size_t k;

	buf_append_char(out, '"');
	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\u%04x", c);
		else
			buf_append_char(out, (char)c);
	}
	buf_append_char(out, '"');
}

static void emit_datetime(struct buf *out, enum toml_type type,
			  const struct toml_datetime *dt)
{
	if (type != TOML_TIME_LOCAL)
		buf_printf(out, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
	if (type == TOML_DATE_LOCAL)
		return;
	if (type != TOML_TIME_LOCAL)
		buf_append_char(out, 'T');
	buf_printf(out, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
	if (dt->frac[0] != '\0')
		buf_printf(out, ".%s", dt->frac);
	if (type != TOML_DATETIME)
		return;
	if (dt->offset_z) {
		buf_append_char(out, 'Z');
	} else {
		int m = dt->offset_minutes < 0 ? -dt->offset_minutes
					       : dt->offset_minutes;

		buf_printf(out, "%c%02d:%02d",
			   dt->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
	}
}

static void emit(struct buf *out, const struct toml_value *v)
{
	enum toml_type type = toml_value_type(v);
	size_t k, n, len;
	const char *s;
	struct buf tmp;

	switch (type) {
	case TOML_TABLE:
		buf_append_char(out, '{');
		n = toml_table_count(v);
		for (k = 0; k < n; k++) {
			if (k > 0)
				buf_append_char(out, ',');
			s = toml_table_key_at(v, k, &len);
			emit_string(out, s, len);
			buf_append_char(out, ':');
			emit(out, toml_table_value_at(v, k));
		}
		buf_append_char(out, '}');
		return;
	case TOML_ARRAY:
		buf_append_char(out, '[');
		n = toml_array_count(v);
		for (k = 0; k < n; k++) {
			if (k > 0)
				buf_append_char(out, ',');
			emit(out, toml_array_at(v, k));
		}
		buf_append_char(out, ']');
		return;
	default: break;
	}
	buf_init(&tmp, 0);
	switch (type) {
	case TOML_STRING:
		s = toml_value_string(v, &len);
		buf_append(&tmp, s, len);
		break;
	case TOML_INTEGER:
		buf_printf(&tmp, "%" PRId64, toml_value_int(v));
		break;
	case TOML_FLOAT: {
		double f = toml_value_float(v);

		if (isnan(f))
			buf_append_str(&tmp, "nan");
		else if (isinf(f))
			buf_append_str(&tmp, f < 0 ? "-inf" : "inf");
		else
			buf_printf(&tmp, "%.17g", f);
		break;
	}
	case TOML_BOOL:
		buf_append_str(&tmp, toml_value_bool(v) ? "true" : "false");
		break;
	default: emit_datetime(&tmp, type, toml_value_datetime(v)); break;
	}
	buf_append_str(out, "{\"type\":\"");
	buf_append_str(out, type == TOML_STRING           ? "string"
			    : type == TOML_INTEGER        ? "integer"
			    : type == TOML_FLOAT          ? "float"
			    : type == TOML_BOOL           ? "bool"
			    : type == TOML_DATETIME       ? "datetime"
			    : type == TOML_DATETIME_LOCAL ? "datetime-local"
			    : type == TOML_DATE_LOCAL     ? "date-local"
							  : "time-local");
	buf_append_str(out, "\",\"value\":");
	emit_string(out, tmp.data ? tmp.data : "", tmp.len);
	buf_append_char(out, '}');
	buf_free(&tmp);
}

int main(void)
{
	struct buf in, out;
	char chunk[65536];
	size_t n;
	struct toml_error err;
	struct toml_doc *doc;

	buf_init(&in, TOML_DOC_MAX + 1);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_append(&in, chunk, n) < 0)
			break;
	doc = toml_doc_parse(in.data ? in.data : "", in.len, &err);
	buf_free(&in);
	if (doc == NULL) {
		fprintf(stderr, "<stdin>:%u:%u: %s\n", err.line, err.col,
			err.msg);
		return 1;
	}
	buf_init(&out, 0);
	emit(&out, toml_doc_root(doc));
	buf_append_char(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	toml_doc_free(doc);
	return 0;
}
