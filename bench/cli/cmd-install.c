/* cmd-install.c — `pfbench install [--quick] [-o DIR] ...`: the latency of
 * KVM_SET_PMU_EVENT_FILTER by filter size, encoding and vCPUs, and its
 * error paths (bench/kvm/install-bench.c measures). Writes DIR/install.json
 * and DIR/install.csv, or prints a table without -o. */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench-repeat.h"
#include "cmd-filter.h"
#include "cmds.h"
#include "options.h"
#include "install-bench.h"
#include "kvm-compat.h"
#include "order.h"
#include "out.h"
#include "progress.h"
#include "rset.h"
#include "stop.h"
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

static const struct opt_doc doc = {
	.cmd = "install",
	.synopsis = "[--quick] [-o DIR] [options]",
	.about =
		"Times KVM_SET_PMU_EVENT_FILTER (one ioctl per sample, serialized TSC, timer\n"
		"overhead subtracted) for filters of each size and encoding (exact, masked;\n"
		"action allow), on VMs with each number of vCPUs in LIST (every vCPU has run a\n"
		"trivial guest command first and sits outside KVM_RUN), and with one vCPU held\n"
		"inside the guest by a second thread so every install must kick it. The error\n"
		"paths are timed the same way: nevents 301 (E2BIG), action 2, flags 2 and a\n"
		"masked entry with stray bit 16 (EINVAL). Each configuration: warm-up, then N\n"
		"samples; median, p90, p99, min, max, MAD, CV and a bootstrap CI in ns and TSC\n"
		"ticks (*_cycles: timer ticks, not core clock cycles).\n\n"
		"On arm64 a filter is a list of KVM_ARM_VCPU_PMU_V3_FILTER vCPU attributes, one\n"
		"per range, accepted only before KVM_ARM_VCPU_PMU_V3_INIT and before any vCPU\n"
		"ran: each sample times all of a filter's attributes on a fresh VM (isb +\n"
		"cntvct_el0, *_cycles in generic-timer ticks), by number of ranges, and the\n"
		"error path is a FILTER after INIT (EBUSY); the vCPU-count and running-vCPU\n"
		"configurations are x86's and are listed as skipped.\n",
	.status = "exit status: 0 ok (configurations this host cannot run are listed as\n"
		  "skipped), 1 failure, 2 usage, 4 skipped (no /dev/kvm or no filter ioctl)",
};

static const struct bench_opts_spec spec = {
	.which = BOPT_BENCH | BOPT_RAW | BOPT_SIZES | BOPT_TIMEOUT | BOPT_FILTER | BOPT_REPEAT,
	.quick_help = "100 samples, 10 warm-up, vCPUs 0,1,4 (seconds on a quiet host)\n"
		      "(default: 2000 samples, 100 warm-up, vCPUs 0,1,2,4,8)",
	.output_help = "write DIR/install.json and DIR/install.csv (else a table)",
	.cpu_help = "pin the measuring thread to core N (default: the last;\n"
		    "the held vCPU's thread takes another)",
	.cpu_alias = "core",
	.samples_max = MAX_SAMPLES,
	.samples_help = "timed ioctls per configuration",
	.seed_help = "measure the sizes and the vCPU counts in a random order\n"
		     "drawn from N, the same for the same N (default: in\n"
		     "the order given; context.install.seed, .sizes, .vcpus)",
	.sizes_max = PMUF_KVM_MAX_EVENTS,
	.sizes_help = "filter sizes, comma-separated, each 0..300\n"
		      "(default 0,1,2,4,8,16,32,64,128,256,300)",
	.timeout_min = 1,
	.timeout_help = "watchdog for each guest run (default 10000)",
	.filter_help = "also time installing FILE as it is (case \"user\"; any\n"
		       "format the filter commands read: .pmuf, QEMU .json,\n"
		       "kvm-raw .bin, or a pattern such as 'icl::MEM_*');\n"
		       "repeatable (up to 16). Its records carry \"filter\" (the\n"
		       "file name) and \"filter_hash\" (of its bytes), and the\n"
		       "kernel's answer, whatever it is",
};

/* Everything install's command line sets. */
struct install_cli {
	struct bench_opts b;
	unsigned long long warmup;
	bool warmup_given, in_guest, fifo;
	struct opt_list vcpus;
	bool vcpus_given;
};

