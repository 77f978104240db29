/* event-arg.h — an EVENTSEL or arm64 event number as `pfbench filter
 * decide` takes it on its command line: hexadecimal, "0x" optional, at
 * most 64 bits, nothing else (no sign, no space). Separate from the
 * command so tests/fuzz/fuzz_decide.c can feed it anything. */
#ifndef PFBENCH_EVENT_ARG_H
#define PFBENCH_EVENT_ARG_H

#include <stdint.h>

/* 0 with *out set; -EINVAL (not hex, empty) or -ERANGE (over 64 bits),
 * *out untouched. */
int event_arg_parse(const char *s, uint64_t *out);

#endif
