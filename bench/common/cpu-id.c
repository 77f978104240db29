/* cpu-id.c — the arch-neutral half of cpu-id.h: MIDR decoding, vendor
 * names and the host id format. */
#include "cpu-id.h"

#include <stdio.h>
#include <string.h>

void cpu_id_from_midr(struct cpu_id *c, uint64_t midr)
{
	/* Arm ARM D23.2 MIDR_EL1: Implementer 31:24, Variant 23:20,
	 * Architecture 19:16, PartNum 15:4, Revision 3:0. */
	c->implementer = (unsigned)(midr >> 24) & 0xFF;
	c->variant = (unsigned)(midr >> 20) & 0xF;
	c->part = (unsigned)(midr >> 4) & 0xFFF;
	c->revision = (unsigned)midr & 0xF;
	c->midr = midr;
	c->have_midr = true;
}

const char *cpu_midr_implementer_name(unsigned implementer)
{
	/* The implementer codes Linux names (arch/arm64/include/asm/cputype.h). */
	static const struct {
		unsigned code;
		const char *name;
	} names[] = {
		{ 0x41, "arm" },     { 0x42, "broadcom" }, { 0x43, "cavium" },
		{ 0x46, "fujitsu" }, { 0x48, "hisilicon" }, { 0x4E, "nvidia" },
		{ 0x50, "apm" },     { 0x51, "qcom" },     { 0x61, "apple" },
		{ 0x6D, "microsoft" }, { 0xC0, "ampere" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == implementer)
			return names[i].name;
	return NULL;
}

const char *cpu_vendor_short(const char *v)
{
	if (!strcmp(v, "AuthenticAMD"))
		return "amd";
	if (!strcmp(v, "GenuineIntel"))
		return "intel";
	if (!strcmp(v, "HygonGenuine"))
		return "hygon";
	return NULL;
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xFF) * 16777619u; /* separator */
}

/* src kept to [a-z0-9] words joined by single '-', at most max characters. */
static void id_part(char *dst, size_t max, const char *src)
{
	size_t n = 0;
	for (const char *s = src; *s && n < max; s++) {
		char ch = *s;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			dst[n++] = ch;
		else if (n && dst[n - 1] != '-')
			dst[n++] = '-';
	}
	while (n && dst[n - 1] == '-')
		n--;
	dst[n] = '\0';
}

void cpu_host_id(const struct cpu_id *c, const char *machine, const char *model_name,
		 const char *hostname, const char *machine_id, char *out, size_t len)
{
	/* The hash as the x86 ids have always had it (ids of existing result
	 * directories stay valid); the MIDR joins it only where there is one. */
	uint32_t h = 2166136261u;
	h = fnv1a(h, c->vendor);
	h = fnv1a(h, model_name ? model_name : "");
	h = fnv1a(h, hostname ? hostname : "");
	h = fnv1a(h, machine_id ? machine_id : "");
	char buf[64];
	snprintf(buf, sizeof(buf), "%u-%u-%u", c->family, c->model, c->stepping);
	h = fnv1a(h, buf);
	if (c->have_midr) {
		snprintf(buf, sizeof(buf), "midr-%x-%x-%x-%x", c->implementer, c->variant, c->part,
			 c->revision);
		h = fnv1a(h, buf);
	}

	char host[24], cpu[40];
	/* "(none)" is the kernel's nodename when nothing set one. */
	id_part(host, 20, hostname && strcmp(hostname, "(none)") ? hostname : "");
	const char *vs = cpu_vendor_short(c->vendor);
	if (c->have_fms) {
		char v[20];
		id_part(v, 16, vs ? vs : machine && *machine ? machine : "cpu");
		snprintf(cpu, sizeof(cpu), "%s-f%um%u", v[0] ? v : "cpu", c->family, c->model);
	} else if (c->have_midr) {
		const char *impl = cpu_midr_implementer_name(c->implementer);
		if (impl)
			snprintf(cpu, sizeof(cpu), "%s-p%x", impl, c->part);
		else
			snprintf(cpu, sizeof(cpu), "impl0x%02x-p%x", c->implementer, c->part);
	} else {
		id_part(cpu, 16, vs ? vs : machine && *machine ? machine : "cpu");
		if (!cpu[0])
			snprintf(cpu, sizeof(cpu), "cpu");
	}
	snprintf(out, len, "%s-%s-%08x", cpu, host[0] ? host : "host", h);
}
