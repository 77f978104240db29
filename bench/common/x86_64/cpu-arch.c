/* cpu-arch.c (x86_64) — cpu_arch_identify() from CPUID: the vendor
 * string (leaf 0), family/model/stepping (leaf 1), the hypervisor bit
 * (leaf 1 ECX bit 31) and the hypervisor's vendor id (leaf 0x40000000). */
#include <cpuid.h>
#include <string.h>

#include "cpu-id.h"

void cpu_arch_identify(struct cpu_id *c)
{
	memset(c, 0, sizeof(*c));
	c->hv_how = "CPUID leaf 1 ECX bit 31 (the hypervisor bit)";
	unsigned a, b, cx, d;
	if (!__get_cpuid(0, &a, &b, &cx, &d))
		return;
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	if (a >= 1 && __get_cpuid(1, &a, &b, &cx, &d)) {
		/* SDM/APM: the extended family adds when family is 0xF; the
		 * extended model extends the model for families 6 and 0xF+. */
		unsigned fam = (a >> 8) & 0xF, mod = (a >> 4) & 0xF;
		if (fam == 0xF)
			fam += (a >> 20) & 0xFF;
		if (fam == 0x6 || fam >= 0xF)
			mod |= ((a >> 16) & 0xF) << 4;
		c->family = fam;
		c->model = mod;
		c->stepping = a & 0xF;
		c->have_fms = true;
		c->hypervisor = cx & (1u << 31);
	}
	if (c->hypervisor) {
		__cpuid(0x40000000, a, b, cx, d);
		memcpy(c->hv_vendor, &b, 4);
		memcpy(c->hv_vendor + 4, &cx, 4);
		memcpy(c->hv_vendor + 8, &d, 4);
		c->hv_vendor[12] = '\0';
	}
}
