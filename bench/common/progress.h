/* progress.h — a one-line progress indicator on stderr for anything that
 * runs over a second; silent when stderr is not a terminal. The line reads
 * "<label> done/total pct% elapsed 3.2s ETA 5.1s" (total 0: "<label> done
 * elapsed 3.2s"); it appears after PROGRESS_DELAY_S, is redrawn at most
 * every PROGRESS_INTERVAL_S and is erased by progress_end(). */
#ifndef PFBENCH_PROGRESS_H
#define PFBENCH_PROGRESS_H

#include <stddef.h>

#define PROGRESS_DELAY_S 1.0
#define PROGRESS_INTERVAL_S 0.1

struct progress {
	const char *label;
	size_t total, done;
	double start, last; /* CLOCK_MONOTONIC seconds */
	int tty;
	int drawn;          /* a line is on screen */
};

void progress_begin(struct progress *p, const char *label, size_t total);
void progress_step(struct progress *p, size_t n); /* redraws at most 10x/s */
void progress_end(struct progress *p);

#endif
