/* stop.c — see stop.h. */
#include "stop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "out.h"

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

const char *stop_signal_name(void)
{
	return !g_stop ? NULL : g_stop == SIGINT ? "SIGINT" : "SIGTERM";
}

void stop_mark_set(json_t *set)
{
	char why[160];
	snprintf(why, sizeof(why), "interrupted by %s: %zu records measured before it",
		 stop_signal_name() ?: "a signal", json_array_size(json_object_get(set, "records")));
	out_set_complete(set, false);
	out_set_skip(set, "the rest of the sweep", why);
}
