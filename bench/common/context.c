/* context.c — the context block every result set carries (see out.h):
 * the host (hostinfo_json(), what `pfbench info --json` reports), how
 * pfbench was built and invoked, when, and the timer calibration. Kept
 * apart from out.c so the writers link without hostinfo. */
#include "out.h"
#include "emulated.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostinfo.h"

#ifndef PFBENCH_CC
#define PFBENCH_CC "unknown"
#endif
#ifndef PFBENCH_CFLAGS
#define PFBENCH_CFLAGS "unknown"
#endif
#ifndef PFBENCH_GIT_REV
#define PFBENCH_GIT_REV "unknown"
#endif

/* POSIX shell quoting: bare when only safe characters, else '...' with
 * each ' written as '\''. */
static void put_shell_word(FILE *f, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_./=:,+-@%";
	if (*s && strspn(s, safe) == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static json_t *command_line(int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return json_null();
	for (int i = 0; i < argc; i++) {
		if (i)
			fputc(' ', f);
		put_shell_word(f, argv[i] ? argv[i] : "");
	}
	fclose(f);
	json_t *v = json_string(buf);
	free(buf);
	return v ? v : json_null();
}

static json_t *date_utc(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

/* The calling thread's allowed CPUs as a list, e.g. "0-1" or "0,2-3". */
static json_t *affinity(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set))
		return json_null();
	char buf[256] = "";
	size_t off = 0;
	for (int c = 0; c < CPU_SETSIZE && off < sizeof(buf) - 16; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		int e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &set))
			e++;
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%d", off ? "," : "", c);
		if (e > c)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "-%d", e);
		c = e;
	}
	return json_string(buf);
}

json_t *out_calib_json(const struct tsc_calib *c)
{
	if (!c)
		return json_null();
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "source", json_string(c->source ? c->source : TSC_SOURCE));
	json_object_set_new(o, "method", c->method ? json_string(c->method) : json_null());
	out_set_real(o, "ticks_per_ns", c->ticks_per_ns);
	out_set_real(o, "uncertainty", c->uncertainty);
	out_set_real(o, "measured_ticks_per_ns", c->measured_ticks_per_ns);
	out_set_real(o, "measured_uncertainty", c->measured_uncertainty);
	out_set_real(o, "bracket_ticks", c->bracket_ticks);
	if (c->perf_time_mult) {
		json_object_set_new(o, "perf_time_mult", json_integer(c->perf_time_mult));
		json_object_set_new(o, "perf_time_shift", json_integer(c->perf_time_shift));
	} else {
		json_object_set_new(o, "perf_time_mult", json_null());
		json_object_set_new(o, "perf_time_shift", json_null());
	}
	if (c->kernel_source)
		out_set_real(o, "kernel_ticks_per_ns", c->kernel_ticks_per_ns);
	else
		json_object_set_new(o, "kernel_ticks_per_ns", json_null());
	json_object_set_new(o, "kernel_source", c->kernel_source ? json_string(c->kernel_source) : json_null());
	if (c->nominal_ticks_per_ns > 0)
		out_set_real(o, "nominal_ticks_per_ns", c->nominal_ticks_per_ns);
	else
		json_object_set_new(o, "nominal_ticks_per_ns", json_null());
	out_set_real(o, "spread", c->spread);
	json_object_set_new(o, "windows", json_integer(c->windows));
	out_set_real(o, "overhead_ticks", c->overhead_ticks);
	out_set_real(o, "overhead_min_ticks", c->overhead_min_ticks);
	out_set_real(o, "overhead_ns", c->overhead_ns);
	json_object_set_new(o, "invariant", c->invariant < 0 ? json_null() : json_boolean(c->invariant));
	json_object_set_new(o, "clocksource", c->clocksource[0] ? json_string(c->clocksource) : json_null());
	json_object_set_new(o, "cycles_unit",
			    json_string("constant-rate counter ticks (" TSC_SOURCE "), not core cycles"));
	return o;
}

json_t *out_context(int argc, char **argv, const struct tsc_calib *c)
{
	json_t *ctx = json_object();
	if (!ctx)
		return NULL;
	json_object_set_new(ctx, "pfbench",
			    json_pack("{s:s, s:s}", "version", PFBENCH_VERSION, "schema", OUT_SCHEMA));
	json_t *host = hostinfo_json();
	json_object_set_new(ctx, "host", host ? host : json_null());
	json_object_set_new(ctx, "compiler", json_string(PFBENCH_CC));
	json_object_set_new(ctx, "cflags", json_string(PFBENCH_CFLAGS));
	json_object_set_new(ctx, "git_rev", json_string(PFBENCH_GIT_REV));
	json_object_set_new(ctx, "command_line", command_line(argc, argv));
	json_t *av = json_array();
	for (int i = 0; av && i < argc; i++)
		json_array_append_new(av, json_string(argv[i] ? argv[i] : ""));
	json_object_set_new(ctx, "argv", av ? av : json_null());
	json_object_set_new(ctx, "date_utc", date_utc());
	json_object_set_new(ctx, "timer", out_calib_json(c));
	json_object_set_new(ctx, "affinity", affinity());
	const char *how, *em = host_emulated(&how);
	json_object_set_new(ctx, "emulated", em ? json_string(em) : json_null());
	json_object_set_new(ctx, "emulated_how", json_string(how));
	return ctx;
}
