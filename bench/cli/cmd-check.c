/* cmd-check.c — `pfbench check [--json] [-o DIR] ...`: this host's
 * conformance (bench/kvm/check.h runs the checks). One line per check as it
 * finishes — "pass  <name>[: note]", "fail  <name>: <what differed>",
 * "skipped  <name>: <why>" — then a summary; --json prints the result set
 * instead and -o DIR writes DIR/check.json and DIR/check.csv (records:
 * name, result, reason). Exit 1 if any check failed, 4 if every check was
 * skipped (nothing could be checked), else 0. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "cmd-filter.h"
#include "cmds.h"
#include "out.h"
#include "util.h"

#define DEFAULT_NDIFF 2000
#define DEFAULT_SEED 0x9E3779B97F4A7C15ull
#define DEFAULT_LOOPS 1000

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench check [--json] [-o DIR] [--count N] [--seed S] [--loops N]\n"
		"                     [--timeout-ms MS] [--assume-vpmu] [--filter FILE]...\n\n"
		"Checks that this host's KVM PMU event filter behaves as documented and prints\n"
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
		"                      that reads 0 is skipped: it may not occur)\n\n"
		"  --json          print the result set (JSON) instead of the lines\n"
		"  -o, --output DIR  also write DIR/check.json and DIR/check.csv\n"
		"  --count N       random filters in ioctl/differential (default %d)\n"
		"  --seed S        their seed (default 0x%llx)\n"
		"  --loops N       workload iterations the guest counts over (default %d)\n"
		"  --timeout-ms MS watchdog for each guest run (default 10000)\n"
		"  --assume-vpmu   run count/* even when KVM reports no vPMU (to debug the\n"
		"                  harness: on such a host they fail)\n"
		"  --filter FILE   also check FILE (.pmuf, QEMU .json, kvm-raw .bin, or a\n"
		"                  pattern such as 'icl::MEM_*'); repeatable, up to 16\n"
		"  -h, --help      this text\n\n"
		"exit status: 0 no check failed (skips allowed), 1 a check failed, 2 usage,\n"
		"4 every check skipped (no /dev/kvm or no filter ioctl)\n",
		DEFAULT_NDIFF, (unsigned long long)DEFAULT_SEED, DEFAULT_LOOPS);
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

static unsigned long long parse_num(const char *opt, const char *s, unsigned long long lo,
				    unsigned long long hi)
{
	return util_parse_range("check", opt, s, lo, hi);
}

int cmd_check(int argc, char **argv)
{
	enum { O_JSON = 256, O_COUNT, O_SEED, O_LOOPS, O_TIMEOUT, O_ASSUME, O_FILTER };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "output", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, O_COUNT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "loops", required_argument, NULL, O_LOOPS },
		{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
		{ "assume-vpmu", no_argument, NULL, O_ASSUME },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_opts o = { .ndiff = DEFAULT_NDIFF, .seed = DEFAULT_SEED,
				.timeout_ms = 10000, .workload_loops = DEFAULT_LOOPS };
	bool json = false;
	const char *dir = NULL;
	static struct user_filter ufs[USER_FILTER_MAX];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON:
			json = true;
			break;
		case 'o':
			dir = optarg;
			break;
		case O_COUNT:
			o.ndiff = (unsigned)parse_num("--count", optarg, 0, 10000000);
			break;
		case O_SEED:
			o.seed = parse_num("--seed", optarg, 0, ~0ull);
			break;
		case O_LOOPS:
			o.workload_loops = (unsigned)parse_num("--loops", optarg, 1, 100000000);
			break;
		case O_TIMEOUT:
			o.timeout_ms = (unsigned)parse_num("--timeout-ms", optarg, 1, 3600000);
			break;
		case O_ASSUME:
			o.assume_vpmu = true;
			break;
		case O_FILTER:
			if (o.nfilters == USER_FILTER_MAX)
				die_usage_help(usage, "check: more than %d --filter files", USER_FILTER_MAX);
			cmd_filter_user_load(optarg, &ufs[o.nfilters++]);
			o.filters = ufs;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			if (optopt == 'o')
				die_usage_help(usage, "check: option '-o' needs an argument");
			die_usage_help(usage, "check: unknown option or missing argument: '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage_help(usage, "check: unexpected argument '%s'", argv[optind]);

	json_t *ctx = out_context(argc, argv, NULL);
	json_t *set = ctx ? out_set_new("check", ctx) : NULL;
	if (!set)
		die("check: out of memory");
	json_object_set_new(set, "key_columns", json_pack("[s]", "name"));
	struct sink sink = { .lines = !json, .set = set };
	struct check_run run = { .o = &o, .report = report, .arg = &sink };
	check_probe(&run);
	json_object_set_new(ctx, "check", host_json(&run.h, &o));
	json_object_set_new(json_object_get(ctx, "check"), "filters", user_filters_json(ufs, o.nfilters));
	check_all(&run);
	check_close(&run);

	unsigned np = run.n[CHECK_PASS], nf = run.n[CHECK_FAIL], ns = run.n[CHECK_SKIP];
	int status = nf ? EXIT_FAIL : np ? EXIT_OK : EXIT_SKIP;
	if (status == EXIT_SKIP)
		out_set_skip(set, "check", run.h.kvm_fd < 0 && run.h.kvm_why[0] ? run.h.kvm_why
										  : "every check skipped");
	out_set_complete(set, true);
	if (dir)
		util_write_set(set, dir);
	FILE *sum = json ? stderr : stdout;
	fprintf(sum, "%u checks: %u passed, %u failed, %u skipped%s\n", np + nf + ns, np, nf, ns,
		status == EXIT_SKIP ? " (nothing could be checked)" : "");
	if (json) {
		if (json_dumpf(set, stdout, JSON_INDENT(2)) < 0)
			die("check: writing JSON to stdout failed");
		putchar('\n');
	}
	json_decref(set);
	for (size_t i = 0; i < o.nfilters; i++)
		pmuf_free(&ufs[i].f);
	if (fflush(stdout) != 0)
		die_errno("check: writing to stdout", errno);
	return status;
}
