/* format-raw.c — the kvm-raw format: the exact bytes of x86's struct
 * kvm_pmu_event_filter as KVM_SET_PMU_EVENT_FILTER takes them, little-endian:
 * u32 action, nevents, fixed_counter_bitmap, flags, pad[4] (32 bytes), then
 * nevents u64 events. Also pmuf_to_kvm, the ioctl argument itself. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format-priv.h"
#include "pmuf.h"

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

int pmuf_raw_parse(const char *buf, size_t len, const char *name, struct pmuf_filter *out,
		   struct pmuf_error *err)
{
	const unsigned char *p = (const unsigned char *)buf;
	if (len < PMUF_KVM_HDR_SIZE)
		return pmuf_errorf(err, name, 0, 0,
				   "offset %zu: truncated header: struct kvm_pmu_event_filter needs %u "
				   "bytes, the file has %zu",
				   len, PMUF_KVM_HDR_SIZE, len);
	uint32_t nevents = get_le32(p + 4);
	uint64_t want = PMUF_KVM_HDR_SIZE + 8ull * nevents;
	if (len < want)
		return pmuf_errorf(err, name, 0, 0,
				   "offset %zu: truncated: the header's nevents=%" PRIu32
				   " needs %" PRIu64 " bytes, the file ends after %zu",
				   len, nevents, want, len);
	if (len > want)
		return pmuf_errorf(err, name, 0, 0,
				   "offset %" PRIu64 ": %" PRIu64
				   " bytes after the last of the header's nevents=%" PRIu32
				   " events; expected the end of the file",
				   want, (uint64_t)len - want, nevents);

	struct pmuf_filter f;
	pmuf_init(&f, PMUF_ARCH_X86);
	f.action = get_le32(p);
	f.fixed_counter_bitmap = get_le32(p + 8);
	f.flags = get_le32(p + 12);
	for (int i = 0; i < 4; i++)
		f.pad[i] = get_le32(p + 16 + 4 * i);
	/* one exact allocation; no src (bytes have no lines or names) */
	if (nevents) {
		f.events = malloc(sizeof(*f.events) * nevents);
		if (!f.events) {
			pmuf_errorf(err, name, 0, 0, "out of memory for %" PRIu32 " events", nevents);
			return -ENOMEM;
		}
	}
	for (uint32_t i = 0; i < nevents; i++)
		f.events[i] = get_le64(p + PMUF_KVM_HDR_SIZE + 8 * (size_t)i);
	f.nevents = nevents;
	*out = f;
	return 0;
}

int pmuf_raw_render(const struct pmuf_filter *f, char **buf, size_t *len, char *msg, size_t msglen)
{
	if (f->arch != PMUF_ARCH_X86)
		return pmuf_msgf(msg, msglen,
				 "kvm-raw holds x86's struct kvm_pmu_event_filter; an arm64 filter has "
				 "no kvm-raw form (use pmuf)");
	if (f->nevents > UINT32_MAX)
		return pmuf_msgf(msg, msglen, "%zu events do not fit the u32 nevents field",
				 f->nevents);
	size_t n = PMUF_KVM_HDR_SIZE + 8 * f->nevents;
	unsigned char *p = calloc(1, n);
	if (!p)
		return -ENOMEM;
	put_le32(p, f->action);
	put_le32(p + 4, (uint32_t)f->nevents);
	put_le32(p + 8, f->fixed_counter_bitmap);
	put_le32(p + 12, f->flags);
	for (int i = 0; i < 4; i++)
		put_le32(p + 16 + 4 * i, f->pad[i]);
	for (size_t i = 0; i < f->nevents; i++)
		put_le64(p + PMUF_KVM_HDR_SIZE + 8 * i, f->events[i]);
	*buf = (char *)p;
	*len = n;
	return 0;
}

int pmuf_to_kvm(const struct pmuf_filter *f, void **buf, size_t *len)
{
	char *b = NULL;
	int r = pmuf_raw_render(f, &b, len, NULL, 0);
	*buf = b;
	return r;
}
