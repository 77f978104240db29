/* disturb.h — was a timed sample disturbed, and is a cell (one record's
 * samples) to be trusted? Per sample: involuntary and voluntary context
 * switches of this thread (getrusage RUSAGE_THREAD) and a change of CPU
 * (sched_getcpu), read between samples, never inside the timed region.
 * Per cell: the 1-minute load average and the number of runnable tasks
 * (/proc/loadavg) before and after, and the shape of the samples (two
 * clusters: bimodal). Benchmarks re-take disturbed samples up to
 * DISTURB_RETAKES (a budget per cell) and record the verdict with
 * disturb_record(): "noisy": true and a "noisy_reason", the way hyperfine
 * warns about outliers. Returns 0 or -errno; never prints. */
#ifndef PFBENCH_DISTURB_H
#define PFBENCH_DISTURB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	DISTURB_PREEMPTED = 1u << 0, /* an involuntary context switch */
	DISTURB_SLEPT = 1u << 1,     /* a voluntary one (blocked) */
	DISTURB_MIGRATED = 1u << 2,  /* ended on another CPU */
	/* What a sample that may block by design (an ioctl that waits, a
	 * KVM_RUN) counts as disturbed. */
	DISTURB_INVOLUNTARY = DISTURB_PREEMPTED | DISTURB_MIGRATED,
};

/* Re-takes allowed per cell: as many as the cell has samples, so a cell
 * costs at most twice its undisturbed time. */
#define DISTURB_RETAKES(nsamples) (nsamples)
/* Bimodal: the largest gap between sorted samples, with at least
 * DISTURB_MODE_MIN of them on each side, exceeds DISTURB_MODE_GAP x the
 * median. */
#define DISTURB_MODE_MIN 0.15
#define DISTURB_MODE_GAP 0.25

struct disturb_mark {
	long nivcsw, nvcsw;
	int cpu;
};

/* Snapshot now (one getrusage, one sched_getcpu). */
void disturb_mark(struct disturb_mark *m);
/* DISTURB_* flags for what happened since *m; *m becomes now. */
unsigned disturb_since(struct disturb_mark *m);

struct disturb_cell {
	size_t disturbed; /* samples found disturbed (re-taken or kept) */
	size_t retaken;   /* re-takes done */
	size_t kept;      /* disturbed samples kept: the budget ran out */
	unsigned flags;   /* DISTURB_* seen over the cell */
	double load1[2];  /* 1-min load average before, after (NAN unknown) */
	int runnable[2];  /* runnable tasks before, after (-1 unknown) */
	int ncpus;        /* online CPUs */
	unsigned remeasured; /* whole cell taken again because it was bimodal */
	/* Checked per batch instead of per sample (the guest's samples of one
	 * KVM_RUN): batches kept, and then kept/retaken count batches. */
	size_t batches;
};

/* Whole-cell re-measurements of a bimodal cell. */
#define DISTURB_REMEASURE 2
/* Two clusters of samples (see DISTURB_MODE_GAP). */
bool disturb_bimodal(const double *samples, size_t n);

void disturb_cell_begin(struct disturb_cell *c);
void disturb_cell_end(struct disturb_cell *c);
/* Merges cell c (a later part of the same record: a round, a batch) into
 * to: counts add up, the load before is to's (c's when to is empty), the
 * load after is c's. */
void disturb_cell_add(struct disturb_cell *to, const struct disturb_cell *c);
/* One sample's flags into the cell; true when the caller should re-take
 * it (disturbed and budget left for a cell of nsamples). */
bool disturb_retake(struct disturb_cell *c, unsigned flags, size_t nsamples);
/* Noisy? reason gets why ("" when not): disturbed samples kept after the
 * budget, or bimodal samples; a noisy cell's reason adds the runnable
 * tasks and load before and after. */
bool disturb_verdict(const struct disturb_cell *c, const double *samples, size_t n, char *reason,
		     size_t len);
/* Sets "disturbed", "retaken", "remeasured", "noisy" and "noisy_reason"
 * (null when not noisy) in rec; returns whether the cell is noisy. A
 * benchmark that calls it declares them once with DISTURB_SCHEMA_COLS in
 * its schema table (schema.h). */
#define DISTURB_SCHEMA_COLS                                                                     \
	{ "disturbed", COL_OUTCOME, COL_INT, "count",                                           \
	  "samples (exit: timed guest runs) during which the measuring thread was switched "  \
	  "out or migrated (docs/methodology.md, \"Contention\")" },                           \
	{ "retaken", COL_OUTCOME, COL_INT, "count", "of those, taken again" },                  \
	{ "remeasured", COL_OUTCOME, COL_INT, "count",                                          \
	  "lookup: times the whole cell was measured again because it was bimodal" },         \
	{ "noisy", COL_OUTCOME, COL_BOOL, NULL,                                                 \
	  "the cell stayed disturbed after the re-take budget, or its samples are bimodal" },  \
	{ "noisy_reason", COL_OUTCOME, COL_STRING, "text",                                      \
	  "why, with the runnable tasks and load average before and after the cell; null "     \
	  "when not noisy" }
bool disturb_record(json_t *rec, const struct disturb_cell *c, const double *samples, size_t n);

/* {"load1": 1-min load average, "runnable": runnable tasks (this thread
 * included), "cpus": online CPUs}: for context.load_before/load_after. */
json_t *disturb_load_json(void);

#endif
