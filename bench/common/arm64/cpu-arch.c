/* cpu-arch.c (arm64) — cpu_arch_identify() from MIDR_EL1 (the kernel's
 * sysfs copy, else /proc/cpuinfo's "CPU implementer/variant/part/
 * revision" lines) and, for "is this a guest", what the firmware
 * describes: arm64 has no architectural hypervisor bit a guest can read
 * (MIDR is whatever the hypervisor or emulator presents), so a guest is
 * recognized by its machine description — a device tree /hypervisor node
 * (Xen, ...), QEMU's virt machine ("linux,dummy-virt"), or DMI naming
 * QEMU/KVM — and a guest of a VMM that describes itself as hardware is
 * not recognized (the "how" text says what was checked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu-id.h"

/* The first line (or NUL-separated string) of a small file, or "". */
static void read_small(const char *path, char *out, size_t len)
{
	out[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	size_t n = fread(out, 1, len - 1, f);
	fclose(f);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* Does a device-tree "compatible" (NUL-separated strings) list want? */
static int dt_compatible(const char *path, const char *want)
{
	char buf[512];
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strcmp(buf + i, want))
			return 1;
	return 0;
}

/* "CPU part\t: 0xd0c" -> 0xd0c, from the first such line; -1 if none. */
static long cpuinfo_num(const char *key)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];
	long v = -1;
	size_t klen = strlen(key);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || (line[klen] != '\t' && line[klen] != ' '))
			continue;
		char *p = strchr(line, ':');
		if (p)
			v = strtol(p + 1, NULL, 0);
		break;
	}
	fclose(f);
	return v;
}

static void midr_identify(struct cpu_id *c)
{
	char buf[64];
	read_small("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", buf, sizeof(buf));
	if (buf[0]) {
		cpu_id_from_midr(c, strtoull(buf, NULL, 16));
		return;
	}
	long impl = cpuinfo_num("CPU implementer"), var = cpuinfo_num("CPU variant");
	long part = cpuinfo_num("CPU part"), rev = cpuinfo_num("CPU revision");
	if (impl < 0 || part < 0)
		return;
	/* The architecture field (19:16) is 0xF on every ARMv7+ CPU. */
	cpu_id_from_midr(c, (uint64_t)impl << 24 | (uint64_t)(var < 0 ? 0 : var) << 20 |
				    0xFull << 16 | (uint64_t)part << 4 | (uint64_t)(rev < 0 ? 0 : rev));
}

static void guest_identify(struct cpu_id *c)
{
	char buf[128];
	read_small("/proc/device-tree/hypervisor/compatible", buf, sizeof(buf));
	if (buf[0]) {
		c->hypervisor = true;
		snprintf(c->hv_vendor, sizeof(c->hv_vendor), "%.31s", buf);
		c->hv_how = "device tree /hypervisor node";
		return;
	}
	if (dt_compatible("/proc/device-tree/compatible", "linux,dummy-virt")) {
		c->hypervisor = true;
		snprintf(c->hv_vendor, sizeof(c->hv_vendor), "QEMU");
		c->hv_how = "device tree compatible \"linux,dummy-virt\": QEMU's virt machine "
			    "(KVM-accelerated or emulated; the emulator label says which)";
		return;
	}
	read_small("/sys/class/dmi/id/sys_vendor", buf, sizeof(buf));
	if (!strncmp(buf, "QEMU", 4)) {
		c->hypervisor = true;
		snprintf(c->hv_vendor, sizeof(c->hv_vendor), "QEMU");
		c->hv_how = "DMI sys_vendor \"QEMU\"";
		return;
	}
	c->hv_how = "no guest machine description (device tree /hypervisor node, QEMU's "
		    "\"linux,dummy-virt\", DMI sys_vendor QEMU); arm64 has no hypervisor bit, so "
		    "a guest whose VMM describes itself as hardware is not recognized";
}

void cpu_arch_identify(struct cpu_id *c)
{
	memset(c, 0, sizeof(*c));
	midr_identify(c);
	guest_identify(c);
}
