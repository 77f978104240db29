/* cmd-install.c — `pfbench install [--quick] [-o DIR] ...`: the latency of
 * KVM_SET_PMU_EVENT_FILTER by filter size, encoding and vCPUs, and its
 * error paths (bench/kvm/install-bench.c measures). Writes DIR/install.json
 * and DIR/install.csv, or prints a table without -o. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd-filter.h"
#include "cmds.h"
#include "install-bench.h"
#include "kvm-compat.h"
#include "out.h"
#include "progress.h"
#include "topology.h"
#include "util.h"
#include "vm.h"

static const unsigned default_sizes[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300 };
static const unsigned quick_vcpus[] = { 0, 1, 4 };
static const unsigned full_vcpus[] = { 0, 1, 2, 4, 8 };

#define QUICK_SAMPLES 100
#define QUICK_WARMUP 10
#define FULL_SAMPLES 2000
#define FULL_WARMUP 100
#define MAX_SAMPLES 1000000u

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench install [--quick] [-o DIR] [-n N] [--warmup N] [--sizes LIST]\n"
		"                       [--vcpus LIST] [--no-in-guest] [--cpu N] [--raw]\n"
		"                       [--timeout-ms MS] [--no-fifo] [--filter FILE]...\n\n"
		"Times KVM_SET_PMU_EVENT_FILTER (one ioctl per sample, serialized TSC, timer\n"
		"overhead subtracted) for filters of each size and encoding (exact, masked;\n"
		"action allow), on VMs with each number of vCPUs in LIST (every vCPU has run a\n"
		"trivial guest command first and sits outside KVM_RUN), and with one vCPU held\n"
		"inside the guest by a second thread so every install must kick it. The error\n"
		"paths are timed the same way: nevents 301 (E2BIG), action 2, flags 2 and a\n"
		"masked entry with stray bit 16 (EINVAL). Each configuration: warm-up, then N\n"
		"samples; median, p90, p99, min, max, MAD, CV and a bootstrap CI in ns and TSC\n"
		"ticks (*_cycles: TSC ticks, not core clock cycles).\n\n"
		"  --quick           100 samples, 10 warm-up, vCPUs 0,1,4 (seconds on a quiet host)\n"
		"                    (default: 2000 samples, 100 warm-up, vCPUs 0,1,2,4,8)\n"
		"  -o, --output DIR  write DIR/install.json and DIR/install.csv (else a table)\n"
		"  -n, --samples N   timed ioctls per configuration\n"
		"  --warmup N        untimed ioctls first\n"
		"  --sizes LIST      filter sizes, comma-separated, each 0..300\n"
		"                    (default 0,1,2,4,8,16,32,64,128,256,300)\n"
		"  --vcpus LIST      vCPU counts, comma-separated, each 0..%d\n"
		"  --no-in-guest     skip the configuration with a vCPU held in the guest\n"
		"  --cpu N           pin the measuring thread to core N (default: the last;\n"
		"                    the held vCPU's thread takes another; recorded as\n"
		"                    context.binding). --core N is an alias\n"
		"  --raw             keep every sample (samples_ns) in the records\n"
		"  --timeout-ms MS   watchdog for each guest run (default 10000)\n"
		"  --no-fifo         measure with the normal scheduling policy. By default the\n"
		"                    measuring thread runs SCHED_FIFO when allowed (root): the\n"
		"                    ioctl sleeps in an SRCU grace period, and on a busy host a\n"
		"                    normal thread may then wait out other tasks' time slices\n"
		"                    (context.install.sched says which policy was used)\n"
		"  --filter FILE     also time installing FILE as it is (case \"user\"; any\n"
		"                    format the filter commands read: .pmuf, QEMU .json,\n"
		"                    kvm-raw .bin, or a pattern such as 'icl::MEM_*');\n"
		"                    repeatable (up to 16). Its records carry \"filter\" (the\n"
		"                    file name) and \"filter_hash\" (of its bytes), and the\n"
		"                    kernel's answer, whatever it is\n"
		"  -h, --help        this text\n\n"
		"exit status: 0 ok (configurations this host cannot run are listed as\n"
		"skipped), 1 failure, 2 usage, 4 skipped (no /dev/kvm or no filter ioctl)\n",
		VM_MAX_VCPUS);
}

static unsigned parse_num(const char *opt, const char *s, unsigned lo, unsigned hi)
{
	return (unsigned)util_parse_range("install", opt, s, lo, hi);
}

/* "a,b,c" into out[max]; each in lo..hi. Returns the count. */
static size_t parse_list(const char *opt, const char *s, unsigned *out, size_t max, unsigned lo,
			 unsigned hi)
{
	size_t n = 0;
	const char *p = s;
	if (!*s)
		die_usage("install: %s: empty list", opt);
	for (;;) {
		size_t len = strcspn(p, ",");
		char item[32];
		if (len == 0 || len >= sizeof(item))
			die_usage("install: %s: bad item at column %zu of '%s' (expected a number)",
				  opt, (size_t)(p - s) + 1, s);
		if (n == max)
			die_usage("install: %s: more than %zu items", opt, max);
		memcpy(item, p, len);
		item[len] = '\0';
		out[n++] = parse_num(opt, item, lo, hi);
		if (!p[len])
			break;
		p += len + 1;
	}
	return n;
}

