/* test_filters_names.c — events by name through libpfm4 (filters/names.c),
 * for PMU models this host does not have. Values are the vendors' event
 * codes (Intel SDM / AMD PPR) that the kernel selftest also uses. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <papi.h>

#include "pmuf.h"

struct name_case {
	const char *name;
	uint16_t select;
	uint8_t umask;
};

static const struct name_case known[] = {
	/* The selftest's masked-event triplets. */
	{ "icl::MEM_INST_RETIRED:ALL_LOADS", 0xD0, 0x81 },
	{ "icl::MEM_INST_RETIRED:ALL_STORES", 0xD0, 0x82 },
	{ "amd64_fam19h_zen4::LS_DISPATCH:LD_DISPATCH", 0x29, 0x01 },
	{ "amd64_fam19h_zen4::LS_DISPATCH:STORE_DISPATCH", 0x29, 0x02 },
	{ "amd64_fam19h_zen4::LS_DISPATCH:LD_ST_DISPATCH", 0x29, 0x04 },
	/* Architectural / branch events of the selftest's base list. */
	{ "skl::INST_RETIRED:ANY_P", 0xC0, 0x00 },
	{ "skl::BR_INST_RETIRED:ALL_BRANCHES", 0xC4, 0x00 },
	{ "amd64_fam17h_zen2::RETIRED_BRANCH_INSTRUCTIONS", 0xC2, 0x00 },
	/* A 12-bit AMD select: EventSelect[11:8] lives in bits 35:32. */
	{ "amd64_fam19h_zen4::RETIRED_UCODE_OPS", 0x1C2, 0x00 },
	/* Modifiers the filter cannot see are dropped. */
	{ "icl::MEM_INST_RETIRED:ALL_LOADS:u=1:c=2", 0xD0, 0x81 },
	/* Intel's IN_TX (bit 32) is not part of the select. */
	{ "hsw::INST_RETIRED:ANY_P:intx=1", 0xC0, 0x00 },
};

static void check_known(void)
{
	char msg[256];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		uint16_t sel = 0xFFFF;
		uint8_t um = 0xAA;
		int r = pmuf_event_by_name(known[i].name, &sel, &um, msg, sizeof(msg));

		if (r)
			fail_msg("%s: %s (%s)", known[i].name, pmuf_errno_name(r), msg);
		if (sel != known[i].select || um != known[i].umask)
			fail_msg("%s: got 0x%x/0x%02x, want 0x%x/0x%02x", known[i].name, sel, um,
				 known[i].select, known[i].umask);
	}
}

static void test_known_names(void **state)
{
	(void)state;
	check_known();
}

static void test_unknown_names(void **state)
{
	static const struct {
		const char *name;
		int err;
		const char *text; /* part of libpfm's pfm_strerror() */
	} bad[] = {
		{ "icl::NO_SUCH_EVENT", -ENOENT, "event not found" },
		{ "no_such_pmu::INST_RETIRED", -ENOENT, "event not found" },
		{ "icl::MEM_INST_RETIRED:NO_SUCH_UMASK", -EINVAL, "attribute" },
		/* perf:: events are OS generic, not core event selects. */
		{ "perf::CYCLES", -EINVAL, "not a core PMU" },
	};
	char msg[256];
	uint16_t sel;
	uint8_t um;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = pmuf_event_by_name(bad[i].name, &sel, &um, msg, sizeof(msg));

		if (r != bad[i].err)
			fail_msg("%s: got %s, want %s (%s)", bad[i].name, pmuf_errno_name(r),
				 pmuf_errno_name(bad[i].err), msg);
		if (!strstr(msg, bad[i].text) || !strstr(msg, bad[i].name))
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].name, msg,
				 bad[i].text);
	}
	/* msg may be NULL. */
	assert_int_equal(pmuf_event_by_name("icl::NO_SUCH_EVENT", &sel, &um, NULL, 0), -ENOENT);
}

/* PAPI initializes libpfm4 itself, without LIBPFM_ENCODE_INACTIVE; names
 * of absent PMUs must still resolve afterwards (names.c re-initializes). */
static void test_after_papi(void **state)
{
	(void)state;
	int r = PAPI_library_init(PAPI_VER_CURRENT);

	if (r != PAPI_VER_CURRENT) {
		print_message("SKIP: PAPI_library_init: %s\n", PAPI_strerror(r));
		skip();
	}
	check_known();
	PAPI_shutdown();
}

