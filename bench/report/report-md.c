/* report-md.c — see report-md.h. */
#include "report-md.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rset.h"
#include "student-t.h"

json_t *rmd_path(const json_t *o, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = (json_t *)o;
	for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur;
	     t = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, t);
	return cur;
}

const char *rmd_str(const json_t *o, const char *path)
{
	return json_string_value(rmd_path(o, path));
}

bool rmd_is_str(const json_t *v, const char *want)
{
	const char *s = json_string_value(v);
	return s && want && !strcmp(s, want);
}

void rmd_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

struct rmd_unit rmd_unit_for(double max_ns)
{
	if (max_ns >= 1e7)
		return (struct rmd_unit){ "ms", 1e6 };
	if (max_ns >= 1e4)
		return (struct rmd_unit){ "µs", 1e3 };
	return (struct rmd_unit){ "ns", 1 };
}

const char *rmd_fmt(double ns, struct rmd_unit u, char *buf, size_t len)
{
	if (!isfinite(ns)) {
		snprintf(buf, len, "-");
		return buf;
	}
	double v = ns / u.ns, a = fabs(v);
	if (a >= 100 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

const char *rmd_fmt_ci(const json_t *rec, char *buf, size_t len)
{
	return rmd_fmt_ci_u(rec, rmd_unit_for(rset_median(rec)), buf, len);
}

const char *rmd_fmt_ci_u(const json_t *rec, struct rmd_unit u, char *buf, size_t len)
{
	double m = rset_median(rec);
	double lo, hi;
	rset_ci(rec, &lo, &hi);
	char a[32], b[32], c[32];
	if (isfinite(lo) && isfinite(hi))
		snprintf(buf, len, "%s %s (95%% CI %s–%s)", rmd_fmt(m, u, a, sizeof(a)), u.name,
			 rmd_fmt(lo, u, b, sizeof(b)), rmd_fmt(hi, u, c, sizeof(c)));
	else
		snprintf(buf, len, "%s %s", rmd_fmt(m, u, a, sizeof(a)), u.name);
	return buf;
}

/* ---- lookup ---- */

static bool str_is(const json_t *r, const char *field, const char *want)
{
	const char *v = json_string_value(json_object_get(r, field));
	return want && v && !strcmp(v, want);
}

/* The first value of field among records that have one and pass the
 * fixed fields so far, preferring want. */
static const char *pick(const json_t *records, const char *field, const char *want,
			const struct rmd_lookup *s)
{
	const char *first = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if ((s->mode && !str_is(r, "mode", s->mode)) ||
		    (s->enc && !str_is(r, "encoding_name", s->enc)))
			continue;
		const char *v = json_string_value(json_object_get(r, field));
		if (!v)
			continue;
		if (want && !strcmp(v, want))
			return v;
		if (!first)
			first = v;
	}
	return first;
}

bool rmd_lookup_in(const json_t *r, const struct rmd_lookup *s)
{
	return str_is(r, "mode", s->mode) && str_is(r, "encoding_name", s->enc) &&
	       str_is(r, "pattern", s->pattern) && str_is(r, "action", s->action) &&
	       (!s->shape || str_is(r, "filter_shape", s->shape)) &&
	       !isnan(rset_median(r));
}

bool rmd_lookup_pick(const json_t *records, const char *mode, const char *enc,
		     struct rmd_lookup *s)
{
	memset(s, 0, sizeof(*s));
	s->mode = pick(records, "mode", mode ? mode : "latency", s);
	if (!s->mode || (mode && strcmp(s->mode, mode)))
		return false;
	s->enc = pick(records, "encoding_name", enc ? enc : "exact", s);
	if (!s->enc || (enc && strcmp(s->enc, enc)))
		return false;
	s->pattern = pick(records, "pattern", "mixed", s);
	s->action = pick(records, "action", "allow", s);
	s->shape = pick(records, "filter_shape", "random", s);
	s->ref_size = -1;
	bool limit = false;
	const char *kref = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if (!rmd_lookup_in(r, s))
			continue;
		double size = rset_num(r, "size");
		if (size == 300)
			limit = true;
		if (size > s->ref_size && !json_is_true(json_object_get(r, "over_kernel_limit")))
			s->ref_size = size;
		const char *d = json_string_value(json_object_get(r, "design"));
		if (d && !strncmp(d, "floor", 5))
			s->floor = d;
		/* The kernel's current algorithm: the newest x86 replica (its
		 * reference a version; arm64's bitmap test says "arm64"), not a
		 * retpoline twin. */
		const char *ref = json_string_value(json_object_get(r, "reference"));
		if (d && json_is_true(json_object_get(r, "kernel_replica")) && !strstr(d, "-rp") &&
		    ref && ref[0] >= '0' && ref[0] <= '9' && (!kref || strverscmp(ref, kref) > 0)) {
			s->kernel = d;
			kref = ref;
		}
	}
	if (limit)
		s->ref_size = 300;
	return s->ref_size >= 0;
}

