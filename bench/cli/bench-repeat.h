/* bench-repeat.h — `-r/--repeat N` for every benchmark (lookup, exit,
 * install, limits): the whole measurement run N times back to back, the
 * first run's result set kept, each of its timed records given the N
 * medians and their spread (bench/common/repeat.h), and one console
 * summary of that spread. The one driver every benchmark's -r goes
 * through; the option row is options.c's (BOPT_REPEAT). */
#ifndef PFBENCH_BENCH_REPEAT_H
#define PFBENCH_BENCH_REPEAT_H

#include <jansson.h>

#define BENCH_REPEAT_MAX 100

/* Calls run(arg) n times (n <= 1: once, and the set is returned as it
 * is). run measures one whole run and returns its result set (new
 * reference), or NULL to stop. A set that is not "complete" (skipped,
 * interrupted) ends the repeats: later runs are not started. Returns run
 * 1's set with the spread fields in its timed records and
 * context.repeat {asked, runs}, after printing the spread summary
 * ("# CMD -r N: ...") on stdout. */
json_t *bench_repeat(const char *cmd, unsigned long long n, json_t *(*run)(void *arg), void *arg);

#endif
