/* disturb.c — see disturb.h. getrusage(RUSAGE_THREAD) rather than perf
 * software counters: one call gives both switch counts and works whatever
 * perf_event_paranoid says; migrations are seen as a change of CPU between
 * samples (sched_getcpu is a vDSO/RDTSCP read). A migration and back within
 * one sample goes unseen, but needs a context switch, which is counted. */
#include "disturb.h"

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void disturb_mark(struct disturb_mark *m)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru)) {
		m->nivcsw = m->nvcsw = -1;
	} else {
		m->nivcsw = ru.ru_nivcsw;
		m->nvcsw = ru.ru_nvcsw;
	}
	m->cpu = sched_getcpu();
}

unsigned disturb_since(struct disturb_mark *m)
{
	struct disturb_mark now;
	disturb_mark(&now);
	unsigned f = 0;
	if (now.nivcsw != m->nivcsw)
		f |= DISTURB_PREEMPTED;
	if (now.nvcsw != m->nvcsw)
		f |= DISTURB_SLEPT;
	if (now.cpu != m->cpu)
		f |= DISTURB_MIGRATED;
	*m = now;
	return f;
}

/* /proc/loadavg: "0.52 0.58 0.59 3/467 12345": 1-min load, runnable/total. */
static void read_load(double *load1, int *runnable)
{
	*load1 = NAN;
	*runnable = -1;
	FILE *f = fopen("/proc/loadavg", "re");
	if (!f)
		return;
	double l1, l5, l15;
	int run, total;
	if (fscanf(f, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &run, &total) == 5) {
		*load1 = l1;
		*runnable = run;
	}
	fclose(f);
}

void disturb_cell_begin(struct disturb_cell *c)
{
	memset(c, 0, sizeof(*c));
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	c->ncpus = n > 0 ? (int)n : 1;
	read_load(&c->load1[0], &c->runnable[0]);
	c->load1[1] = NAN;
	c->runnable[1] = -1;
}

void disturb_cell_end(struct disturb_cell *c)
{
	read_load(&c->load1[1], &c->runnable[1]);
}

void disturb_cell_add(struct disturb_cell *to, const struct disturb_cell *c)
{
	if (!to->ncpus) {
		*to = *c;
		return;
	}
	to->disturbed += c->disturbed;
	to->retaken += c->retaken;
	to->kept += c->kept;
	to->flags |= c->flags;
	to->remeasured += c->remeasured;
	to->batches += c->batches;
	to->load1[1] = c->load1[1];
	to->runnable[1] = c->runnable[1];
}

bool disturb_retake(struct disturb_cell *c, unsigned flags, size_t nsamples)
{
	if (!flags)
		return false;
	c->disturbed++;
	c->flags |= flags;
	if (c->retaken < DISTURB_RETAKES(nsamples)) {
		c->retaken++;
		return true;
	}
	c->kept++;
	return false;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The largest gap between sorted samples with DISTURB_MODE_MIN of them on
 * each side; true when it exceeds DISTURB_MODE_GAP x the median. */
static bool bimodal(const double *samples, size_t n, size_t *lo_n, double *lo_med, double *hi_med)
{
	size_t min = (size_t)ceil(DISTURB_MODE_MIN * (double)n);
	if (min < 2 || n < 2 * min)
		return false;
	double *x = malloc(n * sizeof(*x));
	if (!x)
		return false;
	memcpy(x, samples, n * sizeof(*x));
	qsort(x, n, sizeof(*x), cmp_double);
	double med = x[n / 2], best = 0;
	size_t at = 0;
	for (size_t k = min; k <= n - min; k++)
		if (x[k] - x[k - 1] > best) {
			best = x[k] - x[k - 1];
			at = k;
		}
	bool yes = med > 0 && best > DISTURB_MODE_GAP * med;
	if (yes) {
		*lo_n = at;
		*lo_med = x[at / 2];
		*hi_med = x[at + (n - at) / 2];
	}
	free(x);
	return yes;
}

bool disturb_bimodal(const double *samples, size_t n)
{
	size_t lo_n;
	double lo, hi;
	return bimodal(samples, n, &lo_n, &lo, &hi);
}

static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	if (off + 1 >= len)
		return;
	if (off)
		off += (size_t)snprintf(buf + off, len - off, "; ");
	if (off + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

bool disturb_verdict(const struct disturb_cell *c, const double *samples, size_t n, char *reason,
		     size_t len)
{
	if (len)
		reason[0] = '\0';
	if (c->kept) {
		char how[40] = "";
		static const char *const names[] = { "preempted", "blocked", "migrated" };
		for (unsigned i = 0; i < 3; i++)
			if (c->flags & (1u << i))
				snprintf(how + strlen(how), sizeof(how) - strlen(how), "%s%s",
					 how[0] ? ", " : "", names[i]);
		if (c->batches)
			append(reason, len, "%zu of %zu timed guest runs disturbed (%s) after %zu re-runs",
			       c->kept, c->batches, how, c->retaken);
		else
			append(reason, len, "%zu of %zu samples disturbed (%s) after %zu re-takes", c->kept,
			       n, how, c->retaken);
	}
	size_t lo_n;
	double lo, hi;
	if (bimodal(samples, n, &lo_n, &lo, &hi))
		append(reason, len, "bimodal%s: %zu samples near %.4g ticks, %zu near %.4g",
		       c->remeasured ? " after re-measuring" : "", lo_n, lo, n - lo_n, hi);
	bool noisy = len && reason[0];
	/* The machine's load says how likely it was, not that this cell was
	 * hit: added to a noisy cell's reason, never a reason alone (on a
	 * loaded machine it would flag every cell and hide the ones hit). */
	if (noisy && c->runnable[0] >= 0 && c->runnable[1] >= 0)
		append(reason, len, "%d then %d runnable tasks on %d CPUs (load %.2f then %.2f)",
		       c->runnable[0], c->runnable[1], c->ncpus, c->load1[0], c->load1[1]);
	return noisy;
}

bool disturb_record(json_t *rec, const struct disturb_cell *c, const double *samples, size_t n)
{
	char why[320];
	bool noisy = disturb_verdict(c, samples, n, why, sizeof(why));
	json_object_set_new(rec, "disturbed", json_integer((json_int_t)c->disturbed));
	json_object_set_new(rec, "retaken", json_integer((json_int_t)c->retaken));
	json_object_set_new(rec, "remeasured", json_integer(c->remeasured));
	json_object_set_new(rec, "noisy", json_boolean(noisy));
	json_object_set_new(rec, "noisy_reason", noisy ? json_string(why) : json_null());
	return noisy;
}

json_t *disturb_load_json(void)
{
	double l1;
	int run;
	read_load(&l1, &run);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return json_pack("{s:o, s:o, s:I}", "load1", isnan(l1) ? json_null() : json_real(l1),
			 "runnable", run < 0 ? json_null() : json_integer(run), "cpus",
			 (json_int_t)(n > 0 ? n : 1));
}
