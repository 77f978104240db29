/* cmd-exit.c — `pfbench exit`: guest exit latency of counter reprogramming
 * under PMU event filters, beside baseline exits. Options and files here;
 * the measuring is bench/kvm/exit-bench.c. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-repeat.h"
#include "cmd-filter.h"
#include "cmds.h"
#include "options.h"
#include "exit-bench.h"
#include "order.h"
#include "out.h"
#include "rset.h"
#include "topology.h"
#include "disturb.h"
#include "stop.h"
#include "util.h"

static const unsigned sizes_full[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300 };
static const unsigned sizes_quick[] = { 0, 1, 16, 300 };

static const struct opt_doc doc = {
	.cmd = "exit",
	.synopsis = "[--quick] [-o DIR] [options]",
	.about = "Guest exit latency of counter reprogramming under PMU event filters, beside\n"
		"baseline exits, timed inside a guest with serialized TSC reads (arm64: isb +\n"
		"cntvct_el0).\n\n"
		"Baselines: CPUID, RDMSR and WRMSR of an MSR KVM handles in the kernel (the first\n"
		"of IA32_TSC_ADJUST, IA32_SPEC_CTRL, IA32_TSC_AUX a guest can write), a port write\n"
		"to userspace, VMCALL/VMMCALL (last, in its own VM; a guest that hangs is stopped by\n"
		"the watchdog and reported). Each in two independent modes: 'each' (a TSC pair\n"
		"around every instruction) and 'amortized' (kvm-unit-tests vmexit.c: a loop of\n"
		"--block-len instructions timed as one block), each with an overhead run of the\n"
		"same code without the instruction. Both modes run in --rounds interleaved\n"
		"rounds; 'validity' records compare the two modes round by round (the median\n"
		"of the per-round ratios of the overhead-subtracted medians).\n\n"
		"Sweep: no filter, then filter size (--sizes) x encoding (exact, masked) x action\n"
		"(allow, deny) x where the programmed event sits (early, late, absent); each\n"
		"filter is installed with KVM_SET_PMU_EVENT_FILTER and the guest times every\n"
		"event-select WRMSR (program, enable, --loops workload, RDPMC and RDMSR, disable;\n"
		"--writes-only: the timed writes alone). Without a vPMU (enable_pmu=N) this\n"
		"measures KVM's PMU MSR path without a vPMU, not a filter lookup, and says so.\n\n"
		"On arm64 the same questions with arm64's mechanisms: baselines HVC, an MMIO\n"
		"write handled in userspace and a trapped system register; each filter is\n"
		"KVM_ARM_VCPU_PMU_V3_FILTER ranges set before KVM_ARM_VCPU_PMU_V3_INIT, and the\n"
		"guest times PMEVTYPER<n>_EL0 writes (docs/running-on-hosts.md).\n\n",
	.status = "exit status: 0 ok, 1 failure, 2 usage, 4 skipped (no usable /dev/kvm; exit.json\n"
		  "and exit.csv then hold no records, \"complete\": false and the reason under\n"
		  "\"skipped\")",
};

static const struct bench_opts_spec spec = {
	.which = BOPT_BENCH | BOPT_SIZES | BOPT_TIMEOUT | BOPT_FILTER | BOPT_REPEAT,
	.quick_help = "few sizes and samples (a few seconds)",
	.output_help = "write DIR/exit.json and DIR/exit.csv (default: .)",
	.output_alias = "out",
	.cpu_help = "pin the vCPU thread to core N (default: the last core)",
	.samples_max = GUEST_MAX_SAMPLES,
	.samples_help = "timed samples per measurement (default 1000; quick: 600 per\n"
			"baseline mode, 200 per sweep configuration)",
	.seed_help = "sweep the filter sizes in a random order drawn from N,\n"
		     "the same for the same N (no filter still first; default:\n"
		     "in the order given; context.exit.seed, .sizes)",
	.sizes_max = 300,
	.sizes_help = "filter sizes, comma-separated, 0..300\n"
		      "(default 0,1,2,4,8,16,32,64,128,256,300; quick 0,1,16,300)",
	.timeout_min = 10,
	.timeout_help = "watchdog per guest run (default 10000; quick 3000)",
	.filter_help = "also sweep with FILE installed as it is (.pmuf, QEMU .json,\n"
		       "kvm-raw .bin, or a pattern such as 'icl::MEM_*';\n"
		       "repeatable, up to 16): the guest programs the event of\n"
		       "its first entry (position first-entry) and one of a\n"
		       "select no entry names (unnamed-select); the records carry\n"
		       "filter (the file name) and filter_hash",
};

/* Everything exit's command line sets. */
struct exit_cli {
	struct bench_opts b;
	unsigned long long warmup, blocks, block_len, loops, rounds;
	bool warmup_given, blocks_given, block_len_given;
	bool writes_only, raw, no_vmcall;
	const char *only;
};

