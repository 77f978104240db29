/* stop.c — see stop.h. */
#include "stop.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	if (!g_stop)
		g_stop = sig;
}

void stop_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int stop_signal(void)
{
	return g_stop;
}
