/* format-qemu.c — QEMU's kvm-pmu-filter object as JSON (through jansson):
 *   {"qom-type":"kvm-pmu-filter","id":"f0","action":"allow"|"deny",
 *    "x86-fixed-counter":N,"events":[{"format":"raw","code":N},
 *    {"format":"x86-select-umask","select":N,"umask":N},
 *    {"format":"x86-masked-entry","select":N,"mask":N,"match":N,"exclude":B}]}
 * Numbers may be hex strings ("0xc4"); "x86-default" is the older name of
 * x86-select-umask and {"bitmap":N} the older fixed-counter form. Masked and
 * unmasked formats do not mix (QEMU rejects that).
 *
 * Positions: syntax errors carry jansson's line and column. jansson keeps no
 * positions for values, so for a semantic error (a bad events[3].select) we
 * walk the already-valid text to that value, letting jansson decode every
 * key and skip every value (json_loadb with JSON_DISABLE_EOF_CHECK reports
 * how many bytes it consumed); only whitespace and the structural
 * characters { [ : , are stepped over here. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "format-priv.h"
#include "pmuf.h"

/* ---- locating a value by its path ---- */

struct jstep {
	const char *key; /* object member, or NULL for an array index */
	size_t index;
};

static size_t jws(const char *buf, size_t len, size_t pos)
{
	while (pos < len && (buf[pos] == ' ' || buf[pos] == '\t' || buf[pos] == '\n' || buf[pos] == '\r'))
		pos++;
	return pos;
}

/* Decodes the one JSON value at pos; *end gets the offset after it. */
static json_t *jnext(const char *buf, size_t len, size_t pos, size_t *end)
{
	json_error_t e;
	json_t *v = json_loadb(buf + pos, len - pos, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &e);
	if (v)
		*end = pos + (size_t)e.position;
	return v;
}

static bool jskip(const char *buf, size_t len, size_t *pos)
{
	size_t end;
	json_t *v = jnext(buf, len, *pos, &end);
	if (!v)
		return false;
	json_decref(v);
	*pos = jws(buf, len, end);
	return true;
}

/* Offset of the value at path, starting from the value at `start`; with
 * want_key, the offset of the last step's key instead. */
static bool jlocate(const char *buf, size_t len, size_t start, const struct jstep *path, int n,
		    bool want_key, size_t *off)
{
	size_t pos = jws(buf, len, start);
	for (int k = 0; k < n; k++) {
		const struct jstep *st = &path[k];
		if (pos >= len || buf[pos] != (st->key ? '{' : '['))
			return false;
		pos = jws(buf, len, pos + 1);
		for (size_t i = 0;; i++) {
			if (pos >= len || buf[pos] == '}' || buf[pos] == ']')
				return false;
			bool hit = !st->key && i == st->index;
			if (st->key) {
				size_t keypos = pos, end;
				json_t *kv = jnext(buf, len, pos, &end);
				if (!kv)
					return false;
				hit = json_is_string(kv) && !strcmp(json_string_value(kv), st->key);
				json_decref(kv);
				pos = jws(buf, len, end);
				if (pos >= len || buf[pos] != ':')
					return false;
				pos = jws(buf, len, pos + 1);
				if (hit && want_key && k == n - 1) {
					*off = keypos;
					return true;
				}
			}
			if (hit)
				break;
			if (!jskip(buf, len, &pos))
				return false;
			if (pos < len && buf[pos] == ',')
				pos = jws(buf, len, pos + 1);
		}
	}
	*off = pos;
	return true;
}

/* ---- parsing ---- */

struct qctx {
	const char *buf;
	size_t len;
	const char *name;
	struct pmuf_error *err;
	size_t *ev_off; /* offsets of the events[] elements, or NULL */
	size_t nev_off;
};

