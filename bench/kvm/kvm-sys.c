/* kvm-sys.c — see kvm-sys.h. Thin arch-neutral /dev/kvm helpers; every
 * function returns a value or -errno and never prints or exits. The
 * arch's filter ioctls and vPMU probe are in <arch>/kvm-sys-arch.c. */
#include "kvm-sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm-compat.h"

#define KVM_SYS_API_VERSION 12

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int kvm_sys_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	int v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_SYS_API_VERSION) {
		int err = v < 0 ? neg_errno() : -EPROTO;
		close(fd);
		return err;
	}
	return fd;
}

int kvm_sys_check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? neg_errno() : r;
}

int kvm_sys_create_vm(int kvm_fd)
{
	int r;
	/* KVM_CREATE_VM can fail transiently with EINTR while the kernel sets
	 * up the VM's mm; the selftests retry the same way. */
	do {
		r = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? neg_errno() : r;
}

/* Module parameters: KVM's common ones live in the kvm module since 5.17
 * (enable_pmu moved there from kvm_intel/kvm_amd's own knobs); vendor
 * modules hold the rest. We look in kvm, then kvm_intel, kvm_amd, and
 * kvm_pvm (this kind of host's vendor module) and return the first found. */
int kvm_sys_param(const char *name, char *buf, size_t len)
{
	static const char *const mods[] = { "kvm", "kvm_intel", "kvm_amd", "kvm_pvm" };
	if (!name || !*name || strchr(name, '/') || !buf || !len)
		return -EINVAL;
	int err = -ENOENT;
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mods[i], name);
		FILE *f = fopen(path, "re");
		if (!f) {
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		if (!fgets(buf, (int)len, f)) {
			err = ferror(f) ? -EIO : 0;
			buf[0] = '\0';
			fclose(f);
			return err;
		}
		fclose(f);
		buf[strcspn(buf, "\n")] = '\0';
		return 0;
	}
	return err;
}
