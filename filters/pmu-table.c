/* pmu-table.c — a PMU model's event table, read from libpfm4 (every event
 * with each of its umasks, encoded by libpfm4 itself: no table is written
 * here), patterns over it (globs on EVENT:UMASK names), and the closest
 * names to one that is not found. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names-priv.h"
#include "pmuf.h"

void pmuf_pmu_table_free(struct pmuf_pmu_table *t)
{
	free(t->events);
	t->events = NULL;
	t->nevents = 0;
}

static int table_add(struct pmuf_pmu_table *t, size_t *cap, const char *name, uint16_t sel, uint8_t umask)
{
	if (t->nevents == *cap) {
		size_t n = *cap ? *cap * 2 : 256;
		struct pmuf_pmu_event *e = realloc(t->events, n * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->events = e;
		*cap = n;
	}
	struct pmuf_pmu_event *e = &t->events[t->nevents++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->select = sel;
	e->umask = umask;
	e->fixed = pmuf_pseudo_fixed(t->flavor, sel, umask);
	return 0;
}

/* One entry per (event, umask) libpfm4 encodes alone; an event without
 * umasks is one entry. Umasks that need others (OFFCORE_RESPONSE's
 * request/response halves) are counted in nskipped. */
static int table_load_locked(const pfm_pmu_info_t *pi, struct pmuf_pmu_table *t)
{
	size_t cap = 0;
	int err = 0;

	memset(t, 0, sizeof(*t));
	snprintf(t->pmu, sizeof(t->pmu), "%s", pi->name);
	snprintf(t->desc, sizeof(t->desc), "%s", pi->desc ? pi->desc : "");
	t->flavor = !strncmp(pi->name, "amd64", 5) ? PMUF_FLAVOR_AMD : PMUF_FLAVOR_INTEL;
	for (int i = pi->first_event; i != -1 && !err; i = pfm_get_event_next(i)) {
		pfm_event_info_t ei;
		int numasks = 0;
		memset(&ei, 0, sizeof(ei));
		ei.size = sizeof(ei);
		if (pfm_get_event_info(i, PFM_OS_NONE, &ei) != PFM_SUCCESS)
			continue;
		for (int j = 0; j <= ei.nattrs && !err; j++) {
			pfm_event_attr_info_t ai;
			char full[256], name[200];
			uint64_t code;
			int idx;
			if (j < ei.nattrs) {
				memset(&ai, 0, sizeof(ai));
				ai.size = sizeof(ai);
				if (pfm_get_event_attr_info(i, j, PFM_OS_NONE, &ai) != PFM_SUCCESS ||
				    ai.type != PFM_ATTR_UMASK)
					continue;
				numasks++;
				snprintf(name, sizeof(name), "%s:%s", ei.name, ai.name);
			} else if (numasks) {
				break;
			} else {
				snprintf(name, sizeof(name), "%s", ei.name);
			}
			snprintf(full, sizeof(full), "%s::%s", pi->name, name);
			if (pmuf_pfm_encode_locked(full, &code, &idx) != PFM_SUCCESS) {
				t->nskipped++;
				continue;
			}
			uint16_t sel;
			uint8_t um;
			pmuf_pfm_split(pi->name, code, &sel, &um);
			err = table_add(t, &cap, name, sel, um);
		}
	}
	if (err)
		pmuf_pmu_table_free(t);
	return err;
}

int pmuf_pmu_table_load(const char *pmu, struct pmuf_pmu_table *t, char *msg, size_t msglen)
{
	pfm_pmu_info_t pi;
	memset(t, 0, sizeof(*t));
	int r = pmuf_pfm_lock(msg, msglen);
	if (r)
		return r;
	r = pmuf_pfm_resolve_locked(pmu, &pi, msg, msglen);
	if (!r)
		r = table_load_locked(&pi, t);
	pmuf_pfm_unlock();
	if (r == -ENOMEM && msg)
		snprintf(msg, msglen, "out of memory");
	return r;
}

/* Upper case, '.' as ':' (Intel's and perf's EVENT.UMASK). */
static void normalize(const char *in, char *out, size_t len)
{
	size_t i = 0;
	for (; in[i] && i + 1 < len; i++)
		out[i] = in[i] == '.' ? ':' : (char)toupper((unsigned char)in[i]);
	out[i] = '\0';
}

