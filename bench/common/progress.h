/* progress.h — a one-line progress indicator on stderr for anything that
 * runs over a second; silent when stderr is not a terminal. */
#ifndef PFBENCH_PROGRESS_H
#define PFBENCH_PROGRESS_H

#include <stddef.h>

struct progress {
	const char *label;
	size_t total, done;
	double start, last; /* CLOCK_MONOTONIC seconds */
	int tty;
};

void progress_begin(struct progress *p, const char *label, size_t total);
void progress_step(struct progress *p, size_t n); /* redraws at most 10x/s */
void progress_end(struct progress *p);

#endif