/* Every spelling of one event resolves to the same (select, umask): the
 * table's entry for it, libpfm4's name, Intel's and perf's EVENT.UMASK in
 * any case, an alias PMU, a default PMU instead of pmu::, modifiers. */
static const struct spelling_case {
	const char *pmu;       /* the lookup's PMU for names without pmu:: */
	const char *table;     /* the name in the PMU's table */
	const char *names[7];
} spellings[] = {
	{ "icl", "MEM_INST_RETIRED:ALL_LOADS",
	  { "icl::MEM_INST_RETIRED:ALL_LOADS", "icl::MEM_INST_RETIRED.ALL_LOADS", "icl::mem_inst_retired.all_loads",
	    "MEM_INST_RETIRED.ALL_LOADS", "mem_inst_retired:all_loads", "icelake::MEM_INST_RETIRED.ALL_LOADS",
	    "MEM_INST_RETIRED.ALL_LOADS:u" } },
	{ "spr", "BR_MISP_RETIRED:ALL_BRANCHES",
	  { "spr::BR_MISP_RETIRED:ALL_BRANCHES", "BR_MISP_RETIRED.ALL_BRANCHES", "br_misp_retired.all_branches",
	    "sapphirerapids::BR_MISP_RETIRED.ALL_BRANCHES", NULL } },
	{ "zen4", "LS_DISPATCH:LD_DISPATCH",
	  { "amd64_fam19h_zen4::LS_DISPATCH:LD_DISPATCH", "zen4::LS_DISPATCH:LD_DISPATCH",
	    "ls_dispatch.ld_dispatch", "LS_DISPATCH.LD_DISPATCH", "zen4::ls_dispatch:ld_dispatch:k", NULL } },
	/* a 12-bit select (0x1c7) */
	{ "amd64_fam19h_zen3", "RETIRED_BRANCH_MISPREDICTED_DIRECTION_MISMATCH",
	  { "zen3::RETIRED_BRANCH_MISPREDICTED_DIRECTION_MISMATCH", "retired_branch_mispredicted_direction_mismatch",
	    "amd64_fam19h_zen3::Retired_Branch_Mispredicted_Direction_Mismatch",
	    "RETIRED_BRANCH_MISPREDICTED_DIRECTION_MISMATCH", NULL } },
};

static void test_spellings(void **state)
{
	(void)state;
	char msg[1536];
	for (size_t c = 0; c < sizeof(spellings) / sizeof(spellings[0]); c++) {
		const struct spelling_case *sc = &spellings[c];
		struct pmuf_pmu_table t;
		assert_int_equal(pmuf_pmu_table_load(sc->pmu, &t, msg, sizeof(msg)), 0);
		const struct pmuf_pmu_event *want = NULL;
		for (size_t i = 0; i < t.nevents && !want; i++)
			if (!strcmp(t.events[i].name, sc->table))
				want = &t.events[i];
		if (!want)
			fail_msg("%s: %s is not in the table of %zu events", sc->pmu, sc->table, t.nevents);
		for (size_t k = 0; k < 7 && sc->names[k]; k++) {
			struct pmuf_named_event ev;
			int r = pmuf_event_lookup(sc->names[k], sc->pmu, &ev, msg, sizeof(msg));
			if (r)
				fail_msg("%s (pmu %s): %s (%s)", sc->names[k], sc->pmu, pmuf_errno_name(r), msg);
			if (ev.select != want->select || ev.umask != want->umask)
				fail_msg("%s: 0x%x/0x%02x, the table's %s is 0x%x/0x%02x", sc->names[k], ev.select,
					 ev.umask, sc->table, want->select, want->umask);
			assert_string_equal(ev.pmu, t.pmu);
		}
		/* the default PMU stands in for pmu:: */
		assert_int_equal(pmuf_default_pmu_set(sc->pmu, msg, sizeof(msg)), 0);
		uint16_t sel;
		uint8_t um;
		assert_int_equal(pmuf_event_by_name(sc->names[3] ? sc->names[3] : sc->names[1], &sel, &um, msg,
						    sizeof(msg)), 0);
		assert_int_equal(sel, want->select);
		assert_int_equal(um, want->umask);
		assert_int_equal(pmuf_default_pmu_set(NULL, NULL, 0), 0);
		pmuf_pmu_table_free(&t);
	}
}

