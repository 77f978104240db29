/* out-text.h — atomic writes for the files that are not result sets:
 * report.md, plot data, stage logs, compare tables. Same rule as out.h's
 * writers: write <path>.tmp.<pid>, fsync, rename(2), so a reader sees the
 * old file or the new one, never half of one. For files another program
 * writes (gnuplot's PNG/SVG), out_tmp_name() gives the temp name and
 * out_commit() renames it into place. Returns 0 or -errno; never prints. */
#ifndef PFBENCH_OUT_TEXT_H
#define PFBENCH_OUT_TEXT_H

#include <stddef.h>

/* Writes len bytes of text to path atomically. */
int out_write_text(const char *path, const char *text, size_t len);
/* "<path>.tmp.<pid>" into buf; -ENAMETOOLONG if it does not fit. */
int out_tmp_name(const char *path, char *buf, size_t len);
/* fsyncs tmp and renames it to path; removes tmp on failure. */
int out_commit(const char *tmp, const char *path);
/* mkdir -p; 0 when it exists as a directory. */
int out_mkdirs(const char *dir);

#endif
