/* stats.c — a vCPU's KVM binary statistics (KVM_GET_STATS_FD,
 * Documentation/virt/kvm/api.rst "KVM_GET_STATS_FD"): header, id string,
 * descriptors, data. Descriptors are read once at open; each read is one
 * pread of the data block, keeping each stat's first u64 (histograms are
 * summarised by their first bucket and not used here). See vm.h. */
#include "vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

struct vcpu_stats {
	int fd;
	size_t n;
	char (*names)[64];
	uint32_t *offsets; /* byte offset of each stat in the data block */
	uint64_t data_offset;
	size_t data_bytes;
	uint8_t *buf;
	int counts_idx[11]; /* struct vm_exit_counts fields, -1 = absent */
};

/* In the order of struct vm_exit_counts. */
static const char *const count_names[] = {
	"exits",	  "io_exits",	 "mmio_exits",	   "halt_exits",
	"signal_exits",	  "irq_exits",	 "hypercalls",	   "insn_emulation",
	"irq_window_exits", "nmi_window_exits", "request_irq_exits",
};
_Static_assert(sizeof(count_names) / sizeof(count_names[0]) ==
		       sizeof(struct vm_exit_counts) / sizeof(uint64_t),
	       "one name per vm_exit_counts field");

static int full_pread(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

void vcpu_stats_close(struct vcpu *v)
{
	struct vcpu_stats *s = v->stats;
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->names);
	free(s->offsets);
	free(s->buf);
	free(s);
	v->stats = NULL;
}

int vcpu_stats_open(struct vcpu *v)
{
	struct kvm_stats_header h;
	int err;
	if (v->stats)
		return 0;
	int fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return errno ? -errno : -EIO;
	struct vcpu_stats *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	v->stats = s;
	err = full_pread(fd, &h, sizeof(h), 0);
	if (err)
		goto fail;
	/* Sanity bounds: the kernel has a few dozen stats of short names. */
	if (h.num_desc == 0 || h.num_desc > 4096 || h.name_size == 0 || h.name_size > 256) {
		err = -EPROTO;
		goto fail;
	}
	size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	uint8_t *descs = malloc(dsz * h.num_desc);
	s->names = calloc(h.num_desc, sizeof(*s->names));
	s->offsets = calloc(h.num_desc, sizeof(*s->offsets));
	if (!descs || !s->names || !s->offsets) {
		free(descs);
		err = -ENOMEM;
		goto fail;
	}
	err = full_pread(fd, descs, dsz * h.num_desc, h.desc_offset);
	if (err) {
		free(descs);
		goto fail;
	}
	size_t end = 0;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(descs + i * dsz);
		size_t nlen = strnlen(d->name, h.name_size);
		if (nlen >= sizeof(s->names[0]))
			nlen = sizeof(s->names[0]) - 1;
		memcpy(s->names[s->n], d->name, nlen);
		s->names[s->n][nlen] = 0;
		s->offsets[s->n] = d->offset;
		size_t e = (size_t)d->offset + (size_t)(d->size ? d->size : 1) * 8;
		if (e > end)
			end = e;
		s->n++;
	}
	free(descs);
	if (end == 0 || end > (1u << 20)) {
		err = -EPROTO;
		goto fail;
	}
	s->data_offset = h.data_offset;
	s->data_bytes = end;
	s->buf = malloc(end);
	if (!s->buf) {
		err = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < sizeof(count_names) / sizeof(count_names[0]); i++) {
		s->counts_idx[i] = vcpu_stats_index(v, count_names[i]);
		const char *alias = vcpu_arch_stat_alias(count_names[i]);
		if (s->counts_idx[i] < 0 && alias)
			s->counts_idx[i] = vcpu_stats_index(v, alias);
	}
	return 0;
fail:
	vcpu_stats_close(v);
	return err;
}

size_t vcpu_stats_count(const struct vcpu *v)
{
	return v->stats ? v->stats->n : 0;
}

const char *vcpu_stats_name(const struct vcpu *v, size_t i)
{
	return v->stats && i < v->stats->n ? v->stats->names[i] : NULL;
}

int vcpu_stats_index(const struct vcpu *v, const char *name)
{
	if (!v->stats)
		return -ENOENT;
	for (size_t i = 0; i < v->stats->n; i++)
		if (!strcmp(v->stats->names[i], name))
			return (int)i;
	return -ENOENT;
}

int vcpu_stats_read(const struct vcpu *v, uint64_t *vals)
{
	struct vcpu_stats *s = v->stats;
	if (!s)
		return -ENODEV;
	int err = full_pread(s->fd, s->buf, s->data_bytes, s->data_offset);
	if (err)
		return err;
	for (size_t i = 0; i < s->n; i++)
		memcpy(&vals[i], s->buf + s->offsets[i], sizeof(uint64_t));
	return 0;
}

void vcpu_stats_counts(const struct vcpu *v, const uint64_t *vals, struct vm_exit_counts *c)
{
	uint64_t *f = (uint64_t *)c;
	for (size_t i = 0; i < sizeof(count_names) / sizeof(count_names[0]); i++) {
		int idx = v->stats ? v->stats->counts_idx[i] : -1;
		f[i] = idx >= 0 ? vals[idx] : VM_STAT_ABSENT;
	}
}