static void print_table(const json_t *set)
{
	size_t i;
	json_t *r;
	printf("# KVM_SET_PMU_EVENT_FILTER latency (ns, TSC overhead subtracted)\n");
	printf("# %-20s %-7s %5s %6s %-9s %-7s %10s %10s %10s %8s  %s\n", "case", "enc", "size",
	       "vcpus", "state", "path", "median", "p90", "p99", "samples", "filter");
	json_array_foreach(json_object_get(set, "records"), i, r) {
		printf("  %-20s %-7s %5lld %6lld %-9s %-7s %10.0f %10.0f %10.0f %8lld  %s\n",
		       json_string_value(json_object_get(r, "case")),
		       json_string_value(json_object_get(r, "encoding")),
		       json_integer_value(json_object_get(r, "size")),
		       json_integer_value(json_object_get(r, "vcpus")),
		       json_string_value(json_object_get(r, "vcpu_state")),
		       json_string_value(json_object_get(r, "path")),
		       json_number_value(json_object_get(r, "median_ns")),
		       json_number_value(json_object_get(r, "p90_ns")),
		       json_number_value(json_object_get(r, "p99_ns")),
		       json_integer_value(json_object_get(r, "samples")),
		       json_is_string(json_object_get(r, "filter")) ?
			       json_string_value(json_object_get(r, "filter")) : "");
	}
	json_array_foreach(json_object_get(set, "skipped"), i, r)
		printf("# skipped: %s: %s\n", json_string_value(json_object_get(r, "what")),
		       json_string_value(json_object_get(r, "why")));
}

static json_t *params_json(const struct install_opts *o)
{
	json_t *p = json_object(), *sz = json_array(), *vc = json_array();
	for (size_t i = 0; i < o->nsizes; i++)
		json_array_append_new(sz, json_integer(o->sizes[i]));
	for (size_t i = 0; i < o->nvcpus; i++)
		json_array_append_new(vc, json_integer(o->vcpus[i]));
	json_object_set_new(p, "samples", json_integer(o->samples));
	json_object_set_new(p, "warmup", json_integer(o->warmup));
	json_object_set_new(p, "sizes", sz);
	json_object_set_new(p, "vcpus", vc);
	json_object_set_new(p, "in_guest", json_boolean(o->in_guest));
	json_object_set_new(p, "timeout_ms", json_integer(o->timeout_ms));
	return p;
}

/* The 1-minute load average: the ioctl sleeps (an SRCU grace period), so
 * on a busy host a sample can include another task's time slice. */
static json_t *loadavg_json(void)
{
	double l[1];
	return getloadavg(l, 1) == 1 ? json_real(l[0]) : json_null();
}

/* SCHED_FIFO at a low real-time priority for the measuring thread (it
 * sleeps in every ioctl, and guest runs are bounded by the watchdog).
 * Returns what the context records: "fifo:N", "other" (--no-fifo) or
 * "other (SCHED_FIFO refused: why)". */
static const char *set_sched(bool fifo)
{
	static char buf[96];
	if (!fifo)
		return "other";
	struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) + 9 };
	int r = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (r) {
		snprintf(buf, sizeof(buf), "other (SCHED_FIFO refused: %s)", strerror(r));
		debug("install: %s", buf);
		return buf;
	}
	snprintf(buf, sizeof(buf), "fifo:%d", sp.sched_priority);
	return buf;
}