static void path_str(const struct jstep *path, int n, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (int k = 0; k < n && used < outlen; k++) {
		int w = path[k].key ? snprintf(out + used, outlen - used, "%s%s", k ? "." : "", path[k].key)
				    : snprintf(out + used, outlen - used, "[%zu]", path[k].index);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (!n)
		snprintf(out, outlen, "the top-level object");
}

/* A semantic error at path ("events[3].select: msg"), positioned at the
 * value (or its key with at_key) when the walk finds it. */
static int qerr(struct qctx *q, const struct jstep *path, int n, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int qerr(struct qctx *q, const struct jstep *path, int n, bool at_key, const char *fmt, ...)
{
	char p[96], msg[200];
	va_list ap;
	size_t off = 0;
	int line = 0, col = 0;
	bool found;
	path_str(path, n, p, sizeof(p));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* inside events[i], start from the element's recorded offset */
	if (n >= 2 && path[0].key && !strcmp(path[0].key, "events") && !path[1].key && q->ev_off &&
	    path[1].index < q->nev_off)
		found = jlocate(q->buf, q->len, q->ev_off[path[1].index], path + 2, n - 2, at_key, &off);
	else
		found = jlocate(q->buf, q->len, 0, path, n, at_key, &off);
	if (found)
		pmuf_offset_linecol(q->buf, q->len, off, &line, &col);
	return pmuf_errorf(q->err, q->name, line, col, "%s: %s", p, msg);
}

/* Offsets of every element of the top-level "events" array, in one walk. */
static size_t *event_offsets(const char *buf, size_t len, size_t n)
{
	static const struct jstep path[] = { { .key = "events" } };
	size_t pos, *offs = calloc(n ? n : 1, sizeof(*offs));
	if (!offs || !jlocate(buf, len, 0, path, 1, false, &pos) || buf[pos] != '[') {
		free(offs);
		return NULL;
	}
	pos = jws(buf, len, pos + 1);
	for (size_t i = 0; i < n; i++) {
		offs[i] = pos;
		if (!jskip(buf, len, &pos)) {
			free(offs);
			return NULL;
		}
		if (pos < len && buf[pos] == ',')
			pos = jws(buf, len, pos + 1);
	}
	return offs;
}

/* A JSON integer or a numeric string ("0xc4", "196") in 0..max. */
static int qnum(struct qctx *q, json_t *v, const struct jstep *path, int n, uint64_t max, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return qerr(q, path, n, false, "%" JSON_INTEGER_FORMAT " is negative; expected 0..%" PRIu64,
				    i, max);
		if ((uint64_t)i > max)
			return qerr(q, path, n, false,
				    "%" JSON_INTEGER_FORMAT " is out of range; expected 0..%" PRIu64 " (0x%" PRIx64 ")",
				    i, max, max);
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t sl = json_string_length(v);
		int r = pmuf_parse_num(s, sl, out);
		if (r == -EINVAL)
			return qerr(q, path, n, false,
				    "\"%.40s\" is not a number; expected decimal digits or hex such as \"0xc4\"", s);
		if (r == -ERANGE || *out > max)
			return qerr(q, path, n, false, "\"%.40s\" is out of range; expected 0..%" PRIu64 " (0x%" PRIx64 ")",
				    s, max, max);
		return 0;
	}
	if (json_is_real(v))
		return qerr(q, path, n, false, "expected an integer, got a real number");
	return qerr(q, path, n, false, "expected a number or a hex string such as \"0xc4\"");
}

enum ev_fmt { EV_RAW, EV_SELECT_UMASK, EV_MASKED };

static const char *const ev_fmt_name[] = { "raw", "x86-select-umask", "x86-masked-entry" };

static int parse_event(struct qctx *q, json_t *ev, size_t idx, enum ev_fmt *fmt_out, uint64_t *entry)
{
	struct jstep p[3] = { { .key = "events" }, { .index = idx }, { 0 } };
	if (!json_is_object(ev))
		return qerr(q, p, 2, false, "expected an object {\"format\": ...}");
	json_t *fv = json_object_get(ev, "format");
	if (!fv)
		return qerr(q, p, 2, false,
			    "missing \"format\"; expected raw, x86-select-umask or x86-masked-entry");
	p[2].key = "format";
	const char *fs = json_is_string(fv) ? json_string_value(fv) : "";
	enum ev_fmt fmt;
	if (!strcmp(fs, "raw"))
		fmt = EV_RAW;
	else if (!strcmp(fs, "x86-select-umask") || !strcmp(fs, "x86-default"))
		fmt = EV_SELECT_UMASK;
	else if (!strcmp(fs, "x86-masked-entry"))
		fmt = EV_MASKED;
	else if (json_is_string(fv))
		return qerr(q, p, 3, false,
			    "unknown format \"%.40s\"; expected raw, x86-select-umask (or x86-default) or "
			    "x86-masked-entry", fs);
	else
		return qerr(q, p, 3, false, "expected a string: raw, x86-select-umask or x86-masked-entry");

	static const char *const fields[][5] = {
		[EV_RAW] = { "code" },
		[EV_SELECT_UMASK] = { "select", "umask" },
		[EV_MASKED] = { "select", "mask", "match", "exclude" },
	};
	static const char *const need_text[] = {
		[EV_RAW] = "code",
		[EV_SELECT_UMASK] = "select and umask",
		[EV_MASKED] = "select, mask, match and exclude",
	};
	const char *key;
	json_t *val;
	json_object_foreach(ev, key, val) {
		bool known = !strcmp(key, "format");
		for (int i = 0; fields[fmt][i] && !known; i++)
			known = !strcmp(key, fields[fmt][i]);
		if (!known) {
			p[2].key = key;
			return qerr(q, p, 3, true, "unknown property \"%.40s\" for format %s; expected %s", key,
				    fs, need_text[fmt]);
		}
	}
	uint64_t v[4] = { 0 };
	for (int i = 0; fields[fmt][i]; i++) {
		p[2].key = fields[fmt][i];
		val = json_object_get(ev, fields[fmt][i]);
		if (!val)
			return qerr(q, p, 2, false, "missing \"%s\" (format %s needs %s)", fields[fmt][i], fs,
				    need_text[fmt]);
		if (!strcmp(fields[fmt][i], "exclude")) {
			if (!json_is_boolean(val))
				return qerr(q, p, 3, false, "expected true or false");
			v[i] = json_is_true(val);
			continue;
		}
		uint64_t max = fmt == EV_RAW ? UINT64_MAX : (i == 0 ? 0xFFF : 0xFF);
		int r = qnum(q, val, p, 3, max, &v[i]);
		if (r)
			return r;
	}
	switch (fmt) {
	case EV_RAW:
		*entry = v[0];
		break;
	case EV_SELECT_UMASK:
		*entry = pmuf_exact_encode((uint16_t)v[0], (uint8_t)v[1]);
		break;
	case EV_MASKED:
		*entry = pmuf_masked_encode((uint16_t)v[0], (uint8_t)v[1], (uint8_t)v[2], v[3] != 0);
		break;
	}
	*fmt_out = fmt;
	return 0;
}

static int parse_fixed(struct qctx *q, json_t *v, uint32_t *out)
{
	struct jstep p[2] = { { .key = "x86-fixed-counter" }, { .key = "bitmap" } };
	uint64_t x;
	int r;
	if (json_is_object(v)) {
		const char *key;
		json_t *val;
		json_object_foreach(v, key, val) {
			if (strcmp(key, "bitmap")) {
				p[1].key = key;
				return qerr(q, p, 2, true, "unknown property \"%.40s\"; expected \"bitmap\"", key);
			}
		}
		json_t *b = json_object_get(v, "bitmap");
		if (!b)
			return qerr(q, p, 1, false, "missing \"bitmap\" (the older {\"bitmap\": N} form)");
		r = qnum(q, b, p, 2, UINT32_MAX, &x);
	} else {
		r = qnum(q, v, p, 1, UINT32_MAX, &x);
	}
	if (!r)
		*out = (uint32_t)x;
	return r;
}

static int qparse(struct qctx *q, json_t *root, struct pmuf_filter *f)
{
	static const struct jstep top[1] = { { 0 } };
	struct jstep p[1] = { { 0 } };
	const char *key;
	json_t *val;
	int r;
	if (!json_is_object(root))
		return qerr(q, top, 0, false, "expected a JSON object (a kvm-pmu-filter)");
	json_object_foreach(root, key, val) {
		p[0].key = key;
		if (!strcmp(key, "qom-type")) {
			if (!json_is_string(val) || strcmp(json_string_value(val), "kvm-pmu-filter"))
				return qerr(q, p, 1, false, "expected \"kvm-pmu-filter\"");
		} else if (!strcmp(key, "id")) {
			if (!json_is_string(val))
				return qerr(q, p, 1, false, "expected a string");
		} else if (!strcmp(key, "action")) {
			const char *a = json_is_string(val) ? json_string_value(val) : "";
			if (!strcmp(a, "allow"))
				f->action = PMUF_ALLOW;
			else if (!strcmp(a, "deny"))
				f->action = PMUF_DENY;
			else
				return qerr(q, p, 1, false, "expected \"allow\" or \"deny\"");
		} else if (!strcmp(key, "x86-fixed-counter")) {
			if ((r = parse_fixed(q, val, &f->fixed_counter_bitmap)))
				return r;
		} else if (!strcmp(key, "events")) {
			if (!json_is_array(val))
				return qerr(q, p, 1, false, "expected an array of events");
		} else {
			return qerr(q, p, 1, true,
				    "unknown property; expected qom-type, id, action, x86-fixed-counter or events");
		}
	}
	if (!json_object_get(root, "action"))
		return qerr(q, top, 0, false, "missing \"action\"; expected \"allow\" or \"deny\"");

	json_t *evs = json_object_get(root, "events");
	size_t n = evs ? json_array_size(evs) : 0;
	q->ev_off = n ? event_offsets(q->buf, q->len, n) : NULL;
	q->nev_off = q->ev_off ? n : 0;
	if (n) {
		/* exact-size arrays (pmuf_add_event grows one by one) */
		f->events = malloc(n * sizeof(*f->events));
		f->src = calloc(n, sizeof(*f->src));
		if (!f->events || !f->src)
			return -ENOMEM;
	}
	ssize_t first_masked = -1, first_unmasked = -1;
	enum ev_fmt unmasked_fmt = EV_RAW;
	size_t line_off = 0;
	int line = 1;
	for (size_t i = 0; i < n; i++) {
		enum ev_fmt fmt = EV_RAW;
		uint64_t entry = 0;
		if ((r = parse_event(q, json_array_get(evs, i), i, &fmt, &entry)))
			return r;
		if (fmt == EV_MASKED && first_masked < 0)
			first_masked = (ssize_t)i;
		if (fmt != EV_MASKED && first_unmasked < 0) {
			first_unmasked = (ssize_t)i;
			unmasked_fmt = fmt;
		}
		if (first_masked >= 0 && first_unmasked >= 0) {
			struct jstep ep[3] = { { .key = "events" }, { .index = i }, { .key = "format" } };
			return qerr(q, ep, 3, false,
				    "%s cannot be mixed with %s (events[%zd] is %s); QEMU rejects a filter "
				    "that mixes masked and unmasked formats",
				    ev_fmt_name[fmt], fmt == EV_MASKED ? "raw or x86-select-umask" : "x86-masked-entry",
				    fmt == EV_MASKED ? first_unmasked : first_masked,
				    ev_fmt_name[fmt == EV_MASKED ? unmasked_fmt : EV_MASKED]);
		}
		struct pmuf_src src = { 0 };
		if (q->ev_off) {
			/* offsets increase: count newlines from the previous one */
			for (; line_off < q->ev_off[i]; line_off++)
				line += q->buf[line_off] == '\n';
			src.line = line;
		}
		f->events[i] = entry;
		f->src[i] = src;
		f->nevents = i + 1;
	}
	if (first_masked >= 0)
		f->flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	return 0;
}

int pmuf_qemu_parse(const char *buf, size_t len, const char *name, struct pmuf_filter *out,
		    struct pmuf_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		int line = je.line, col = je.column;
		/* At the end of the input jansson gives column 0: place the
		 * error at its byte offset instead, so it has a column too. */
		if ((line <= 0 || col <= 0) && je.position >= 0)
			pmuf_offset_linecol(buf, len, (size_t)je.position, &line, &col);
		bool big = strstr(je.text, "too big integer") != NULL;
		return pmuf_errorf(err, name, line, col > 0 ? col : 0, "%s%s", je.text,
				   big ? "; numbers above 2^63-1 must be hex strings such as "
					 "\"0xffffffffffffffff\""
				       : "");
	}
	struct qctx q = { .buf = buf, .len = len, .name = name, .err = err };
	struct pmuf_filter f;
	pmuf_init(&f, PMUF_ARCH_X86);
	int r = qparse(&q, root, &f);
	free(q.ev_off);
	json_decref(root);
	if (r) {
		if (r == -ENOMEM)
			pmuf_errorf(err, name, 0, 0, "out of memory");
		pmuf_free(&f);
		return r;
	}
	*out = f;
	return 0;
}

