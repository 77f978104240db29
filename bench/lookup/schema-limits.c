/* schema-limits.c — the records of limits.json (limit-study.h): kind, the
 * lookup records' columns (schema-lookup.c) as they are, then the install
 * and pmu kinds' own. Built once at load time, since C cannot join two
 * static tables. */
#include <stdlib.h>
#include <string.h>

#include "limit-study.h"

extern const struct schema_col lookup_schema_cols[];
extern const size_t lookup_schema_ncols;

static const struct schema_col head[] = {
	{ "kind", COL_KEY, COL_STRING, NULL,
	  "`lookup` (a lookup.json record), `install` (the kernel's copy + sort), `pmu` (a PMU "
	  "table's sizes)" },
};

static const struct schema_col tail[] = {
	{ "sort", COL_KEY, COL_STRING, NULL,
	  "install: the lib/sort.c generation (`5.x-6.8`, `6.9-6.10`, `6.11+`)" },
	{ "pmu", COL_KEY, COL_STRING, NULL, "pmu: the libpfm4 PMU" },
	{ "sort_selected", COL_CONTEXT, COL_BOOL, NULL, "install: the generation `--kernel` names" },
	{ "kernel_refuses", COL_CONTEXT, COL_BOOL, NULL, "install: size above the kernel's 300" },
	{ "comparisons", COL_OUTCOME, COL_INT, "count", "install: the sort's comparator calls" },
	{ "builds", COL_CONTEXT, COL_INT, "count", "install: builds timed" },
	{ "what", COL_CONTEXT, COL_STRING, NULL, "install, pmu: what was measured or counted" },
	{ "exact_entries", COL_OUTCOME, COL_INT, "entries",
	  "pmu: distinct (select, umask) of the table, an exact ALLOW of all of them" },
	{ "compiled_masked_entries", COL_OUTCOME, COL_INT, "entries",
	  "pmu: entries of pmuf_compile's equivalent masked filter" },
	{ "compiled_includes", COL_OUTCOME, COL_INT, "entries", "pmu: its includes" },
	{ "compiled_excludes", COL_OUTCOME, COL_INT, "entries", "pmu: its excludes" },
	{ "exact_fits_300", COL_OUTCOME, COL_BOOL, NULL, "pmu: the exact filter fits today's limit" },
	{ "masked_fits_300", COL_OUTCOME, COL_BOOL, NULL,
	  "pmu: the masked filter fits today's limit" },
};

struct schema limits_schema = { .bench = "limits", .title = "what a bigger filter limit would cost" };

__attribute__((constructor)) static void limits_schema_build(void)
{
	size_t nh = sizeof(head) / sizeof(head[0]), nt = sizeof(tail) / sizeof(tail[0]);
	struct schema_col *c = malloc((nh + lookup_schema_ncols + nt) * sizeof(*c));

	if (!c)
		abort();
	memcpy(c, head, sizeof(head));
	memcpy(c + nh, lookup_schema_cols, lookup_schema_ncols * sizeof(*c));
	memcpy(c + nh + lookup_schema_ncols, tail, sizeof(tail));
	limits_schema.cols = c;
	limits_schema.ncols = nh + lookup_schema_ncols + nt;
}
