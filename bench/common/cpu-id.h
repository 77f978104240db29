/* cpu-id.h — what identifies this CPU and whether it runs under a
 * hypervisor, filled by the arch's cpu_arch_identify() (x86: CPUID;
 * arm64: MIDR_EL1 and the firmware's description), and the host id built
 * from it. Used by hostinfo.c; the pure parts (MIDR decoding, the id
 * format) are here so tests can feed them fixed inputs on any host. */
#ifndef PFBENCH_CPU_ID_H
#define PFBENCH_CPU_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu_id {
	/* x86: CPUID leaf 0's vendor string and leaf 1's family/model/stepping. */
	char vendor[13];
	unsigned family, model, stepping;
	bool have_fms;
	/* arm64: MIDR_EL1's fields. */
	uint64_t midr;
	unsigned implementer, variant, part, revision;
	bool have_midr;
	/* Is this a guest, and how that was decided (one phrase, for info and
	 * the report: "CPUID leaf 1 ECX bit 31 (hypervisor)", "device tree
	 * compatible linux,dummy-virt (QEMU's virt machine)", ...). */
	bool hypervisor;
	char hv_vendor[32];
	const char *hv_how;
};

/* Fills c for this CPU; never fails (what cannot be read stays unset). */
void cpu_arch_identify(struct cpu_id *c);

/* MIDR_EL1 -> implementer, variant, part, revision; have_midr set. */
void cpu_id_from_midr(struct cpu_id *c, uint64_t midr);
/* "arm", "ampere", ... for an MIDR implementer code; NULL if unknown. */
const char *cpu_midr_implementer_name(unsigned implementer);
/* "amd", "intel", "hygon" for a CPUID vendor string; NULL if other. */
const char *cpu_vendor_short(const char *vendor);

/* The host id: CPU-HOST-HASH, where CPU is vendor-fFAMmMODEL (x86, e.g.
 * amd-f26m2), implementer-pPART (arm64 MIDR, e.g. arm-pd0c for a
 * Neoverse N1; an unknown implementer is impl0xNN) or the machine name
 * (uname -m) when neither is known; HOST is the hostname kept to [a-z0-9-]
 * (at most 20 characters, no leading, trailing or doubled '-'; "host" when
 * there is none or it is the kernel's "(none)"); HASH is an FNV-1a hash of
 * what identifies the machine (CPU identity, model name, hostname,
 * machine id), so the id is stable across runs and kernels. Every part is
 * [a-z0-9] words joined by single '-'. */
void cpu_host_id(const struct cpu_id *c, const char *machine, const char *model_name,
		 const char *hostname, const char *machine_id, char *out, size_t len);

#endif
