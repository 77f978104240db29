/* test_lookup_rounds.c — the interleaved rounds (rounds.h) without timing
 * anything: a logging stand-in for a design's runner records every call,
 * and the test checks what the schedule promises — every record gets its
 * samples, the rounds interleave the records, each timed window is the
 * next of its stream (wrapping after the last whole window) and is
 * preceded by an untimed run on the window before it — and that sizing
 * keeps windows within [min(n, LOOKUP_MIN_WINDOW), n]. Disturbed samples
 * may be re-taken on a busy machine; nothing here depends on how many.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lookup.h"
#include "rounds.h"
#include "tsc.h"

#define NCELLS 5
#define NIN 4096
#define MAXCALLS 100000

struct call {
	size_t cell;  /* the state pointer's index */
	size_t off;   /* window start in the stream */
	size_t n, reps;
};

static uint64_t stream[NCELLS][NIN];
static size_t tag[NCELLS];
static struct call calls[MAXCALLS];
static size_t ncalls;

static uint64_t logger(const void *st, const uint64_t *ev, size_t n, size_t reps, uint64_t zero)
{
	size_t c = *(const size_t *)st;

	(void)zero;
	if (ncalls < MAXCALLS)
		calls[ncalls++] = (struct call){ c, (size_t)(ev - stream[c]), n, reps };
	return n * reps;
}

static void setup_cells(struct lookup_cell *cells, size_t win)
{
	memset(cells, 0, NCELLS * sizeof(*cells));
	for (size_t i = 0; i < NCELLS; i++) {
		tag[i] = i;
		cells[i].fn = logger;
		cells[i].st = &tag[i];
		cells[i].ev = stream[i];
		cells[i].n = NIN;
		cells[i].win = win;
		cells[i].reps = win == NIN ? 3 : 1;
	}
}

/* Runs the rounds over cells with windows of win and checks the log. */
static void check_schedule(size_t win)
{
	struct tsc_calib cal;
	struct lookup_cell cells[NCELLS];
	const size_t samples = 7, last = NIN / win * win - win;
	size_t next[NCELLS], timed[NCELLS] = { 0 }, first_timed[NCELLS];

	assert_int_equal(tsc_calibrate(&cal), 0);
	setup_cells(cells, win);
	ncalls = 0;
	struct ctr_set none;
	memset(&none, 0, sizeof(none));
	none.eventset = -1;
	struct lookup_rounds r = { .samples = samples, .seed = 7, .cal = &cal, .ctrs = &none };
	assert_int_equal(lookup_rounds_run(&r, cells, NCELLS), 0);
	assert_true(ncalls < MAXCALLS);

	for (size_t i = 0; i < NCELLS; i++) {
		assert_int_equal(cells[i].taken, samples);
		next[i] = 0;
		first_timed[i] = SIZE_MAX;
	}
	/* Calls come in pairs per sample: the untimed run, then the timed one. */
	assert_int_equal(ncalls % 2, 0);
	for (size_t k = 0; k < ncalls; k += 2) {
		const struct call *w = &calls[k], *t = &calls[k + 1];
		size_t c = t->cell;

		assert_int_equal(w->cell, c);
		assert_int_equal(t->n, win);
		assert_int_equal(w->n, win);
		assert_int_equal(t->reps, cells[c].reps);
		/* The windows cycle through the stream, each sample the next. */
		assert_int_equal(t->off, next[c]);
		assert_int_equal(w->off, t->off ? t->off - win : last);
		next[c] = t->off == last ? 0 : t->off + win;
		if (k >= 2 * NCELLS) { /* after the untimed round */
			if (first_timed[c] == SIZE_MAX)
				first_timed[c] = k;
			timed[c]++;
		}
	}
	size_t retaken = 0;
	for (size_t i = 0; i < NCELLS; i++)
		retaken += cells[i].dc.retaken;
	for (size_t i = 0; i < NCELLS; i++) {
		assert_true(timed[i] >= samples); /* re-takes add to it */
		/* In the first timed round (which re-takes may lengthen). */
		assert_true(first_timed[i] < 2 * (2 * NCELLS + retaken));
	}
	lookup_cells_free(cells, NCELLS);
}

static void test_rounds_whole_stream(void **state)
{
	(void)state;
	check_schedule(NIN);
}

static void test_rounds_windows(void **state)
{
	(void)state;
	check_schedule(1024);
	check_schedule(1500); /* not a divisor: the tail is never timed alone */
}

/* Every record is timed once before any is timed again (re-takes of a
 * disturbed sample aside). */
static void test_rounds_interleave(void **state)
{
	struct tsc_calib cal;
	struct lookup_cell cells[NCELLS];
	const size_t samples = 9;
	size_t seen = 0, k;
	bool got[NCELLS] = { false };
	struct ctr_set none;

	(void)state;
	memset(&none, 0, sizeof(none));
	none.eventset = -1;
	assert_int_equal(tsc_calibrate(&cal), 0);
	setup_cells(cells, NIN);
	ncalls = 0;
	struct lookup_rounds r = { .samples = samples, .seed = 3, .cal = &cal, .ctrs = &none };
	assert_int_equal(lookup_rounds_run(&r, cells, NCELLS), 0);
	size_t count0 = 0;
	for (k = 2 * NCELLS; k < ncalls && seen < NCELLS; k += 2) {
		size_t c = calls[k + 1].cell;
		if (!got[c]) {
			got[c] = true;
			seen++;
		}
		count0 += c == 0;
	}
	assert_int_equal(seen, NCELLS);
	/* Record 0 was not timed to the end first: once per round, plus
	 * whatever re-takes it needed. */
	assert_true(count0 <= 1 + cells[0].dc.retaken);
	lookup_cells_free(cells, NCELLS);
}

static uint64_t spin(const void *st, const uint64_t *ev, size_t n, size_t reps, uint64_t zero)
{
	uint64_t acc = 0;

	(void)st;
	for (size_t k = 0; k < reps; k++)
		for (size_t i = 0; i < n; i++)
			acc += (ev[i] ^ zero) * 0x9e3779b97f4a7c15ull;
	return acc;
}

/* Whatever the timer says on this machine, the sizes stay in bounds. */
static void test_size_bounds(void **state)
{
	struct tsc_calib cal;
	struct lookup_cell c;
	static uint64_t ev[NIN];
	const double lens[] = { 1, 1000, 10000, 1e6, 1e9 };

	(void)state;
	assert_int_equal(tsc_calibrate(&cal), 0);
	for (size_t n = 1; n <= NIN; n *= 4) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			memset(&c, 0, sizeof(c));
			c.fn = spin;
			c.ev = ev;
			c.n = n;
			lookup_size_cell(&c, lens[i], &cal);
			assert_true(c.win >= 1 && c.win <= n);
			assert_true(c.win >= (n < LOOKUP_MIN_WINDOW ? n : LOOKUP_MIN_WINDOW));
			assert_true(c.reps >= 1 && c.reps <= (size_t)1 << 20);
			assert_true(c.win == n || c.reps == 1);
			assert_int_equal(c.off, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounds_whole_stream),
		cmocka_unit_test(test_rounds_windows),
		cmocka_unit_test(test_rounds_interleave),
		cmocka_unit_test(test_size_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
