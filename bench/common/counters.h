/* counters.h — hardware counters through PAPI (cycles, instructions, branch
 * mispredictions, L1D misses), each optional. Availability is decided by
 * really adding and starting the event, never by library init (on a VM
 * without a vPMU PAPI initializes but every hardware event is PAPI_ENOEVNT).
 * PAPI error codes are converted to -errno here, once. */
#ifndef PFBENCH_COUNTERS_H
#define PFBENCH_COUNTERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum ctr_id { CTR_CYCLES = 0, CTR_INSTRUCTIONS, CTR_BRANCH_MISSES, CTR_L1D_MISSES, CTR_MAX };

struct ctr_set {
	int eventset;              /* PAPI event set, -1 when none */
	bool avail[CTR_MAX];
	char why[CTR_MAX][96];     /* reason when !avail, e.g. "PAPI_add_event: PAPI_ENOEVNT" */
	int nactive;
	int index[CTR_MAX];        /* position in the PAPI set */
};

const char *ctr_name(enum ctr_id id); /* "cycles", "instructions", "branch_misses", "l1d_misses" */
/* Probes every counter; never fails because a counter is missing. */
int ctr_open(struct ctr_set *s);
int ctr_start(struct ctr_set *s);
/* Stops and reads: v[id] valid where avail[id]. */
int ctr_stop(struct ctr_set *s, long long v[CTR_MAX]);
void ctr_close(struct ctr_set *s);
/* {"cycles": {"available": false, "why": "..."}, ...} */
json_t *ctr_describe(const struct ctr_set *s);
/* Can a hardware counter really be opened (perf_event_open of HW cycles)?
 * why gets the errno text when not. */
bool ctr_hw_usable(char *why, size_t len);

#endif