static void parse(struct install_cli *c, int argc, char **argv)
{
	static char vcpus_help[80];
	snprintf(vcpus_help, sizeof(vcpus_help), "vCPU counts, comma-separated, each 0..%d",
		 VM_MAX_VCPUS);
	const struct opt opts[] = {
		OPT_PARENT(bench_opts_table(&c->b, &spec)),
		OPT_UINT(0, "warmup", "N", &c->warmup, &c->warmup_given, 0, MAX_SAMPLES,
			 "untimed ioctls first"),
		OPT_LIST(0, "vcpus", &c->vcpus, &c->vcpus_given, 0, VM_MAX_VCPUS, vcpus_help),
		OPT_NOFLAG(0, "no-in-guest", &c->in_guest,
			   "skip the configuration with a vCPU held in the guest"),
		OPT_NOFLAG(0, "no-fifo", &c->fifo,
			   "measure with the normal scheduling policy. By default the\n"
			   "measuring thread runs SCHED_FIFO when allowed (root): the\n"
			   "ioctl sleeps in an SRCU grace period, and on a busy host a\n"
			   "normal thread may then wait out other tasks' time slices\n"
			   "(context.install.sched says which policy was used)"),
		OPT_END(),
	};
	int i = opts_parse(&doc, opts, argc, argv);
	if (i < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[i]);
	if (c->b.sizes.n > INSTALL_MAX_SIZES)
		opts_die(&doc, opts, "--sizes: more than %d sizes", INSTALL_MAX_SIZES);
	if (c->vcpus.n > INSTALL_MAX_VCPU_CONFIGS)
		opts_die(&doc, opts, "--vcpus: more than %d vCPU counts", INSTALL_MAX_VCPU_CONFIGS);
	bench_opts_apply(&c->b);
}

/* The list given (else the default def) into out, shuffled when --seed
 * is given; returns its length. */
static size_t list_in_order(const struct install_cli *c, const struct opt_list *given,
			    const unsigned *def, size_t ndef, unsigned *out)
{
	size_t n = given ? given->n : ndef;
	for (size_t i = 0; i < n; i++)
		out[i] = given ? (unsigned)given->v[i] : def[i];
	if (c->b.seed_given)
		order_shuffle(out, n, c->b.seed);
	return n;
}

/* The install_opts the command line asks for (defaults by --quick). */
static void to_opts(const struct install_cli *c, struct install_opts *o)
{
	static unsigned sizes[INSTALL_MAX_SIZES], vcpus[INSTALL_MAX_VCPU_CONFIGS];
	bool quick = c->b.quick;
	o->in_guest = c->in_guest;
	o->raw = c->b.raw;
	o->timeout_ms = c->b.timeout_given ? (unsigned)c->b.timeout_ms : 10000;
	o->samples = c->b.samples_given ? (unsigned)c->b.samples : quick ? QUICK_SAMPLES : FULL_SAMPLES;
	o->warmup = c->warmup_given ? (unsigned)c->warmup : quick ? QUICK_WARMUP : FULL_WARMUP;
	o->seeded = c->b.seed_given;
	o->seed = c->b.seed;
	o->sizes = sizes;
	o->nsizes = list_in_order(c, c->b.sizes_given ? &c->b.sizes : NULL, default_sizes,
				  sizeof(default_sizes) / sizeof(default_sizes[0]), sizes);
	o->vcpus = vcpus;
	o->nvcpus = list_in_order(c, c->vcpus_given ? &c->vcpus : NULL,
				  quick ? quick_vcpus : full_vcpus,
				  quick ? sizeof(quick_vcpus) / sizeof(quick_vcpus[0])
					: sizeof(full_vcpus) / sizeof(full_vcpus[0]),
				  vcpus);
}

/* The statistics this table prints, as the set's columns declare them. */
static double stat(const json_t *r, const char *col)
{
	return col ? json_number_value(json_object_get(r, col)) : NAN;
}

