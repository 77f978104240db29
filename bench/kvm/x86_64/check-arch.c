/* check-arch.c (x86_64) — the order of `pfbench check`'s x86 checks
 * (check.h): capabilities, flavor, the documented ioctl cases, the
 * differential run, counting in a guest, then the user's filters. A signal
 * (check_stopped) ends the run between them. */
#include "check.h"

static void (*const steps[])(struct check_run *c) = {
	check_caps,	    check_flavor,    check_ioctl_cases,
	check_differential, check_counting, check_user_filters,
};

void check_arch_all(struct check_run *c)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !check_stopped(); i++)
		steps[i](c);
}
