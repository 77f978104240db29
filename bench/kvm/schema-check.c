/* schema-check.c — the records of check.json (check.h): one conformance
 * check each, no timings. */
#include "check.h"
#include "emulated.h"

static const struct schema_col cols[] = {
	{ "name", COL_KEY, COL_STRING, NULL, "the check, e.g. `ioctl/action-2`, or `user/FILE/install`, "
	  "`user/FILE/count/first-entry` for a `--filter` file (whose `install` reason carries its "
	  "content hash)" },
	{ "result", COL_OUTCOME, COL_STRING, NULL, "`pass`, `fail`, `skipped`" },
	{ "reason", COL_OUTCOME, COL_STRING, "text",
	  "what was checked, what differed or why it was skipped; a pass may carry a note" },
	EMULATED_SCHEMA_COL,
};

const struct schema check_schema = { .bench = "check", .title = "filter conformance",
				     SCHEMA_COLS(cols) };
