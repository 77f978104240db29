/* stop.h — a standalone benchmark stopped by SIGINT/SIGTERM keeps what it
 * measured: stop_install() makes the first signal only set a flag, which
 * the sweep checks between cells (stop_signal()); the command then writes
 * the finished records marked incomplete (stop_mark_set) and exits
 * 128+signal. A second signal ends the process at once (the handler resets
 * itself). Used by lookup, limits, exit, install and check. Not used
 * under `pfbench suite`'s own handler, which forwards signals to the
 * stage: the stage's handler is this one. */
#ifndef PFBENCH_STOP_H
#define PFBENCH_STOP_H

#include <jansson.h>

void stop_install(void);
/* The first SIGINT/SIGTERM received since stop_install(), or 0. */
int stop_signal(void);
/* "SIGINT" or "SIGTERM" for stop_signal(), NULL before any signal. */
const char *stop_signal_name(void);
/* Marks set as cut short by the signal: "complete": false and a skipped
 * entry "the rest of the sweep": "interrupted by SIGINT: N records
 * measured before it". */
void stop_mark_set(json_t *set);

#endif