/* Every entry of a PMU's table resolves by its own name to itself. */
static void test_tables(void **state)
{
	(void)state;
	static const char *const pmus[] = { "icl", "spr", "skl", "zen3", "zen4" };
	char msg[1536], name[160];
	for (size_t p = 0; p < 5; p++) {
		struct pmuf_pmu_table t;
		assert_int_equal(pmuf_pmu_table_load(pmus[p], &t, msg, sizeof(msg)), 0);
		if (t.nevents < 100)
			fail_msg("%s: only %zu events", pmus[p], t.nevents);
		assert_int_equal(t.flavor, p >= 3 ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL);
		for (size_t i = 0; i < t.nevents; i++) {
			struct pmuf_named_event ev;
			snprintf(name, sizeof(name), "%s::%s", t.pmu, t.events[i].name);
			assert_int_equal(pmuf_event_lookup(name, NULL, &ev, msg, sizeof(msg)), 0);
			if (ev.select != t.events[i].select || ev.umask != t.events[i].umask)
				fail_msg("%s: table 0x%x/0x%02x, lookup 0x%x/0x%02x", name, t.events[i].select,
					 t.events[i].umask, ev.select, ev.umask);
			assert_int_equal(ev.fixed, t.events[i].fixed);
		}
		pmuf_pmu_table_free(&t);
	}
}

static void test_fixed_and_suggestions(void **state)
{
	(void)state;
	struct pmuf_named_event ev;
	char msg[1536];
	/* Intel's fixed-counter events: event 0x00, umask N+1 */
	assert_int_equal(pmuf_event_lookup("INST_RETIRED.ANY", "icl", &ev, msg, sizeof(msg)), 0);
	assert_int_equal(ev.fixed, 0);
	assert_int_equal(pmuf_event_lookup("INST_RETIRED.ANY_P", "icl", &ev, msg, sizeof(msg)), 0);
	assert_int_equal(ev.fixed, -1);
	assert_int_equal(ev.select, 0xC0);
	/* a near miss names the closest events */
	assert_int_equal(pmuf_event_lookup("INST_RETIRD.ANY", "icl", &ev, msg, sizeof(msg)), -ENOENT);
	if (!strstr(msg, "did you mean icl::INST_RETIRED:ANY"))
		fail_msg("no suggestion: %s", msg);
	assert_int_equal(pmuf_event_lookup("MEM_INST_RETIRED.ALL_LOAD", "icl", &ev, msg, sizeof(msg)), -EINVAL);
	if (!strstr(msg, "did you mean icl::MEM_INST_RETIRED:ALL_LOADS"))
		fail_msg("no suggestion: %s", msg);
	/* an Intel name looked up in an AMD table says which models have it */
	assert_int_equal(pmuf_event_lookup("MEM_INST_RETIRED.ALL_LOADS", "zen4", &ev, msg, sizeof(msg)), -ENOENT);
	if (!strstr(msg, "pass --pmu ") || !strstr(msg, "icl"))
		fail_msg("no other model named: %s", msg);
	/* unknown PMUs */
	assert_int_equal(pmuf_default_pmu_set("zen9", msg, sizeof(msg)), -ENOENT);
	if (!strstr(msg, "unknown PMU model 'zen9'") || !strstr(msg, "amd64_fam19h_zen4"))
		fail_msg("unknown PMU message: %s", msg);
	assert_int_equal(pmuf_default_pmu_set("perf", msg, sizeof(msg)), -EINVAL);
	/* this host: its core PMU, or a clear "name one" */
	char pmu[64];
	enum pmuf_flavor fl;
	int r = pmuf_pmu_resolve(NULL, pmu, sizeof(pmu), &fl, msg, sizeof(msg));
	if (r == -ENODEV) {
		if (!strstr(msg, "no event table for this host's CPU") || !strstr(msg, "--pmu"))
			fail_msg("host without a table: %s", msg);
	} else {
		assert_int_equal(r, 0);
		struct pmuf_pmu_table t;
		assert_int_equal(pmuf_pmu_table_load(NULL, &t, msg, sizeof(msg)), 0);
		assert_string_equal(t.pmu, pmu);
		pmuf_pmu_table_free(&t);
	}
}

