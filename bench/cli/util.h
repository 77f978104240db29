/* util.h — messages and exits for subcommands (never used by filters/ or
 * bench/common/, which return -errno). Exit codes: 0 ok, 1 failure, 2 usage
 * or bad input, 4 skipped (kselftest's KSFT_SKIP). */
#ifndef PFBENCH_UTIL_H
#define PFBENCH_UTIL_H

#include <stdarg.h>
#include <stdio.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_SKIP 4

extern int util_verbose;

/* glibc's libc.a defines warn() (err.o, which a static link pulls in for
 * libpapi's err() calls): the symbol is pfbench_warn, the name stays. */
#define warn pfbench_warn

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* "pfbench: <what>: <strerror(err)>"; err is a positive or negative errno. */
__attribute__((noreturn)) void die_errno(const char *what, int err);
__attribute__((noreturn, format(printf, 1, 2))) void die_usage(const char *fmt, ...);
/* While ctx is set ("install: --filter"), die_usage() says "pfbench ctx:
 * ..." instead of "pfbench: ...": a shared loader's errors then read as
 * the option's (options.h's message style). NULL restores the default. */
void util_usage_context(const char *ctx);
__attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...);
/* lead, then the message with control characters shown as \xNN (input
 * echoed in a message never drives the terminal), then a newline, on
 * stderr. Every message function above prints through it. */
void util_vmsg(const char *lead, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
__attribute__((format(printf, 1, 2))) void info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void debug(const char *fmt, ...);

/* Parses an unsigned number (decimal, or hex after 0x; "010" is ten, never
 * octal); 0 or -EINVAL/-ERANGE. */
int util_parse_u64(const char *s, unsigned long long *out);

/* Subcommand helpers, so every command words these the same way. */
struct json_t;
/* "pfbench <fmt>" and then the subcommand's usage text on stderr; exits 2.
 * fmt starts with the subcommand name: "install: unexpected argument". */
__attribute__((noreturn, format(printf, 2, 3))) void die_usage_help(void (*usage)(FILE *),
								    const char *fmt, ...);
/* The value of option opt: a number in lo..hi (decimal, 0x hex), or
 * die_usage("<cmd>: <opt>: '<s>' is not a number in lo..hi"), without
 * "<cmd>: " when cmd is NULL. */
unsigned long long util_parse_range(const char *cmd, const char *opt, const char *s,
				    unsigned long long lo, unsigned long long hi);
/* "<cmd>: timer rdtsc at 2.445412 ticks/ns (calibrated, +-0.6 ppm; kernel
 * dmesg says 2.445412)" from the set's context.timer on stderr, and a
 * warning when the conversion is more than 0.1% off the kernel's figure. */
void util_timer_info(const char *cmd, const struct json_t *set);
/* hyperfine-style: "warning: <cmd>: 37 of 1000 records are noisy (12 with
 * disturbed samples kept, 25 bimodal) ..." on stderr when any record has
 * "noisy": true; silent otherwise. */
void util_noisy_info(const char *cmd, const struct json_t *set);
/* --kernel V for the benchmarks with kernel replicas: V (or, when NULL,
 * the running kernel's release) as "major.minor" into kernel[len], *how
 * "option" or "uname", and the lib/sort.c generation it shipped
 * (klib.h's enum klib_sort_gen, as an int here); a bad V is a usage
 * error. Unchanged when V is NULL and uname says nothing usable. */
void util_kernel_option(const char *v, char *kernel, size_t len, const char **how, int *sort_gen);
/* Before measuring: -o DIR must be a writable directory or creatable
 * (out_check_user_dir; nothing is created), else die_usage("<cmd>: -o
 * <why naming the path>"). */
void util_check_out_dir(const char *cmd, const char *dir);
/* out_write_set(set, dir), or die_errno("<bench>: writing <bench>.json/<bench>.csv"). */
void util_write_set(const struct json_t *set, const char *dir);
/* After a signal (stop.h): "CMD: interrupted by SIGINT: KEPT, marked
 * incomplete" on stderr; returns the exit status, 128 + the signal. The
 * one wording every command that keeps its records uses. */
int util_stopped(const char *cmd, const char *kept);

#endif