/* ---- rendering ---- */

static json_t *jnum(uint64_t v)
{
	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	char s[24];
	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	return json_string(s);
}

static int qcheck(const struct pmuf_filter *f, char *msg, size_t msglen)
{
	const uint64_t masked_bits = PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_UMASK_MATCH |
				     PMUF_MASKED_UMASK_MASK | PMUF_MASKED_EXCLUDE;
	if (f->arch != PMUF_ARCH_X86)
		return pmuf_msgf(msg, msglen, "QEMU's kvm-pmu-filter JSON holds x86 filters here; an arm64 "
				 "range filter has no form in it (use pmuf)");
	if (f->action != PMUF_ALLOW && f->action != PMUF_DENY)
		return pmuf_msgf(msg, msglen, "action %" PRIu32 " cannot be written: QEMU's JSON has only "
				 "\"allow\" and \"deny\"", f->action);
	if (f->flags & ~(uint32_t)KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
		return pmuf_msgf(msg, msglen, "flags 0x%" PRIx32 " cannot be written: QEMU sets only the "
				 "masked-events flag (0x1)", f->flags);
	if (f->pad[0] || f->pad[1] || f->pad[2] || f->pad[3])
		return pmuf_msgf(msg, msglen, "non-zero pad words cannot be written: QEMU always passes "
				 "zero pad");
	if (f->nranges)
		return pmuf_msgf(msg, msglen, "an x86 filter with arm64 ranges cannot be written");
	if (!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS))
		return 0;
	if (!f->nevents)
		return pmuf_msgf(msg, msglen, "a masked filter without entries cannot be written: QEMU sets "
				 "the masked flag only when there is an x86-masked-entry event");
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i] & ~masked_bits)
			return pmuf_msgf(msg, msglen, "entry %zu (0x%016" PRIx64 ") has bits 0x%" PRIx64
					 " outside a masked entry's fields; QEMU cannot write it in a "
					 "masked filter", i, f->events[i], f->events[i] & ~masked_bits);
	return 0;
}