int cmd_install(int argc, char **argv)
{
	enum { O_WARMUP = 256, O_SIZES, O_VCPUS, O_NO_IN_GUEST, O_CORE, O_RAW, O_TIMEOUT, O_FIFO, O_CPU, O_FILTER };
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "output", required_argument, NULL, 'o' },
		{ "samples", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "no-in-guest", no_argument, NULL, O_NO_IN_GUEST },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "core", required_argument, NULL, O_CORE },
		{ "raw", no_argument, NULL, O_RAW },
		{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
		{ "no-fifo", no_argument, NULL, O_FIFO },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static unsigned sizes[INSTALL_MAX_SIZES], vcpus[INSTALL_MAX_VCPU_CONFIGS];
	static struct user_filter ufs[USER_FILTER_MAX];
	struct install_opts o = { .in_guest = true, .timeout_ms = 10000 };
	bool quick = false, fifo = true;
	long samples = -1, warmup = -1;
	int core = -1;
	const char *dir = NULL, *sizes_arg = NULL, *vcpus_arg = NULL;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+qo:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = true;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'n':
			samples = parse_num("--samples", optarg, 1, MAX_SAMPLES);
			break;
		case O_WARMUP:
			warmup = parse_num("--warmup", optarg, 0, MAX_SAMPLES);
			break;
		case O_SIZES:
			sizes_arg = optarg;
			break;
		case O_VCPUS:
			vcpus_arg = optarg;
			break;
		case O_NO_IN_GUEST:
			o.in_guest = false;
			break;
		case O_CORE:
			core = (int)parse_num("--core", optarg, 0, 4095);
			break;
		case O_CPU:
			core = (int)parse_num("--cpu", optarg, 0, 4095);
			break;
		case O_RAW:
			o.raw = true;
			break;
		case O_TIMEOUT:
			o.timeout_ms = parse_num("--timeout-ms", optarg, 1, 3600000);
			break;
		case O_FIFO:
			fifo = false;
			break;
		case O_FILTER:
			if (o.nfilters == USER_FILTER_MAX)
				die_usage_help(usage, "install: more than %d --filter files", USER_FILTER_MAX);
			cmd_filter_user_load(optarg, &ufs[o.nfilters++]);
			o.filters = ufs;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			if (optopt && optopt != '?' && strchr("on", optopt))
				die_usage_help(usage, "install: option '-%c' needs an argument", optopt);
			die_usage_help(usage, "install: unknown option or missing argument: '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage_help(usage, "install: unexpected argument '%s'", argv[optind]);
	o.samples = samples >= 0 ? (unsigned)samples : quick ? QUICK_SAMPLES : FULL_SAMPLES;
	o.warmup = warmup >= 0 ? (unsigned)warmup : quick ? QUICK_WARMUP : FULL_WARMUP;
	if (sizes_arg) {
		o.nsizes = parse_list("--sizes", sizes_arg, sizes, INSTALL_MAX_SIZES, 0,
				      PMUF_KVM_MAX_EVENTS);
		o.sizes = sizes;
	} else {
		o.sizes = default_sizes;
		o.nsizes = sizeof(default_sizes) / sizeof(default_sizes[0]);
	}
	if (vcpus_arg) {
		o.nvcpus = parse_list("--vcpus", vcpus_arg, vcpus, INSTALL_MAX_VCPU_CONFIGS, 0,
				      VM_MAX_VCPUS);
		o.vcpus = vcpus;
	} else {
		o.vcpus = quick ? quick_vcpus : full_vcpus;
		o.nvcpus = quick ? sizeof(quick_vcpus) / sizeof(quick_vcpus[0])
				 : sizeof(full_vcpus) / sizeof(full_vcpus[0]);
	}

	/* Pin the measuring thread; the held vCPU's thread gets another core. */
	json_t *binding = NULL;
	int ncores = topo_ncores();
	int mycore = core >= 0 ? core : ncores - 1;
	if (mycore >= ncores)
		die_usage_help(usage, "install: --cpu %d: this host has %d cores (0..%d)", core, ncores,
			       ncores - 1);
	int r = pin_thread(mycore, &binding);
	if (r < 0)
		warn("install: cannot pin to core %d (%s); measuring unpinned", mycore, strerror(-r));
	o.guest_core = mycore == 0 ? (ncores > 1 ? 1 : 0) : 0;
	const char *sched = set_sched(fifo);

	struct tsc_calib cal;
	r = tsc_calibrate(&cal);
	if (r < 0)
		die_errno("install: TSC calibration", r);
	json_t *ctx = out_context(argc, argv, &cal);
	if (!ctx)
		die("install: out of memory");
	json_object_set_new(ctx, "binding", binding ? binding : json_null());
	json_object_set_new(ctx, "install", params_json(&o));
	json_object_set_new(json_object_get(ctx, "install"), "sched", json_string(sched));
	json_object_set_new(json_object_get(ctx, "install"), "filters", user_filters_json(ufs, o.nfilters));
	json_t *set = out_set_new("install", ctx);
	if (!set)
		die("install: out of memory");
	json_object_set_new(set, "key_columns",
			    json_pack("[s,s,s,s,s,s,s,s,s,s,s]", "case", "filter", "filter_hash", "path", "errno", "encoding",
				      "size", "action", "flags", "vcpus", "vcpu_state"));

	util_timer_info("install", set);
	struct progress pg;
	char why[320] = "";
	json_t *params = json_object_get(ctx, "install");
	json_object_set_new(params, "loadavg_1min_before", loadavg_json());
	progress_begin(&pg, "install", install_bench_steps(&o));
	r = install_bench(&o, &cal, set, &pg, why, sizeof(why));
	progress_end(&pg);
	json_object_set_new(params, "loadavg_1min_after", loadavg_json());
	int status = EXIT_OK;
	if (r < 0) {
		out_set_skip(set, "install", why);
		fprintf(stderr, "pfbench install: skipped: %s\n", why);
		status = EXIT_SKIP;
	} else {
		out_set_complete(set, true);
	}
	util_noisy_info("install", set);
	if (dir) {
		util_write_set(set, dir);
		if (status == EXIT_OK)
			info("install: %zu records in %s/install.json and install.csv",
			     json_array_size(json_object_get(set, "records")), dir);
	} else if (status == EXIT_OK) {
		print_table(set);
	}
	json_decref(set);
	for (size_t i = 0; i < o.nfilters; i++)
		pmuf_free(&ufs[i].f);
	if (fflush(stdout) != 0)
		die_errno("install: writing to stdout", errno);
	return status;
}
