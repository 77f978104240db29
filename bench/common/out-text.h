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

/* ---- paths the user names (-o) ---- */
/* The rule for every -o FILE (docs/cli.md): the path is a regular file or
 * does not exist yet in a writable directory. A symlink is followed on
 * purpose: its target is written (atomically beside it) and the link
 * stays; a dangling link is refused. A device, FIFO, socket or directory
 * is refused. 0, or -errno with why[] saying what is wrong with path
 * (-EISDIR, -EINVAL for a non-regular file, -ENOENT/-EACCES/-ENOTDIR for
 * the directory). Call it before any work; out_write_user checks again. */
int out_check_user_file(const char *path, char *why, size_t len);
/* out_check_user_file, then the atomic write to the resolved path,
 * keeping an existing file's mode (a new one gets 0644 less the umask). */
int out_write_user(const char *path, const void *buf, size_t len, char *why, size_t whylen);
/* -o DIR for a result set: DIR is a directory we can write to, or does not
 * exist yet and its nearest existing ancestor is one (nothing is created
 * here, so a run stopped early leaves no empty directory). 0, or -errno
 * with why[]. */
int out_check_user_dir(const char *dir, char *why, size_t len);

#endif
