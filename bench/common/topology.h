/* topology.h — hwloc: a topology summary and pinning of the measuring
 * thread to one core. hwloc errors become -errno here. */
#ifndef PFBENCH_TOPOLOGY_H
#define PFBENCH_TOPOLOGY_H

#include <jansson.h>

/* {"packages":1,"cores":2,"pus":2,"numa_nodes":1,"l3_bytes":...,"smt":false} */
json_t *topo_summary(void);
/* Number of cores hwloc sees (>= 1). */
int topo_ncores(void);
/* Size in bytes of the largest (last-level) data or unified cache hwloc
 * sees, and its line size in *line (0 when unknown); 0 when none. */
unsigned long long topo_llc_bytes(unsigned *line);
/* Pins the calling thread to core `core` (-1 = the last core). On success
 * *binding gets {"core":N,"pu_os_index":M,"cpuset":"0x...","strict":bool}. */
int pin_thread(int core, json_t **binding);

#endif
