/* guest.c — the arch-neutral guest library: start-up handshake with the
 * mailbox, ucalls, sample recording, and the two string functions gcc may
 * emit calls to. */
#include "guest.h"

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static const char *base_name(const char *f)
{
	const char *b = f;
	for (; *f; f++)
		if (*f == '/')
			b = f + 1;
	return b;
}

static void copy_str(volatile char *dst, const char *src, size_t cap)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < cap; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

void guest_arch_doorbell(void);

void guest_ucall(uint32_t cmd, const char *file, uint32_t line, const char *expr,
		 uint64_t a0, uint64_t a1)
{
	volatile struct guest_mailbox *mb = GUEST_MB;
	mb->ucall.cmd = cmd;
	mb->ucall.line = line;
	mb->ucall.arg[0] = a0;
	mb->ucall.arg[1] = a1;
	copy_str(mb->ucall.file, base_name(file), sizeof(mb->ucall.file));
	copy_str(mb->ucall.expr, expr, sizeof(mb->ucall.expr));
	guest_arch_doorbell();
	if (cmd == GUEST_UCALL_ABORT || cmd == GUEST_UCALL_DONE)
		guest_stop();
}

void guest_record(volatile struct guest_mailbox *mb, uint64_t ticks)
{
	uint32_t n = mb->nsamples;
	if (n >= GUEST_MAX_SAMPLES)
		return;
	mb->samples[n] = ticks;
	mb->nsamples = n + 1;
	unsigned b = ticks ? 63u - (unsigned)__builtin_clzll(ticks) : 0;
	mb->hist[b]++;
	mb->hist_total++;
}

/* Called by the arch start code on the boot stack. */
void guest_start(void)
{
	volatile struct guest_mailbox *mb = GUEST_MB;
	if (mb->magic != GUEST_ABI_MAGIC || mb->version != GUEST_ABI_VERSION ||
	    mb->size != sizeof(struct guest_mailbox)) {
		mb->status = GUEST_ST_FAILED;
		guest_ucall(GUEST_UCALL_ABORT, __FILE__, __LINE__, "mailbox header", mb->magic,
			    mb->version);
	}
	mb->guest_magic = GUEST_ABI_MAGIC;
	mb->status = GUEST_ST_RUNNING;
	mb->tsc_begin = 0;
	guest_main(mb);
	if (mb->status == GUEST_ST_RUNNING)
		mb->status = GUEST_ST_OK;
	guest_ucall(GUEST_UCALL_DONE, __FILE__, __LINE__, "", 0, 0);
	guest_stop();
}
