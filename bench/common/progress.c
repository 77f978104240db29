/* progress.c — see progress.h. Nothing is drawn during the first
 * PROGRESS_DELAY_S seconds, so work that ends sooner leaves no trace; then
 * one line is redrawn in place (carriage return + erase to end of line) at
 * most every PROGRESS_INTERVAL_S, cut to the terminal's width, and erased
 * by progress_end(). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_dur(char *buf, size_t len, double s)
{
	if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

static void draw(struct progress *p, double t)
{
	char line[256], el[16], eta[16];
	double elapsed = t - p->start;
	fmt_dur(el, sizeof(el), elapsed);
	if (p->total) {
		double frac = (double)p->done / (double)p->total;
		if (frac > 1)
			frac = 1;
		if (p->done)
			fmt_dur(eta, sizeof(eta), elapsed / frac - elapsed);
		else
			snprintf(eta, sizeof(eta), "?");
		snprintf(line, sizeof(line), "%s %zu/%zu %3.0f%% elapsed %s ETA %s",
			 p->label ? p->label : "", p->done, p->total, frac * 100.0, el, eta);
	} else {
		snprintf(line, sizeof(line), "%s %zu elapsed %s", p->label ? p->label : "",
			 p->done, el);
	}
	struct winsize ws;
	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 1 && (size_t)ws.ws_col - 1 < sizeof(line))
		line[ws.ws_col - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->drawn = 1;
	p->last = t;
}

void progress_begin(struct progress *p, const char *label, size_t total)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	p->tty = isatty(STDERR_FILENO);
	p->start = p->last = now_s();
}

void progress_step(struct progress *p, size_t n)
{
	p->done += n;
	if (!p->tty)
		return;
	double t = now_s();
	if (t - p->start < PROGRESS_DELAY_S || (p->drawn && t - p->last < PROGRESS_INTERVAL_S))
		return;
	draw(p, t);
}

void progress_end(struct progress *p)
{
	if (p->tty && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}
