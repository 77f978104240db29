/* compare-control.c — see compare.h: the control rows of a comparison.
 *
 * A set may declare control rows (schema.h, struct schema_control;
 * lookup's: design = floor-l1, per mode): records that time the harness
 * alone, the same code whatever the two runs compare. Between A and B
 * they can only move with the machine (its frequency, a neighbour on the
 * core, the host's scheduling), so the geometric mean of their B/A per
 * group, with its CI, says how large a difference the machine alone made
 * in that group. compare states it in its header and warns when it is
 * beyond the threshold; it changes no verdict. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rset.h"

const char *cmp_control_group(const json_t *set, const json_t *rec, const struct cmp_opts *o,
			      char *buf, size_t len)
{
	const json_t *c = json_object_get(set, "control");
	const char *col = json_string_value(json_object_get(c, "column"));
	const char *val = json_string_value(json_object_get(c, "value"));
	const char *by = json_string_value(json_object_get(c, "group_by"));
	/* --pair over the control's own column compares the control with
	 * something else: no control then. */
	if (!col || !val || (o && o->pair_col && !strcmp(o->pair_col, col)))
		return NULL;
	const char *v = json_string_value(json_object_get(rec, col));
	if (!v || strcmp(v, val))
		return NULL;
	const char *g = by ? json_string_value(json_object_get(rec, by)) : NULL;
	snprintf(buf, len, "%s", g ? g : "all");
	return buf;
}

/* The index of (bench, group) in c[0..n), or n. */
static size_t find(const struct cmp_control *c, size_t n, const char *bench, const char *group)
{
	size_t i = 0;
	while (i < n && (strcmp(c[i].bench, bench) || strcmp(c[i].group, group)))
		i++;
	return i;
}

size_t cmp_controls(const json_t *rows, const struct cmp_opts *o, struct cmp_control *out,
		    size_t max)
{
	size_t n = 0, i, k;
	json_t *row;
	/* The groups, in first-seen order. */
	json_array_foreach(rows, i, row) {
		const char *b = json_string_value(json_object_get(row, "bench"));
		const char *g = json_string_value(json_object_get(row, "control_group"));
		if (!b || !g || find(out, n, b, g) < n || n == max)
			continue;
		out[n] = (struct cmp_control){ .g = NAN, .lo = NAN, .hi = NAN };
		snprintf(out[n].bench, sizeof(out[n].bench), "%s", b);
		snprintf(out[n].group, sizeof(out[n].group), "%s", g);
		n++;
	}
	double *r = malloc((json_array_size(rows) + 1) * sizeof(*r));
	for (k = 0; r && k < n; k++) {
		size_t m = 0;
		json_array_foreach(rows, i, row) {
			const char *b = json_string_value(json_object_get(row, "bench"));
			const char *g = json_string_value(json_object_get(row, "control_group"));
			double v = json_real_value(json_object_get(row, "ratio"));
			if (b && g && !strcmp(b, out[k].bench) && !strcmp(g, out[k].group) && v > 0 &&
			    isfinite(v))
				r[m++] = v;
		}
		out[k].n = m;
		if (m && !cmp_geomean(r, m, o->iters ? o->iters : CMP_DEFAULT_ITERS, o->seed,
				      &out[k].g, &out[k].lo, &out[k].hi))
			out[k].verdict = cmp_verdict_of(out[k].lo, out[k].hi, o->threshold);
	}
	free(r);
	return n;
}

/* "lookup throughput: ×1.081 (95% CI 1.072–1.090, 40 cells)" */
static void group_text(FILE *f, const struct cmp_control *c)
{
	fprintf(f, "%s %s: ×%.3f", c->bench, c->group, c->g);
	if (isfinite(c->lo))
		fprintf(f, " (95%% CI %.3f–%.3f, %zu cells)", c->lo, c->hi, c->n);
	else
		fprintf(f, " (%zu cell%s, no CI)", c->n, c->n == 1 ? "" : "s");
}

size_t cmp_controls_moved(const struct cmp_control *c, size_t n, char *msg, size_t len)
{
	size_t moved = 0;
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	for (size_t i = 0; f && i < n; i++) {
		if (c[i].verdict != CMP_SIGNIFICANT)
			continue;
		fprintf(f, "%s", moved++ ? "; " : "");
		group_text(f, &c[i]);
	}
	if (f)
		fclose(f);
	if (len)
		snprintf(msg, len, "%s", buf ? buf : "");
	free(buf);
	return moved;
}

void cmp_controls_md(FILE *out, const struct cmp_control *c, size_t n, const json_t *sets,
		     double t)
{
	if (!n)
		return;
	const json_t *decl = NULL;
	size_t i;
	json_t *s;
	json_array_foreach(sets, i, s) if (!decl) decl = json_object_get(s, "control");
	fprintf(out, "- **Control rows** (`%s` = `%s`: %s), B/A: ",
		json_string_value(json_object_get(decl, "column")),
		json_string_value(json_object_get(decl, "value")),
		json_string_value(json_object_get(decl, "what")));
	for (i = 0; i < n; i++) {
		fprintf(out, "%s", i ? "; " : "");
		group_text(out, &c[i]);
	}
	char moved[512];
	if (cmp_controls_moved(c, n, moved, sizeof(moved)))
		fprintf(out, ".\n\n**Warning: the control moved beyond ±%g%%** — %s. The machine "
			     "ran the same code at another speed between A and B, so a difference of "
			     "that size in that group may be the machine's, not what was compared.\n",
			100 * t, moved);
	else
		fprintf(out, ": the machine ran the same code at the same speed within ±%g%%.\n",
			100 * t);
}

json_t *cmp_controls_json(const struct cmp_control *c, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *g = json_pack("{s:s, s:s, s:I}", "bench", c[i].bench, "group", c[i].group,
				      "cells", (json_int_t)c[i].n);
		if (isfinite(c[i].g))
			json_object_set_new(g, "ratio", json_real(c[i].g));
		if (isfinite(c[i].lo)) {
			json_object_set_new(g, "ci95_low", json_real(c[i].lo));
			json_object_set_new(g, "ci95_high", json_real(c[i].hi));
		}
		json_object_set_new(g, "verdict", json_string(cmp_verdict_name(c[i].verdict)));
		json_array_append_new(a, g);
	}
	return a;
}
