/* hostinfo.h — what this host is: CPU vendor/family/model/stepping and
 * microcode, the PMU model libpfm4 detects, hwloc topology, kernel release,
 * /dev/kvm usability, KVM caps, KVM's probed filter flavor, enable_pmu, the
 * vPMU KVM offers, and whether hardware counters really open. Everything
 * missing is stated in the object, never an error. Used by `pfbench info`
 * and by every result's context block. */
#ifndef PFBENCH_HOSTINFO_H
#define PFBENCH_HOSTINFO_H

#include <jansson.h>

#include "pmuf.h"

/* The KVM facts ("kvm" object, KVM's probed flavor) come from the layer
 * that owns KVM: pfbench's main() calls hostinfo_set_kvm(kvm_host_json)
 * before anything asks for the host. Without it "kvm" says it was not
 * probed. */
typedef json_t *(*hostinfo_kvm_fn)(json_t *missing, enum pmuf_flavor *probed);
void hostinfo_set_kvm(hostinfo_kvm_fn fn);
/* Appends one sentence (printf-style) to a "missing" array. */
void hostinfo_add_missing(json_t *missing, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* New reference; cached after the first call (probing costs a VM). */
json_t *hostinfo_json(void);
/* KVM's flavor if it can be probed, else the CPU vendor's, else UNSET.
 * *how gets "probed" | "cpu" | "none". */
enum pmuf_flavor hostinfo_default_flavor(const char **how);
/* A short host id for result paths, e.g. "amd-epyc-19-11-kvm-pvm". */
const char *hostinfo_host_id(void);

#endif
