/* check-arch.c (x86_64) — the order of `pfbench check`'s x86 checks
 * (check.h): capabilities, flavor, the documented ioctl cases, the
 * differential run, then counting in a guest. */
#include "check.h"

void check_arch_all(struct check_run *c)
{
	check_caps(c);
	check_flavor(c);
	check_ioctl_cases(c);
	check_differential(c);
	check_counting(c);
	check_user_filters(c);
}
