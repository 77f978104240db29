/* schemas.c — see rset.h: every benchmark's declared schema by its name,
 * and the field list of results/README.md made from them. */
#include "rset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exit-bench.h"
#include "install-bench.h"
#include "limit-study.h"
#include "lookup-bench.h"

static const struct schema *const schemas[] = { &lookup_schema, &install_schema, &exit_schema,
						&check_schema, &limits_schema, NULL };

const struct schema *const *rset_schemas(void)
{
	return schemas;
}

const struct schema *rset_schema_find(const char *bench)
{
	for (const struct schema *const *s = schemas; bench && *s; s++)
		if (!strcmp((*s)->bench, bench))
			return *s;
	return NULL;
}

static void put_table(FILE *f, const struct schema *s)
{
	char *md = schema_markdown(s);
	if (md)
		fputs(md, f);
	free(md);
}

char *rset_schema_doc(const char *bench)
{
	const struct schema *one = bench ? rset_schema_find(bench) : NULL;
	if (bench && !one)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	if (one) {
		put_table(f, one);
	} else {
		fprintf(f, "#### Record statistics\n\n"
			   "A `statistics` row below stands for all of these, each name with the "
			   "row's prefix (`overhead_*` statistics: `overhead_median_ns` ...).\n\n");
		put_table(f, NULL);
		for (const struct schema *const *s = schemas; *s; s++) {
			fputc('\n', f);
			put_table(f, *s);
		}
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
