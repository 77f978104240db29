/* format-pmuf.c — the .pmuf text format: one directive a line, `#` starts a
 * comment. It expresses every pmuf_filter field, so any filter (including
 * invalid ones, for validation tests) round-trips. Grammar and examples:
 * docs/filter-format.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format-priv.h"
#include "pmuf.h"

#define MAX_TOKS 12
#define NAME_MAX_LEN (sizeof(((struct pmuf_src *)0)->name) - 1)

struct tok {
	const char *s;
	size_t n;
	int col;
};

enum ent_kind { ENT_EVENT, ENT_INCLUDE, ENT_EXCLUDE, ENT_RAW };
enum { PAT_NONE = 0, PAT_ALLOW, PAT_DENY };

struct ent {
	enum ent_kind kind;
	int pattern; /* ENT_EVENT from a pattern line: PAT_ALLOW or PAT_DENY; else 0 */
	uint16_t select;
	uint8_t umask, mask, match;
	uint64_t raw;
	struct pmuf_src src;
};

struct pstate {
	const char *name;
	struct pmuf_error *err;
	int line;
	struct tok t[MAX_TOKS];
	int nt;
	int eol_col; /* column just past the last token */

	enum pmuf_arch arch;
	int arch_line, first_line; /* first_line: first directive of any kind */
	int action_line, flavor_line, fixed_line, flags_line, pad_line, bits_line, pmu_line;
	int first_pattern;   /* PAT_ALLOW/PAT_DENY of the first pattern line, or 0 */
	char pmu[32];        /* `pmu NAME`: names without pmu:: use it */
	uint32_t action, fixed, flags, pad[4];
	enum pmuf_flavor flavor;
	unsigned bits;
	bool any_masked;

	struct ent *ents;
	size_t nents, cap;
	struct pmuf_filter arm; /* arm64 ranges, in order */
	size_t arm_cap;         /* allocated ranges (grown by doubling) */
};

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->s, s, t->n);
}

#define TOKFMT "%.*s"
#define TOKARG(t) (int)((t)->n > 40 ? 40 : (t)->n), (t)->s

