/* cmd-check.c — `pfbench check [--json] [-o DIR] ...`: this host's
 * conformance (bench/kvm/check.h runs the checks). One line per check as it
 * finishes — "pass  <name>[: note]", "fail  <name>: <what differed>",
 * "skipped  <name>: <why>" — then a summary; --json prints the result set
 * instead and -o DIR writes DIR/check.json and DIR/check.csv (records:
 * name, result, reason). Exit 1 if any check failed, 4 if every check was
 * skipped (nothing could be checked), else 0. SIGINT/SIGTERM (stop.h) end
 * the run at the next check: the verdicts finished are printed and written,
 * marked incomplete, and the exit status is 128 + the signal. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "cmd-filter.h"
#include "cmds.h"
#include "options.h"
#include "topology.h"
#include "out.h"
#include "stop.h"
#include "util.h"

#define DEFAULT_NDIFF 2000
#define DEFAULT_SEED 0x9E3779B97F4A7C15ull
#define DEFAULT_LOOPS 1000

static const struct opt_doc doc = {
	.cmd = "check",
	.synopsis = "[--json] [-o DIR] [options]",
	.about = "Checks that this host's KVM PMU event filter behaves as documented and prints\n"
		"one line per check: 'pass  NAME', 'fail  NAME: what differed' or\n"
		"'skipped  NAME: why' (a pass may carry a note), then a summary.\n"
		"  caps/*              the KVM capabilities agree with what the ioctls do\n"
		"  flavor              the event-select width KVM validates with (8-bit Intel,\n"
		"                      12-bit AMD) against the CPU vendor; a difference is a note\n"
		"  ioctl/*             the documented validation cases (action 2, flags 2,\n"
		"                      nevents 300/301, pad, masked stray bits 16/54, bits 32-35\n"
		"                      per flavor, ~0 unmasked/masked, the largest masked\n"
		"                      encoding, fixed bitmap beyond the counters, EFAULT): the\n"
		"                      kernel and the library's validation, each against the\n"
		"                      documented answer\n"
		"  ioctl/differential  the library's validation against the kernel over N random\n"
		"                      filters\n"
		"  count/*             with a vPMU: events counted in a guest under filters\n"
		"                      (member/non-member allow/deny, masked entries, the\n"
		"                      fixed-counter bitmap); skipped without one\n"
		"  user/NAME/*         per --filter FILE: install (the kernel's answer on a\n"
		"                      scratch VM agrees with the library's), and with a vPMU\n"
		"                      count/first-entry and count/unnamed-select (the event of\n"
		"                      its first entry and one of a select no entry names count\n"
		"                      exactly when the filter allows them; an allowed event\n"
		"                      that reads 0 is skipped: it may not occur)\n\n",
	.status = "exit status: 0 no check failed (skips allowed), 1 a check failed, 2 usage,\n"
		  "4 every check skipped (no /dev/kvm or no filter ioctl), 128+N stopped by\n"
		  "signal N (SIGINT, SIGTERM: the checks finished are kept, marked incomplete)",
};

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct bench_opts_spec spec = {
	.which = BOPT_BENCH | BOPT_TIMEOUT | BOPT_FILTER,
	.quick_help = "200 random filters in ioctl/differential (default " STR(DEFAULT_NDIFF) ")",
	.output_help = "also write DIR/check.json and DIR/check.csv",
	.cpu_help = "pin the checking thread (and the vCPUs it runs) to core N\n"
		    "(default: not pinned)",
	.samples_max = 10000000,
	.samples_zero_ok = true,
	.samples_help = "random filters sampled in ioctl/differential\n"
			"(default " STR(DEFAULT_NDIFF) "; --quick 200)",
	.samples_alias = "count",
	.seed_help = "their seed (default 0x9e3779b97f4a7c15)",
	.timeout_min = 1,
	.timeout_help = "watchdog for each guest run (default 10000)",
	.filter_help = "also check FILE (.pmuf, QEMU .json, kvm-raw .bin, or a\n"
		       "pattern such as 'icl::MEM_*'); repeatable, up to 16",
};

/* Everything check's command line sets. */
struct check_cli {
	struct bench_opts b;
	bool json, assume_vpmu;
	unsigned long long loops;
};

static void parse(struct check_cli *c, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_FLAG(0, "json", &c->json, "print the result set (JSON) instead of the lines"),
		OPT_PARENT(bench_opts_table(&c->b, &spec)),
		OPT_UINT(0, "loops", "N", &c->loops, NULL, 1, 100000000,
			 "workload iterations the guest counts over (default " STR(DEFAULT_LOOPS) ")"),
		OPT_FLAG(0, "assume-vpmu", &c->assume_vpmu,
			 "run count/* even when KVM reports no vPMU (to debug the\n"
			 "harness: on such a host they fail)"),
		OPT_END(),
	};
	int i = opts_parse(&doc, opts, argc, argv);
	if (i < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[i]);
	bench_opts_apply(&c->b);
}

static void to_opts(const struct check_cli *c, struct check_opts *o)
{
	*o = (struct check_opts){
		.ndiff = c->b.samples_given ? (unsigned)c->b.samples : c->b.quick ? 200 : DEFAULT_NDIFF,
		.seed = c->b.seed_given ? c->b.seed : DEFAULT_SEED,
		.timeout_ms = c->b.timeout_given ? (unsigned)c->b.timeout_ms : 10000,
		.workload_loops = (unsigned)c->loops,
		.assume_vpmu = c->assume_vpmu,
	};
}