static void parse(struct exit_cli *c, int argc, char **argv)
{
	static char rounds_help[64];
	snprintf(rounds_help, sizeof(rounds_help), "baselines: interleaved rounds, 1..%d (default 15)",
		 EXIT_MAX_ROUNDS);
	const struct opt opts[] = {
		OPT_PARENT(bench_opts_table(&c->b, &spec)),
		OPT_UINT(0, "warmup", "N", &c->warmup, &c->warmup_given, 0, 1000000,
			 "untimed executions first (default 50; quick 20)"),
		OPT_UINT(0, "blocks", "N", &c->blocks, &c->blocks_given, 1, GUEST_MAX_SAMPLES,
			 "amortized mode: blocks timed (default 150; quick 90)"),
		OPT_UINT(0, "rounds", "N", &c->rounds, NULL, 1, EXIT_MAX_ROUNDS, rounds_help),
		OPT_UINT(0, "block-len", "N", &c->block_len, &c->block_len_given, 1, 1u << 20,
			 "amortized mode: instructions per block (default 64; quick 16)"),
		OPT_UINT(0, "loops", "N", &c->loops, NULL, 1, 1u << 24,
			 "workload `loop` iterations per reprogram cycle (default 100)"),
		OPT_FLAG(0, "writes-only", &c->writes_only,
			 "reprogram: only the timed event-select writes"),
		OPT_NOFLAG(0, "no-raw", &c->raw, "leave raw samples (samples_ns) out of exit.json"),
		OPT_FLAG(0, "no-vmcall", &c->no_vmcall, "skip the VMCALL baseline"),
		OPT_STRING(0, "only", "WHAT", &c->only, "baselines or sweep"),
		OPT_END(),
	};
	int i = opts_parse(&doc, opts, argc, argv);
	if (i < argc)
		opts_die(&doc, opts, "unexpected argument '%s'", argv[i]);
	if (c->only && strcmp(c->only, "baselines") && strcmp(c->only, "sweep"))
		opts_die(&doc, opts, "--only: expected 'baselines' or 'sweep', got '%s'", c->only);
	bench_opts_apply(&c->b);
}

/* The exit_opts the command line asks for (defaults by --quick). */
static void to_opts(const struct exit_cli *c, struct exit_opts *o)
{
	static unsigned sizes[OPT_LIST_MAX];
	bool quick = c->b.quick, n = c->b.samples_given;
	*o = (struct exit_opts){
		.samples = n ? (unsigned)c->b.samples : quick ? 200 : 1000,
		.bl_samples = n ? (unsigned)c->b.samples : quick ? 600 : 1000,
		.rounds = (unsigned)c->rounds,
		.warmup = c->warmup_given ? (unsigned)c->warmup : quick ? 20 : 50,
		.blocks = c->blocks_given ? (unsigned)c->blocks : quick ? 90 : 150,
		.block_len = c->block_len_given ? (unsigned)c->block_len : quick ? 16 : 64,
		.timeout_ms = c->b.timeout_given ? (unsigned)c->b.timeout_ms : quick ? 3000 : 10000,
		.workload_loops = (unsigned)c->loops,
		.writes_only = c->writes_only,
		.raw = c->raw,
		.skip_vmcall = c->no_vmcall,
	};
	const unsigned *def = quick ? sizes_quick : sizes_full;
	o->nsizes = c->b.sizes_given ? c->b.sizes.n
		    : quick ? sizeof(sizes_quick) / sizeof(sizes_quick[0])
			    : sizeof(sizes_full) / sizeof(sizes_full[0]);
	for (size_t i = 0; i < o->nsizes; i++)
		sizes[i] = c->b.sizes_given ? (unsigned)c->b.sizes.v[i] : def[i];
	if (c->b.seed_given)
		order_shuffle(sizes, o->nsizes, c->b.seed);
	o->sizes = sizes;
}

/* The sweep's sizes in the order run (context.exit.sizes). */
static json_t *sizes_json(const struct exit_opts *o)
{
	json_t *a = json_array();
	for (size_t i = 0; i < o->nsizes; i++)
		json_array_append_new(a, json_integer(o->sizes[i]));
	return a;
}

/* The summary reads records through the set's declared columns: a name
 * the schema (schema-exit.c) does not declare is a bug, not a blank. */