static int add_event(json_t *arr, const struct pmuf_filter *f, uint64_t e)
{
	json_t *o = json_object();
	unsigned sel = (unsigned)((e & 0xFF) | ((e >> 24) & 0xF00));
	int r = 0;
	if (!o)
		return -ENOMEM;
	if (f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) {
		r |= json_object_set_new(o, "format", json_string("x86-masked-entry"));
		r |= json_object_set_new(o, "select", json_integer(sel));
		r |= json_object_set_new(o, "mask", json_integer((json_int_t)(e >> PMUF_MASKED_UMASK_MASK_SHIFT)));
		r |= json_object_set_new(o, "match", json_integer((json_int_t)((e >> 8) & 0xFF)));
		r |= json_object_set_new(o, "exclude", json_boolean(e & PMUF_MASKED_EXCLUDE));
	} else if (!(e & ~PMUF_RAW_EVENT_MASK_NB)) {
		r |= json_object_set_new(o, "format", json_string("x86-select-umask"));
		r |= json_object_set_new(o, "select", json_integer(sel));
		r |= json_object_set_new(o, "umask", json_integer((json_int_t)((e >> 8) & 0xFF)));
	} else {
		r |= json_object_set_new(o, "format", json_string("raw"));
		r |= json_object_set_new(o, "code", jnum(e));
	}
	r |= json_array_append_new(arr, o);
	return r ? -ENOMEM : 0;
}

