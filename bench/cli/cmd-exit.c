/* cmd-exit.c — `pfbench exit`: guest exit latency of counter reprogramming
 * under PMU event filters, beside baseline exits. Options and files here;
 * the measuring is bench/kvm/exit-bench.c. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-filter.h"
#include "cmds.h"
#include "exit-bench.h"
#include "out.h"
#include "topology.h"
#include "disturb.h"
#include "util.h"

static const unsigned sizes_full[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300 };
static const unsigned sizes_quick[] = { 0, 1, 16, 300 };
#define MAX_SIZES 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfbench exit [--quick] [-o DIR] [--samples N] [--warmup N]\n"
		"                    [--blocks N] [--block-len N] [--sizes LIST] [--timeout-ms MS]\n"
		"                    [--loops N] [--writes-only] [--no-raw] [--no-vmcall]\n"
		"                    [--rounds N] [--cpu N] [--only baselines|sweep]\n"
		"                    [--filter FILE]...\n\n"
		"Guest exit latency of counter reprogramming under PMU event filters, beside\n"
		"baseline exits, timed inside a guest with serialized TSC reads.\n\n"
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
		"  --quick          few sizes and samples (a few seconds)\n"
		"  -o, --out DIR    write DIR/exit.json and DIR/exit.csv (default: .)\n"
		"  --samples N      timed samples per measurement (default 1000; quick: 600 per\n"
		"                   baseline mode, 200 per sweep configuration)\n"
		"  --warmup N       untimed executions first (default 50; quick 20)\n"
		"  --blocks N       amortized mode: blocks timed (default 150; quick 90)\n"
		"  --rounds N       baselines: interleaved rounds, 1..%d (default 15)\n"
		"  --block-len N    amortized mode: instructions per block (default 64; quick 16)\n"
		"  --sizes LIST     filter sizes, comma-separated, 0..300\n"
		"                   (default 0,1,2,4,8,16,32,64,128,256,300; quick 0,1,16,300)\n"
		"  --timeout-ms MS  watchdog per guest run (default 10000; quick 3000)\n"
		"  --loops N        workload `loop` iterations per reprogram cycle (default 100)\n"
		"  --writes-only    reprogram: only the timed event-select writes\n"
		"  --no-raw         leave raw samples (samples_ns) out of exit.json\n"
		"  --no-vmcall      skip the VMCALL baseline\n"
		"  --only WHAT      baselines or sweep\n"
		"  --cpu N          pin the vCPU thread to core N (default: the last core;\n"
		"                   recorded as context.binding)\n"
		"  --filter FILE    also sweep with FILE installed as it is (.pmuf, QEMU .json,\n"
		"                   kvm-raw .bin, or a pattern such as 'icl::MEM_*';\n"
		"                   repeatable, up to 16): the guest programs the event of\n"
		"                   its first entry (position first-entry) and one of a\n"
		"                   select no entry names (unnamed-select); the records carry\n"
		"                   filter (the file name) and filter_hash\n\n"
		"exit status: 0 ok, 1 failure, 2 usage, 4 skipped (no usable /dev/kvm; exit.json\n"
		"and exit.csv then hold no records, \"complete\": false and the reason under\n"
		"\"skipped\")\n", EXIT_MAX_ROUNDS);
}

static size_t parse_sizes(const char *s, unsigned *out)
{
	size_t n = 0;
	const char *p = s;
	while (*p) {
		char tok[32];
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(tok))
			die_usage("--sizes: expected a comma-separated list of 0..300 at column %zu of '%s'",
				  (size_t)(p - s) + 1, s);
		memcpy(tok, p, len);
		tok[len] = 0;
		unsigned long long v;
		if (util_parse_u64(tok, &v) || v > 300)
			die_usage("--sizes: '%s' (column %zu) is not a filter size in 0..300", tok,
				  (size_t)(p - s) + 1);
		if (n == MAX_SIZES)
			die_usage("--sizes: more than %d sizes", MAX_SIZES);
		out[n++] = (unsigned)v;
		p += len;
		if (*p == ',' && *++p == 0)
			die_usage("--sizes: trailing comma in '%s'", s);
	}
	if (!n)
		die_usage("--sizes: empty list");
	return n;
}

/* A number column, "-" when the record has none. */
static void num(const json_t *r, const char *key)
{
	const json_t *v = json_object_get(r, key);
	if (json_is_number(v))
		printf(" %12.0f", json_number_value(v));
	else
		printf(" %12s", "-");
}

