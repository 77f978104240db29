/* cmd-filter-show.c — `pfbench filter show` (a decoded table of a filter)
 * and `pfbench filter validate` (what the kernel would answer to it). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmd-filter.h"
#include "cmd-filter-opts.h"
#include "kvm-sys.h"
#include "util.h"

struct common_opts {
	enum pmuf_format fmt;
	enum pmuf_flavor vendor;
	bool kernel; /* validate --kernel: ask the running kernel too */
	const char *file;
};

static const struct opt_doc show_doc = {
	.cmd = "filter show",
	.synopsis = "[--format FMT] [--vendor intel|amd] [--pmu P] FILE",
	.about = "Prints the filter as a table: every entry's index, raw 64-bit value, kind\n"
		 "(exact, or masked include/exclude), select, umask or mask/match, and the line\n"
		 "and event name it came from. Entries the kernel would silently drop, or reject,\n"
		 "are marked for the flavor in use: --vendor, else the one the file declares,\n"
		 "else this host's (probed from KVM, else the CPU's).\n\n",
	.status = "exit status: 0 shown, 2 usage or bad input",
};

static const struct opt_doc validate_doc = {
	.cmd = "filter validate",
	.synopsis = "[--kernel] [--format FMT] [--vendor intel|amd] [--pmu P] FILE",
	.about =
		 "Answers as KVM_SET_PMU_EVENT_FILTER would (or, for arm64 filters, the\n"
		 "KVM_ARM_VCPU_PMU_V3_FILTER calls). Prints `ok` with the entry counts and every\n"
		 "entry the kernel silently drops, and exits 0; or prints the errno name the\n"
		 "kernel returns (EINVAL, E2BIG) as the first word, with the reason, and exits 1.\n"
		 "The flavor: --vendor, else the one the file declares, else this host's (probed\n"
		 "from KVM, else the CPU's).\n"
		 "With --kernel, the running kernel answers too: FILE is installed with\n"
		 "KVM_SET_PMU_EVENT_FILTER on a scratch VM (no memory, no vCPU), and the model\n"
		 "is asked with the flavor probed from KVM. Prints `kernel: ...`, `model: ...`\n"
		 "and `agree` or `DISAGREE: ...`; exits 0 when the kernel accepts and both\n"
		 "agree, 1 when it refuses or they disagree, 4 when /dev/kvm or the filter\n"
		 "ioctl is missing. The ioctl shows acceptance only: which entries the kernel\n"
		 "drops and what it decides are not visible through it (`pfbench check`\n"
		 "counts events on a host with a vPMU).\n\n",
	.status = "exit status: 0 the kernel accepts FILE (and, with --kernel, both agree),\n"
		  "1 it refuses FILE (or they disagree), 2 usage or bad input, 4 skipped\n"
		  "(--kernel without /dev/kvm or the filter ioctl)",
};

/* Options both subcommands share; validate adds --kernel. */
static void parse_common(int argc, char **argv, bool validate, struct common_opts *o)
{
	static const struct filter_opts_spec show_spec = {
		.which = FOPT_FORMAT | FOPT_VENDOR | FOPT_PMU,
		.format_help = "pmuf, qemu-json or kvm-raw (default: by extension:\n"
			       ".pmuf, .json, .bin)",
		.vendor_help = "judge entries with KVM's intel (8-bit select) or amd\n"
			       "(12-bit select) flavor",
	};
	static const struct filter_opts_spec validate_spec = {
		.which = FOPT_FORMAT | FOPT_VENDOR | FOPT_PMU,
		.vendor_help = "intel (8-bit event select) or amd (12-bit)",
	};
	const struct opt_doc *doc = validate ? &validate_doc : &show_doc;
	struct filter_opts fo = { 0 };
	struct opt opts[] = {
		OPT_FLAG('K', "kernel", &o->kernel, "ask the running kernel (a scratch VM) as well as the model"),
		OPT_PARENT(filter_opts_table(&fo, validate ? &validate_spec : &show_spec)),
		OPT_END(),
	};
	memset(o, 0, sizeof(*o));
	int first = opts_parse(doc, validate ? opts : opts + 1, argc, argv);
	filter_opts_apply(&fo, doc, validate ? opts : opts + 1);
	o->fmt = fo.fmt;
	o->vendor = fo.flavor;
	o->file = filter_opts_one_file(doc, validate ? opts : opts + 1, argc, argv, first);
}

static const char *action_name(uint32_t a)
{
	return a == PMUF_ALLOW ? "allow" : a == PMUF_DENY ? "deny" : "invalid";
}

