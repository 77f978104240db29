/* test_filters_names.c — events by name through libpfm4 (filters/names.c),
 * for PMU models this host does not have. Values are the vendors' event
 * codes (Intel SDM / AMD PPR) that the kernel selftest also uses. */
#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First, so that PAPI initializes libpfm4 before names.c does. */
		cmocka_unit_test(test_after_papi),
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_unknown_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