static const json_t *field(const json_t *set, const json_t *r, const char *name)
{
	if (!schema_column(json_object_get(set, "columns"), name))
		die("exit: the summary reads \"%s\", which exit's schema does not declare (a bug)",
		    name);
	return json_object_get(r, name);
}

static const char *str(const json_t *set, const json_t *r, const char *name)
{
	return json_string_value(field(set, r, name)) ?: "";
}

static double fnum(const json_t *set, const json_t *r, const char *name)
{
	const json_t *v = field(set, r, name);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The baseline table: a label and the block whose median it shows, the
 * column and unit as the schema declares them (rset_measure). */
static const struct {
	const char *label, *block;
} base_cols[] = {
	{ "median", "" },
	{ "net", "net_" },
};

static const char *median_col(const json_t *set, const char *block, const char **unit)
{
	struct rset_measure m;
	if (!rset_measure(set, block, &m))
		die("exit: the summary reads the median of block \"%s\", which exit's schema does "
		    "not declare (a bug)", block);
	if (unit)
		*unit = m.unit;
	return m.median;
}

/* A few lines for the terminal, read back from the records. */
static void summary(const json_t *set)
{
	const json_t *recs = json_object_get(set, "records");
	size_t i, c;
	json_t *r;
	printf("# %-6s %-9s", "exit", "mode");
	for (c = 0; c < sizeof(base_cols) / sizeof(base_cols[0]); c++) {
		char head[40];
		const char *unit;
		median_col(set, base_cols[c].block, &unit);
		snprintf(head, sizeof(head), "%s %s", base_cols[c].label, unit ? unit : "");
		printf(" %12s", head);
	}
	printf("  status\n");
	json_array_foreach(recs, i, r) {
		if (strcmp(str(set, r, "group"), "baseline"))
			continue;
		printf("  %-8s %-9s", str(set, r, "exit"), str(set, r, "mode"));
		for (c = 0; c < sizeof(base_cols) / sizeof(base_cols[0]); c++) {
			double v = fnum(set, r, median_col(set, base_cols[c].block, NULL));
			if (isfinite(v))
				printf(" %12.0f", v);
			else
				printf(" %12s", "-");
		}
		printf("  %s\n", str(set, r, "status"));
	}
	json_array_foreach(recs, i, r) {
		if (strcmp(str(set, r, "group"), "validity"))
			continue;
		printf("# validity %-6s each %.0f ns vs amortized %.0f ns (net): ratio %.3f "
		       "(median of %.0f rounds, %.0f within 10%%; pooled %.3f)\n",
		       str(set, r, "exit"), fnum(set, r, "each_net_ns"),
		       fnum(set, r, "amortized_net_ns"), fnum(set, r, "ratio_each_over_amortized"),
		       fnum(set, r, "rounds_compared"), fnum(set, r, "rounds_within_10pct"),
		       fnum(set, r, "ratio_pooled"));
	}
	size_t ok = 0, bad = 0;
	double lo = INFINITY, hi = -INFINITY;
	json_array_foreach(recs, i, r) {
		if (strcmp(str(set, r, "group"), "reprogram"))
			continue;
		double m = fnum(set, r, median_col(set, "", NULL));
		if (!strcmp(str(set, r, "status"), "ok")) {
			ok++;
			lo = fmin(lo, m);
			hi = fmax(hi, m);
		} else {
			bad++;
		}
	}
	/* As the records' "measures" says: without a vPMU no filter is looked up. */
	bool novpmu = json_is_false(
		json_object_get(json_object_get(json_object_get(set, "context"), "exit"), "vpmu"));
	if (ok)
		printf("# reprogram: %zu configurations, event-select WRMSR median %.0f..%.0f ns%s%s\n",
		       ok, lo, hi, novpmu ? " (no vPMU: KVM's PMU MSR path, not a filter lookup)" : "",
		       bad ? " (some failed: see status/why)" : "");
	else if (bad)
		printf("# reprogram: all %zu configurations failed (see status/why)\n", bad);
}

/* One whole run for bench_repeat(): a result set with its own context
 * (load before and after). */
struct exit_run {
	const struct exit_opts *o;
	const struct exit_host *h;
	const struct user_filter *ufs;
	int argc;
	char **argv;
	const json_t *binding;
	const char *only;
	bool seed_given;
	unsigned long long seed;
};

static json_t *exit_run(void *arg)
{
	const struct exit_run *er = arg;
	json_t *ctx = out_context(er->argc, er->argv, &er->h->cal);
	json_object_set_new(ctx, "binding", er->binding ? json_deep_copy(er->binding) : json_null());
	json_object_set_new(ctx, "exit", exit_host_json(er->h));
	json_object_set_new(ctx, "load_before", disturb_load_json());
	json_object_set_new(json_object_get(ctx, "exit"), "filters",
			    user_filters_json(er->ufs, er->o->nfilters));
	json_object_set_new(json_object_get(ctx, "exit"), "seed",
			    order_seed_json(er->seed_given, er->seed));
	json_object_set_new(json_object_get(ctx, "exit"), "sizes", sizes_json(er->o));
	json_t *set = out_set_new(&exit_schema, ctx);
	if (!set)
		die("exit: out of memory");
	util_timer_info("exit", set);
	int err;
	if (!er->only || !strcmp(er->only, "baselines")) {
		err = exit_bench_baselines(er->o, er->h, set);
		if (err)
			die_errno("exit: baselines (creating a VM)", err);
	}
	if ((!er->only || !strcmp(er->only, "sweep")) && !stop_signal()) {
		err = exit_bench_sweep(er->o, er->h, set);
		if (err)
			die_errno("exit: filter sweep (creating a VM)", err);
	}
	json_object_set_new(ctx, "load_after", disturb_load_json());
	out_set_complete(set, true);
	if (stop_signal())
		stop_mark_set(set); /* incomplete: bench_repeat() starts no further run */
	return set;
}

int cmd_exit(int argc, char **argv)
{
	struct exit_cli cli = { .b.output = ".", .loops = 100, .rounds = 15, .raw = true };
	struct exit_opts o;
	parse(&cli, argc, argv);
	to_opts(&cli, &o);
	static struct user_filter ufs[USER_FILTER_MAX];
	o.nfilters = cmd_filter_user_load_all("exit", &cli.b.filters, ufs);
	o.filters = ufs;
	const char *dir = cli.b.output, *only = cli.only;
	util_check_out_dir("exit", dir); /* before measuring: the path named */
	stop_install(); /* a Ctrl-C keeps the finished records (stop.h) */
	long cpu = cli.b.cpu_given ? (long)cli.b.cpu : -1;

	/* The vCPU runs on this thread: pin it (hwloc), default the last core. */
	int ncores = topo_ncores();
	json_t *binding = NULL;
	int err = pin_thread((int)cpu, &binding);
	if (err)
		warn("exit: cannot pin the vCPU thread to core %ld (%s); measuring unpinned",
		     cpu >= 0 ? cpu : (long)ncores - 1, strerror(-err));

	struct exit_host h;
	err = exit_probe(&h, o.timeout_ms);
	if (err == -ENOENT || err == -EACCES || err == -ENODEV || err == -EPERM || err == -ENOTTY) {
		/* A result set that says why, like install's, for the suite and report. */
		char why[160];
		snprintf(why, sizeof(why), "no usable /dev/kvm (%s)", strerror(-err));
		struct tsc_calib cal;
		json_t *ctx = out_context(argc, argv, tsc_calibrate(&cal) ? NULL : &cal);
		json_object_set_new(ctx, "binding", binding ? binding : json_null());
		json_t *set = out_set_new(&exit_schema, ctx);
		if (!set)
			die("exit: out of memory");
		out_set_skip(set, "exit", why);
		util_write_set(set, dir);
		json_decref(set);
		fprintf(stderr, "pfbench exit: skipped: %s\n", why);
		return EXIT_SKIP;
	}
	if (err)
		die_errno("exit: probing the host (TSC calibration, /dev/kvm, a test guest)", err);
	if (!h.vpmu)
		info("exit: no vPMU (%s): the reprogram sweep measures KVM's PMU MSR path without a "
		     "vPMU, not a filter lookup", h.vpmu_why);
	if (h.exec != EXIT_EXEC_NATIVE)
		info("exit: guest execution %s: %s", exit_exec_name(h.exec), h.exec_why);

	struct exit_run er = { .o = &o, .h = &h, .ufs = ufs, .argc = argc, .argv = argv,
			       .binding = binding, .only = only, .seed_given = cli.b.seed_given,
			       .seed = cli.b.seed };
	json_t *set = bench_repeat("exit", cli.b.repeat, exit_run, &er);
	json_decref(binding);
	util_write_set(set, dir);
	summary(set);
	util_noisy_info("exit", set);
	printf("# wrote %s/exit.json and %s/exit.csv (%zu records)\n", dir, dir,
	       json_array_size(json_object_get(set, "records")));
	int status = stop_signal() ? util_stopped("exit", "the records measured so far are kept")
				   : EXIT_OK;
	json_decref(set);
	for (size_t i = 0; i < o.nfilters; i++)
		pmuf_free(&ufs[i].f);
	if (fflush(stdout) != 0)
		die_errno("exit: writing to stdout", errno);
	return status;
}
