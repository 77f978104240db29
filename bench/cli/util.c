/* util.c — see util.h. */
#include "util.h"
#include "stop.h"
#include "out-text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/utsname.h>

#include "klib.h"
#include "out.h"
#include "pmuf.h"

int util_verbose;
static const char *usage_ctx;

void util_usage_context(const char *ctx)
{
	usage_ctx = ctx;
}

/* A message to the terminal with its control characters shown as \xNN
 * (and \n, \t as themselves): messages echo input (a filter file's
 * bytes, an argument), which must not drive the terminal. */
static void put_escaped(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' || *p == '\t' || (*p >= 0x20 && *p != 0x7f))
			fputc(*p, out);
		else
			fprintf(out, "\\x%02x", *p);
	}
}

void util_vmsg(const char *lead, const char *fmt, va_list ap)
{
	char buf[4096];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fputs(lead, stderr);
	put_escaped(stderr, buf);
	fputc('\n', stderr);
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char lead[64];
	snprintf(lead, sizeof(lead), "pfbench: %s", prefix);
	util_vmsg(lead, fmt, ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(EXIT_FAIL);
}

void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (usage_ctx) {
		fprintf(stderr, "pfbench %s: ", usage_ctx);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vmsg("", fmt, ap);
	}
	va_end(ap);
	exit(EXIT_USAGE);
}

void die_errno(const char *what, int err)
{
	fputs("pfbench: ", stderr);
	put_escaped(stderr, what);
	fprintf(stderr, ": %s\n", strerror(err < 0 ? -err : err));
	exit(EXIT_FAIL);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;
	if (!util_verbose)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}

int util_parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	/* Decimal, or hex after 0x: never octal (strtoull's base 0 would read
	 * "010" as 8), and no sign or leading space. */
	bool hex = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	if (!s || !*digits || strpbrk(digits, "xX") ||
	    !(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
	if (*end) /* not a number at all, before whether it is too big */
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

void die_usage_help(void (*usage)(FILE *), const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	util_vmsg("pfbench ", fmt, ap);
	va_end(ap);
	usage(stderr);
	exit(EXIT_USAGE);
}

unsigned long long util_parse_range(const char *cmd, const char *opt, const char *s,
				    unsigned long long lo, unsigned long long hi)
{
	unsigned long long v;
	if (util_parse_u64(s, &v) || v < lo || v > hi)
		die_usage("%s%s%s: '%s' is not a number in %llu..%llu", cmd ? cmd : "", cmd ? ": " : "",
			  opt, s, lo, hi);
	return v;
}

void util_check_out_dir(const char *cmd, const char *dir)
{
	char why[PATH_MAX + 200];
	if (out_check_user_dir(dir, why, sizeof(why)))
		die_usage("%s: -o %s", cmd, why);
}

void util_write_set(const json_t *set, const char *dir)
{
	const char *bench = json_string_value(json_object_get(set, "bench"));
	char why[320];
	if (out_check_set(set, why, sizeof(why)) == -EPROTO)
		die("%s: a record does not follow its declared schema (a bug): %s", bench, why);
	int err = out_write_set(set, dir);
	if (err) {
		char what[160];
		snprintf(what, sizeof(what), "%s: writing %s.json/%s.csv", bench, bench, bench);
		die_errno(what, err);
	}
}

void util_timer_info(const char *cmd, const json_t *set)
{
	const json_t *t = json_object_get(json_object_get(set, "context"), "timer");
	if (!json_is_object(t))
		return;
	const char *method = json_string_value(json_object_get(t, "method"));
	const char *ksrc = json_string_value(json_object_get(t, "kernel_source"));
	double tpn = json_number_value(json_object_get(t, "ticks_per_ns"));
	double u = json_number_value(json_object_get(t, "uncertainty"));
	double k = json_number_value(json_object_get(t, "kernel_ticks_per_ns"));
	char unc[48] = "", kern[96] = "";
	if (method && !strcmp(method, "calibrated"))
		snprintf(unc, sizeof(unc), ", +-%.2g ppm", 1e6 * u);
	if (ksrc && strcmp(ksrc, "perf-mmap") && k > 0)
		snprintf(kern, sizeof(kern), "; kernel (%s) says %.6f", ksrc, k);
	info("%s: timer %s at %.6f ticks/ns (%s%s%s)", cmd,
	     json_string_value(json_object_get(t, "source")) ?: "?", tpn, method ?: "?", unc, kern);
	if (k > 0 && fabs(tpn - k) / k > 0.001)
		warn("%s: the timer's %.6f ticks/ns is %+.2f%% off the kernel's counter frequency "
		     "(%.6f, from %s): ns figures carry that error", cmd, tpn, 100 * (tpn - k) / k, k,
		     ksrc ?: "?");
}

void util_noisy_info(const char *cmd, const json_t *set)
{
	const json_t *recs = json_object_get(set, "records"), *r;
	size_t i, noisy = 0, kept = 0, bimodal = 0;
	const char *example = NULL;
	json_array_foreach(recs, i, r) {
		if (!json_is_true(json_object_get(r, "noisy")))
			continue;
		const char *why = json_string_value(json_object_get(r, "noisy_reason"));
		noisy++;
		kept += why && strstr(why, "disturbed");
		bimodal += why && strstr(why, "bimodal");
		example = example ? example : why;
	}
	if (!noisy)
		return;
	warn("%s: %zu of %zu records are noisy (%zu with disturbed samples kept after re-takes, "
	     "%zu bimodal; e.g. \"%s\"); see noisy_reason in the records. Measure on a quieter "
	     "machine to trust them.",
	     cmd, noisy, json_array_size(recs), kept, bimodal, example ? example : "?");
}

void util_kernel_option(const char *v, char *kernel, size_t len, const char **how, int *sort_gen)
{
	struct utsname u;
	unsigned major, minor;
	enum pmuf_kernel k;

	if (!v) {
		if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
			return;
		v = u.release;
		*how = "uname";
	} else {
		*how = "option";
	}
	if (pmuf_kernel_parse(v, &k) || sscanf(v, "%u.%u", &major, &minor) != 2)
		die_usage("--kernel: '%s' is not a kernel release with a PMU event filter "
			  "(5.3 or later, e.g. 6.18)",
			  v);
	snprintf(kernel, len, "%u.%u", major, minor);
	*sort_gen = (int)klib_sort_gen_of(major, minor);
}

int util_stopped(const char *cmd, const char *kept)
{
	info("%s: interrupted by %s: %s, marked incomplete", cmd, stop_signal_name(), kept);
	return 128 + stop_signal();
}