/* A few lines for the terminal, read back from the records. */
static void summary(const json_t *set)
{
	const json_t *recs = json_object_get(set, "records");
	size_t i;
	json_t *r;
	printf("# %-6s %-9s %12s %12s %12s  %s\n", "exit", "mode", "median_ns", "net_ns", "host_ns/exit",
	       "status");
	json_array_foreach(recs, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "group")) ?: "", "baseline"))
			continue;
		printf("  %-8s %-9s", json_string_value(json_object_get(r, "exit")),
		       json_string_value(json_object_get(r, "mode")));
		num(r, "median_ns");
		num(r, "net_median_ns");
		num(r, "host_run_ns_per_exit");
		printf("  %s\n", json_string_value(json_object_get(r, "status")));
	}
	json_array_foreach(recs, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "group")) ?: "", "validity"))
			continue;
		printf("# validity %-6s each %.0f ns vs amortized %.0f ns (net): ratio %.3f "
		       "(median of %lld rounds, %lld within 10%%; pooled %.3f)\n",
		       json_string_value(json_object_get(r, "exit")),
		       json_number_value(json_object_get(r, "each_net_ns")),
		       json_number_value(json_object_get(r, "amortized_net_ns")),
		       json_number_value(json_object_get(r, "ratio_each_over_amortized")),
		       json_integer_value(json_object_get(r, "rounds_compared")),
		       json_integer_value(json_object_get(r, "rounds_within_10pct")),
		       json_number_value(json_object_get(r, "ratio_pooled")));
	}
	size_t ok = 0, bad = 0;
	double lo = INFINITY, hi = -INFINITY;
	json_array_foreach(recs, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "group")) ?: "", "reprogram"))
			continue;
		double m = json_number_value(json_object_get(r, "median_ns"));
		if (!strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok")) {
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

int cmd_exit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "out", required_argument, NULL, 'o' },
		{ "samples", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "blocks", required_argument, NULL, 'b' },
		{ "block-len", required_argument, NULL, 'l' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "loops", required_argument, NULL, 'L' },
		{ "writes-only", no_argument, NULL, 'W' },
		{ "no-raw", no_argument, NULL, 'R' },
		{ "no-vmcall", no_argument, NULL, 'V' },
		{ "only", required_argument, NULL, 'O' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool quick = false, writes_only = false, raw = true, no_vmcall = false;
	const char *dir = ".", *only = NULL;
	long samples = -1, warmup = -1, blocks = -1, block_len = -1, timeout = -1, loops = 100;
	long rounds = 15, cpu = -1;
	unsigned sizes[MAX_SIZES];
	size_t nsizes = 0, nfilters = 0;
	static struct user_filter ufs[USER_FILTER_MAX];
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quick = true; break;
		case 'o': dir = optarg; break;
		case 's': samples = util_parse_range(NULL, "--samples", optarg, 1, GUEST_MAX_SAMPLES); break;
		case 'w': warmup = util_parse_range(NULL, "--warmup", optarg, 0, 1000000); break;
		case 'b': blocks = util_parse_range(NULL, "--blocks", optarg, 1, GUEST_MAX_SAMPLES); break;
		case 'l': block_len = util_parse_range(NULL, "--block-len", optarg, 1, 1u << 20); break;
		case 'z': nsizes = parse_sizes(optarg, sizes); break;
		case 't': timeout = util_parse_range(NULL, "--timeout-ms", optarg, 10, 3600000); break;
		case 'L': loops = util_parse_range(NULL, "--loops", optarg, 1, 1u << 24); break;
		case 'W': writes_only = true; break;
		case 'R': raw = false; break;
		case 'V': no_vmcall = true; break;
		case 'r': rounds = util_parse_range(NULL, "--rounds", optarg, 1, EXIT_MAX_ROUNDS); break;
		case 'c': cpu = util_parse_range(NULL, "--cpu", optarg, 0, 4095); break;
		case 'F':
			if (nfilters == USER_FILTER_MAX)
				die_usage("exit: more than %d --filter files", USER_FILTER_MAX);
			cmd_filter_user_load(optarg, &ufs[nfilters++]);
			break;
		case 'O':
			if (strcmp(optarg, "baselines") && strcmp(optarg, "sweep"))
				die_usage("--only: expected 'baselines' or 'sweep', got '%s'", optarg);
			only = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		case ':':
			die_usage("exit: option '%s' needs a value (see pfbench exit --help)",
				  argv[optind - 1]);
		default:
			die_usage("exit: unknown option '%s' (see pfbench exit --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("exit: unexpected argument '%s' (see pfbench exit --help)", argv[optind]);

	struct exit_opts o = {
		.samples = samples >= 0 ? (unsigned)samples : quick ? 200 : 1000,
		.bl_samples = samples >= 0 ? (unsigned)samples : quick ? 600 : 1000,
		.rounds = (unsigned)rounds,
		.warmup = warmup >= 0 ? (unsigned)warmup : quick ? 20 : 50,
		.blocks = blocks >= 0 ? (unsigned)blocks : quick ? 90 : 150,
		.block_len = block_len >= 0 ? (unsigned)block_len : quick ? 16 : 64,
		.timeout_ms = timeout >= 0 ? (unsigned)timeout : quick ? 3000 : 10000,
		.workload_loops = (unsigned)loops,
		.writes_only = writes_only,
		.raw = raw,
		.skip_vmcall = no_vmcall,
		.filters = ufs,
		.nfilters = nfilters,
	};
	if (nsizes) {
		o.sizes = sizes;
		o.nsizes = nsizes;
	} else if (quick) {
		o.sizes = sizes_quick;
		o.nsizes = sizeof(sizes_quick) / sizeof(sizes_quick[0]);
	} else {
		o.sizes = sizes_full;
		o.nsizes = sizeof(sizes_full) / sizeof(sizes_full[0]);
	}

	/* The vCPU runs on this thread: pin it (hwloc), default the last core. */
	int ncores = topo_ncores();
	if (cpu >= ncores)
		die_usage("exit: --cpu %ld: this host has %d cores (0..%d) (see pfbench exit --help)",
			  cpu, ncores, ncores - 1);
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
		json_t *set = out_set_new("exit", ctx);
		if (!set)
			die("exit: out of memory");
		json_object_set_new(set, "key_columns", exit_key_columns());
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
	if (h.emulated_per_insn > 1.5)
		info("exit: KVM emulates this guest instruction by instruction (%.1f emulated "
		     "instructions per CPUID): every number is an emulator cost, not a VM-exit cost",
		     h.emulated_per_insn);

	json_t *ctx = out_context(argc, argv, &h.cal);
	json_object_set_new(ctx, "binding", binding ? binding : json_null());
	json_object_set_new(ctx, "exit", exit_host_json(&h));
	json_object_set_new(ctx, "load_before", disturb_load_json());
	json_object_set_new(json_object_get(ctx, "exit"), "filters", user_filters_json(ufs, nfilters));
	json_t *set = out_set_new("exit", ctx);
	if (!set)
		die("exit: out of memory");
	json_object_set_new(set, "key_columns", exit_key_columns());
	util_timer_info("exit", set);
	if (!only || !strcmp(only, "baselines")) {
		err = exit_bench_baselines(&o, &h, set);
		if (err)
			die_errno("exit: baselines (creating a VM)", err);
	}
	if (!only || !strcmp(only, "sweep")) {
		err = exit_bench_sweep(&o, &h, set);
		if (err)
			die_errno("exit: filter sweep (creating a VM)", err);
	}
	json_object_set_new(ctx, "load_after", disturb_load_json());
	out_set_complete(set, true);
	util_write_set(set, dir);
	summary(set);
	util_noisy_info("exit", set);
	printf("# wrote %s/exit.json and %s/exit.csv (%zu records)\n", dir, dir,
	       json_array_size(json_object_get(set, "records")));
	json_decref(set);
	for (size_t i = 0; i < nfilters; i++)
		pmuf_free(&ufs[i].f);
	return EXIT_OK;
}