static void print_table(const json_t *set)
{
	size_t i;
	json_t *r;
	struct rset_measure m;
	if (!rset_measure(set, NULL, &m))
		die("install: the set declares no median (a bug in schema-install.c)");
	/* The set says which arch made it (arm64 installs are attributes). */
	if (rset_is_arm64(set))
		printf("# KVM_ARM_VCPU_PMU_V3_FILTER set-up, all of a filter's attributes (%s, "
		       "cntvct_el0 overhead subtracted)\n", m.unit);
	else
		printf("# KVM_SET_PMU_EVENT_FILTER latency (%s, TSC overhead subtracted)\n", m.unit);
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
		       stat(r, m.median), stat(r, m.p90), stat(r, m.p99),
		       json_integer_value(json_object_get(r, m.n ? m.n : "")),
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
	json_object_set_new(p, "seed", order_seed_json(o->seeded, o->seed));
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

/* One whole run (bench_repeat() calls it -r N times): a result set with
 * its own context (load average before and after). */
struct install_run {
	struct install_opts *o;
	struct user_filter *ufs;
	int argc;
	char **argv;
	json_t *binding;
	const char *sched;
	struct tsc_calib cal;
};

static json_t *install_run(void *arg)
{
	struct install_run *ir = arg;
	json_t *ctx = out_context(ir->argc, ir->argv, &ir->cal);
	if (!ctx)
		die("install: out of memory");
	json_object_set_new(ctx, "binding", ir->binding ? json_deep_copy(ir->binding) : json_null());
	json_object_set_new(ctx, "install", params_json(ir->o));
	json_t *params = json_object_get(ctx, "install");
	json_object_set_new(params, "sched", json_string(ir->sched));
	json_object_set_new(params, "filters", user_filters_json(ir->ufs, ir->o->nfilters));
	json_t *set = out_set_new(&install_schema, ctx);
	if (!set)
		die("install: out of memory");

	util_timer_info("install", set);
	struct progress pg;
	char why[320] = "";
	json_object_set_new(params, "loadavg_1min_before", loadavg_json());
	progress_begin(&pg, "install", install_bench_steps(ir->o));
	int r = install_bench(ir->o, &ir->cal, set, &pg, why, sizeof(why));
	progress_end(&pg);
	json_object_set_new(params, "loadavg_1min_after", loadavg_json());
	if (r < 0) {
		out_set_skip(set, "install", why);
		fprintf(stderr, "pfbench install: skipped: %s\n", why);
	} else {
		out_set_complete(set, true);
		if (stop_signal())
			stop_mark_set(set); /* incomplete: bench_repeat() starts no further run */
	}
	return set;
}

int cmd_install(int argc, char **argv)
{
	struct install_cli cli = { .in_guest = true, .fifo = true };
	struct install_opts o = { 0 };
	parse(&cli, argc, argv);
	to_opts(&cli, &o);
	static struct user_filter ufs[USER_FILTER_MAX];
	o.nfilters = cmd_filter_user_load_all("install", &cli.b.filters, ufs);
	o.filters = ufs;
	const char *dir = cli.b.output;
	if (dir)
		util_check_out_dir("install", dir); /* before measuring: the path named */
	stop_install(); /* a Ctrl-C keeps the finished records (stop.h) */
	bool fifo = cli.fifo;
	int core = cli.b.cpu_given ? (int)cli.b.cpu : -1;

	/* Pin the measuring thread; the held vCPU's thread gets another core. */
	json_t *binding = NULL;
	int ncores = topo_ncores();
	int mycore = core >= 0 ? core : ncores - 1;
	int r = pin_thread(mycore, &binding);
	if (r < 0)
		warn("install: cannot pin to core %d (%s); measuring unpinned", mycore, strerror(-r));
	o.guest_core = mycore == 0 ? (ncores > 1 ? 1 : 0) : 0;

	struct install_run ir = { .o = &o, .ufs = ufs, .argc = argc, .argv = argv, .binding = binding,
				  .sched = set_sched(fifo) };
	r = tsc_calibrate(&ir.cal);
	if (r < 0)
		die_errno("install: TSC calibration", r);
	json_t *set = bench_repeat("install", cli.b.repeat, install_run, &ir);
	json_decref(binding);
	/* incomplete: install_bench() could not run (skipped), or a signal */
	int status = json_is_true(json_object_get(set, "complete")) || stop_signal() ? EXIT_OK
										      : EXIT_SKIP;
	util_noisy_info("install", set);
	if (dir) {
		util_write_set(set, dir);
		if (status == EXIT_OK)
			info("install: %zu records in %s/install.json and install.csv",
			     json_array_size(json_object_get(set, "records")), dir);
	} else if (status == EXIT_OK) {
		print_table(set);
	}
	if (status == EXIT_OK && stop_signal()) {
		status = util_stopped("install", "the records measured so far are kept");
	}
	json_decref(set);
	for (size_t i = 0; i < o.nfilters; i++)
		pmuf_free(&ufs[i].f);
	if (fflush(stdout) != 0)
		die_errno("install: writing to stdout", errno);
	return status;
}
