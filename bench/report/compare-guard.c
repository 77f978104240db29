/* compare-guard.c — cmp_conditions() (compare.h): whether A and B were
 * measured under the same conditions (host id, CPU model, kernel, pfbench
 * revision, timer method, ticks per ns within CMP_TICKS_TOLERANCE), for
 * compare's header and its console warning. A field neither side recorded
 * is no difference: it is named once, "not recorded in either: ...". Reads each input's
 * metadata.json when there is one, else its sets' contexts. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rset.h"

/* o's field at a dotted path ("host.cpu.model_name"), or NULL. */
static const json_t *path_get(const json_t *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

/* A string field of the first set context that has it (dotted path; not
 * every benchmark times, so not every set has a timer), metadata.json's
 * meta_key (also dotted) taking precedence when given and present. */
static const char *field(const struct cmp_input *in, const char *ctx_path, const char *meta_key)
{
	const char *v = NULL;
	if (in->meta && meta_key)
		v = json_string_value(path_get(in->meta, meta_key));
	size_t i;
	json_t *set;
	json_array_foreach(in->sets, i, set) {
		if (v)
			break;
		v = json_string_value(path_get(json_object_get(set, "context"), ctx_path));
	}
	return v;
}

static void add(char *msg, size_t len, size_t *n, const char *fmt, const char *what, const char *a,
		const char *b)
{
	size_t off = strlen(msg);
	if (off + 1 < len)
		snprintf(msg + off, len - off, fmt, *n ? "; " : "", what, a ? a : "not recorded",
			 b ? b : "not recorded");
	(*n)++;
}

size_t cmp_conditions(const struct cmp_input *a, const struct cmp_input *b, char *msg, size_t len)
{
	static const struct {
		const char *what, *ctx, *meta;
	} fields[] = {
		{ "host id", "host.host_id", "host_id" },
		{ "CPU model", "host.cpu.model_name", NULL },
		{ "kernel", "host.kernel.release", NULL },
		{ "pfbench revision", "git_rev", "context.git_rev" },
		{ "timer method", "timer.method", NULL },
	};
	size_t n = 0;
	char neither[160] = "";
	if (len)
		msg[0] = '\0';
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *va = field(a, fields[i].ctx, fields[i].meta);
		const char *vb = field(b, fields[i].ctx, fields[i].meta);
		/* absent on both sides is no difference: said once, below */
		if (!va && !vb)
			snprintf(neither + strlen(neither), sizeof(neither) - strlen(neither), "%s%s",
				 *neither ? ", " : "", fields[i].what);
		else if (!va || !vb || strcmp(va, vb))
			add(msg, len, &n, "%s%s (A %s, B %s)", fields[i].what, va, vb);
	}
	/* Ticks per ns, per benchmark present in both (each calibrates). */
	double worst = 0, wa = NAN, wb = NAN;
	size_t timed = 0;
	const char *wbench = NULL;
	size_t i;
	json_t *sa;
	json_array_foreach(a->sets, i, sa) {
		const char *bench = json_string_value(json_object_get(sa, "bench"));
		const json_t *sb = rset_find(b->sets, bench);
		if (!sb)
			continue;
		double ta = rset_num(path_get(sa, "context.timer"), "ticks_per_ns");
		double tb = rset_num(path_get(sb, "context.timer"), "ticks_per_ns");
		if (!(ta > 0) && !(tb > 0))
			continue; /* a set that does not time (check): nothing to compare */
		timed++;
		double d = ta > 0 && tb > 0 ? fabs(tb - ta) / ta : INFINITY;
		if (!(d <= worst)) {
			worst = d;
			wa = ta;
			wb = tb;
			wbench = bench;
		}
	}
	if (worst > CMP_TICKS_TOLERANCE) {
		char sa_[32], sb_[32], what[96];
		snprintf(sa_, sizeof(sa_), "%.6f", wa);
		snprintf(sb_, sizeof(sb_), "%.6f", wb);
		if (isfinite(worst))
			snprintf(what, sizeof(what), "ticks per ns of %s %.2f%% apart", wbench, 100 * worst);
		else
			snprintf(what, sizeof(what), "ticks per ns of %s", wbench);
		add(msg, len, &n, "%s%s (A %s, B %s)", what, wa > 0 ? sa_ : NULL, wb > 0 ? sb_ : NULL);
	}
	if (!timed && json_array_size(a->sets) && json_array_size(b->sets))
		snprintf(neither + strlen(neither), sizeof(neither) - strlen(neither), "%sticks per ns",
			 *neither ? ", " : "");
	if (*neither && strlen(msg) + 1 < len)
		snprintf(msg + strlen(msg), len - strlen(msg), "%snot recorded in either: %s",
			 *msg ? "; " : "", neither);
	return n;
}
