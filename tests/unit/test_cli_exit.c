/* test_cli_exit.c — `pfbench exit` end to end: usage errors exit 2 with a
 * message, --help exits 0, and `pfbench exit --quick -o DIR` writes
 * well-formed exit.json/exit.csv: baselines in both modes with stats or a
 * status and reason, validity records, the reprogram sweep with its filter
 * parameters, and the vPMU/emulation facts in every record and the
 * context; the detected guest execution mode against the KVM stats of the
 * measurement runs. Runs $PFBENCH (scripts/run-tests.sh sets it). */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli-run.h"
#include "kvm-sys.h"
#include "order.h"
#include "out.h"

/* Runs pfbench exit with args; stdout/stderr (malloc'd) into out/err. */
static int run(const char *const args[], char **out, char **err)
{
	return cli_run_cmd("exit", args, out, err);
}

static void test_help_and_usage(void **state)
{
	(void)state;
	char *out, *err;
	const char *help[] = { "--help", NULL };
	assert_int_equal(run(help, &out, &err), 0);
	assert_non_null(strstr(out, "usage: pfbench exit"));
	assert_non_null(strstr(out, "--quick"));
	free(out);
	free(err);
	const struct {
		const char *args[4];
		const char *want;
	} bad[] = {
		{ { "--sizes", "1,,2", NULL }, "column 3" },
		{ { "--sizes", "301", NULL }, "0..300" },
		{ { "--samples", NULL }, "--samples: needs an argument" },
		{ { "--samples", "0", NULL }, "--samples" },
		{ { "--only", "nothing", NULL }, "baselines" },
		{ { "--frobnicate", NULL }, "unknown option" },
		{ { "stray", NULL }, "unexpected argument" },
		{ { "--cpu", "99", NULL }, "pfbench exit: --cpu: '99' is not a number in 0.." },
		{ { "--cpu", "x", NULL }, "--cpu" },
		{ { "--rounds", "0", NULL }, "--rounds" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = run(bad[i].args, &out, &err);
		if (rc != 2 || !strstr(err, bad[i].want))
			fail_msg("case %zu: exit %d, stderr '%s', want 2 and '%s'", i, rc, err, bad[i].want);
		free(out);
		free(err);
	}
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static const char *str(const json_t *r, const char *k)
{
	const char *s = json_string_value(json_object_get(r, k));
	return s ? s : "";
}

/* The declared key_columns name no outcome field and tell every record
 * apart, so `pfbench compare` of two runs matches each record once. */
static void check_keys(const json_t *set, const json_t *recs)
{
	const json_t *keys = json_object_get(set, "key_columns");
	assert_true(json_is_array(keys) && json_array_size(keys) > 0);
	size_t k, i, j;
	json_t *kv, *r;
	json_array_foreach(keys, k, kv) {
		const char *name = json_string_value(kv);
		assert_non_null(name);
		assert_true(strcmp(name, "status") && strcmp(name, "why") && !strstr(name, "_ns"));
	}
	size_t n = json_array_size(recs);
	char **ids = calloc(n ? n : 1, sizeof(*ids));
	assert_non_null(ids);
	json_array_foreach(recs, i, r) {
		json_t *id = json_array();
		json_array_foreach(keys, k, kv) {
			json_t *v = json_object_get(r, json_string_value(kv));
			json_array_append(id, v ? v : json_null());
		}
		ids[i] = json_dumps(id, JSON_COMPACT);
		json_decref(id);
		for (j = 0; j < i; j++)
			if (!strcmp(ids[i], ids[j]))
				fail_msg("records %zu and %zu share the key %s", j, i, ids[i]);
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static void check_stats(const json_t *r, const char *what)
{
	double med = json_number_value(json_object_get(r, "median_ns"));
	json_int_t n = json_integer_value(json_object_get(r, "samples"));
	if (!(med > 0) || n <= 0 || !json_is_number(json_object_get(r, "p99_ns")))
		fail_msg("%s: median_ns %g, samples %lld", what, med, (long long)n);
	assert_true(json_number_value(json_object_get(r, "p90_ns")) >= med);
	assert_true(json_number_value(json_object_get(r, "p99_ns")) >=
		    json_number_value(json_object_get(r, "p90_ns")));
}

static void test_quick_records(void **state)
{
	(void)state;
	int kfd = kvm_sys_open();
	if (kfd < 0) {
		need_skip("kvm", "/dev/kvm not usable (%s)", strerror(-kfd));
	}
	struct kvm_vpmu_info vp;
	memset(&vp, 0, sizeof(vp));
	bool vpmu = kvm_sys_vpmu(kfd, &vp) == 0 && vp.present;
	close(kfd);

	char dir[] = "/tmp/pfbench-exit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *out, *err;
	const char *args[] = { "--quick", "-o", dir, NULL };
	int rc = run(args, &out, &err);
	if (rc != 0)
		fail_msg("pfbench exit --quick: exit %d\nstdout: %s\nstderr: %s", rc, out, err);
	assert_non_null(strstr(out, "exit.json"));
	if (!vpmu)
		assert_non_null(strstr(err, "no vPMU"));
	/* The summary's reprogram line carries the same caveat, only without a vPMU. */
	const char *rl = strstr(out, "# reprogram: ");
	assert_non_null(rl);
	const char *nl = strchr(rl, '\n');
	const char *cav = strstr(rl, "(no vPMU: KVM's PMU MSR path, not a filter lookup)");
	assert_int_equal(cav && (!nl || cav < nl), !vpmu);

	char path[256], msg[256];
	snprintf(path, sizeof(path), "%s/exit.json", dir);
	json_t *set = out_read_json(path, msg, sizeof(msg));
	if (!set)
		fail_msg("%s: %s", path, msg);
	assert_string_equal(str(set, "schema"), "pfbench-result/1");
	assert_string_equal(str(set, "bench"), "exit");
	assert_true(json_is_true(json_object_get(set, "complete")));
	const json_t *ctx = json_object_get(set, "context");
	const json_t *ex = json_object_get(ctx, "exit");
	assert_non_null(ex);
	assert_int_equal(json_is_true(json_object_get(ex, "vpmu")), vpmu);
	assert_true(json_is_string(json_object_get(ex, "guest_execution")));
	/* Pinned by default to the last core, like lookup and install. */
	const json_t *bind = json_object_get(ctx, "binding");
	assert_true(json_is_object(bind));
	assert_true(json_is_integer(json_object_get(bind, "core")));

	const json_t *recs = json_object_get(set, "records");
	check_keys(set, recs);
	size_t i, nbase = 0, nvalid = 0, nrep = 0, nrep_ok = 0;
	bool modes[2] = { false, false }, saw_cpuid = false, saw_none = false;
	json_t *r;
	json_array_foreach(recs, i, r) {
		const char *g = str(r, "group");
		if (!strcmp(g, "baseline")) {
			nbase++;
			assert_true(json_is_string(json_object_get(r, "status")));
			if (!strcmp(str(r, "status"), "ok")) {
				check_stats(r, str(r, "exit"));
				modes[!strcmp(str(r, "mode"), "amortized")] = true;
				saw_cpuid |= !strcmp(str(r, "exit"), "cpuid");
				assert_true(json_is_number(json_object_get(r, "overhead_median_ns")));
				assert_int_equal(json_integer_value(json_object_get(r, "samples")),
						 !strcmp(str(r, "mode"), "amortized") ? 90 : 600);
			} else {
				assert_true(strlen(str(r, "why")) > 0); /* failures say why */
			}
		} else if (!strcmp(g, "validity")) {
			nvalid++;
			assert_true(json_is_boolean(json_object_get(r, "agree_within_10pct")) ||
				    json_is_null(json_object_get(r, "agree_within_10pct")));
			/* The ratio is the median of the per-round ratios, listed. */
			json_int_t nr = json_integer_value(json_object_get(r, "rounds"));
			assert_true(nr >= 1);
			assert_int_equal(json_array_size(json_object_get(r, "round_ratios")), nr);
			assert_true(json_integer_value(json_object_get(r, "rounds_within_10pct")) <=
				    json_integer_value(json_object_get(r, "rounds_compared")));
		} else if (!strcmp(g, "reprogram")) {
			nrep++;
			assert_int_equal(json_is_true(json_object_get(r, "vpmu")), vpmu);
			if (!vpmu)
				assert_non_null(strstr(str(r, "measures"), "not a filter lookup"));
			if (!strcmp(str(r, "filter"), "none")) {
				saw_none = true;
			} else {
				json_int_t sz = json_integer_value(json_object_get(r, "filter_size"));
				assert_true(sz >= 0 && sz <= 300);
				assert_true(!strcmp(str(r, "encoding"), "exact") ||
					    !strcmp(str(r, "encoding"), "masked"));
				assert_true(!strcmp(str(r, "action"), "allow") ||
					    !strcmp(str(r, "action"), "deny"));
				const char *p = str(r, "position");
				assert_true(!strcmp(p, "early") || !strcmp(p, "late") || !strcmp(p, "absent"));
			}
			if (!strcmp(str(r, "status"), "ok")) {
				nrep_ok++;
				check_stats(r, "reprogram");
			} else {
				assert_true(strlen(str(r, "why")) > 0);
			}
		} else {
			fail_msg("record %zu has unknown group '%s'", i, g);
		}
	}
	assert_true(nbase >= 8);
	assert_true(modes[0] && modes[1] && saw_cpuid);
	assert_int_equal(nvalid, 2);
	/* quick: none + size 0 (4 configs) + sizes 1, 16, 300 (12 each) */
	assert_int_equal(nrep, 1 + 4 + 3 * 12);
	assert_true(saw_none);
	assert_true(nrep_ok > 0);
	size_t nrecs = json_array_size(recs);
	json_decref(set);

	snprintf(path, sizeof(path), "%s/exit.csv", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char header[8192];
	assert_non_null(fgets(header, sizeof(header), f));
	assert_non_null(strstr(header, "median_ns"));
	assert_non_null(strstr(header, "filter_size"));
	size_t lines = 0;
	char line[65536];
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	assert_int_equal(lines, nrecs); /* one CSV row per record */
	free(out);
	free(err);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static double real(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_number(v))
		fail_msg("field %s is not a number", k);
	return json_number_value(v);
}

/* The execution mode pfbench detects (its probe VM) must be what the KVM
 * stats of the measurement runs themselves show, with counts only:
 * - emulated: KVM's emulator executes every guest instruction, the timing
 *   code too, so the CPUID `each` run has at least 14 emulated
 *   instructions per CPUID (lfence; rdtsc; lfence; shl; or; mov — twice —
 *   plus mov and cpuid) and the amortized run at least 5 (mov, xor, cpuid,
 *   dec, jnz), with fewer VM exits than CPUIDs;
 * - native: every CPUID is a VM exit and fewer instructions than CPUIDs
 *   are emulated;
 * - unknown: the reason is given.
 * The host_ns/exit quotient is gone: records carry host_run_ns. */
static void test_execution_matches_stats(void **state)
{
	(void)state;
	int kfd = kvm_sys_open();
	if (kfd < 0)
		need_skip("kvm", "/dev/kvm not usable (%s)", strerror(-kfd));
	close(kfd);
	char dir[] = "/tmp/pfbench-exit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *out, *err;
	const char *args[] = { "--quick", "--only", "baselines", "--no-vmcall", "--rounds", "1",
			       "--no-raw", "-o", dir, NULL };
	int rc = run(args, &out, &err);
	if (rc != 0)
		fail_msg("pfbench exit: exit %d\nstdout: %s\nstderr: %s", rc, out, err);
	assert_null(strstr(out, "host_ns/exit"));
	assert_null(strstr(out, "host/exit"));
	char path[256], msg[256];
	snprintf(path, sizeof(path), "%s/exit.json", dir);
	json_t *set = out_read_json(path, msg, sizeof(msg));
	if (!set)
		fail_msg("%s: %s", path, msg);
	const json_t *ex = json_object_get(json_object_get(set, "context"), "exit");
	const char *mode = str(ex, "guest_execution");
	const char *why = str(ex, "guest_execution_why");
	print_message("guest execution: %s (%s)\n", mode, why);
	assert_true(strlen(why) > 0);
	const json_t *km = json_object_get(ex, "kvm_module");
	assert_true(json_is_null(km) || !strcmp(json_string_value(km), "kvm_pvm") ||
		    !strcmp(json_string_value(km), "kvm_intel") ||
		    !strcmp(json_string_value(km), "kvm_amd"));
	bool emulated = !strcmp(mode, "emulated"), native = !strcmp(mode, "native");
	assert_true(emulated || native || !strcmp(mode, "unknown"));
	if (emulated || native) {
		double e = real(ex, "kvm_insn_emulation_per_cpuid"), x = real(ex, "kvm_exits_per_cpuid");
		/* exits are not bounded when emulated: a busy host adds its own */
		assert_true(emulated ? e >= 1.5 : e < 1.5 && x >= 1);
	}
	size_t i, checked = 0;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r) {
		if (strcmp(str(r, "group"), "baseline"))
			continue;
		assert_null(json_object_get(r, "host_run_ns_per_exit"));
		if (strcmp(str(r, "status"), "ok"))
			continue;
		assert_true(real(r, "host_run_ns") > 0);
		if (strcmp(str(r, "exit"), "cpuid") || !json_is_true(json_object_get(r, "kvm_stats")) ||
		    !json_is_integer(json_object_get(r, "kvm_insn_emulation")) ||
		    !json_is_integer(json_object_get(r, "kvm_exits")))
			continue;
		json_int_t n = json_integer_value(json_object_get(r, "exiting_insns"));
		json_int_t em = json_integer_value(json_object_get(r, "kvm_insn_emulation"));
		json_int_t vx = json_integer_value(json_object_get(r, "kvm_exits"));
		bool each = !strcmp(str(r, "mode"), "each");
		print_message("cpuid %s: %lld CPUIDs, insn_emulation %lld, exits %lld\n", str(r, "mode"),
			      (long long)n, (long long)em, (long long)vx);
		assert_true(n > 0);
		if (emulated) {
			assert_true(em >= (each ? 14 : 5) * n);
		} else if (native) {
			assert_true(vx >= n);
			assert_true(em < n);
		}
		checked++;
	}
	if (emulated || native)
		assert_int_equal(checked, 2); /* each and amortized */
	json_decref(set);
	free(out);
	free(err);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/* --filter: a .pmuf, a QEMU JSON and a kvm-raw file swept as they are,
 * their records named by file and content hash. */
static void test_user_filters(void **state)
{
	(void)state;
	int kfd = kvm_sys_open();
	if (kfd < 0)
		need_skip("kvm", "/dev/kvm not usable (%s)", strerror(-kfd));
	close(kfd);
	char dir[] = "/tmp/pfbench-exit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *out, *err;
	const char *args[] = { "--quick", "--only", "sweep", "--sizes", "0", "--samples", "10", "-o", dir,
			       "--filter", "filters/specs/intel-allow-branches.pmuf", "--filter",
			       "filters/specs/qemu-masked.json", "--filter", "filters/specs/intel-allow-branches.bin",
			       NULL };
	int rc = run(args, &out, &err);
	if (rc != 0)
		fail_msg("pfbench exit --filter: exit %d\nstdout: %s\nstderr: %s", rc, out, err);
	free(out);
	free(err);
	char path[128], msg[256];
	snprintf(path, sizeof(path), "%s/exit.json", dir);
	json_t *set = out_read_json(path, msg, sizeof(msg));
	if (!set)
		fail_msg("%s: %s", path, msg);
	static const char *const names[] = { "intel-allow-branches.pmuf", "qemu-masked.json",
					     "intel-allow-branches.bin" };
	int seen[3][2] = { { 0 } };
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(set, "records"), i, r) {
		if (!json_is_string(json_object_get(r, "filter_hash")))
			continue;
		int k = -1;
		for (int n = 0; n < 3; n++)
			if (!strcmp(str(r, "filter"), names[n]))
				k = n;
		assert_true(k >= 0);
		bool first = !strcmp(str(r, "position"), "first-entry");
		assert_true(first || !strcmp(str(r, "position"), "unnamed-select"));
		seen[k][first]++;
		assert_int_equal(json_integer_value(json_object_get(r, "filter_size")), 4);
		/* the first entry of each of these specs is select 0xc4 */
		if (first)
			assert_string_equal(str(r, "eventsel"), "0x4300c4");
		if (!strcmp(str(r, "status"), "ok"))
			check_stats(r, names[k]);
	}
	for (int k = 0; k < 3; k++)
		if (seen[k][0] != 1 || seen[k][1] != 1)
			fail_msg("%s: %d first-entry, %d unnamed-select records", names[k], seen[k][1], seen[k][0]);
	json_decref(set);
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/* --seed N on exit: the sweep's sizes in order_shuffle()'s order for N
 * (context.exit.sizes, and the records in that order, no filter still
 * first); without it, the order given and seed null. */
static void test_seed_sweep(void **state)
{
	(void)state;
	int kfd = kvm_sys_open();
	if (kfd < 0)
		need_skip("kvm", "/dev/kvm not usable (%s)", strerror(-kfd));
	close(kfd);
	for (int seeded = 0; seeded <= 1; seeded++) {
		char dir[64], msg[256], path[128], *out, *err;
		cli_mkdtemp(dir, sizeof(dir));
		const char *args[] = { "--only", "sweep", "--sizes", "1,2,3,4,5", "-n", "5", "--warmup",
				       "0", "-o", dir, seeded ? "--seed" : NULL, "9", NULL };
		int rc = run(args, &out, &err);
		if (rc != 0)
			fail_msg("exit --seed: exit %d: %s", rc, err);
		free(out);
		free(err);
		snprintf(path, sizeof(path), "%s/exit.json", dir);
		json_t *set = out_read_json(path, msg, sizeof(msg));
		if (!set)
			fail_msg("%s: %s", path, msg);
		const json_t *ctx = json_object_get(json_object_get(set, "context"), "exit");
		unsigned want[5] = { 1, 2, 3, 4, 5 };
		if (seeded) {
			order_shuffle(want, 5, 9);
			assert_string_equal(str(ctx, "seed"), "0x9");
		} else {
			assert_true(json_is_null(json_object_get(ctx, "seed")));
		}
		const json_t *szs = json_object_get(ctx, "sizes");
		assert_int_equal(json_array_size(szs), 5);
		for (size_t i = 0; i < 5; i++)
			assert_int_equal(json_integer_value(json_array_get(szs, i)), want[i]);
		/* the records: no filter, then each size's configurations together */
		const json_t *recs = json_object_get(set, "records");
		assert_string_equal(str(json_array_get(recs, 0), "filter"), "none");
		size_t i, k = 0;
		long long last = -1;
		json_t *r;
		json_array_foreach(recs, i, r) {
			json_t *fs = json_object_get(r, "filter_size");
			if (!i || !json_is_integer(fs) || json_integer_value(fs) == last)
				continue;
			last = json_integer_value(fs);
			assert_true(k < 5);
			assert_int_equal(last, want[k++]);
		}
		assert_int_equal(k, 5);
		json_decref(set);
		cli_rmdir(dir);
	}
}

/* Without /dev/kvm: exit 4, and exit.json still says why (as install's
 * does), with no records and complete: false. */
static void test_no_kvm(void **state)
{
	(void)state;
	char dir[64], path[128], msg[256];
	cli_mkdtemp(dir, sizeof(dir));
	char *out, *err;
	const char *args[] = { "exit", "--quick", "-o", dir, NULL };
	int st = cli_run_ex(args, &out, &err, 1);
	if (st == CLI_NO_NAMESPACE) {
		free(out);
		free(err);
		cli_rmdir(dir);
		need_skip("namespace", "cannot hide /dev/kvm (needs a private mount namespace: root)");
	}
	if (st != 4)
		fail_msg("exit without /dev/kvm: exit %d, stderr %s", st, err);
	assert_non_null(strstr(err, "skipped: no usable /dev/kvm"));
	snprintf(path, sizeof(path), "%s/exit.json", dir);
	json_t *set = out_read_json(path, msg, sizeof(msg));
	if (!set)
		fail_msg("%s: %s", path, msg);
	assert_int_equal(json_array_size(json_object_get(set, "records")), 0);
	assert_false(json_is_true(json_object_get(set, "complete")));
	const json_t *sk = json_array_get(json_object_get(set, "skipped"), 0);
	assert_string_equal(str(sk, "what"), "exit");
	assert_non_null(strstr(str(sk, "why"), "/dev/kvm"));
	json_decref(set);
	free(out);
	free(err);
	cli_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_usage),
		cmocka_unit_test(test_no_kvm),
		cmocka_unit_test(test_quick_records),
		cmocka_unit_test(test_user_filters),
		cmocka_unit_test(test_seed_sweep),
		cmocka_unit_test(test_execution_matches_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
