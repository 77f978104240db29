/* out-csv.c — the CSV rendering of a result set (see out.h): one header
 * row following the set's declared columns, one row per record, RFC 4180
 * quoting. */
#include "out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v) || json_is_null(v);
}

void out_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The shortest %g form that reads back to the same double. */
static void put_real(FILE *f, double v)
{
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void put_value(FILE *f, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		out_csv_field(f, json_string_value(v));
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(f, json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	default: /* null: empty field */
		break;
	}
}

char *out_csv_string(const json_t *set)
{
	const json_t *recs = json_object_get(set, "records");
	if (!json_is_array(recs) || !json_is_array(json_object_get(set, "columns")))
		return NULL;
	json_t *cols = schema_present_columns(json_object_get(set, "columns"), recs, true);
	if (!cols)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	if (json_array_size(cols) == 0) { /* no columns: an empty file */
		json_decref(cols);
		return strdup("");
	}
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		json_decref(cols);
		return NULL;
	}
	size_t i, c;
	json_t *rec, *col;
	json_array_foreach(cols, c, col) {
		if (c)
			fputc(',', f);
		out_csv_field(f, json_string_value(col));
	}
	fputc('\n', f);
	json_array_foreach(recs, i, rec) {
		json_array_foreach(cols, c, col) {
			if (c)
				fputc(',', f);
			json_t *v = json_object_get(rec, json_string_value(col));
			if (v && is_scalar(v))
				put_value(f, v);
		}
		fputc('\n', f);
	}
	int bad = ferror(f);
	fclose(f);
	json_decref(cols);
	if (bad) {
		free(buf);
		return NULL;
	}
	return buf;
}
