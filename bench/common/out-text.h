/* out-text.h — the one implementation of atomic file writes: result sets
 * (out.c's writers), report.md, plot data, stage logs, compare tables. A
 * file is written to <path>.tmp.<pid>, fsynced, then rename(2)d into place
 * and its directory synced, so a reader sees the old file or the new one,
 * never half of one; on failure the temp file is removed and an existing
 * path is left as it was. For files another program writes (gnuplot's
 * PNG/SVG), out_tmp_name() gives the temp name and out_commit() renames it
 * into place. Writers that replace several files at once stage them all
 * with out_stage() and only then out_replace() each. Returns 0 or -errno;
 * never prints. */
#ifndef PFBENCH_OUT_TEXT_H
#define PFBENCH_OUT_TEXT_H

#include <stddef.h>

/* Writes len bytes of text to path atomically. */
int out_write_text(const char *path, const char *text, size_t len);
/* "<path>.tmp.<pid>" into buf; -ENAMETOOLONG if it does not fit. */
int out_tmp_name(const char *path, char *buf, size_t len);
/* Writes len bytes to the temp file of path (its name into tmp, see
 * out_tmp_name) and fsyncs it; on failure the temp file is gone. */
int out_stage(const char *path, const void *buf, size_t len, char *tmp, size_t tmplen);
/* rename(2)s a staged tmp to path and syncs the directory; removes tmp
 * when the rename fails. */
int out_replace(const char *tmp, const char *path);
/* fsyncs tmp (written by someone else) and out_replace()s it. */
int out_commit(const char *tmp, const char *path);
/* write(2) of all len bytes, retried on EINTR and short writes. */
int out_write_fd(int fd, const void *buf, size_t len);
/* mkdir -p (mode 0755); 0 when it exists as a directory. */
int out_mkdirs(const char *dir);

#endif
