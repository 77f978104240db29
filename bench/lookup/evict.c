/* evict.c — see evict.h. The flush instructions are the CPU's own; the
 * fallback buffer is sized from hwloc's LLC. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evict.h"
#include "topology.h"
#include "tsc.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#define EVICT_HAVE_FLUSH 1
#define EVICT_FLUSH_NAME "clflush"
static inline void flush_line(const void *p)
{
	_mm_clflush(p);
}
static inline void flush_fence(void)
{
	_mm_mfence();
}
#elif defined(__aarch64__)
#define EVICT_HAVE_FLUSH 1
#define EVICT_FLUSH_NAME "dc civac"
/* Linux sets SCTLR_EL1.UCI, so EL0 may clean and invalidate by VA. */
static inline void flush_line(const void *p)
{
	__asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
}
static inline void flush_fence(void)
{
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
}
#else
#define EVICT_HAVE_FLUSH 0
#define EVICT_FLUSH_NAME "none"
static inline void flush_line(const void *p)
{
	(void)p;
}
static inline void flush_fence(void)
{
	__sync_synchronize();
}
#endif

static volatile uint64_t evict_sink;

int evict_init(struct evict *e, bool force_buffer)
{
	unsigned line = 0;

	memset(e, 0, sizeof(*e));
	e->llc_bytes = topo_llc_bytes(&line);
	e->line = line ? line : 64;
	if (EVICT_HAVE_FLUSH && !force_buffer) {
		e->how = EVICT_FLUSH;
		e->how_name = EVICT_FLUSH_NAME;
		return 0;
	}
	e->how = EVICT_BUFFER;
	e->how_name = "eviction buffer";
	/* Twice the LLC (32 MiB when hwloc does not say). */
	e->buflen = (size_t)(e->llc_bytes ? 2 * e->llc_bytes : 32ull << 20);
	e->buf = malloc(e->buflen);
	if (!e->buf)
		return -ENOMEM;
	memset(e->buf, 1, e->buflen);
	return 0;
}

void evict_free(struct evict *e)
{
	free(e->buf);
	e->buf = NULL;
}

static int cmp_uptr(const void *pa, const void *pb)
{
	uintptr_t a = *(const uintptr_t *)pa, b = *(const uintptr_t *)pb;

	return (a > b) - (a < b);
}

int evict_plan_make(const struct evict *e, const struct lookup_mem_range *r, size_t nr,
		    struct evict_plan *p)
{
	size_t total = 0, i, k = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < nr; i++)
		if (r[i].len)
			total += ((uintptr_t)r[i].p + r[i].len - 1) / e->line -
				 (uintptr_t)r[i].p / e->line + 1;
	p->lines = malloc((total ? total : 1) * sizeof(*p->lines));
	if (!p->lines)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		uintptr_t a, last;

		if (!r[i].len)
			continue;
		a = (uintptr_t)r[i].p / e->line * e->line;
		last = ((uintptr_t)r[i].p + r[i].len - 1) / e->line * e->line;
		for (; a <= last; a += e->line)
			p->lines[k++] = a;
	}
	/* Ranges may share a line (a small struct next to its array). */
	qsort(p->lines, k, sizeof(*p->lines), cmp_uptr);
	for (i = 0, p->n = 0; i < k; i++)
		if (!p->n || p->lines[p->n - 1] != p->lines[i])
			p->lines[p->n++] = p->lines[i];
	return 0;
}

void evict_plan_free(struct evict_plan *p)
{
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

size_t evict_run(const struct evict *e, const struct evict_plan *p)
{
	if (e->how == EVICT_BUFFER) {
		uint64_t acc = 0;

		for (size_t i = 0; i < e->buflen; i += e->line)
			acc += e->buf[i];
		evict_sink += acc;
		flush_fence();
		return e->buflen / e->line;
	}
	for (size_t i = 0; i < p->n; i++)
		flush_line((const void *)p->lines[i]);
	flush_fence();
	return p->n;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double time_load(const volatile uint64_t *line)
{
	uint64_t t0 = tsc_start(), v = *line, t1 = tsc_stop();

	evict_sink += v;
	return (double)(t1 - t0);
}

void evict_probe(const struct evict *e, size_t reps, double *cold, double *warm)
{
	uint64_t *probe = aligned_alloc(64, 4096);
	double *c = malloc(reps * sizeof(*c)), *w = malloc(reps * sizeof(*w));
	struct lookup_mem_range r = { probe, 64 };
	struct evict_plan p;

	*cold = *warm = -1;
	if (!probe || !c || !w || !reps || evict_plan_make(e, &r, 1, &p)) {
		free(probe);
		free(c);
		free(w);
		return;
	}
	memset(probe, 0, 4096);
	for (size_t i = 0; i < reps; i++) {
		evict_run(e, &p);
		c[i] = time_load(probe);
		w[i] = time_load(probe);
	}
	qsort(c, reps, sizeof(*c), cmp_double);
	qsort(w, reps, sizeof(*w), cmp_double);
	*cold = c[reps / 2];
	*warm = w[reps / 2];
	evict_plan_free(&p);
	free(probe);
	free(c);
	free(w);
}
