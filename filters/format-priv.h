/* format-priv.h — shared by the three format modules (format-pmuf.c,
 * format-qemu.c, format-raw.c) and their dispatcher (format.c). Not part of
 * the public API: callers use pmuf_parse_buf/pmuf_parse_file/pmuf_render in
 * pmuf.h. Nothing here prints or exits. */
#ifndef PFBENCH_FORMAT_PRIV_H
#define PFBENCH_FORMAT_PRIV_H

#include <stdarg.h>

#include "pmuf.h"

/* Fills *err (when non-NULL) with name:line:col and a printf message;
 * returns -EINVAL so parsers can `return pmuf_errorf(...)`. */
__attribute__((format(printf, 5, 6))) int pmuf_errorf(struct pmuf_error *err, const char *name,
						      int line, int col, const char *fmt, ...);
/* Writes a printf message to msg (when non-NULL); returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int pmuf_msgf(char *msg, size_t msglen, const char *fmt, ...);

/* An unsigned number of exactly n chars: decimal, or hex after 0x/0X.
 * 0, -EINVAL (not a number) or -ERANGE (above UINT64_MAX). */
int pmuf_parse_num(const char *s, size_t n, uint64_t *out);

/* 1-based line and column of byte offset off in buf (columns count
 * characters, not UTF-8 continuation bytes). */
void pmuf_offset_linecol(const char *buf, size_t len, size_t off, int *line, int *col);

/* A growable text buffer for the renderers; on allocation failure it
 * remembers -ENOMEM and later appends do nothing. */
struct pmuf_sbuf {
	char *s;
	size_t len, cap;
	int err;
};
__attribute__((format(printf, 2, 3))) void pmuf_sbuf_printf(struct pmuf_sbuf *b, const char *fmt, ...);

int pmuf_pmuf_parse(const char *buf, size_t len, const char *name, struct pmuf_filter *out,
		    struct pmuf_error *err);
int pmuf_pmuf_render(const struct pmuf_filter *f, char **buf, size_t *len, char *msg, size_t msglen);
int pmuf_qemu_parse(const char *buf, size_t len, const char *name, struct pmuf_filter *out,
		    struct pmuf_error *err);
int pmuf_qemu_render(const struct pmuf_filter *f, char **buf, size_t *len, char *msg, size_t msglen);
int pmuf_raw_parse(const char *buf, size_t len, const char *name, struct pmuf_filter *out,
		   struct pmuf_error *err);
int pmuf_raw_render(const struct pmuf_filter *f, char **buf, size_t *len, char *msg, size_t msglen);
/* At least the bytes each renderer writes for f, counted without
 * rendering (pmuf_render_bound). */
size_t pmuf_pmuf_bound(const struct pmuf_filter *f);
size_t pmuf_qemu_bound(const struct pmuf_filter *f);

#endif
