/* stop.h — a standalone benchmark stopped by SIGINT/SIGTERM keeps what it
 * measured: stop_install() makes the first signal only set a flag, which
 * the sweep checks between cells (stop_signal()); the command then writes
 * the finished records marked incomplete and exits 128+signal. A second
 * signal ends the process at once (the handler resets itself). Not used
 * under `pfbench suite`'s own handler, which forwards signals to the
 * stage: the stage's handler is this one. */
#ifndef PFBENCH_STOP_H
#define PFBENCH_STOP_H

void stop_install(void);
/* The first SIGINT/SIGTERM received since stop_install(), or 0. */
int stop_signal(void);

#endif