const json_t *rmd_lookup_rec(const json_t *records, const struct rmd_lookup *s,
			     const char *design, double size)
{
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if (rmd_lookup_in(r, s) && str_is(r, "design", design) && rset_num(r, "size") == size)
			return r;
	}
	return NULL;
}

const json_t *rmd_lookup_winner(const json_t *records, const struct rmd_lookup *s)
{
	const json_t *best = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		const char *d = json_string_value(json_object_get(r, "design"));
		if (!rmd_lookup_in(r, s) || rset_num(r, "size") != s->ref_size ||
		    (s->floor && d && !strcmp(d, s->floor)))
			continue;
		if (!best || rset_median(r) < rset_median(best))
			best = r;
	}
	return best;
}

void rmd_lookup_anchor(const struct rmd_lookup *s, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "lookup-%s-", s->mode);
	for (const char *c = s->enc; *c && o + 1 < len; c++)
		if (*c != '/')
			buf[o++] = *c;
	buf[o < len ? o : len - 1] = '\0';
}

/* ---- the exit slope ---- */

bool rmd_slope(const json_t *records, const char *x, double *slope, double *lo, double *hi,
	       size_t *n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t k = 0, i;
	json_t *r;
	json_array_foreach(records, i, r) {
		double xv = rset_num(r, x), yv = rset_median(r);
		if (isnan(xv) || isnan(yv))
			continue;
		sx += xv, sy += yv, sxx += xv * xv, sxy += xv * yv, k++;
	}
	*n = k;
	if (k < 3)
		return false;
	double mx = sx / k, my = sy / k, vxx = sxx - k * mx * mx;
	if (!(vxx > 0))
		return false;
	double b = (sxy - k * mx * my) / vxx, a = my - b * mx, rss = 0;
	json_array_foreach(records, i, r) {
		double xv = rset_num(r, x), yv = rset_median(r);
		if (isnan(xv) || isnan(yv))
			continue;
		rss += (yv - a - b * xv) * (yv - a - b * xv);
	}
	double se = sqrt(rss / (double)(k - 2) / vxx);
	*slope = b;
	*lo = b - student_t_quantile(0.975, (double)(k - 2)) * se;
	*hi = b + student_t_quantile(0.975, (double)(k - 2)) * se;
	return true;
}

/* ---- install's codes ---- */

const char *rmd_action_word(const json_t *v, char *buf, size_t len)
{
	if (!json_is_integer(v))
		return rset_scalar(v, buf, len);
	json_int_t a = json_integer_value(v);
	if (a == 0)
		snprintf(buf, len, "allow");
	else if (a == 1)
		snprintf(buf, len, "deny");
	else
		snprintf(buf, len, "invalid (%lld)", (long long)a);
	return buf;
}

const char *rmd_flags_word(const json_t *v, char *buf, size_t len)
{
	if (!json_is_integer(v))
		return rset_scalar(v, buf, len);
	json_int_t a = json_integer_value(v);
	if (a == 0)
		snprintf(buf, len, "none");
	else if (a == 1)
		snprintf(buf, len, "masked");
	else
		snprintf(buf, len, "invalid (%#llx)", (long long)a);
	return buf;
}

const char *rmd_vcpus_word(const json_t *rec, char *buf, size_t len)
{
	double n = rset_num(rec, "vcpus");
	const char *st = json_string_value(json_object_get(rec, "vcpu_state"));
	if (!(n > 0))
		snprintf(buf, len, "no vCPU");
	else
		snprintf(buf, len, "%.0f vCPU%s, %s", n, n > 1 ? "s" : "",
			 st && !strcmp(st, "in-guest") ? "one in guest code" : st ? st : "-");
	return buf;
}

const json_t *rmd_install_rec(const json_t *records, const char *enc, double size)
{
	const json_t *first = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if (!str_is(r, "case", "valid") || !str_is(r, "encoding", enc) ||
		    rset_num(r, "size") != size || !!isnan(rset_median(r)))
			continue;
		if (rset_num(r, "vcpus") == 1 && str_is(r, "vcpu_state", "idle"))
			return r;
		if (!first)
			first = r;
	}
	return first;
}

struct rmd_unit rmd_exit_unit(const json_t *records)
{
	double ymax = 0;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if (rmd_is_str(json_object_get(r, "group"), "reprogram"))
			ymax = fmax(ymax, rset_median(r));
	}
	return rmd_unit_for(ymax);
}
