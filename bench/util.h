/* util.h — messages and exits for subcommands (never used by filters/ or
 * bench/common/, which return -errno). Exit codes: 0 ok, 1 failure, 2 usage
 * or bad input, 4 skipped (kselftest's KSFT_SKIP). */
#ifndef PFBENCH_UTIL_H
#define PFBENCH_UTIL_H

#include <stdarg.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_SKIP 4

extern int util_verbose;

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* "pfbench: <what>: <strerror(err)>"; err is a positive or negative errno. */
__attribute__((noreturn)) void die_errno(const char *what, int err);
__attribute__((noreturn, format(printf, 1, 2))) void die_usage(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void debug(const char *fmt, ...);

/* Parses an unsigned number (decimal, 0x hex); 0 or -EINVAL/-ERANGE. */
int util_parse_u64(const char *s, unsigned long long *out);

#endif