static unsigned edit_distance(const char *a, const char *b)
{
	/* Levenshtein, two rows; names are short (< 200 chars). */
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[2][201];
	if (la > 200 || lb > 200)
		return ~0u;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *prev = row[(i - 1) & 1], *cur = row[i & 1];
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned d = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
	}
	return row[la & 1][lb];
}

void pmuf_pmu_suggest_locked(const char *pmu, const char *query, char *buf, size_t len)
{
	struct pmuf_pmu_table t;
	pfm_pmu_info_t pi;
	char q[200];
	size_t best[3];
	unsigned bestd[3] = { ~0u, ~0u, ~0u };

	buf[0] = '\0';
	if (!pmuf_pfm_find_pmu_locked(pmu, &pi) || table_load_locked(&pi, &t))
		return;
	normalize(query, q, sizeof(q));
	char *mod = strchr(q, ':'); /* drop modifiers past EVENT:UMASK (":U", ":C=2") */
	if (mod && (mod = strchr(mod + 1, ':')))
		*mod = '\0';
	for (size_t i = 0; i < t.nevents; i++) {
		char n[200];
		normalize(t.events[i].name, n, sizeof(n));
		unsigned d = edit_distance(q, n);
		if (!strchr(q, ':')) { /* "INST_RETIRD": compare with the event part too */
			char *c = strchr(n, ':');
			if (c) {
				*c = '\0';
				unsigned d2 = edit_distance(q, n);
				d = d2 + 1 < d ? d2 + 1 : d;
			}
		}
		for (int k = 0; k < 3; k++)
			if (d < bestd[k]) {
				for (int m = 2; m > k; m--) {
					bestd[m] = bestd[m - 1];
					best[m] = best[m - 1];
				}
				bestd[k] = d;
				best[k] = i;
				break;
			}
	}
	/* close enough: at most a third of the name, and at least 3 edits allowed */
	unsigned limit = (unsigned)strlen(q) / 3 > 3 ? (unsigned)strlen(q) / 3 : 3;
	size_t n = 0;
	for (int k = 0; k < 3; k++)
		if (bestd[k] <= limit && bestd[k] <= bestd[0] + 2 && n + 4 < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s::%s", k ? ", " : "", t.pmu,
					      t.events[best[k]].name);
	pmuf_pmu_table_free(&t);
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int pmuf_pmu_match(const char *pattern, const char *pmu, struct pmuf_pmu_table *out, char *msg,
		   size_t msglen)
{
	const char *sep = strstr(pattern, "::");
	const char *glob = sep ? sep + 2 : pattern;
	char pmuname[64], g[200];
	struct pmuf_pmu_table all;
	size_t cap = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (sep)
		snprintf(pmuname, sizeof(pmuname), "%.*s", (int)(sep - pattern < 63 ? sep - pattern : 63),
			 pattern);
	if ((r = pmuf_pmu_table_load(sep ? pmuname : pmu, &all, msg, msglen)))
		return r;
	*out = all;
	out->events = NULL;
	out->nevents = 0;
	if (!has_glob(glob)) { /* one event, in any spelling libpfm4 takes */
		struct pmuf_named_event ev;
		char full[300];
		snprintf(full, sizeof(full), "%s::%s", all.pmu, glob);
		r = pmuf_event_lookup(full, NULL, &ev, msg, msglen);
		if (!r)
			r = table_add(out, &cap, glob, ev.select, ev.umask);
		pmuf_pmu_table_free(&all);
		if (r)
			pmuf_pmu_table_free(out);
		return r;
	}
	normalize(glob, g, sizeof(g));
	for (size_t i = 0; i < all.nevents && !r; i++) {
		char n[200];
		normalize(all.events[i].name, n, sizeof(n));
		if (!fnmatch(g, n, 0))
			r = table_add(out, &cap, all.events[i].name, all.events[i].select, all.events[i].umask);
	}
	if (!r && !out->nevents) {
		if (msg)
			snprintf(msg, msglen, "pattern '%s' matches no event of %s (%s, %zu events with their "
					      "umasks; `pfbench filter events --pmu %s` lists them)",
				 pattern, all.pmu, all.desc, all.nevents, all.pmu);
		r = -ENOENT;
	}
	if (r == -ENOMEM && msg)
		snprintf(msg, msglen, "out of memory");
	pmuf_pmu_table_free(&all);
	if (r)
		pmuf_pmu_table_free(out);
	return r;
}
