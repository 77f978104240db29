/* topology.c — see topology.h. The one file that talks to hwloc. The
 * topology is loaded once per process and kept (hwloc topologies are
 * read-only after load and safe to share between threads). */
#include "topology.h"

#include <errno.h>
#include <hwloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

static hwloc_topology_t topo;
static int topo_err; /* -errno if the load failed */
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;

static void topo_load(void)
{
	if (hwloc_topology_init(&topo) < 0) {
		topo_err = errno ? -errno : -ENOMEM;
		return;
	}
	if (hwloc_topology_load(topo) < 0) {
		topo_err = errno ? -errno : -EIO;
		hwloc_topology_destroy(topo);
		topo = NULL;
	}
}

static int topo_get(hwloc_topology_t *t)
{
	pthread_once(&topo_once, topo_load);
	if (topo_err)
		return topo_err;
	*t = topo;
	return 0;
}

static int count(hwloc_topology_t t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);
	return n < 0 ? 0 : n; /* -1: the type spans several depths; not for these */
}

/* Size of the first cache object of this type (hwloc lists L1d, not L1i, as L1CACHE), or 0 when absent. */
static unsigned long long cache_bytes(hwloc_topology_t t, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_next_obj_by_type(t, type, NULL);
	return o && o->attr ? o->attr->cache.size : 0;
}

json_t *topo_summary(void)
{
	hwloc_topology_t t = NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (topo_get(&t) < 0) {
		json_object_set_new(o, "error", json_string("hwloc topology load failed"));
		return o;
	}
	int cores = count(t, HWLOC_OBJ_CORE), pus = count(t, HWLOC_OBJ_PU);
	json_object_set_new(o, "packages", json_integer(count(t, HWLOC_OBJ_PACKAGE)));
	json_object_set_new(o, "cores", json_integer(cores));
	json_object_set_new(o, "pus", json_integer(pus));
	json_object_set_new(o, "numa_nodes", json_integer(count(t, HWLOC_OBJ_NUMANODE)));
	json_object_set_new(o, "l1d_bytes", json_integer((json_int_t)cache_bytes(t, HWLOC_OBJ_L1CACHE)));
	json_object_set_new(o, "l2_bytes", json_integer((json_int_t)cache_bytes(t, HWLOC_OBJ_L2CACHE)));
	json_object_set_new(o, "l3_bytes", json_integer((json_int_t)cache_bytes(t, HWLOC_OBJ_L3CACHE)));
	json_object_set_new(o, "l3_count", json_integer(count(t, HWLOC_OBJ_L3CACHE)));
	json_object_set_new(o, "smt", json_boolean(cores > 0 && pus > cores));
	json_object_set_new(o, "hwloc_version", json_string(HWLOC_VERSION));
	return o;
}

int topo_ncores(void)
{
	hwloc_topology_t t = NULL;
	if (topo_get(&t) < 0)
		return 1;
	int n = count(t, HWLOC_OBJ_CORE);
	return n >= 1 ? n : 1;
}

unsigned long long topo_llc_bytes(unsigned *line)
{
	hwloc_topology_t t = NULL;
	unsigned long long best = 0;
	unsigned best_line = 0;

	if (line)
		*line = 0;
	if (topo_get(&t) < 0)
		return 0;
	for (hwloc_obj_type_t ty = HWLOC_OBJ_L1CACHE; ty <= HWLOC_OBJ_L5CACHE; ty++) {
		hwloc_obj_t o = NULL;

		while ((o = hwloc_get_next_obj_by_type(t, ty, o)))
			if (o->attr && o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION &&
			    o->attr->cache.size > best) {
				best = o->attr->cache.size;
				best_line = o->attr->cache.linesize;
			}
	}
	if (line)
		*line = best_line;
	return best;
}

int pin_thread(int core, json_t **binding)
{
	hwloc_topology_t t = NULL;
	int r = topo_get(&t);
	if (r < 0)
		return r;
	int n = count(t, HWLOC_OBJ_CORE);
	hwloc_obj_type_t type = HWLOC_OBJ_CORE;
	if (n < 1) { /* some VMs expose PUs only */
		type = HWLOC_OBJ_PU;
		n = count(t, HWLOC_OBJ_PU);
	}
	if (core == -1)
		core = n - 1;
	if (core < 0 || core >= n)
		return -EINVAL;
	hwloc_obj_t obj = hwloc_get_obj_by_type(t, type, (unsigned)core);
	if (!obj || !obj->cpuset)
		return -ENODEV;

	hwloc_bitmap_t set = hwloc_bitmap_dup(obj->cpuset);
	if (!set)
		return -ENOMEM;
	hwloc_bitmap_singlify(set); /* one PU: no migration between SMT siblings */
	bool strict = true;
	if (hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) < 0) {
		strict = false;
		if (hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD) < 0) {
			r = errno ? -errno : -EIO;
			hwloc_bitmap_free(set);
			return r;
		}
	}
	if (binding) {
		char *str = NULL;
		hwloc_bitmap_asprintf(&str, set);
		json_t *b = json_object();
		json_object_set_new(b, "core", json_integer(core));
		json_object_set_new(b, "pu_os_index", json_integer(hwloc_bitmap_first(set)));
		json_object_set_new(b, "cpuset", json_string(str ? str : ""));
		json_object_set_new(b, "strict", json_boolean(strict));
		free(str);
		*binding = b;
	}
	hwloc_bitmap_free(set);
	return 0;
}
