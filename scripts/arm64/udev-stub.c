/* udev-stub.c — the five libudev functions libhwloc.a calls, for static
 * builds only (`make arm64`, STATIC=1).
 *
 * Why a stub: Debian ships libhwloc.a but no libudev.a (systemd builds
 * libudev shared only), so a static pfbench cannot link hwloc's Linux
 * backend without these symbols. hwloc uses libudev for one thing: block
 * devices' vendor/model/serial in its I/O objects
 * (hwloc_linuxfs_block_class_fillinfos), and only when udev_new() gives a
 * handle; with NULL it reads /run/udev/data itself. pfbench uses hwloc for
 * CPU topology and pinning, never for block devices, so udev_new()
 * returning NULL changes nothing it measures; the other four are never
 * reached with NULL and return NULL as libudev does on error. */
#include <stddef.h>

struct udev;
struct udev_device;

struct udev *udev_new(void);
struct udev *udev_unref(struct udev *udev);
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev,
							   const char *subsystem,
							   const char *sysname);
const char *udev_device_get_property_value(struct udev_device *dev, const char *key);
struct udev_device *udev_device_unref(struct udev_device *dev);

struct udev *udev_new(void)
{
	return NULL;
}

struct udev *udev_unref(struct udev *udev)
{
	(void)udev;
	return NULL;
}

struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev,
							   const char *subsystem,
							   const char *sysname)
{
	(void)udev;
	(void)subsystem;
	(void)sysname;
	return NULL;
}

const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
	(void)dev;
	(void)key;
	return NULL;
}

struct udev_device *udev_device_unref(struct udev_device *dev)
{
	(void)dev;
	return NULL;
}