struct sink {
	bool lines;
	json_t *set;
};

static void report(void *arg, const char *name, enum check_result r, const char *reason)
{
	struct sink *s = arg;
	if (s->lines) {
		if (reason && *reason)
			printf("%s  %s: %s\n", check_result_name(r), name, reason);
		else
			printf("%s  %s\n", check_result_name(r), name);
		fflush(stdout);
	}
	json_t *rec = json_object();
	json_object_set_new(rec, "name", json_string(name));
	json_object_set_new(rec, "result", json_string(check_result_name(r)));
	json_object_set_new(rec, "reason", json_string(reason ? reason : ""));
	out_set_add(s->set, rec);
}

static json_t *host_json(const struct check_host *h, const struct check_opts *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "kvm_usable", json_boolean(h->kvm_fd >= 0));
	json_object_set_new(j, "cpu_vendor", json_string(h->cpu_vendor));
	json_object_set_new(j, "flavor", h->flavor != PMUF_FLAVOR_UNSET
						 ? json_string(pmuf_flavor_name(h->flavor))
						 : json_null());
	json_object_set_new(j, "vpmu", json_boolean(h->vpmu.present));
	json_object_set_new(j, "counting", json_boolean(h->run_counting));
	json_object_set_new(j, "counting_why", json_string(h->run_counting ? "" : h->no_vpmu));
	json_object_set_new(j, "differential_filters", json_integer(o->ndiff));
	char seed[32];
	snprintf(seed, sizeof(seed), "0x%llx", (unsigned long long)o->seed);
	json_object_set_new(j, "seed", json_string(seed));
	json_object_set_new(j, "workload_loops", json_integer(o->workload_loops));
	json_object_set_new(j, "assume_vpmu", json_boolean(o->assume_vpmu));
	return j;
}

/* Marks the set, writes it (-o) and prints the summary (and the set with
 * --json); returns the exit status. After a signal (stop.h) the verdicts
 * finished are kept, marked incomplete, and the status is 128 + it. */
static int finish(const struct check_run *run, json_t *set, const char *dir, bool json)
{
	unsigned np = run->n[CHECK_PASS], nf = run->n[CHECK_FAIL], ns = run->n[CHECK_SKIP];
	int sig = stop_signal();
	int status = nf ? EXIT_FAIL : np ? EXIT_OK : EXIT_SKIP; /* after a signal: below */
	if (sig) {
		stop_mark_set(set);
	} else {
		if (status == EXIT_SKIP)
			out_set_skip(set, "check", run->h.kvm_fd < 0 && run->h.kvm_why[0]
							   ? run->h.kvm_why
							   : "every check skipped");
		out_set_complete(set, true);
	}
	if (dir)
		util_write_set(set, dir);
	FILE *sum = json ? stderr : stdout;
	fprintf(sum, "%u checks: %u passed, %u failed, %u skipped%s\n", np + nf + ns, np, nf, ns,
		sig ? " (interrupted: the rest did not run)"
		: status == EXIT_SKIP ? " (nothing could be checked)" : "");
	if (json) {
		if (json_dumpf(set, stdout, JSON_INDENT(2)) < 0)
			die("check: writing JSON to stdout failed");
		putchar('\n');
	}
	if (sig) {
		char kept[PATH_MAX + 96];
		snprintf(kept, sizeof(kept), "the %u checks finished so far are kept%s%s%s",
			 np + nf + ns, dir ? " in " : "", dir ? dir : "",
			 dir ? "/check.json and check.csv" : "");
		status = util_stopped("check", kept);
	}
	return status;
}

int cmd_check(int argc, char **argv)
{
	struct check_cli cli = { .loops = DEFAULT_LOOPS };
	struct check_opts o;
	parse(&cli, argc, argv);
	to_opts(&cli, &o);
	static struct user_filter ufs[USER_FILTER_MAX];
	o.nfilters = cmd_filter_user_load_all("check", &cli.b.filters, ufs);
	o.filters = ufs;
	bool json = cli.json;
	const char *dir = cli.b.output;
	if (dir)
		util_check_out_dir("check", dir); /* before measuring: the path named */
	stop_install(); /* a Ctrl-C keeps the finished verdicts (stop.h) */
	json_t *binding = NULL;
	if (cli.b.cpu_given) {
		int r = pin_thread((int)cli.b.cpu, &binding);
		if (r < 0)
			warn("check: cannot pin to core %llu (%s); running unpinned", cli.b.cpu,
			     strerror(-r));
	}

	json_t *ctx = out_context(argc, argv, NULL);
	if (ctx && binding)
		json_object_set_new(ctx, "binding", binding);
	json_t *set = ctx ? out_set_new(&check_schema, ctx) : NULL;
	if (!set)
		die("check: out of memory");
	struct sink sink = { .lines = !json, .set = set };
	struct check_run run = { .o = &o, .report = report, .arg = &sink };
	check_probe(&run);
	json_object_set_new(ctx, "check", host_json(&run.h, &o));
	json_object_set_new(json_object_get(ctx, "check"), "filters", user_filters_json(ufs, o.nfilters));
	check_all(&run);
	check_close(&run);
	int status = finish(&run, set, dir, json);
	json_decref(set);
	for (size_t i = 0; i < o.nfilters; i++)
		pmuf_free(&ufs[i].f);
	if (fflush(stdout) != 0)
		die_errno("check: writing to stdout", errno);
	return status;
}
