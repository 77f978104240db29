/* out-text.c — see out-text.h. */
#include "out-text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int out_tmp_name(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int out_write_fd(int fd, const void *data, size_t len)
{
	const char *buf = data;

	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path so the rename itself is durable; a
 * failure here does not undo a completed rename and is ignored. */
static void sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int out_stage(const char *path, const void *buf, size_t len, char *tmp, size_t tmplen)
{
	if (!path || !*path || (!buf && len))
		return -EINVAL;
	int err = out_tmp_name(path, tmp, tmplen);
	if (err)
		return err;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	err = out_write_fd(fd, buf, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int out_replace(const char *tmp, const char *path)
{
	if (rename(tmp, path)) {
		int err = -errno;
		unlink(tmp);
		return err;
	}
	sync_parent(path);
	return 0;
}

int out_commit(const char *tmp, const char *path)
{
	int err = 0;
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
	} else {
		if (fsync(fd) < 0)
			err = -errno;
		close(fd);
	}
	if (err) {
		unlink(tmp);
		return err;
	}
	return out_replace(tmp, path);
}

int out_write_text(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int err = out_stage(path, text, len, tmp, sizeof(tmp));
	return err ? err : out_replace(tmp, path);
}

int out_mkdirs(const char *dir)
{
	if (!dir || !*dir)
		return -EINVAL;
	char buf[PATH_MAX];
	size_t n = strlen(dir);
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = c;
	}
	struct stat st;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* ---- paths the user names ---- */

static int say(char *why, size_t len, int err, const char *fmt, const char *path)
{
	if (why && len)
		snprintf(why, len, fmt, path);
	return err;
}

/* The directory part of path into buf ("." when none). */
static void dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

/* path with a symlink followed (the target, which must exist) into
 * resolved; st of what is there, or st_mode 0 when nothing is. */
static int resolve_user_file(const char *path, char *resolved, size_t rlen, struct stat *st,
			     char *why, size_t len)
{
	if (!path || !*path)
		return say(why, len, -EINVAL, "%san empty path", "");
	memset(st, 0, sizeof(*st));
	if (lstat(path, st) < 0) {
		if (errno != ENOENT)
			return say(why, len, -errno, "%s: cannot look at it", path);
		st->st_mode = 0;
		snprintf(resolved, rlen, "%s", path);
	} else if (S_ISLNK(st->st_mode)) {
		char *real = realpath(path, NULL);
		if (!real)
			return say(why, len, -ENOENT,
				   "%s: a symlink to nothing (pfbench follows a symlink to an existing "
				   "file, never replaces the link)", path);
		snprintf(resolved, rlen, "%s", real);
		free(real);
		if (stat(resolved, st) < 0)
			return say(why, len, -errno, "%s: cannot look at the symlink's target", path);
	} else {
		snprintf(resolved, rlen, "%s", path);
	}
	if (st->st_mode && S_ISDIR(st->st_mode))
		return say(why, len, -EISDIR, "%s: a directory; want a file name", path);
	if (st->st_mode && !S_ISREG(st->st_mode))
		return say(why, len, -EINVAL,
			   "%s: exists and is not a regular file (a device, FIFO or socket); "
			   "pfbench writes only regular files", path);
	char dir[PATH_MAX];
	dir_of(resolved, dir, sizeof(dir));
	struct stat ds;
	if (stat(dir, &ds) < 0)
		return say(why, len, -errno, "%s: its directory does not exist", path);
	if (!S_ISDIR(ds.st_mode))
		return say(why, len, -ENOTDIR, "%s: its directory is not a directory", path);
	if (access(dir, W_OK) < 0)
		return say(why, len, -EACCES, "%s: its directory is not writable", path);
	return 0;
}

int out_check_user_file(const char *path, char *why, size_t len)
{
	char resolved[PATH_MAX];
	struct stat st;
	return resolve_user_file(path, resolved, sizeof(resolved), &st, why, len);
}

int out_write_user(const char *path, const void *buf, size_t len, char *why, size_t whylen)
{
	char resolved[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int err = resolve_user_file(path, resolved, sizeof(resolved), &st, why, whylen);
	if (err)
		return err;
	err = out_stage(resolved, buf, len, tmp, sizeof(tmp));
	/* an existing file keeps its mode (out_stage creates 0644) */
	if (!err && st.st_mode && chmod(tmp, st.st_mode & 07777) < 0) {
		err = -errno;
		unlink(tmp);
	}
	if (!err)
		err = out_replace(tmp, resolved);
	if (err && why && whylen)
		snprintf(why, whylen, "%s: %s", path, strerror(-err));
	return err;
}

int out_check_user_dir(const char *dir, char *why, size_t len)
{
	if (!dir || !*dir)
		return say(why, len, -EINVAL, "%san empty directory name", "");
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", dir);
	/* The nearest ancestor that exists must be a writable directory. */
	for (;;) {
		struct stat st;
		if (stat(buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return say(why, len, -ENOTDIR,
					   strcmp(buf, dir) ? "%s: a parent is not a directory"
							    : "%s: not a directory (want a directory for "
							      "the result set)",
					   dir);
			if (access(buf, W_OK | X_OK) < 0)
				return say(why, len, -EACCES,
					   strcmp(buf, dir) ? "%s: cannot be created (its parent is not "
							      "writable)"
							    : "%s: not writable",
					   dir);
			return 0;
		}
		if (errno == ENOTDIR)
			return say(why, len, -ENOTDIR, "%s: a parent is not a directory", dir);
		if (errno != ENOENT || !strcmp(buf, ".") || !strcmp(buf, "/"))
			return say(why, len, -errno, "%s: cannot look at it", dir);
		char *slash = strrchr(buf, '/');
		while (slash && slash > buf && slash[1] == '\0') { /* trailing slashes */
			*slash = '\0';
			slash = strrchr(buf, '/');
		}
		if (!slash)
			snprintf(buf, sizeof(buf), ".");
		else if (slash == buf)
			buf[1] = '\0';
		else
			*slash = '\0';
	}
}
