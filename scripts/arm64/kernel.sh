#!/bin/sh
# kernel.sh — an arm64 Debian cloud kernel for the QEMU runs: the newest
# linux-image-6.12.*-cloud-arm64 the host's release offers (bookworm: from
# bookworm-security, through the linux-image-6.12-cloud-arm64 meta-package),
# else its default cloud kernel (linux-image-cloud-arm64, 6.1). KVM, the
# arm PMUv3 driver and devtmpfs are built into these kernels, so the guest
# needs no modules. Fetched with the private arm64 apt configuration of
# apt.sh; the .deb stays in build-arm64/debs, so a second run fetches
# nothing. Prints the path of the kernel image.
#
# usage: scripts/arm64/kernel.sh [OUTDIR]   (default build-arm64/kernel)
set -eu

out=${1:-build-arm64/kernel}
DEBS=${ARM64_DEBS:-build-arm64/debs}

if [ -f "$out/vmlinuz" ] && [ -f "$out/version" ]; then
	echo "$out/vmlinuz"
	exit 0
fi

. "$(dirname "$0")/apt.sh"
arm64_apt_ready >&2

# The concrete image package a meta-package depends on.
image_of()
{
	arm64_apt apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-arm64\)$/\1/p' | head -n1
}
pkg=$(image_of linux-image-6.12-cloud-arm64)
[ -n "$pkg" ] || pkg=$(image_of linux-image-cloud-arm64)
[ -n "$pkg" ] || {
	echo "arm64: no linux-image-*-cloud-arm64 in the host's Debian sources" >&2
	exit 1
}
arm64_apt_download "$DEBS" "$pkg" >&2

deb=$(ls "$DEBS/${pkg}_"*_arm64.deb | head -n1)
tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
dpkg-deb -x "$deb" "$tmp/root"
kver=${pkg#linux-image-}
[ -f "$tmp/root/boot/vmlinuz-$kver" ] || {
	echo "arm64: $deb has no boot/vmlinuz-$kver" >&2
	exit 1
}
mv "$tmp/root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
mv "$tmp/root/boot/config-$kver" "$tmp/config"
# What the guest needs built in, not as modules (there are none in the
# initramfs): KVM, the PMUv3 driver KVM's vPMU sits on, devtmpfs for
# /dev/kvm, virtio-blk for the disk the results come back on.
for opt in CONFIG_KVM CONFIG_ARM_PMUV3 CONFIG_HW_PERF_EVENTS CONFIG_DEVTMPFS \
	CONFIG_VIRTIO_BLK CONFIG_VIRTIO_MMIO CONFIG_BLK_DEV_INITRD; do
	grep -q "^$opt=y" "$tmp/config" ||
		echo "arm64: warning: $pkg: $opt is not =y ($(grep "^$opt=\|$opt is not set" "$tmp/config"))" >&2
done
echo "$kver" >"$tmp/version"
rm -rf "$tmp/root" "$out"
mv "$tmp" "$out"
echo "$out/vmlinuz"