static void describe_fixed(const struct pmuf_filter *f)
{
	printf("# fixed_counter_bitmap 0x%08" PRIx32, f->fixed_counter_bitmap);
	if (f->action != PMUF_ALLOW && f->action != PMUF_DENY) {
		printf(" (the action is invalid)\n");
		return;
	}
	printf(": fixed counters ");
	if (!f->fixed_counter_bitmap) {
		printf("all %s\n", f->action == PMUF_ALLOW ? "denied" : "allowed");
		return;
	}
	const char *sep = "";
	for (unsigned i = 0; i < 32; i++)
		if (f->fixed_counter_bitmap & (1u << i)) {
			printf("%s%u", sep, i);
			sep = ",";
		}
	printf(" %s, the others %s\n", f->action == PMUF_ALLOW ? "allowed" : "denied",
	       f->action == PMUF_ALLOW ? "denied" : "allowed");
}

static bool is_dropped(const struct pmuf_verdict *v, size_t i)
{
	for (size_t k = 0; k < v->ndropped; k++)
		if (v->dropped[k] == i)
			return true;
	return false;
}

static void show_x86(const struct common_opts *o, const struct pmuf_filter *f)
{
	const char *how;
	enum pmuf_flavor fl = cmd_filter_flavor(f, o->vendor, false, &how);
	bool masked = f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	struct pmuf_verdict v;
	int err = fl == PMUF_FLAVOR_UNSET ? 0 : pmuf_validate(f, fl, &v);

	printf("# %s: x86 filter, action %s (%" PRIu32 "), flags 0x%" PRIx32 "%s, %zu entries\n", o->file,
	       action_name(f->action), f->action, f->flags, masked ? " (masked events)" : "", f->nevents);
	describe_fixed(f);
	if (f->pad[0] || f->pad[1] || f->pad[2] || f->pad[3])
		printf("# pad 0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 " (the kernel ignores it)\n",
		       f->pad[0], f->pad[1], f->pad[2], f->pad[3]);
	if (fl == PMUF_FLAVOR_UNSET)
		printf("# flavor unknown (pass --vendor): dropped entries are not marked\n");
	else if (err)
		printf("# flavor %s (%s): the kernel refuses this filter: %s %s\n", pmuf_flavor_name(fl), how,
		       pmuf_errno_name(err), v.reason);
	else
		printf("# flavor %s (%s): the kernel keeps %zu includes, %zu excludes; %zu dropped\n",
		       pmuf_flavor_name(fl), how, v.nincludes, v.nexcludes, v.ndropped);

	uint64_t exact_ok = fl == PMUF_FLAVOR_UNSET ? PMUF_RAW_EVENT_MASK_NB : pmuf_exact_valid_bits(fl);
	uint64_t masked_ok = fl == PMUF_FLAVOR_UNSET ? ~0ull : pmuf_masked_valid_bits(fl);
	printf("%4s  %-18s  %-7s  %-6s  %-5s  %-4s  %-5s  %5s  %s\n", "idx", "entry", "kind", "select",
	       "umask", "mask", "match", "line", "name / note");
	for (size_t i = 0; i < f->nevents; i++) {
		uint64_t e = f->events[i];
		char sel[8], umask[8] = "-", mask[8] = "-", match[8] = "-", line[12] = "-", note[160] = "";
		snprintf(sel, sizeof(sel), "0x%03x", (unsigned)((e & 0xFF) | ((e >> 24) & 0xF00)));
		const char *kind;
		if (masked) {
			kind = (e & PMUF_MASKED_EXCLUDE) ? "exclude" : "include";
			snprintf(mask, sizeof(mask), "0x%02x", (unsigned)(e >> PMUF_MASKED_UMASK_MASK_SHIFT));
			snprintf(match, sizeof(match), "0x%02x", (unsigned)((e >> 8) & 0xFF));
			if (e & ~masked_ok)
				snprintf(note, sizeof(note), "EINVAL: bits 0x%" PRIx64 " outside select|match|mask|exclude",
					 e & ~masked_ok);
		} else {
			kind = "exact";
			snprintf(umask, sizeof(umask), "0x%02x", (unsigned)((e >> 8) & 0xFF));
			if (fl != PMUF_FLAVOR_UNSET && !err && is_dropped(&v, i))
				snprintf(note, sizeof(note), "dropped: bits 0x%" PRIx64 " outside select+umask",
					 e & ~exact_ok);
		}
		const char *name = f->src ? f->src[i].name : "";
		if (f->src && f->src[i].line > 0)
			snprintf(line, sizeof(line), "%d", f->src[i].line);
		char row[512];
		int n = snprintf(row, sizeof(row), "%4zu  0x%016" PRIx64 "  %-7s  %-6s  %-5s  %-4s  %-5s  %5s  %s%s%s",
				 i, e, kind, sel, umask, mask, match, line, name, name[0] && note[0] ? "  " : "",
				 note);
		for (n = n < (int)sizeof(row) ? n : (int)sizeof(row) - 1; n > 0 && row[n - 1] == ' '; n--)
			row[n - 1] = '\0';
		printf("%s\n", row);
	}
	if (fl != PMUF_FLAVOR_UNSET)
		pmuf_verdict_free(&v);
}