/* Patterns select exactly the table's entries whose names match. */
static void test_patterns(void **state)
{
	(void)state;
	struct pmuf_pmu_table t, m;
	char msg[1536];
	assert_int_equal(pmuf_pmu_table_load("icl", &t, msg, sizeof(msg)), 0);
	assert_int_equal(pmuf_pmu_match("icl::MEM_*", NULL, &m, msg, sizeof(msg)), 0);
	size_t want = 0;
	for (size_t i = 0; i < t.nevents; i++)
		want += !strncmp(t.events[i].name, "MEM_", 4);
	assert_true(want > 10);
	assert_int_equal(m.nevents, want);
	for (size_t i = 0; i < m.nevents; i++)
		assert_int_equal(strncmp(m.events[i].name, "MEM_", 4), 0);
	pmuf_pmu_table_free(&m);
	/* any case, '.' for ':' */
	assert_int_equal(pmuf_pmu_match("icl::mem_inst_retired.all_*", NULL, &m, msg, sizeof(msg)), 0);
	assert_int_equal(m.nevents, 2);
	pmuf_pmu_table_free(&m);
	assert_int_equal(pmuf_pmu_match("icl::*", NULL, &m, msg, sizeof(msg)), 0);
	assert_int_equal(m.nevents, t.nevents);
	pmuf_pmu_table_free(&m);
	assert_int_equal(pmuf_pmu_match("icl::NOPE_*", NULL, &m, msg, sizeof(msg)), -ENOENT);
	if (!strstr(msg, "matches no event of icl"))
		fail_msg("%s", msg);
	pmuf_pmu_table_free(&t);
}

/* pmuf allow/deny pattern lines: add by the action, remove by the other. */
static void test_pmuf_patterns(void **state)
{
	(void)state;
	static const char text[] = "pmu icl\n"
				   "allow MEM_INST_RETIRED:*\n"
				   "deny MEM_INST_RETIRED.ALL_*\n"
				   "allow mem_inst_retired.all_loads\n"
				   "event 0xc0 0x00\n";
	struct pmuf_filter f;
	struct pmuf_pmu_table m;
	struct pmuf_error e;
	char msg[1536];
	assert_int_equal(pmuf_parse_buf(text, sizeof(text) - 1, PMUF_FMT_PMUF, "p.pmuf", &f, &e), 0);
	assert_int_equal(f.action, PMUF_ALLOW); /* the first pattern line's verb */
	assert_int_equal(pmuf_pmu_match("icl::MEM_INST_RETIRED:*", NULL, &m, msg, sizeof(msg)), 0);
	/* all MEM_INST_RETIRED umasks but ALL_STORES (0x82), plus 0xc0/0x00 */
	bool seen_loads = false;
	for (size_t i = 0; i < f.nevents; i++) {
		uint16_t sel = pmuf_eventsel_select(f.events[i]);
		uint8_t um = pmuf_eventsel_umask(f.events[i]);
		assert_false(sel == 0xD0 && um == 0x82);
		seen_loads |= sel == 0xD0 && um == 0x81;
		for (size_t j = 0; j < i; j++)
			assert_true(f.events[j] != f.events[i]); /* listed once */
	}
	assert_true(seen_loads);
	size_t distinct = 0;
	for (size_t i = 0; i < m.nevents; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= m.events[j].umask == m.events[i].umask;
		distinct += !dup && m.events[i].umask != 0x82;
	}
	assert_int_equal(f.nevents, distinct + 1);
	assert_int_equal(pmuf_eventsel_select(f.events[f.nevents - 1]), 0xC0);
	pmuf_free(&f);
	pmuf_pmu_table_free(&m);
	/* errors carry the line and column */
	static const char bad[] = "action deny\nallow icl::NOPE*\n";
	assert_int_equal(pmuf_parse_buf(bad, sizeof(bad) - 1, PMUF_FMT_PMUF, "b.pmuf", &f, &e), -EINVAL);
	assert_int_equal(e.line, 2);
	assert_int_equal(e.col, 7);
	if (!strstr(e.msg, "matches no event of icl"))
		fail_msg("%s", e.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First, so that PAPI initializes libpfm4 before names.c does. */
		cmocka_unit_test(test_after_papi),
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_fixed_and_suggestions),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_pmuf_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
