/* repeat.h — the run-to-run spread of a measurement repeated N times
 * (`pfbench BENCH -r N`, `pfbench suite -r N`).
 *
 * Owns: matching the records of N runs' result sets by their key columns
 * and writing, into each timed record (one with a median_ns) of the first
 * run's set, the N medians and their spread: runs, run_medians_ns,
 * run_median_min_ns, run_median_max_ns and run_cv (sample standard
 * deviation / mean of the N medians, the figure `perf stat -r` prints as
 * "+- x%"). The record's own statistics (and its ci95_*, the spread
 * within one run) stay the first run's. Every benchmark's schema declares
 * these fields with SCHEMA_REPEAT_COLS (schema.h). Callers: bench/cli's
 * bench_repeat() (every benchmark's -r) and the suite's report
 * (report-repeats.c). No KVM, no printing, no exits. */
#ifndef PFBENCH_REPEAT_H
#define PFBENCH_REPEAT_H

#include <jansson.h>
#include <stddef.h>

/* Adds the spread fields to every timed record of set over runs[0..n-1]
 * (set is normally runs[0]; a run without a matching timed record is left
 * out of that record's figures). Records match by the values of the key
 * columns the set's "columns" declare, the i-th occurrence of a key with
 * the i-th. Returns the number of records given the fields, or -ENOMEM. */
int repeat_add_spread(json_t *set, json_t *const *runs, size_t n);

/* The spread of the n values v: min, max and CV (NAN for n < 2 or a mean
 * of 0). The one place that computes run_cv. */
void repeat_spread(const double *v, size_t n, double *min, double *max, double *cv);

#endif