/* What pmuf_qemu_render's JSON_INDENT(2) dump takes per entry at most:
 * the object's braces on their own lines at indent 4 and the comma after
 * it (13), then one line per member at indent 6 ("\n" + 6 spaces, a
 * comma but the last): masked {"format": "x86-masked-entry", "select":
 * 4095, "mask": 255, "match": 255, "exclude": false} = 81 + 5 * 7 + 4;
 * select-umask {.., "select": 4095, "umask": 255} = 54 + 3 * 7 + 2;
 * raw {"format": "raw", "code": "0xffffffffffffffff"} = 43 + 2 * 7 + 1.
 * The object around the events (qom-type, id, action, fixed counters)
 * takes under 256. */
#define QEMU_BOUND_HEADER 256u
#define QEMU_BOUND_OBJECT 13u
#define QEMU_BOUND_MASKED (QEMU_BOUND_OBJECT + 81u + 5u * 7u + 4u)
#define QEMU_BOUND_SELECT_UMASK (QEMU_BOUND_OBJECT + 54u + 3u * 7u + 2u)
#define QEMU_BOUND_RAW (QEMU_BOUND_OBJECT + 43u + 2u * 7u + 1u)

size_t pmuf_qemu_bound(const struct pmuf_filter *f)
{
	size_t n = QEMU_BOUND_HEADER;
	for (size_t i = 0; i < f->nevents; i++) {
		uint64_t e = f->events[i];
		n += f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS ? QEMU_BOUND_MASKED :
		     !(e & ~PMUF_RAW_EVENT_MASK_NB)	      ? QEMU_BOUND_SELECT_UMASK :
								QEMU_BOUND_RAW;
	}
	return n;
}

int pmuf_qemu_render(const struct pmuf_filter *f, char **buf, size_t *len, char *msg, size_t msglen)
{
	int r = qcheck(f, msg, msglen);
	if (r)
		return r;
	json_t *root = json_object(), *evs = json_array();
	if (!root || !evs) {
		json_decref(root);
		json_decref(evs);
		return -ENOMEM;
	}
	r |= json_object_set_new(root, "qom-type", json_string("kvm-pmu-filter"));
	r |= json_object_set_new(root, "id", json_string("f0"));
	r |= json_object_set_new(root, "action", json_string(f->action == PMUF_ALLOW ? "allow" : "deny"));
	r |= json_object_set_new(root, "x86-fixed-counter", json_integer(f->fixed_counter_bitmap));
	r |= json_object_set_new(root, "events", evs);
	for (size_t i = 0; i < f->nevents && !r; i++)
		r = add_event(evs, f, f->events[i]);
	char *s = r ? NULL : json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!s)
		return -ENOMEM;
	size_t n = strlen(s);
	char *out = realloc(s, n + 2);
	if (!out) {
		free(s);
		return -ENOMEM;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	*buf = out;
	*len = n + 1;
	return 0;
}