static void show_arm64(const struct common_opts *o, const struct pmuf_filter *f)
{
	unsigned nr = pmuf_arm_nr_events(f);
	struct pmuf_verdict v;
	uint64_t *bm = NULL;
	int err = pmuf_arm_bitmap(f, &bm, &v);

	printf("# %s: arm64 filter, %zu ranges, %u-event space\n", o->file, f->nranges, nr);
	if (!f->nranges)
		printf("# no ranges: every event counts\n");
	else if (f->ranges[0].action == PMUF_ALLOW || f->ranges[0].action == PMUF_DENY)
		printf("# the first range %ss, so every event no range names is %s\n",
		       action_name(f->ranges[0].action), f->ranges[0].action == PMUF_ALLOW ? "denied" : "allowed");
	printf("%4s  %-7s  %-10s  %-10s  %s\n", "idx", "action", "base", "end", "nevents");
	for (size_t i = 0; i < f->nranges; i++) {
		const struct pmuf_arm_range *r = &f->ranges[i];
		char end[16] = "-";
		if (r->nevents)
			snprintf(end, sizeof(end), "0x%" PRIx64, (uint64_t)r->base + r->nevents - 1);
		printf("%4zu  %-7s  0x%-8" PRIx32 "  %-10s  %" PRIu32 "\n", i, action_name(r->action), r->base,
		       end, r->nevents);
	}
	if (err) {
		printf("# the kernel refuses this filter: %s %s\n", pmuf_errno_name(err), v.reason);
	} else if (bm) {
		unsigned n = 0;
		for (unsigned e = 0; e < nr; e++)
			n += e == PMUF_ARM_EVENT_SW_INCR || e == PMUF_ARM_EVENT_CHAIN ||
			     ((bm[e / 64] >> (e % 64)) & 1);
		printf("# %u of %u events count (SW_INCR 0x0 and CHAIN 0x1e are never filtered; the cycle "
		       "counter follows 0x11: %s)\n",
		       n, nr, (bm[0] >> PMUF_ARM_EVENT_CPU_CYCLES) & 1 ? "allowed" : "denied");
	}
	free(bm);
	pmuf_verdict_free(&v);
}

int cmd_filter_show(int argc, char **argv)
{
	struct common_opts o;
	struct pmuf_filter f;
	parse_common(argc, argv, false, &o);
	cmd_filter_load(o.file, o.fmt, &f);
	if (f.arch == PMUF_ARCH_ARM64)
		show_arm64(&o, &f);
	else
		show_x86(&o, &f);
	pmuf_free(&f);
	return EXIT_OK;
}

/* validate --kernel: the running kernel's answer on a scratch VM beside
 * the model's, with the flavor KVM validates with. */
