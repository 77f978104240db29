/* cmd-filter.h — `pfbench filter`: the dispatcher (cmd-filter.c) and its
 * subcommands, one file per job: show and validate (cmd-filter-show.c),
 * decide and verify (cmd-filter-decide.c), convert (cmd-filter-convert.c),
 * compile (cmd-filter-compile.c), events (cmd-filter-events.c), fit
 * (cmd-filter-fit.c).
 * Shared here: loading a filter file and choosing the PMU flavor; their
 * shared options are options.h rows (cmd-filter-opts.h). Every
 * subcommand returns its exit status; bad input exits 2 through
 * opts_die() or die_usage(). */
#ifndef PFBENCH_CMD_FILTER_H
#define PFBENCH_CMD_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "pmuf.h"
#include "options.h"
#include "user-filter.h"

int cmd_filter_show(int argc, char **argv);
int cmd_filter_validate(int argc, char **argv);
int cmd_filter_decide(int argc, char **argv);
int cmd_filter_verify(int argc, char **argv);
int cmd_filter_convert(int argc, char **argv);
int cmd_filter_compile(int argc, char **argv);
int cmd_filter_events(int argc, char **argv);
int cmd_filter_fit(int argc, char **argv);

/* Is arg a pattern over a PMU's event table ("icl::MEM_*", "icl::*")
 * rather than a file? No file by that name, and it has "::" or a glob. */
bool cmd_filter_is_pattern(const char *arg);
/* A file as cmd_filter_load, or a pattern: the set of events it matches
 * minus those the except patterns match (action allow, the flavor of the
 * pattern's PMU); errors exit 2. */
void cmd_filter_load_input(const char *arg, enum pmuf_format fmt, char *const *except, size_t nexcept,
			   struct pmuf_filter *f);
/* --filter FILE of a benchmark: the filter (any format by extension, or a
 * pattern), its file name and content hash; x86 only; bad input exits 2. */
void cmd_filter_user_load(const char *arg, struct user_filter *uf);
/* Every --filter benchmark cmd was given (bench_opts' filters), in order,
 * into ufs[USER_FILTER_MAX]; errors read "pfbench CMD: --filter: ...",
 * exit 2. Returns how many. */
size_t cmd_filter_user_load_all(const char *cmd, const struct opt_strings *files,
				struct user_filter *ufs);
/* Loads path (fmt AUTO: by extension; a pattern as cmd_filter_load_input);
 * on a parse error prints "file:line:col: what was expected" and exits 2. */
void cmd_filter_load(const char *path, enum pmuf_format fmt, struct pmuf_filter *f);

/* The flavor to judge an x86 filter with: --vendor (opt, UNSET if not
 * given), else the flavor the file declares, else this host's
 * (hostinfo_default_flavor: probed from KVM, else the CPU's). *how says
 * which ("--vendor", "file", "probed on this host", "this host's CPU").
 * UNSET only when nothing is known; required: exit 2 then. */
enum pmuf_flavor cmd_filter_flavor(const struct pmuf_filter *f, enum pmuf_flavor opt, bool required,
				   const char **how);

/* Before any work: exits 2 when -o OUT is not a file pfbench may write
 * (out_check_user_file: a device, FIFO, socket, directory, dangling
 * symlink, or a directory that is missing or read-only), or when a
 * kvm-raw (binary) result would go to a terminal. */
void cmd_filter_refuse_raw_tty(const char *sub, const char *outpath, enum pmuf_format to);
/* Before rendering: exits 2 when f written as `to` could exceed
 * PMUF_MAX_FILE_SIZE (pmuf_render_bound), which pfbench would not read
 * back, so a huge output is never built. what names f in the message. */
void cmd_filter_refuse_big(const char *sub, const char *what, const struct pmuf_filter *f,
			   enum pmuf_format to);
/* Writes a rendered filter to outpath atomically (out_write_user: temp +
 * rename, a symlink's target written, an existing file's mode kept), or
 * to stdout when outpath is NULL; dies naming the target on failure, and
 * refuses (exit 1) an output over PMUF_MAX_FILE_SIZE, which pfbench would
 * not read back. */
void cmd_filter_emit(const char *outpath, const char *buf, size_t len);

#endif
