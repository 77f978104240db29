/* emulated.h — is this host an instruction-set emulator (QEMU TCG) rather
 * than hardware? Then every time pfbench measures is an emulator's
 * virtual time, and results must say so (a record's and a context's
 * "emulated") and never be compared with hardware ones unless asked.
 * Owns no output; never fails. */
#ifndef PFBENCH_EMULATED_H
#define PFBENCH_EMULATED_H

/* The label ("qemu-tcg-icount", "qemu-tcg") or NULL on hardware (or when
 * nothing says otherwise). *how, if how is not NULL, says where the label
 * came from. Read once and cached. */
const char *host_emulated(const char **how);

/* The "emulated" field out_set_add() gives every record on an emulated
 * host: each benchmark's schema table (schema.h) declares it with this. */
#define EMULATED_SCHEMA_COL                                                                     \
	{ "emulated", COL_CONTEXT, COL_STRING, NULL,                                            \
	  "the emulator the numbers come from (e.g. `qemu-tcg-icount`: QEMU's instruction-"   \
	  "counted virtual time, not hardware time); absent on hardware" }

#endif
