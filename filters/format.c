/* format.c — the format names, detection by extension, error text, file
 * reading, and dispatch to the three format modules (format-pmuf.c,
 * format-qemu.c, format-raw.c). See docs/filter-format.md. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format-priv.h"
#include "pmuf.h"


static const struct {
	enum pmuf_format fmt;
	const char *name;
	const char *ext;
} formats[] = {
	{ PMUF_FMT_PMUF, "pmuf", ".pmuf" },
	{ PMUF_FMT_QEMU_JSON, "qemu-json", ".json" },
	{ PMUF_FMT_KVM_RAW, "kvm-raw", ".bin" },
};

int pmuf_format_parse(const char *s, enum pmuf_format *out)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(s, formats[i].name)) {
			*out = formats[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

const char *pmuf_format_name(enum pmuf_format fmt)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fmt == fmt)
			return formats[i].name;
	return "auto";
}

enum pmuf_format pmuf_format_from_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return PMUF_FMT_AUTO;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcasecmp(dot, formats[i].ext))
			return formats[i].fmt;
	return PMUF_FMT_AUTO;
}

void pmuf_error_format(const struct pmuf_error *e, char *buf, size_t len)
{
	if (!len)
		return;
	if (e->line > 0 && e->col > 0)
		snprintf(buf, len, "%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
	else if (e->line > 0)
		snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->msg);
	else
		snprintf(buf, len, "%s: %s", e->file, e->msg);
}

int pmuf_errorf(struct pmuf_error *err, const char *name, int line, int col, const char *fmt, ...)
{
	if (!err)
		return -EINVAL;
	va_list ap;
	snprintf(err->file, sizeof(err->file), "%s", name ? name : "<input>");
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int pmuf_msgf(char *msg, size_t msglen, const char *fmt, ...)
{
	if (msg && msglen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int pmuf_parse_num(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		unsigned d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base) {
			/* keep validating the digits so "99999999999999999999x"
			 * is "not a number", not "too big" */
			for (i++; i < n; i++) {
				c = s[i];
				if (!((c >= '0' && c <= '9') ||
				      (base == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))))
					return -EINVAL;
			}
			return -ERANGE;
		}
		v = v * base + d;
	}
	*out = v;
	return 0;
}

void pmuf_offset_linecol(const char *buf, size_t len, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int sbuf_reserve(struct pmuf_sbuf *b, size_t extra)
{
	if (b->err)
		return b->err;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->err = -ENOMEM;
		return b->err;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

void pmuf_sbuf_printf(struct pmuf_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	if (sbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int pmuf_parse_buf(const char *buf, size_t len, enum pmuf_format fmt, const char *name,
		   struct pmuf_filter *out, struct pmuf_error *err)
{
	if (!name)
		name = "<input>";
	if (err)
		memset(err, 0, sizeof(*err));
	switch (fmt) {
	case PMUF_FMT_PMUF:
		return pmuf_pmuf_parse(buf, len, name, out, err);
	case PMUF_FMT_QEMU_JSON:
		return pmuf_qemu_parse(buf, len, name, out, err);
	case PMUF_FMT_KVM_RAW:
		return pmuf_raw_parse(buf, len, name, out, err);
	case PMUF_FMT_AUTO:
		break;
	}
	return pmuf_errorf(err, name, 0, 0,
			   "unknown format; expected pmuf, qemu-json or kvm-raw (or a .pmuf, .json or "
			   ".bin extension)");
}

static int read_whole(int fd, char **buf, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	if (cap > PMUF_MAX_FILE_SIZE + 1)
		return -EFBIG;
	char *b = malloc(cap);
	size_t n = 0;
	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > PMUF_MAX_FILE_SIZE) {
				free(b);
				return -EFBIG;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(b);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

int pmuf_parse_file(const char *path, enum pmuf_format fmt, struct pmuf_filter *out,
		    struct pmuf_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (fmt == PMUF_FMT_AUTO) {
		fmt = pmuf_format_from_path(path);
		if (fmt == PMUF_FMT_AUTO)
			return pmuf_errorf(err, path, 0, 0,
					   "cannot tell the format from the extension; expected .pmuf, "
					   ".json or .bin, or name the format (pmuf, qemu-json, kvm-raw)");
	}
	/* "-" is standard input (any kind: a pipe, a terminal); a named
	 * input must be a regular file, opened without blocking (a FIFO
	 * would wait for a writer forever) and sized before it is read. */
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = -errno;
		pmuf_errorf(err, path, 0, 0, "cannot open: %s", strerror(-e));
		return e;
	}
	struct stat st;
	if (!is_stdin) {
		const char *what = NULL;
		if (fstat(fd, &st))
			what = strerror(errno);
		else if (S_ISDIR(st.st_mode))
			what = "a directory, not a filter file";
		else if (!S_ISREG(st.st_mode))
			what = S_ISFIFO(st.st_mode) ? "a FIFO, not a regular file (use - and a "
						     "redirection to read standard input)"
						   : "not a regular file (a device or socket)";
		else if ((uint64_t)st.st_size > PMUF_MAX_FILE_SIZE)
			what = "file is larger than 16 MiB; not a filter";
		if (what) {
			close(fd);
			pmuf_errorf(err, path, 0, 0, "%s", what);
			return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	char *buf = NULL;
	size_t len = 0;
	int r = read_whole(fd, &buf, &len);
	if (!is_stdin)
		close(fd);
	if (r) {
		if (r == -EFBIG)
			pmuf_errorf(err, path, 0, 0, "file is larger than %u MiB; not a filter",
				    PMUF_MAX_FILE_SIZE >> 20);
		else
			pmuf_errorf(err, path, 0, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	r = pmuf_parse_buf(buf, len, fmt, path, out, err);
	free(buf);
	return r;
}

int pmuf_render_msg(const struct pmuf_filter *f, enum pmuf_format fmt, char **buf, size_t *len,
		    char *msg, size_t msglen)
{
	if (msg && msglen)
		msg[0] = '\0';
	*buf = NULL;
	*len = 0;
	switch (fmt) {
	case PMUF_FMT_PMUF:
		return pmuf_pmuf_render(f, buf, len, msg, msglen);
	case PMUF_FMT_QEMU_JSON:
		return pmuf_qemu_render(f, buf, len, msg, msglen);
	case PMUF_FMT_KVM_RAW:
		return pmuf_raw_render(f, buf, len, msg, msglen);
	case PMUF_FMT_AUTO:
		break;
	}
	return pmuf_msgf(msg, msglen, "no output format given (pmuf, qemu-json or kvm-raw)");
}

size_t pmuf_render_bound(const struct pmuf_filter *f, enum pmuf_format fmt)
{
	switch (fmt) {
	case PMUF_FMT_PMUF:
		return pmuf_pmuf_bound(f);
	case PMUF_FMT_QEMU_JSON:
		return pmuf_qemu_bound(f);
	case PMUF_FMT_KVM_RAW:
		return PMUF_KVM_HDR_SIZE + 8 * f->nevents; /* exact */
	case PMUF_FMT_AUTO:
		break;
	}
	return 0;
}

int pmuf_render(const struct pmuf_filter *f, enum pmuf_format fmt, char **buf, size_t *len)
{
	return pmuf_render_msg(f, fmt, buf, len, NULL, 0);
}
