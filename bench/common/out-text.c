/* out-text.c — see out-text.h. */
#include "out-text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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