static int err_at(struct pstate *ps, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int err_at(struct pstate *ps, int col, const char *fmt, ...)
{
	char msg[sizeof(ps->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pmuf_errorf(ps->err, ps->name, ps->line, col, "%s", msg);
}

/* The token i, or an error saying what was expected there. */
static int need(struct pstate *ps, int i, const char *what)
{
	if (i < ps->nt)
		return 0;
	return err_at(ps, ps->eol_col, "expected %s", what);
}

static int no_more(struct pstate *ps, int i, const char *after)
{
	if (i >= ps->nt)
		return 0;
	return err_at(ps, ps->t[i].col, "unexpected '" TOKFMT "' after %s; expected the end of the line",
		      TOKARG(&ps->t[i]), after);
}

static int num(struct pstate *ps, const struct tok *t, const char *what, uint64_t max, uint64_t *out)
{
	int r = pmuf_parse_num(t->s, t->n, out);
	if (r == -EINVAL)
		return err_at(ps, t->col, "expected %s (decimal, or hex with 0x), got '" TOKFMT "'", what,
			      TOKARG(t));
	if (r == -ERANGE || *out > max)
		return err_at(ps, t->col, "%s " TOKFMT " is out of range (max 0x%" PRIx64 ")", what,
			      TOKARG(t), max);
	return 0;
}

static int num32(struct pstate *ps, const struct tok *t, const char *what, uint32_t *out)
{
	uint64_t v;
	int r = num(ps, t, what, UINT32_MAX, &v);
	if (!r)
		*out = (uint32_t)v;
	return r;
}

static int once(struct pstate *ps, int *seen, const char *what)
{
	if (*seen)
		return err_at(ps, ps->t[0].col, "duplicate '%s' (already given on line %d)", what, *seen);
	*seen = ps->line;
	return 0;
}

static bool is_digit_tok(const struct tok *t)
{
	return t->n && t->s[0] >= '0' && t->s[0] <= '9';
}

/* "allow" 0, "deny" 1, or any u32 (to express invalid actions). */
static int parse_action(struct pstate *ps, const struct tok *t, uint32_t *out)
{
	if (tok_is(t, "allow")) {
		*out = PMUF_ALLOW;
		return 0;
	}
	if (tok_is(t, "deny")) {
		*out = PMUF_DENY;
		return 0;
	}
	if (is_digit_tok(t))
		return num32(ps, t, "action", out);
	return err_at(ps, t->col, "expected an action: allow, deny or a number, got '" TOKFMT "'",
		      TOKARG(t));
}

static int push_ent(struct pstate *ps, const struct ent *e)
{
	if (ps->nents == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct ent *n = realloc(ps->ents, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ps->ents = n;
		ps->cap = cap;
	}
	ps->ents[ps->nents++] = *e;
	return 0;
}

/* An event name through libpfm4 into select/umask; e->src.name keeps it. */
static int by_name(struct pstate *ps, const struct tok *t, struct ent *e)
{
	char name[NAME_MAX_LEN + 1], msg[sizeof(ps->err->msg) - 64] = "";
	if (t->n > NAME_MAX_LEN)
		return err_at(ps, t->col, "event name is %zu characters; at most %zu are kept", t->n,
			      NAME_MAX_LEN);
	memcpy(name, t->s, t->n);
	name[t->n] = '\0';
	uint16_t sel;
	uint8_t umask;
	struct pmuf_named_event ev;
	int r = pmuf_event_lookup(name, ps->pmu[0] ? ps->pmu : NULL, &ev, msg, sizeof(msg));
	sel = ev.select;
	umask = ev.umask;
	if (r)
		return err_at(ps, t->col, "unknown event '%s': %s", name,
			      msg[0] ? msg : "libpfm4 does not know it");
	e->select = sel;
	e->umask = umask;
	snprintf(e->src.name, sizeof(e->src.name), "%s", name);
	return 0;
}

static int parse_select(struct pstate *ps, const struct tok *t, struct ent *e)
{
	uint64_t v;
	if (!is_digit_tok(t))
		return by_name(ps, t, e);
	int r = num(ps, t, "an event select", 0xFFF, &v);
	e->select = (uint16_t)v;
	return r;
}

/* event SELECT UMASK | event NAME */
static int d_event(struct pstate *ps)
{
	struct ent e = { .kind = ENT_EVENT, .src.line = ps->line };
	uint64_t v;
	int r = need(ps, 1, "an event: SELECT UMASK or a libpfm4 name such as icl::MEM_INST_RETIRED:ALL_LOADS");
	if (r || (r = parse_select(ps, &ps->t[1], &e)))
		return r;
	int i = 2;
	if (!e.src.name[0]) {
		if ((r = need(ps, 2, "a umask after the event select")) ||
		    (r = num(ps, &ps->t[2], "a umask", 0xFF, &v)))
			return r;
		e.umask = (uint8_t)v;
		i = 3;
	}
	if ((r = no_more(ps, i, "the event")))
		return r;
	return push_ent(ps, &e);
}

/* include|exclude SELECT mask M match V | include|exclude NAME [mask M] [match V] */
static int d_masked(struct pstate *ps, bool exclude)
{
	struct ent e = { .kind = exclude ? ENT_EXCLUDE : ENT_INCLUDE, .src.line = ps->line };
	const char *dir = exclude ? "exclude" : "include";
	int r = need(ps, 1, "an event select or a libpfm4 event name");
	if (r || (r = parse_select(ps, &ps->t[1], &e)))
		return r;
	bool named = e.src.name[0] != '\0', have_mask = false, have_match = false;
	e.mask = 0xFF;
	e.match = e.umask;
	int i = 2;
	while (i < ps->nt) {
		const struct tok *k = &ps->t[i];
		bool *have;
		uint64_t v;
		if (tok_is(k, "mask"))
			have = &have_mask;
		else if (tok_is(k, "match"))
			have = &have_match;
		else
			return err_at(ps, k->col, "expected 'mask' or 'match', got '" TOKFMT "'", TOKARG(k));
		if (*have)
			return err_at(ps, k->col, "duplicate '" TOKFMT "'", TOKARG(k));
		*have = true;
		if ((r = need(ps, i + 1, have == &have_mask ? "a umask mask (0..0xff)" : "a umask match (0..0xff)")) ||
		    (r = num(ps, &ps->t[i + 1], have == &have_mask ? "a umask mask" : "a umask match", 0xFF, &v)))
			return r;
		if (have == &have_mask)
			e.mask = (uint8_t)v;
		else
			e.match = (uint8_t)v;
		i += 2;
	}
	if (!named && !have_mask)
		return err_at(ps, ps->eol_col, "expected 'mask M' after the select (%s SELECT mask M match V)", dir);
	if (!named && !have_match)
		return err_at(ps, ps->eol_col, "expected 'match V' (%s SELECT mask M match V)", dir);
	ps->any_masked = true;
	return push_ent(ps, &e);
}

static int d_raw(struct pstate *ps)
{
	struct ent e = { .kind = ENT_RAW, .src.line = ps->line };
	int r = need(ps, 1, "a raw 64-bit entry");
	if (r || (r = num(ps, &ps->t[1], "a raw 64-bit entry", UINT64_MAX, &e.raw)) ||
	    (r = no_more(ps, 2, "the raw entry")))
		return r;
	return push_ent(ps, &e);
}

/* x86: allow PATTERN | deny PATTERN — every event of a PMU's table the
 * pattern matches (pmuf_pmu_match), as exact entries; build() adds or
 * removes them by the filter's action. */
static int d_pattern(struct pstate *ps, const struct tok *d, int verb)
{
	char pat[sizeof(((struct pmuf_src *)0)->name)], msg[sizeof(ps->err->msg) - 64] = "";
	struct pmuf_pmu_table m;
	int r;
	if (ps->nt < 2 || is_digit_tok(&ps->t[1]))
		return err_at(ps, d->col, "'" TOKFMT "' takes an event pattern in an x86 filter (such as "
			      "icl::MEM_*); a RANGE is for arm64 filters (start the file with 'arch arm64' "
			      "for one)", TOKARG(d));
	const struct tok *t = &ps->t[1];
	if (t->n >= sizeof(pat))
		return err_at(ps, t->col, "pattern is %zu characters; at most %zu are kept", t->n, sizeof(pat) - 1);
	if ((r = no_more(ps, 2, "the pattern")))
		return r;
	memcpy(pat, t->s, t->n);
	pat[t->n] = '\0';
	r = pmuf_pmu_match(pat, ps->pmu[0] ? ps->pmu : NULL, &m, msg, sizeof(msg));
	if (r == -ENOMEM)
		return r;
	if (r)
		return err_at(ps, t->col, "%s", msg);
	for (size_t i = 0; i < m.nevents && !r; i++) {
		struct ent e = { .kind = ENT_EVENT, .pattern = verb, .src.line = ps->line,
				 .select = m.events[i].select, .umask = m.events[i].umask };
		snprintf(e.src.name, sizeof(e.src.name), "%.30s::%.95s", m.pmu, m.events[i].name);
		r = push_ent(ps, &e);
	}
	pmuf_pmu_table_free(&m);
	if (!ps->first_pattern)
		ps->first_pattern = verb;
	return r;
}

static int d_pmu(struct pstate *ps)
{
	char name[sizeof(ps->pmu)], msg[sizeof(ps->err->msg) - 64] = "";
	int r;
	if ((r = once(ps, &ps->pmu_line, "pmu")) ||
	    (r = need(ps, 1, "a PMU model as libpfm4 names it (icl, spr, skl, amd64_fam19h_zen4, zen4, ...)")) ||
	    (r = no_more(ps, 2, "the PMU model")))
		return r;
	snprintf(name, sizeof(name), TOKFMT, TOKARG(&ps->t[1]));
	if ((r = pmuf_pmu_resolve(name, ps->pmu, sizeof(ps->pmu), NULL, msg, sizeof(msg))))
		return err_at(ps, ps->t[1].col, "%s", msg);
	return 0;
}

/* BASE..END (inclusive) | BASE+COUNT | EVENT */
static int parse_range(struct pstate *ps, const struct tok *t, uint32_t *base, uint32_t *count)
{
	const char *dots = NULL, *plus = memchr(t->s, '+', t->n);
	for (size_t i = 0; i + 1 < t->n; i++)
		if (t->s[i] == '.' && t->s[i + 1] == '.') {
			dots = t->s + i;
			break;
		}
	const char *sep = dots ? dots : plus;
	struct tok a = *t, b = *t;
	uint64_t va, vb;
	int r;
	if (!sep) {
		if ((r = num(ps, &a, "an arm64 event", UINT32_MAX, &va)))
			return r;
		*base = (uint32_t)va;
		*count = 1;
		return 0;
	}
	a.n = (size_t)(sep - t->s);
	b.s = sep + (dots ? 2 : 1);
	b.n = t->n - a.n - (dots ? 2 : 1);
	b.col = t->col + (int)(b.s - t->s);
	if (!a.n || !b.n)
		return err_at(ps, t->col, "expected a range BASE..END, BASE+COUNT or EVENT, got '" TOKFMT "'",
			      TOKARG(t));
	if ((r = num(ps, &a, "a range base", UINT32_MAX, &va)))
		return r;
	if (!dots) {
		if ((r = num(ps, &b, "a range count", UINT32_MAX, &vb)))
			return r;
		*base = (uint32_t)va;
		*count = (uint32_t)vb;
		return 0;
	}
	if ((r = num(ps, &b, "a range end", UINT32_MAX, &vb)))
		return r;
	if (vb < va)
		return err_at(ps, b.col, "range end 0x%" PRIx64 " is below its base 0x%" PRIx64
			      " (write BASE+0 for an empty range)", vb, va);
	if (vb - va + 1 > UINT32_MAX)
		return err_at(ps, t->col, "range of 0x%" PRIx64 " events does not fit a u32 count",
			      vb - va + 1);
	*base = (uint32_t)va;
	*count = (uint32_t)(vb - va + 1);
	return 0;
}

/* allow RANGE | deny RANGE | range ACTION RANGE */
static int d_range(struct pstate *ps, int action)
{
	uint32_t act = 0, base = 0, count = 0;
	int i = 1, r;
	if (action < 0) {
		if ((r = need(ps, 1, "an action (allow, deny or a number) and a range")) ||
		    (r = parse_action(ps, &ps->t[1], &act)))
			return r;
		i = 2;
	} else {
		act = (uint32_t)action;
	}
	if ((r = need(ps, i, "a range: BASE..END, BASE+COUNT or EVENT")) ||
	    (r = parse_range(ps, &ps->t[i], &base, &count)) || (r = no_more(ps, i + 1, "the range")))
		return r;
	if (ps->arm.nranges == ps->arm_cap) {
		size_t cap = ps->arm_cap ? ps->arm_cap * 2 : 8;
		struct pmuf_arm_range *n = realloc(ps->arm.ranges, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ps->arm.ranges = n;
		ps->arm_cap = cap;
	}
	ps->arm.ranges[ps->arm.nranges++] = (struct pmuf_arm_range){ base, count, act };
	return 0;
}

static int d_arch(struct pstate *ps)
{
	int r = need(ps, 1, "an architecture: x86 or arm64");
	if (r)
		return r;
	if (ps->arch_line)
		return err_at(ps, ps->t[0].col, "duplicate 'arch' (already given on line %d)", ps->arch_line);
	if (ps->first_line)
		return err_at(ps, ps->t[0].col,
			      "'arch' must be the first directive (line %d came before it)", ps->first_line);
	if (tok_is(&ps->t[1], "x86"))
		ps->arch = PMUF_ARCH_X86;
	else if (tok_is(&ps->t[1], "arm64"))
		ps->arch = PMUF_ARCH_ARM64;
	else
		return err_at(ps, ps->t[1].col, "expected an architecture: x86 or arm64, got '" TOKFMT "'",
			      TOKARG(&ps->t[1]));
	ps->arch_line = ps->line;
	return no_more(ps, 2, "the architecture");
}

static int d_x86(struct pstate *ps, const struct tok *d)
{
	int r;
	if (tok_is(d, "action")) {
		if ((r = once(ps, &ps->action_line, "action")) ||
		    (r = need(ps, 1, "an action: allow, deny or a number")) ||
		    (r = parse_action(ps, &ps->t[1], &ps->action)))
			return r;
		return no_more(ps, 2, "the action");
	}
	if (tok_is(d, "flavor")) {
		if ((r = once(ps, &ps->flavor_line, "flavor")) || (r = need(ps, 1, "a flavor: intel or amd")))
			return r;
		if (tok_is(&ps->t[1], "intel"))
			ps->flavor = PMUF_FLAVOR_INTEL;
		else if (tok_is(&ps->t[1], "amd"))
			ps->flavor = PMUF_FLAVOR_AMD;
		else
			return err_at(ps, ps->t[1].col, "expected a flavor: intel or amd, got '" TOKFMT "'",
				      TOKARG(&ps->t[1]));
		return no_more(ps, 2, "the flavor");
	}
	if (tok_is(d, "fixed")) {
		if ((r = once(ps, &ps->fixed_line, "fixed")) ||
		    (r = need(ps, 1, "a fixed-counter bitmap (a u32)")) ||
		    (r = num32(ps, &ps->t[1], "a fixed-counter bitmap", &ps->fixed)))
			return r;
		return no_more(ps, 2, "the fixed-counter bitmap");
	}
	if (tok_is(d, "flags")) {
		if ((r = once(ps, &ps->flags_line, "flags")) || (r = need(ps, 1, "flags: masked or a number")))
			return r;
		if (tok_is(&ps->t[1], "masked"))
			ps->flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
		else if (!is_digit_tok(&ps->t[1]))
			return err_at(ps, ps->t[1].col, "expected flags: masked or a number, got '" TOKFMT "'",
				      TOKARG(&ps->t[1]));
		else if ((r = num32(ps, &ps->t[1], "flags", &ps->flags)))
			return r;
		return no_more(ps, 2, "the flags");
	}
	if (tok_is(d, "pad")) {
		if ((r = once(ps, &ps->pad_line, "pad")))
			return r;
		for (int i = 0; i < 4; i++)
			if ((r = need(ps, 1 + i, "four pad words (u32 each)")) ||
			    (r = num32(ps, &ps->t[1 + i], "a pad word", &ps->pad[i])))
				return r;
		return no_more(ps, 5, "the four pad words");
	}
	if (tok_is(d, "event"))
		return d_event(ps);
	if (tok_is(d, "include"))
		return d_masked(ps, false);
	if (tok_is(d, "exclude"))
		return d_masked(ps, true);
	if (tok_is(d, "raw"))
		return d_raw(ps);
	if (tok_is(d, "pmu"))
		return d_pmu(ps);
	if (tok_is(d, "allow"))
		return d_pattern(ps, d, PAT_ALLOW);
	if (tok_is(d, "deny"))
		return d_pattern(ps, d, PAT_DENY);
	if (tok_is(d, "range") || tok_is(d, "event-bits"))
		return err_at(ps, d->col, "'" TOKFMT "' is an arm64 directive; this is an x86 filter (start "
			      "the file with 'arch arm64' for an arm64 one)", TOKARG(d));
	return err_at(ps, d->col, "unknown directive '" TOKFMT "'; expected arch, action, flavor, fixed, "
		      "flags, pad, pmu, event, include, exclude, raw, allow or deny", TOKARG(d));
}

static int d_arm64(struct pstate *ps, const struct tok *d)
{
	int r;
	if (tok_is(d, "allow"))
		return d_range(ps, PMUF_ALLOW);
	if (tok_is(d, "deny"))
		return d_range(ps, PMUF_DENY);
	if (tok_is(d, "range"))
		return d_range(ps, -1);
	if (tok_is(d, "event-bits")) {
		if ((r = once(ps, &ps->bits_line, "event-bits")) || (r = need(ps, 1, "10 or 16")))
			return r;
		if (tok_is(&ps->t[1], "10"))
			ps->bits = 10;
		else if (tok_is(&ps->t[1], "16"))
			ps->bits = 16;
		else
			return err_at(ps, ps->t[1].col, "expected 10 or 16 event-number bits, got '" TOKFMT "'",
				      TOKARG(&ps->t[1]));
		return no_more(ps, 2, "the event-number bits");
	}
	static const char *const x86[] = { "action", "flavor", "fixed", "flags", "pad",
					   "pmu", "event", "include", "exclude", "raw" };
	for (size_t i = 0; i < sizeof(x86) / sizeof(x86[0]); i++)
		if (tok_is(d, x86[i]))
			return err_at(ps, d->col, "'%s' is an x86 directive; arm64 filters have allow, deny, "
				      "range and event-bits", x86[i]);
	return err_at(ps, d->col, "unknown directive '" TOKFMT "'; expected allow, deny, range or event-bits",
		      TOKARG(d));
}

/* Splits one line into tokens; a '#' starts a comment. */
static int tokenize(struct pstate *ps, const char *s, size_t n)
{
	size_t i = 0;
	ps->nt = 0;
	ps->eol_col = 1;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f'))
			i++;
		if (i == n || s[i] == '#')
			return 0;
		size_t st = i;
		while (i < n && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\v' ||
				  s[i] == '\f' || s[i] == '#')) {
			if (s[i] == '\0')
				return err_at(ps, (int)i + 1, "NUL byte; expected text");
			i++;
		}
		if (ps->nt == MAX_TOKS)
			return err_at(ps, (int)st + 1, "unexpected '%.*s'; too many words on one line",
				      (int)(i - st > 40 ? 40 : i - st), s + st);
		ps->t[ps->nt++] = (struct tok){ .s = s + st, .n = i - st, .col = (int)st + 1 };
		ps->eol_col = (int)i + 1;
	}
}

/* Pattern lines in file order: a line whose verb is the filter's action
 * adds its events, the other verb removes them (from `event` lines too);
 * an event is listed once. Marks what goes with pattern = -1. */
static int apply_patterns(struct pstate *ps)
{
	uint32_t add = ps->action == PMUF_DENY ? PAT_DENY : PAT_ALLOW;
	uint64_t *in = NULL, *out = NULL; /* bit per (select, umask): in the set; listed */
	bool any = false;
	for (size_t i = 0; i < ps->nents && !any; i++)
		any = ps->ents[i].pattern != PAT_NONE;
	if (!any)
		return 0;
	in = calloc(4096 * 256 / 64, sizeof(*in));
	out = calloc(4096 * 256 / 64, sizeof(*out));
	if (!in || !out) {
		free(in);
		free(out);
		return -ENOMEM;
	}
#define KEY(e) ((size_t)(e)->select * 256 + (e)->umask)
	for (size_t i = 0; i < ps->nents; i++) {
		const struct ent *e = &ps->ents[i];
		if (e->kind != ENT_EVENT)
			continue;
		if (e->pattern == PAT_NONE || (uint32_t)e->pattern == add)
			in[KEY(e) / 64] |= 1ull << (KEY(e) % 64);
		else
			in[KEY(e) / 64] &= ~(1ull << (KEY(e) % 64));
	}
	for (size_t i = 0; i < ps->nents; i++) {
		struct ent *e = &ps->ents[i];
		size_t k = KEY(e);
		if (e->kind != ENT_EVENT)
			continue;
		bool keep = (in[k / 64] >> (k % 64)) & 1;
		if (e->pattern != PAT_NONE)
			keep = keep && (uint32_t)e->pattern == add && !((out[k / 64] >> (k % 64)) & 1);
		if (keep)
			out[k / 64] |= 1ull << (k % 64);
		else
			e->pattern = -1;
	}
#undef KEY
	free(in);
	free(out);
	return 0;
}

static int build(struct pstate *ps, struct pmuf_filter *out, int eof_line, int eof_col)
{
	struct pmuf_filter f;
	if (ps->arch == PMUF_ARCH_ARM64) {
		ps->arm.arm_event_bits = ps->bits;
		*out = ps->arm;
		pmuf_init(&ps->arm, PMUF_ARCH_ARM64);
		return 0;
	}
	if (!ps->action_line && ps->first_pattern) /* the first pattern line's verb */
		ps->action = ps->first_pattern == PAT_DENY ? PMUF_DENY : PMUF_ALLOW;
	else if (!ps->action_line) {
		ps->line = eof_line;
		return err_at(ps, eof_col, "expected an 'action allow|deny' line; every x86 filter needs one");
	}
	pmuf_init(&f, PMUF_ARCH_X86);
	f.flavor = ps->flavor;
	f.action = ps->action;
	f.fixed_counter_bitmap = ps->fixed;
	f.flags = ps->flags_line ? ps->flags : (ps->any_masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0);
	memcpy(f.pad, ps->pad, sizeof(f.pad));
	bool masked = f.flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	if (ps->nents) {
		/* exact-size arrays (pmuf_add_event grows one by one) */
		f.events = malloc(ps->nents * sizeof(*f.events));
		f.src = malloc(ps->nents * sizeof(*f.src));
		if (!f.events || !f.src) {
			pmuf_free(&f);
			return -ENOMEM;
		}
	}
	int r = apply_patterns(ps);
	if (r) {
		pmuf_free(&f);
		return r;
	}
	size_t n = 0;
	for (size_t i = 0; i < ps->nents; i++) {
		const struct ent *e = &ps->ents[i];
		uint64_t v;
		if (e->kind == ENT_EVENT && e->pattern < 0)
			continue; /* removed by a pattern line, or a repeat */
		switch (e->kind) {
		case ENT_EVENT:
			/* an exact (select, umask): in a masked filter that is
			 * the include the kernel would make of it */
			v = masked ? pmuf_masked_encode(e->select, 0xFF, e->umask, false)
				   : pmuf_exact_encode(e->select, e->umask);
			break;
		case ENT_INCLUDE:
		case ENT_EXCLUDE:
			v = pmuf_masked_encode(e->select, e->mask, e->match, e->kind == ENT_EXCLUDE);
			break;
		default:
			v = e->raw;
			break;
		}
		f.events[n] = v;
		f.src[n++] = e->src;
	}
	f.nevents = n;
	*out = f;
	return 0;
}

int pmuf_pmuf_parse(const char *buf, size_t len, const char *name, struct pmuf_filter *out,
		    struct pmuf_error *err)
{
	struct pstate ps = { .name = name, .err = err, .arch = PMUF_ARCH_X86 };
	size_t pos = 0;
	int r = 0;
	pmuf_init(&ps.arm, PMUF_ARCH_ARM64);
	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		ps.line++;
		pos += n + (nl ? 1 : 0);
		if ((r = tokenize(&ps, s, n)))
			goto out;
		if (!ps.nt)
			continue;
		const struct tok *d = &ps.t[0];
		if (tok_is(d, "arch"))
			r = d_arch(&ps);
		else if (ps.arch == PMUF_ARCH_ARM64)
			r = d_arm64(&ps, d);
		else
			r = d_x86(&ps, d);
		if (r)
			goto out;
		if (!ps.first_line)
			ps.first_line = ps.line;
	}
	int eline, ecol;
	pmuf_offset_linecol(buf, len, len, &eline, &ecol);
	r = build(&ps, out, eline, ecol);
out:
	if (r == -ENOMEM)
		pmuf_errorf(err, name, ps.line, 0, "out of memory");
	free(ps.ents);
	pmuf_free(&ps.arm);
	return r;
}

/* ---- rendering ---- */

static void render_action(struct pmuf_sbuf *b, const char *dir, uint32_t a)
{
	if (a == PMUF_ALLOW)
		pmuf_sbuf_printf(b, "%sallow", dir);
	else if (a == PMUF_DENY)
		pmuf_sbuf_printf(b, "%sdeny", dir);
	else
		pmuf_sbuf_printf(b, "%s%" PRIu32, dir, a);
}

static void render_arm64(const struct pmuf_filter *f, struct pmuf_sbuf *b)
{
	pmuf_sbuf_printf(b, "arch arm64\n");
	if (f->arm_event_bits)
		pmuf_sbuf_printf(b, "event-bits %u\n", f->arm_event_bits);
	for (size_t i = 0; i < f->nranges; i++) {
		const struct pmuf_arm_range *rg = &f->ranges[i];
		if (rg->action == PMUF_ALLOW || rg->action == PMUF_DENY)
			render_action(b, "", rg->action);
		else
			render_action(b, "range ", rg->action);
		uint64_t end = (uint64_t)rg->base + rg->nevents - 1;
		if (rg->nevents && end <= UINT32_MAX)
			pmuf_sbuf_printf(b, " 0x%" PRIx32 "..0x%" PRIx64 "\n", rg->base, end);
		else
			pmuf_sbuf_printf(b, " 0x%" PRIx32 "+%" PRIu32 "\n", rg->base, rg->nevents);
	}
}

static void render_x86(const struct pmuf_filter *f, struct pmuf_sbuf *b)
{
	const uint64_t masked_bits = PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_UMASK_MATCH |
				     PMUF_MASKED_UMASK_MASK | PMUF_MASKED_EXCLUDE;
	bool masked = f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS;

	pmuf_sbuf_printf(b, "arch x86\n");
	if (f->flavor == PMUF_FLAVOR_INTEL || f->flavor == PMUF_FLAVOR_AMD)
		pmuf_sbuf_printf(b, "flavor %s\n", f->flavor == PMUF_FLAVOR_INTEL ? "intel" : "amd");
	render_action(b, "action ", f->action);
	if (f->flags == KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
		pmuf_sbuf_printf(b, "\nflags masked\n");
	else
		pmuf_sbuf_printf(b, "\nflags 0x%" PRIx32 "\n", f->flags);
	pmuf_sbuf_printf(b, "fixed 0x%" PRIx32 "\n", f->fixed_counter_bitmap);
	if (f->pad[0] || f->pad[1] || f->pad[2] || f->pad[3])
		pmuf_sbuf_printf(b, "pad 0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 "\n",
				 f->pad[0], f->pad[1], f->pad[2], f->pad[3]);
	for (size_t i = 0; i < f->nevents; i++) {
		uint64_t e = f->events[i];
		unsigned sel = (unsigned)((e & 0xFF) | ((e >> 24) & 0xF00));
		if (masked && !(e & ~masked_bits))
			pmuf_sbuf_printf(b, "%s 0x%03x mask 0x%02x match 0x%02x",
					 (e & PMUF_MASKED_EXCLUDE) ? "exclude" : "include", sel,
					 (unsigned)(e >> PMUF_MASKED_UMASK_MASK_SHIFT),
					 (unsigned)((e >> 8) & 0xFF));
		else if (!masked && !(e & ~PMUF_RAW_EVENT_MASK_NB))
			pmuf_sbuf_printf(b, "event 0x%03x 0x%02x", sel, (unsigned)((e >> 8) & 0xFF));
		else
			pmuf_sbuf_printf(b, "raw 0x%016" PRIx64, e);
		if (f->src && f->src[i].name[0])
			pmuf_sbuf_printf(b, "  # %s", f->src[i].name);
		pmuf_sbuf_printf(b, "\n");
	}
}

/* The longest line render_x86/render_arm64 writes per entry, in bytes
 * with its newline: "exclude 0x123 mask 0xff match 0xff" (34), "event
 * 0x123 0xff" (16), "raw 0x" + 16 digits (22); "  # " + the name; an arm64
 * "range 4294967295 0xffffffff..0xffffffff" (16 + 1 + 10 + 2 + 10 + 1). The
 * header lines (comment, arch, flavor, action, flags, fixed, pad) take
 * under 512. */
#define PMUF_BOUND_HEADER 512u
#define PMUF_BOUND_RANGE 48u

size_t pmuf_pmuf_bound(const struct pmuf_filter *f)
{
	const uint64_t masked_bits = PMUF_MASKED_EVENT_SELECT | PMUF_MASKED_UMASK_MATCH |
				     PMUF_MASKED_UMASK_MASK | PMUF_MASKED_EXCLUDE;
	bool masked = f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS;
	size_t n = PMUF_BOUND_HEADER + f->nranges * PMUF_BOUND_RANGE;
	for (size_t i = 0; i < f->nevents; i++) {
		uint64_t e = f->events[i];
		n += (masked && !(e & ~masked_bits)			? 34 :
		      !masked && !(e & ~PMUF_RAW_EVENT_MASK_NB) ? 16 : 22) + 1;
		if (f->src && f->src[i].name[0])
			n += 4 + strnlen(f->src[i].name, sizeof(f->src[i].name));
	}
	return n;
}

int pmuf_pmuf_render(const struct pmuf_filter *f, char **buf, size_t *len, char *msg, size_t msglen)
{
	struct pmuf_sbuf b = { 0 };
	if (f->arch == PMUF_ARCH_ARM64 && f->nevents)
		return pmuf_msgf(msg, msglen, "an arm64 filter with x86 events cannot be written");
	if (f->arch == PMUF_ARCH_X86 && f->nranges)
		return pmuf_msgf(msg, msglen, "an x86 filter with arm64 ranges cannot be written");
	if (f->arch == PMUF_ARCH_ARM64 && f->arm_event_bits && f->arm_event_bits != 10 &&
	    f->arm_event_bits != 16)
		return pmuf_msgf(msg, msglen, "arm64 event space of %u bits; pmuf has 10 or 16",
				 f->arm_event_bits);
	pmuf_sbuf_printf(&b, "# pfbench filter, pmuf text format (docs/filter-format.md)\n");
	if (f->arch == PMUF_ARCH_ARM64)
		render_arm64(f, &b);
	else
		render_x86(f, &b);
	if (b.err) {
		free(b.s);
		return b.err;
	}
	*buf = b.s;
	*len = b.len;
	return 0;
}
