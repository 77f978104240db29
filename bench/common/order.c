/* order.c — see order.h. */
#include "order.h"

#include <stdio.h>

#include "stats.h"

void order_shuffle(unsigned *v, size_t n, uint64_t seed)
{
	uint64_t state = seed;
	for (size_t i = n; i > 1; i--) {
		/* the modulo bias over at most a few hundred items is < 2^-55 */
		size_t j = (size_t)(stats_splitmix64(&state) % i);
		unsigned t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

json_t *order_seed_json(int given, uint64_t seed)
{
	char hex[24];
	if (!given)
		return json_null();
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)seed);
	return json_string(hex);
}