static int cmd_filter_validate_kernel(const char *file, const struct pmuf_filter *f, enum pmuf_flavor vendor)
{
	if (f->arch != PMUF_ARCH_X86) {
		printf("skipped: %s is an arm64 filter; --kernel installs x86 filters "
		       "(KVM_SET_PMU_EVENT_FILTER) only\n", file);
		return EXIT_SKIP;
	}
	int kvm = kvm_sys_open();
	if (kvm < 0) {
		printf("skipped: /dev/kvm: %s; the kernel cannot be asked here\n", strerror(-kvm));
		return EXIT_SKIP;
	}
	if (kvm_sys_check_cap(kvm, KVM_CAP_PMU_EVENT_FILTER) <= 0) {
		close(kvm);
		printf("skipped: this KVM has no KVM_CAP_PMU_EVENT_FILTER\n");
		return EXIT_SKIP;
	}
	enum pmuf_flavor fl;
	const char *how = "probed from KVM";
	int r = kvm_sys_probe_flavor(&fl);
	if (r < 0) { /* no masked events: any flavor judges an unmasked filter alike */
		fl = cmd_filter_flavor(f, vendor, true, &how);
	} else if (vendor != PMUF_FLAVOR_UNSET && vendor != fl) {
		printf("# --vendor %s is not this KVM's flavor (%s, probed); the model uses KVM's\n",
		       pmuf_flavor_name(vendor), pmuf_flavor_name(fl));
	}
	int vm = kvm_sys_create_vm(kvm);
	close(kvm);
	if (vm < 0)
		die_errno("KVM_CREATE_VM", -vm);
	int kr = __vm_set_pmu_filter(vm, f);
	close(vm);
	if (kr == -EOPNOTSUPP) { /* arm64: the filter is a vCPU attribute */
		printf("skipped: this architecture has no KVM_SET_PMU_EVENT_FILTER\n");
		return EXIT_SKIP;
	}
	if (kr == -ENOMEM)
		die_errno("pmuf_to_kvm", ENOMEM);
	struct pmuf_verdict v;
	int mr = pmuf_validate(f, fl, &v);
	printf("kernel: %s (KVM_SET_PMU_EVENT_FILTER on a scratch VM)\n", pmuf_errno_name(kr));
	printf("model:  %s%s%s (flavor %s, %s)\n", pmuf_errno_name(mr), mr ? " " : "", mr ? v.reason : "",
	       pmuf_flavor_name(fl), how);
	int st = kr ? EXIT_FAIL : EXIT_OK;
	if (kr == mr) {
		printf("agree\n");
	} else {
		printf("DISAGREE: the kernel answers %s, pfbench's model %s; the model is wrong for this "
		       "kernel (please report it with this file)\n", pmuf_errno_name(kr), pmuf_errno_name(mr));
		st = EXIT_FAIL;
	}
	pmuf_verdict_free(&v);
	return st;
}

/* " (entry 3, line 7: icl::...)" for the entry a verdict names. */
static void where(const struct pmuf_filter *f, size_t i, char *buf, size_t len)
{
	buf[0] = '\0';
	if (i == SIZE_MAX || f->arch != PMUF_ARCH_X86 || i >= f->nevents || !f->src)
		return;
	const struct pmuf_src *s = &f->src[i];
	if (s->line > 0 && s->name[0])
		snprintf(buf, len, " (line %d: %s)", s->line, s->name);
	else if (s->line > 0)
		snprintf(buf, len, " (line %d)", s->line);
	else if (s->name[0])
		snprintf(buf, len, " (%s)", s->name);
}

int cmd_filter_validate(int argc, char **argv)
{
	struct common_opts o;
	struct pmuf_filter f;
	struct pmuf_verdict v;
	char loc[160];
	const char *how = "";
	enum pmuf_flavor fl = PMUF_FLAVOR_UNSET;

	parse_common(argc, argv, true, &o);
	cmd_filter_load(o.file, o.fmt, &f);
	if (o.kernel) {
		int st = cmd_filter_validate_kernel(o.file, &f, o.vendor);
		pmuf_free(&f);
		return st;
	}
	if (f.arch == PMUF_ARCH_X86)
		fl = cmd_filter_flavor(&f, o.vendor, true, &how);
	int err = pmuf_validate(&f, fl, &v);
	if (err) {
		where(&f, v.bad_index, loc, sizeof(loc));
		printf("%s %s%s\n", pmuf_errno_name(err), v.reason, loc);
		pmuf_verdict_free(&v);
		pmuf_free(&f);
		return EXIT_FAIL;
	}
	if (f.arch == PMUF_ARCH_ARM64) {
		printf("ok %zu ranges, %u-event space\n", f.nranges, pmuf_arm_nr_events(&f));
	} else {
		printf("ok %zu entries: %zu kept (%zu includes, %zu excludes), %zu dropped; action %s%s; "
		       "flavor %s (%s)\n",
		       f.nevents, v.nincludes + v.nexcludes, v.nincludes, v.nexcludes, v.ndropped,
		       action_name(f.action), pmuf_is_masked(&f) ? ", masked events" : "", pmuf_flavor_name(fl),
		       how);
		uint64_t ok_bits = pmuf_exact_valid_bits(fl);
		for (size_t k = 0; k < v.ndropped; k++) {
			size_t i = v.dropped[k];
			where(&f, i, loc, sizeof(loc));
			printf("dropped entry %zu 0x%016" PRIx64 "%s: bits 0x%" PRIx64
			       " are outside select+umask (0x%" PRIx64 ")\n",
			       i, f.events[i], loc, f.events[i] & ~ok_bits, ok_bits);
		}
	}
	pmuf_verdict_free(&v);
	pmuf_free(&f);
	return EXIT_OK;
}
