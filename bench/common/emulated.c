/* emulated.c — see emulated.h. Whether a CPU is emulated cannot be read
 * from the CPU: QEMU TCG reports a real MIDR (e.g. neoverse-n1's 0x410fd0c0)
 * and a KVM-accelerated QEMU guest has the same device tree
 * ("linux,dummy-virt") as a TCG one. So the label comes from whoever
 * started the emulator, which knows: `pfbench.emulated=LABEL` on the kernel
 * command line (scripts/arm64/vm-run.sh passes qemu-tcg-icount, or
 * qemu-tcg without -icount), else the PFBENCH_EMULATED environment
 * variable. The label is kept to [a-z0-9-], at most 31 characters. */
#include "emulated.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char label[32];
static const char *source;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Copies a clean label from s (ends at a space or NUL); false if none. */
static bool take(const char *s)
{
	size_t n = 0;
	for (; s[n] && s[n] != ' ' && s[n] != '\n' && n + 1 < sizeof(label); n++) {
		char ch = s[n];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		label[n] = ch;
	}
	label[n] = 0;
	return n > 0;
}

static void detect(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/cmdline", "re");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		for (char *p = strstr(buf, "pfbench.emulated="); p; p = strstr(p + 1, "pfbench.emulated=")) {
			if ((p == buf || p[-1] == ' ') && take(p + strlen("pfbench.emulated="))) {
				source = "kernel command line pfbench.emulated= (set by the emulator's launcher)";
				return;
			}
		}
	}
	const char *e = getenv("PFBENCH_EMULATED");
	if (e && take(e))
		source = "environment PFBENCH_EMULATED";
}

const char *host_emulated(const char **how)
{
	pthread_once(&once, detect);
	if (how)
		*how = source ? source : "no emulator label (kernel command line, PFBENCH_EMULATED)";
	return source ? label : NULL;
}
